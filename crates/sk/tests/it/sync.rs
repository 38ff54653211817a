//! `sk sync` against the real PostgreSQL server: every test makes its own database
//! `sk_sync_t_<random>` and roles suffixed with the same random id (role names are
//! cluster-wide), prepares it with `sk sync print-admin-sql` as the superuser, runs the
//! real binary in temporary homes as replicas of a team, and drops everything at the end.
//! The server is `SK_SYNC_TEST_URL` (default postgres://postgres@127.0.0.1:5432/postgres).
//! Without a server the tests are skipped with a note, unless `SK_SYNC_PG_REQUIRED=1`
//! (CI), which makes them fail.

use std::str::FromStr;

use postgres::{Client, NoTls};
use predicates::prelude::*;
use serde_json::Value;
use sk_test::TestEnv;

use crate::knowledge::{json_of, sk, stdout};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Every user URL carries this password: no output may ever show it.
const PASSWORD: &str = "pw-Zq7vNotForPrinting";

/// A database and roles of one test, dropped when it ends.
struct Pg {
    admin_url: String,
    host: String,
    port: u16,
    db: String,
    tag: String,
    users: Vec<String>,
}

impl Pg {
    /// None (after a note) when no server answers and it is not required.
    fn start() -> Option<Pg> {
        let admin_url = std::env::var("SK_SYNC_TEST_URL").unwrap_or_else(|_| DEFAULT_URL.to_string());
        let required = std::env::var("SK_SYNC_PG_REQUIRED").is_ok_and(|v| v == "1");
        let mut client = match Client::connect(&admin_url, NoTls) {
            Ok(c) => c,
            Err(e) if required => {
                panic!("SK_SYNC_PG_REQUIRED=1 but PostgreSQL at {admin_url} does not answer: {e}")
            }
            Err(e) => {
                eprintln!(
                    "note: sync test skipped: no PostgreSQL at {admin_url} ({e}); SK_SYNC_PG_REQUIRED=1 makes this fail"
                );
                return None;
            }
        };
        let config = postgres::Config::from_str(&admin_url).expect("SK_SYNC_TEST_URL parses");
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let tag = random_tag();
        let db = format!("sk_sync_t_{tag}");
        client
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .expect("create the test database");
        Some(Pg {
            admin_url,
            host,
            port,
            db,
            tag,
            users: Vec::new(),
        })
    }

    fn role(&self, name: &str) -> String {
        format!("skt_{}_{name}", self.tag)
    }

    /// The superuser, connected to the test database.
    fn admin(&self) -> Client {
        let mut config = postgres::Config::from_str(&self.admin_url).expect("url");
        config.dbname(&self.db);
        config.connect(NoTls).expect("connect as the admin")
    }

    /// Runs `sk sync print-admin-sql` for `user` in `team` as the superuser (the admin's
    /// part is idempotent, so it runs again for every user).
    fn add_user(&mut self, env: &TestEnv, user: &str, team: &str) -> String {
        let role = self.role(user);
        let sql = stdout(sk(env).args([
            "sync",
            "print-admin-sql",
            "--team",
            team,
            "--user",
            &role,
            "--owner-role",
            &self.role("owner"),
            "--group-role",
            &self.role("users"),
        ]));
        let mut admin = self.admin();
        let mut tx = admin.transaction().expect("begin");
        tx.batch_execute(&sql).expect("the admin SQL runs");
        tx.commit().expect("commit");
        self.users.push(role.clone());
        role
    }

    /// A user's URL, with the password no output may show.
    fn url(&self, role: &str) -> String {
        format!(
            "postgres://{role}:{PASSWORD}@{}:{}/{}",
            self.host, self.port, self.db
        )
    }

    /// A connection as `role` (the server trusts local roles).
    fn connect_as(&self, role: &str) -> Client {
        Client::connect(&self.url(role), NoTls).expect("connect as a user")
    }

