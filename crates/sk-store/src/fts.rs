//! Upkeep of the full-text indexes (`records_fts`, `entries_fts`, `digest_fts`,
//! `session_fts`).
//!
//! An FTS5 index is a set of segments: each flush of pending terms writes a new one and
//! FTS5 merges them in groups of four. A query probes every segment for every word, and
//! BM25 merges each word's document lists across them, so a 1 GB history left as seven
//! `records_fts` and fourteen `entries_fts` segments cost every fresh `sk query` ~2.5 ms
//! (sk-bench-recall median 13.2 → 10.6 ms after merging each index into one).

use rusqlite::Connection;
use serde::Serialize;

/// The full-text indexes, as named in the schema. `session_fts` (schema v4) is the one
/// every `sk query` ranks over: left at eleven segments by a small run after a 1 GB one, it
/// cost a natural-language question 7 % of its instructions (50.7 → 47.1 M).
pub const TABLES: [&str; 5] = [RECORDS, "entries_fts", "digest_fts", "session_fts", "session_cjk"];

/// The index of every record's text: by far the largest, most of what merging costs. The
/// others hold one document per entry, digest or session.
pub const RECORDS: &str = "records_fts";

/// Pending terms FTS5 buffers in memory before writing a segment (its default is 1 MiB).
/// A 64 MiB ingest batch then flushes a few large segments instead of ~60 small ones that
/// are merged again and again: the 1 GB ingest bench's index phase went from ~19 to
/// ~17.5 s, with no measurable change in peak RSS.
pub const FLUSH_BYTES: i64 = 32 * 1024 * 1024;

/// Sets how much pending text FTS5 buffers before writing a segment. The setting is
/// stored in each index's `_config` table; the indexer applies it at the start of a run.
pub fn set_flush_bytes(conn: &Connection, bytes: i64) -> rusqlite::Result<()> {
    for t in TABLES {
        // Table names come from the constant above; the value is bound.
        conn.execute(
            &format!("INSERT INTO {t} ({t}, rank) VALUES ('hashsize', ?1)"),
            [bytes],
        )?;
    }
    Ok(())
}

/// The number of segments in each index, in [`TABLES`] order. Reads only the small
/// `_idx` tables (one row per segment leaf page range).
pub fn segments(conn: &Connection) -> rusqlite::Result<Vec<u64>> {
    TABLES
        .iter()
        .map(|t| {
            let n: i64 = conn.query_row(&format!("SELECT count(DISTINCT segid) FROM {t}_idx"), [], |r| {
                r.get(0)
            })?;
            Ok(n.unsigned_abs())
        })
        .collect()
}

/// What [`merge`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Merged {
    /// Segments of the merged indexes before merging (after: one per index).
    pub segments_before: u64,
    pub elapsed_ms: u64,
}

/// Merges each of the indexes named (from [`TABLES`]; others are ignored) that has more
/// than one segment into a single segment (FTS5 `optimize`). Rewrites the whole index:
/// the cost grows with its size (1.3–1.7 s for a 1 GB history's records), so callers
/// decide when it is worth it (`sk_index::consolidate`). Each index is one transaction.
pub fn merge(conn: &Connection, tables: &[&str]) -> rusqlite::Result<Merged> {
    let started = std::time::Instant::now();
    let before = segments(conn)?;
    let mut merged = 0;
    for (t, n) in TABLES.iter().zip(&before) {
        if *n > 1 && tables.contains(t) {
            conn.execute(&format!("INSERT INTO {t} ({t}) VALUES ('optimize')"), [])?;
            merged += n;
        }
    }
    Ok(Merged {
        segments_before: merged,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_leaves_one_segment_per_index_and_the_same_matches() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = crate::Store::open(&dir.path().join("k.db")).expect("open");
        let conn = store.conn();
        // Each autocommitted insert flushes its own segment.
        for i in 0..12 {
            conn.execute(
                "INSERT INTO records_fts (rowid, text) VALUES (?1, ?2)",
                rusqlite::params![i + 1, format!("word{i} common retry")],
            )
            .expect("insert");
            // The session index too: what every `sk query` ranks over.
            conn.execute(
                "INSERT INTO session_fts (rowid, title, asked, said, did, saw) VALUES (?1, ?2, '', '', '', '')",
                rusqlite::params![i + 1, format!("session {i}")],
            )
            .expect("insert session");
        }
        let count = |q: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM records_fts WHERE records_fts MATCH ?1",
                [q],
                |r| r.get(0),
            )
            .expect("match")
        };
        let before = segments(conn).expect("segments");
        assert!(
            before[0] > 1 && before[3] > 1,
            "inserts made several segments: {before:?}"
        );
        let (common, one) = (count("common"), count("word7"));
        let merged = merge(conn, &TABLES).expect("merge");
        assert_eq!(merged.segments_before, before.iter().sum::<u64>());
        assert_eq!(segments(conn).expect("segments"), vec![1, 0, 0, 1, 0]);
        assert_eq!((count("common"), count("word7")), (common, one));
        assert_eq!(common, 12);
    }

    #[test]
    fn the_flush_size_is_stored_in_each_index() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = crate::Store::open(&dir.path().join("k.db")).expect("open");
        set_flush_bytes(store.conn(), FLUSH_BYTES).expect("set");
        for t in TABLES {
            let v: i64 = store
                .conn()
                .query_row(
                    &format!("SELECT v FROM {t}_config WHERE k = 'hashsize'"),
                    [],
                    |r| r.get(0),
                )
                .expect("config");
            assert_eq!(v, FLUSH_BYTES, "{t}");
        }
    }
}
