//! "The current repository" for `--here` and the ranking boost, found by reading `.git`
//! directly instead of running git: a query must answer in milliseconds, and spawning git
//! twice would cost as much as the search itself. The identity is the `owner/name` of the
//! `origin` remote (how ingest stores a session's repository, as a URL or `owner/name`)
//! plus the work-tree root (matched against a session's working directory).

use std::fs;
use std::path::{Path, PathBuf};

use crate::gitroot;

/// The repository around a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Here {
    /// The work-tree root.
    pub root: PathBuf,
    /// `owner/name` of `origin` (see `sk_core::repo`), when there is such a remote.
    pub repo: Option<String>,
}

/// The repository containing `dir`, if any.
pub fn find(dir: &Path) -> Option<Here> {
    let repo = gitroot::find(dir)?;
    Some(Here {
        repo: origin(&repo.common_dir().join("config")),
        root: repo.root,
    })
}

/// The `owner/name` of `[remote "origin"] url` in a git config file.
fn origin(config: &Path) -> Option<String> {
    let text = fs::read_to_string(config).ok()?;
    let mut in_origin = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(' ', "").eq_ignore_ascii_case("[remote\"origin\"]");
            continue;
        }
        if in_origin
            && let Some((key, value)) = line.split_once('=')
            && key.trim().eq_ignore_ascii_case("url")
        {
            return sk_core::repo::owner_name(value.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_origin_from_a_repo_and_a_linked_worktree() {
        let dir = tempfile::tempdir().expect("tmp");
        let main = dir.path().join("main");
        fs::create_dir_all(main.join(".git/worktrees/wt")).expect("mkdir");
        fs::write(
            main.join(".git/config"),
            "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://x/other/thing\n[remote \"origin\"]\n\turl = git@github.com:Acme/Demo.git\n",
        )
        .expect("config");
        fs::create_dir_all(main.join("src/deep")).expect("mkdir");
        let here = find(&main.join("src/deep")).expect("found");
        assert_eq!(here.root, main);
        assert_eq!(here.repo.as_deref(), Some("Acme/Demo"));

        let wt = dir.path().join("wt");
        fs::create_dir_all(&wt).expect("mkdir");
        fs::write(
            wt.join(".git"),
            format!("gitdir: {}\n", main.join(".git/worktrees/wt").display()),
        )
        .expect("dotgit");
        fs::write(main.join(".git/worktrees/wt/commondir"), "../..\n").expect("commondir");
        let here = find(&wt).expect("worktree");
        assert_eq!(here.root, wt);
        assert_eq!(here.repo.as_deref(), Some("Acme/Demo"));
    }
}
