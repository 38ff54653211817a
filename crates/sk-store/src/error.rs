//! Every way the store can fail, named after the failure so the CLI can say what to do.

use std::path::PathBuf;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is a directory, not a database file")]
    IsDirectory { path: PathBuf },
    #[error("{path} is not an SQLite database (its header is wrong)")]
    NotADatabase { path: PathBuf },
    #[error("{path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
    #[error(
        "{path} has schema v{found}, newer than this sk understands (v{supported}); \
         upgrade sk instead of downgrading the database"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "{path} has schema v{found} and this needs v{latest}: run `sk migrate` \
         (it takes a verified backup first; `sk index` also migrates)"
    )]
    Outdated { path: PathBuf, found: u32, latest: u32 },
    #[error("the database {path} is busy: {holder}")]
    Busy { path: PathBuf, holder: String },
    #[error(
        "migration v{version} ({name}) failed and was rolled back; {path} is unchanged at v{from}: {detail}"
    )]
    MigrationFailed {
        path: PathBuf,
        version: u32,
        name: &'static str,
        from: u32,
        detail: String,
    },
    #[error(
        "migration v{version} ({name}) was changed after it shipped (checksum {recorded} in the \
         database, {expected} in this build)"
    )]
    MigrationChanged {
        version: u32,
        name: String,
        recorded: String,
        expected: String,
    },
    #[error("backup {path} did not verify: {reason}")]
    BackupVerifyFailed { path: PathBuf, reason: String },
    // The underlying errors are rendered into the message rather than chained: their own
    // Display already repeats their causes, and the CLI prints each chain link once.
    #[error("cannot access {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("database error on {path}: {detail}")]
    Sql { path: PathBuf, detail: String },
}

impl StoreError {
    /// True when the failure is another process holding the database, which the CLI
    /// reports with its own exit code.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
    }

    pub fn sql(path: &std::path::Path) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
        move |source| {
            if is_busy_error(&source) {
                let holder = crate::lock::holder(path)
                    .map(|h| h.describe())
                    .unwrap_or_else(|| {
                        "another process holds a lock on it and did not release it in time; \
                     close other programs using this database, then retry"
                            .into()
                    });
                StoreError::Busy {
                    path: path.to_path_buf(),
                    holder,
                }
            } else if is_corrupt_error(&source) {
                StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: source.to_string(),
                }
            } else {
                StoreError::Sql {
                    path: path.to_path_buf(),
                    detail: sqlite_detail(&source),
                }
            }
        }
    }

    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
        move |error| StoreError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

pub(crate) fn is_busy_error(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn is_corrupt_error(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// rusqlite's message without the repeated "Error code N" tail of its cause.
pub(crate) fn sqlite_detail(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(msg)) => format!("{msg} ({:?})", f.code),
        other => other.to_string(),
    }
}
