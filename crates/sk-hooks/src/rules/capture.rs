//! At session end or stop, hand the finished session to ingest without waiting. When
//! `sk watch` runs it has already seen the log change and ingests it itself, so the hook
//! does nothing (checking costs one lock probe). Otherwise it starts a detached
//! `sk index --agent <agent>` (incremental, so cheap when little changed; and once more two
//! seconds later, for what the agent writes after its hook) unless another sk
//! process already holds the database, in which case that run or the next one picks the
//! session up. The agent never waits for ingest. Claude Code's Stop comes at the end of
//! every turn and its SessionEnd closes the session, so for Claude Code capture waits for
//! SessionEnd (Stop is registered there for `reflect`); Codex has no session end.

use std::process::{Command, Stdio};

use sk_core::Agent;

use super::{Ctx, Verdict};
use crate::HookError;
use crate::wire::Event;

/// How long after its first pass the detached `sk index` looks again.
const AGAIN_AFTER_MS: &str = "2000";

pub fn run(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    if ctx.inv.event == Event::Stop && ctx.inv.agent == Agent::Claude {
        return Ok(Verdict::Pass("Claude Code: captured at SessionEnd".into()));
    }
    let watcher = sk_index::watch::control::status(ctx.paths);
    if watcher.running {
        let pid = watcher.pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        return Ok(Verdict::Pass(format!("left to the running sk watch{pid}")));
    }
    if let Some(holder) = sk_store::lock::holder(&ctx.paths.db) {
        return Ok(Verdict::Pass(format!("not started: {}", holder.describe())));
    }
    let exe = std::env::current_exe().map_err(|e| HookError::Io {
        path: "current executable".into(),
        error: e,
    })?;
    let mut cmd = Command::new(&exe);
    // A second pass two seconds later takes in what the agent writes after its hook ran
    // (Copilot can finish its events file after sessionEnd).
    cmd.args([
        "index",
        "--agent",
        ctx.inv.agent.as_str(),
        "--again-after",
        AGAIN_AFTER_MS,
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if let Some(cwd) = ctx.cwd().filter(|c| c.is_dir()) {
        cmd.current_dir(cwd);
    }
    #[cfg(unix)]
    {
        // Its own process group: the agent killing its hook's group must not stop ingest.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let child = cmd.spawn().map_err(|e| HookError::Io { path: exe, error: e })?;
    Ok(Verdict::Pass(format!("started sk index (pid {})", child.id())))
}
