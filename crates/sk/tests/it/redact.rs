//! Stored text scanned again: a database whose text was stored by an older detector set
//! (simulated: a secret put back into a stored record, the version set to 1) is scrubbed by
//! `sk index` on its own, with the full-text index agreeing with the records afterwards;
//! `sk redact --scan` reports without writing and `--apply` rewrites.

use sk_test::TestEnv;

/// A secret the first detector set missed (a name with more after `SECRET`), assembled at
/// run time so that this file holds no literal a scanner would flag.
fn planted() -> String {
    format!("ACME_ORG_{}_KEY={}", "SECRET", "4be1c0d9".repeat(8))
}

/// Puts `text` into the first prompt of the database, keeping both full-text indexes in
/// step, and marks the stored text as scanned by detector set 1.
fn store_as_an_older_sk_would(env: &TestEnv, text: &str) -> i64 {
    let c = rusqlite::Connection::open(env.db()).expect("open");
    let (id, old): (i64, String) = c
        .query_row(
            "SELECT id, text FROM records WHERE kind = 'prompt' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a prompt");
    let new = format!("{old}\n{text}");
    c.execute_batch("BEGIN").expect("begin");
    for table in ["records_fts", "digest_fts"] {
        c.execute(
            &format!("INSERT INTO {table} ({table}, rowid, text) VALUES ('delete', ?1, ?2)"),
            rusqlite::params![id, old],
        )
        .expect("fts delete");
    }
    c.execute(
        "UPDATE records SET text = ?2 WHERE id = ?1",
        rusqlite::params![id, new],
    )
    .expect("update");
    for table in ["records_fts", "digest_fts"] {
        c.execute(
            &format!("INSERT INTO {table} (rowid, text) VALUES (?1, ?2)"),
            rusqlite::params![id, new],
        )
        .expect("fts insert");
    }
    c.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('redaction_version', '1')",
        [],
    )
    .expect("version");
    c.execute_batch("COMMIT").expect("commit");
    id
}

/// FTS5's own check of `records_fts` against the records. (`digest_fts` indexes only some
/// records of the same table, which its check cannot tell from damage; the query below
/// covers it.)
fn fts_agrees(env: &TestEnv) {
    let c = rusqlite::Connection::open(env.db()).expect("open");
    c.execute(
        "INSERT INTO records_fts (records_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .unwrap_or_else(|e| panic!("records_fts disagrees with records: {e}"));
}

fn stored_anywhere(env: &TestEnv, needle: &str) -> bool {
    env.sk().arg("migrate").assert().success();
    let c = rusqlite::Connection::open(env.db()).expect("open");
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    drop(c);
    let bytes = std::fs::read(env.db()).expect("read db");
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn an_older_database_is_scrubbed_by_the_next_index_run() {
    let env = TestEnv::new();
    env.seed_corpus(
        "claude/convo.jsonl",
        ".claude/projects/-tmp-demo/89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl",
    );
    env.sk().arg("index").assert().success();
    let secret = planted();
    let value = "4be1c0d9".repeat(8);
    let id = store_as_an_older_sk_would(&env, &secret);
    fts_agrees(&env);

    // Report only: found, nothing changed.
    let scan = env.json(&["redact", "--scan", "--json"]);
    assert_eq!(scan["records"], 1, "{scan}");
    assert_eq!(scan["applied"], false);
    assert!(
        scan["by_kind"]["secret-assignment"]
            .as_u64()
            .is_some_and(|n| n >= 1),
        "{scan}"
    );
    let c = rusqlite::Connection::open(env.db()).expect("open");
    let before: i64 = c
        .query_row(
            "SELECT count(*) FROM records_fts WHERE records_fts MATCH ?1",
            [format!("\"{value}\"")],
            |r| r.get(0),
        )
        .expect("match");
    assert_eq!(before, 1, "the planted value is indexed before the scrub");
    drop(c);

    // The next index run scrubs by itself, and says so.
    let out = env.stdout(&["index"]);
    assert!(out.contains("that an older sk had stored"), "{out}");
    let c = rusqlite::Connection::open(env.db()).expect("open");
    let text: String = c
        .query_row("SELECT text FROM records WHERE id = ?1", [id], |r| r.get(0))
        .expect("row");
    assert!(!text.contains(&value) && text.contains("[REDACTED:"), "{text}");
    let version: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'redaction_version'",
            [],
            |r| r.get(0),
        )
        .expect("version");
    assert_eq!(version, sk_ingest::redact::DETECTORS_VERSION.to_string());
    drop(c);
    fts_agrees(&env);
    let found = env.json(&["query", "--json", "--kind", "session", "--", &value]);
    assert_eq!(found["hits"].as_array().map(Vec::len), Some(0), "{found}");
    let c = rusqlite::Connection::open(env.db()).expect("open");
    for table in ["records_fts", "digest_fts"] {
        let n: i64 = c
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE {table} MATCH ?1"),
                [format!("\"{value}\"")],
                |r| r.get(0),
            )
            .expect("match");
        assert_eq!(n, 0, "{table} still finds the value");
    }
    drop(c);
    assert!(
        !stored_anywhere(&env, &value),
        "the value is still in the database file"
    );

    // Nothing left: a scan finds nothing, and applying changes nothing.
    let again = env.json(&["redact", "--apply", "--json"]);
    assert_eq!(again["secrets"], 0, "{again}");
}
