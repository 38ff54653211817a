//! Verified backups (runbook §2.1, §6.5): a consistent copy made with SQLite's online
//! backup API, then checked — exists, non-empty, `PRAGMA quick_check` = ok, every table's
//! row count equal to the source's at the same snapshot. The copy is written to a temporary
//! name and renamed into place only after it verified, so a failed backup never leaves a
//! partial file and never replaces a good one.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::{Store, StoreError};

/// Automatic pre-migration backups kept beside the database.
pub const AUTO_BACKUPS_KEPT: usize = 5;

/// A backup that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    /// Row count per table, as verified in the copy.
    pub tables: Vec<(String, i64)>,
}

impl BackupReport {
    pub fn total_rows(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Copies `store` to `dest` and verifies the copy; on any failure nothing is left at a
/// temporary name and an existing `dest` is untouched.
pub fn backup_verified(store: &Store, dest: &Path) -> Result<BackupReport, StoreError> {
    let fail = |reason: String| StoreError::BackupVerifyFailed {
        path: dest.to_path_buf(),
        reason,
    };
    if dest.is_dir() {
        return Err(fail("the backup path is a directory; give a file name".into()));
    }
    let parent = match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(fail(format!("its folder {} does not exist", parent.display())));
    }
    if same_file(store.path(), dest) {
        return Err(fail("the backup path is the database itself".into()));
    }
    let file_name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = copy_and_verify(store, &tmp).and_then(|tables| {
        fs::rename(&tmp, dest).map_err(StoreError::io(dest))?;
        sync_dir(&parent);
        let bytes = fs::metadata(dest).map_err(StoreError::io(dest))?.len();
        Ok(BackupReport {
            path: dest.to_path_buf(),
            bytes,
            tables,
        })
    });
    if result.is_err() {
        remove_with_sidecars(&tmp);
    }
    result
}

/// The pre-migration backup beside the database, `<db>.backup-v<from>-<UTC stamp>`;
/// older automatic backups beyond [`AUTO_BACKUPS_KEPT`] are pruned.
pub fn auto_backup(store: &Store, from: u32) -> Result<BackupReport, StoreError> {
    let db = store.path();
    let stamp = sk_core::time::file_stamp(sk_core::time::now_ms());
    let dest = sk_core::paths::sidecar(db, &format!(".backup-v{from}-{stamp}"));
    let report = backup_verified(store, &dest)?;
    prune_auto_backups(db);
    Ok(report)
}

/// The automatic backups beside `db` (`<db>.backup-v*`), oldest first.
pub fn auto_backups(db: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (db.parent(), db.file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}.backup-v", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return Vec::new();
    };
    let mut backups: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    backups.sort();
    backups.into_iter().map(|(_, p)| p).collect()
}

fn prune_auto_backups(db: &Path) {
    let backups = auto_backups(db);
    let excess = backups.len().saturating_sub(AUTO_BACKUPS_KEPT);
    for path in backups.into_iter().take(excess) {
        let _ = fs::remove_file(path);
    }
}

fn copy_and_verify(store: &Store, tmp: &Path) -> Result<Vec<(String, i64)>, StoreError> {
    let src = store.conn();
    // One read transaction: the counts and the copied pages come from the same snapshot,
    // even while another connection keeps writing.
    src.execute_batch("BEGIN")
        .map_err(StoreError::sql(store.path()))?;
    let copied = (|| {
        let expected = table_counts(src).map_err(StoreError::sql(store.path()))?;
        let mut dst = Connection::open(tmp).map_err(StoreError::sql(tmp))?;
        {
            let backup = rusqlite::backup::Backup::new(src, &mut dst).map_err(StoreError::sql(tmp))?;
            match backup.step(-1).map_err(StoreError::sql(tmp))? {
                rusqlite::backup::StepResult::Done => {}
                other => {
                    return Err(StoreError::BackupVerifyFailed {
                        path: tmp.to_path_buf(),
                        reason: format!("the copy did not complete ({other:?})"),
                    });
                }
            }
        }
        // A self-contained single file: no -wal needed to read it.
        dst.pragma_update(None, "journal_mode", "DELETE")
            .map_err(StoreError::sql(tmp))?;
        dst.close().map_err(|(_, e)| StoreError::sql(tmp)(e))?;
        Ok(expected)
    })();
    let _ = src.execute_batch("COMMIT");
    let expected = copied?;
    crate::open::private_file(tmp)?;
    fsync(tmp)?;
    verify(tmp, &expected)?;
    Ok(expected)
}

/// Checks a backup file on its own: non-empty, opens, `quick_check` ok, and (when given)
/// the row count of every table matches.
pub fn verify(path: &Path, expected: &[(String, i64)]) -> Result<(), StoreError> {
    let fail = |reason: String| StoreError::BackupVerifyFailed {
        path: path.to_path_buf(),
        reason,
    };
    let meta = fs::metadata(path).map_err(|e| fail(format!("cannot stat it: {e}")))?;
    if meta.len() == 0 {
        return Err(fail("the file is empty".into()));
    }
    crate::open::check_file(path).map_err(|e| fail(e.to_string()))?;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| fail(format!("cannot open it: {e}")))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| fail(format!("quick_check could not run: {e}")))?;
    if check != "ok" {
        return Err(fail(format!("quick_check reported: {check}")));
    }
    let got = table_counts(&conn).map_err(|e| fail(format!("cannot count rows: {e}")))?;
    for (table, n) in expected {
        let have = got.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
        if have != Some(*n) {
            return Err(fail(format!(
                "table {table} has {} rows in the copy, {n} in the source",
                have.map_or_else(|| "no".to_string(), |h| h.to_string())
            )));
        }
    }
    Ok(())
}

/// Row count of every ordinary table (FTS shadow tables included, virtual tables skipped).
pub fn table_counts(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    names
        .into_iter()
        .map(|name| {
            let n = conn.query_row(
                &format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\"")),
                [],
                |r| r.get(0),
            )?;
            Ok((name, n))
        })
        .collect()
}

fn fsync(path: &Path) -> Result<(), StoreError> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(StoreError::io(path))
}

/// Makes a rename durable. Best effort: not every platform can open a directory.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = fs::remove_file(sk_core::paths::sidecar(path, suffix));
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
