//! Backups verify or fail loudly; restores keep the bad database aside.

use std::path::Path;

use sk_store::backup::{backup_verified, verify};
use sk_store::restore::restore;
use sk_store::{Store, StoreError};

use crate::support::{count, db_at_version, seed_v1};

fn seeded(dir: &Path) -> Store {
    let store = db_at_version(&dir.join("knowledge.db"), sk_store::SCHEMA_VERSION);
    seed_v1(&store);
    store
}

#[test]
fn backup_copies_every_row_and_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeded(dir.path());
    let dest = dir.path().join("copy.db");
    let report = backup_verified(&store, &dest).expect("backup");
    assert!(report.bytes > 0);
    assert!(
        report.tables.iter().any(|(t, n)| t == "records" && *n == 2),
        "{:?}",
        report.tables
    );
    verify(&dest, &report.tables).expect("re-verifies");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");
}

#[test]
fn backup_into_a_missing_folder_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeded(dir.path());
    let dest = dir.path().join("nope").join("copy.db");
    let err = backup_verified(&store, &dest).expect_err("must fail");
    assert!(matches!(err, StoreError::BackupVerifyFailed { .. }), "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(!dest.exists());
}

#[test]
fn a_failed_backup_never_replaces_an_existing_good_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeded(dir.path());
    let dest = dir.path().join("copy.db");
    backup_verified(&store, &dest).expect("first backup");
    let good = std::fs::read(&dest).expect("read");
    // A directory where the backup wants to write its temporary file makes the copy fail.
    let tmp = dir.path().join(format!(".copy.db.tmp-{}", std::process::id()));
    std::fs::create_dir(&tmp).expect("block the temp name");
    assert!(backup_verified(&store, &dest).is_err());
    assert_eq!(
        std::fs::read(&dest).expect("read"),
        good,
        "the good backup is untouched"
    );
}

#[test]
fn verify_rejects_empty_garbage_and_mismatched_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    assert!(
        verify(&empty, &[])
            .expect_err("empty")
            .to_string()
            .contains("empty")
    );
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not sqlite at all, not even close....").expect("write");
    assert!(verify(&junk, &[]).is_err());
    let store = seeded(dir.path());
    let dest = dir.path().join("copy.db");
    backup_verified(&store, &dest).expect("backup");
    let wrong = vec![("records".to_string(), 3)];
    let err = verify(&dest, &wrong).expect_err("count mismatch");
    assert!(err.to_string().contains("records"), "{err}");
}

#[test]
fn restore_keeps_the_bad_database_and_its_sidecars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeded(dir.path());
    let backup = dir.path().join("good.db");
    backup_verified(&store, &backup).expect("backup");
    drop(store);
    let db = dir.path().join("knowledge.db");
    std::fs::write(&db, b"SQLite format 3\0 but then garbage").expect("corrupt db");
    std::fs::write(sk_core::paths::sidecar(&db, "-wal"), b"stale wal").expect("stale wal");
    std::fs::write(sk_core::paths::sidecar(&db, "-shm"), b"stale shm").expect("stale shm");
    let report = restore(&db, &backup).expect("restore");
    assert_eq!(report.moved_aside.len(), 3, "{:?}", report.moved_aside);
    for kept in &report.moved_aside {
        let name = kept.file_name().expect("name").to_string_lossy().into_owned();
        assert!(name.contains(".corrupt-"), "{name}");
        assert!(kept.exists());
    }
    assert!(
        std::fs::read(&report.moved_aside[0])
            .expect("read")
            .starts_with(b"SQLite format 3\0 but")
    );
    assert_eq!(report.migrate.applied, 0, "restored backup is current");
    let restored = Store::open(&db).expect("opens");
    assert_eq!(count(&restored, "records"), 2);
}

#[test]
fn restore_from_a_bad_backup_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeded(dir.path());
    drop(store);
    let db = dir.path().join("knowledge.db");
    let before = std::fs::read(&db).expect("read");
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, b"nope").expect("write");
    assert!(restore(&db, &bad).is_err());
    assert_eq!(std::fs::read(&db).expect("read"), before);
}
