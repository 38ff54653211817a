//! What `git` says about a working directory — branch, changed files, recent commit
//! subjects, origin — for `sk brief --auto` and the session-start briefing hook alike.

use std::path::Path;
use std::process::{Command, Stdio};

/// Changed files considered; a huge working tree change says little about one task.
const MAX_FILES: usize = 50;

/// What `git` says about the current directory.
#[derive(Debug, Default)]
pub struct GitState {
    pub branch: Option<String>,
    pub files: Vec<String>,
    pub subjects: Vec<String>,
    pub remote: Option<String>,
}

/// Branch, changed files, recent commit subjects and origin URL; None outside a work tree
/// (or without git). Each call passes explicit arguments: nothing goes through a shell.
pub fn git_state(cwd: &Path) -> Option<GitState> {
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
