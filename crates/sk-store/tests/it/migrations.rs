//! Migrations: the rehearsal from every shipped version, failure atomicity, refusing a
//! newer database, detecting an edited migration.

use sk_store::migrate::{self, Plan};
use sk_store::migrations::{ALL, Migration};
use sk_store::{SCHEMA_VERSION, Store, StoreError};

use crate::support::{count, db_at_version, seed_v1};

#[test]
fn rehearsal_from_every_shipped_version_reaches_latest_and_keeps_data() {
    for from in 0..=SCHEMA_VERSION {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("knowledge.db");
        let store = db_at_version(&path, from);
        if from >= 1 {
            seed_v1(&store);
        }
        drop(store);
        let store = Store::open(&path).expect("open migrates");
        assert_eq!(
            store.schema_version().expect("version"),
            SCHEMA_VERSION,
            "from v{from}"
        );
        if from >= 1 {
            assert_eq!(count(&store, "records"), 2, "records survive from v{from}");
            assert_eq!(
                count(&store, "entries"),
                1,
                "manual knowledge survives from v{from}"
            );
            let hits: i64 = store
                .conn()
                .query_row(
                    "SELECT count(*) FROM records_fts WHERE records_fts MATCH 'timeout'",
                    [],
                    |r| r.get(0),
                )
                .expect("fts query");
            assert_eq!(hits, 2, "full-text index survives from v{from}");
            // v6: the entry is neither pinned nor edited, and no person or agent is named.
            let curated: (bool, Option<i64>, Option<String>) = store
                .conn()
                .query_row("SELECT pinned, edited_at, source FROM entries", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .expect("v6 columns");
            assert_eq!(curated, (false, None, None), "from v{from}");
            assert_eq!(count(&store, "forgotten"), 0, "from v{from}");
        }
        let again = store.migrate().expect("second migrate");
        assert_eq!(again.applied, 0, "idempotent from v{from}");
    }
}

#[test]
fn a_failing_migration_rolls_back_completely_and_is_not_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, SCHEMA_VERSION);
    seed_v1(&store);
    let broken = Migration {
        version: SCHEMA_VERSION + 1,
        name: "half_done",
        // The first statement succeeds, the second fails: nothing of it may remain.
        sql: "CREATE TABLE half (x INTEGER); DELETE FROM records; INSERT INTO no_such_table VALUES (1);",
    };
    let err = migrate::apply(
        &store,
        &Plan {
            from: SCHEMA_VERSION,
            pending: vec![broken],
        },
    )
    .expect_err("must fail");
    assert!(
        matches!(err, StoreError::MigrationFailed { version, .. } if version == SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("unchanged"), "{err}");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(count(&store, "records"), 2, "the DELETE was rolled back");
    let half: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'half'",
            [],
            |r| r.get(0),
        )
        .expect("schema query");
    assert_eq!(half, 0, "the CREATE was rolled back");
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
}

#[test]
fn a_database_newer_than_the_binary_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, SCHEMA_VERSION);
    store
        .conn()
        .execute(
            "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (?1, 'future', 'x', 0)",
            [SCHEMA_VERSION + 1],
        )
        .expect("fake a future version");
    drop(store);
    let before = std::fs::read(&path).expect("read db");
    let err = Store::open(&path).expect_err("too new");
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    assert!(err.to_string().contains("upgrade sk"), "{err}");
    assert_eq!(
        std::fs::read(&path).expect("read db"),
        before,
        "refusal changes nothing"
    );
}

#[test]
fn an_edited_shipped_migration_is_detected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, SCHEMA_VERSION);
    store
        .conn()
        .execute(
            "UPDATE schema_version SET checksum = 'deadbeef' WHERE version = 1",
            [],
        )
        .expect("tamper");
    let err = migrate::plan(&path, &migrate::applied(&store).expect("applied"), ALL)
        .expect_err("checksum mismatch");
    assert!(
        matches!(err, StoreError::MigrationChanged { version: 1, .. }),
        "{err}"
    );
}

#[test]
fn migrating_a_populated_database_takes_a_verified_backup_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, SCHEMA_VERSION);
    seed_v1(&store);
    let next = Migration {
        version: SCHEMA_VERSION + 1,
        name: "add_column",
        sql: "ALTER TABLE entries ADD COLUMN x TEXT;",
    };
    let outcome = migrate::apply(
        &store,
        &Plan {
            from: SCHEMA_VERSION,
            pending: vec![next],
        },
    )
    .expect("applies");
    let backup = outcome.backup.expect("backup taken");
    let name = backup.file_name().expect("name").to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("knowledge.db.backup-v{SCHEMA_VERSION}-")),
        "{name}"
    );
    let copy = Store::open_readonly(&backup).expect("backup opens");
    assert_eq!(count(&copy, "records"), 2);
    assert_eq!(
        copy.schema_version().expect("version"),
        SCHEMA_VERSION,
        "backup is the pre-migration state"
    );
}

