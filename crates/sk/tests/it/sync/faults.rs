//! Faults: a push repeated after a crash, killed (kill -9) or dropped by the server;
//! a change too large for the remote; the pull's plan.

use sk_test::TestEnv;

use super::*;
use crate::knowledge::{json_of, sk, stdout};

#[test]
fn a_push_repeated_after_a_crash_duplicates_nothing() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn(
        &a,
        "Migrations are append-only",
        "A shipped migration never changes.",
    );
    learn(
        &a,
        "Quote role names as identifiers",
        "Never build SQL from user text.",
    );
    learn(&a, "Hooks fail open", "A broken rule must not stop the agent.");
    // The database as it was before the push: as if sk died after the remote committed
    // and before it recorded pushed_through.
    let copy = a.home().join("before-push.db");
    rusqlite::Connection::open(a.db())
        .expect("open")
        .execute("VACUUM INTO ?1", [copy.to_str().expect("utf8 path")])
        .expect("copy the database");
    let first = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(
        (first["pushed"].as_u64(), first["pushed_new"].as_u64()),
        (Some(3), Some(3))
    );
    std::fs::copy(&copy, a.db()).expect("put the old database back");
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sk_core::paths::sidecar(&a.db(), side));
    }
    let status = json_of(sk(&a).args(["sync", "status", "--json"]));
    assert_eq!(status["pending"], 3, "{status}");
    let again = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(
        (again["pushed"].as_u64(), again["pushed_new"].as_u64()),
        (Some(3), Some(0)),
        "{again}"
    );
    assert_eq!(again["rekeyed"], false, "{again}");
    assert_eq!(pg.changes(), 3, "no duplicate on the remote");
    let status = json_of(sk(&a).args(["sync", "status", "--json"]));
    assert_eq!(status["pending"], 0, "{status}");
}

/// Starts `sk sync push` stopping at the fault point `point`, and waits until it is there.
pub(super) fn push_stopped_at(env: &TestEnv, point: &str) -> std::process::Child {
    let mut child = env
        .process(sk_test::sk_bin())
        .args(["sync", "push"])
        .env("SK_SYNC_TEST_FAULT", point)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sk sync push");
    let lines = sk_test::lines(child.stderr.take().expect("stderr"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(&format!("stopped at {point}")) => return child,
            Ok(_) => {}
            Err(e) => panic!("sk sync push never reached {point}: {e}"),
        }
    }
}

fn learn_three(env: &TestEnv) {
    learn(
        env,
        "Migrations are append-only",
        "A shipped migration never changes.",
    );
    learn(
        env,
        "Quote role names as identifiers",
        "Never build SQL from user text.",
    );
    learn(env, "Hooks fail open", "A broken rule must not stop the agent.");
}

#[test]
fn a_push_killed_after_the_remote_committed_loses_and_duplicates_nothing() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn_three(&a);
    let mut child = push_stopped_at(&a, "push-after-commit");
    // kill -9: the remote has the batch, this database never recorded it.
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert_eq!(pg.changes(), 3);
    let status = json_of(sk(&a).args(["sync", "status", "--json"]));
    assert_eq!(status["pending"], 3, "{status}");
    let again = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(
        (again["pushed"].as_u64(), again["pushed_new"].as_u64()),
        (Some(3), Some(0)),
        "{again}"
    );
    assert_eq!(pg.changes(), 3, "no duplicate");
    let b = replica(&pg.url(&alice), "team-a", "b");
    pg.sync(&b);
    assert_eq!(knowledge(&a), knowledge(&b), "nothing lost");
}

