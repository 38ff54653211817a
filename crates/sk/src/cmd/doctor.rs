//! `sk doctor [--json] [--manifest]`: runs sk-install's check table and prints one line per
//! finding, with the fix for every non-ok one. Exit 1 when anything FAILs.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sk_core::{Paths, env};
use sk_install::doctor::{self, Level};

use crate::cli::DoctorArgs;
use crate::output::Out;

pub fn run(paths: &Paths, args: &DoctorArgs) -> anyhow::Result<ExitCode> {
    let mut out = Out::new();
    if args.manifest {
        let path = paths.install_manifest();
        let Some(m) = sk_install::manifest::load(&path)? else {
            anyhow::bail!(
                "no install manifest at {}: sk is not installed in this home; run `sk install`",
                path.display()
            );
        };
        write!(out, "{}", m.to_json())?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = doctor::Context {
        paths: paths.clone(),
        path_var: env::Source::get(&env::ProcessEnv, env::PATH),
        build: super::install::build_info(),
    };
    let report = doctor::run(&ctx);
    if args.json {
        out.json(&report).context("writing the report")?;
    } else {
        for f in &report.findings {
            match &f.fix {
                Some(fix) => writeln!(
                    out,
                    "{:<4} {:<9} {} — fix: {fix}",
                    f.level.label(),
                    f.check,
                    f.detail
                )?,
                None => writeln!(out, "{:<4} {:<9} {}", f.level.label(), f.check, f.detail)?,
            }
        }
        let count = |l| report.findings.iter().filter(|f| f.level == l).count();
        writeln!(
            out,
            "{} ok, {} warn, {} FAIL",
            count(Level::Ok),
            count(Level::Warn),
            count(Level::Fail)
        )?;
    }
    out.flush()?;
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::FAILURE)
    })
}
