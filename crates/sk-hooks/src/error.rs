//! Every way the hook runtime can fail. `sk hooks run` turns each of these into "no
//! decision" plus an audit line; the management commands print them.

use std::path::PathBuf;

/// A hook-runtime operation failed.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(transparent)]
    Store(#[from] sk_store::StoreError),
    /// Writing a state file or reading the signing secret (shared with provisioning).
    #[error(transparent)]
    Provision(#[from] sk_provision::ProvisionError),
    /// A read query in sk-store failed (its message; rusqlite stays inside sk-store).
    #[error("database query failed: {0}")]
    Query(String),
    #[error("cannot access {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("{path} is not valid: {detail}")]
    BadFile { path: PathBuf, detail: String },
    #[error("unknown rule `{0}`: `sk hooks rules` lists them")]
    UnknownRule(String),
    #[error("{0}")]
    Usage(String),
}

impl HookError {
    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
        move |error| HookError::Io {
            path: path.to_path_buf(),
            error,
        }
    }

    /// For `map_err` on sk-store's `rusqlite::Result`s.
    pub fn query(e: impl std::fmt::Display) -> HookError {
        HookError::Query(e.to_string())
    }
}
