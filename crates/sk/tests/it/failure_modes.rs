//! Bad input and hostile conditions: each gets a one-line error naming the path and the
//! problem, a non-zero exit, and no change to anything.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use rusqlite::Connection;
use sk_store::lock::WriterLock;
use sk_test::TestEnv;

#[test]
fn a_directory_as_database_is_refused() {
    let env = TestEnv::new();
    let dir = env.home().join("adir");
    std::fs::create_dir(&dir).expect("mkdir");
    env.sk()
        .arg("migrate")
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is a directory"));
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_untouched() {
    let env = TestEnv::new();
    let path = env.write("notes.txt", "dear diary, today the agent broke the build");
    env.sk().arg("migrate").arg(&path).assert().code(1).stderr(
        predicate::str::contains("not an SQLite database").and(predicate::str::contains("notes.txt")),
    );
    env.sk().arg("--db").arg(&path).arg("status").assert().code(1);
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "dear diary, today the agent broke the build"
    );
    assert!(!sk_core::paths::sidecar(&path, "-wal").exists());
}

#[test]
fn a_truncated_database_is_reported_as_damaged() {
    let env = TestEnv::new();
    env.sk().arg("migrate").assert().success();
    {
        let c = Connection::open(env.db()).expect("open");
        for i in 0..2000 {
            c.execute(
                "INSERT INTO telemetry (at, surface, query) VALUES (?1, 'test', 'padding padding padding')",
                [i],
            )
            .expect("insert");
        }
    }
    let len = std::fs::metadata(env.db()).expect("meta").len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(env.db())
        .expect("open for truncate");
    f.set_len(len / 2).expect("truncate");
    drop(f);
    let before = std::fs::read(env.db()).expect("read");
    env.sk()
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("truncated").and(predicate::str::contains("knowledge.db")));
    env.sk()
        .arg("migrate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("truncated"));
    assert_eq!(std::fs::read(env.db()).expect("read"), before, "nothing modified");
}

#[test]
fn an_unwritable_location_is_reported() {
    let env = TestEnv::new();
    let target = unwritable_dir(&env).join("knowledge.db");
    env.sk()
        .arg("migrate")
        .arg(&target)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            target.parent().expect("parent").display().to_string(),
        ));
}

#[test]
fn backup_to_an_unwritable_or_missing_place_fails_and_leaves_nothing() {
    let env = TestEnv::new();
    env.sk().arg("migrate").assert().success();
    let missing = env.home().join("no/such/dir/b.db");
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&missing)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!missing.exists());
    let ro = unwritable_dir(&env).join("b.db");
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&ro)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("b.db"));
    assert!(!ro.exists());
}

#[test]
fn backup_to_a_full_disk_fails_and_leaves_nothing() {
    let env = TestEnv::new();
    env.sk().arg("migrate").assert().success();
    {
        // Make the database larger than the tiny file system below.
        let c = Connection::open(env.db()).expect("open");
        for i in 0..3000 {
            c.execute(
                "INSERT INTO telemetry (at, surface, query) VALUES (?1, 'test', 'fill the disk please')",
                [i],
            )
            .expect("insert");
        }
    }
    let Some(mount) = TinyTmpfs::mount(&env.home().join("full")) else {
        eprintln!(
            "skipped: cannot mount a tmpfs here (needs root); the unwritable-path test covers the error path"
        );
        return;
    };
    let dest = mount.path.join("knowledge.db.backup");
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&dest)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("backing up"));
    let left: Vec<_> = std::fs::read_dir(&mount.path)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "partial files left on the full disk: {left:?}");
}

#[test]
fn a_held_writer_lock_gives_the_busy_error_naming_the_holder() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.db().parent().expect("parent")).expect("mkdir");
    let lock = WriterLock::acquire(&env.db(), "sk watch", Duration::ZERO).expect("hold the lock");
    let started = Instant::now();
    // A fresh database needs its migrations, which need the writer lock.
    env.sk().arg("migrate").assert().code(3).stderr(
        predicate::str::contains("busy")
            .and(predicate::str::contains(format!("pid {}", std::process::id())))
            .and(predicate::str::contains("sk watch --stop")),
    );
    assert!(started.elapsed() < Duration::from_secs(30), "no hang");
    let backup = env.home().join("b.db");
    drop(lock);
    env.sk().arg("migrate").assert().success();
    env.sk()
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&backup)
        .assert()
        .success();
    let _lock = WriterLock::acquire(&env.db(), "sk index", Duration::ZERO).expect("hold again");
    env.sk()
        .args(["migrate", "--restore"])
        .arg(&backup)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("sk index"));
}

#[test]
fn a_foreign_sqlite_write_lock_times_out_as_busy_not_a_hang() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.db().parent().expect("parent")).expect("mkdir");
    let c = Connection::open(env.db()).expect("open");
    c.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE other (x); BEGIN IMMEDIATE; INSERT INTO other VALUES (1);",
    )
    .expect("hold write lock");
    let started = Instant::now();
    env.sk()
        .arg("migrate")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("busy"));
    assert!(started.elapsed() < Duration::from_secs(30));
    c.execute_batch("ROLLBACK").expect("release");
}

/// A folder this process cannot create files in. Root ignores permission bits, so as root
/// use a sysfs path, which refuses file creation to everyone.
fn unwritable_dir(env: &TestEnv) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = env.home().join("readonly");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(dir.join("probe"), b"x").is_ok() {
        let _ = std::fs::remove_file(dir.join("probe"));
        return PathBuf::from("/sys/sk-test-unwritable");
    }
    dir
}

/// A 64 KiB tmpfs, unmounted on drop.
struct TinyTmpfs {
    path: PathBuf,
}

impl TinyTmpfs {
    fn mount(path: &Path) -> Option<TinyTmpfs> {
        std::fs::create_dir_all(path).ok()?;
        let ok = StdCommand::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| TinyTmpfs {
            path: path.to_path_buf(),
        })
    }
}

impl Drop for TinyTmpfs {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(&self.path).status();
    }
}
