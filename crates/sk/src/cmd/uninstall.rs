//! `sk uninstall [--launcher-only]`: stop the watcher, then remove what the manifest lists
//! and report what was removed and what was kept.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use sk_core::Paths;
use sk_index::watch::control::{self, StopOutcome};
use sk_install::{manifest, uninstall};
use sk_provision::plan::{Action, Plan};

use crate::cli::UninstallArgs;
use crate::output::Out;

/// Removing sk's hook and MCP server registrations from every agent, planned as if
/// unlocked.
fn hook_registrations(paths: &Paths) -> anyhow::Result<Plan> {
    let mut plan = sk_provision::agents::undeploy_plan_ignoring_lock(paths, &sk_core::Agent::ALL)
        .context("planning the removal of sk's hook registrations")?;
    // A config file the agent is rewriting, or one the user broke, must not stop the
    // uninstall: its sk entry is then left for the user (the message says which file).
    match sk_provision::mcp::undeploy_plan(paths, &sk_core::Agent::ALL) {
        Ok(servers) => plan.changes.extend(servers.changes),
        Err(e) => eprintln!("warning: sk's MCP server registrations were left in place: {e}"),
    }
    Ok(plan)
}

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
        if !args.launcher_only {
            for c in hook_registrations(paths)?
                .changes
                .iter()
                .filter(|c| c.action != Action::Unchanged)
            {
                writeln!(
                    out,
                    "  remove sk's hooks from {} ({})",
                    c.path.display(),
                    c.purpose
                )?;
            }
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
        // The agents would otherwise keep calling a binary that is about to disappear.
        // Locked hooks are unlocked first (reporting any drift), then exactly sk's
        // registrations are removed; the users' own settings stay.
        if sk_provision::lock::is_locked(paths) {
            let report = sk_provision::lock::unlock(paths).context("unlocking sk's hooks")?;
            for p in &report.problems {
                writeln!(
                    out,
                    "Hook file drift before unlocking: {}: {}",
                    p.path.display(),
                    p.issue
                )?;
            }
            writeln!(out, "Unlocked sk's hooks")?;
        }
        let hooks = hook_registrations(paths)?;
        hooks.apply().context("removing sk's hook registrations")?;
        for c in hooks.changes.iter().filter(|c| c.action != Action::Unchanged) {
            writeln!(out, "Removed sk's hooks from {}", c.path.display())?;
        }
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
