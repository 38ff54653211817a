//! `sk install`: survey, plan, print (`--dry-run` stops here), execute. The logic is in
//! sk-install; this file turns the plan into words.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sk_core::{Paths, env};
use sk_install::install::{self, InstallRequest};

use crate::cli::InstallArgs;
use crate::output::Out;

/// This binary's version and commit, as recorded in the manifest.
pub fn build_info() -> sk_install::BuildInfo {
    sk_install::BuildInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: env!("SK_GIT_COMMIT").to_string(),
    }
}

fn var(v: env::Var) -> Option<std::ffi::OsString> {
    env::Source::get(&env::ProcessEnv, v)
}

pub fn run(paths: &Paths, args: &InstallArgs) -> anyhow::Result<ExitCode> {
    let source = std::env::current_exe().context("finding the running binary")?;
    let req = InstallRequest {
        source,
        add_to_path: args.add_to_path,
        shell: var(env::SHELL).map(|s| s.to_string_lossy().into_owned()),
        path_var: var(env::PATH),
    };
    let build = build_info();
    let survey = install::survey(paths, &req).context("reading the current installation")?;
    let now = sk_core::time::format_ms(sk_core::time::now_ms());
    let plan = install::plan(paths, &build, &req, &survey, &now);
    let mut out = Out::new();
    if args.dry_run {
        writeln!(
            out,
            "Plan for installing sk {} (commit {}) — nothing changed (--dry-run):",
            build.version, build.commit
        )?;
        for step in &plan.steps {
            writeln!(out, "  {step}")?;
        }
        if plan.is_noop() {
            writeln!(out, "Already installed: nothing to do.")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    install::execute(&plan).context("installing")?;
    if args.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let target = plan.bin_dir.join(sk_install::binary_name());
    if plan.is_noop() {
        writeln!(
            out,
            "sk {} (commit {}) is already installed at {}: nothing to do.",
            build.version,
            build.commit,
            target.display()
        )?;
    } else {
        writeln!(
            out,
            "Installed sk {} (commit {}) at {}",
            build.version,
            build.commit,
            target.display()
        )?;
        for step in &plan.steps {
            writeln!(out, "  {step}")?;
        }
    }
    if !plan.on_path {
        writeln!(out, "{}", plan.path_hint())?;
    } else if args.add_to_path {
        writeln!(
            out,
            "{} is on PATH via {} (open a new shell to use it).",
            plan.bin_dir.display(),
            plan.rc.display()
        )?;
    }
    writeln!(out, "Check it with `sk doctor`.")?;
    Ok(ExitCode::SUCCESS)
}
