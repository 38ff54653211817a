//! The one place sk-hooks reaches the briefing logic (`sk brief --auto`): git state of the
//! working directory → the store queries, ranking, budget and rendering of
//! `sk_query::brief`, the same code `sk brief` runs.

use std::path::Path;
use std::process::{Command, Stdio};

use sk_query::brief::{self, Briefing, Context, Limits, TaskSource};
use sk_store::Store;
use sk_store::brief as store;

use crate::HookError;
use crate::gitroot;

const MAX_FILES: usize = 50;

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
    let found = brief::gather(conn, &ctx).map_err(HookError::query)?;
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
