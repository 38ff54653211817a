//! Opening the database: checking the file is what it claims to be before SQLite touches
//! it, the pragmas every connection needs, and migrating on open so no command ever runs
//! against an old schema.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;
use crate::lock::WriterLock;
use crate::migrate::{self, MigrateOutcome};

/// How long a connection waits for another writer before reporting the database busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open knowledge database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database for reading and writing, creating it (and its folder) if needed,
    /// and applies pending migrations (taking a verified backup first when the file already
    /// holds data). The writer lock is held only while migrating.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let store = Store::open_unmigrated(path)?;
        let plan = migrate::plan_for(&store)?;
        if !plan.pending.is_empty() {
            let _lock = WriterLock::acquire(path, "sk (migrating on open)", BUSY_TIMEOUT)?;
            migrate::apply(&store, &plan)?;
        }
        Ok(store)
    }

    /// Opens read-write with the pragmas set but without migrating: for `sk migrate`, which
    /// reports what it does, and for tests that build old-schema fixtures.
    pub fn open_unmigrated(path: &Path) -> Result<Store, StoreError> {
        check_file(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(StoreError::io(parent))?;
        }
        let is_new = !path.exists();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(StoreError::sql(path))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        if is_new {
            // The database holds the user's conversations: private to its owner.
            private_file(path)?;
        }
        store.apply_pragmas(true)?;
        Ok(store)
    }

    /// Opens an existing database read-only (hooks, status, exports). Never creates or
    /// migrates; [`Store::require_latest`] refuses one older than this build.
    pub fn open_readonly(path: &Path) -> Result<Store, StoreError> {
        Store::open_existing(path, false)
    }

    /// Opens an existing database for a recall command (query, brief, show, session):
    /// read-only in effect (`query_only`) like [`Store::open_readonly`], but on a read-write
    /// handle when the file allows it, so that the command can move the telemetry spool
    /// into the table on the same connection when the spool has grown
    /// ([`crate::telemetry::record`]) instead of a second open.
    pub fn open_for_recall(path: &Path) -> Result<Store, StoreError> {
        let store = Store::open_existing(path, true)?;
        // As the last connection to close, a read-write handle would checkpoint the WAL and
        // fsync: not a reader's job (a telemetry drain keeps the WAL short itself).
        store
            .conn
            .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(StoreError::sql(path))?;
        Ok(store)
    }

    /// An existing database with the readers' pragmas; `writable` asks for a read-write
    /// handle and settles for a read-only one when the file cannot be written.
    fn open_existing(path: &Path, writable: bool) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        check_file(path)?;
        let access = match writable {
            true => OpenFlags::SQLITE_OPEN_READ_WRITE,
            false => OpenFlags::SQLITE_OPEN_READ_ONLY,
        };
        let conn = match Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX) {
            Ok(conn) => conn,
            Err(_) if writable => return Store::open_existing(path, false),
            Err(e) => return Err(StoreError::sql(path)(e)),
        };
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.apply_pragmas(false)?;
        // Readers are short-lived processes (queries, hooks) with a cold page cache: mapping
        // the file saves a read() and a copy per page visited. `query_only` makes a
        // read-write handle refuse writes until telemetry lifts it.
        store
            .conn
            .execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA query_only = 1;")
            .map_err(StoreError::sql(path))?;
        Ok(store)
    }

    /// Fails with [`StoreError::Outdated`] when the database is older than this build's
    /// schema: readers never migrate, and a read that needs a newer object (`sk brief`
    /// reads schema v2's indexes) should say what to run rather than "no such table".
    pub fn require_latest(&self) -> Result<(), StoreError> {
        let found = migrate::current_version(self)?;
        let latest = crate::migrations::latest();
        if found < latest {
            return Err(StoreError::Outdated {
                path: self.path.clone(),
                found,
                latest,
            });
        }
        Ok(())
    }

    /// Shortens how long queries wait on a locked database: a hook must answer in
    /// milliseconds and would rather fail open than wait the default five seconds.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(wait).map_err(StoreError::sql(&self.path))
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the database (0 for a new file).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrate::current_version(self)
    }

    /// Applies pending migrations and reports what happened (the `sk migrate` path).
    pub fn migrate(&self) -> Result<MigrateOutcome, StoreError> {
        let plan = migrate::plan_for(self)?;
        if plan.pending.is_empty() {
            return Ok(MigrateOutcome {
                from: plan.from,
                to: plan.from,
                applied: 0,
                backup: None,
            });
        }
        let _lock = WriterLock::acquire(&self.path, "sk migrate", BUSY_TIMEOUT)?;
        migrate::apply(self, &plan)
    }

    fn apply_pragmas(&self, writable: bool) -> Result<(), StoreError> {
        let sql = StoreError::sql(&self.path);
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(StoreError::sql(&self.path))?;
        // The query planner stability guarantee: without it SQLite plans a statement with
        // `LIMIT ?` or `col = ?` again when the bound value changes (and at the first bind),
        // so nearly every statement of a query — and FTS5's own inner ones — was compiled
        // twice: a fifth of the instructions of `sk query`. sk's plans do not depend on
        // the values.
        self.conn
            .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(StoreError::sql(&self.path))?;
        let mut batch = String::from("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
        if writable {
            // WAL lets readers (hooks, queries) run while the indexer writes.
            batch.push_str("PRAGMA journal_mode = WAL;");
        }
        self.conn.execute_batch(&batch).map_err(sql)
    }
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses paths SQLite would mishandle or silently overwrite: a directory, a file that is
/// not SQLite, or one cut short (its header promises more pages than the file holds).
///
/// Another process may be checkpointing its write-ahead log into the file while this one
/// looks: the checkpoint writes page 1 (the header, with the new page count) before the
/// pages that extend the file, so for a moment a healthy database looks cut short (seen
/// when `sk query` ran while a hook's `sk index` finished). A file that looks truncated is
/// therefore looked at again, a few times over a fraction of a second, and only one that
/// stays short is reported.
pub fn check_file(path: &Path) -> Result<(), StoreError> {
    let mut wait = TRUNCATION_RECHECK_MS;
    loop {
        match check_file_once(path) {
            Err(StoreError::Corrupt { .. }) if wait <= TRUNCATION_RECHECK_MAX_MS => {
                std::thread::sleep(std::time::Duration::from_millis(wait));
                wait *= 2;
            }
            other => return other,
        }
    }
}

/// The first wait before a file that looked truncated is looked at again, and the last:
/// 25 + 50 + 100 + 200 ms, far longer than a checkpoint of sk's size takes.
const TRUNCATION_RECHECK_MS: u64 = 25;
const TRUNCATION_RECHECK_MAX_MS: u64 = 200;

fn check_file_once(path: &Path) -> Result<(), StoreError> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(path)(e)),
    };
    if meta.is_dir() {
        return Err(StoreError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    let mut file = fs::File::open(path).map_err(StoreError::io(path))?;
    let n = read_up_to(&mut file, &mut header).map_err(StoreError::io(path))?;
    if n < 16 || &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    if n < 100 {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("file is {n} bytes, shorter than an SQLite header"),
        });
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        p => u64::from(p),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    let change_counter = &header[24..28];
    let valid_for = &header[92..96];
    // The page count in the header is only authoritative when these two agree (SQLite §1.3.7).
    // The size is read after the header, so a file extended in between is not taken for
    // one cut short.
    let len = file.metadata().map_err(StoreError::io(path))?.len();
    if change_counter == valid_for && pages > 0 && len < pages * page_size {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!(
                "truncated: the header says {} bytes ({pages} pages) but the file has {len}",
                pages * page_size,
            ),
        });
    }
    Ok(())
}

