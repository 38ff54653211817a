//! Local, never-sent usage records of the recall surfaces (query, brief, show, session):
//! what was asked, how many hits, what was opened, how big the output was. They answer
//! "which questions find nothing" and "how large are briefings" in `sk status --recall`.
//! Recording is best-effort: it never waits for the database, never takes the writer
//! lock, and its failure is the caller's to ignore.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, params};
use serde::Serialize;

/// Rows kept: enough for months of use, small enough that the table never matters.
pub const KEEP_ROWS: i64 = 5_000;
/// Rows older than this are pruned too.
pub const KEEP_MS: i64 = 180 * 24 * 3_600_000;

/// WAL size past which a telemetry write copies the WAL into the database: about eight
/// telemetry lines. Every reader process pays for each WAL frame (the hook benchmark's
/// database-reading rule: 6.3 ms with an empty WAL, 7.1 ms at 14 frames, 8.2 ms at 23),
/// and each checkpoint costs the writer an fsync, so neither end of the trade is free.
pub const WAL_CHECKPOINT_BYTES: u64 = 32 * 1024;

/// One use of a recall surface.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub at: i64,
    /// `query`, `brief`, `show`, `session`.
    pub surface: &'a str,
    pub query: Option<&'a str>,
    pub hits: i64,
    /// The ids shown or opened, comma-separated (`42`, `claude:abc`).
    pub selected: &'a [String],
    pub output_bytes: i64,
    pub duration_us: i64,
}

/// Appends one event and prunes old rows, on the connection the command read with (opened
/// by [`crate::Store::open_for_recall`]: one open per command, not two), or gives up at
/// once when another process is writing (busy timeout 0): a query must never wait for the
/// indexer to log itself. A read-only handle (the file is not writable) logs nothing.
pub fn record(store: &crate::Store, e: &Event<'_>) -> rusqlite::Result<()> {
    let conn = store.conn();
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        return Ok(());
    }
    conn.pragma_update(None, "query_only", false)?;
    write(conn, store.path(), e)
}

fn write(conn: &Connection, db: &Path, e: &Event<'_>) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::ZERO)?;
    // Closing the last connection would otherwise checkpoint the WAL into the database and
    // fsync it: milliseconds a query should not pay for a log line. `keep_wal_short` does
    // it once per few dozen lines instead.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.execute_batch("PRAGMA synchronous = NORMAL")?;
    let tx = conn.unchecked_transaction()?;
    tx.prepare_cached(
        "INSERT INTO telemetry (at, surface, query, hits, selected, output_bytes, duration_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.at,
        e.surface,
        e.query,
        e.hits,
        e.selected.join(","),
        e.output_bytes,
        e.duration_us
    ])?;
    let last = tx.last_insert_rowid();
    tx.prepare_cached("DELETE FROM telemetry WHERE id <= ?1 OR at < ?2")?
        .execute(params![last - KEEP_ROWS, e.at - KEEP_MS])?;
    tx.commit()?;
    keep_wal_short(db, conn);
    Ok(())
}

/// Copies the WAL into the database and empties it once it has grown past
/// [`WAL_CHECKPOINT_BYTES`]. Every process that opens the database first (each query and
/// hook is one) rebuilds the WAL index by reading every frame, so a WAL grown by log lines
/// alone would cost every later query milliseconds. SQLite's own auto-checkpoint does not
/// help here: each new process's WAL recovery forgets what was already copied, so the WAL
/// would never restart. Best-effort: with a reader or the indexer busy it gives way.
fn keep_wal_short(db: &Path, conn: &Connection) {
    let wal = sk_core::paths::sidecar(db, "-wal");
    let big = std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_CHECKPOINT_BYTES);
    if big {
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }
}

/// What `sk status --recall` prints.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecallSummary {
    pub events: i64,
    pub since: Option<i64>,
    pub queries: i64,
    pub queries_without_hits: i64,
    /// The most recent distinct queries that found nothing, newest first.
    pub recent_misses: Vec<String>,
    /// Entries and sessions opened (`sk show`, `sk session`) most often.
    pub most_opened: Vec<Opened>,
    pub briefs: i64,
    pub average_brief_bytes: Option<f64>,
    pub average_query_us: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Opened {
    pub id: String,
    pub surface: String,
    pub times: i64,
}

