//! `sk doctor`: a table of checks, each returning ok / warn / FAIL with, for every non-ok
//! line, the command that fixes it. A check reads; it never repairs. Adding a check is one
//! function and one row in [`CHECKS`].

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sk_core::{Agent, Paths};

use crate::manifest::{self, Manifest, Purpose};
use crate::{BuildInfo, binary_name, fsx, install, rollback, shellrc};

mod database;
mod mcp;

use database::check_database;
use mcp::check_mcp;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub level: Level,
    pub detail: String,
    /// The command (or action) that fixes a non-ok finding.
    pub fix: Option<String>,
}

/// What the checks may look at.
#[derive(Debug, Clone)]
pub struct Context {
    pub paths: Paths,
    /// `$PATH`.
    pub path_var: Option<OsString>,
    pub build: BuildInfo,
}

/// A check: a name and a function that reports one or more findings.
pub struct Check {
    pub name: &'static str,
    pub run: fn(&Context, &mut Vec<Finding>),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every check, in report order.
pub const CHECKS: &[Check] = &[
    Check {
        name: "install",
        run: check_install,
    },
    Check {
        name: "path",
        run: check_path,
    },
    Check {
        name: "drift",
        run: check_drift,
    },
    Check {
        name: "rollback",
        run: check_previous,
    },
    Check {
        name: "database",
        run: check_database,
    },
    Check {
        name: "watcher",
        run: check_watcher,
    },
    Check {
        name: "agents",
        run: check_agents,
    },
    Check {
        name: "inbox",
        run: check_inbox,
    },
    Check {
        name: "hooks",
        run: check_hooks,
    },
    Check {
        name: "mcp",
        run: check_mcp,
    },
    Check {
        name: "bypass",
        run: check_bypass,
    },
    Check {
        name: "disk",
        run: check_disk,
    },
];

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub findings: Vec<Finding>,
}

pub fn run(ctx: &Context) -> Report {
    let mut findings = Vec::new();
    for c in CHECKS {
        (c.run)(ctx, &mut findings);
    }
    Report {
        ok: !findings.iter().any(|f| f.level == Level::Fail),
        findings,
    }
}

fn push(
    out: &mut Vec<Finding>,
    check: &'static str,
    level: Level,
    detail: impl Into<String>,
    fix: Option<String>,
) {
    out.push(Finding {
        check,
        level,
        detail: detail.into(),
        fix,
    });
}

fn load_manifest(ctx: &Context) -> Result<Option<Manifest>, String> {
    manifest::load(&ctx.paths.install_manifest()).map_err(|e| e.to_string())
}

fn check_install(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "install";
    let m = match load_manifest(ctx) {
        Ok(Some(m)) => m,
        Ok(None) => {
            return push(
                out,
                N,
                Level::Warn,
                format!(
                    "sk is not installed in {} (no manifest)",
                    ctx.paths.bin_dir().display()
                ),
                Some("sk install".into()),
            );
        }
        Err(e) => return push(out, N, Level::Fail, e, Some(reinstall())),
    };
    let bin = ctx.paths.bin_dir().join(binary_name());
    if m.file(Purpose::Binary).is_none() {
        // `sk uninstall --launcher-only` took the binary out on purpose (runbook §1.2).
        return push(
            out,
            N,
            Level::Warn,
            format!(
                "the launcher was removed (`sk uninstall --launcher-only`); {} is not installed",
                bin.display()
            ),
            Some(reinstall()),
        );
    }
    if !bin.is_file() {
        return push(
            out,
            N,
            Level::Fail,
            format!("{} is missing", bin.display()),
            Some(reinstall()),
        );
    }
    match rollback::probe_version(&bin) {
        Err(e) => push(
            out,
            N,
            Level::Fail,
            format!("{} does not start: {e}", bin.display()),
            Some("sk rollback".into()),
        ),
        Ok(line) => {
            let got = BuildInfo::parse_version_line(&line);
            if got
                .as_ref()
                .is_some_and(|b| b.version == m.sk_version && b.commit == m.commit)
            {
                push(
                    out,
                    N,
                    Level::Ok,
                    format!(
                        "{} is sk {} (commit {}), as the manifest says",
                        bin.display(),
                        m.sk_version,
                        m.commit
                    ),
                    None,
                );
            } else {
                push(
                    out,
                    N,
                    Level::Fail,
                    format!(
                        "{} prints `{line}` but the manifest records sk {} (commit {})",
                        bin.display(),
                        m.sk_version,
                        m.commit
                    ),
                    Some(reinstall()),
                );
            }
        }
    }
}

