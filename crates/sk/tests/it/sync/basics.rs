//! Setup, sharing and its origin, TLS, row-level security, the version check, secrets
//! and removing the remote.

use predicates::prelude::*;
use sk_test::TestEnv;

use super::*;
use crate::knowledge::{json_of, sk, stdout};

#[test]
fn sync_without_a_remote_explains_how_to_set_one_up() {
    let env = TestEnv::new();
    for args in [vec!["sync"], vec!["sync", "push"], vec!["sync", "pull"]] {
        sk(&env).args(&args).assert().code(1).stderr(
            predicate::str::contains("no sync remote is set up")
                .and(predicate::str::contains("sk sync setup postgres://"))
                .and(predicate::str::contains("print-admin-sql")),
        );
    }
    let status = json_of(sk(&env).args(["sync", "status", "--json"]));
    assert_eq!(status["configured"], false, "{status}");
}

#[test]
fn knowledge_learned_on_one_replica_reaches_another_with_its_origin() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    // Knowledge from before the setup travels too.
    learn(
        &a,
        "Use cargo nextest for speed",
        "It runs each test in its own process.",
    );
    setup(&a, &url, "team-a", "alice-laptop");
    learn(&a, "Run clippy with -D warnings", "CI denies every warning.");
    let pushed = pg.sync(&a);
    assert_eq!(pushed["pushed_new"], 2, "{pushed}");

    let b = replica(&url, "team-a", "alice-desktop");
    let pulled = pg.sync(&b);
    assert_eq!(pulled["applied"], 2, "{pulled}");
    assert_eq!(knowledge(&a), knowledge(&b));
    let id = id_by_title(&b, "Use cargo nextest for speed");
    let shown = json_of(sk(&b).args(["show", &id, "--json"]));
    assert_eq!(shown["remote"]["author"], alice.as_str(), "{shown}");
    assert_eq!(shown["remote"]["replica"], "alice-laptop", "{shown}");
    assert_eq!(shown["origin"], "imported");
    let text = stdout(sk(&b).args(["show", &id]));
    assert!(text.contains(&format!("from {alice} on alice-laptop")), "{text}");
    // The MCP server's show tool says so too.
    let mut mcp = crate::mcp::Server::start(&b);
    mcp.initialize();
    let id_num: i64 = id.parse().expect("numeric id");
    let shown = mcp.call("show", serde_json::json!({"id": id_num}));
    assert!(
        shown
            .to_string()
            .contains(&format!("from {alice} on alice-laptop (sk sync)")),
        "{shown}"
    );
    // Searches say where a pulled entry came from: the text, --json and the compact lines
    // the MCP server sends.
    let origin = format!("{alice} on alice-laptop");
    let text = stdout(sk(&b).args(["query", "nextest"]));
    assert!(text.contains(&format!("from {origin} (sk sync)")), "{text}");
    let hits = json_of(sk(&b).args(["query", "nextest", "--json"]));
    assert_eq!(hits["hits"][0]["from"], origin.as_str(), "{hits}");
    let own_hits = json_of(sk(&a).args(["query", "nextest", "--json"]));
    assert!(own_hits["hits"][0].get("from").is_none(), "{own_hits}");
    let compact = stdout(sk(&b).args(["query", "nextest", "--compact"]));
    assert!(
        compact.contains(&format!("(from {origin}, sk sync)")),
        "{compact}"
    );
    // Its own entries show no remote origin; and a second sync changes nothing.
    let own = json_of(sk(&a).args(["show", &id_by_title(&a, "Use cargo nextest for speed"), "--json"]));
    assert!(own.get("remote").is_none(), "{own}");
    let again = pg.sync(&b);
    assert_eq!(
        (again["pushed"].as_u64(), again["applied"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    assert_eq!(pg.changes(), 2, "nothing was echoed back");
    // sk doctor checks the remote.
    let line = doctor_sync(&b);
    assert_eq!(line["level"], "ok", "{line}");
    let detail = line["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("answers, schema v1; 0 change(s) to push, 0 to pull"),
        "{detail}"
    );
    assert!(!detail.contains(PASSWORD));
    // A briefing names the origin of a convention a teammate's machine recorded.
    stdout(sk(&a).args([
        "learn",
        "--pattern",
        "--global",
        "Migrations are tested from every shipped version",
        "Each schema change runs against databases of every released version.",
    ]));
    pg.sync(&a);
    pg.sync(&b);
    let brief = stdout(sk(&b).args(["brief", "add a schema migration for tested versions"]));
    assert!(
        brief.contains("Migrations are tested from every shipped version")
            && brief.contains(&format!("(from {origin}, sk sync)")),
        "{brief}"
    );
}

#[test]
fn tls_is_used_when_the_url_asks_and_the_server_certificate_is_verified() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    // The machine's server offers TLS with a self-signed certificate (or none at all):
    // either way sk refuses instead of falling back to clear text or trusting it.
    let url = format!("{}?sslmode=verify-full", pg.url(&alice));
    let out = sk(&a)
        .args(["sync", "setup", &url, "--team", "team-a"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("TLS handshake"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    assert!(
        !a.copilot_home().join("markers/sync.json").exists(),
        "nothing stored"
    );
}

#[test]
fn row_level_security_keeps_one_teams_rows_from_another() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let b = TestEnv::new();
    let bob = pg.add_user(&b, "bob", "team-b");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn(&a, "A team secret lesson", "Only team A may read this.");
    pg.sync(&a);
    assert_eq!(pg.changes(), 1);
    setup(&b, &pg.url(&bob), "team-b", "b");
    let pulled = pg.sync(&b);
    assert_eq!(pulled["pulled"], 0, "{pulled}");
    assert!(knowledge(&b).is_empty());
    // Hand-written SQL as bob sees none of team A's rows and cannot push as alice.
    let mut bob_sql = pg.connect_as(&bob);
    let seen: i64 = bob_sql
        .query_one("SELECT count(*) FROM sk_sync.changes", &[])
        .expect("count")
        .get(0);
    assert_eq!(seen, 0);
    let replicas: i64 = bob_sql
        .query_one("SELECT count(*) FROM sk_sync.replicas WHERE team = 'team-a'", &[])
        .expect("count")
        .get(0);
    assert_eq!(replicas, 0);
    let alice_replica = json_of(sk(&a).args(["sync", "status", "--json"]))["replica_id"]
        .as_str()
        .expect("replica id")
        .to_string();
    let forged = bob_sql.execute(
        "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op)
         VALUES ('team-b', CAST($1::text AS uuid), 99, 1, 'entry', 'x', 'put')",
        &[&alice_replica],
    );
    let err = forged.expect_err("a forged replica id is refused").to_string();
    assert!(!err.is_empty());
    // bob cannot join team A by naming it either.
    sk(&b)
        .args(["sync", "setup", &pg.url(&bob), "--team", "team-a"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a member of team \"team-a\""));
}

#[test]
fn a_remote_with_a_newer_schema_is_refused_with_the_upgrade_message() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    pg.admin()
        .batch_execute(&format!(
            "SET ROLE \"{}\"; UPDATE sk_sync.meta SET schema_version = 3, min_client_schema = 3",
            pg.role("owner")
        ))
        .expect("make the remote newer");
    let message = "remote schema 3 needs sk with schema >= 3, this sk has 1: upgrade sk";
    sk(&a)
        .args(["sync"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(message));
    let status = json_of(sk(&a).args(["sync", "status", "--json"]));
    assert!(
        status["last_error"].as_str().is_some_and(|e| e.contains(message)),
        "{status}"
    );
    assert_eq!(
        pg.changes(),
        0,
        "nothing was pushed to a remote it does not understand"
    );
    let line = doctor_sync(&a);
    assert_eq!(line["level"], "warn", "{line}");
    assert!(
        line["detail"].as_str().is_some_and(|d| d.contains("upgrade sk")),
        "{line}"
    );
}

#[test]
fn the_password_never_appears_in_any_output() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    let mut outputs = Vec::new();
    let mut run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = sk(&a);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run sk");
        outputs.push((
            args.join(" "),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        ));
    };
    run(&["sync", "setup", &url, "--team", "team-a", "--json"], &[]);
    learn(&a, "A lesson to push", "Its body.");
    run(&["sync"], &[]);
    run(&["sync", "--json"], &[]);
    run(&["sync", "status"], &[]);
    run(&["sync", "status", "--json"], &[]);
    // A remote that does not answer, given through SK_SYNC_URL: the error names it redacted.
    let dead = format!(
        "postgres://{alice}:{PASSWORD}@127.0.0.1:1/{}?connect_timeout=2",
        pg.db
    );
    run(&["sync"], &[("SK_SYNC_URL", &dead)]);
    run(&["sync", "status", "--json"], &[("SK_SYNC_URL", &dead)]);
    run(&["sync", "setup", "--team", "team-a"], &[("SK_SYNC_URL", &dead)]);
    for (cmd, text) in &outputs {
        assert!(
            !text.contains(PASSWORD),
            "`sk {cmd}` printed the password:\n{text}"
        );
    }
    let (_, status) = &outputs[4];
    assert!(status.contains(":***@"), "{status}");
    let (_, failed) = &outputs[5];
    assert!(failed.contains("cannot connect to the remote"), "{failed}");
    // The stored URL is the user's own file.
    use std::os::unix::fs::PermissionsExt;
    let file = a.copilot_home().join("markers/sync.json");
    let mode = std::fs::metadata(&file)
        .expect("config file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn forget_remote_keeps_every_entry_and_stops_recording_changes() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    setup(&a, &url, "team-a", "a");
    learn(&a, "Something worth keeping", "Body.");
    pg.sync(&a);
    let b = replica(&url, "team-a", "b");
    pg.sync(&b);
    let out = stdout(sk(&b).args(["sync", "forget-remote"]));
    assert!(out.contains("all knowledge stays"), "{out}");
    assert_eq!(knowledge(&b).len(), 1, "the pulled entry stays");
    assert!(!b.copilot_home().join("markers/sync.json").exists());
    let status = json_of(sk(&b).args(["sync", "status", "--json"]));
    assert_eq!(
        (status["configured"].as_bool(), status["pending"].as_i64()),
        (Some(false), Some(0))
    );
    learn(&b, "Learned after leaving", "Not queued anywhere.");
    let status = json_of(sk(&b).args(["sync", "status", "--json"]));
    assert_eq!(status["pending"], 0, "no outbox without a remote: {status}");
    sk(&b).args(["sync"]).assert().code(1);
}

/// A remote older than this sk is migrated by a role that may become the schema's owner,
/// and refused, with what to do, for anyone else.
#[test]
fn an_older_remote_is_migrated_only_by_a_member_of_the_owner_role() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let owner = pg.role("owner");
    let version = |pg: &Pg| -> i32 {
        pg.admin()
            .query_one("SELECT schema_version FROM sk_sync.meta", &[])
            .expect("meta")
            .get(0)
    };
    pg.admin()
        .batch_execute(&format!(
            "SET ROLE \"{owner}\"; UPDATE sk_sync.meta SET schema_version = 0, min_client_schema = 0"
        ))
        .expect("make the remote older");
    sk(&a)
        .args(["sync", "setup", &pg.url(&alice), "--team", "team-a"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "only a member of its owner role may migrate it",
        ));
    assert_eq!(version(&pg), 0, "refused: nothing changed");
    pg.admin()
        .batch_execute(&format!("GRANT \"{owner}\" TO \"{alice}\""))
        .expect("let alice migrate");
    setup(&a, &pg.url(&alice), "team-a", "a");
    assert_eq!(version(&pg), 1, "migrated");
    learn(
        &a,
        "Migrated remotes keep working",
        "The schema was brought up to date.",
    );
    let pushed = pg.sync(&a);
    assert_eq!(pushed["pushed_new"], 1, "{pushed}");
}

#[test]
fn knowledge_of_an_excluded_repository_never_leaves_the_machine() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    let out = stdout(sk(&a).args([
        "sync",
        "setup",
        &url,
        "--team",
        "team-a",
        "--exclude-repo",
        "secret",
    ]));
    assert!(out.contains("never of secret"), "{out}");
    for (repo, title) in [
        ("acme/secret", "The secret service pins its TLS roots"),
        ("acme/open", "The open service logs in JSON"),
    ] {
        // Files: one in the repository, one outside it (this machine's layout).
        stdout(sk(&a).args([
            "learn",
            "--tool",
            "--repo",
            repo,
            "--file",
            "src/log.rs",
            "--file",
            "/home/alice/.config/app.toml",
            title,
            "A detail of this repository.",
        ]));
    }
    stdout(sk(&a).args([
        "learn",
        "--pattern",
        "--global",
        "Every service logs to stdout",
        "Twelve-factor style.",
    ]));
    let pushed = pg.sync(&a);
    assert_eq!(pushed["withheld"], 1, "{pushed}");
    let status = json_of(sk(&a).args(["sync", "status", "--json"]));
    assert_eq!(status["share"]["exclude_repos"][0], "secret", "{status}");
    // What the remote holds, read by the admin: nothing of the excluded repository.
    let payloads: Vec<String> = pg
        .admin()
        .query("SELECT payload::text FROM sk_sync.changes", &[])
        .expect("read the change log")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    assert!(payloads.iter().all(|p| !p.contains("secret")), "{payloads:?}");
    // Only repository-relative files travel.
    assert!(payloads.iter().any(|p| p.contains("src/log.rs")), "{payloads:?}");
    assert!(
        payloads.iter().all(|p| !p.contains("/home/alice")),
        "{payloads:?}"
    );
    let b = replica(&url, "team-a", "alice-desktop");
    pg.sync(&b);
    let titles: Vec<String> = knowledge(&b).into_iter().map(|(_, title, _, _)| title).collect();
    assert!(
        titles.contains(&"The open service logs in JSON".to_string()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Every service logs to stdout".to_string()),
        "{titles:?}"
    );
    assert!(!titles.iter().any(|t| t.contains("secret")), "{titles:?}");
}
