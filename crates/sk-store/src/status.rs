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
    pub last_indexed_at: Option<String>,
    /// Per-agent coverage of the logs.
    pub agents: Vec<AgentCoverage>,
    /// Log files that could not be ingested, with their first error (schema v3).
    pub failing_files: Vec<crate::failed::FailedSource>,
}

/// What the database holds of one agent's logs.
#[derive(Debug, Clone, Serialize)]
pub struct AgentCoverage {
    pub agent: String,
    pub sessions: i64,
    pub files: i64,
    pub bytes: i64,
    pub records: i64,
    pub last_ingest: Option<String>,
    /// Spans of input skipped as unparseable, and files that had any.
    pub damaged_spans: i64,
    pub skipped_bytes: i64,
    pub files_with_damage: i64,
    pub redactions: i64,
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
    "forgotten",
    "remote_sessions",
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
    let (last_indexed_at, agents) = if tables.iter().any(|t| t.table == "sources") {
        (last_indexed(store)?, coverage(store)?)
    } else {
        (None, Vec::new())
    };
    Ok(DbStatus {
        path: path.display().to_string(),
        bytes,
        schema_version: last.as_ref().map_or(0, |l| l.version),
        expected_schema_version: crate::SCHEMA_VERSION,
        last_migration: last,
        tables,
        last_indexed_at,
        agents,
        failing_files: crate::failed::list(store)?,
    })
}

fn last_indexed(store: &Store) -> Result<Option<String>, StoreError> {
    use rusqlite::OptionalExtension;
    let v: Option<String> = store
        .conn()
        .query_row("SELECT value FROM meta WHERE key = 'last_indexed_at'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(StoreError::sql(store.path()))?;
    Ok(v.and_then(|v| v.parse::<i64>().ok())
        .map(sk_core::time::format_ms))
}

fn coverage(store: &Store) -> Result<Vec<AgentCoverage>, StoreError> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT s.agent,
                    (SELECT count(*) FROM sessions WHERE agent = s.agent AND remote_author IS NULL),
                    count(*), sum(s.consumed), sum(s.records), max(s.ingested_at),
                    sum(s.damaged_spans), sum(s.skipped_bytes), sum(s.damaged_spans > 0), sum(s.redactions)
             FROM sources s GROUP BY s.agent ORDER BY s.agent",
        )
        .map_err(StoreError::sql(store.path()))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(AgentCoverage {
                agent: r.get(0)?,
                sessions: r.get(1)?,
                files: r.get(2)?,
                bytes: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                records: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                last_ingest: r.get::<_, Option<i64>>(5)?.map(sk_core::time::format_ms),
                damaged_spans: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                skipped_bytes: r.get::<_, Option<i64>>(7)?.unwrap_or(0),
                files_with_damage: r.get::<_, Option<i64>>(8)?.unwrap_or(0),
                redactions: r.get::<_, Option<i64>>(9)?.unwrap_or(0),
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(StoreError::sql(store.path()))?;
    Ok(rows)
}

/// What `sk doctor` needs to know about the database file itself.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub schema_version: u32,
    pub expected_schema_version: u32,
    /// `PRAGMA quick_check`'s first line: "ok" when the file is sound.
    pub quick_check: String,
    /// Log files the indexer could not read (schema v3; empty before).
    pub failing_files: Vec<crate::failed::FailedSource>,
}

/// Opens `db` read-only (never creating or migrating it) and checks it.
pub fn health(db: &std::path::Path) -> Result<Health, StoreError> {
    let store = Store::open_readonly(db)?;
    let schema_version = migrate::current_version(&store)?;
    let quick_check: String = store
        .conn()
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(StoreError::sql(db))?;
    Ok(Health {
        schema_version,
        expected_schema_version: crate::SCHEMA_VERSION,
        quick_check,
        failing_files: crate::failed::list(&store)?,
    })
}
