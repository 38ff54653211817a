//! The automatic briefing's scope in SQL: a session belongs to a repository when it ran in
//! its root or below it, never in a sibling folder that shares the prefix; outside a
//! repository only the folder itself counts.

use rusqlite::params;
use sk_store::Store;
use sk_store::brief::session_places;

#[test]
fn sessions_belong_to_a_root_below_it_and_to_a_plain_folder_only_exactly() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("sk.db")).expect("open");
    let c = store.conn();
    for (id, cwd) in [
        ("root", "/w/app"),
        ("below", "/w/app/crates/core"),
        ("sibling", "/w/appx"),
        ("parent", "/w"),
    ] {
        c.execute(
            "INSERT INTO sessions (agent, external_id, cwd, started_at, updated_at) VALUES ('claude', ?1, ?2, 1, 1)",
            params![id, cwd],
        )
        .expect("session");
    }
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM sessions ORDER BY id")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("ids")
        .collect::<Result<_, _>>()
        .expect("rows");
    let under = |root: &str, below: bool| -> Vec<bool> {
        let mut places = session_places(c, &ids, root, below).expect("places");
        places.sort_by_key(|(id, _, _)| *id);
        places.into_iter().map(|(_, under, _)| under).collect()
    };
    // A repository's root: itself and below, not the sibling with the same prefix.
    assert_eq!(under("/w/app", true), vec![true, true, false, false]);
    // A plain folder (the home folder, say) holds every project below it: only sessions
    // that ran in it exactly are its own.
    assert_eq!(under("/w", false), vec![false, false, false, true]);
    assert_eq!(under("/w", true), vec![true, true, true, true]);
}
