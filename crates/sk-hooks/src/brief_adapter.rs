//! The one place sk-hooks reaches the briefing logic (`sk brief --auto`): git state of the
//! working directory → the store queries, ranking, budget and rendering of
//! `sk_query::brief`, the same code `sk brief` runs.

use std::path::Path;

use sk_query::brief::{self, Briefing, Context, Limits, TaskSource};
use sk_store::Store;
use sk_store::brief as store;

use crate::HookError;

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
    let git = brief::git::git_state(cwd).unwrap_or_default();
    let (branch, files, subjects, remote) = (git.branch, git.files, git.subjects, git.remote);
    // Injected without being asked for: only this repository's knowledge and global
    // knowledge, never another project's.
    let scope = brief::scope_root(cwd);
    let mut task = brief::task_from_git(branch.as_deref(), &files, &subjects);
    if task.is_empty() {
        // No git context: the folder's name (the repository's root, else the folder) is
        // the best hint of the work.
        task = Path::new(&scope.root)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    let repo = remote
        .as_deref()
        .map(|r| brief::repo_key(r).unwrap_or_else(|| r.to_string()));
    db.require_latest()?;
    let conn = db.conn();
    if !store::has_data(conn).map_err(HookError::query)? {
        return Ok(None);
    }
    let ctx = Context {
        task,
        task_source: TaskSource::Git,
        repo,
        files,
        empty: false,
        min_confidence: Some(sk_core::knowledge::SHOWN_MIN_CONFIDENCE),
        scope: Some(scope),
    };
    let found = brief::gather(conn, &ctx, Limits::BRIEF).map_err(HookError::query)?;
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
