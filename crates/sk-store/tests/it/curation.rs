//! Schema v6 curation in the store: forgetting leaves a tombstone that recognises the same
//! knowledge again, ids of forgotten entries are never reused, edited entries outlive
//! their provenance, and a v5 database gains all of it by migrating.

use sk_core::Category;
use sk_store::Store;
use sk_store::curation::{self, Edit, Evidence, Tombstone};
use sk_store::knowledge::{self, Draft, Origin, Seen};

use crate::support::{count, db_at_version, seed_v1};

fn draft(category: Category, title: &str, hash: &str) -> Draft {
    Draft {
        category,
        title: title.into(),
        body: format!("{title} (body)"),
        tags: Vec::new(),
        files: vec!["src/auth.rs".into()],
        repo: Some("o/r".into()),
        task: None,
        origin: Origin::Extracted,
        confidence: 0.7,
        content_hash: hash.into(),
        why: Vec::new(),
        source: None,
    }
}

fn seen(session: &str, event: &str) -> Seen {
    Seen {
        session_key: format!("claude:{session}"),
        event_id: event.into(),
        seen_at: 100,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("k.db")).expect("open");
    (dir, store)
}

#[test]
fn a_forgotten_entry_leaves_a_tombstone_that_recognises_it_again() {
    let (_dir, store) = store();
    let c = store.conn();
    let id = knowledge::insert(
        c,
        &draft(Category::Mistake, "auth test timed out", "h-auth"),
        &[seen("s1", "e1"), seen("s2", "e7")],
    )
    .expect("insert");
    // A provenance row without an event (as `sk learn` writes) is not evidence.
    knowledge::add_occurrence(
        c,
        id,
        &draft(Category::Mistake, "auth test timed out", "h-auth"),
        &[seen("s3", "")],
    )
    .expect("merge");
    assert_eq!(count(&store, "hot_files"), 1);

    let t = curation::forget(c, id, Some("wrong lesson"), 500)
        .expect("forget")
        .expect("entry existed");
    assert_eq!(t.content_hash, "h-auth");
    assert_eq!(
        t.evidence,
        vec![
            Evidence {
                session_key: "claude:s1".into(),
                event_id: "e1".into()
            },
            Evidence {
                session_key: "claude:s2".into(),
                event_id: "e7".into()
            },
        ]
    );
    assert!(knowledge::get(c, id).expect("get").is_none(), "the row is gone");
    assert_eq!(count(&store, "entry_sources"), 0, "provenance cascades");
    assert_eq!(count(&store, "hot_files"), 0, "the mistake no longer counts");
    let shown = curation::forgotten_entry(c, id)
        .expect("read")
        .expect("tombstone by id");
    assert_eq!(
        (shown.forgotten_at, shown.reason.as_deref()),
        (500, Some("wrong lesson"))
    );
    assert!(curation::forget(c, id, None, 600).expect("again").is_none());

    // The same hash, or the same category from the same event, is the same knowledge.
    let any = |category, hash: &str, s: Seen| curation::suppresses(c, category, hash, &[s]).expect("lookup");
    assert!(any(Category::Mistake, "h-auth", seen("s9", "e9")));
    assert!(any(Category::Mistake, "h-other", seen("s2", "e7")));
    assert!(
        !any(Category::Pattern, "h-other", seen("s2", "e7")),
        "another category from that event"
    );
    assert!(
        !any(Category::Mistake, "h-other", seen("s3", "")),
        "an event-less row matches nothing"
    );
    assert!(!any(Category::Mistake, "h-other", seen("s1", "e2")));

    // A new entry never takes the forgotten id, even though it was the largest.
    let next = knowledge::insert(
        c,
        &draft(Category::Pattern, "hash tokens", "h-new"),
        &[seen("s4", "e1")],
    )
    .expect("insert");
    assert!(next > id, "{next} reuses {id}");

    // A person recording it again lifts the tombstone.
    assert!(curation::lift(c, "h-auth").expect("lift"));
    assert_eq!(count(&store, "forgotten_evidence"), 0, "evidence goes with it");
    assert!(!curation::any(c).expect("any"));
    curation::forget(c, next, None, 700)
        .expect("forget")
        .expect("existed");
    curation::lift(c, "h-new").expect("lift");
    let again = knowledge::insert(
        c,
        &draft(Category::Pattern, "hash tokens", "h-new"),
        &[seen("s4", "e1")],
    )
    .expect("insert");
    assert!(again > next, "a lifted tombstone still keeps its id: {again}");
}

