//! What travels besides knowledge: each sighting of an entry (its provenance, so that
//! occurrences agree everywhere), and with `sk sync setup --sessions` the digest of each
//! session, so that a search on one machine finds the sessions of another. The session is
//! a real Claude Code log from the shared corpus (fixtures/corpus, Apache-2.0).

use super::*;

/// The corpus log's session id, and where Claude Code keeps it.
const SESSION: &str = "89f4d66a-510b-48b3-94b8-d6a8f981b143";
const LOG: &str = "claude/convo.jsonl";

/// Places the corpus log in `env` under session id `id` (the same session seen on another
/// machine keeps its id; another id makes it another session with the same content).
fn seed_log(env: &TestEnv, id: &str) {
    let text = std::fs::read_to_string(sk_test::corpus(LOG)).expect("read the corpus log");
    env.write(
        &format!(".claude/projects/-tmp-demo/{id}.jsonl"),
        text.replace(SESSION, id),
    );
    stdout(sk(env).arg("index"));
}

fn setup_sessions(env: &TestEnv, url: &str, label: &str) {
    let out = stdout(sk(env).args([
        "sync",
        "setup",
        url,
        "--team",
        "team-a",
        "--label",
        label,
        "--sessions",
    ]));
    assert!(out.contains("session digests"), "{out}");
}

/// The payloads of the remote's session changes, read by the admin.
fn session_payloads(pg: &Pg) -> Vec<String> {
    pg.admin()
        .query(
            "SELECT payload::text FROM sk_sync.changes WHERE entity = 'session' ORDER BY id",
            &[],
        )
        .expect("read the change log")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Carol's session id: the corpus log under another id, so the same lesson is seen in
/// two sessions.
const OTHER: &str = "5b0e3c1d-2f4a-4e7b-9c6d-8a1b2c3d4e5f";

/// Alice (set up with `--sessions` when `share_sessions`) and Carol, each with the corpus
/// log under a session id of their own, both in team-a.
fn alice_and_carol(pg: &mut Pg, share_sessions: bool) -> (TestEnv, TestEnv) {
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    seed_log(&a, SESSION);
    if share_sessions {
        setup_sessions(&a, &pg.url(&alice), "alice-laptop");
    } else {
        setup(&a, &pg.url(&alice), "team-a", "alice-laptop");
    }
    let c = TestEnv::new();
    let carol = pg.add_user(&c, "carol", "team-a");
    seed_log(&c, OTHER);
    setup(&c, &pg.url(&carol), "team-a", "carol-box");
    (a, c)
}

/// The entry the corpus log teaches (its write to notes.md was blocked), as exported.
fn notes_entry(env: &TestEnv) -> Value {
    let doc = json_of(sk(env).args(["knowledge", "export"]));
    doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["title"].as_str().is_some_and(|t| t.contains("notes.md")))
        .cloned()
        .unwrap_or_else(|| panic!("no notes.md entry: {doc}"))
}

