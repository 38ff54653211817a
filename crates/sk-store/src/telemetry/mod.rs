//! Local, never-sent usage records of the recall surfaces (query, brief, show, session,
//! and the searches of `sk mcp` and `sk ui`):
//! what was asked, how many hits, what was opened, how big the output was. They answer
//! "which questions find nothing" and "how large are briefings" in `sk status --recall`.
//! Recording is best-effort and never writes the database on the way (see [`spool`]): its
//! failure is the caller's to ignore.

pub mod spool;

use rusqlite::Connection;
use serde::Serialize;

pub use spool::drain;

/// Rows kept: enough for months of use, small enough that the table never matters.
pub const KEEP_ROWS: i64 = 5_000;
/// Rows older than this are pruned too.
pub const KEEP_MS: i64 = 180 * 24 * 3_600_000;

/// One use of a recall surface.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub at: i64,
    /// `query`, `brief`, `show`, `session`; `mcp` and `ui` for the servers' searches.
    pub surface: &'a str,
    pub query: Option<&'a str>,
    pub hits: i64,
    /// The ids shown or opened, comma-separated (`42`, `claude:abc`).
    pub selected: &'a [String],
    pub output_bytes: i64,
    pub duration_us: i64,
}

/// Records one event: appends it to the spool next to the database, and moves the spool
/// into the table on `store` (the connection the command read with, opened by
/// [`crate::Store::open_for_recall`]) once it has grown past [`spool::DRAIN_BYTES`].
pub fn record(store: &crate::Store, e: &Event<'_>) -> Result<(), crate::StoreError> {
    if spool::append(store.path(), e)? > spool::DRAIN_BYTES {
        drain(store)?;
    }
    Ok(())
}

/// Records one event from a reader that holds no write connection (`sk mcp`, `sk ui`): it
/// is only appended to the spool, and the next writer (`sk index`, `sk watch`, a recall
/// command) moves it into the table.
pub fn record_spooled(db: &std::path::Path, e: &Event<'_>) -> Result<(), crate::StoreError> {
    spool::append(db, e).map(|_| ())
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

/// The surfaces whose events are searches (`sk query`, `sk mcp`'s and `sk ui`'s), as SQL.
const SEARCH_SURFACES: &str = "surface IN ('query', 'mcp', 'ui')";

/// A search that found nothing, and how often it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnansweredQuery {
    /// The query as typed, with any secret in it redacted (as recorded).
    pub query: String,
    /// How many times it was asked and found nothing since `since_ms`.
    pub times: u64,
    /// When it last found nothing (ms).
    pub last_at: i64,
}

/// The distinct searches that found nothing at or after `since_ms`, the most
/// recently asked first, at most `limit`. Only what the telemetry table holds: the last
/// [`KEEP_ROWS`] rows of [`KEEP_MS`], moved in from the spool by writers (lines still in
/// the spool are not counted).
pub fn unanswered_queries(
    conn: &Connection,
    since_ms: i64,
    limit: usize,
) -> rusqlite::Result<Vec<UnansweredQuery>> {
    conn.prepare_cached(&format!(
        "SELECT query, count(*), max(at) FROM telemetry
         WHERE {SEARCH_SURFACES} AND hits = 0 AND query IS NOT NULL AND at >= ?1
         GROUP BY query ORDER BY max(id) DESC LIMIT ?2"
    ))?
    .query_map(
        rusqlite::params![since_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(UnansweredQuery {
                query: r.get(0)?,
                times: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                last_at: r.get(2)?,
            })
        },
    )?
    .collect()
}