fn reinstall() -> String {
    "sk install (run it from a known-good build, e.g. target/release/sk install)".into()
}

/// The first `sk` a shell would run.
fn which_sk(path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let name = binary_name();
    std::env::split_paths(path_var?)
        .map(|d| d.join(&name))
        .find(|p| p.is_file())
}

fn check_path(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "path";
    let installed = ctx.paths.bin_dir().join(binary_name());
    if !installed.is_file() {
        return;
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    match which_sk(ctx.path_var.as_deref()) {
        Some(p) if same(&p, &installed) => push(
            out,
            N,
            Level::Ok,
            format!("`sk` on PATH is {}", installed.display()),
            None,
        ),
        Some(p) => push(
            out,
            N,
            Level::Warn,
            format!(
                "`sk` on PATH is {}, not the installed {}",
                p.display(),
                installed.display()
            ),
            Some(format!(
                "put {} first on PATH (sk install --add-to-path), or remove {}",
                ctx.paths.bin_dir().display(),
                p.display()
            )),
        ),
        None => push(
            out,
            N,
            Level::Warn,
            format!("{} is not on PATH", ctx.paths.bin_dir().display()),
            Some("sk install --add-to-path".into()),
        ),
    }
}

fn check_drift(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "drift";
    let Ok(Some(m)) = load_manifest(ctx) else { return };
    for f in &m.files {
        match fsx::sha256_if_exists(&f.path) {
            Some(sha) if sha == f.sha256 => push(
                out,
                N,
                Level::Ok,
                format!(
                    "{} matches the manifest ({})",
                    f.path.display(),
                    f.purpose.describe()
                ),
                None,
            ),
            Some(sha) => push(
                out,
                N,
                Level::Fail,
                format!(
                    "{} changed since install ({}: sha256 {}, manifest {})",
                    f.path.display(),
                    f.purpose.describe(),
                    sk_core::text::prefix(&sha, 12),
                    sk_core::text::prefix(&f.sha256, 12)
                ),
                Some(reinstall()),
            ),
            None => push(
                out,
                N,
                Level::Fail,
                format!("{} is missing ({})", f.path.display(), f.purpose.describe()),
                Some(reinstall()),
            ),
        }
    }
    for b in &m.blocks {
        let present = std::fs::read_to_string(&b.path).is_ok_and(|t| shellrc::has_block(&t));
        if present {
            push(
                out,
                N,
                Level::Ok,
                format!("{} has sk's PATH block", b.path.display()),
                None,
            );
        } else {
            push(
                out,
                N,
                Level::Warn,
                format!("sk's PATH block is gone from {}", b.path.display()),
                Some("sk install --add-to-path".into()),
            );
        }
    }
}

fn check_previous(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "rollback";
    if !ctx.paths.bin_dir().join(binary_name()).is_file() {
        return;
    }
    let prev = install::previous_path(&ctx.paths);
    if !prev.is_file() {
        return push(
            out,
            N,
            Level::Ok,
            "no previous binary yet (the next upgrade keeps the current one as sk.prev)",
            None,
        );
    }
    match rollback::probe_version(&prev) {
        Ok(line) => push(
            out,
            N,
            Level::Ok,
            format!("{} runs (`{line}`); `sk rollback` can use it", prev.display()),
            None,
        ),
        Err(e) => push(
            out,
            N,
            Level::Warn,
            format!(
                "{} does not start ({e}); `sk rollback` would refuse",
                prev.display()
            ),
            Some(reinstall()),
        ),
    }
}

fn check_watcher(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "watcher";
    let s = sk_index::watch::control::status(&ctx.paths);
    if let Some(pid) = s.pid.filter(|_| s.running) {
        let last = s
            .state
            .as_ref()
            .and_then(|st| st.last_activity_ms)
            .map(sk_core::time::format_ms)
            .unwrap_or_else(|| "none yet".into());
        push(
            out,
            N,
            Level::Ok,
            format!("sk watch is running (pid {pid}), last activity {last}"),
            None,
        );
    } else if let Some(pid) = s.stale_pid {
        push(
            out,
            N,
            Level::Warn,
            format!("stale pid file: sk watch (pid {pid}) is not running"),
            Some("sk watch --stop (removes the stale pid file), then sk watch --daemon".into()),
        );
    } else {
        push(
            out,
            N,
            Level::Warn,
            "sk watch is not running; new sessions are stored at the next `sk index`",
            Some("sk watch --daemon".into()),
        );
    }
}

fn check_agents(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "agents";
    for agent in Agent::ALL {
        let (dirs, var) = match agent {
            Agent::Copilot => (
                vec![
                    ctx.paths.copilot_session_state(),
                    ctx.paths.copilot_history_state(),
                ],
                "COPILOT_HOME",
            ),
            Agent::Claude => (vec![ctx.paths.claude_projects()], "CLAUDE_CONFIG_DIR"),
            Agent::Codex => (
                vec![ctx.paths.codex_sessions(), ctx.paths.codex_archived()],
                "CODEX_HOME",
            ),
        };
        let found: Vec<String> = dirs
            .iter()
            .filter(|d| d.is_dir())
            .map(|d| d.display().to_string())
            .collect();
        if found.is_empty() {
            push(
                out,
                N,
                Level::Warn,
                format!("{agent}: no log folder ({} not found)", dirs[0].display()),
                Some(format!(
                    "nothing to do if you do not use {agent}; otherwise set {var} to where it keeps its logs"
                )),
            );
        } else {
            push(out, N, Level::Ok, format!("{agent}: {}", found.join(", ")), None);
        }
    }
}

fn check_inbox(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "inbox";
    match sk_index::learn::inbox::pending(&ctx.paths) {
        Ok(p) if p.is_empty() => push(out, N, Level::Ok, "learn inbox is empty", None),
        Ok(p) => push(
            out,
            N,
            Level::Warn,
            format!(
                "{} entr{} queued in {} while the database was busy",
                p.len(),
                if p.len() == 1 { "y" } else { "ies" },
                ctx.paths.inbox_dir().display()
            ),
            Some("sk learn --flush-inbox".into()),
        ),
        Err(e) => push(
            out,
            N,
            Level::Warn,
            format!("cannot read the inbox: {e}"),
            Some(format!(
                "check the permissions of {}",
                ctx.paths.inbox_dir().display()
            )),
        ),
    }
}

/// Agent hooks: deployed, pointing at a binary that exists, locked, and matching the
/// signed manifest.
fn check_hooks(ctx: &Context, out: &mut Vec<Finding>) {
    use sk_provision::{agents, lock};
    const N: &str = "hooks";
    let deployed = agents::deployed(&ctx.paths);
    if deployed.is_empty() {
        push(
            out,
            N,
            Level::Warn,
            "no agent hooks deployed: agents run without sk's briefings and guards",
            Some("sk hooks deploy".into()),
        );
        return;
    }
    let names: Vec<String> = deployed.iter().map(|(a, _)| a.to_string()).collect();
    let missing: Vec<PathBuf> = agents::registered_programs(&ctx.paths)
        .into_iter()
        .filter(|p| !p.is_file())
        .collect();
    if missing.is_empty() {
        push(
            out,
            N,
            Level::Ok,
            format!("deployed for {}", names.join(", ")),
            None,
        );
    } else {
        let list: Vec<String> = missing.iter().map(|p| p.display().to_string()).collect();
        push(
            out,
            N,
            Level::Fail,
            format!(
                "the hooks run {}, which does not exist: every hook call fails",
                list.join(", ")
            ),
            Some(redeploy(&ctx.paths)),
        );
    }
    match lock::verify(&ctx.paths) {
        Ok(report) if !report.locked => push(
            out,
            N,
            Level::Warn,
            "hooks are not locked: a tool could rewrite them unnoticed",
            Some("sk hooks lock".into()),
        ),
        Ok(report) if report.ok() => push(
            out,
            N,
            Level::Ok,
            format!(
                "locked since {}; {} file(s) match the signed manifest",
                report.locked_at.unwrap_or_default(),
                report.files
            ),
            None,
        ),
        Ok(report) => {
            for p in &report.problems {
                push(
                    out,
                    N,
                    Level::Fail,
                    format!("{}: {}", p.path.display(), p.issue),
                    Some(
                        "inspect the file, then `sk hooks unlock && sk hooks deploy && sk hooks lock`".into(),
                    ),
                );
            }
        }
        Err(e) => push(
            out,
            N,
            Level::Fail,
            format!("cannot verify the hook lock: {e}"),
            Some("sk hooks verify".into()),
        ),
    }
}

/// Emergency bypasses (`sk hooks disable`): allowed, but never to be forgotten.
fn check_bypass(ctx: &Context, out: &mut Vec<Finding>) {
    use sk_hooks::bypass::{ALL, Bypasses};
    const N: &str = "bypass";
    let now = sk_core::time::now_ms();
    match Bypasses::load(&ctx.paths.hooks_bypass()) {
        Ok(b) if b.active(now).next().is_none() => push(out, N, Level::Ok, "no hook rule is bypassed", None),
        Ok(b) => {
            for bypass in b.active(now) {
                let all = bypass.rule == ALL;
                push(
                    out,
                    N,
                    Level::Warn,
                    format!(
                        "bypass active: {} off until {} (reason: {})",
                        if all {
                            "every hook rule is"
                        } else {
                            bypass.rule.as_str()
                        },
                        sk_core::time::format_ms(bypass.until_ms),
                        bypass.reason
                    ),
                    Some(format!(
                        "sk hooks enable {}",
                        if all { "--all" } else { bypass.rule.as_str() }
                    )),
                );
            }
        }
        Err(e) => push(
            out,
            N,
            Level::Warn,
            format!("the bypass file cannot be read ({e}); every rule runs"),
            Some(format!(
                "inspect or remove {}",
                ctx.paths.hooks_bypass().display()
            )),
        ),
    }
}

fn redeploy(paths: &Paths) -> String {
    if sk_provision::lock::is_locked(paths) {
        "sk hooks unlock && sk hooks deploy && sk hooks lock".into()
    } else {
        "sk hooks deploy".into()
    }
}

/// Below this, writes (ingest, backups before migrations) are likely to fail.
const DISK_FAIL_BYTES: u64 = 100 * 1024 * 1024;
/// Below this, warn while there is still room to act.
const DISK_WARN_BYTES: u64 = 1024 * 1024 * 1024;

fn check_disk(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "disk";
    // The nearest folder that exists: the database may not have been created yet.
    let mut dir = ctx.paths.db.parent().map(Path::to_path_buf).unwrap_or_default();
    while !dir.is_dir() {
        match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir = p.to_path_buf(),
            _ => return,
        }
    }
    let Some(free) = free_bytes(&dir) else {
        return push(
            out,
            N,
            Level::Warn,
            format!("cannot tell the free space at {}", dir.display()),
            Some("df -h (check by hand)".into()),
        );
    };
    let gib = free as f64 / (1024.0 * 1024.0 * 1024.0);
    let detail = format!("{gib:.1} GiB free at {}", dir.display());
    let fix = || Some(format!("free space on the file system holding {}", dir.display()));
    if free < DISK_FAIL_BYTES {
        push(out, N, Level::Fail, detail, fix());
    } else if free < DISK_WARN_BYTES {
        push(out, N, Level::Warn, detail, fix());
    } else {
        push(out, N, Level::Ok, detail, None);
    }
}

#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    let s = nix::sys::statvfs::statvfs(dir).ok()?;
    Some((s.blocks_available() as u64).saturating_mul(s.fragment_size() as u64))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_are_unique() {
        for (i, a) in CHECKS.iter().enumerate() {
            for b in &CHECKS[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn an_empty_home_warns_but_does_not_fail_and_every_non_ok_names_a_fix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = sk_core::env::MapEnv(vec![("HOME", dir.path().as_os_str().to_owned())]);
        let ctx = Context {
            paths: Paths::resolve(&env, None).expect("paths"),
            path_var: None,
            build: BuildInfo {
                version: "0.1.0".into(),
                commit: "c".into(),
            },
        };
        let r = run(&ctx);
        assert!(r.ok, "{:#?}", r.findings);
        assert!(
            r.findings
                .iter()
                .any(|f| f.check == "install" && f.level == Level::Warn)
        );
        for f in &r.findings {
            assert_eq!(f.fix.is_some(), f.level != Level::Ok, "{f:?}");
        }
    }
}
