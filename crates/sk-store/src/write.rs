//! The ingest writer: implements [`sk_core::Sink`] over one open transaction, so connectors
//! stream records straight into SQLite. The caller decides batch boundaries (one
//! transaction per batch of files); a file's records and its new consumed offset always
//! commit together, which is what makes a killed run converge on the next one.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sk_core::{Agent, Record, RecordKind, SessionMeta, Sink, SinkError, SourceFile, SourceKind, SourceState};

use crate::error::sqlite_detail;
use crate::{Store, StoreError};

/// Every known source, by path: loaded once per run so deciding "unchanged" costs a
/// hash lookup and a stat, never a query per file.
pub fn known_sources(store: &Store) -> Result<HashMap<String, SourceState>, StoreError> {
    let sql = StoreError::sql(store.path());
    let mut stmt = store
        .conn()
        .prepare("SELECT path, size, mtime_ns, consumed, head_len, head_hash FROM sources")
        .map_err(StoreError::sql(store.path()))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                SourceState {
                    size: r.get::<_, i64>(1)? as u64,
                    mtime_ns: r.get(2)?,
                    consumed: r.get::<_, i64>(3)? as u64,
                    head_len: r.get::<_, i64>(4)? as u64,
                    head_hash: r.get(5)?,
                },
            ))
        })
        .and_then(|rows| rows.collect::<Result<HashMap<_, _>, _>>())
        .map_err(sql)?;
    Ok(rows)
}

/// Counters of one file's ingest, kept by the sink.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub records: u64,
    pub duplicates: u64,
    pub rewinds: u64,
    pub system_prompts: u64,
}

/// Writes one source file's records inside the caller's transaction.
#[derive(Debug)]
pub struct SourceWriter<'c> {
    conn: &'c Connection,
    session_id: i64,
    source_id: i64,
    agent: Agent,
    meta: SessionMeta,
    meta_dirty: bool,
    damage: Option<String>,
    damaged_spans: u64,
    skipped_bytes: u64,
    files: &'c mut HashMap<String, i64>,
    pub counts: FileCounts,
}

/// Interned file paths, shared across the files of a run so each path is looked up once.
pub type FileIds = HashMap<String, i64>;