/// Summarizes the telemetry table.
pub fn summary(conn: &Connection, top: usize) -> rusqlite::Result<RecallSummary> {
    let mut s = RecallSummary::default();
    (s.events, s.since) = conn.query_row("SELECT count(*), min(at) FROM telemetry", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    (s.queries, s.queries_without_hits, s.average_query_us) = conn.query_row(
        &format!(
            "SELECT count(*), coalesce(sum(hits = 0), 0), avg(duration_us) FROM telemetry WHERE {SEARCH_SURFACES}"
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    s.recent_misses = unanswered_queries(conn, i64::MIN, top)?
        .into_iter()
        .map(|q| q.query)
        .collect();
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
    use std::path::Path;

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

    fn rows(path: &Path) -> i64 {
        let store = crate::Store::open_readonly(path).expect("open");
        store
            .conn()
            .query_row("SELECT count(*) FROM telemetry", [], |r| r.get(0))
            .expect("count")
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
        assert_eq!(rows(&path), 0, "recording alone leaves the database alone");
        assert_eq!(drain(&recall(&path)).expect("drain"), 6);
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
        assert!(!spool::path(&path).exists(), "a drained spool is gone");
    }

    #[test]
    fn old_rows_are_pruned() {
        let (_d, path) = db();
        record(&recall(&path), &ev("query", Some("old"), 1, &[], 1)).expect("rec");
        drain(&recall(&path)).expect("drain");
        for i in 0..3 {
            record(
                &recall(&path),
                &ev("query", Some("new"), 1, &[], KEEP_MS + 10 + i),
            )
            .expect("rec");
        }
        drain(&recall(&path)).expect("drain");
        assert_eq!(rows(&path), 3, "the row older than KEEP_MS is gone");
    }

    #[test]
    fn the_spool_stays_bounded_and_the_wal_empty_between_drains() {
        let (_d, path) = db();
        let wal = sk_core::paths::sidecar(&path, "-wal");
        let spool = spool::path(&path);
        let query = "a query of a realistic length, about as long as a pair of words";
        let mut largest = 0;
        for i in 0..1_500 {
            // A recall process opens, records and closes: the WAL it leaves is read by the
            // next process, so between drains it must stay empty.
            record(&recall(&path), &ev("query", Some(query), 1, &[], i)).expect("rec");
            largest = largest.max(std::fs::metadata(&spool).map(|m| m.len()).unwrap_or(0));
        }
        assert!(
            largest <= spool::DRAIN_BYTES + 512,
            "spool grew to {largest} bytes"
        );
        let drained_on_the_way = rows(&path);
        assert!(drained_on_the_way > 0, "the recording commands drained the spool");
        assert!(
            std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) <= spool::WAL_CHECKPOINT_BYTES + 4 * 4120
        );
        drain(&recall(&path)).expect("drain");
        assert_eq!(rows(&path), 1_500, "no line lost");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            record(&recall(&path), &ev("query", Some("secret plans"), 1, &[], 1)).expect("rec");
            let mode = std::fs::metadata(&spool).expect("spool").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the spool holds what the user searched for");
        }
    }

    #[test]
    fn a_busy_database_keeps_the_lines_for_the_next_drain() {
        let (_d, path) = db();
        record(&recall(&path), &ev("query", Some("x"), 1, &[], 1)).expect("rec");
        let holder = rusqlite::Connection::open(&path).expect("open");
        holder
            .execute_batch("BEGIN IMMEDIATE")
            .expect("hold the write lock");
        assert!(
            matches!(drain(&recall(&path)), Err(crate::StoreError::Busy { .. })),
            "busy must be reported, not waited out"
        );
        holder.execute_batch("ROLLBACK").expect("release");
        assert_eq!(drain(&recall(&path)).expect("drain"), 1);
        assert_eq!(rows(&path), 1);
    }

    #[test]
    fn a_dead_drains_file_and_torn_lines_are_handled() {
        let (_d, path) = db();
        let spool = spool::path(&path);
        // A drain that died after taking the spool, with a line torn by a crash.
        let left = sk_core::paths::sidecar(&spool, ".4242.draining");
        let good = r#"{"at":5,"surface":"query","query":"left","hits":0,"selected":"","output_bytes":0,"duration_us":1}"#;
        std::fs::write(&left, format!("{good}\n{{\"at\":6,\"surf")).expect("write");
        record(&recall(&path), &ev("query", Some("new"), 2, &[], 7)).expect("rec");
        assert_eq!(
            drain(&recall(&path)).expect("drain"),
            2,
            "the torn line is skipped"
        );
        assert!(!left.exists() && !spool.exists());
        let store = crate::Store::open_readonly(&path).expect("open");
        let s = summary(store.conn(), 5).expect("summary");
        assert_eq!(
            (s.queries, s.recent_misses.clone()),
            (2, vec!["left".to_string()])
        );
    }

    #[test]
    fn a_read_only_handle_drains_nothing() {
        let (_d, path) = db();
        record(&recall(&path), &ev("query", Some("x"), 1, &[], 1)).expect("rec");
        let ro = crate::Store::open_readonly(&path).expect("open");
        assert_eq!(drain(&ro).expect("drain"), 0);
        assert!(spool::path(&path).exists());
    }
}
