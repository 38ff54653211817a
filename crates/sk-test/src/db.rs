//! Comparing databases: a dump of everything sk derived from the logs, without row ids,
//! ingest times or temporary-home prefixes, so two runs can be checked for equal content.

use std::path::Path;

/// Every derived fact, ordered, as text: two stores with equal dumps hold the same content.
pub fn dump(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).expect("open for dump");
    let c = &c;
    let mut out = Vec::new();
    let mut q = |sql: &str| {
        let mut stmt = c.prepare(sql).expect("prepare dump query");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut cols = Vec::with_capacity(n);
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    cols.push(format!("{v:?}"));
                }
                Ok(cols.join("|"))
            })
            .expect("query")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        out.extend(rows);
    };
    q(
        "SELECT agent, external_id, parent_external_id, cwd, repo, branch, head_commit, title, model,
              agent_version, started_at, ended_at FROM sessions ORDER BY agent, external_id",
    );
    q(
        "SELECT s.external_id, r.offset, r.part, r.kind, r.ts, r.event_id, r.message_id, r.call_id, r.tool,
              r.success, r.subagent, r.section, r.refers_to, r.text,
              (SELECT group_concat(f.path, ',') FROM record_files rf JOIN files f ON f.id = rf.file_id
               WHERE rf.record_id = r.id)
       FROM records r JOIN sessions s ON s.id = r.session_id
       ORDER BY s.agent, s.external_id, r.source_id, r.offset, r.part",
    );
    q(
        "SELECT substr(path, instr(path, '/.c')), consumed, records, damaged_spans, skipped_bytes FROM sources ORDER BY path",
    );
    q("SELECT hash, bytes FROM system_prompts ORDER BY hash");
    q("SELECT count(*) FROM records_fts WHERE records_fts MATCH 'the OR file OR notes'");
    fts_integrity(c);
    out
}

/// FTS5's own check that the index holds exactly the postings of the content table.
pub fn fts_integrity(c: &rusqlite::Connection) {
    c.execute(
        "INSERT INTO records_fts (records_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .expect("the full-text index matches the records table");
}

/// Takes a database at schema v10 back to v7 (for tests that hand-build an older schema):
/// the sync triggers first, since they name tables and columns that older schemas lack.
pub const UNDO_V8: &str = "DROP TRIGGER sessions_cjk_ad; DROP TABLE session_cjk;
     DROP TRIGGER sync_session_put; DROP TRIGGER sync_provenance;
     DROP TABLE remote_sessions; DROP INDEX outbox_entity;
     ALTER TABLE sessions DROP COLUMN remote_author; ALTER TABLE sessions DROP COLUMN origin_replica;
     DROP TRIGGER sync_entries_put; DROP TRIGGER sync_entries_edit;
     DROP TRIGGER sync_entries_pin; DROP TRIGGER sync_entries_insert_pinned; DROP TRIGGER sync_forget;
     DROP TABLE sync_state; DROP TABLE outbox; DROP TABLE sync_clock;
     ALTER TABLE entries DROP COLUMN remote_author; ALTER TABLE entries DROP COLUMN origin_replica;
     DELETE FROM schema_version WHERE version >= 8;";
