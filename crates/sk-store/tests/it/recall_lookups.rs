//! Schema v2's derived objects stay equal to what they are derived from: `hot_files` to the
//! aggregate over mistakes' files under any sequence of entry changes, `digest_fts` to the
//! prompts and summaries of `records`.

use proptest::prelude::*;
use rusqlite::{Connection, params};
use sk_store::Store;

/// What `hot_files` must always hold.
fn aggregate(c: &Connection) -> Vec<(String, i64, i64)> {
    c.prepare(
        "SELECT f.path, count(*), max(e.last_seen) FROM entry_files f JOIN entries e ON e.id = f.entry_id
         WHERE e.category = 'mistake' GROUP BY f.path ORDER BY f.path",
    )
    .expect("prepare")
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn hot_files(c: &Connection) -> Vec<(String, i64, i64)> {
    c.prepare("SELECT path, mistakes, last_seen FROM hot_files ORDER BY path")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[derive(Debug, Clone)]
enum Op {
    Insert { mistake: bool, seen: i64 },
    AddFile { entry: usize, file: usize },
    RemoveFile { entry: usize, file: usize },
    Delete { entry: usize },
    Seen { entry: usize, seen: i64 },
    Recategorize { entry: usize, mistake: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), 0i64..50).prop_map(|(mistake, seen)| Op::Insert { mistake, seen }),
        (0usize..8, 0usize..4).prop_map(|(entry, file)| Op::AddFile { entry, file }),
        (0usize..8, 0usize..4).prop_map(|(entry, file)| Op::RemoveFile { entry, file }),
        (0usize..8).prop_map(|entry| Op::Delete { entry }),
        (0usize..8, 0i64..50).prop_map(|(entry, seen)| Op::Seen { entry, seen }),
        (0usize..8, any::<bool>()).prop_map(|(entry, mistake)| Op::Recategorize { entry, mistake }),
    ]
}

fn apply(c: &Connection, ids: &mut Vec<i64>, n: &mut i64, op: &Op) {
    let category = |m: bool| if m { "mistake" } else { "pattern" };
    let file = |f: usize| format!("src/f{f}.rs");
    let pick = |ids: &Vec<i64>, i: usize| (!ids.is_empty()).then(|| ids[i % ids.len()]);
    match op {
        Op::Insert { mistake, seen } => {
            *n += 1;
            c.execute(
                "INSERT INTO entries (category, title, body, first_seen, last_seen, content_hash, created_at, updated_at)
                 VALUES (?1, 't', 'b', 0, ?2, ?3, 0, 0)",
                params![category(*mistake), seen, format!("h{n}")],
            )
            .expect("insert entry");
            ids.push(c.last_insert_rowid());
        }
        Op::AddFile { entry, file: f } => {
            if let Some(id) = pick(ids, *entry) {
                c.execute(
                    "INSERT OR IGNORE INTO entry_files (entry_id, path) VALUES (?1, ?2)",
                    params![id, file(*f)],
                )
                .expect("add file");
            }
        }
        Op::RemoveFile { entry, file: f } => {
            if let Some(id) = pick(ids, *entry) {
                c.execute(
                    "DELETE FROM entry_files WHERE entry_id = ?1 AND path = ?2",
                    params![id, file(*f)],
                )
                .expect("remove file");
            }
        }
        Op::Delete { entry } => {
            if let Some(id) = pick(ids, *entry) {
                c.execute("DELETE FROM entries WHERE id = ?1", [id])
                    .expect("delete");
                ids.retain(|&x| x != id);
            }
        }
        Op::Seen { entry, seen } => {
            if let Some(id) = pick(ids, *entry) {
                c.execute(
                    "UPDATE entries SET last_seen = ?2 WHERE id = ?1",
                    params![id, seen],
                )
                .expect("seen");
            }
        }
        Op::Recategorize { entry, mistake } => {
            if let Some(id) = pick(ids, *entry) {
                c.execute(
                    "UPDATE entries SET category = ?2 WHERE id = ?1",
                    params![id, category(*mistake)],
                )
                .expect("recategorize");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn hot_files_always_equal_the_aggregate_over_mistakes(ops in proptest::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("k.db")).expect("open");
        let c = store.conn();
        let (mut ids, mut n) = (Vec::new(), 0);
        for op in &ops {
            apply(c, &mut ids, &mut n, op);
            prop_assert_eq!(hot_files(c), aggregate(c), "after {:?}", op);
        }
    }
}

#[test]
fn migrating_to_v2_fills_hot_files_and_the_digest_index_from_v1_rows() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("k.db");
    let store = crate::support::db_at_version(&path, 1);
    let c = store.conn();
    c.execute_batch(
        "INSERT INTO sessions (agent, external_id, started_at, updated_at) VALUES ('claude', 's', 1, 1);
         INSERT INTO sources (path, agent, kind, session_id, size, consumed) VALUES ('/l', 'claude', 'jsonl', 1, 1, 1);
         INSERT INTO records (session_id, source_id, offset, part, kind, text) VALUES
           (1, 1, 0, 0, 'prompt', 'make the webhook retry'),
           (1, 1, 1, 0, 'tool_result', 'webhook retry output'),
           (1, 1, 2, 0, 'summary', 'the webhook now retries');
         INSERT INTO records_fts (rowid, text) SELECT id, text FROM records;
         UPDATE meta SET value = '3' WHERE key = 'fts_records_upto';
         INSERT INTO entries (category, title, body, first_seen, last_seen, content_hash, created_at, updated_at)
           VALUES ('mistake', 't', 'b', 0, 7, 'h1', 0, 0), ('pattern', 't', 'b', 0, 9, 'h2', 0, 0);
         INSERT INTO entry_files VALUES (1, 'src/a.rs'), (2, 'src/a.rs'), (2, 'src/b.rs');",
    )
    .expect("v1 rows");
    drop(store);
    let store = Store::open(&path).expect("migrate on open");
    let c = store.conn();
    assert_eq!(hot_files(c), vec![("src/a.rs".to_string(), 1, 7)]);
    let digest: Vec<i64> = c
        .prepare("SELECT rowid FROM digest_fts WHERE digest_fts MATCH 'webhook' ORDER BY rowid")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(digest, vec![1, 3], "prompts and summaries only");
    // Deleting a record takes it out of the digest index too.
    c.execute("DELETE FROM records WHERE id = 1", []).expect("delete");
    let left: i64 = c
        .query_row(
            "SELECT count(*) FROM digest_fts WHERE digest_fts MATCH 'webhook'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(left, 1);
}