#[test]
fn an_imported_tombstone_finds_the_entries_it_stands_for() {
    let (_dir, store) = store();
    let c = store.conn();
    let same_hash =
        knowledge::insert(c, &draft(Category::Mistake, "a", "h-a"), &[seen("s1", "e1")]).expect("a");
    let same_event =
        knowledge::insert(c, &draft(Category::Mistake, "b", "h-b"), &[seen("s2", "e2")]).expect("b");
    let other_kind =
        knowledge::insert(c, &draft(Category::Decision, "c", "h-c"), &[seen("s2", "e2")]).expect("c");
    // A sibling drawn from the same event that was also seen elsewhere is a lesson of its
    // own: the tombstone does not stand for it.
    let sibling = knowledge::insert(
        c,
        &draft(Category::Mistake, "d", "h-d"),
        &[seen("s2", "e2"), seen("s3", "e3")],
    )
    .expect("d");
    let t = Tombstone {
        content_hash: "h-a".into(),
        category: Category::Mistake,
        forgotten_at: 42,
        reason: None,
        evidence: vec![Evidence {
            session_key: "claude:s2".into(),
            event_id: "e2".into(),
        }],
    };
    assert!(curation::add_tombstone(c, &t, None).expect("add"));
    assert!(
        !curation::add_tombstone(c, &t, None).expect("again"),
        "one tombstone per hash"
    );
    assert_eq!(
        curation::matching_entries(c, &t).expect("match"),
        vec![same_hash, same_event]
    );
    assert!(knowledge::exists(c, other_kind).expect("exists"));
    assert!(knowledge::exists(c, sibling).expect("exists"));
    assert_eq!(curation::tombstones(c).expect("list"), vec![t]);
}

#[test]
fn an_edited_entry_outlives_its_provenance_and_keeps_the_newer_edit() {
    let (_dir, store) = store();
    let c = store.conn();
    let kept = knowledge::insert(
        c,
        &draft(Category::Mistake, "flaky test", "h-1"),
        &[seen("s1", "e1")],
    )
    .expect("1");
    let dropped =
        knowledge::insert(c, &draft(Category::Mistake, "other", "h-2"), &[seen("s1", "e2")]).expect("2");
    let text = |title: &str| Edit {
        category: Category::Pattern,
        title: title.into(),
        body: "b".into(),
    };
    assert!(curation::edit(c, kept, &text("Retry the flaky test once"), 1_000).expect("edit"));
    let removed = knowledge::drop_provenance(c, "claude:s1", &[(kept, "e1".into()), (dropped, "e2".into())])
        .expect("drop");
    assert_eq!(removed, 1, "only the unedited entry goes");
    let e = knowledge::get(c, kept).expect("get").expect("kept");
    assert_eq!(
        (e.title.as_str(), e.category, e.edited_at),
        ("Retry the flaky test once", Category::Pattern, Some(1_000))
    );
    assert_eq!(
        e.content_hash, "h-1",
        "the hash still names what extraction finds"
    );

    assert!(!curation::adopt_edit(c, kept, &text("older"), 900).expect("older"));
    assert!(curation::adopt_edit(c, kept, &text("newer"), 1_100).expect("newer"));
    assert_eq!(
        knowledge::get(c, kept).expect("get").expect("kept").title,
        "newer"
    );

    assert_eq!(curation::set_pinned(c, kept, true).expect("pin"), Some(false));
    assert_eq!(curation::set_pinned(c, kept, true).expect("pin"), Some(true));
    assert!(knowledge::get(c, kept).expect("get").expect("kept").pinned);
    assert_eq!(curation::set_pinned(c, 999, true).expect("pin"), None);
}

#[test]
fn a_v5_database_migrates_to_the_latest_and_can_be_curated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("knowledge.db");
    let store = db_at_version(&path, 5);
    seed_v1(&store);
    drop(store);
    let store = Store::open(&path).expect("migrates");
    assert_eq!(store.schema_version().expect("version"), sk_store::SCHEMA_VERSION);
    let c = store.conn();
    let entry = knowledge::get(c, 1).expect("get").expect("seeded entry");
    assert_eq!(
        (entry.title.as_str(), entry.pinned, entry.edited_at, entry.source),
        ("auth test timeout", false, None, None)
    );
    assert_eq!(curation::set_pinned(c, 1, true).expect("pin"), Some(false));
    curation::forget(c, 1, None, 7).expect("forget").expect("existed");
    assert_eq!(count(&store, "entries"), 0);
    assert_eq!(count(&store, "forgotten"), 1);
}

#[test]
fn only_a_person_recording_knowledge_again_outlives_an_older_tombstone() {
    let (_dir, store) = store();
    let c = store.conn();
    let forgotten_at = sk_core::time::now_ms() - 60_000;
    knowledge::insert(
        c,
        &draft(Category::Mistake, "re-extracted", "h-x"),
        &[seen("s1", "e1")],
    )
    .expect("x");
    let mut relearned = draft(Category::Mistake, "learned again", "h-m");
    relearned.origin = Origin::Manual;
    knowledge::insert(c, &relearned, &[]).expect("m");
    // Extraction re-creating forgotten knowledge is not a decision; `sk learn` is.
    assert!(!curation::recorded_since(c, "h-x", forgotten_at).expect("x"));
    assert!(curation::recorded_since(c, "h-m", forgotten_at).expect("m"));
    assert!(!curation::recorded_since(c, "h-m", sk_core::time::now_ms() + 60_000).expect("later"));
}
