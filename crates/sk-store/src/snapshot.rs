//! One read transaction across the statements of a command.
//!
//! In autocommit mode every statement is its own read transaction: SQLite takes and
//! releases a WAL read lock and re-checks the database and WAL files each time — for a
//! query's ~250 statements (candidate probes, row and length lookups, snippets) about 650
//! system calls, 824 → 173 in all for `sk query database migrations`. Holding one read
//! transaction also gives every statement the same snapshot while the indexer writes.

use rusqlite::Connection;

/// A read transaction begun on a connection in autocommit mode and ended when dropped.
/// On a connection already inside a transaction it does nothing: that transaction is the
/// snapshot.
#[derive(Debug)]
pub struct ReadSnapshot<'c> {
    conn: &'c Connection,
    began: bool,
}

impl<'c> ReadSnapshot<'c> {
    pub fn begin(conn: &'c Connection) -> rusqlite::Result<ReadSnapshot<'c>> {
        let began = conn.is_autocommit();
        if began {
            conn.execute_batch("BEGIN")?;
        }
        Ok(ReadSnapshot { conn, began })
    }
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        // A reader changes nothing; rolling back only releases the read lock.
        if self.began && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_one_snapshot_and_nests_inside_a_transaction() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("k.db");
        let writer = crate::Store::open(&path).expect("open");
        let reader = crate::Store::open_for_recall(&path).expect("open");
        let count = |c: &Connection| -> i64 {
            c.query_row("SELECT count(*) FROM meta", [], |r| r.get(0))
                .expect("count")
        };
        {
            let _snap = ReadSnapshot::begin(reader.conn()).expect("begin");
            let before = count(reader.conn());
            writer
                .conn()
                .execute("INSERT INTO meta (key, value) VALUES ('snapshot-test', '1')", [])
                .expect("write");
            assert_eq!(count(reader.conn()), before, "the reader keeps its snapshot");
            let inner = ReadSnapshot::begin(reader.conn()).expect("nested");
            drop(inner);
            assert!(
                !reader.conn().is_autocommit(),
                "the inner one leaves the outer alone"
            );
        }
        assert!(reader.conn().is_autocommit(), "dropping ends the transaction");
        assert_eq!(
            count(reader.conn()),
            count(writer.conn()),
            "and the next read sees the write"
        );
    }
}
