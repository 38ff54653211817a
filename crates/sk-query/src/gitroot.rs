//! The few git facts the hot paths need — the repository root, the current branch, the
//! default branch, the shared git directory — read from files under `.git` instead of
//! spawning `git`, which alone would cost more than a hook's or a query's whole budget.
//! Used by `--here` (sk-query) and by the hook rules (sk-hooks).

use std::fs;
use std::path::{Path, PathBuf};

/// A working tree: its root, and the git directory that holds HEAD (a worktree's own) and
/// refs (shared with the main repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub root: PathBuf,
    git_dir: PathBuf,
    common_dir: PathBuf,
}

/// The repository containing `dir`, walking up; None outside any.
pub fn find(dir: &Path) -> Option<Repo> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let dot = d.join(".git");
        if dot.is_dir() {
            return Some(Repo {
                root: d.to_path_buf(),
                git_dir: dot.clone(),
                common_dir: dot,
            });
        }
        if dot.is_file() {
            // A linked worktree or submodule: `gitdir: <path>`, and `commondir` inside it.
            let text = fs::read_to_string(&dot).ok()?;
            let gd = text.trim().strip_prefix("gitdir:")?.trim();
            let git_dir = d.join(gd);
            let common_dir = fs::read_to_string(git_dir.join("commondir"))
                .map(|c| git_dir.join(c.trim()))
                .unwrap_or_else(|_| git_dir.clone());
            return Some(Repo {
                root: d.to_path_buf(),
                git_dir,
                common_dir,
            });
        }
        cur = d.parent();
    }
    None
}

impl Repo {
    /// The git directory shared by all worktrees (holds `config` and `refs`).
    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    /// The checked-out branch; None when HEAD is detached.
    pub fn current_branch(&self) -> Option<String> {
        let head = fs::read_to_string(self.git_dir.join("HEAD")).ok()?;
        head.trim().strip_prefix("ref: refs/heads/").map(str::to_string)
    }

    /// The branch `origin/HEAD` points to, else `main` and `master` — the branches a force
    /// push must never rewrite.
    pub fn default_branches(&self) -> Vec<String> {
        let from_origin = fs::read_to_string(self.common_dir.join("refs/remotes/origin/HEAD"))
            .ok()
            .and_then(|t| {
                t.trim()
                    .strip_prefix("ref: refs/remotes/origin/")
                    .map(str::to_string)
            });
        let mut out: Vec<String> = from_origin.into_iter().collect();
        for b in ["main", "master"] {
            if !out.iter().any(|x| x == b) {
                out.push(b.to_string());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_root_branch_and_default_branch_from_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("r");
        fs::create_dir_all(root.join(".git/refs/remotes/origin")).expect("mkdir");
        fs::create_dir_all(root.join("src/deep")).expect("mkdir");
        fs::write(root.join(".git/HEAD"), "ref: refs/heads/feature/x\n").expect("head");
        fs::write(
            root.join(".git/refs/remotes/origin/HEAD"),
            "ref: refs/remotes/origin/trunk\n",
        )
        .expect("origin");
        let repo = find(&root.join("src/deep")).expect("found");
        assert_eq!(repo.root, root);
        assert_eq!(repo.current_branch().as_deref(), Some("feature/x"));
        assert_eq!(repo.default_branches(), vec!["trunk", "main", "master"]);
        assert!(find(dir.path()).is_none());
    }
}
