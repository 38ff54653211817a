//! End-to-end tests of the `sk` binary, each in its own temporary HOME.

// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

mod brief;
mod cli;
mod contract;
mod correction_merge;
mod curation;
mod database;
mod drills;
mod escalation;
mod eval;
mod failure_modes;
mod hidden_exit;
mod hidden_glob;
mod hooks;
mod hooks_reflect;
mod hooks_rules;
mod ingest;
mod install;
mod knowledge;
mod mcp;
mod mcp_deploy;
mod other_program;
mod patch_format;
mod provision;
mod query;
mod recall;
mod redact;
mod redaction_oracle;
mod runbook;
mod sessions;
mod stale_edit;
mod sync;
mod ui_browser;
mod ui_http;
mod ui_support;
mod watch;
