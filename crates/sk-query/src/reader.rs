//! A long-lived server's read connection (`sk mcp`, `sk ui`). A server must see new data without a restart
//! and survive the database being migrated, restored or deleted under it, without ever
//! holding it between calls: each call reads inside one read transaction (one snapshot),
//! ended before the answer is sent; the connection is read-only; and it is reopened when
//! the file at the path is no longer the file it opened (a restore moves the old one
//! aside), when it was missing, or after any failed read.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use sk_store::snapshot::ReadSnapshot;
use sk_store::{Store, StoreError};

/// What a read can fail with, in words for the person (or the model) who asked.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("no knowledge base yet at {}: run `sk index` in a shell first", .0.display())]
    Missing(PathBuf),
    #[error("opening the knowledge base: {0}")]
    Open(#[source] StoreError),
    #[error("{0}")]
    Query(#[from] crate::QueryError),
    #[error("reading the knowledge base: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// The file a connection has open: a restore or a delete-and-recreate gives a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
    #[cfg(not(unix))]
    modified: Option<std::time::SystemTime>,
}

fn file_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        Some(FileId {
            modified: meta.created().ok(),
        })
    }
}

#[derive(Debug)]
pub struct Reader {
    path: PathBuf,
    open: Option<(Store, FileId)>,
}

impl Reader {
    pub fn new(path: PathBuf) -> Reader {
        Reader { path, open: None }
    }

    /// Runs `read` inside one read transaction on a current connection. A failed read
    /// drops the connection, so the next call starts from a fresh open.
    pub fn read<T>(
        &mut self,
        read: impl FnOnce(&Connection) -> Result<T, ReadError>,
    ) -> Result<T, ReadError> {
        let result = self.connection().and_then(|conn| {
            let _snapshot = ReadSnapshot::begin(conn)?;
            read(conn)
        });
        if result.is_err() {
            self.open = None;
        }
        result
    }

    fn connection(&mut self) -> Result<&Connection, ReadError> {
        let Some(now) = file_id(&self.path) else {
            self.open = None;
            return Err(ReadError::Missing(self.path.clone()));
        };
        if self.open.as_ref().is_some_and(|(_, id)| *id != now) {
            self.open = None;
        }
        if self.open.is_none() {
            let store = match Store::open_readonly(&self.path) {
                Ok(store) => store,
                Err(StoreError::Missing { path }) => return Err(ReadError::Missing(path)),
                Err(e) => return Err(ReadError::Open(e)),
            };
            // Readers never migrate: an older file (say, a restored backup) says what to run.
            store.require_latest().map_err(ReadError::Open)?;
            self.open = Some((store, now));
        }
        match &self.open {
            Some((store, _)) => Ok(store.conn()),
            None => Err(ReadError::Missing(self.path.clone())),
        }
    }
}
