//! Provisioning: registering `sk hooks run` and the `sk mcp` server with each agent, installing git hooks, locking
//! what was deployed under a signed manifest, and removing exactly what sk added. Every
//! operation is planned first by a pure function ([`plan::Plan`]) and then executed, so
//! `--dry-run` and the tests see the same plan the real run carries out.

pub mod agents;
pub mod atomic;
pub mod githooks;
pub mod lock;
pub mod mcp;
pub mod plan;
pub mod scan;
pub mod secret;
pub mod settings;

use std::path::PathBuf;

/// Why provisioning refused or failed. Nothing is changed when planning fails.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{path}: not valid JSON ({detail}); fix or move the file aside, then retry (sk changed nothing)")]
    InvalidJson { path: PathBuf, detail: String },
    #[error("{path}: not valid TOML ({detail}); fix or move the file aside, then retry (sk changed nothing)")]
    InvalidToml { path: PathBuf, detail: String },
    #[error("{path}: {what}; fix the file, then retry (sk changed nothing)")]
    UnexpectedShape { path: PathBuf, what: String },
    #[error("hooks are locked; run `sk hooks unlock` first")]
    Locked,
    #[error("nothing to lock: no sk hook is deployed; run `sk hooks deploy` first")]
    NothingDeployed,
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("{0}")]
    Git(String),
    #[error(
        "{path} is not sk's hook and {backup} already exists; move one of them away, then retry \
         (sk will not overwrite a backup)"
    )]
    BackupExists { path: PathBuf, backup: PathBuf },
    #[error("the lock manifest {path} cannot be read ({detail}); run `sk hooks verify` for details")]
    BadManifest { path: PathBuf, detail: String },
}

impl ProvisionError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ProvisionError {
        let path = path.into();
        move |error| ProvisionError::Io { path, error }
    }
}