#[test]
fn a_session_shared_with_sessions_is_found_on_a_teammates_machine() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    seed_log(&a, SESSION);
    setup_sessions(&a, &pg.url(&alice), "alice-laptop");
    pg.sync(&a);
    // One digest, with the words a search needs and no path outside the repository
    // (the log's working directory is a macOS temporary folder).
    let payloads = session_payloads(&pg);
    assert_eq!(payloads.len(), 1, "{payloads:?}");
    let digest = &payloads[0];
    assert!(
        digest.contains("heredoc") && digest.contains("notes.md"),
        "{digest}"
    );
    assert!(
        !digest.contains("/var/folders") && !digest.contains("toolpath-elicit"),
        "{digest}"
    );

    // A teammate with no logs at all finds it, marked with its origin.
    let b = TestEnv::new();
    let bob = pg.add_user(&b, "bob", "team-a");
    setup(&b, &pg.url(&bob), "team-a", "bob-desktop");
    let pulled = pg.sync(&b);
    assert!(pulled["applied"].as_u64() >= Some(1), "{pulled}");
    let key = format!("claude:{SESSION}");
    let origin = format!("{alice} on alice-laptop");
    let found = |env: &TestEnv| {
        let hits = json_of(sk(env).args([
            "query",
            "--kind",
            "session",
            "--json",
            "heredoc fallback blocked writes",
        ]));
        hits["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["id"] == key.as_str())
            .cloned()
    };
    let hit = found(&b).expect("the teammate's session is found");
    assert_eq!(hit["from"], origin.as_str(), "{hit}");
    let text = stdout(sk(&b).args(["query", "--kind", "session", "heredoc fallback blocked writes"]));
    assert!(text.contains(&format!("from {origin} (sk sync)")), "{text}");
    // Opening it shows where it is and what its digest says; listing marks it.
    let shown = stdout(sk(&b).args(["session", &key]));
    assert!(
        shown.contains(&format!("from {origin} (sk sync)")) && shown.contains("heredoc"),
        "{shown}"
    );
    let json = json_of(sk(&b).args(["session", &key, "--json"]));
    assert_eq!(json["session"]["from"], origin.as_str(), "{json}");
    assert!(
        json["digest"]["asked"].as_str().is_some_and(|t| !t.is_empty()),
        "{json}"
    );
    let listed = stdout(sk(&b).arg("sessions"));
    assert!(listed.contains(&format!("from {origin} (sk sync)")), "{listed}");
    // Status counts it as pulled, not as a log of this machine's.
    let status = json_of(sk(&b).args(["status", "--json"]));
    let pulled = status["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["table"] == "remote_sessions")
        .cloned();
    assert_eq!(pulled.map(|t| t["rows"].clone()), Some(1.into()), "{status}");
    assert!(
        status["agents"].as_array().is_some_and(|a| a.is_empty()),
        "{status}"
    );

    // The web UI says so too: the list marks it, its page shows the digest (escaped).
    let d = TestEnv::new();
    setup(&d, &pg.url(&bob), "team-a", "bob-tablet");
    pg.sync(&d);
    let ui_home = crate::ui_support::UiHome { db: d.db(), env: d };
    let mut ui = crate::ui_support::UiServer::start(&ui_home);
    ui.login();
    let list = ui.get("/sessions");
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains(&format!("from {origin} (sk sync)")),
        "{}",
        list.body
    );
    let page = ui.get(&format!("/session/claude%3A{SESSION}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Digest") && page.body.contains("heredoc") && page.body.contains(&origin),
        "{}",
        page.body
    );
    assert!(page.body.contains("cat &gt; notes.md"), "digest text is escaped");
    drop(ui);
    // A full rebuild clears what is derived from logs, not what was pulled.
    stdout(sk(&b).args(["index", "--full"]));
    assert!(found(&b).is_some(), "still found after `sk index --full`");

    // When the same session's log reaches this machine, it becomes an ordinary session:
    // its timeline is read from the log and no origin is shown.
    seed_log(&b, SESSION);
    let hit = found(&b).expect("found once indexed here");
    assert!(hit.get("from").is_none(), "{hit}");
    let shown = stdout(sk(&b).args(["session", &key]));
    assert!(
        shown.contains("Timeline:") && !shown.contains("(sk sync)"),
        "{shown}"
    );
    // Its own sessions are not sent by a replica set up without --sessions.
    let before = session_payloads(&pg).len();
    pg.sync(&b);
    assert_eq!(session_payloads(&pg).len(), before);
    // Nor taken back from the remote by the machine that has the logs.
    let again = stdout(sk(&a).args(["session", &key]));
    assert!(
        again.contains("Timeline:") && !again.contains("(sk sync)"),
        "{again}"
    );
}

#[test]
fn sessions_of_a_repository_that_is_not_shared_stay_local() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    seed_log(&a, SESSION);
    // The corpus session's repository is its folder's name, `claude`.
    stdout(sk(&a).args([
        "sync",
        "setup",
        &pg.url(&alice),
        "--team",
        "team-a",
        "--sessions",
        "--exclude-repo",
        "claude",
    ]));
    let run = pg.sync(&a);
    assert!(run["withheld"].as_u64() >= Some(1), "{run}");
    assert!(session_payloads(&pg).is_empty());
}

