//! `sk doctor [--json] [--manifest]`: runs sk-install's check table and prints one line per
//! finding, with the fix for every non-ok one. Exit 1 when anything FAILs.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sk_core::{Paths, env};
use sk_install::doctor::{self, Finding, Level, Report};

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
    let mut report = doctor::run(&ctx);
    sync_finding(paths, &mut report);
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

/// The `sync` line: sk-install's check table stays free of the PostgreSQL client, so the
/// binary adds it. Nothing when sync is not set up; a warning, never a failure, when the
/// remote does not answer (offline is normal: changes wait in the outbox).
fn sync_finding(paths: &Paths, report: &mut Report) {
    let Some(h) = sk_sync::health::check(paths) else {
        return;
    };
    let (level, detail, fix) = match &h.remote_state {
        Ok(r) => {
            let held = if r.held_back > 0 {
                format!(
                    " ({} held back by an open transaction on the server)",
                    r.held_back
                )
            } else {
                String::new()
            };
            let detail = format!(
                "{} (team {}) answers, schema v{}; {} change(s) to push, {} to pull{held}",
                h.remote, h.team, r.schema_version, h.pending, r.to_pull
            );
            match &h.last_error {
                Some(e) => (
                    Level::Warn,
                    format!("{detail}; the last sync failed: {e}"),
                    Some("sk sync".to_string()),
                ),
                None => (Level::Ok, detail, None),
            }
        }
        Err(e) => (
            Level::Warn,
            format!("{e}; {} local change(s) wait to be pushed", h.pending),
            Some("check the network and the remote (`sk sync status`), then `sk sync`".to_string()),
        ),
    };
    report.findings.push(Finding {
        check: "sync",
        level,
        detail,
        fix,
    });
    report.ok = !report.findings.iter().any(|f| f.level == Level::Fail);
}
