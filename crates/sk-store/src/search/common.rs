//! Scoring session records without FTS5's `bm25()` when a query word is common.
//!
//! `bm25()` computes each query word's IDF on its first call by walking the word's whole
//! posting list — for a word in 95,000 records, 6 ms of a query that otherwise takes a few,
//! and it happens again in every process. The records a query shows come from the newest
//! [`SCORE_WINDOW`] matches anyway, so when the words' document counts add up to more than
//! [`EXACT_MAX_DOCS`] sk scores that window itself:
//!
//! - **Document frequency** per term, from the term's own newest-window probe (the cheap
//!   part of a match: FTS5 walks rowids newest first and stops): exact when the term has
//!   fewer matches than the window, else estimated from how densely its newest matches lie
//!   (`matches × rows / rowid span`). IDF is a logarithm, so a twofold error moves a common
//!   word's weight little — and a common word weighs little anyway.
//! - **Which terms a record has**: all of them for an every-word query; for an any-word
//!   query, those whose newest window holds the record (every record in the any-word window
//!   is in the windows of all the terms it has: fewer than a window's worth of newer
//!   records match each of them).
//! - **Length**: the record's token count from FTS5's own `_docsize` table and the average
//!   from its `_data` totals, as `bm25()` uses them.
//!
//! The score is BM25 with each matched term counted once (term frequency is only known to
//! FTS5's auxiliary functions): `Σ idf × (k1 + 1) / (1 + k1 × (1 − b + b × len / avglen))`.
//! Rare words keep the exact `bm25()` path, where their posting lists are short.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};

use super::{Parsed, SCORE_WINDOW};

/// Sum of the terms' document counts above which records are scored here instead of by
/// `bm25()` (whose cost grows with that sum: ~0.6 µs per matching record on this VM).
pub const EXACT_MAX_DOCS: f64 = 4_000.0;

/// FTS5's BM25 constants.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One positive term of the query and what its newest-window probe found.
#[derive(Debug)]
struct TermStat {
    newest: HashSet<i64>,
    idf: f64,
}

/// How the session records of one query are to be scored.
#[derive(Debug)]
pub(super) struct Plan {
    terms: Vec<TermStat>,
    any: bool,
    avg_len: f64,
}

/// Probes each positive term of `q` and returns a plan when their document counts add up
/// to more than [`EXACT_MAX_DOCS`]; None when `bm25()` is cheap enough (or the index is
/// empty).
pub(super) fn plan(conn: &Connection, q: &Parsed, any: bool) -> rusqlite::Result<Option<Plan>> {
    let mut probe = conn.prepare_cached(&format!(
        "SELECT rowid FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rowid DESC LIMIT {SCORE_WINDOW}"
    ))?;
    let mut windows: Vec<Vec<i64>> = Vec::new();
    for t in q.terms.iter().filter(|t| !t.exclude) {
        let one = Parsed {
            terms: vec![t.clone()],
        };
        if let Some(fts) = one.to_fts(false) {
            windows.push(probe.query_map([&fts], |r| r.get(0))?.collect::<Result<_, _>>()?);
        }
    }
    // No full window: every count is exact and small (the usual case on a small history),
    // so the index totals are not even read.
    let exact: usize = windows.iter().map(Vec::len).sum();
    if windows.iter().all(|w| w.len() < SCORE_WINDOW) && exact as f64 <= EXACT_MAX_DOCS {
        return Ok(None);
    }
    let Some((rows, tokens)) = totals(conn)? else {
        return Ok(None);
    };
    let newest_id: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM records")?
        .query_row([], |r| r.get(0))?;
    let dfs: Vec<f64> = windows
        .iter()
        .map(|ids| document_frequency(ids, newest_id, rows))
        .collect();
    if dfs.iter().sum::<f64>() <= EXACT_MAX_DOCS {
        return Ok(None);
    }
    let terms = windows
        .into_iter()
        .zip(dfs)
        .map(|(ids, df)| TermStat {
            newest: ids.into_iter().collect(),
            idf: idf(rows, df),
        })
        .collect();
    Ok(Some(Plan {
        terms,
        any,
        avg_len: tokens / rows,
    }))
}

