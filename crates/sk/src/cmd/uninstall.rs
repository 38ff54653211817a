//! `sk uninstall [--launcher-only]`: stop the watcher, then remove what the manifest lists
//! and report what was removed and what was kept.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use sk_core::Paths;
use sk_index::watch::control::{self, StopOutcome};
use sk_install::{manifest, uninstall};

use crate::cli::UninstallArgs;
use crate::output::Out;

pub fn run(paths: &Paths, args: &UninstallArgs) -> anyhow::Result<ExitCode> {
    let m = manifest::load(&paths.install_manifest())?;
    let plan = uninstall::plan(paths, m.as_ref(), args.launcher_only);
    let mut out = Out::new();
    if args.dry_run {
        writeln!(out, "Plan (nothing changed, --dry-run):")?;
        for (p, why) in &plan.remove {
            writeln!(out, "  remove {} ({})", p.display(), why.describe())?;
        }
        for rc in &plan.remove_blocks {
            writeln!(out, "  remove sk's PATH block from {}", rc.display())?;
        }
        for (p, why) in &plan.keep {
            writeln!(out, "  keep   {} ({why})", p.display())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !args.launcher_only {
        // A running watcher would keep writing with a binary about to disappear.
        match control::stop(paths, Duration::from_secs(60)).context("stopping sk watch")? {
            StopOutcome::Stopped { pid } => writeln!(out, "Stopped sk watch (pid {pid})")?,
            StopOutcome::StaleCleaned { pid } => {
                writeln!(out, "Removed a stale sk watch pid file (pid {pid})")?
            }
            StopOutcome::NotRunning => {}
        }
        // Hook registrations are undone here once hooks provisioning is part of sk; this
        // build has none to remove.
    }
    let done = uninstall::execute(paths, &plan).context("uninstalling")?;
    if !plan.installed {
        writeln!(
            out,
            "Nothing to remove: no install manifest at {}.",
            paths.install_manifest().display()
        )?;
    }
    for p in &done.removed {
        writeln!(out, "Removed {}", p.display())?;
    }
    for p in &done.already_gone {
        writeln!(out, "Already gone {}", p.display())?;
    }
    for rc in &done.blocks_removed {
        writeln!(
            out,
            "Removed sk's PATH block from {} (backup: {}.sk-backup)",
            rc.display(),
            rc.display()
        )?;
    }
    for (p, why) in &plan.keep {
        writeln!(out, "Kept {} ({why})", p.display())?;
    }
    if plan
        .remove
        .iter()
        .any(|(_, k)| *k == sk_install::Purpose::WatchService)
    {
        writeln!(
            out,
            "The sk watch service definition is gone; if it was enabled, also run its disable command (see `sk watch --uninstall-service --help`)."
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
