//! When to merge the full-text indexes into one segment each after a run
//! ([`sk_store::fts::merge`]). Merging rewrites the whole index, so it is worth it only
//! when the run added a large part of the history (the first `sk index`, a big import) or
//! when many small runs (the watcher) have left many segments behind.

use sk_store::fts::{self, Merged};
use sk_store::{Store, StoreError};

/// A run that read at least this much, and at least a quarter of the database's size,
/// merges: the merge then costs less than the ingest it follows (1.3–1.7 s after the
/// 1 GB bench corpus's ~17 s index phase).
pub const MERGE_AFTER_BYTES: u64 = 32 * 1024 * 1024;

/// Segments across the indexes past which any run merges. FTS5 merges its own
/// segments four at a time, so small runs alone settle at a dozen or two.
pub const MERGE_AT_SEGMENTS: u64 = 24;

/// Segments past which one of the small indexes (all but the records') merges after any
/// run. Every query probes each segment for each word: knowledge written by many small
/// runs sat in 16 segments and cost a question 584 leaf seeks (5.2 M instructions, an
/// eighth of it), while merging it takes a few hundredths of a second.
pub const MERGE_SMALL_AT_SEGMENTS: u64 = 6;

/// Merges the indexes when the run that just read `bytes_read` makes it worth it. The
/// caller holds the writer lock.
pub fn after_run(store: &Store, bytes_read: u64) -> Result<Option<Merged>, StoreError> {
    let conn = store.conn();
    let sql = StoreError::sql(store.path());
    let segments = fts::segments(conn).map_err(sql)?;
    let total: u64 = segments.iter().sum();
    let non_empty = segments.iter().filter(|n| **n > 0).count() as u64;
    if total <= non_empty {
        return Ok(None);
    }
    let db_bytes = std::fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
    let large_run = bytes_read >= MERGE_AFTER_BYTES.max(db_bytes / 4);
    let which: Vec<&str> = if large_run || total >= MERGE_AT_SEGMENTS {
        fts::TABLES.to_vec()
    } else {
        fts::TABLES
            .iter()
            .zip(&segments)
            .filter(|(t, n)| **t != fts::RECORDS && **n >= MERGE_SMALL_AT_SEGMENTS)
            .map(|(t, _)| *t)
            .collect()
    };
    if which.is_empty() {
        return Ok(None);
    }
    fts::merge(conn, &which)
        .map(Some)
        .map_err(StoreError::sql(store.path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_segments(rows: i64) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("k.db")).expect("open");
        for i in 0..rows {
            // Each autocommitted insert flushes a segment of its own.
            store
                .conn()
                .execute(
                    "INSERT INTO records_fts (rowid, text) VALUES (?1, 'retry with backoff')",
                    [i + 1],
                )
                .expect("insert");
        }
        (dir, store)
    }

    #[test]
    fn a_small_run_leaves_a_few_segments_alone() {
        let (_d, store) = store_with_segments(3);
        assert!(fts::segments(store.conn()).expect("segments")[0] > 1);
        assert!(after_run(&store, 4096).expect("run").is_none());
    }

    #[test]
    fn a_small_run_merges_a_fragmented_small_index_alone() {
        let (_d, store) = store_with_segments(3);
        for i in 0..MERGE_SMALL_AT_SEGMENTS as i64 {
            store
                .conn()
                .execute(
                    "INSERT INTO entries_fts (rowid, title, body, tags) VALUES (?1, 'retry', 'backoff', '')",
                    [i + 1],
                )
                .expect("insert");
        }
        let before = fts::segments(store.conn()).expect("segments");
        assert!(
            before[0] > 1 && before[1] >= MERGE_SMALL_AT_SEGMENTS,
            "{before:?}"
        );
        let merged = after_run(&store, 4096).expect("run").expect("merged");
        assert_eq!(merged.segments_before, before[1]);
        let after = fts::segments(store.conn()).expect("segments");
        assert_eq!(
            (after[0], after[1]),
            (before[0], 1),
            "the records' index is left alone"
        );
    }

    #[test]
    fn a_large_run_merges_every_index_into_one_segment() {
        let (_d, store) = store_with_segments(3);
        let merged = after_run(&store, MERGE_AFTER_BYTES)
            .expect("run")
            .expect("merged");
        assert!(merged.segments_before > 1);
        assert_eq!(
            fts::segments(store.conn()).expect("segments"),
            vec![1, 0, 0, 0, 0]
        );
        assert!(
            after_run(&store, MERGE_AFTER_BYTES).expect("run").is_none(),
            "nothing left to merge"
        );
    }
}