#[test]
fn sightings_travel_so_occurrences_agree_on_every_replica() {
    let Some(mut pg) = Pg::start() else { return };
    // Two machines see the same lesson in two different sessions.
    let (a, c) = alice_and_carol(&mut pg, false);
    assert_eq!(notes_entry(&a)["occurrences"], 1);
    assert_eq!(notes_entry(&a)["content_hash"], notes_entry(&c)["content_hash"]);
    pg.sync(&a);
    pg.sync(&c);
    pg.sync(&a);
    let b = TestEnv::new();
    let bob = pg.add_user(&b, "bob", "team-a");
    setup(&b, &pg.url(&bob), "team-a", "bob-desktop");
    pg.sync(&b);
    for env in [&a, &b, &c] {
        let e = notes_entry(env);
        assert_eq!(e["occurrences"], 2, "{e}");
        let mut keys: Vec<String> = e["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .filter_map(|s| s["session_key"].as_str().map(str::to_string))
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(
            keys,
            vec![format!("claude:{OTHER}"), format!("claude:{SESSION}")],
            "{e}"
        );
    }
    // A search's knowledge hit names only the sessions this machine can open.
    let hits = json_of(sk(&a).args([
        "query",
        "--kind",
        "knowledge",
        "--all-quality",
        "--json",
        "notes.md redirection blocked",
    ]));
    let hit = &hits["hits"][0];
    assert_eq!(
        hit["sessions"],
        serde_json::json!([format!("claude:{SESSION}")]),
        "{hits}"
    );
    // Nothing more to exchange, and nothing echoed back.
    let changes = pg.changes();
    for env in [&a, &b, &c] {
        let run = pg.sync(env);
        assert_eq!(run["pushed"], 0, "{run}");
    }
    assert_eq!(pg.changes(), changes);
}

#[test]
fn a_full_reextraction_keeps_sightings_made_in_sessions_known_only_from_a_digest() {
    let Some(mut pg) = Pg::start() else { return };
    // Alice shares her sessions; Carol saw the same lesson in a session of her own.
    let (a, c) = alice_and_carol(&mut pg, true);
    pg.sync(&a);
    pg.sync(&c);
    let occurrences = |env: &TestEnv| notes_entry(env)["occurrences"].clone();
    assert_eq!(occurrences(&c), 2);
    // Alice's session is a row of Carol's `sessions` now, with no records: extracting
    // everything again must not take it for a session whose lessons went away.
    stdout(sk(&c).args(["extract", "--full"]));
    assert_eq!(occurrences(&c), 2, "after `sk extract --full`");
    stdout(sk(&c).args(["index", "--full"]));
    assert_eq!(occurrences(&c), 2, "after `sk index --full`");
}

#[test]
fn a_session_that_goes_on_while_its_digest_is_pushed_is_sent_again() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    seed_log(&a, SESSION);
    setup_sessions(&a, &pg.url(&alice), "alice-laptop");
    // The remote has the digest; this database has not yet recorded that it was sent
    // when the session goes on and is indexed again.
    let child = super::faults::push_stopped_at(&a, "push-after-commit");
    let log = a
        .home()
        .join(format!(".claude/projects/-tmp-demo/{SESSION}.jsonl"));
    let mut text = std::fs::read_to_string(&log).expect("read the log");
    text.push_str(
        &serde_json::json!({
            "parentUuid": null, "isSidechain": false, "type": "user",
            "message": {"role": "user", "content": "Now please rename the zanzibarquokka helper everywhere"},
            "uuid": "0f1e2d3c-4b5a-4968-8776-655443322110", "timestamp": "2026-05-07T18:40:00.000Z",
            "userType": "external", "cwd": "/private/var/folders/jk/T/toolpath-elicit.nu6ZWB/claude",
            "sessionId": SESSION, "version": "2.1.132", "gitBranch": "HEAD"
        })
        .to_string(),
    );
    text.push('\n');
    std::fs::write(&log, text).expect("append to the log");
    stdout(sk(&a).arg("index"));
    let out = child.wait_with_output().expect("wait for the push");
    assert!(out.status.success(), "{out:?}");
    pg.sync(&a);
    let payloads = session_payloads(&pg);
    assert!(
        payloads.last().is_some_and(|p| p.contains("zanzibarquokka")),
        "the remote holds the session as it was before it went on: {payloads:?}"
    );
}
