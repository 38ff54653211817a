//! Installing sk into a home and keeping it healthy: the install plan and its manifest,
//! the Windows `sk.cmd` launcher, the PATH block in the user's shell rc, `sk doctor`,
//! `sk uninstall` and binary rollback. Decisions are pure functions that return a plan;
//! a thin executor carries it out, so `--dry-run` prints the plan and tests check it.

pub mod doctor;
mod error;
pub mod fsx;
pub mod install;
pub mod launcher;
pub mod manifest;
pub mod rollback;
pub mod shellrc;
pub mod uninstall;

pub use error::InstallError;
pub use manifest::{ManagedFile, Manifest, Purpose};

/// What the running binary says about itself: recorded in the manifest and compared by
/// `sk doctor` with what the installed binary prints for `--version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    pub version: String,
    pub commit: String,
}

impl BuildInfo {
    /// Reads `sk 0.1.0 (commit 1a2b3c, schema v1)` as printed by `sk --version`.
    pub fn parse_version_line(line: &str) -> Option<BuildInfo> {
        let rest = line.trim().strip_prefix("sk ")?;
        let (version, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        let commit = tail
            .split_once("commit ")
            .map(|(_, c)| c.split([',', ')']).next().unwrap_or("").trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        Some(BuildInfo {
            version: version.to_string(),
            commit,
        })
    }
}

/// The installed binary's file name on this platform (`sk`, or `sk.exe` on Windows).
pub fn binary_name() -> String {
    format!("sk{}", std::env::consts::EXE_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lines_are_read_back() {
        let b = BuildInfo::parse_version_line("sk 0.1.0 (commit 405141c1a2b3, schema v1)\n").expect("parse");
        assert_eq!(b.version, "0.1.0");
        assert_eq!(b.commit, "405141c1a2b3");
        let b = BuildInfo::parse_version_line("sk 0.0.9").expect("parse");
        assert_eq!((b.version.as_str(), b.commit.as_str()), ("0.0.9", "unknown"));
        assert!(BuildInfo::parse_version_line("python 3").is_none());
    }
}