impl Plan {
    /// Scores the candidate records (higher is better), best first.
    pub(super) fn score(&self, conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<(i64, f64)>> {
        let mut size = conn.prepare_cached("SELECT sz FROM records_fts_docsize WHERE id = ?1")?;
        let least = self.terms.iter().map(|t| t.idf).fold(f64::INFINITY, f64::min);
        let all: f64 = self.terms.iter().map(|t| t.idf).sum();
        let mut scored = Vec::with_capacity(ids.len());
        for &id in ids {
            let len = size
                .query_row([id], |r| r.get::<_, Vec<u8>>(0))
                .optional()?
                .and_then(|sz| varint(&sz).map(|(n, _)| n as f64))
                .unwrap_or(self.avg_len);
            let idf = if self.any {
                let had: f64 = self
                    .terms
                    .iter()
                    .filter(|t| t.newest.contains(&id))
                    .map(|t| t.idf)
                    .sum();
                // Outside every window (a filtered query reaches further back): it has at
                // least one of the terms; credit the least telling.
                if had > 0.0 { had } else { least }
            } else {
                all
            };
            scored.push((
                id,
                idf * (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * len / self.avg_len)),
            ));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        Ok(scored)
    }
}

/// Rows and tokens in `records_fts`, from FTS5's averages record (id 1 of `_data`): a
/// varint row count, then a varint token total per column.
fn totals(conn: &Connection) -> rusqlite::Result<Option<(f64, f64)>> {
    let block: Option<Vec<u8>> = conn
        .prepare_cached("SELECT block FROM records_fts_data WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let Some(block) = block else {
        return Ok(None);
    };
    let Some((rows, used)) = varint(&block) else {
        return Ok(None);
    };
    let tokens = block.get(used..).and_then(varint).map_or(0, |(n, _)| n);
    if rows == 0 || tokens == 0 {
        return Ok(None);
    }
    Ok(Some((rows as f64, tokens as f64)))
}

/// A term's document count from its newest matches (`ids`, newest first): exact when
/// there are fewer than a window's worth, else matches per rowid over the window's span
/// times the rows in the index.
fn document_frequency(ids: &[i64], newest_id: i64, rows: f64) -> f64 {
    match ids.last() {
        Some(&oldest) if ids.len() >= SCORE_WINDOW => {
            let span = (newest_id - oldest + 1).max(ids.len() as i64) as f64;
            (ids.len() as f64 * rows / span).min(rows)
        }
        _ => ids.len() as f64,
    }
}

/// BM25's IDF as FTS5 computes it (never below a tiny positive weight).
fn idf(rows: f64, df: f64) -> f64 {
    let v = ((rows - df + 0.5) / (df + 0.5)).ln();
    if v <= 0.0 { 1e-6 } else { v }
}

/// SQLite's variable-length integer (as FTS5 stores sizes): big-endian 7-bit groups with a
/// continuation bit; a ninth byte carries 8 bits. Returns the value and bytes read.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..8 {
        let c = *b.get(i)?;
        v = (v << 7) | u64::from(c & 0x7f);
        if c & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    let c = *b.get(8)?;
    Some(((v << 8) | u64::from(c), 9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_decode_as_sqlite_writes_them() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x82, 0x80, 0x01]), Some((32769, 3)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None, "cut short");
    }

    #[test]
    fn document_frequency_is_exact_below_a_window_and_estimated_above() {
        assert_eq!(document_frequency(&[9, 5, 2], 10, 10.0), 3.0);
        // Every other record among the newest: about half the table.
        let ids: Vec<i64> = (0..SCORE_WINDOW as i64).map(|i| 1000 - 2 * i).collect();
        let df = document_frequency(&ids, 1000, 1000.0);
        assert!((df - 500.0).abs() < 5.0, "{df}");
        // Dense to the end: never more than the table.
        let ids: Vec<i64> = (0..SCORE_WINDOW as i64).map(|i| 1000 - i).collect();
        assert_eq!(document_frequency(&ids, 1000, 400.0), 400.0);
    }

    #[test]
    fn only_common_words_are_scored_here() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = crate::Store::open(&dir.path().join("k.db")).expect("open");
        let c = store.conn();
        c.execute_batch(
            "BEGIN;
             INSERT INTO sessions (agent, external_id, started_at, updated_at) VALUES ('claude', 'a', 1, 1);
             INSERT INTO sources (path, agent, kind, session_id, size, consumed) VALUES ('/a', 'claude', 'jsonl', 1, 1, 1);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
             INSERT INTO records (session_id, source_id, offset, part, kind, text)
               SELECT 1, 1, i, 0, 'answer', CASE WHEN i % 1000 = 0 THEN 'common rare' ELSE 'common' END FROM n;
             INSERT INTO records_fts (rowid, text) SELECT id, text FROM records;
             COMMIT;",
        )
        .expect("rows");
        let plan_of = |text: &str, any: bool| plan(c, &Parsed::parse(text), any).expect("plan");
        assert!(
            plan_of("common ", false).is_some(),
            "6,000 documents: scored here"
        );
        assert!(plan_of("rare ", false).is_none(), "6 documents: bm25()");
        let both = plan_of("common rare ", true).expect("common dominates");
        assert_eq!(both.terms.len(), 2);
        assert!(both.terms[1].idf > both.terms[0].idf, "the rare word weighs more");
        assert!(
            (both.avg_len - 6006.0 / 6000.0).abs() < 1e-9,
            "from FTS5's totals"
        );
    }

    #[test]
    fn idf_falls_as_a_term_gets_common_and_stays_positive() {
        assert!(idf(1000.0, 1.0) > idf(1000.0, 100.0));
        assert!(idf(1000.0, 900.0) > 0.0);
    }
}