impl<'c> SourceWriter<'c> {
    /// Prepares to write `src`: finds or creates its session and source rows; with `reset`,
    /// drops every record the file produced before (a rewritten or shrunk file).
    pub fn begin(
        conn: &'c Connection,
        files: &'c mut FileIds,
        src: &SourceFile,
        reset: bool,
    ) -> rusqlite::Result<Self> {
        let now = sk_core::time::now_ms();
        let agent = src.agent.as_str();
        conn.prepare_cached(
            "INSERT INTO sessions (agent, external_id, parent_external_id, source_path, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (agent, external_id) DO UPDATE SET updated_at = excluded.updated_at,
                 parent_external_id = coalesce(excluded.parent_external_id, parent_external_id),
                 source_path = coalesce(source_path, excluded.source_path),
                 -- A session known only from another replica's digest (sk sync) whose logs
                 -- are now here becomes an ordinary session: its facts come from the logs.
                 repo = CASE WHEN remote_author IS NULL THEN repo END,
                 branch = CASE WHEN remote_author IS NULL THEN branch END,
                 model = CASE WHEN remote_author IS NULL THEN model END,
                 started_at = CASE WHEN remote_author IS NULL THEN started_at END,
                 ended_at = CASE WHEN remote_author IS NULL THEN ended_at END,
                 extracted_at = CASE WHEN remote_author IS NULL THEN extracted_at END,
                 remote_author = NULL, origin_replica = NULL",
        )?
        .execute(params![
            agent,
            src.session,
            src.parent_session,
            src.path.to_string_lossy(),
            now
        ])?;
        let session_id: i64 = conn
            .prepare_cached("SELECT id FROM sessions WHERE agent = ?1 AND external_id = ?2")?
            .query_row(params![agent, src.session], |r| r.get(0))?;
        let kind = match src.kind {
            SourceKind::Jsonl => "jsonl",
            SourceKind::Whole => "whole",
        };
        let path = src.path.to_string_lossy();
        let existing: Option<(i64, i64)> = conn
            .prepare_cached("SELECT id, session_id FROM sources WHERE path = ?1")?
            .query_row([&path], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let source_id = match existing {
            Some((id, owner)) => {
                if reset || owner != session_id {
                    conn.prepare_cached("DELETE FROM records WHERE source_id = ?1")?
                        .execute([id])?;
                    conn.prepare_cached(
                        "UPDATE sources SET session_id = ?2, kind = ?3, consumed = 0, lines = 0, records = 0,
                             damaged_spans = 0, skipped_bytes = 0, redactions = 0, last_damage = NULL
                         WHERE id = ?1",
                    )?
                    .execute(params![id, session_id, kind])?;
                }
                id
            }
            None => {
                conn.prepare_cached(
                    "INSERT INTO sources (path, agent, kind, session_id) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![path, agent, kind, session_id])?;
                conn.last_insert_rowid()
            }
        };
        Ok(SourceWriter {
            conn,
            session_id,
            source_id,
            agent: src.agent,
            meta: SessionMeta::default(),
            meta_dirty: false,
            damage: None,
            damaged_spans: 0,
            skipped_bytes: 0,
            files,
            counts: FileCounts::default(),
        })
    }

    /// Records what was consumed and merges the session facts gathered during the read.
    pub fn finish(self, state: &SourceState, lines: u64, redactions: u64) -> rusqlite::Result<FileCounts> {
        if self.meta_dirty {
            let m = &self.meta;
            self.conn
                .prepare_cached(
                    "UPDATE sessions SET
                         cwd = coalesce(?2, cwd), repo = coalesce(?3, repo), branch = coalesce(?4, branch),
                         head_commit = coalesce(?5, head_commit), title = coalesce(?6, title),
                         model = coalesce(?7, model), agent_version = coalesce(?8, agent_version),
                         parent_external_id = coalesce(?9, parent_external_id),
                         started_at = CASE WHEN started_at IS NULL OR ?10 < started_at THEN coalesce(?10, started_at) ELSE started_at END,
                         ended_at = CASE WHEN ended_at IS NULL OR ?11 > ended_at THEN coalesce(?11, ended_at) ELSE ended_at END
                     WHERE id = ?1",
                )?
                .execute(params![
                    self.session_id,
                    m.cwd,
                    // `owner/name`, whatever URL shape the log recorded (credentials included).
                    m.repo.as_deref().map(sk_core::repo::canonical).filter(|r| !r.is_empty()),
                    m.branch,
                    m.head_commit,
                    m.title,
                    m.model,
                    m.agent_version,
                    m.parent_session,
                    m.started_at,
                    m.ended_at
                ])?;
        }
        self.conn
            .prepare_cached(
                "UPDATE sources SET size = ?2, mtime_ns = ?3, consumed = ?4, head_len = ?5, head_hash = ?6,
                     lines = lines + ?7, records = records + ?8, damaged_spans = damaged_spans + ?9,
                     skipped_bytes = skipped_bytes + ?10, redactions = redactions + ?11,
                     last_damage = coalesce(?12, last_damage), ingested_at = ?13
                 WHERE id = ?1",
            )?
            .execute(params![
                self.source_id,
                state.size as i64,
                state.mtime_ns,
                state.consumed as i64,
                state.head_len as i64,
                state.head_hash,
                lines as i64,
                self.counts.records as i64,
                self.damaged_spans as i64,
                self.skipped_bytes as i64,
                redactions as i64,
                self.damage,
                sk_core::time::now_ms()
            ])?;
        // Its search document is rebuilt from the records before the batch commits.
        crate::session_docs::mark_pending(self.conn, self.session_id)?;
        Ok(self.counts)
    }

    fn file_id(&mut self, path: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.files.get(path) {
            return Ok(*id);
        }
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO files (path) VALUES (?1)")?
            .execute([path])?;
        let id: i64 = self
            .conn
            .prepare_cached("SELECT id FROM files WHERE path = ?1")?
            .query_row([path], |r| r.get(0))?;
        self.files.insert(path.to_string(), id);
        Ok(id)
    }

    fn insert(&mut self, r: &Record) -> rusqlite::Result<()> {
        let kind = r.kind();
        // Claude repeats a tool call on every line of a split response: one row per call.
        if kind == RecordKind::ToolCall
            && let Some(call) = &r.call_id
        {
            let seen = self
                .conn
                .prepare_cached(
                    "SELECT 1 FROM records WHERE session_id = ?1 AND call_id = ?2 AND kind = 'tool_call' LIMIT 1",
                )?
                .exists(params![self.session_id, call])?;
            if seen {
                self.counts.duplicates += 1;
                return Ok(());
            }
        }
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO records (session_id, source_id, offset, part, kind, ts, event_id, message_id,
                     call_id, tool, success, subagent, section, refers_to, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                self.session_id,
                self.source_id,
                r.offset as i64,
                r.part,
                kind.as_str(),
                r.ts,
                r.event_id,
                r.message_id,
                r.call_id,
                r.tool,
                r.success,
                r.subagent,
                r.section,
                r.refers_to,
                r.text
            ])?;
        if inserted == 0 {
            self.counts.duplicates += 1;
            return Ok(());
        }
        let record_id = self.conn.last_insert_rowid();
        self.counts.records += 1;
        for f in &r.files {
            let fid = self.file_id(f)?;
            self.conn
                .prepare_cached("INSERT OR IGNORE INTO record_files (record_id, file_id) VALUES (?1, ?2)")?
                .execute(params![record_id, fid])?;
        }
        Ok(())
    }
}

fn sink_err(e: rusqlite::Error) -> SinkError {
    SinkError(sqlite_detail(&e))
}

impl Sink for SourceWriter<'_> {
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        self.meta.merge(meta);
        self.meta_dirty = true;
        Ok(())
    }

    fn record(&mut self, record: &Record) -> Result<(), SinkError> {
        self.insert(record).map_err(sink_err)
    }

    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError> {
        let removed = self
            .conn
            .prepare_cached(
                "DELETE FROM records WHERE source_id = ?1 AND offset > (
                     SELECT offset FROM records WHERE source_id = ?1 AND event_id = ?2 ORDER BY offset LIMIT 1)",
            )
            .and_then(|mut s| s.execute(params![self.source_id, up_to_event_id]))
            .map_err(sink_err)?;
        if removed > 0 {
            self.counts.rewinds += 1;
            self.counts.records = self.counts.records.saturating_sub(removed as u64);
        }
        Ok(())
    }

    fn system_prompt(&mut self, hash: &str, text: &str) -> Result<(), SinkError> {
        self.conn
            .prepare_cached(
                "INSERT INTO system_prompts (hash, agent, bytes, text, first_seen) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (hash) DO UPDATE SET seen = seen + 1",
            )
            .and_then(|mut s| {
                s.execute(params![hash, self.agent.as_str(), text.len() as i64, text, sk_core::time::now_ms()])
            })
            .map_err(sink_err)?;
        self.counts.system_prompts += 1;
        Ok(())
    }

    fn damage(&mut self, offset: u64, len: u64, reason: &str) -> Result<(), SinkError> {
        self.damaged_spans += 1;
        self.skipped_bytes += len;
        self.damage = Some(format!("{reason} at byte {offset} ({len} bytes)"));
        Ok(())
    }
}

