//! Ranking whole sessions (schema v4): FTS5's `bm25()` over every session document that
//! matches, best first — exact top-k, since there are few enough sessions to score them
//! all. Then, for each session shown, the record that best matches inside it (its
//! snippet and where `sk session` opens). The column weights and what to do with the
//! scores are `sk-query`'s ranking policy; this module only executes it.

use rusqlite::{Connection, OptionalExtension, params};

use super::Filters;
use crate::sync::ORIGIN_SQL;

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
    /// A session known here only from another replica (`sk sync --sessions`):
    /// `AUTHOR on REPLICA`.
    pub origin: Option<String>,
}

/// The session index a query is ranked in: `session_fts`, or, for a query holding a CJK
/// word, `session_cjk` (schema v10), whose documents also hold the bigrams of their CJK
/// runs (`super::words`). Only sessions with CJK text have a document there, so a query
/// in Chinese, Japanese or Korean is ranked among them alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionIndex {
    Words,
    Cjk,
}

impl SessionIndex {
    /// The index for a query (as `Parsed::for_sessions` made it): CJK when a word it
    /// asks for holds CJK characters. An excluded CJK word alone does not make it one:
    /// `timeout -日志` is an English question.
    pub fn for_query(query: &super::Parsed) -> SessionIndex {
        let cjk = query
            .terms
            .iter()
            .filter(|t| !t.exclude)
            .flat_map(|t| &t.words)
            .any(|w| w.chars().any(super::words::is_cjk));
        if cjk {
            SessionIndex::Cjk
        } else {
            SessionIndex::Words
        }
    }

    /// The index for a plain FTS5 query of words (the briefing's: no exclusions).
    pub fn for_fts(fts: &str) -> SessionIndex {
        if fts.chars().any(super::words::is_cjk) {
            SessionIndex::Cjk
        } else {
            SessionIndex::Words
        }
    }

    /// The table's name (one of two constants: safe to format into SQL).
    pub fn table(self) -> &'static str {
        match self {
            SessionIndex::Words => "session_fts",
            SessionIndex::Cjk => "session_cjk",
        }
    }
}

/// Whether [`sessions`] can serve these filters: those about the session as a whole. The
/// filters about single records (a file, a directory, record kinds) need the record path.
pub fn serves(f: &Filters) -> bool {
    f.file.is_none() && f.module.is_none() && f.kinds.is_empty()
}

const SESSION_COLUMNS: &str = "s.id, s.agent || ':' || s.external_id, s.agent, coalesce(s.title, d.title),
    s.repo, s.cwd, s.started_at, s.ended_at, d.first_record, d.last_record";