#[test]
fn a_push_whose_connection_the_server_drops_loses_and_duplicates_nothing() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn_three(&a);
    let child = push_stopped_at(&a, "push-before-commit");
    let dropped: i64 = pg
        .admin()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE usename = $1 AND application_name = 'sk sync'",
            &[&alice],
        )
        .expect("terminate")
        .get(0);
    assert_eq!(dropped, 1);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1), "the push failed");
    assert_eq!(pg.changes(), 0, "the dropped batch left nothing");
    let status = json_of(sk(&a).args(["sync", "status", "--json"]));
    assert_eq!(status["pending"], 3, "{status}");
    assert!(status["last_error"].as_str().is_some(), "{status}");
    let again = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(again["pushed_new"], 3, "{again}");
    let third = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(third["pushed"], 0, "{third}");
    assert_eq!(pg.changes(), 3);
}

/// Regression: the pull once ordered by its output column `xid`, which is text, so a
/// cursor crossing a power of ten ("999" → "1000") could skip rows, and every batch sorted
/// all rows after the cursor. It must walk the (team, xid, id) index in xid order, also
/// right after a bulk push when the table has no statistics.
#[test]
fn the_pull_walks_the_cursor_index_in_xid_order() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn_three(&a);
    pg.sync(&a);
    let mut client = pg.connect_as(&alice);
    let mut tx = client.transaction().expect("begin");
    tx.batch_execute(sk_sync::remote::PULL_PLAN)
        .expect("plan settings");
    let plan: Vec<String> = tx
        .query(
            &format!("EXPLAIN (VERBOSE) {}", sk_sync::remote::PULL_SQL),
            &[&"team-a", &"0", &0i64, &1000i64],
        )
        .expect("explain")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("Index Scan using changes_pull"), "{plan}");
    assert!(!plan.contains("Sort Key"), "{plan}");
}

/// The remote refuses a payload over 1 MiB; such a change stays local (counted) instead
/// of failing its batch on every sync.
#[test]
fn a_change_too_large_for_the_remote_stays_local_and_does_not_block_the_others() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let entry = serde_json::json!({
        "id": 1, "category": "tool", "title": "A lesson far too long", "body": "x ".repeat(600_000),
        "tags": [], "files": [], "repo": null, "task": null, "origin": "manual", "confidence": 0.9,
        "occurrences": 1, "first_seen": 1, "last_seen": 1, "content_hash": "ab".repeat(32), "why": [],
        "sources": [], "pinned": false, "edited_at": null, "source": "user"
    });
    let doc =
        serde_json::json!({"schema_version": 2, "exported_at": "x", "entries": [entry], "forgotten": []});
    let file = a.write("huge.json", doc.to_string());
    stdout(sk(&a).args(["knowledge", "import", file.to_str().expect("utf8")]));
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn(&a, "A lesson of normal size", "Short enough to travel.");
    let pushed = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(
        (pushed["pushed"].as_u64(), pushed["too_large"].as_u64()),
        (Some(1), Some(1)),
        "{pushed}"
    );
    assert_eq!(pg.changes(), 1);
    let again = json_of(sk(&a).args(["sync", "push", "--json"]));
    assert_eq!(again["pushed"], 0, "{again}");
}

/// A knowledge database copied to another machine (same replica id, same seqs) while
/// both go on learning: the second to push finds its seqs taken by other changes, becomes
/// a replica of its own, and nothing either of them learned is lost.
#[test]
fn a_copied_database_becomes_a_replica_of_its_own_and_loses_nothing() {
    let Some(mut pg) = Pg::start() else { return };
    let (a, c) = original_and_copy(&mut pg);
    let first = pg.sync(&a);
    assert_eq!(first["rekeyed"], false, "{first}");
    let second = pg.sync(&c);
    assert_eq!(second["rekeyed"], true, "{second}");
    pg.sync(&a);
    let b = replica(&pg.url(&pg.role("alice")), "team-a", "b");
    pg.sync(&b);
    let titles: Vec<String> = knowledge(&b).into_iter().map(|e| e.1).collect();
    for t in [
        "Copied homes share a replica id",
        "Learned on the original",
        "Learned on the copy",
    ] {
        assert!(titles.iter().any(|x| x == t), "{t} lost: {titles:?}");
    }
    assert_eq!(knowledge(&a), knowledge(&b));
    assert_eq!(knowledge(&c), knowledge(&b));
}
