//! Restoring a backup (runbook §2.2–2.4): verify it, refuse while an sk writer runs, move
//! the current database and its `-wal`/`-shm` aside as `*.corrupt-<stamp>` (never delete
//! them: someone may need to investigate), put the backup in place atomically, migrate.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sk_core::paths::sidecar;

use crate::backup::{sync_dir, verify};
use crate::lock::WriterLock;
use crate::migrate::MigrateOutcome;
use crate::{Store, StoreError};

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub restored_from: PathBuf,
    /// The previous database files, kept for investigation.
    pub moved_aside: Vec<PathBuf>,
    pub migrate: MigrateOutcome,
}

/// Replaces `db` with the verified backup at `backup`.
pub fn restore(db: &Path, backup: &Path) -> Result<RestoreReport, StoreError> {
    if !backup.exists() {
        return Err(StoreError::Missing {
            path: backup.to_path_buf(),
        });
    }
    verify(backup, &[])?;
    check_backup_schema(backup)?;
    let lock = WriterLock::acquire(db, "sk migrate --restore", Duration::ZERO)?;

    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    let stamp = sk_core::time::file_stamp(sk_core::time::now_ms());
    let mut moved_aside = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let from = sidecar(db, suffix);
        if from.exists() {
            let to = sidecar(&from, &format!(".corrupt-{stamp}"));
            fs::rename(&from, &to).map_err(StoreError::io(&from))?;
            moved_aside.push(to);
        }
    }

    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.restore-{}", std::process::id()));
    let copied = fs::copy(backup, &tmp)
        .and_then(|_| fs::File::open(&tmp)?.sync_all())
        .and_then(|()| fs::rename(&tmp, db));
    if let Err(e) = copied {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::io(db)(e));
    }
    sync_dir(dir);
    drop(lock);

    let store = Store::open_unmigrated(db)?;
    let migrate = store.migrate()?;
    Ok(RestoreReport {
        restored_from: backup.to_path_buf(),
        moved_aside,
        migrate,
    })
}

fn check_backup_schema(backup: &Path) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(StoreError::sql(backup))?;
    let version: Option<u32> = conn
        .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
        .map_err(|_| StoreError::BackupVerifyFailed {
            path: backup.to_path_buf(),
            reason: "it is not an sk knowledge database (no schema_version table)".into(),
        })?;
    let supported = crate::SCHEMA_VERSION;
    match version {
        Some(v) if v > supported => Err(StoreError::TooNew {
            path: backup.to_path_buf(),
            found: v,
            supported,
        }),
        _ => Ok(()),
    }
}
