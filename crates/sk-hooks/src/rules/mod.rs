//! The rules table: every rule sk can run as a hook, the events it answers, whether it is
//! on by default, its time budget and whether it needs the database. `sk hooks rules`,
//! the runtime and the docs all read this one table (a test keeps it consistent).

mod briefing;
mod capture;
mod guard;
mod lookup;
mod reflect;
pub mod shell;
mod subagent;

use std::cell::OnceCell;
use std::time::Duration;

use sk_core::Paths;
use sk_store::Store;

use crate::HookError;
use crate::config::Config;
use crate::wire::{Event, Invocation};

pub use briefing::LEARN_HINT;

/// What a rule decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to say; the note goes to the audit log.
    Pass(String),
    Deny(String),
    /// A warning the user confirms (pre-tool known-mistake match).
    Ask(String),
    /// Text for the agent's context (briefing, known fix).
    Context(String),
    /// At Stop: keep the agent working one more turn, with this as its prompt.
    Continue(String),
}

/// One rule.
#[derive(Debug)]
pub struct RuleSpec {
    pub id: &'static str,
    pub summary: &'static str,
    pub events: &'static [Event],
    pub default_enabled: bool,
    pub default_budget_ms: u64,
    /// Opens the knowledge database (read-only). Rules without it never touch SQLite.
    pub needs_db: bool,
    pub run: fn(&Ctx<'_>) -> Result<Verdict, HookError>,
}

/// Every rule, in the order they run for an event: cheap guards first, so a deny never
/// waits for a database query.
pub static RULES: &[RuleSpec] = &[
    RuleSpec {
        id: "guard",
        summary: "deny dangerous shell commands: recursive delete of /, ~ or the repo root, force push to the default branch, curl|sh, chmod -R 777, writes into .git/",
        events: &[Event::PreToolUse],
        default_enabled: true,
        default_budget_ms: 100,
        needs_db: false,
        run: guard::run,
    },
    RuleSpec {
        id: "secret_guard",
        summary: "deny edits (and shell redirections) that would write a secret into a file",
        events: &[Event::PreToolUse],
        default_enabled: true,
        default_budget_ms: 100,
        needs_db: false,
        run: guard::run_secrets,
    },
    RuleSpec {
        id: "subagent_git",
        summary: "deny git commit/push while a signed sub-agent marker is active for the repository",
        events: &[Event::PreToolUse],
        default_enabled: true,
        default_budget_ms: 100,
        needs_db: false,
        run: subagent::run,
    },
    RuleSpec {
        id: "mistake_warn",
        summary: "ask before a shell command that failed before, exactly, when another command is what worked (off by default: it opens the database before every tool call)",
        events: &[Event::PreToolUse],
        // Opening SQLite and one query cost ~3 ms, over half of preToolUse's 5 ms budget.
        default_enabled: false,
        default_budget_ms: 500,
        needs_db: true,
        run: lookup::run_warn,
    },
    RuleSpec {
        id: "mistake_lookup",
        summary: "after a failed tool call, hand back the fix of the known mistake that matches it",
        events: &[Event::PostToolUse, Event::PostToolUseFailure],
        default_enabled: true,
        default_budget_ms: 1000,
        needs_db: true,
        run: lookup::run_lookup,
    },
    RuleSpec {
        id: "briefing",
        summary: "at session start, brief the agent on its repository (Copilot: a marked section of copilot-instructions.md)",
        events: &[Event::SessionStart],
        default_enabled: true,
        default_budget_ms: 3000,
        needs_db: true,
        run: briefing::run,
    },
    RuleSpec {
        id: "capture",
        summary: "at session end or stop, start `sk index` in the background (never waits)",
        events: &[Event::SessionEnd, Event::Stop],
        default_enabled: true,
        default_budget_ms: 500,
        needs_db: false,
        run: capture::run,
    },
    RuleSpec {
        id: "reflect",
        summary: "at a stop after a failure → fix or a correction no entry covers, ask the agent once per session to record the lesson with `sk learn` (Claude Code, Codex; off by default)",
        events: &[Event::Stop],
        // Opt-in: it holds the agent back for one more turn. Reading the last 8 MiB of a
        // transcript and extracting from it costs tens of milliseconds, not seconds.
        default_enabled: false,
        default_budget_ms: 2000,
        needs_db: true,
        run: reflect::run,
    },
];

pub fn find(id: &str) -> Option<&'static RuleSpec> {
    RULES.iter().find(|r| r.id == id)
}

/// How long a hook waits on a locked database before failing open.
const DB_BUSY_WAIT: Duration = Duration::from_millis(200);

/// What a rule sees: the invocation, locations, settings, and the database opened on
/// first use (read-only), shared by the rules of one invocation.
pub struct Ctx<'a> {
    pub inv: &'a Invocation,
    pub paths: &'a Paths,
    pub config: &'a Config,
    pub now_ms: i64,
    db: OnceCell<Result<Store, String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(inv: &'a Invocation, paths: &'a Paths, config: &'a Config, now_ms: i64) -> Ctx<'a> {
        Ctx {
            inv,
            paths,
            config,
            now_ms,
            db: OnceCell::new(),
        }
    }

    /// The knowledge database, read-only. An error (missing, corrupt, locked) makes the
    /// rule fail, which fails the hook open.
    pub fn db(&self) -> Result<&Store, HookError> {
        let opened = self.db.get_or_init(|| {
            let store = Store::open_readonly(&self.paths.db).map_err(|e| e.to_string())?;
            store.set_busy_timeout(DB_BUSY_WAIT).map_err(|e| e.to_string())?;
            // One read transaction for the whole hook (closing the connection ends it): one
            // snapshot, and the WAL read lock taken once, not per statement
            // (`sk_store::snapshot`).
            store.conn().execute_batch("BEGIN").map_err(|e| e.to_string())?;
            Ok(store)
        });
        opened.as_ref().map_err(|e| HookError::Query(e.clone()))
    }

    /// The working directory the agent reported, else the process's.
    pub fn cwd(&self) -> Option<std::path::PathBuf> {
        self.inv.cwd.clone().or_else(|| std::env::current_dir().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent_and_documented() {
        let arch = include_str!("../../../../docs/ARCHITECTURE.md");
        let readme = include_str!("../../../../README.md");
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}: ids are snake_case (config keys)",
                r.id
            );
            assert!(!r.summary.is_empty() && !r.events.is_empty(), "{}", r.id);
            assert!(r.default_budget_ms > 0, "{}", r.id);
            assert!(!RULES[i + 1..].iter().any(|o| o.id == r.id), "{} twice", r.id);
            assert!(r.events.iter().all(|e| *e != Event::Other), "{}", r.id);
            assert!(
                arch.contains(&format!("`{}`", r.id)),
                "{} missing from ARCHITECTURE.md",
                r.id
            );
            assert!(
                readme.contains(&format!("`{}`", r.id)),
                "{} missing from README.md",
                r.id
            );
            assert_eq!(find(r.id).map(|f| f.id), Some(r.id));
        }
        assert!(
            find(crate::bypass::ALL).is_none(),
            "`*` is reserved for all rules"
        );
    }
}
