//! The agent hook runtime: `sk hooks run EVENT` for GitHub Copilot CLI, Claude Code and
//! Codex CLI (hooks.md). Wire formats per dialect, the rules table, the audit log, the
//! emergency bypass and sub-agent markers. Synchronous on purpose: a hook runs before
//! every tool call and must answer in milliseconds, so there is no async runtime here.

pub mod audit;
mod brief_adapter;
pub mod bypass;
pub mod config;
pub mod engine;
mod error;
pub mod instructions;
pub mod marker;
pub mod rules;
pub mod wire;

/// The repository facts the rules read (shared with `sk query --here`).
pub use sk_query::gitroot;

pub use engine::{Request, Settings, run};
pub use error::HookError;
