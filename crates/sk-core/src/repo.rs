//! Repository names: logs record a repository as a remote URL in any of git's shapes
//! (`https://github.com/o/n.git`, `git@github.com:o/n.git`, with credentials inside:
//! `https://TOKEN@github.com/o/n.git`), as `owner/name`, or not at all (sk then names it
//! after its folder). sk stores and shows `owner/name`, so that one repository reads the
//! same in every agent's sessions and no credential of a URL is ever kept or printed.

/// `owner/name` from a remote URL or an `owner/name` string, case kept; `None` for a
/// single name (a folder) or an empty value. The host and any user or token before it
/// are dropped.
pub fn owner_name(repo: &str) -> Option<String> {
    owner_name_in(remote_path(repo).unwrap_or_else(|| repo.trim()))
}

/// `owner/name` from the path part of a repository's name (`owner/name.git`).
fn owner_name_in(path: &str) -> Option<String> {
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    // Azure DevOps names a repository `org/project/_git/name`: the project is its owner.
    let mut parts = path.rsplit(['/', ':']).filter(|p| !p.is_empty() && *p != "_git");
    let name = parts.next()?;
    let owner = parts.next()?;
    Some(format!("{owner}/{name}"))
}

/// What sk stores for a repository a log or a git config named: a remote URL becomes its
/// `owner/name` (or its one path segment: `host:project.git` → `project`); anything else (an
/// `owner/name`, a folder name, a local path recorded for a repository without a remote)
/// is kept as it is, trimmed.
pub fn canonical(repo: &str) -> String {
    let trimmed = repo.trim();
    let Some(path) = remote_path(trimmed) else {
        return trimmed.to_string();
    };
    if let Some(on) = owner_name_in(path) {
        return on;
    }
    let path = path.trim_end_matches('/');
    let single = path.strip_suffix(".git").unwrap_or(path);
    if single.is_empty() {
        // A URL with no path at all names no repository; its host is the only readable part.
        host(trimmed).unwrap_or_default().to_string()
    } else {
        single.to_string()
    }
}

/// Whether a stored name is a remote URL that [`canonical`] would shorten.
pub fn is_remote_url(repo: &str) -> bool {
    remote_path(repo.trim()).is_some()
}

/// The path part of a remote URL (after the host), or `None` when `repo` is not one:
/// `scheme://[user@]host[:port]/path`, or git's scp-like `user@host:path`. A Windows path
/// (`C:\…`, `C:/…`) and a plain `owner/name` are not URLs.
fn remote_path(repo: &str) -> Option<&str> {
    // A query or fragment is never part of the name, and may carry a token.
    let repo = repo.split(['?', '#']).next().unwrap_or(repo);
    if let Some((scheme, rest)) = repo.split_once("://") {
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return None;
        }
        // `file:///srv/git/proj.git` has an empty host: the path starts right away.
        return Some(rest.split_once('/').map_or("", |(_, path)| path));
    }
    let (user_host, path) = repo.split_once(':')?;
    let plain = |s: &str| !s.is_empty() && !s.contains(['/', '\\', ' ']);
    if path.starts_with("//") || path.starts_with('\\') || !plain(user_host) {
        return None;
    }
    match user_host.rsplit_once('@') {
        Some((user, host)) => (plain(user) && plain(host)).then_some(path),
        // `github.com:owner/name.git` (an ssh host alias may have no dot: `gh:o/n`): a
        // host, not a drive letter (`C:/…`), and a path of at least owner and name.
        None => {
            (user_host.chars().count() > 1 && path.contains('/') && !path.starts_with('/')).then_some(path)
        }
    }
}

/// The host of a `scheme://` URL, without user or port.
fn host(repo: &str) -> Option<&str> {
    let (_, rest) = repo.split_once("://")?;
    let authority = rest.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host.split(':').next().unwrap_or(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_shape_becomes_owner_and_name() {
        for url in [
            "https://github.com/Owner/Name.git",
            "https://github.com/Owner/Name",
            "https://github.com/Owner/Name/",
            "git@github.com:Owner/Name.git",
            "ssh://git@github.com:22/Owner/Name.git",
            "https://x-access-token:ghp_abc123@github.com/Owner/Name.git",
            "https://[REDACTED:github-token]@github.com/Owner/Name.git",
            "github.com:Owner/Name.git",
            "gh:Owner/Name",
            "https://dev.azure.com/acme/Owner/_git/Name",
            "  Owner/Name  ",
        ] {
            assert_eq!(canonical(url), "Owner/Name", "{url}");
            assert_eq!(owner_name(url).as_deref(), Some("Owner/Name"), "{url}");
        }
    }

    #[test]
    fn credentials_never_survive() {
        let stored = canonical("https://user:s3cr3t-token@gitlab.example.com/group/app.git");
        assert_eq!(stored, "group/app");
        assert!(!stored.contains("s3cr3t"));
        for url in [
            "https://github.com/o/n.git?access_token=s3cr3t",
            "https://github.com/o/n#s3cr3t",
        ] {
            assert_eq!(canonical(url), "o/n", "{url}");
        }
    }

    #[test]
    fn a_url_with_one_path_segment_keeps_that_segment() {
        assert_eq!(canonical("team14@gitrepo.example.edu:team14.git"), "team14");
        assert_eq!(canonical("https://user:tok@example.com"), "example.com");
    }

    #[test]
    fn folders_and_local_paths_are_not_urls() {
        for kept in [
            "slay",
            "/home/me/code/proj",
            "C:\\Users\\me\\proj",
            "C:/Users/me/proj",
            "C:proj",
            "owner/name",
            "",
        ] {
            assert!(!is_remote_url(kept), "{kept}");
            assert_eq!(canonical(kept), kept.trim());
        }
        assert_eq!(owner_name("slay"), None);
        assert_eq!(owner_name(""), None);
    }
}