/// The `limit` sessions whose documents in `index` best match `fts` under `f`, best first.
pub fn sessions(
    conn: &Connection,
    index: SessionIndex,
    fts: &str,
    f: &Filters,
    w: &ColumnWeights,
    limit: usize,
) -> rusqlite::Result<Vec<SessionRow>> {
    let t = index.table();
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
            origin: r.get(10)?,
            bm25: 0.0 - r.get::<_, f64>(11)?,
        })
    };
    let weights = params![fts, w.title, w.asked, w.said, w.did, w.saw, limit as i64];
    if f.is_unfiltered() {
        // Scored without a join; only the best `limit` are joined to their rows.
        let sql = format!(
            "SELECT {SESSION_COLUMNS}, {ORIGIN_SQL}, m.score
             FROM (SELECT rowid AS id, bm25({t}, ?2, ?3, ?4, ?5, ?6) AS score
                   FROM {t} WHERE {t} MATCH ?1 ORDER BY score LIMIT ?7) m
             JOIN sessions s ON s.id = m.id LEFT JOIN session_docs d ON d.session_id = s.id
             ORDER BY m.score, s.id"
        );
        return conn.prepare_cached(&sql)?.query_map(weights, map)?.collect();
    }
    let sql = format!(
        "SELECT {SESSION_COLUMNS}, {ORIGIN_SQL}, m.score
         FROM (SELECT {t}.rowid AS id, bm25({t}, ?2, ?3, ?4, ?5, ?6) AS score
               FROM {t} JOIN sessions s ON s.id = {t}.rowid
               WHERE {t} MATCH ?1
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

/// How many session documents match each of `terms` (FTS5 queries of one term each), and
/// how many documents there are: what the ranking policy needs to leave out words that
/// carry no weight under BM25 (a word in more than half of the sessions has an IDF of
/// zero) but would cost a walk of their long posting lists in every scored session.
///
/// With more than `sample` documents a word is counted among the newest `sample` only, and
/// the count scaled to all (the ranking policy chooses `sample`). A count stops at half the
/// counted documents plus one: past that a word weighs nothing.
pub fn document_counts(
    conn: &Connection,
    index: SessionIndex,
    terms: &[String],
    sample: u64,
) -> rusqlite::Result<(Vec<u64>, u64)> {
    // Every session has a document in `session_fts` (and a `session_docs` row, cheaper to
    // count); only those with CJK text in `session_cjk`.
    let documents = match index {
        SessionIndex::Words => Documents {
            count_all: "SELECT count(*) FROM session_docs",
            nth_newest: "SELECT session_id FROM session_docs ORDER BY session_id DESC LIMIT 1 OFFSET ?1",
            fts: "session_fts",
        },
        SessionIndex::Cjk => Documents {
            count_all: "SELECT count(*) FROM session_cjk",
            nth_newest: "SELECT rowid FROM session_cjk ORDER BY rowid DESC LIMIT 1 OFFSET ?1",
            fts: "session_cjk",
        },
    };
    sampled_counts(conn, &documents, terms, sample)
}

/// A full-text index whose documents are counted: how to count them all, how to find the
/// `n`th newest (its rowid), and the FTS5 table.
pub(crate) struct Documents {
    pub count_all: &'static str,
    pub nth_newest: &'static str,
    pub fts: &'static str,
}

/// [`document_counts`] for any index of [`Documents`]: each term counted among the newest
/// `sample` documents and scaled to all, a count stopping at half the counted plus one.
pub(crate) fn sampled_counts(
    conn: &Connection,
    documents: &Documents,
    terms: &[String],
    sample: u64,
) -> rusqlite::Result<(Vec<u64>, u64)> {
    let sample = sample.max(1);
    let t = documents.fts;
    let total: i64 = conn
        .prepare_cached(documents.count_all)?
        .query_row([], |r| r.get(0))?;
    let total = total.max(0) as u64;
    // The oldest document of the sample (every document when there are few).
    let from: i64 = if total > sample {
        conn.prepare_cached(documents.nth_newest)?
            .query_row([sample as i64 - 1], |r| r.get(0))
            .optional()?
            .unwrap_or(i64::MIN)
    } else {
        i64::MIN
    };
    let counted = total.min(sample);
    let mut count = conn.prepare_cached(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM {t} WHERE {t} MATCH ?1 AND rowid >= ?3 LIMIT ?2)"
    ))?;
    let enough = (counted / 2 + 1) as i64;
    let mut counts = Vec::with_capacity(terms.len());
    for t in terms {
        let n: i64 = count.query_row(params![t, enough, from], |r| r.get(0))?;
        let n = n.max(0) as u64;
        // Scaled to the whole history; exact when every document was counted.
        counts.push(if counted == total {
            n
        } else {
            n.saturating_mul(total) / counted.max(1)
        });
    }
    Ok((counts, total))
}

/// Whether any session document matches `fts` (one FTS5 query, e.g. one term). Stops at
/// the first match.
pub fn any_session_matches(conn: &Connection, index: SessionIndex, fts: &str) -> rusqlite::Result<bool> {
    let t = index.table();
    conn.prepare_cached(&format!("SELECT 1 FROM {t} WHERE {t} MATCH ?1 LIMIT 1"))?
        .query_row([fts], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// A record of one session that holds some of the query's terms.
#[derive(Debug, Clone)]
pub struct RecordMatch {
    pub record_id: i64,
    pub kind: String,
    pub ts: Option<i64>,
    /// Which of the terms it holds, as indexes into the `terms` given to [`records_in`].
    pub terms: Vec<usize>,
}

/// The records of session `s` that hold any of `terms` (FTS5 queries of one term each),
/// the `limit` holding the most first. Each term is one walk of the records index
/// restricted to the session's record-id range (a seek, not a scan), and no `bm25()` is
/// computed: its IDF would walk each term's whole posting list again for every session
/// shown. The join keeps records of other sessions interleaved in the range out.
pub fn records_in(
    conn: &Connection,
    terms: &[String],
    s: &SessionRow,
    limit: usize,
) -> rusqlite::Result<Vec<RecordMatch>> {
    let (Some(first), Some(last)) = (s.first_record, s.last_record) else {
        return Ok(Vec::new());
    };
    let mut probe = conn.prepare_cached(
        "SELECT rowid FROM records_fts WHERE records_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
    )?;
    let mut held: std::collections::BTreeMap<i64, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, t) in terms.iter().enumerate() {
        let ids = probe.query_map(params![t, first, last], |r| r.get::<_, i64>(0))?;
        for id in ids {
            held.entry(id?).or_default().push(i);
        }
    }
    let mut best: Vec<(i64, Vec<usize>)> = held.into_iter().collect();
    best.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    best.truncate(limit);
    let mut row = conn.prepare_cached("SELECT kind, ts FROM records WHERE id = ?1 AND session_id = ?2")?;
    let mut out = Vec::with_capacity(best.len());
    for (record_id, terms) in best {
        let found = row
            .query_row(params![record_id, s.id], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((kind, ts)) = found {
            out.push(RecordMatch {
                record_id,
                kind,
                ts,
                terms,
            });
        }
    }
    Ok(out)
}
