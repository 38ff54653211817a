//! Full-text search over knowledge entries and session records. User text never reaches
//! FTS5 syntax: every term is quoted, so no input can produce a query syntax error.

use rusqlite::{Connection, params};
use serde::Serialize;
use sk_core::Category;

/// Turns free text into an FTS5 query: each word quoted (quotes doubled), joined with
/// AND or OR. Returns None when the text holds no searchable word.
pub fn fts_query(text: &str, any: bool) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| {
            c.is_whitespace()
                || c.is_control()
                || (c.is_ascii_punctuation() && c != '_' && c != '-' && c != '.')
        })
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if terms.is_empty() {
        return None;
    }
    Some(terms.join(if any { " OR " } else { " AND " }))
}

/// Narrowing a search. Every field is optional; text fields are bound as parameters.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub agent: Option<String>,
    /// Substring of the repository (`owner/name` or remote URL).
    pub repo: Option<String>,
    /// A session: `agent:id` or the agent's id.
    pub session: Option<String>,
    /// A file: exact path, or a path ending in `/<file>`.
    pub file: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Record kinds to search (empty = all), e.g. `prompt`, `tool_call`.
    pub kinds: Vec<&'static str>,
}

impl Filters {
    fn kinds_csv(&self) -> Option<String> {
        (!self.kinds.is_empty()).then(|| self.kinds.join(","))
    }
}

/// A knowledge entry that matched.
#[derive(Debug, Clone, Serialize)]
pub struct EntryHit {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub snippet: String,
    pub confidence: f64,
    pub occurrences: i64,
    pub last_seen: i64,
    pub repo: Option<String>,
}

/// A session record that matched.
#[derive(Debug, Clone, Serialize)]
pub struct RecordHit {
    pub session: String,
    pub agent: String,
    pub title: Option<String>,
    pub repo: Option<String>,
    pub kind: String,
    pub ts: Option<i64>,
    pub snippet: String,
}

/// Entries matching `fts` (or all, when None), best first: BM25 with the title weighted
/// above the body, then confidence.
pub fn entries(
    conn: &Connection,
    fts: Option<&str>,
    category: Option<Category>,
    f: &Filters,
    limit: usize,
) -> rusqlite::Result<Vec<EntryHit>> {
    let cat = category.map(Category::as_str);
    let map = |r: &rusqlite::Row<'_>| {
        Ok(EntryHit {
            id: r.get(0)?,
            category: r.get(1)?,
            title: r.get(2)?,
            snippet: r.get(3)?,
            confidence: r.get(4)?,
            occurrences: r.get(5)?,
            last_seen: r.get(6)?,
            repo: r.get(7)?,
        })
    };
    match fts {
        Some(q) => conn
            .prepare_cached(
                "SELECT e.id, e.category, e.title, snippet(entries_fts, 1, '[', ']', '…', 16), e.confidence,
                        e.occurrences, e.last_seen, e.repo
                 FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
                 WHERE entries_fts MATCH ?1 AND (?2 IS NULL OR e.category = ?2)
                   AND (?4 IS NULL OR e.repo LIKE '%' || ?4 || '%')
                   AND (?5 IS NULL OR EXISTS (SELECT 1 FROM entry_files x WHERE x.entry_id = e.id
                        AND (x.path = ?5 OR x.path LIKE '%/' || ?5)))
                   AND (?6 IS NULL OR e.last_seen >= ?6) AND (?7 IS NULL OR e.first_seen <= ?7)
                   AND (?8 IS NULL OR EXISTS (SELECT 1 FROM entry_sources x WHERE x.entry_id = e.id
                        AND (x.session_key = ?8 OR x.session_key LIKE '%:' || ?8)))
                   AND (?9 IS NULL OR EXISTS (SELECT 1 FROM entry_sources x WHERE x.entry_id = e.id
                        AND x.session_key LIKE ?9 || ':%'))
                 ORDER BY bm25(entries_fts, 4.0, 1.0, 2.0) - e.confidence LIMIT ?3",
            )?
            .query_map(params![q, cat, limit as i64, f.repo, f.file, f.since, f.until, f.session, f.agent], map)?
            .collect(),
        None => conn
            .prepare_cached(
                "SELECT e.id, e.category, e.title, substr(e.body, 1, 160), e.confidence, e.occurrences, e.last_seen, e.repo
                 FROM entries e WHERE (?2 IS NULL OR e.category = ?2) AND ?1 IS NULL
                   AND (?4 IS NULL OR e.repo LIKE '%' || ?4 || '%')
                   AND (?5 IS NULL OR EXISTS (SELECT 1 FROM entry_files x WHERE x.entry_id = e.id
                        AND (x.path = ?5 OR x.path LIKE '%/' || ?5)))
                   AND (?6 IS NULL OR e.last_seen >= ?6) AND (?7 IS NULL OR e.first_seen <= ?7)
                   AND (?8 IS NULL OR EXISTS (SELECT 1 FROM entry_sources x WHERE x.entry_id = e.id
                        AND (x.session_key = ?8 OR x.session_key LIKE '%:' || ?8)))
                   AND (?9 IS NULL OR EXISTS (SELECT 1 FROM entry_sources x WHERE x.entry_id = e.id
                        AND x.session_key LIKE ?9 || ':%'))
                 ORDER BY e.confidence DESC, e.occurrences DESC, e.last_seen DESC LIMIT ?3",
            )?
            .query_map(
                params![None::<String>, cat, limit as i64, f.repo, f.file, f.since, f.until, f.session, f.agent],
                map,
            )?
            .collect(),
    }
}