/// Removes every derived row (sessions, sources, records, files, system prompts) for a
/// full rebuild. Knowledge entries are untouched: manual ones exist only here.
pub fn clear_derived(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    // Lowering the high-water mark first stops the delete trigger from removing postings
    // one row at a time; the whole index is dropped at once instead.
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         UPDATE meta SET value = '0' WHERE key = 'fts_records_upto';
         DELETE FROM record_files; DELETE FROM records; DELETE FROM sources; DELETE FROM sessions;
         DELETE FROM files; DELETE FROM system_prompts; DELETE FROM failed_sources;
         DELETE FROM session_docs_pending; DELETE FROM session_docs;
         INSERT INTO session_fts (session_fts) VALUES ('delete-all');
         INSERT INTO session_cjk (session_cjk) VALUES ('delete-all');
         INSERT INTO records_fts (records_fts) VALUES ('delete-all');
         INSERT INTO digest_fts (digest_fts) VALUES ('delete-all');",
    )
    .and_then(|()| {
        // Sessions known only from other replicas (sk sync --sessions) are not derived
        // from logs here: they come back from their pulled digests.
        crate::sync_sessions::materialize_all(conn)?;
        conn.execute_batch("COMMIT")
    })
    .map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        StoreError::sql(path)(e)
    })
}

