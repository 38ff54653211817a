//! The only crate that speaks SQL. It owns the knowledge database file: opening it with
//! the right pragmas, the append-only migrations, verified backups and restores, the
//! writer lock that names who holds the database, and (in later modules) reads and writes.

pub mod backup;
pub mod brief;
pub mod curation;
pub(crate) mod error;
pub mod failed;
pub mod fts;
pub mod insights;
pub mod knowledge;
pub mod lock;
pub mod migrate;
pub mod migrations;
pub mod open;
pub mod rescrub;
pub mod restore;
pub mod search;
pub mod session_docs;
pub mod sessions;
pub mod snapshot;
pub mod status;
pub mod sync;
pub mod sync_sessions;
pub mod telemetry;
pub mod write;

pub use error::StoreError;
pub use open::Store;

/// The schema version this build writes and expects.
pub const SCHEMA_VERSION: u32 = migrations::latest();
