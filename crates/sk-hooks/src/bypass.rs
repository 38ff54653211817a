//! The emergency switch (runbook §4.4): `sk hooks disable RULE|--all --reason … --for 1h`
//! turns rules off for a while without editing any configuration. Every switch has a
//! reason and an expiry, so a forgotten bypass heals itself; changes are audited.
//! Stored in `$COPILOT_HOME/markers/hooks-bypass.json`.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use sk_provision::atomic;

use crate::HookError;

/// The rule name that means every rule.
pub const ALL: &str = "*";
/// When `--for` is not given.
pub const DEFAULT_MS: i64 = 60 * 60 * 1000;
/// Longest bypass: a week. Anything longer is a configuration change, not an emergency.
pub const MAX_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// One switched-off rule (or `*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bypass {
    pub rule: String,
    pub reason: String,
    pub since_ms: i64,
    pub until_ms: i64,
}

/// The file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bypasses {
    #[serde(default)]
    pub bypasses: Vec<Bypass>,
}

impl Bypasses {
    /// A missing file is no bypass; a damaged one an error (the hook runtime then runs
    /// every rule: a bypass must be deliberate).
    pub fn load(path: &Path) -> Result<Bypasses, HookError> {
        match fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| HookError::BadFile {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Bypasses::default()),
            Err(e) => Err(HookError::io(path)(e)),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), HookError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| HookError::BadFile {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        Ok(atomic::write(path, text.as_bytes(), Some(0o600))?)
    }

    /// The unexpired bypass covering `rule`, if any (`*` covers every rule).
    pub fn covering(&self, rule: &str, now_ms: i64) -> Option<&Bypass> {
        self.active(now_ms).find(|b| b.rule == rule || b.rule == ALL)
    }

    pub fn active(&self, now_ms: i64) -> impl Iterator<Item = &Bypass> {
        self.bypasses.iter().filter(move |b| b.until_ms > now_ms)
    }

    /// The file after disabling `rule` for `for_ms`: expired entries dropped, an earlier
    /// bypass of the same rule replaced.
    pub fn disabled(&self, rule: &str, reason: &str, for_ms: i64, now_ms: i64) -> Bypasses {
        let mut next: Vec<Bypass> = self.active(now_ms).filter(|b| b.rule != rule).cloned().collect();
        next.push(Bypass {
            rule: rule.to_string(),
            reason: reason.to_string(),
            since_ms: now_ms,
            until_ms: now_ms.saturating_add(for_ms),
        });
        Bypasses { bypasses: next }
    }

    /// The file after enabling `rule` (None: everything); also returns what was removed.
    pub fn enabled(&self, rule: Option<&str>, now_ms: i64) -> (Bypasses, Vec<Bypass>) {
        let (removed, kept): (Vec<Bypass>, Vec<Bypass>) = self
            .active(now_ms)
            .cloned()
            .partition(|b| rule.is_none_or(|r| b.rule == r));
        (Bypasses { bypasses: kept }, removed)
    }
}

/// `90s`, `30m`, `1h`, `2d` (a bare number is minutes) → milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: use e.g. 30m, 1h, 2d"))?;
    let per = match unit.trim() {
        "s" | "sec" => 1_000,
        "" | "m" | "min" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        other => return Err(format!("unknown unit `{other}` in `{text}`: use s, m, h or d")),
    };
    let ms = n.saturating_mul(per);
    if ms <= 0 {
        return Err(format!("`{text}` is not a positive duration"));
    }
    if ms > MAX_MS {
        return Err(format!(
            "`{text}` is longer than the 7-day maximum; disable the rule in hooks-config.json instead"
        ));
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bypasses_expire_replace_and_enable() {
        let empty = Bypasses::default();
        let one = empty.disabled("guard", "false positive on deploy script", 1000, 10);
        assert_eq!(
            one.covering("guard", 500).map(|b| b.reason.as_str()),
            Some("false positive on deploy script")
        );
        assert!(one.covering("guard", 1010).is_none(), "expired");
        assert!(one.covering("briefing", 500).is_none());
        let all = one.disabled(ALL, "incident", 5000, 20);
        assert!(all.covering("briefing", 100).is_some());
        let again = all.disabled("guard", "longer", 9000, 30);
        assert_eq!(again.bypasses.iter().filter(|b| b.rule == "guard").count(), 1);
        let (left, removed) = again.enabled(Some("guard"), 40);
        assert_eq!(removed.len(), 1);
        assert!(left.covering("guard", 50).is_some(), "`*` still covers it");
        let (none, removed) = again.enabled(None, 40);
        assert!(none.bypasses.is_empty());
        assert_eq!(removed.len(), 2);
        // Expired entries are dropped when the file is next written.
        assert_eq!(one.disabled("x", "r", 10, 5000).bypasses.len(), 1);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("30m"), Ok(1_800_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        assert_eq!(parse_duration("2d"), Ok(172_800_000));
        assert_eq!(parse_duration("15"), Ok(900_000));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("8d").is_err());
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
