//! The audit log: one JSON line per hook invocation (and per bypass change) in
//! `$COPILOT_HOME/markers/hooks-audit.jsonl`, so every decision — and every time sk failed
//! open — can be explained afterwards. Bounded: past the configured size the file is
//! rotated to `.1`, keeping at most two files.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::HookError;

/// One rule's part in an invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRun {
    pub rule: String,
    /// `pass`, `deny`, `ask`, `continue`, `context`, `error`, `panic`, `over-budget`,
    /// `bypassed`.
    pub result: String,
    /// What the rule noted (its reason, an error message, …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    pub us: u64,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// RFC 3339, UTC.
    pub time: String,
    pub agent: Option<String>,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub rules: Vec<RuleRun>,
    /// `none`, `deny`, `ask`, `continue` (a stop held back for one more turn), `context`,
    /// `deny (dry run)`, or for bypass changes `disable`/`enable`.
    pub decision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_us: u64,
    /// Why sk failed open, if it did (bad stdin, unreadable config, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Appends `line`, rotating first when the log is past `max_bytes`.
pub fn append(path: &Path, line: &Line, max_bytes: u64) -> Result<(), HookError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(HookError::io(dir))?;
    }
    if fs::metadata(path).is_ok_and(|m| m.len() >= max_bytes) {
        fs::rename(path, rotated(path)).map_err(HookError::io(path))?;
    }
    let mut text = serde_json::to_string(line).map_err(|e| HookError::BadFile {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    text.push('\n');
    let mut opts = fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        // Commands and reasons can be sensitive: the log is private to its owner.
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    // One write of one line: concurrent hooks append whole lines (O_APPEND).
    opts.open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(HookError::io(path))
}

/// `hooks-audit.jsonl.1`.
pub fn rotated(path: &Path) -> PathBuf {
    sk_core::paths::sidecar(path, ".1")
}

/// The last `n` lines (older rotated file first), skipping lines that do not parse.
pub fn tail(path: &Path, n: usize) -> Result<Vec<Line>, HookError> {
    let mut lines = Vec::new();
    for p in [rotated(path), path.to_path_buf()] {
        let file = match fs::File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(HookError::io(&p)(e)),
        };
        for l in BufReader::new(file).lines() {
            let l = l.map_err(HookError::io(&p))?;
            if let Ok(parsed) = serde_json::from_str::<Line>(&l) {
                lines.push(parsed);
            }
        }
    }
    let skip = lines.len().saturating_sub(n);
    Ok(lines.split_off(skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(event: &str) -> Line {
        Line {
            time: "2026-01-01T00:00:00Z".into(),
            agent: Some("claude".into()),
            event: event.into(),
            session: None,
            rules: vec![],
            decision: "none".into(),
            reason: None,
            duration_us: 1,
            notes: vec![],
        }
    }

    #[test]
    fn rotates_by_size_and_tails_across_both_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("m/audit.jsonl");
        for i in 0..30 {
            append(&path, &line(&format!("e{i}")), 600).expect("append");
        }
        assert!(rotated(&path).exists());
        let both = fs::metadata(&path).expect("log").len() + fs::metadata(rotated(&path)).expect("old").len();
        assert!(both < 2 * 600 + 400, "bounded: {both}");
        let last = tail(&path, 3).expect("tail");
        let names: Vec<&str> = last.iter().map(|l| l.event.as_str()).collect();
        assert_eq!(names, vec!["e27", "e28", "e29"]);
    }
}