    /// Waits (with a deadline) until every change on the remote is below the pull horizon:
    /// any open transaction in the cluster (another test's push) holds newer rows back
    /// from pulls for a moment, which delays but never loses them (NOTES.md).
    fn settle(&self) {
        let mut admin = self.admin();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let held: i64 = admin
                .query_one(
                    "SELECT count(*) FROM sk_sync.changes WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())",
                    &[],
                )
                .expect("held-back rows")
                .get(0);
            if held == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{held} change(s) held back for 30 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// `sk sync --json` in `env` once what others pushed can be pulled.
    fn sync(&self, env: &TestEnv) -> Value {
        self.settle();
        json_of(sk(env).args(["sync", "--json"]))
    }

    /// Rows in the remote change log (seen by the superuser, who bypasses RLS).
    fn changes(&self) -> i64 {
        self.admin()
            .query_one("SELECT count(*) FROM sk_sync.changes", &[])
            .expect("count")
            .get(0)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let Ok(mut client) = Client::connect(&self.admin_url, NoTls) else {
            return;
        };
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
        let mut roles = self.users.clone();
        roles.push(self.role("users"));
        roles.push(self.role("owner"));
        for r in roles {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
        }
    }
}

fn random_tag() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// A replica: a home set up against `url` for `team`, with a label.
fn replica(url: &str, team: &str, label: &str) -> TestEnv {
    let env = TestEnv::new();
    setup(&env, url, team, label);
    env
}

fn setup(env: &TestEnv, url: &str, team: &str, label: &str) {
    let out = stdout(sk(env).args(["sync", "setup", url, "--team", team, "--label", label]));
    assert!(!out.contains(PASSWORD), "{out}");
}

fn learn(env: &TestEnv, title: &str, body: &str) -> String {
    let v = json_of(sk(env).args(["learn", "--tool", title, body, "--json"]));
    v["id"].as_i64().expect("learned id").to_string()
}

/// The knowledge entries of a home, by title, with the fields that must agree.
fn knowledge(env: &TestEnv) -> Vec<(String, String, String, bool)> {
    let doc = json_of(sk(env).args(["knowledge", "export"]));
    let mut out: Vec<_> = doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["content_hash"].as_str().unwrap_or_default().to_string(),
                e["title"].as_str().unwrap_or_default().to_string(),
                e["body"].as_str().unwrap_or_default().to_string(),
                e["pinned"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn id_by_title(env: &TestEnv, title: &str) -> String {
    let doc = json_of(sk(env).args(["knowledge", "export"]));
    doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["title"] == title)
        .and_then(|e| e["id"].as_i64())
        .unwrap_or_else(|| panic!("no entry titled {title}: {doc}"))
        .to_string()
}

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
}

/// The `sync` finding of `sk doctor --json`.
fn doctor_sync(env: &TestEnv) -> Value {
    let out = sk(env)
        .args(["doctor", "--json"])
        .output()
        .expect("run sk doctor");
    let report: Value = serde_json::from_slice(&out.stdout).expect("doctor json");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "sync")
        .cloned()
        .unwrap_or_else(|| panic!("no sync finding: {report}"))
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
fn a_forget_travels_and_extract_full_does_not_bring_it_back() {
    let Some(mut pg) = Pg::start() else { return };
    let a = crate::eval::real_env();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    setup(&a, &url, "team-a", "a");
    pg.sync(&a);
    let b = replica(&url, "team-a", "b");
    pg.sync(&b);
    let before = knowledge(&a);
    assert!(before.len() >= 2, "the corpus yields knowledge: {before:?}");
    assert_eq!(before, knowledge(&b));
    let (hash, title, _, _) = before[0].clone();
    let id_b = id_by_title(&b, &title);
    stdout(sk(&b).args(["knowledge", "forget", &id_b, "--reason", "wrong"]));
    pg.sync(&b);
    let applied = pg.sync(&a);
    assert_eq!(applied["applied"], 1, "{applied}");
    let gone = |env: &TestEnv| !knowledge(env).iter().any(|e| e.0 == hash);
    assert!(gone(&a), "the forget reached A");
    stdout(sk(&a).args(["extract", "--full"]));
    assert!(gone(&a), "sk extract --full brought it back");
    pg.sync(&a);
    pg.sync(&b);
    assert!(gone(&a) && gone(&b));
    assert_eq!(knowledge(&a), knowledge(&b));
}

#[test]
fn concurrent_edits_and_pins_of_one_entry_converge() {
    let Some(mut pg) = Pg::start() else { return };
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    let url = pg.url(&alice);
    setup(&a, &url, "team-a", "a");
    learn(&a, "Prefer rustls over openssl", "No system library to install.");
    pg.sync(&a);
    let b = replica(&url, "team-a", "b");
    pg.sync(&b);
    let (ia, ib) = (
        id_by_title(&a, "Prefer rustls over openssl"),
        id_by_title(&b, "Prefer rustls over openssl"),
    );
    // Both edit before either syncs; B also pins.
    stdout(sk(&a).args([
        "knowledge",
        "edit",
        &ia,
        "--body",
        "A says: use the ring provider.",
    ]));
    stdout(sk(&b).args(["knowledge", "edit", &ib, "--body", "B says: use webpki roots."]));
    stdout(sk(&b).args(["knowledge", "pin", &ib]));
    pg.sync(&a);
    pg.sync(&b);
    pg.sync(&a);
    let (ka, kb) = (knowledge(&a), knowledge(&b));
    assert_eq!(ka, kb, "both replicas hold the same knowledge");
    assert_eq!(ka.len(), 1);
    assert!(ka[0].2.starts_with("B says"), "the later edit wins: {ka:?}");
    assert!(ka[0].3, "the pin travelled: {ka:?}");
}

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

/// Three replicas through the real binary and server: a seeded random interleaving of
/// learn, edit, pin, unpin, forget and sync; after everyone syncs twice, all three hold the
/// same entries, pins and tombstones (the same property as sk-store's proptest, which
/// covers many more interleavings without the network).
#[test]
fn three_replicas_converge_after_a_random_interleaving() {
    for seed in [0x5eed_2026, 7, 1_000_003] {
        if !interleaving(seed) {
            return;
        }
    }
}

/// One seeded run; false when there is no server (the test is skipped).
fn interleaving(mut seed: u64) -> bool {
    let start = seed;
    let Some(mut pg) = Pg::start() else { return false };
    let homes: Vec<TestEnv> = (0..3).map(|_| TestEnv::new()).collect();
    let alice = pg.add_user(&homes[0], "alice", "team-a");
    let bob = pg.add_user(&homes[0], "bob", "team-a");
    for (i, h) in homes.iter().enumerate() {
        let role = if i == 2 { &bob } else { &alice };
        setup(h, &pg.url(role), "team-a", &format!("r{i}"));
    }
    const LESSONS: [(&str, &str); 3] = [
        (
            "Vacuum the database weekly",
            "Large deletes leave free pages behind.",
        ),
        (
            "Pin the toolchain version",
            "rust-toolchain.toml keeps CI and laptops equal.",
        ),
        (
            "Never log connection strings",
            "They carry passwords in the userinfo.",
        ),
    ];
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let id_of = |env: &TestEnv, title: &str| -> Option<String> {
        let doc = json_of(sk(env).args(["knowledge", "export"]));
        let hash = doc["entries"].as_array()?.iter().find(|e| e["title"] == title)?["id"].as_i64()?;
        Some(hash.to_string())
    };
    for step in 0..60 {
        let h = &homes[next(3) as usize];
        let (title, body) = LESSONS[next(3) as usize];
        match next(6) {
            0 => {
                learn(h, title, body);
            }
            1 => {
                if let Some(id) = id_of(h, title) {
                    let text = format!("Edited at step {step}.");
                    stdout(sk(h).args(["knowledge", "edit", &id, "--body", &text]));
                }
            }
            2 | 3 => {
                if let Some(id) = id_of(h, title) {
                    let verb = if next(2) == 0 { "pin" } else { "unpin" };
                    stdout(sk(h).args(["knowledge", verb, &id]));
                }
            }
            4 => {
                if let Some(id) = id_of(h, title) {
                    stdout(sk(h).args(["knowledge", "forget", &id]));
                }
            }
            _ => {
                pg.sync(h);
            }
        }
    }
    for _ in 0..2 {
        for h in &homes {
            pg.sync(h);
        }
    }
    let state = |env: &TestEnv| {
        let doc = json_of(sk(env).args(["knowledge", "export"]));
        let mut forgotten: Vec<String> = doc["forgotten"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t["content_hash"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        forgotten.sort();
        (knowledge(env), forgotten)
    };
    let first = state(&homes[0]);
    eprintln!("seed {start}: three replicas agree on {first:?}");
    for h in &homes[1..] {
        assert_eq!(first, state(h), "replicas differ (seed {start})");
    }
    true
}

/// Starts `sk sync push` stopping at the fault point `point`, and waits until it is there.
fn push_stopped_at(env: &TestEnv, point: &str) -> std::process::Child {
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

/// A replica that joins late queues what it knew at the time it was recorded, not as a new
/// change: its older copy of an entry does not overwrite an edit made elsewhere since.
#[test]
fn knowledge_queued_at_setup_does_not_override_a_newer_edit_made_elsewhere() {
    let Some(mut pg) = Pg::start() else { return };
    let (a, c) = (TestEnv::new(), TestEnv::new());
    let alice = pg.add_user(&a, "alice", "team-a");
    let title = "Keep migrations append-only";
    learn(&c, title, "A shipped migration never changes.");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let id = learn(&a, title, "A shipped migration never changes.");
    stdout(sk(&a).args([
        "knowledge",
        "edit",
        &id,
        "--body",
        "Write a new migration instead.",
    ]));
    setup(&a, &pg.url(&alice), "team-a", "a");
    pg.sync(&a);
    setup(&c, &pg.url(&alice), "team-a", "c");
    pg.sync(&c);
    pg.sync(&a);
    let (ka, kc) = (knowledge(&a), knowledge(&c));
    assert_eq!(ka, kc);
    assert_eq!(ka.len(), 1, "{ka:?}");
    assert_eq!(ka[0].2, "Write a new migration instead.", "{ka:?}");
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