/// Adds every record written since the last call to the full-text indexes (all records,
/// and prompts and summaries once more to `digest_fts`), one statement each, and raises
/// the high-water mark. Called once per batch, before commit.
pub fn index_pending_text(conn: &Connection) -> rusqlite::Result<u64> {
    let upto: i64 = conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_records_upto'",
        [],
        |r| r.get(0),
    )?;
    let added = conn.execute(
        "INSERT INTO records_fts (rowid, text) SELECT id, text FROM records WHERE id > ?1 ORDER BY id",
        [upto],
    )?;
    // Prompts and summaries also go to the briefing's own index (schema v2).
    conn.execute(
        "INSERT INTO digest_fts (rowid, text) SELECT id, text FROM records
         WHERE id > ?1 AND kind IN ('prompt', 'summary', 'task_summary') ORDER BY id",
        [upto],
    )?;
    conn.execute(
        "UPDATE meta SET value = CAST(max(?1, (SELECT coalesce(max(id), 0) FROM records)) AS TEXT)
         WHERE key = 'fts_records_upto'",
        [upto],
    )?;
    Ok(added as u64)
}

/// Transaction control for the ingest pipeline, which decides batch boundaries but must
/// not write SQL itself.
pub mod tx {
    use rusqlite::Connection;

    /// Starts a write transaction, taking SQLite's write lock now rather than at the
    /// first insert, so a busy database is reported before any work is done.
    pub fn begin(conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch("BEGIN IMMEDIATE")
    }
    pub fn commit(conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch("COMMIT")
    }
    pub fn rollback(conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch("ROLLBACK")
    }
}

/// Remembers a fact about the last run (e.g. `last_indexed_at`).
pub fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
        .execute([key, value])
        .map(|_| ())
}

/// Number of sessions, for the new/updated split of an index summary.
pub fn session_count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

/// Attaches summaries that name their conversation by event id (Claude `summary` entries
/// with a `leafUuid`, which may sit in another file) to the session that event belongs
/// to. Cheap: only records with `refers_to` are visited, each through an index.
pub fn link_summaries(conn: &Connection) -> rusqlite::Result<u64> {
    conn.execute(
        "UPDATE records SET session_id = (
             SELECT t.session_id FROM records t
             WHERE t.event_id = records.refers_to AND t.refers_to IS NULL LIMIT 1)
         WHERE refers_to IS NOT NULL AND kind = 'summary'
           AND EXISTS (SELECT 1 FROM records t
                       WHERE t.event_id = records.refers_to AND t.refers_to IS NULL
                         AND t.session_id != records.session_id)",
        [],
    )
    .map(|n| n as u64)
}

/// Forgets a session's merged metadata before it is rebuilt from all of its files.
pub fn reset_session_meta(conn: &Connection, agent: Agent, external_id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET parent_external_id = NULL, cwd = NULL, repo = NULL, branch = NULL, head_commit = NULL,
             title = NULL, model = NULL, agent_version = NULL, started_at = NULL, ended_at = NULL
         WHERE agent = ?1 AND external_id = ?2",
    )?
    .execute(params![agent.as_str(), external_id])
    .map(|_| ())
}

/// Sets this connection's page cache size in MiB (SQLite's default is 2 MiB).
pub fn set_cache_mib(conn: &Connection, mib: i64) -> rusqlite::Result<()> {
    conn.pragma_update(None, "cache_size", -(mib * 1024))
}
