//! Faults a review found in the first slice, each reproduced against the real server
//! before it was fixed: a copied database that pulls before it pushes, a replica whose
//! clock runs days ahead, a remote restored from an older backup, and a re-created remote
//! that must not lose an unpin.

use sk_test::TestEnv;

use super::*;
use crate::knowledge::{json_of, sk, stdout};

fn titles(env: &TestEnv) -> Vec<String> {
    knowledge(env).into_iter().map(|e| e.1).collect()
}

#[test]
fn a_copied_database_that_pulls_first_still_gets_the_originals_changes() {
    let Some(mut pg) = Pg::start() else { return };
    let (a, c) = original_and_copy(&mut pg);
    pg.sync(&a);
    pg.settle();
    json_of(sk(&c).args(["sync", "pull", "--json"]));
    pg.sync(&c);
    pg.sync(&a);
    // Once caught up, a sync of the re-keyed copy sends nothing again.
    let settled = pg.sync(&c);
    assert_eq!(
        (settled["pushed"].as_u64(), settled["remote_recreated"].as_bool()),
        (Some(0), Some(false)),
        "{settled}"
    );
    assert!(
        titles(&c).contains(&"Learned on the original".to_string()),
        "{:?}",
        titles(&c)
    );
    assert!(
        titles(&a).contains(&"Learned on the copy".to_string()),
        "{:?}",
        titles(&a)
    );
    assert_eq!(knowledge(&a), knowledge(&c));
}

#[test]
fn an_edit_after_a_change_from_a_fast_clock_reaches_every_replica() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    setup(&a, &url, "team-a", "a");
    learn(&a, "Skew target", "Original body.");
    pg.sync(&a);
    let b = replica(&url, "team-a", "b");
    pg.sync(&b);
    let (hash, title, _, _) = knowledge(&a)
        .into_iter()
        .find(|e| e.1 == "Skew target")
        .expect("the entry");
    // A third machine of alice, its clock two days fast, pushes an edit by hand.
    let mut fast = pg.connect_as(&alice);
    fast.batch_execute(
        "INSERT INTO sk_sync.replicas (replica_id, team, label)
         VALUES ('00000000-0000-4000-8000-0000000000aa', 'team-a', 'fast-clock')",
    )
    .expect("register");
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis(),
    )
    .expect("ms");
    let hlc: i64 = (now_ms + 2 * 86_400_000) << 16;
    let payload = serde_json::json!({"category": "tool", "title": title, "body": "Body from the fast clock.", "tags": ""})
        .to_string();
    fast.execute(
        "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op, payload)
         VALUES ('team-a', '00000000-0000-4000-8000-0000000000aa', 1, $1, 'entry', $2, 'put', CAST($3::text AS jsonb))",
        &[&hlc, &hash, &payload],
    )
    .expect("push from the fast clock");
    drop(fast);
    pg.sync(&a);
    pg.sync(&b);
    let id = id_by_title(&a, "Skew target");
    stdout(sk(&a).args(["knowledge", "edit", &id, "--body", "A fixed it today."]));
    pg.sync(&a);
    pg.sync(&b);
    pg.sync(&a);
    let (ka, kb) = (knowledge(&a), knowledge(&b));
    assert_eq!(ka, kb);
    assert!(ka.iter().any(|e| e.2 == "A fixed it today."), "{ka:?}");
}

#[test]
fn a_remote_restored_from_an_older_backup_is_sent_what_it_lost() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    setup(&a, &url, "team-a", "a");
    learn(&a, "Before the dump", "Survives.");
    pg.sync(&a);
    learn(&a, "After the dump", "Pushed after the backup was taken.");
    pg.sync(&a);
    let (lost, _, _, _) = knowledge(&a)
        .into_iter()
        .find(|e| e.1 == "After the dump")
        .expect("the entry");
    // The restore (same instance id): the change pushed after the dump is gone.
    pg.admin()
        .execute("DELETE FROM sk_sync.changes WHERE entity_key = $1", &[&lost])
        .expect("delete");
    let again = pg.sync(&a);
    assert_eq!(again["remote_recreated"], true, "{again}");
    let b = replica(&url, "team-a", "b");
    pg.sync(&b);
    assert!(
        titles(&b).contains(&"After the dump".to_string()),
        "{:?}",
        titles(&b)
    );
    assert_eq!(knowledge(&a), knowledge(&b));
}

#[test]
fn a_recreated_remote_keeps_an_unpin_the_pinning_replica_had_not_pulled() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    setup(&a, &url, "team-a", "a");
    learn(&a, "Pinned then unpinned", "Body.");
    stdout(sk(&a).args(["knowledge", "pin", &id_by_title(&a, "Pinned then unpinned")]));
    pg.sync(&a);
    let b = replica(&url, "team-a", "b");
    pg.sync(&b);
    stdout(sk(&b).args(["knowledge", "unpin", &id_by_title(&b, "Pinned then unpinned")]));
    pg.sync(&b);
    // The remote is lost before a pulled the unpin, and the admin creates it again.
    pg.admin()
        .batch_execute("DROP SCHEMA sk_sync CASCADE")
        .expect("drop the remote");
    pg.add_user(&a, "alice", "team-a");
    pg.sync(&a);
    pg.sync(&b);
    pg.sync(&a);
    pg.sync(&b);
    let (ka, kb) = (knowledge(&a), knowledge(&b));
    assert_eq!(ka, kb);
    assert!(ka.iter().all(|e| !e.3), "unpinned everywhere: {ka:?}");
}

#[test]
fn a_copy_rekeyed_with_nothing_to_send_does_not_send_everything_again() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn(&a, "Known before the copy", "Pushed once.");
    pg.sync(&a);
    let c = copy_of(&a);
    learn(
        &a,
        "Learned after the copy",
        "The remote now holds seqs the copy never made.",
    );
    pg.sync(&a);
    let first = pg.sync(&c);
    assert_eq!(first["rekeyed"], true, "{first}");
    let second = pg.sync(&c);
    assert_eq!(
        (second["pushed"].as_u64(), second["remote_recreated"].as_bool()),
        (Some(0), Some(false)),
        "{second}"
    );
    assert_eq!(knowledge(&a), knowledge(&c));
}
