//! `sk brief`: what an agent should know before starting a task — past mistakes with their
//! fixes, conventions, decisions, related sessions and mistake-prone files — in a size an
//! agent's context can afford. This module reads the command line and git state and runs
//! hands them to `sk_query::brief`, which searches, ranks, budgets and renders.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context as _, bail};
use sk_core::Paths;
use sk_query::brief::{self, Briefing, Context, Found, Limits, TaskSource};
use sk_store::Store;
use sk_store::brief as store;

use crate::cli::BriefArgs;
use crate::exit;
use crate::output::Out;

/// Changed files considered; a huge working tree change says little about one task.
const MAX_FILES: usize = 50;

/// What `git` says about the current directory.
#[derive(Debug, Default)]
struct GitState {
    branch: Option<String>,
    files: Vec<String>,
    subjects: Vec<String>,
    remote: Option<String>,
}

pub fn run(paths: &Paths, args: &BriefArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let budget = match (&args.budget, args.full) {
        (_, true) => None,
        (Some(text), false) => match brief::parse_budget(text) {
            Ok(n) => Some(n),
            Err(msg) => {
                eprintln!("error: {msg}");
                return Ok(ExitCode::from(exit::USAGE));
            }
        },
        (None, false) => Some(brief::DEFAULT_BUDGET_CHARS),
    };
    let given = args.task.join(" ").trim().to_string();
    let from_git = args.auto || given.is_empty();
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let git = git_state(&cwd);
    if from_git && git.is_none() && given.is_empty() {
        eprintln!(
            "error: {} is not inside a git repository, so there is no task to derive: say what you are about to do\n\n\
             Usage: sk brief [TASK]... [--auto] [--budget N|Nt] [--full] [--json|--xml]",
            cwd.display()
        );
        return Ok(ExitCode::from(exit::FAILURE));
    }
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    let git = git.unwrap_or_default();
    let files: Vec<String> = if from_git { git.files.clone() } else { Vec::new() };
    let (task, task_source) = if from_git {
        let derived = brief::task_from_git(git.branch.as_deref(), &files, &git.subjects);
        match (given.is_empty(), derived.is_empty()) {
            (true, _) => (derived, TaskSource::Git),
            (false, true) => (given, TaskSource::Args),
            (false, false) => (format!("{given}; {derived}"), TaskSource::Git),
        }
    } else {
        (given, TaskSource::Args)
    };
    let repo = git
        .remote
        .as_deref()
        .map(|r| brief::repo_key(r).unwrap_or_else(|| r.to_string()));

    let store = Store::open_readonly(&paths.db).context("opening the knowledge base")?;
    let conn = store.conn();
    let (entry_count, session_count) = store::sizes(conn).context("counting the knowledge base")?;
    let ctx = Context {
        task,
        task_source,
        repo,
        files,
        empty: entry_count == 0 && session_count == 0,
    };
    let limits = if args.full { Limits::FULL } else { Limits::BRIEF };
    let found = if ctx.empty {
        Found::default()
    } else {
        brief::gather(conn, &ctx).context("searching the knowledge base")?
    };
    let ranked = brief::assemble(&ctx, &found, limits);
    drop(store);

    let json_render = |b: &Briefing| pretty_json(b);
    let render: &dyn Fn(&Briefing) -> String = if args.json {
        &json_render
    } else if args.xml {
        &brief::render_xml
    } else {
        &brief::render_markdown
    };
    let briefing = brief::fit(&ctx, ranked, budget, render);
    let text = render(&briefing);
    let mut out = Out::new();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let selected: Vec<String> = briefing
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| match &i.id {
            brief::ItemId::Entry(id) => id.to_string(),
            brief::ItemId::Key(k) => k.clone(),
        })
        .collect();
    crate::cmd::telemetry::record(
        paths,
        "brief",
        Some(&briefing.task),
        selected.len(),
        &selected,
        text.len(),
        started,
    );
    Ok(ExitCode::SUCCESS)
}

/// The JSON text `Out::json` prints (pretty, plus the newline), measured for the budget.
fn pretty_json(b: &Briefing) -> String {
    // Serializing plain structs of strings and numbers cannot fail; an empty string would
    // only make the budget check lenient.
    serde_json::to_string_pretty(b)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// Branch, changed files, recent commit subjects and origin URL; None outside a work tree
/// (or without git). Each call passes explicit arguments: nothing goes through a shell.
fn git_state(cwd: &Path) -> Option<GitState> {
    let inside = git(cwd, &["rev-parse", "--is-inside-work-tree"])?;
    if inside.trim() != "true" {
        return None;
    }
    let branch = git(cwd, &["branch", "--show-current"])
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty());
    let files = git(cwd, &["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        .map(|s| porcelain_paths(&s))
        .unwrap_or_default();
    let subjects = git(cwd, &["log", "-5", "--format=%s"])
        .map(|s| {
            s.lines()
                .map(str::to_string)
                .filter(|l| !l.trim().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let remote = git(cwd, &["remote", "get-url", "origin"])
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    Some(GitState {
        branch,
        files,
        subjects,
        remote,
    })
}

/// Stdout of a successful git command, None otherwise (no git, not a repo, no commits).
fn git(cwd: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(cwd)
        // Reading status must not take the index lock another git process may need.
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

/// Paths from `git status --porcelain=v1 -z`: `XY path` fields separated by NUL, where a
/// rename or copy is followed by one more field holding the original path (skipped).
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

#[cfg(test)]
mod tests {
    use super::porcelain_paths;

    #[test]
    fn porcelain_skips_rename_origins() {
        let status = " M src/auth.rs\0R  new name.rs\0old.rs\0?? notes/a b.md\0";
        assert_eq!(
            porcelain_paths(status),
            vec!["src/auth.rs", "new name.rs", "notes/a b.md"]
        );
    }
}
