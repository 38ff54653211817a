//! Session-record search when a query word is common enough that sk scores the newest
//! window itself instead of FTS5's `bm25()` (`sk_store::search::records`).

use rusqlite::params;
use sk_store::Store;
use sk_store::search::{Filters, Parsed, records};

const RECORDS: i64 = 12_000;

/// `RECORDS` records that all say "retry", of varying length, in two sessions; three of
/// the newest also say "backoff", and one older "jitter".
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("k.db")).expect("open");
    let c = store.conn();
    c.execute_batch(
        "BEGIN;
         INSERT INTO sessions (agent, external_id, started_at, updated_at) VALUES ('claude', 'a', 1, 1), ('copilot', 'b', 1, 1);
         INSERT INTO sources (path, agent, kind, session_id, size, consumed) VALUES ('/a', 'claude', 'jsonl', 1, 1, 1), ('/b', 'copilot', 'jsonl', 2, 1, 1);",
    )
    .expect("sessions");
    for i in 1..=RECORDS {
        let filler = "and some more words about it ".repeat((i % 7) as usize);
        let extra = match i {
            11_990 | 11_995 => " with backoff",
            11_999 => " with backoff and a much longer tail of words that says nothing more at all",
            5_000 => " with jitter",
            _ => "",
        };
        let session = 1 + i % 2;
        c.execute(
            "INSERT INTO records (session_id, source_id, offset, part, kind, text) VALUES (?1, ?1, ?2, 0, 'answer', ?3)",
            params![session, i, format!("retry the request {filler}{extra}")],
        )
        .expect("record");
    }
    c.execute_batch("INSERT INTO records_fts (rowid, text) SELECT id, text FROM records; COMMIT;")
        .expect("index");
    (dir, store)
}

#[test]
fn a_common_word_ranks_its_newest_matches_by_length() {
    let (_d, store) = store();
    let hits = records(
        store.conn(),
        &Parsed::parse("retry "),
        false,
        &Filters::default(),
        10,
    )
    .expect("search");
    assert_eq!(hits.len(), 10);
    // Every record has the word once: the shortest ("retry the request", i % 7 == 0) win.
    for h in &hits {
        assert_eq!(
            h.record_id % 7,
            0,
            "record {} is not among the shortest",
            h.record_id
        );
    }
    assert!(hits.windows(2).all(|w| w[0].bm25 >= w[1].bm25), "best first");
    assert!(hits.iter().all(|h| h.bm25 > 0.0));
}

#[test]
fn any_word_ranks_records_with_more_of_the_words_first() {
    let (_d, store) = store();
    let hits = records(
        store.conn(),
        &Parsed::parse("retry backoff "),
        true,
        &Filters::default(),
        5,
    )
    .expect("search");
    let top: Vec<i64> = hits.iter().take(3).map(|h| h.record_id).collect();
    let mut want = top.clone();
    want.sort_unstable();
    assert_eq!(
        want,
        vec![11_990, 11_995, 11_999],
        "the three with both words lead: {top:?}"
    );
    let words = |id: i64| -> usize {
        let text: String = store
            .conn()
            .query_row("SELECT text FROM records WHERE id = ?1", [id], |r| r.get(0))
            .expect("text");
        text.split_whitespace().count()
    };
    assert!(
        words(top[0]) <= words(top[1]) && words(top[1]) <= words(top[2]),
        "shorter first: {top:?}"
    );
    assert!(hits[2].bm25 > hits[3].bm25);
}

#[test]
fn every_word_still_requires_every_word_and_filters_still_apply() {
    let (_d, store) = store();
    let both = records(
        store.conn(),
        &Parsed::parse("retry jitter "),
        false,
        &Filters::default(),
        10,
    )
    .expect("search");
    assert_eq!(both.iter().map(|h| h.record_id).collect::<Vec<_>>(), vec![5_000]);
    let copilot = Filters {
        agent: Some("copilot".into()),
        ..Filters::default()
    };
    let hits = records(store.conn(), &Parsed::parse("retry "), false, &copilot, 20).expect("search");
    assert_eq!(hits.len(), 20);
    assert!(
        hits.iter()
            .all(|h| h.agent == "copilot" && h.session == "copilot:b")
    );
}

#[test]
fn rare_words_keep_fts5_bm25() {
    let (_d, store) = store();
    let hits = records(
        store.conn(),
        &Parsed::parse("backoff "),
        false,
        &Filters::default(),
        10,
    )
    .expect("search");
    let exact: Vec<(i64, f64)> = store
        .conn()
        .prepare("SELECT rowid, -bm25(records_fts) FROM records_fts WHERE records_fts MATCH 'backoff' ORDER BY bm25(records_fts), rowid")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let got: Vec<(i64, f64)> = hits.iter().map(|h| (h.record_id, h.bm25)).collect();
    assert_eq!(got, exact);
}