/// Session records matching `fts`, best first (BM25, human prompts and summaries above
/// tool output).
pub fn records(conn: &Connection, fts: &str, f: &Filters, limit: usize) -> rusqlite::Result<Vec<RecordHit>> {
    conn.prepare_cached(
        "SELECT s.agent || ':' || s.external_id, s.agent, s.title, s.repo, r.kind, r.ts,
                snippet(records_fts, 0, '[', ']', '…', 16)
         FROM records_fts JOIN records r ON r.id = records_fts.rowid JOIN sessions s ON s.id = r.session_id
         WHERE records_fts MATCH ?1
           AND (?3 IS NULL OR s.agent = ?3)
           AND (?4 IS NULL OR s.repo LIKE '%' || ?4 || '%')
           AND (?5 IS NULL OR s.agent || ':' || s.external_id = ?5 OR s.external_id = ?5)
           AND (?6 IS NULL OR EXISTS (SELECT 1 FROM record_files rf JOIN files fl ON fl.id = rf.file_id
                WHERE rf.record_id = r.id AND (fl.path = ?6 OR fl.path LIKE '%/' || ?6)))
           AND (?7 IS NULL OR r.ts >= ?7) AND (?8 IS NULL OR r.ts <= ?8)
           AND (?9 IS NULL OR instr(',' || ?9 || ',', ',' || r.kind || ',') > 0)
         ORDER BY bm25(records_fts) * CASE r.kind WHEN 'prompt' THEN 2.0 WHEN 'summary' THEN 1.8
                  WHEN 'task_summary' THEN 1.8 WHEN 'answer' THEN 1.3 ELSE 1.0 END
         LIMIT ?2",
    )?
    .query_map(
        params![
            fts,
            limit as i64,
            f.agent,
            f.repo,
            f.session,
            f.file,
            f.since,
            f.until,
            f.kinds_csv()
        ],
        |r| {
            Ok(RecordHit {
                session: r.get(0)?,
                agent: r.get(1)?,
                title: r.get(2)?,
                repo: r.get(3)?,
                kind: r.get(4)?,
                ts: r.get(5)?,
                snippet: r.get(6)?,
            })
        },
    )?
    .collect()
}

/// An FTS5 query that matches entries whose *title* holds every one of `terms` (each
/// quoted): a narrow, cheap probe when the words are known to sit in titles.
pub fn title_query(terms: &[&str]) -> Option<String> {
    let quoted: Vec<String> = terms
        .iter()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!quoted.is_empty()).then(|| format!("title : ({})", quoted.join(" AND ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn terms_are_quoted() {
        assert_eq!(
            fts_query("auth.rs failed", false).as_deref(),
            Some("\"auth.rs\" AND \"failed\"")
        );
        assert_eq!(
            fts_query("say \"hi\" OR", true).as_deref(),
            Some("\"say\" OR \"hi\" OR \"OR\"")
        );
        assert_eq!(fts_query(" ( ) * ", false), None);
    }

    #[test]
    fn title_queries_are_quoted_and_column_bound() {
        assert_eq!(
            title_query(&["python", "say \"hi\""]).as_deref(),
            Some("title : (\"python\" AND \"say \"\"hi\"\"\")")
        );
        assert_eq!(title_query(&["--"]), None);
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(title, body); INSERT INTO t VALUES ('python not found', 'x'), ('x', 'python not found');").expect("fts");
        let q = title_query(&["python", "found"]).expect("query");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0))
            .expect("match");
        assert_eq!(n, 1, "only the title counts");
    }

    proptest! {
        #[test]
        fn no_input_breaks_fts5(text in ".{0,60}") {
            let conn = Connection::open_in_memory().expect("db");
            conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x); INSERT INTO t VALUES ('hello world');").expect("fts");
            if let Some(q) = fts_query(&text, false) {
                let r: rusqlite::Result<i64> = conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
                prop_assert!(r.is_ok(), "{q}: {r:?}");
            }
        }
    }
}
