//! `sk migrate` and `sk status` through the real binary (runbook §2).

use predicates::prelude::*;
use rusqlite::Connection;
use sk_test::TestEnv;

fn quick_check(path: &std::path::Path) -> String {
    let c = Connection::open(path).expect("open");
    c.query_row("PRAGMA quick_check", [], |r| r.get(0))
        .expect("quick_check")
}

#[test]
fn migrate_creates_then_reports_up_to_date() {
    let env = TestEnv::new();
    let v = sk_store::SCHEMA_VERSION;
    env.sk()
        .arg("migrate")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Applied {v} migration(s): v0 → v{v}"
        )));
    assert!(env.db().exists(), "created at the default location under HOME");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.db()).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the database is private to its owner");
    env.sk()
        .arg("migrate")
        .assert()
        .success()
        .stdout(format!("Schema up to date (v{v})\n"));
    let out = env
        .sk()
        .args(["status", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let st: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(st["schema_version"], v);
    assert_eq!(st["path"], env.db().display().to_string());
}

#[test]
fn paths_follow_sk_db_and_the_db_flag() {
    let env = TestEnv::new();
    let via_env = env.home().join("elsewhere.db");
    env.sk().env("SK_DB", &via_env).arg("migrate").assert().success();
    assert!(via_env.exists());
    let via_flag = env.home().join("flag.db");
    env.sk()
        .env("SK_DB", &via_env)
        .args(["--db"])
        .arg(&via_flag)
        .arg("migrate")
        .assert()
        .success();
    assert!(via_flag.exists());
    let positional = env.home().join("pos.db");
    env.sk().arg("migrate").arg(&positional).assert().success();
    assert!(positional.exists());
    assert!(!env.db().exists(), "the default location was never touched");
}

#[test]
fn status_without_a_database_says_what_to_do() {
    let env = TestEnv::new();
    env.sk().arg("status").assert().code(1).stderr(
        predicate::str::contains("no knowledge base yet").and(predicate::str::contains("sk migrate")),
    );
}

#[test]
fn backup_only_while_another_connection_writes_is_verified() {
    let env = TestEnv::new();
    env.sk().arg("migrate").assert().success();
    let db = env.db();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let db = db.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let c = Connection::open(&db).expect("writer opens");
            c.busy_timeout(std::time::Duration::from_secs(5))
                .expect("timeout");
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                c.execute(
                    "INSERT INTO telemetry (at, surface, query) VALUES (?1, 'test', 'concurrent write')",
                    [n as i64],
                )
                .expect("insert");
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(50));
    let dest = env.home().join("knowledge.db.backup");
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&dest)
        .assert()
        .success()
        .stdout(predicate::str::contains("Backup verified:").and(predicate::str::contains("quick_check ok")));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().expect("writer thread");
    assert!(writes > 0);
    assert_eq!(quick_check(&dest), "ok");
}

#[test]
fn backup_of_a_missing_database_fails() {
    let env = TestEnv::new();
    let dest = env.home().join("b.db");
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&dest)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing to back up"));
    assert!(!dest.exists());
}

#[test]
fn restore_preserves_the_bad_database_and_reports_up_to_date() {
    let env = TestEnv::new();
    env.sk().arg("migrate").assert().success();
    let backup = env.home().join("good.db");
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&backup)
        .assert()
        .success();
    let db = env.db();
    std::fs::write(&db, b"garbage that used to be a database").expect("damage");
    std::fs::write(sk_core::paths::sidecar(&db, "-wal"), b"stale").expect("stale wal");
    env.sk()
        .args(["migrate", "--restore"])
        .arg(&backup)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Kept the previous file as")
                .and(predicate::str::contains("Schema up to date")),
        );
    assert_eq!(quick_check(&db), "ok");
    let kept: Vec<String> = std::fs::read_dir(db.parent().expect("dir"))
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".corrupt-"))
        .collect();
    assert!(
        kept.iter().any(|n| n.starts_with("knowledge.db.corrupt-")),
        "{kept:?}"
    );
    assert!(
        kept.iter().any(|n| n.starts_with("knowledge.db-wal.corrupt-")),
        "{kept:?}"
    );
    assert!(!sk_core::paths::sidecar(&db, "-wal").exists() || quick_check(&db) == "ok");
}
