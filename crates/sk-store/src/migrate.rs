//! Applying migrations: a pure plan (what is pending, whether the database is too new or
//! was migrated by a build with different SQL), then one transaction per migration, each
//! recorded in `schema_version`. A failure rolls back and leaves the file as it was.

use std::path::PathBuf;

use rusqlite::params;

use crate::backup;
use crate::migrations::{self, Migration};
use crate::{Store, StoreError};

const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)";

/// A migration recorded as applied in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: u32,
    pub name: String,
    pub checksum: String,
    pub applied_at: i64,
}

/// What `migrate` will do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub from: u32,
    pub pending: Vec<Migration>,
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateOutcome {
    pub from: u32,
    pub to: u32,
    pub applied: usize,
    /// The verified backup taken before migrating a database that held data.
    pub backup: Option<PathBuf>,
}

/// Decides what to apply. Pure: tests drive it with any list of migrations.
pub fn plan(
    path: &std::path::Path,
    applied: &[Applied],
    available: &[Migration],
) -> Result<Plan, StoreError> {
    let from = applied.iter().map(|a| a.version).max().unwrap_or(0);
    let supported = available.last().map_or(0, |m| m.version);
    if from > supported {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: from,
            supported,
        });
    }
    for a in applied {
        if let Some(m) = available.iter().find(|m| m.version == a.version)
            && m.checksum() != a.checksum
        {
            return Err(StoreError::MigrationChanged {
                version: a.version,
                name: a.name.clone(),
                recorded: a.checksum.clone(),
                expected: m.checksum(),
            });
        }
    }
    let pending = available.iter().filter(|m| m.version > from).copied().collect();
    Ok(Plan { from, pending })
}

/// Plans against the compiled-in migrations.
pub fn plan_for(store: &Store) -> Result<Plan, StoreError> {
    plan(store.path(), &applied(store)?, migrations::ALL)
}

/// Every migration recorded in the database, oldest first (empty for a new file).
pub fn applied(store: &Store) -> Result<Vec<Applied>, StoreError> {
    let conn = store.conn();
    let sql = StoreError::sql(store.path());
    let exists: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
            [],
            |r| r.get(0),
        )
        .map_err(StoreError::sql(store.path()))?;
    if !exists {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare("SELECT version, name, checksum, applied_at FROM schema_version ORDER BY version")
        .map_err(StoreError::sql(store.path()))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Applied {
                version: r.get(0)?,
                name: r.get(1)?,
                checksum: r.get(2)?,
                applied_at: r.get(3)?,
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(sql)?;
    Ok(rows)
}

/// The newest applied version, 0 when none.
pub fn current_version(store: &Store) -> Result<u32, StoreError> {
    Ok(applied(store)?.iter().map(|a| a.version).max().unwrap_or(0))
}

/// Applies `plan`, taking a verified backup first when the database already has a schema.
/// The caller holds the writer lock.
pub fn apply(store: &Store, plan: &Plan) -> Result<MigrateOutcome, StoreError> {
    let backup = if plan.from > 0 && !plan.pending.is_empty() {
        Some(backup::auto_backup(store, plan.from)?.path)
    } else {
        None
    };
    let mut to = plan.from;
    for m in &plan.pending {
        apply_one(store, m, to)?;
        to = m.version;
    }
    Ok(MigrateOutcome {
        from: plan.from,
        to,
        applied: plan.pending.len(),
        backup,
    })
}

fn apply_one(store: &Store, m: &Migration, from: u32) -> Result<(), StoreError> {
    let conn = store.conn();
    let failed = |e: rusqlite::Error| StoreError::MigrationFailed {
        path: store.path().to_path_buf(),
        version: m.version,
        name: m.name,
        from,
        detail: crate::error::sqlite_detail(&e),
    };
    // IMMEDIATE takes the write lock up front, so a busy database fails before any change.
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(StoreError::sql(store.path()))?;
    let result = conn
        .execute_batch(VERSION_TABLE)
        .and_then(|()| conn.execute_batch(m.sql))
        .and_then(|()| {
            conn.execute(
                "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)",
                params![m.version, m.name, m.checksum(), sk_core::time::now_ms()],
            )
        });
    match result {
        Ok(_) => conn.execute_batch("COMMIT").map_err(failed),
        Err(e) => {
            // Rollback can only fail if the transaction is already gone; the error that
            // matters is the migration's.
            let _ = conn.execute_batch("ROLLBACK");
            Err(failed(e))
        }
    }
}
