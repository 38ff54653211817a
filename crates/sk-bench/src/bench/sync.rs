//! The `sk sync` benchmark behind `sk-bench-sync`: two replicas of one team on a real
//! PostgreSQL server, one holding N knowledge entries. It times the first push of all of
//! them, the other replica's first pull, and a sync with nothing to do (the figure every
//! background sync costs), through the real `sk` binary in scratch homes.
//!
//! The server side is made as an administrator would make it: a database of its own
//! (`sk_sync_bench_<pid>`), `sk sync print-admin-sql` run as a superuser, one role per
//! replica owner. Everything is dropped at the end, even when a step fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use postgres::{Client, NoTls};

use sk_sync::config::redact;

use super::report::{Bound, Target};

/// A sync with nothing to push or pull, end to end (process start, connect, version
/// check, empty push, empty pull).
pub const NOCHANGE_SYNC_MEDIAN_MS: Target = Target {
    name: "nochange_sync_median_ms",
    bound: Bound::AtMost(100.0),
    unit: " ms",
    decimals: 1,
};

/// A scratch database and its roles on the server, dropped on drop.
pub struct Remote {
    admin_url: String,
    pub db: String,
    tag: String,
    roles: Vec<String>,
}

impl Remote {
    /// Creates the database `sk_sync_bench_<pid>` through `admin_url` (a superuser).
    pub fn create(admin_url: &str) -> Result<Remote> {
        let mut client = Client::connect(admin_url, NoTls)
            .with_context(|| format!("connecting to PostgreSQL at {}", redact(admin_url)))?;
        let tag = format!("{}", std::process::id());
        let db = format!("sk_sync_bench_{tag}");
        // Two statements: a multi-statement string runs as one transaction, which neither
        // may run in.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .and_then(|()| client.batch_execute(&format!("CREATE DATABASE {db}")))
            .context("creating the benchmark database")?;
        Ok(Remote {
            admin_url: admin_url.to_string(),
            db,
            tag,
            roles: Vec::new(),
        })
    }

    /// A cluster-wide role name unique to this run.
    pub fn role(&self, name: &str) -> String {
        format!("skb_{}_{name}", self.tag)
    }

    /// Runs `sk sync print-admin-sql` for `user` in `team`, as the superuser, in the
    /// benchmark database; returns the user's URL.
    pub fn add_user(&mut self, sk: &Path, home: &Path, user: &str, team: &str) -> Result<String> {
        let role = self.role(user);
        let (owner, group) = (self.role("owner"), self.role("users"));
        let out = scrubbed(sk, home)
            .args(["sync", "print-admin-sql", "--team", team, "--user", &role])
            .args(["--owner-role", &owner, "--group-role", &group])
            .output()
            .context("running sk sync print-admin-sql")?;
        if !out.status.success() {
            bail!(
                "sk sync print-admin-sql: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let sql = String::from_utf8(out.stdout).context("the admin SQL is not UTF-8")?;
        for r in [&owner, &group, &role] {
            if !self.roles.contains(r) {
                self.roles.push(r.clone());
            }
        }
        let mut admin = self.admin()?;
        let mut tx = admin.transaction()?;
        tx.batch_execute(&sql).context("running the admin SQL")?;
        tx.commit()?;
        let mut config = postgres::Config::from_str(&self.admin_url)?;
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        config.dbname(&self.db);
        Ok(format!("postgres://{role}@{host}:{port}/{}", self.db))
    }

    /// The superuser, connected to the benchmark database.
    pub fn admin(&self) -> Result<Client> {
        let mut config = postgres::Config::from_str(&self.admin_url)?;
        config.dbname(&self.db);
        Ok(config.connect(NoTls)?)
    }

    /// Rows in the change log and the database's size on disk.
    pub fn size(&self) -> Result<(i64, i64)> {
        let row = self.admin()?.query_one(
            "SELECT (SELECT count(*) FROM sk_sync.changes), pg_database_size(current_database())",
            &[],
        )?;
        Ok((row.get(0), row.get(1)))
    }

    /// Waits until no change on the remote is held back from pulls by a transaction still
    /// open somewhere in the cluster (they are delayed, never lost: docs/design/sync).
    pub fn settle(&self) -> Result<()> {
        let mut admin = self.admin()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let held: i64 = admin
                .query_one(
                    "SELECT count(*) FROM sk_sync.changes WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())",
                    &[],
                )?
                .get(0);
            if held == 0 {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{held} change(s) held back from pulls for 60 s: a transaction is open on the server");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let Ok(mut client) = Client::connect(&self.admin_url, NoTls) else {
            return;
        };
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
        // Users first: the group and the owner are granted to them.
        for r in self.roles.iter().rev() {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{r}\""));
        }
    }
}

/// Runs `sk ARGS` in `home`; fails with its stderr when it fails. Returns stdout and the
/// wall time.
pub fn run_sk(sk: &Path, home: &Path, args: &[&str]) -> Result<(String, Duration)> {
    let started = Instant::now();
    let out = scrubbed(sk, home)
        .args(args)
        .output()
        .with_context(|| format!("running sk {}", args.join(" ")))?;
    let took = started.elapsed();
    if !out.status.success() {
        bail!(
            "sk {} exited with {}: {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok((String::from_utf8_lossy(&out.stdout).into_owned(), took))
}

/// `sk` in a scratch home on its default database (the eval's scrubbed environment).
fn scrubbed(sk: &Path, home: &Path) -> Command {
    super::eval::Sk {
        bin: sk.to_path_buf(),
        home: home.to_path_buf(),
        db: default_db(home),
    }
    .command(home)
}

/// The knowledge database of a scratch home (sk's default path under HOME).
pub fn default_db(home: &Path) -> PathBuf {
    home.join(".copilot/session-state/knowledge.db")
}

/// How many knowledge entries `home`'s database holds.
pub fn entry_count(db: &Path) -> Result<i64> {
    count(db, "SELECT count(*) FROM entries")
}

/// The number a `SELECT count(*) …` reads from the database at `db`.
pub fn count(db: &Path, sql: &str) -> Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", db.display()))?;
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}
