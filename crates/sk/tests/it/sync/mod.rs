//! `sk sync` against the real PostgreSQL server: every test makes its own database
//! `sk_sync_t_<random>` and roles suffixed with the same random id (role names are
//! cluster-wide), prepares it with `sk sync print-admin-sql` as the superuser, runs the
//! real binary in temporary homes as replicas of a team, and drops everything at the end.
//! The server is `SK_SYNC_TEST_URL` (default postgres://postgres@127.0.0.1:5432/postgres).
//! Without a server the tests are skipped with a note, unless `SK_SYNC_PG_REQUIRED=1`
//! (CI), which makes them fail.

use std::str::FromStr;

use postgres::{Client, NoTls};
use serde_json::Value;
use sk_test::TestEnv;

use crate::knowledge::{json_of, sk, stdout};

mod basics;
mod convergence;
mod faults;
mod recovery;
mod sessions;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Every user URL carries this password: no output may ever show it.
pub(super) const PASSWORD: &str = "pw-Zq7vNotForPrinting";

/// A database and roles of one test, dropped when it ends.
pub(crate) struct Pg {
    admin_url: String,
    host: String,
    port: u16,
    pub(super) db: String,
    tag: String,
    users: Vec<String>,
    /// Roles with names of their own (not tagged) this test created: the runbook's.
    adopted: Vec<String>,
}

impl Pg {
    /// None (after a note) when no server answers and it is not required.
    pub(crate) fn start() -> Option<Pg> {
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
            adopted: Vec::new(),
        })
    }

    /// The libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE) that point `psql` and the
    /// runbook's commands at the test database as the admin.
    pub(crate) fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let user = postgres::Config::from_str(&self.admin_url)
            .ok()
            .and_then(|c| c.get_user().map(str::to_string))
            .unwrap_or_else(|| "postgres".into());
        vec![
            ("PGHOST", self.host.clone()),
            ("PGPORT", self.port.to_string()),
            ("PGUSER", user),
            ("PGDATABASE", self.db.clone()),
        ]
    }

    /// Roles a test creates under fixed names (role names are cluster-wide): those that
    /// do not exist yet are dropped at the end; existing ones are left alone.
    pub(crate) fn adopt_roles(&mut self, names: &[&str]) {
        let mut admin = self.admin();
        for name in names {
            let exists = admin
                .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[name])
                .expect("look up a role")
                .is_some();
            if !exists {
                self.adopted.push((*name).to_string());
            }
        }
    }

    pub(super) fn role(&self, name: &str) -> String {
        format!("skt_{}_{name}", self.tag)
    }

    /// The superuser, connected to the test database.
    pub(super) fn admin(&self) -> Client {
        let mut config = postgres::Config::from_str(&self.admin_url).expect("url");
        config.dbname(&self.db);
        config.connect(NoTls).expect("connect as the admin")
    }

    /// Runs `sk sync print-admin-sql` for `user` in `team` as the superuser (the admin's
    /// part is idempotent, so it runs again for every user).
    pub(super) fn add_user(&mut self, env: &TestEnv, user: &str, team: &str) -> String {
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
    pub(super) fn url(&self, role: &str) -> String {
        format!(
            "postgres://{role}:{PASSWORD}@{}:{}/{}",
            self.host, self.port, self.db
        )
    }

    /// A connection as `role` (the server trusts local roles).
    pub(super) fn connect_as(&self, role: &str) -> Client {
        Client::connect(&self.url(role), NoTls).expect("connect as a user")
    }

    /// Waits (with a deadline) until every change on the remote is below the pull horizon:
    /// any open transaction in the cluster (another test's push) holds newer rows back
    /// from pulls for a moment, which delays but never loses them (NOTES.md).
    pub(super) fn settle(&self) {
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
    pub(super) fn sync(&self, env: &TestEnv) -> Value {
        self.settle();
        json_of(sk(env).args(["sync", "--json"]))
    }

    /// Rows in the remote change log (seen by the superuser, who bypasses RLS).
    pub(super) fn changes(&self) -> i64 {
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
        // Members before the groups they belong to.
        roles.extend(self.adopted.iter().cloned());
        for r in roles {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
        }
    }
}

pub(super) fn random_tag() -> String {
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
pub(super) fn replica(url: &str, team: &str, label: &str) -> TestEnv {
    let env = TestEnv::new();
    setup(&env, url, team, label);
    env
}

pub(super) fn setup(env: &TestEnv, url: &str, team: &str, label: &str) {
    let out = stdout(sk(env).args(["sync", "setup", url, "--team", team, "--label", label]));
    assert!(!out.contains(PASSWORD), "{out}");
}

pub(super) fn learn(env: &TestEnv, title: &str, body: &str) -> String {
    let v = json_of(sk(env).args(["learn", "--tool", title, body, "--json"]));
    v["id"].as_i64().expect("learned id").to_string()
}

/// The knowledge entries of a home, by title, with the fields that must agree.
pub(super) fn knowledge(env: &TestEnv) -> Vec<(String, String, String, bool)> {
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

pub(super) fn id_by_title(env: &TestEnv, title: &str) -> String {
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

/// The `sync` finding of `sk doctor --json`.
pub(super) fn doctor_sync(env: &TestEnv) -> Value {
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

/// A second machine that starts as a copy of `a`: its knowledge base and sync
/// configuration, as a restore on another machine would bring them (same replica id).
pub(super) fn copy_of(a: &TestEnv) -> TestEnv {
    let c = TestEnv::new();
    std::fs::create_dir_all(c.db().parent().expect("folder")).expect("mkdir");
    rusqlite::Connection::open(a.db())
        .expect("open")
        .execute("VACUUM INTO ?1", [c.db().to_str().expect("utf8 path")])
        .expect("copy the database");
    let markers = c.copilot_home().join("markers");
    std::fs::create_dir_all(&markers).expect("mkdir");
    std::fs::copy(
        a.copilot_home().join("markers/sync.json"),
        markers.join("sync.json"),
    )
    .expect("copy config");
    c
}

/// Alice's replica `a` after one sync, and `c`, a copy of it taken then (same replica id,
/// same next seq); each has learned one thing since.
pub(super) fn original_and_copy(pg: &mut Pg) -> (TestEnv, TestEnv) {
    let a = TestEnv::new();
    let alice = pg.add_user(&a, "alice", "team-a");
    setup(&a, &pg.url(&alice), "team-a", "a");
    learn(&a, "Copied homes share a replica id", "Until one of them pushes.");
    pg.sync(&a);
    let c = copy_of(&a);
    learn(&a, "Learned on the original", "After the copy was taken.");
    learn(
        &c,
        "Learned on the copy",
        "With the same next seq as the original.",
    );
    (a, c)
}
