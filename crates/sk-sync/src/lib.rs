//! `sk sync`: knowledge shared between a person's machines and a team through a
//! PostgreSQL database (issue 20; design and proof in docs/design/sync/). The local half
//! (outbox, clocks, conflict rules) is `sk_store::sync`; this crate connects, checks the
//! remote's schema version, pushes the outbox in idempotent batches and pulls by the
//! `(xid, id)` cursor. Only `sk sync` links it in: the hook path never reaches it.

pub mod config;
mod engine;
pub mod health;
pub mod remote;
pub mod sql;

use std::path::{Path, PathBuf};

pub use engine::{
    Direction, ForgetReport, RunReport, SetupReport, Status, forget_remote, run, setup, status,
};

/// `SK_SYNC_TEST_FAULT`: a named point where `sk sync` stops for a while (saying so on
/// stderr) when the variable names it, so the tests can kill the process (kill -9) or
/// drop its connection (pg_terminate_backend) at exactly that moment of a push.
/// The stop ends early once `alive` says the connection is gone.
pub(crate) fn fault_point(name: &str, mut alive: impl FnMut() -> bool) {
    use sk_core::env::{self, Source};
    if env::ProcessEnv
        .get(env::SK_SYNC_TEST_FAULT)
        .is_some_and(|v| v == name)
    {
        eprintln!("SK_SYNC_TEST_FAULT: stopped at {name}");
        for _ in 0..300 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if !alive() {
                break;
            }
        }
    }
}

/// Why `sk sync` did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "no sync remote is set up for this knowledge base. An administrator prepares a \
         PostgreSQL database once (`sk sync print-admin-sql --team TEAM --user ROLE` prints \
         the SQL to review and run); then run `sk sync setup postgres://ROLE@HOST/DB --team TEAM` \
         on each machine"
    )]
    NotConfigured,
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(String),
    #[error("cannot connect to the remote {remote}: {detail}")]
    Connect { remote: String, detail: String },
    #[error(
        "the remote has no sk sync schema this role can use ({0}): give an administrator the \
         output of `sk sync print-admin-sql --team TEAM --user ROLE`"
    )]
    NoSchema(String),
    #[error("{0}")]
    Refused(String),
    #[error("{what} failed on the remote: {detail}")]
    Remote { what: &'static str, detail: String },
    #[error("the knowledge base")]
    Store(#[source] sk_store::StoreError),
    #[error("cannot access {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
}

impl SyncError {
    pub(crate) fn io(path: &Path, error: std::io::Error) -> SyncError {
        SyncError::Io {
            path: path.to_path_buf(),
            error,
        }
    }

    /// A usage mistake (exit 2) rather than a failure.
    pub fn is_usage(&self) -> bool {
        matches!(self, SyncError::Usage(_))
    }
}

impl From<sk_store::StoreError> for SyncError {
    fn from(e: sk_store::StoreError) -> SyncError {
        SyncError::Store(e)
    }
}
