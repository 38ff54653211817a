//! Any text is a safe query: whatever a person types or pastes — quotes, dashes, stars,
//! CJK runs glued to Latin letters, halfwidth kana, emoji — the session query built from it
//! is valid FTS5 in both session indexes, and the CJK document built from any text is
//! accepted by the index. (A syntax error would reach the user as a failed search.)

use proptest::prelude::*;
use sk_store::Store;
use sk_store::search::Parsed;
use sk_store::search::sessions::SessionIndex;
use sk_store::search::words::with_bigrams;

/// Characters people type, weighted towards what breaks parsers.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "重复",
        "飞书文档",
        "번호를",
        "ｿｺﾝ",
        "ﾊﾟ",
        "API接口",
        "橘",
        "サンプル",
        "𠀋",
        "😀",
        "e\u{301}",
        "timeout",
        "cargo",
        " ",
        " ",
        "\"",
        "-",
        "*",
        "(",
        ")",
        ":",
        "^",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "'",
        "_",
        ".",
        "\t",
        "\n",
        "，",
        "。",
        "\u{0}",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_session_query_is_valid_fts5_in_both_indexes(q in text(), doc in text()) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("k.db")).expect("open");
        let c = store.conn();
        c.execute(
            "INSERT INTO session_fts (rowid, title, asked, said, did, saw) VALUES (1, ?1, '', '', '', '')",
            [&doc],
        )
        .expect("session document");
        if let Some(cjk) = with_bigrams(&doc) {
            prop_assert!(cjk.starts_with(&doc));
            c.execute(
                "INSERT INTO session_cjk (rowid, title, asked, said, did, saw) VALUES (1, ?1, '', '', '', '')",
                [&cjk],
            )
            .expect("CJK document");
        }
        let parsed = Parsed::parse(&q).for_sessions();
        for any in [false, true] {
            let Some(fts) = parsed.to_fts(any) else { continue };
            for index in [SessionIndex::for_query(&parsed), SessionIndex::Words, SessionIndex::Cjk] {
                let t = index.table();
                let run: Result<i64, _> = c.query_row(
                    &format!("SELECT count(*) FROM {t} WHERE {t} MATCH ?1"),
                    [&fts],
                    |r| r.get(0),
                );
                prop_assert!(run.is_ok(), "{q:?} → {fts:?} in {t}: {run:?}");
            }
        }
        if let Some(brief) = sk_store::search::words::session_fts_query(&q, true) {
            let t = SessionIndex::for_fts(&brief).table();
            let run: Result<i64, _> =
                c.query_row(&format!("SELECT count(*) FROM {t} WHERE {t} MATCH ?1"), [&brief], |r| r.get(0));
            prop_assert!(run.is_ok(), "{q:?} → {brief:?} in {t}: {run:?}");
        }
    }
}

/// How many CJK documents hold a word is counted like in the index of words: among the
/// newest `sample` documents, scaled to all of them.
#[test]
fn cjk_document_counts_sample_the_newest_documents() {
    use sk_store::search::sessions::document_counts;
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("k.db")).expect("open");
    let c = store.conn();
    for (id, text) in [(1, "这件事情重复了"), (2, "生成飞书文档"), (3, "不要重复")] {
        let doc = with_bigrams(text).expect("CJK text");
        c.execute(
            "INSERT INTO session_cjk (rowid, title, asked, said, did, saw) VALUES (?1, ?2, '', '', '', '')",
            rusqlite::params![id, doc],
        )
        .expect("insert");
    }
    let word = Parsed::parse("重复").for_sessions().to_fts(false).expect("query");
    let terms = [word];
    assert_eq!(
        document_counts(c, SessionIndex::Cjk, &terms, 10).expect("all"),
        (vec![2], 3)
    );
    // The newest two documents hold it once: scaled to three, one.
    assert_eq!(
        document_counts(c, SessionIndex::Cjk, &terms, 2).expect("sampled"),
        (vec![1], 3)
    );
}

/// A query is ranked in the CJK index only when it asks for a CJK word: excluding one
/// keeps an English question in the index of words.
#[test]
fn only_a_cjk_word_asked_for_sends_a_query_to_the_cjk_index() {
    let index = |q: &str| SessionIndex::for_query(&Parsed::parse(q).for_sessions());
    assert_eq!(index("timeout retry"), SessionIndex::Words);
    assert_eq!(index("timeout -日志"), SessionIndex::Words);
    assert_eq!(index("timeout -\"重复 export\""), SessionIndex::Words);
    assert_eq!(index("重复"), SessionIndex::Cjk);
    assert_eq!(index("timeout 重复"), SessionIndex::Cjk);
    assert_eq!(index("\"飞书 webhook\""), SessionIndex::Cjk);
}