#[test]
fn v7_counts_prompts_calls_and_failures_of_sessions_from_v6() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, 6);
    seed_v1(&store);
    // Two prompts, three calls, one failed and one successful result, one result of
    // unknown outcome: the counts `sk sessions` always showed.
    for (i, (kind, success)) in [
        ("prompt", None),
        ("tool_call", None),
        ("tool_result", Some(0)),
        ("tool_call", None),
        ("tool_result", Some(1)),
        ("tool_call", None),
        ("tool_result", None),
        ("prompt", None),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .conn()
            .execute(
                "INSERT INTO records (session_id, source_id, offset, part, kind, success, text)
                 VALUES (1, 1, ?1, 0, ?2, ?3, 'x')",
                rusqlite::params![1000 + i as i64, kind, success],
            )
            .expect("seed record");
    }
    drop(store);
    let store = Store::open(&path).expect("open migrates");
    let c = store.conn();
    assert_eq!(
        sk_store::session_docs::pending_count(c).expect("pending"),
        1,
        "every session is queued"
    );
    sk_store::session_docs::drain(c, &mut |_, _| {}).expect("drain");
    let counts: (i64, i64, i64) = c
        .query_row(
            "SELECT prompts, tool_calls, failures FROM session_docs WHERE session_id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("v7 columns");
    assert_eq!(counts, (2, 3, 1));
}

#[test]
fn v9_queues_the_sightings_of_a_database_that_already_syncs_and_keeps_the_seq_counter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, 8);
    seed_v1(&store);
    let c = store.conn();
    c.execute(
        "UPDATE sync_state SET enabled = 1, replica_id = 'r-1', team = 't', last_hlc = 1",
        [],
    )
    .expect("sync on");
    // An entry seen in the seeded session; one pushed change, so the counter is past 0.
    c.execute_batch(
        "INSERT INTO entry_sources (entry_id, session_key, event_id, seen_at) SELECT id, 'copilot:s-1', 'e1', 1500 FROM entries;
         INSERT INTO entry_sources (entry_id, session_key, event_id, seen_at) SELECT id, 'manual', '', 1500 FROM entries;
         UPDATE entries SET title = title || ' (edited)';",
    )
    .expect("seed a sighting and a change");
    let made: i64 = c
        .query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))
        .expect("seq");
    c.execute("DELETE FROM outbox", []).expect("pushed");
    c.execute("UPDATE sync_state SET pushed_through = ?1", [made])
        .expect("position");
    drop(store);
    let store = Store::open(&path).expect("open migrates");
    let rows = sk_store::sync::pending(store.conn(), 10).expect("pending");
    // The sighting of a session goes (a manual one stays), under the remote's names, with
    // a seq after every one handed out before.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].entity.as_str(), rows[0].op.as_str()),
        ("entry", "occurrence")
    );
    assert!(rows[0].payload.contains("copilot:s-1"), "{rows:?}");
    assert!(rows[0].seq > made, "seq {} after {made}", rows[0].seq);
}

#[test]
fn v9_reads_the_remote_again_since_v8_set_sightings_and_sessions_aside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, 8);
    store
        .conn()
        .execute(
            "UPDATE sync_state SET enabled = 1, replica_id = 'r-1', team = 't', last_xid = '812', last_id = 40",
            [],
        )
        .expect("sync on, a cursor past changes v8 did not understand");
    drop(store);
    let store = Store::open(&path).expect("open migrates");
    let cursor: (String, i64) = store
        .conn()
        .query_row("SELECT last_xid, last_id FROM sync_state", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("cursor");
    assert_eq!(cursor, ("0".to_string(), 0));
}

/// v10: a session whose prompts are Chinese gets a second document, with the bigrams of its
/// CJK text, in `session_cjk`; an English session gets none. Every session is queued for
/// its documents again, and a Chinese word inside a sentence then finds its session.
#[test]
fn v10_indexes_the_cjk_text_of_existing_sessions_as_bigrams() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, 9);
    seed_v1(&store);
    let c = store.conn();
    c.execute_batch(
        "INSERT INTO sessions (agent, external_id, cwd, started_at, updated_at)
             VALUES ('codex', 's-2', '/home/u/feishu', 2000, 2000);
         INSERT INTO records (session_id, source_id, offset, part, kind, text)
             VALUES (2, 1, 500, 0, 'prompt', '查看日志，告诉我为什么生成飞书文档这件事情重复了那么多次');",
    )
    .expect("seed a Chinese session");
    drop(store);

    let store = Store::open(&path).expect("open migrates");
    let c = store.conn();
    assert_eq!(store.schema_version().expect("version"), 10);
    assert_eq!(
        sk_store::session_docs::pending_count(c).expect("pending"),
        2,
        "every session is queued"
    );
    sk_store::session_docs::drain(c, &mut |_, _| {}).expect("drain");
    let cjk_rows: i64 = c
        .query_row("SELECT count(*) FROM session_cjk", [], |r| r.get(0))
        .expect("count");
    assert_eq!(cjk_rows, 1, "only the session with CJK text has a CJK document");
    let ranked = |q: &str| -> Vec<i64> {
        let fts = sk_store::search::Parsed::parse(q)
            .for_sessions()
            .to_fts(false)
            .expect("query");
        let index = sk_store::search::sessions::SessionIndex::for_fts(&fts);
        let w = sk_store::search::sessions::ColumnWeights {
            title: 1.0,
            asked: 1.0,
            said: 1.0,
            did: 1.0,
            saw: 1.0,
        };
        sk_store::search::sessions::sessions(c, index, &fts, &Default::default(), &w, 10)
            .expect("search")
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(ranked("重复"), [2], "a word inside the sentence");
    assert_eq!(ranked("飞书文档"), [2]);
    assert_eq!(ranked("timeout"), [1], "English queries keep their index");
    assert!(ranked("复重").is_empty(), "the same characters in another order");

    // Deleting the session removes its CJK document too.
    c.execute("DELETE FROM sessions WHERE id = 2", [])
        .expect("delete");
    assert!(ranked("重复").is_empty());
}
