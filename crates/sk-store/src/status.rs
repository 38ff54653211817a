//! Facts about the database for `sk status` and `sk doctor`: size, schema, row counts.

use serde::Serialize;

use crate::migrate::{self, Applied};
use crate::{Store, StoreError};

/// A snapshot of the database's state.
#[derive(Debug, Clone, Serialize)]
pub struct DbStatus {
    pub path: String,
    /// Bytes of the database file plus its `-wal`.
    pub bytes: u64,
    pub schema_version: u32,
    pub expected_schema_version: u32,
    pub last_migration: Option<LastMigration>,
    pub tables: Vec<TableCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LastMigration {
    pub version: u32,
    pub name: String,
    pub applied_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableCount {
    pub table: String,
    pub rows: i64,
}

/// Tables worth showing a person: the schema's own, without FTS shadow tables.
const SHOWN_TABLES: &[&str] = &[
    "sessions",
    "sources",
    "records",
    "files",
    "system_prompts",
    "entries",
    "entry_sources",
    "telemetry",
];

pub fn status(store: &Store) -> Result<DbStatus, StoreError> {
    let path = store.path();
    let bytes = [path.to_path_buf(), sk_core::paths::sidecar(path, "-wal")]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let applied = migrate::applied(store)?;
    let last = applied
        .iter()
        .max_by_key(|a| a.version)
        .map(|a: &Applied| LastMigration {
            version: a.version,
            name: a.name.clone(),
            applied_at: sk_core::time::format_ms(a.applied_at),
        });
    let mut tables = Vec::new();
    for table in SHOWN_TABLES {
        let exists: bool = store
            .conn()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
                [table],
                |r| r.get(0),
            )
            .map_err(StoreError::sql(path))?;
        if exists {
            let rows = store
                .conn()
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .map_err(StoreError::sql(path))?;
            tables.push(TableCount {
                table: (*table).to_string(),
                rows,
            });
        }
    }
    Ok(DbStatus {
        path: path.display().to_string(),
        bytes,
        schema_version: last.as_ref().map_or(0, |l| l.version),
        expected_schema_version: crate::SCHEMA_VERSION,
        last_migration: last,
        tables,
    })
}
