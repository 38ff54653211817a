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
pub fn check_file(path: &Path) -> Result<(), StoreError> {
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
    if change_counter == valid_for && pages > 0 && meta.len() < pages * page_size {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!(
                "truncated: the header says {} bytes ({pages} pages) but the file has {}",
                pages * page_size,
                meta.len()
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
