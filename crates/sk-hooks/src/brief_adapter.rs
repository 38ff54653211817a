//! The one place sk-hooks reaches the briefing logic (`sk brief --auto`): git state of the
//! working directory → the store queries → ranking, budget and rendering from
//! `sk_index::brief`. Kept to this module so that moving the briefing into its own crate
//! changes one import here and nothing else.

use std::path::Path;
use std::process::{Command, Stdio};

use sk_index::brief::{self, Briefing, Context, Found, Limits, TaskSource};
use sk_store::Store;
use sk_store::brief as store;
use sk_store::search;

use crate::HookError;
use crate::gitroot;

const MAX_TERMS: usize = 32;
const ALL_TERMS_UP_TO: usize = 4;
const MAX_FILES: usize = 50;
const POOL: usize = 200;

/// How the briefing is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Compact XML for context injection (Claude Code, Codex).
    Xml,
    /// Markdown for an instructions file (Copilot).
    Markdown,
}

/// A budgeted briefing for work in `cwd`; None when the knowledge base has nothing for it.
pub fn for_directory(
    db: &Store,
    cwd: &Path,
    budget_chars: usize,
    format: Format,
) -> Result<Option<String>, HookError> {
    let repo_dir = gitroot::find(cwd);
    let branch = repo_dir.as_ref().and_then(gitroot::Repo::current_branch);
    let (files, subjects, remote) = match &repo_dir {
        Some(r) => (
            git(
                &r.root,
                &["status", "--porcelain=v1", "-z", "--untracked-files=normal"],
            )
            .map(|s| porcelain_paths(&s))
            .unwrap_or_default(),
            git(&r.root, &["log", "-5", "--format=%s"])
                .map(|s| {
                    s.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            git(&r.root, &["remote", "get-url", "origin"])
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
        ),
        None => (Vec::new(), Vec::new(), None),
    };
    let mut task = brief::task_from_git(branch.as_deref(), &files, &subjects);
    if task.is_empty() {
        // No git context: the folder's name is the best hint of the work.
        let dir = repo_dir.as_ref().map_or(cwd, |r| r.root.as_path());
        task = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    let repo = remote
        .as_deref()
        .map(|r| brief::repo_key(r).unwrap_or_else(|| r.to_string()));
    let conn = db.conn();
    let (entries, sessions) = store::sizes(conn).map_err(HookError::query)?;
    if entries == 0 && sessions == 0 {
        return Ok(None);
    }
    let ctx = Context {
        task,
        task_source: TaskSource::Git,
        repo,
        files,
        empty: false,
    };
    let found = gather(db, &ctx)?;
    let ranked = brief::assemble(&ctx, &found, Limits::BRIEF);
    if ranked.iter().all(|s| s.items.is_empty()) {
        return Ok(None);
    }
    let render: &dyn Fn(&Briefing) -> String = match format {
        Format::Xml => &brief::render_xml,
        Format::Markdown => &brief::render_markdown,
    };
    let briefing = brief::fit(&ctx, ranked, Some(budget_chars), render);
    if briefing.sections.iter().all(|s| s.items.is_empty()) {
        return Ok(None);
    }
    Ok(Some(render(&briefing)))
}

/// The store queries `sk brief` runs for a task (same pools and fallbacks).
fn gather(db: &Store, ctx: &Context) -> Result<Found, HookError> {
    let conn = db.conn();
    let q = HookError::query;
    let words = brief::task_terms(&ctx.task, MAX_TERMS);
    let terms = words.join(" ");
    let mut found = Found::default();
    let queries = [
        (words.len() <= ALL_TERMS_UP_TO)
            .then(|| search::fts_query(&terms, false))
            .flatten(),
        search::fts_query(&terms, true),
    ];
    for query in queries.iter().flatten() {
        found.entry_fts = store::entry_scores(conn, query, POOL).map_err(q)?;
        found.session_fts = store::session_scores(conn, query, POOL).map_err(q)?;
        if !found.entry_fts.is_empty() || !found.session_fts.is_empty() {
            break;
        }
    }
    found.entry_files = store::entries_for_files(conn, &ctx.files).map_err(q)?;
    found.session_files = store::sessions_for_files(conn, &ctx.files, POOL).map_err(q)?;
    let mut ids: Vec<i64> = found.entry_fts.iter().map(|(id, _)| *id).collect();
    ids.extend(found.entry_files.keys().copied());
    ids.extend(store::standing_entries(conn, POOL).map_err(q)?);
    found.entries = store::load_entries(conn, &ids).map_err(q)?;
    let mut session_ids: Vec<i64> = found.session_fts.iter().map(|(id, _)| *id).collect();
    session_ids.extend(found.session_files.iter().copied());
    found.sessions = store::load_sessions(conn, &session_ids).map_err(q)?;
    found.mistake_files = store::mistake_files(conn, POOL).map_err(q)?;
    Ok(found)
}

/// Stdout of a successful git command with explicit arguments (no shell).
fn git(cwd: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Paths from `git status --porcelain=v1 -z` (a rename's origin field skipped).
fn porcelain_paths(status: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut fields = status.split('\0');
    while let Some(field) = fields.next() {
        let Some((code, path)) = field.split_at_checked(3) else {
            continue;
        };
        if code.starts_with(['R', 'C']) {
            fields.next();
        }
        if !path.is_empty() && !paths.iter().any(|p| p == path) {
            paths.push(path.to_string());
        }
        if paths.len() == MAX_FILES {
            break;
        }
    }
    paths
}
