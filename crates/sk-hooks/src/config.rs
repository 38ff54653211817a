//! Rule settings: which rules run and how they are tuned, from
//! `$COPILOT_HOME/markers/hooks-config.json`. No file means every rule at its default;
//! reading never creates the file (no files as a side effect of reading config) — only
//! `sk hooks enable RULE` writes it, to switch an opt-in rule on.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::HookError;
use crate::rules::{self, RuleSpec};

/// Per-rule switches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleConfig {
    pub enabled: Option<bool>,
    /// Time budget in milliseconds; a rule that overruns it is ignored (fail open).
    pub budget_ms: Option<u64>,
}

/// Briefing tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BriefingConfig {
    /// Characters of briefing injected at session start.
    pub budget_chars: usize,
}

impl Default for BriefingConfig {
    fn default() -> Self {
        BriefingConfig { budget_chars: 4000 }
    }
}

/// Known-mistake lookup tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LookupConfig {
    /// Entries below this confidence are not handed back after a failure (default: the
    /// quality floor every surface shows by, `sk_core::knowledge::SHOWN_MIN_CONFIDENCE`).
    pub min_confidence: f64,
    /// How many matching mistakes to hand back.
    pub max_fixes: usize,
    /// Pre-tool warnings need a mistake at least this confident.
    pub warn_min_confidence: f64,
}

impl Default for LookupConfig {
    fn default() -> Self {
        LookupConfig {
            min_confidence: sk_core::knowledge::SHOWN_MIN_CONFIDENCE,
            max_fixes: 2,
            warn_min_confidence: 0.6,
        }
    }
}

/// Sub-agent marker tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MarkerConfig {
    /// How long a marker stays active when `--for` is not given.
    pub ttl_hours: u64,
}

impl Default for MarkerConfig {
    fn default() -> Self {
        MarkerConfig { ttl_hours: 4 }
    }
}

/// Audit log size bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditConfig {
    /// The log is rotated to `.1` when it grows past this.
    pub max_bytes: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig { max_bytes: 1 << 20 }
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub rules: BTreeMap<String, RuleConfig>,
    pub briefing: BriefingConfig,
    pub lookup: LookupConfig,
    pub marker: MarkerConfig,
    pub audit: AuditConfig,
}

impl Config {
    /// Reads the file; a missing file is the defaults, a malformed one an error (the hook
    /// runtime then falls back to defaults and says so in the audit log).
    pub fn load(path: &Path) -> Result<Config, HookError> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| HookError::BadFile {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(HookError::io(path)(e)),
        }
    }

    pub fn enabled(&self, rule: &RuleSpec) -> bool {
        self.rules
            .get(rule.id)
            .and_then(|r| r.enabled)
            .unwrap_or(rule.default_enabled)
    }

    pub fn budget_ms(&self, rule: &RuleSpec) -> u64 {
        self.rules
            .get(rule.id)
            .and_then(|r| r.budget_ms)
            .unwrap_or(rule.default_budget_ms)
    }

    /// Rule names in the file that no rule has: most likely typos, shown by `sk hooks rules`.
    pub fn unknown_rules(&self) -> Vec<&str> {
        self.rules
            .keys()
            .map(String::as_str)
            .filter(|k| rules::find(k).is_none())
            .collect()
    }
}

/// The settings file `existing` (None when absent) with `rules.<id>.enabled` set to true
/// and every other byte of meaning kept; an error when it is not a JSON object.
pub fn plan_switch_on(existing: Option<&[u8]>, id: &str) -> Result<Vec<u8>, String> {
    let mut doc: serde_json::Value = match existing {
        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| e.to_string())?,
        None => serde_json::json!({}),
    };
    let rule = doc
        .as_object_mut()
        .ok_or("the file is not a JSON object")?
        .entry("rules")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
        .ok_or("`rules` is not a JSON object")?
        .entry(id)
        .or_insert_with(|| serde_json::json!({}));
    rule.as_object_mut()
        .ok_or_else(|| format!("`rules.{id}` is not a JSON object"))?
        .insert("enabled".into(), serde_json::Value::Bool(true));
    Ok(sk_provision::settings::render(&doc))
}

/// Switches rule `id` on in the settings file at `path` (written atomically).
pub fn switch_on(path: &Path, id: &str) -> Result<(), HookError> {
    let existing = match fs::read(path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(HookError::io(path)(e)),
    };
    let next = plan_switch_on(existing.as_deref(), id).map_err(|detail| HookError::BadFile {
        path: path.to_path_buf(),
        detail,
    })?;
    sk_provision::atomic::write(path, &next, None)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_default_partial_merges_malformed_errors() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("hooks-config.json");
        assert_eq!(Config::load(&path).expect("missing"), Config::default());
        fs::write(
            &path,
            r#"{"rules":{"guard":{"enabled":false},"gaurd":{}},"lookup":{"max_fixes":1},"future":1}"#,
        )
        .expect("write");
        let c = Config::load(&path).expect("partial");
        let guard = rules::find("guard").expect("guard rule");
        assert!(!c.enabled(guard));
        assert_eq!(c.budget_ms(guard), guard.default_budget_ms);
        assert_eq!(c.lookup.max_fixes, 1);
        assert_eq!(c.lookup.min_confidence, LookupConfig::default().min_confidence);
        assert_eq!(c.unknown_rules(), vec!["gaurd"]);
        fs::write(&path, "{not json").expect("write");
        assert!(Config::load(&path).is_err());
    }

    #[test]
    fn switching_a_rule_on_keeps_the_other_settings() {
        let first = plan_switch_on(None, "reflect").expect("new file");
        assert_eq!(
            String::from_utf8(first).expect("utf8"),
            "{\n  \"rules\": {\n    \"reflect\": {\n      \"enabled\": true\n    }\n  }\n}\n"
        );
        let mine = br#"{"audit":{"max_bytes":10},"rules":{"reflect":{"enabled":false,"budget_ms":900},"guard":{"enabled":false}},"future":1}"#;
        let next: serde_json::Value =
            serde_json::from_slice(&plan_switch_on(Some(mine), "reflect").expect("edit")).expect("json");
        assert_eq!(
            next,
            serde_json::json!({"audit":{"max_bytes":10},"rules":{"reflect":{"enabled":true,"budget_ms":900},"guard":{"enabled":false}},"future":1})
        );
        assert!(plan_switch_on(Some(b"[1]"), "reflect").is_err());
        assert!(plan_switch_on(Some(br#"{"rules":[]}"#), "reflect").is_err());
        assert!(plan_switch_on(Some(b"{not json"), "reflect").is_err());
    }
}
