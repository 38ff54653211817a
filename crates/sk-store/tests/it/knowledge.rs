//! Knowledge links derived from provenance: which entry fixed which mistake.

use sk_core::Category;
use sk_store::Store;
use sk_store::knowledge::{self, Draft, Origin, Seen};

fn draft(category: Category, title: &str, files: &[&str]) -> Draft {
    Draft {
        category,
        title: title.into(),
        body: format!("{title} (body)"),
        tags: Vec::new(),
        files: files.iter().map(|f| f.to_string()).collect(),
        repo: Some("o/r".into()),
        task: None,
        origin: Origin::Extracted,
        confidence: 0.7,
        content_hash: format!("hash of {title}"),
        why: Vec::new(),
        source: None,
    }
}

fn seen(session: &str, event: &str, at: i64) -> Vec<Seen> {
    vec![Seen {
        session_key: format!("claude:{session}"),
        event_id: event.into(),
        seen_at: at,
    }]
}

fn reasons(store: &Store, id: i64) -> Vec<(i64, String)> {
    let entry = knowledge::get(store.conn(), id)
        .expect("query")
        .expect("entry exists");
    knowledge::related(store.conn(), &entry, 10)
        .expect("related")
        .into_iter()
        .map(|r| (r.id, r.reason))
        .collect()
}

#[test]
fn a_later_lesson_on_the_same_file_in_the_same_session_is_a_fix_for_the_mistake() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("k.db")).expect("open");
    let c = store.conn();
    let mistake = knowledge::insert(
        c,
        &draft(Category::Mistake, "cargo test failed in auth", &["src/auth.rs"]),
        &seen("s1", "e1", 100),
    )
    .expect("insert mistake");
    let fix = knowledge::insert(
        c,
        &draft(
            Category::Pattern,
            "always hash tokens before compare",
            &["src/auth.rs"],
        ),
        &seen("s1", "e5", 200),
    )
    .expect("insert pattern");
    // Same file, same session, but recorded before the mistake: not its fix.
    let earlier = knowledge::insert(
        c,
        &draft(Category::Decision, "use argon2 for auth", &["src/auth.rs"]),
        &seen("s1", "e0", 50),
    )
    .expect("insert earlier decision");
    // Later and in the same session, but about another file: unrelated to the mistake.
    let elsewhere = knowledge::insert(
        c,
        &draft(Category::Pattern, "log in json", &["src/log.rs"]),
        &seen("s1", "e9", 300),
    )
    .expect("insert other file");
    // Same file, later, but in another session: only "same file".
    let other_session = knowledge::insert(
        c,
        &draft(Category::Refactor, "split auth module", &["src/auth.rs"]),
        &seen("s2", "e1", 400),
    )
    .expect("insert other session");

    let links = reasons(&store, mistake);
    assert_eq!(
        links[0],
        (fix, "fixed by (same session, src/auth.rs)".to_string()),
        "{links:?}"
    );
    assert!(
        links.contains(&(earlier, "same file src/auth.rs".to_string())),
        "{links:?}"
    );
    assert!(
        links.contains(&(other_session, "same file src/auth.rs".to_string())),
        "{links:?}"
    );
    assert!(!links.iter().any(|(id, _)| *id == elsewhere), "{links:?}");
    assert_eq!(
        links.iter().filter(|(id, _)| *id == fix).count(),
        1,
        "listed once: {links:?}"
    );

    let back = reasons(&store, fix);
    assert_eq!(
        back[0],
        (mistake, "fix for (same session, src/auth.rs)".to_string()),
        "{back:?}"
    );
    let from_earlier = reasons(&store, earlier);
    assert!(
        !from_earlier.iter().any(|(_, r)| r.starts_with("fix for")),
        "a decision made before the mistake did not fix it: {from_earlier:?}"
    );
}

#[test]
fn known_beyond_ignores_what_only_this_session_produced_and_last_seen_under_finds_the_latest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("k.db")).expect("open");
    let c = store.conn();
    let d = draft(Category::Mistake, "cargo build failed", &[]);
    let id = knowledge::insert(c, &d, &seen("s1", "e1", 100)).expect("insert");
    assert!(!knowledge::known_beyond(c, &d.content_hash, "claude:s1").expect("query"));
    assert!(knowledge::known_beyond(c, &d.content_hash, "claude:s2").expect("query"));
    assert!(!knowledge::known_beyond(c, "no such hash", "claude:s2").expect("query"));
    knowledge::add_occurrence(c, id, &d, &seen("s0", "e7", 50)).expect("recurrence");
    assert!(knowledge::known_beyond(c, &d.content_hash, "claude:s1").expect("query"));

    assert_eq!(knowledge::last_seen_under(c, "manual").expect("query"), None);
    let by_hand = |at| {
        vec![Seen {
            session_key: "manual".into(),
            event_id: String::new(),
            seen_at: at,
        }]
    };
    knowledge::insert(c, &draft(Category::Pattern, "one", &[]), &by_hand(300)).expect("insert");
    knowledge::insert(c, &draft(Category::Pattern, "two", &[]), &by_hand(200)).expect("insert");
    assert_eq!(knowledge::last_seen_under(c, "manual").expect("query"), Some(300));
}

#[test]
fn a_rule_lesson_is_found_by_its_whole_cue_line_in_its_category() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("k.db")).expect("open");
    let c = store.conn();
    let mut patch = draft(Category::Mistake, "Re-read a file before patching it", &["a.md"]);
    patch.why = vec![
        "rule:failure-fix".into(),
        "lesson:stale-context:apply_patch".into(),
    ];
    let id = knowledge::insert(c, &patch, &seen("s1", "e1", 100)).expect("insert");
    let mut person = draft(Category::Mistake, "written by hand", &[]);
    person.origin = Origin::Manual;
    person.why = vec!["lesson:stale-context:Edit".into()];
    knowledge::insert(c, &person, &seen("s2", "e2", 100)).expect("insert");

    let find = |category, key: &str| knowledge::find_by_lesson(c, category, key).expect("query");
    assert_eq!(
        find(Category::Mistake, "lesson:stale-context:apply_patch"),
        Some(id)
    );
    // A line that only starts the same, another category, a hand-written entry: no.
    assert_eq!(find(Category::Mistake, "lesson:stale-context:apply"), None);
    assert_eq!(find(Category::Pattern, "lesson:stale-context:apply_patch"), None);
    assert_eq!(find(Category::Mistake, "lesson:stale-context:Edit"), None);
}