fn read_up_to(file: &mut fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Restricts a file to its owner (0600) where the platform has such permissions.
pub fn private_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(StoreError::io(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database file whose header promises more pages than it holds, as a checkpoint
    /// leaves it for a moment (page 1 written before the pages that extend the file).
    fn looks_truncated(path: &Path, pages: u32, page_size: u16, len: u64) {
        let mut header = vec![0u8; 100];
        header[..16].copy_from_slice(SQLITE_MAGIC);
        header[16..18].copy_from_slice(&page_size.to_be_bytes());
        header[28..32].copy_from_slice(&pages.to_be_bytes());
        // Change counter and version-valid-for agree: the page count is authoritative.
        header[24..28].copy_from_slice(&7u32.to_be_bytes());
        header[92..96].copy_from_slice(&7u32.to_be_bytes());
        fs::write(path, &header).expect("write header");
        fs::File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_len(len))
            .expect("size the file");
    }

    #[test]
    fn a_file_extended_while_it_is_checked_is_not_damaged_and_one_that_stays_short_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("knowledge.db");
        looks_truncated(&path, 8, 4096, 4 * 4096);
        // Another process finishes its checkpoint a moment later.
        let extend = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(5));
                fs::File::options()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(8 * 4096))
                    .expect("extend");
            })
        };
        let checked = check_file(&path);
        extend.join().expect("extender");
        assert!(checked.is_ok(), "{checked:?}");

        looks_truncated(&path, 8, 4096, 4 * 4096);
        let err = check_file(&path).expect_err("cut short for good");
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}
