//! The telemetry spool: a recall command appends its line to a small file next to the
//! database (`<db>.telemetry`) instead of writing the database, and whoever writes the
//! database anyway (the indexer after a run, `sk status --recall` before it reads, or a
//! recall command once the spool has grown past [`DRAIN_BYTES`]) moves the lines into the
//! `telemetry` table.
//!
//! Why not write the table directly: a write transaction per query cost more than the
//! query itself on a fresh process — WAL frames that every later process re-reads on open,
//! a checkpoint with two fsyncs every few queries, and a WAL restart with a header and
//! directory fsync after each. An `O_APPEND` write of one line costs one system call.
//!
//! Concurrency: lines are appended with one `write` each (`O_APPEND`), so lines from
//! concurrent commands never interleave. Draining happens under the database's write lock
//! (`BEGIN IMMEDIATE`), so two drains never run at once: the spool is renamed to a
//! `.draining` file first and that file is removed only after the rows are committed; a
//! drain that died half-way leaves its file for the next drain that has a spool to move.
//! A line appended in the instant between a drain's rename and a writer's open can be
//! lost: this is usage statistics, not user data.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::{Event, KEEP_MS, KEEP_ROWS};
use crate::StoreError;
use crate::open::BUSY_TIMEOUT;

/// Spool size past which the recording command drains it itself: about 300 lines, so a
/// user who never re-indexes still has a bounded file and a fresh table, at the cost of one
/// short write transaction every few hundred queries.
pub const DRAIN_BYTES: u64 = 64 * 1024;

const DRAINING: &str = ".draining";

/// The spool file of the database at `db`.
pub fn path(db: &Path) -> PathBuf {
    sk_core::paths::sidecar(db, ".telemetry")
}

/// One spooled line: [`Event`] with owned fields.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    at: i64,
    surface: String,
    query: Option<String>,
    hits: i64,
    selected: String,
    output_bytes: i64,
    duration_us: i64,
}

impl Line {
    fn of(e: &Event<'_>) -> Line {
        Line {
            at: e.at,
            surface: e.surface.to_string(),
            query: e.query.map(str::to_string),
            hits: e.hits,
            selected: e.selected.join(","),
            output_bytes: e.output_bytes,
            duration_us: e.duration_us,
        }
    }
}

/// Appends one line to the spool (created private: queries can say what the user works on)
/// and returns the spool's size afterwards.
pub(super) fn append(db: &Path, e: &Event<'_>) -> Result<u64, StoreError> {
    let spool = path(db);
    let mut line = serde_json::to_vec(&Line::of(e)).map_err(|error| StoreError::Io {
        path: spool.clone(),
        error: error.into(),
    })?;
    line.push(b'\n');
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&spool).map_err(StoreError::io(&spool))?;
    // One write: `O_APPEND` makes it land whole at the end even with other writers.
    file.write_all(&line).map_err(StoreError::io(&spool))?;
    Ok(file.metadata().map_err(StoreError::io(&spool))?.len())
}

/// Moves every spooled line into the `telemetry` table and prunes old rows, returning how
/// many lines were moved. Gives up at once (busy timeout 0) when another process holds the
/// write lock: the lines stay for the next drain. A read-only handle moves nothing.
pub fn drain(store: &crate::Store) -> Result<u64, StoreError> {
    let conn = store.conn();
    let db = store.path();
    let sql = StoreError::sql(db);
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(StoreError::sql(db))? {
        return Ok(0);
    }
    let spool = path(db);
    // Nothing spooled: done, without listing the folder (Copilot's session-state holds a
    // folder per session). A dead drain's leftover waits for the next line.
    if !spool.exists() {
        return Ok(0);
    }
    conn.pragma_update(None, "query_only", false)
        .map_err(StoreError::sql(db))?;
    conn.busy_timeout(std::time::Duration::ZERO)
        .map_err(StoreError::sql(db))?;
    let moved = move_lines(conn, db, &spool);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
    let moved = moved?;
    keep_wal_short(db, conn);
    Ok(moved)
}

fn move_lines(conn: &Connection, db: &Path, spool: &Path) -> Result<u64, StoreError> {
    let sql = |e| StoreError::sql(db)(e);
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(sql)?;
    // Under the write lock no other drain runs: every `.draining` file is ours or was left
    // by a drain that died before it committed.
    let taken = sk_core::paths::sidecar(spool, &format!(".{}{DRAINING}", std::process::id()));
    match fs::rename(spool, &taken) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io(spool)(e)),
    }
    let files = draining_files(spool);
    let mut moved = 0;
    let (mut newest_at, mut last_id) = (i64::MIN, 0);
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO telemetry (at, surface, query, hits, selected, output_bytes, duration_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(sql)?;
        for file in &files {
            let bytes = fs::read(file).map_err(StoreError::io(file))?;
            // A torn or foreign line is skipped, never fatal: it is only a statistic.
            for line in bytes.split(|b| *b == b'\n') {
                let Ok(l) = serde_json::from_slice::<Line>(line) else {
                    continue;
                };
                insert
                    .execute(params![
                        l.at,
                        l.surface,
                        l.query,
                        l.hits,
                        l.selected,
                        l.output_bytes,
                        l.duration_us
                    ])
                    .map_err(sql)?;
                newest_at = newest_at.max(l.at);
                last_id = tx.last_insert_rowid();
                moved += 1;
            }
        }
    }
    if moved > 0 {
        tx.prepare_cached("DELETE FROM telemetry WHERE id <= ?1 OR at < ?2")
            .map_err(sql)?
            .execute(params![last_id - KEEP_ROWS, newest_at.saturating_sub(KEEP_MS)])
            .map_err(sql)?;
    }
    tx.commit().map_err(sql)?;
    for file in &files {
        let _ = fs::remove_file(file);
    }
    Ok(moved)
}

/// The spool's `.draining` files: taken by the current drain or left by one that died.
fn draining_files(spool: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (spool.parent(), spool.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(&prefix) && n.ends_with(DRAINING)
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// WAL size past which a drain copies the WAL into the database. Every process that opens
/// the database first (each query and hook is one) rebuilds the WAL index by reading every
/// frame, so a WAL left to grow costs every later reader; SQLite's own auto-checkpoint does
/// not help one-shot processes (each one's WAL recovery forgets what was already copied).
pub const WAL_CHECKPOINT_BYTES: u64 = 32 * 1024;

/// Best-effort: with a reader or the indexer busy it gives way.
fn keep_wal_short(db: &Path, conn: &Connection) {
    let wal = sk_core::paths::sidecar(db, "-wal");
    let big = fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_CHECKPOINT_BYTES);
    if big {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}
