//! The pre-commit secret scan: every line a commit would add, checked with the same
//! detectors that redact secrets from ingested logs, so a key that sk would never store is
//! not committed either.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::ProvisionError;

/// A secret in a staged line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub file: PathBuf,
    pub line: u64,
    pub kinds: Vec<&'static str>,
}

/// Scans the changes staged in the repository at `repo`.
pub fn staged(repo: &Path) -> Result<Vec<Finding>, ProvisionError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "diff",
            "--cached",
            "--no-color",
            "--no-ext-diff",
            "--unified=0",
            "--diff-filter=ACMR",
        ])
        .output()
        .map_err(|e| ProvisionError::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(ProvisionError::Git(format!(
            "git diff --cached failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(scan_diff(&String::from_utf8_lossy(&out.stdout)))
}

/// The findings in a unified diff with zero context lines.
pub fn scan_diff(diff: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut file: Option<PathBuf> = None;
    let mut line = 0u64;
    for text in diff.lines() {
        if let Some(path) = text.strip_prefix("+++ ") {
            file = path.strip_prefix("b/").map(PathBuf::from);
        } else if let Some(hunk) = text.strip_prefix("@@ ") {
            line = new_start(hunk).unwrap_or(0);
        } else if let Some(added) = text.strip_prefix('+') {
            if let (Some(f), Some(found)) = (&file, sk_ingest::redact::redact(added)) {
                findings.push(Finding {
                    file: f.clone(),
                    line,
                    kinds: found.counts.iter().map(|(kind, _)| *kind).collect(),
                });
            }
            line += 1;
        }
    }
    findings
}

/// `-a,b +c,d @@` → c.
fn new_start(hunk: &str) -> Option<u64> {
    let plus = hunk.split_whitespace().find_map(|p| p.strip_prefix('+'))?;
    plus.split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_added_secrets_with_their_line_and_ignores_removed_ones() {
        let diff = "diff --git a/app.env b/app.env\n--- a/app.env\n+++ b/app.env\n@@ -1,0 +4,2 @@\n+DEBUG=1\n+GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n@@ -9 +11 @@\n-AWS_SECRET=AKIAIOSFODNN7EXAMPLE\n+name = \"demo\"\n";
        let found = scan_diff(diff);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].file, PathBuf::from("app.env"));
        assert_eq!(found[0].line, 5);
        assert!(!found[0].kinds.is_empty());
    }

    #[test]
    fn deleted_files_and_clean_diffs_find_nothing() {
        assert_eq!(new_start("-1,2 +7,3 @@ — é"), Some(7));
        assert_eq!(new_start("-é +ü"), None);
        assert!(scan_diff("+++ /dev/null\n@@ -1 +0,0 @@\n").is_empty());
        assert!(scan_diff("+++ b/a.rs\n@@ -0,0 +1 @@\n+fn main() {}\n").is_empty());
    }
}
