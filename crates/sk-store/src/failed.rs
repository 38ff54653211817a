//! Log files that could not be ingested (schema v3, `failed_sources`). A failing file is
//! remembered with its size, mtime and the sk build that failed on it; the indexer skips it
//! while all three stay the same, and `sk status` / `sk doctor` name it.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::{Store, StoreError};

/// One remembered failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedSource {
    pub path: String,
    pub agent: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// The sk build that failed on it (a new build tries again).
    pub sk_version: String,
    /// The first line of the error.
    pub error: String,
    pub first_failed_at: i64,
    pub last_failed_at: i64,
    pub attempts: u64,
}

/// Every remembered failure, by path. An empty list on a database older than v3.
pub fn list(store: &Store) -> Result<Vec<FailedSource>, StoreError> {
    list_on(store.conn()).map_err(StoreError::sql(store.path()))
}

/// [`list`] on a bare connection (inside the indexer's transaction).
pub fn list_on(conn: &Connection) -> rusqlite::Result<Vec<FailedSource>> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'failed_sources'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(
        "SELECT path, agent, size, mtime_ns, sk_version, error, first_failed_at, last_failed_at, attempts
         FROM failed_sources ORDER BY path",
    )?;
    stmt.query_map([], |r| {
        Ok(FailedSource {
            path: r.get(0)?,
            agent: r.get(1)?,
            size: r.get::<_, i64>(2)?.max(0) as u64,
            mtime_ns: r.get(3)?,
            sk_version: r.get(4)?,
            error: r.get(5)?,
            first_failed_at: r.get(6)?,
            last_failed_at: r.get(7)?,
            attempts: r.get::<_, i64>(8)?.max(0) as u64,
        })
    })?
    .collect()
}

/// What is known of a file that failed this run.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub path: &'a str,
    pub agent: &'a str,
    pub size: u64,
    pub mtime_ns: i64,
    pub sk_version: &'a str,
    pub error: &'a str,
}

/// Remembers (or refreshes) a failure, inside the caller's transaction.
pub fn remember(conn: &Connection, f: &Failure<'_>, now_ms: i64) -> rusqlite::Result<()> {
    let error = first_line(f.error);
    conn.execute(
        "INSERT INTO failed_sources
             (path, agent, size, mtime_ns, sk_version, error, first_failed_at, last_failed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (path) DO UPDATE SET
             agent = excluded.agent, size = excluded.size, mtime_ns = excluded.mtime_ns,
             sk_version = excluded.sk_version, error = excluded.error,
             last_failed_at = excluded.last_failed_at, attempts = attempts + 1",
        params![
            f.path,
            f.agent,
            f.size as i64,
            f.mtime_ns,
            f.sk_version,
            error,
            now_ms
        ],
    )?;
    Ok(())
}

/// Forgets the failure of a file that has now been read.
pub fn forget(conn: &Connection, path: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM failed_sources WHERE path = ?1", [path])?;
    Ok(())
}

/// Error texts can carry a whole panic payload; one line is what every surface prints.
fn first_line(error: &str) -> String {
    let line = error.lines().next().unwrap_or_default().trim();
    let mut line = line.to_string();
    if sk_core::text::truncate(&mut line, 500) {
        line.push('…');
    }
    line
}
