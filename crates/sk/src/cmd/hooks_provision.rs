//! `sk hooks deploy|undeploy|lock|unlock|verify|git`: the hook files sk provisions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use sk_core::{Agent, Paths};
use sk_provision::plan::Plan;
use sk_provision::{agents, lock, mcp, scan};

use crate::cli::{DeployArgs, GitHook, GitHookArgs, JsonFlag, ProvisionCommand};
use crate::output::Out;

pub fn run(paths: &Paths, cmd: &ProvisionCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ProvisionCommand::Deploy(args) => {
            let sk = hook_binary(paths)?;
            let agents = agents_of(args)?;
            let mut plan = agents::deploy_plan(paths, &agents, &sk)?;
            if !args.no_mcp {
                plan.changes
                    .extend(mcp::deploy_plan(paths, &agents, &sk)?.changes);
            }
            // Found by the agent harness: Codex CLI 0.171 runs no hook from hooks.json until
            // the user approves it in its own /hooks screen (it stores a hash per hook). sk
            // does not approve on the user's behalf; it says so.
            let notes: &[&str] = if agents.contains(&Agent::Codex) && !plan.is_noop() {
                &[CODEX_APPROVAL]
            } else {
                &[]
            };
            finish_with_notes(
                plan,
                args.dry_run,
                args.json,
                &format!(
                    "sk hooks deployed{} (they run {})",
                    if args.no_mcp {
                        ""
                    } else {
                        ", and the MCP server `sk mcp`"
                    },
                    sk.display()
                ),
                notes,
            )
        }
        ProvisionCommand::Undeploy(args) => {
            let agents = agents_of(args)?;
            let mut plan = agents::undeploy_plan(paths, &agents)?;
            if !args.no_mcp {
                plan.changes.extend(mcp::undeploy_plan(paths, &agents)?.changes);
            }
            finish(plan, args.dry_run, args.json, "sk hooks removed")
        }
        ProvisionCommand::Lock(flag) => lock_hooks(paths, flag),
        ProvisionCommand::Unlock(flag) => {
            let report = lock::unlock(paths)?;
            let mut out = Out::new();
            if flag.json {
                out.json(&report)?;
            } else {
                print_problems(&mut out, &report)?;
                if report.locked {
                    writeln!(out, "hooks unlocked: the hook files are writable again")?;
                } else {
                    writeln!(out, "hooks were not locked; nothing changed")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProvisionCommand::Verify(flag) => verify(paths, flag),
        ProvisionCommand::Git(args) => Ok(git_hook(paths, args)),
    }
}

/// The binary hooks should run: the installed one when `sk install` put it in place (it
/// survives rebuilds and checkouts), else this very binary.
pub fn hook_binary(paths: &Paths) -> anyhow::Result<PathBuf> {
    let installed = paths.bin_dir().join(if cfg!(windows) { "sk.exe" } else { "sk" });
    if installed.is_file() {
        return Ok(installed);
    }
    let exe = std::env::current_exe().context("finding the path of this sk binary")?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// What a Codex user must do after a deploy that changed its hooks.
const CODEX_APPROVAL: &str = "Codex CLI runs new or changed hooks only after you approve them: start `codex`, \
open /hooks and approve sk's (again after each deploy that changes them).";

fn agents_of(args: &DeployArgs) -> anyhow::Result<Vec<Agent>> {
    if args.agent == "all" {
        return Ok(Agent::ALL.to_vec());
    }
    let agent: Agent = args
        .agent
        .parse()
        .with_context(|| format!("--agent {}: expected copilot, claude, codex or all", args.agent))?;
    Ok(vec![agent])
}

/// Prints the plan, applies it unless `--dry-run`, and says what happened.
pub fn finish(plan: Plan, dry_run: bool, json: bool, done: &str) -> anyhow::Result<ExitCode> {
    finish_with_notes(plan, dry_run, json, done, &[])
}

/// [`finish`], plus what the user still has to do (printed after `done`; `notes` in JSON).
fn finish_with_notes(
    plan: Plan,
    dry_run: bool,
    json: bool,
    done: &str,
    notes: &[&str],
) -> anyhow::Result<ExitCode> {
    let mut out = Out::new();
    if !dry_run {
        plan.apply()?;
    }
    if json {
        let mut doc =
            serde_json::json!({ "dry_run": dry_run, "changed": !plan.is_noop(), "changes": plan.changes });
        if !notes.is_empty() {
            doc["notes"] = serde_json::json!(notes);
        }
        out.json(&doc)?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(out, "{plan}")?;
    if dry_run {
        writeln!(out, "dry run: nothing changed")?;
    } else if plan.is_noop() {
        writeln!(out, "already up to date: nothing changed")?;
    } else {
        writeln!(out, "{done}")?;
        for note in notes {
            writeln!(out, "note: {note}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn lock_hooks(paths: &Paths, flag: &JsonFlag) -> anyhow::Result<ExitCode> {
    let sk = hook_binary(paths)?;
    let now = sk_core::time::format_ms(sk_core::time::now_ms());
    let outcome = lock::lock(paths, &sk, &now)?;
    let mut out = Out::new();
    if flag.json {
        out.json(&outcome)?;
        return Ok(ExitCode::SUCCESS);
    }
    match outcome {
        lock::LockOutcome::Locked { read_only, tracked } => {
            for f in &read_only {
                writeln!(out, "locked     {} (now read-only)", f.display())?;
            }
            for f in &tracked {
                writeln!(out, "tracked    {}", f.display())?;
            }
            writeln!(
                out,
                "hooks locked: manifest signed at {}; `sk hooks verify` checks it",
                paths.hooks_lock_manifest().display()
            )?;
        }
        lock::LockOutcome::AlreadyLocked { since } => {
            writeln!(out, "hooks already locked (since {since}); nothing changed")?
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(paths: &Paths, flag: &JsonFlag) -> anyhow::Result<ExitCode> {
    let report = lock::verify(paths)?;
    let mut out = Out::new();
    if flag.json {
        out.json(&report)?;
    } else if !report.locked {
        writeln!(
            out,
            "hooks are not locked: nothing to verify; run `sk hooks lock`"
        )?;
    } else {
        print_problems(&mut out, &report)?;
        if report.ok() {
            writeln!(
                out,
                "hooks verified: {} file(s) match the signed manifest",
                report.files
            )?;
        } else {
            writeln!(
                out,
                "hooks FAILED verification: {} problem(s); inspect the files, then `sk hooks unlock`, \
                 `sk hooks deploy` and `sk hooks lock` to re-provision",
                report.problems.len()
            )?;
        }
    }
    Ok(if report.locked && report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::FAILURE)
    })
}

fn print_problems(out: &mut Out, report: &lock::Report) -> std::io::Result<()> {
    for p in &report.problems {
        writeln!(out, "DRIFT      {}: {}", p.path.display(), p.issue)?;
    }
    Ok(())
}

/// Runs a git hook's checks. Only a check that found something blocks (exit 1); anything
/// going wrong inside sk lets git continue, with a warning.
fn git_hook(paths: &Paths, args: &GitHookArgs) -> ExitCode {
    let outcome = std::panic::catch_unwind(|| {
        if !subagent_marker_allows(paths, Path::new("."), args.hook)? {
            return Ok(false);
        }
        match args.hook {
            GitHook::PreCommit => pre_commit(Path::new(".")),
            GitHook::PrePush => Ok(true),
        }
    });
    match outcome {
        Ok(Ok(true)) => ExitCode::SUCCESS,
        Ok(Ok(false)) => ExitCode::from(crate::exit::FAILURE),
        Ok(Err(e)) => {
            eprintln!(
                "sk: warning: the {:?} check could not run ({e:#}); letting git continue",
                args.hook
            );
            ExitCode::SUCCESS
        }
        Err(_) => {
            eprintln!(
                "sk: warning: the {:?} check failed internally; letting git continue",
                args.hook
            );
            ExitCode::SUCCESS
        }
    }
}

/// While a dispatched sub-agent works in this repository (a signed, unexpired marker), its
/// commits and pushes wait for the human: the same guard the agent hooks apply to tool
/// calls, here for a `git` run outside any agent's tool (a terminal, a script).
fn subagent_marker_allows(paths: &Paths, repo: &Path, hook: GitHook) -> anyhow::Result<bool> {
    let cwd = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let Some(root) = sk_hooks::gitroot::find(&cwd) else {
        return Ok(true);
    };
    let now = sk_core::time::now_ms();
    let sk_hooks::marker::Status::Active(marker) = sk_hooks::marker::status(paths, &root.root, now) else {
        return Ok(true);
    };
    let what = if hook == GitHook::PrePush {
        "push"
    } else {
        "commit"
    };
    eprintln!(
        "sk: {what} refused: a dispatched sub-agent is working in {} until {}.\n\
         When its work is reviewed, clear the marker with `sk hooks marker clear --repo {}` and retry.",
        root.root.display(),
        sk_core::time::format_ms(marker.until_ms),
        root.root.display()
    );
    Ok(false)
}

/// `true` when the commit may go ahead.
fn pre_commit(repo: &Path) -> anyhow::Result<bool> {
    let findings = scan::staged(repo)?;
    if findings.is_empty() {
        return Ok(true);
    }
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "sk: commit refused: the staged changes contain what looks like a secret:"
    )?;
    for f in &findings {
        writeln!(err, "  {}:{}: {}", f.file.display(), f.line, f.kinds.join(", "))?;
    }
    writeln!(
        err,
        "Remove it from the file (use an environment variable or a secret store), `git add` again and commit.\n\
         If this is a false positive, commit with `git commit --no-verify`."
    )?;
    Ok(false)
}
