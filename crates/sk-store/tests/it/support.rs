//! Fixture builders: a database at any schema version, with representative rows.

use std::path::Path;

use rusqlite::params;
use sk_store::Store;
use sk_store::migrate::{self, Plan};
use sk_store::migrations::{ALL, Migration};

/// A database at exactly `version`, built by applying the first `version` shipped
/// migrations: the migration rehearsal fixture for that version.
pub fn db_at_version(path: &Path, version: u32) -> Store {
    let store = Store::open_unmigrated(path).expect("open fixture db");
    let pending: Vec<Migration> = ALL.iter().filter(|m| m.version <= version).copied().collect();
    migrate::apply(&store, &Plan { from: 0, pending }).expect("build fixture at version");
    store
}

/// Rows every schema version since v1 can hold; later versions must carry them forward.
pub fn seed_v1(store: &Store) {
    let c = store.conn();
    c.execute(
        "INSERT INTO sessions (agent, external_id, cwd, repo, title, started_at, updated_at)
         VALUES ('copilot', 's-1', '/repo', 'o/r', 'fix auth', 1000, 1000)",
        [],
    )
    .expect("seed session");
    c.execute(
        "INSERT INTO sources (path, agent, kind, session_id, size, consumed) VALUES ('/x/events.jsonl', 'copilot', 'jsonl', 1, 10, 10)",
        [],
    )
    .expect("seed source");
    for (i, text) in ["the auth test failed with a timeout", "raise the timeout to 30s"]
        .iter()
        .enumerate()
    {
        c.execute(
            "INSERT INTO records (session_id, source_id, offset, part, kind, text) VALUES (1, 1, ?1, 0, 'answer', ?2)",
            params![i as i64 * 100, text],
        )
        .expect("seed record");
    }
    // Indexed as a v1 build did (today's `index_pending_text` also fills v2's digest index).
    c.execute_batch(
        "INSERT INTO records_fts (rowid, text) SELECT id, text FROM records ORDER BY id;
         UPDATE meta SET value = (SELECT CAST(max(id) AS TEXT) FROM records) WHERE key = 'fts_records_upto';",
    )
    .expect("index text");
    c.execute(
        "INSERT INTO entries (category, title, body, origin, first_seen, last_seen, content_hash, created_at, updated_at)
         VALUES ('mistake', 'auth test timeout', 'raise the timeout', 'manual', 1, 1, 'h1', 1, 1)",
        [],
    )
    .expect("seed entry");
}

pub fn count(store: &Store, table: &str) -> i64 {
    store
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}