/// Summarizes the telemetry table.
pub fn summary(conn: &Connection, top: usize) -> rusqlite::Result<RecallSummary> {
    let mut s = RecallSummary::default();
    (s.events, s.since) = conn.query_row("SELECT count(*), min(at) FROM telemetry", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    (s.queries, s.queries_without_hits, s.average_query_us) = conn.query_row(
        "SELECT count(*), coalesce(sum(hits = 0), 0), avg(duration_us) FROM telemetry WHERE surface = 'query'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    s.recent_misses = conn
        .prepare(
            "SELECT query FROM telemetry WHERE surface = 'query' AND hits = 0 AND query IS NOT NULL
             GROUP BY query ORDER BY max(id) DESC LIMIT ?1",
        )?
        .query_map([top as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    s.most_opened = conn
        .prepare(
            "SELECT selected, surface, count(*) AS n FROM telemetry
             WHERE surface IN ('show', 'session') AND selected <> ''
             GROUP BY selected, surface ORDER BY n DESC, max(id) DESC LIMIT ?1",
        )?
        .query_map([top as i64], |r| {
            Ok(Opened {
                id: r.get(0)?,
                surface: r.get(1)?,
                times: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    (s.briefs, s.average_brief_bytes) = conn.query_row(
        "SELECT count(*), avg(output_bytes) FROM telemetry WHERE surface = 'brief'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("k.db");
        crate::Store::open(&path).expect("create");
        (dir, path)
    }

    /// The connection a recall command reads and logs with.
    fn recall(path: &Path) -> crate::Store {
        crate::Store::open_for_recall(path).expect("open")
    }

    fn ev<'a>(
        surface: &'a str,
        query: Option<&'a str>,
        hits: i64,
        selected: &'a [String],
        at: i64,
    ) -> Event<'a> {
        Event {
            at,
            surface,
            query,
            hits,
            selected,
            output_bytes: 100 * hits,
            duration_us: 10,
        }
    }

    #[test]
    fn summary_counts_misses_opens_and_brief_sizes() {
        let (_d, path) = db();
        let one = ["42".to_string()];
        record(&recall(&path), &ev("query", Some("zzz"), 0, &[], 1)).expect("rec");
        record(&recall(&path), &ev("query", Some("auth"), 3, &one, 2)).expect("rec");
        record(&recall(&path), &ev("show", None, 1, &one, 3)).expect("rec");
        record(&recall(&path), &ev("show", None, 1, &one, 4)).expect("rec");
        record(&recall(&path), &ev("brief", Some("task"), 2, &[], 5)).expect("rec");
        record(&recall(&path), &ev("brief", Some("task"), 4, &[], 6)).expect("rec");
        let store = crate::Store::open_readonly(&path).expect("open");
        let s = summary(store.conn(), 5).expect("summary");
        assert_eq!(
            (s.events, s.queries, s.queries_without_hits, s.briefs),
            (6, 2, 1, 2)
        );
        assert_eq!(s.recent_misses, vec!["zzz"]);
        assert_eq!(s.most_opened[0].id, "42");
        assert_eq!(s.most_opened[0].times, 2);
        assert_eq!(s.average_brief_bytes, Some(300.0));
    }

    #[test]
    fn old_rows_are_pruned() {
        let (_d, path) = db();
        record(&recall(&path), &ev("query", Some("old"), 1, &[], 1)).expect("rec");
        for i in 0..3 {
            record(
                &recall(&path),
                &ev("query", Some("new"), 1, &[], KEEP_MS + 10 + i),
            )
            .expect("rec");
        }
        let store = crate::Store::open_readonly(&path).expect("open");
        let s = summary(store.conn(), 5).expect("summary");
        assert_eq!(s.events, 3, "the row older than KEEP_MS is gone");
    }

    #[test]
    fn logging_keeps_the_wal_short_and_works_on_the_searching_connection() {
        let (_d, path) = db();
        let wal = sk_core::paths::sidecar(&path, "-wal");
        // A reader stays open the whole time, as a query's own connection does.
        let store = recall(&path);
        let mut largest = 0;
        for i in 0..200 {
            record(&store, &ev("query", Some("q"), 1, &[], i)).expect("rec");
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        // One line adds a frame or two; the WAL never gets far past the threshold.
        assert!(
            largest <= WAL_CHECKPOINT_BYTES + 4 * 4120,
            "WAL grew to {largest} bytes"
        );
        let s = summary(store.conn(), 5).expect("summary");
        assert_eq!(s.events, 200);
        // A fresh recall handle refuses writes until the telemetry line lifts `query_only`.
        let fresh = recall(&path);
        assert!(
            fresh.conn().execute("DELETE FROM telemetry", []).is_err(),
            "query_only"
        );
    }

    #[test]
    fn a_busy_database_is_skipped_not_waited_for() {
        let (_d, path) = db();
        let holder = Connection::open(&path).expect("open");
        holder
            .execute_batch("BEGIN IMMEDIATE")
            .expect("hold the write lock");
        let r = record(&recall(&path), &ev("query", Some("x"), 1, &[], 1));
        assert!(r.is_err(), "busy must be reported, not waited out");
        holder.execute_batch("ROLLBACK").expect("release");
    }
}
