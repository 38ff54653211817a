//! Which repository a briefing is for, and whether knowledge or a session belongs to it:
//! repository names compared across URL shapes, and the automatic briefing's scope (the
//! git root the agent works in, or its folder outside git).

use std::collections::BTreeSet;

use sk_store::brief::BriefEntry;

use super::Context;

/// `owner/name`, lowercased, from a remote URL or an `owner/name` string, so that
/// `git@github.com:o/n.git` and `https://github.com/O/n` compare equal.
pub fn repo_key(repo: &str) -> Option<String> {
    sk_core::repo::owner_name(repo).map(|r| r.to_lowercase())
}

/// Where an automatic briefing is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The root of the git repository, else the folder itself; no trailing separator.
    pub root: String,
    /// A repository: sessions that ran in a folder below its root are its own. A plain
    /// folder (the home folder, `~/code`) holds every project below it, so only sessions
    /// that ran in it exactly count.
    pub below: bool,
}

/// The scope of an automatic briefing in `cwd`: the root of its git repository, else `cwd`.
pub fn scope_root(cwd: &std::path::Path) -> Scope {
    let (root, below) = match crate::gitroot::find(cwd) {
        Some(r) => (r.root, true),
        None => (cwd.to_path_buf(), false),
    };
    let root = root.to_string_lossy();
    // `/a/b/` must match what ran in `/a/b`; the filesystem root stays `/`.
    let trimmed = root.trim_end_matches(['/', '\\']);
    Scope {
        root: if trimmed.is_empty() {
            root.into_owned()
        } else {
            trimmed.to_string()
        },
        below,
    }
}

/// Whether an entry belongs to the repository of the briefing's scope: in `here` (learned
/// from a session that ran there, or global: see `sk_store::brief::entries_from_here`), or
/// recorded for it (its `owner/name`, or its root folder when it has no remote).
pub(crate) fn entry_in_scope(ctx: &Context, e: &BriefEntry, here: &BTreeSet<i64>) -> bool {
    here.contains(&e.id) || recorded_here(ctx, e.repo.as_deref())
}

/// Whether knowledge recorded for `repo` is this repository's: the same `owner/name`, or
/// (in a scoped briefing) the scope's root folder, which `sk learn` records for a
/// repository without a remote.
pub(crate) fn recorded_here(ctx: &Context, repo: Option<&str>) -> bool {
    let repo = repo.map(str::trim);
    same_repo(ctx.repo.as_deref(), repo) || ctx.scope.as_ref().is_some_and(|s| repo == Some(s.root.as_str()))
}

/// Whether two repository names (remote URLs, `owner/name`, or folders) are the same.
pub(crate) fn same_repo(current: Option<&str>, other: Option<&str>) -> bool {
    // A folder recorded for a repository without a remote is compared as it is: its last
    // two parts (`work/proj`) could be some other repository's `owner/name`.
    let path_like = |r: &str| r.starts_with('/') || r.contains('\\') || r.get(1..2) == Some(":");
    if current.is_some_and(path_like) || other.is_some_and(path_like) {
        return current.is_some() && current == other;
    }
    match (current.and_then(repo_key), other.and_then(repo_key)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_recorded_for_a_repository_is_compared_whole() {
        assert!(same_repo(Some("/home/u/work/proj"), Some("/home/u/work/proj")));
        // Its last two parts are not an owner/name.
        assert!(!same_repo(Some("work/proj"), Some("/home/u/work/proj")));
        assert!(!same_repo(
            Some("/home/u/work/proj"),
            Some("https://github.com/work/proj")
        ));
        assert!(same_repo(Some("acme/app"), Some("git@github.com:acme/app.git")));
    }

    #[test]
    fn outside_a_repository_the_scope_is_the_folder_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        let with_slash = format!("{}/", dir.path().display());
        let scope = scope_root(std::path::Path::new(&with_slash));
        assert_eq!(scope.root, dir.path().display().to_string());
        assert!(!scope.below, "a plain folder holds every project below it");
    }
}
