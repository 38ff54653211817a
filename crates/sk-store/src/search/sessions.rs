//! Ranking whole sessions (schema v4): FTS5's `bm25()` over every session document that
//! matches, best first — exact top-k, since there are few enough sessions to score them
//! all. Then, for each session shown, the record that best matches inside it (its
//! snippet and where `sk session` opens). The column weights and what to do with the
//! scores are `sk-query`'s ranking policy; this module only executes it.

use rusqlite::{Connection, params};

use super::Filters;

/// The weight of each session-document column in `bm25()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnWeights {
    pub title: f64,
    pub asked: f64,
    pub said: f64,
    pub did: f64,
    pub saw: f64,
}

/// A session whose document matched, with its raw relevance.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: i64,
    /// `agent:external_id`.
    pub key: String,
    pub agent: String,
    /// The agent's own title, else the session's first real prompt.
    pub title: Option<String>,
    pub repo: Option<String>,
    pub cwd: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// The record-id range the document was built from (for [`records_in`]).
    pub first_record: Option<i64>,
    pub last_record: Option<i64>,
    /// BM25 made positive: higher is better.
    pub bm25: f64,
}

/// Whether [`sessions`] can serve these filters: those about the session as a whole. The
/// filters about single records (a file, a directory, record kinds) need the record path.
pub fn serves(f: &Filters) -> bool {
    f.file.is_none() && f.module.is_none() && f.kinds.is_empty()
}

const SESSION_COLUMNS: &str = "s.id, s.agent || ':' || s.external_id, s.agent, coalesce(s.title, d.title),
    s.repo, s.cwd, s.started_at, s.ended_at, d.first_record, d.last_record";

/// The `limit` sessions whose documents best match `fts` under `f`, best first.
pub fn sessions(
    conn: &Connection,
    fts: &str,
    f: &Filters,
    w: &ColumnWeights,
    limit: usize,
) -> rusqlite::Result<Vec<SessionRow>> {
    let map = |r: &rusqlite::Row<'_>| {
        Ok(SessionRow {
            id: r.get(0)?,
            key: r.get(1)?,
            agent: r.get(2)?,
            title: r.get(3)?,
            repo: r.get(4)?,
            cwd: r.get(5)?,
            started_at: r.get(6)?,
            ended_at: r.get(7)?,
            first_record: r.get(8)?,
            last_record: r.get(9)?,
            bm25: 0.0 - r.get::<_, f64>(10)?,
        })
    };
    let weights = params![fts, w.title, w.asked, w.said, w.did, w.saw, limit as i64];
    if f.is_unfiltered() {
        // Scored without a join; only the best `limit` are joined to their rows.
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, m.score
             FROM (SELECT rowid AS id, bm25(session_fts, ?2, ?3, ?4, ?5, ?6) AS score
                   FROM session_fts WHERE session_fts MATCH ?1 ORDER BY score LIMIT ?7) m
             JOIN sessions s ON s.id = m.id LEFT JOIN session_docs d ON d.session_id = s.id
             ORDER BY m.score, s.id"
        );
        return conn.prepare_cached(&sql)?.query_map(weights, map)?.collect();
    }
    let sql = format!(
        "SELECT {SESSION_COLUMNS}, m.score
         FROM (SELECT session_fts.rowid AS id, bm25(session_fts, ?2, ?3, ?4, ?5, ?6) AS score
               FROM session_fts JOIN sessions s ON s.id = session_fts.rowid
               WHERE session_fts MATCH ?1
                 AND (?8 IS NULL OR s.agent = ?8)
                 AND (?9 IS NULL OR s.repo LIKE '%' || ?9 || '%')
                 AND (?10 IS NULL OR s.agent || ':' || s.external_id = ?10 OR s.external_id = ?10)
                 AND (?11 IS NULL OR coalesce(s.ended_at, s.started_at) >= ?11)
                 AND (?12 IS NULL OR coalesce(s.started_at, s.ended_at) <= ?12)
                 AND ((?13 IS NULL AND ?14 IS NULL) OR s.repo LIKE '%' || ?13 || '%'
                      OR (s.cwd || '/') LIKE ?14 ESCAPE '\\')
                 AND (?15 IS NULL OR s.branch LIKE '%' || ?15 || '%'
                      OR EXISTS (SELECT 1 FROM entry_sources x JOIN entries e ON e.id = x.entry_id
                                 WHERE e.task = ?15 AND x.session_key = s.agent || ':' || s.external_id))
               ORDER BY score LIMIT ?7) m
         JOIN sessions s ON s.id = m.id LEFT JOIN session_docs d ON d.session_id = s.id
         ORDER BY m.score, s.id"
    );
    conn.prepare_cached(&sql)?
        .query_map(
            params![
                fts,
                w.title,
                w.asked,
                w.said,
                w.did,
                w.saw,
                limit as i64,
                f.agent,
                f.repo,
                f.session,
                f.since,
                f.until,
                f.here_repo,
                f.here_root_pattern(),
                f.task
            ],
            map,
        )?
        .collect()
}

/// A record of one session that matched, with its raw relevance.
#[derive(Debug, Clone)]
pub struct RecordMatch {
    pub record_id: i64,
    pub kind: String,
    pub ts: Option<i64>,
    /// BM25 made positive: higher is better.
    pub bm25: f64,
}

/// Up to `limit` records of session `s` that match `fts`, best first by `bm25()`. The
/// session's record-id range bounds the index walk; the join keeps records of sessions
/// interleaved in that range out.
pub fn records_in(
    conn: &Connection,
    fts: &str,
    s: &SessionRow,
    limit: usize,
) -> rusqlite::Result<Vec<RecordMatch>> {
    let (Some(first), Some(last)) = (s.first_record, s.last_record) else {
        return Ok(Vec::new());
    };
    conn.prepare_cached(
        "SELECT m.id, r.kind, r.ts, m.score
         FROM (SELECT rowid AS id, bm25(records_fts) AS score FROM records_fts
               WHERE records_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3) m
         JOIN records r ON r.id = m.id
         WHERE r.session_id = ?4
         ORDER BY m.score, m.id LIMIT ?5",
    )?
    .query_map(params![fts, first, last, s.id, limit as i64], |r| {
        Ok(RecordMatch {
            record_id: r.get(0)?,
            kind: r.get(1)?,
            ts: r.get(2)?,
            bm25: 0.0 - r.get::<_, f64>(3)?,
        })
    })?
    .collect()
}
