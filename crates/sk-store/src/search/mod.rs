//! Full-text search over knowledge entries and session records: turning user text into an
//! FTS5 query that cannot be a syntax error, and the SQL that returns candidate rows with
//! their raw BM25 score (FTS5's, or for common words [`common`]'s). Ranking them against
//! each other (confidence, recency, the current repository) is not SQL and lives in
//! `sk-query`.

use crate::sync::ORIGIN_SQL;
use rusqlite::{Connection, OptionalExtension, params};

mod common;
pub mod language;
pub mod sessions;
pub mod words;

/// One unit of a user's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The words, already free of FTS5 syntax (several for a quoted phrase).
    pub words: Vec<String>,
    /// `-word`: hits must not contain it.
    pub exclude: bool,
    /// Match any word that starts with the (last) word: the user may still be typing it.
    pub prefix: bool,
}

/// A parsed query: what to match and what to leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub terms: Vec<Term>,
}

/// Shortest last word that gets prefix matching: `a*` would match half the index.
const MIN_PREFIX_CHARS: usize = 3;

/// Characters that separate words inside a token (everything FTS5 could read as syntax).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control() || (c.is_ascii_punctuation() && c != '_' && c != '-' && c != '.')
}

fn words_of(token: &str) -> Vec<String> {
    token
        .split(is_separator)
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

impl Parsed {
    /// Reads free text: `"a phrase"` in double quotes, `-word` to exclude, every other
    /// word required; the last plain word also matches as a prefix. An unclosed quote runs
    /// to the end of the text. Never fails: anything unsearchable is dropped.
    pub fn parse(text: &str) -> Parsed {
        let mut terms = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
            if trimmed.is_empty() {
                break;
            }
            let (exclude, body) = match trimmed.strip_prefix('-') {
                Some(b) if b.starts_with('"') || b.starts_with(|c: char| c.is_alphanumeric()) => (true, b),
                _ => (false, trimmed),
            };
            if let Some(inner) = body.strip_prefix('"') {
                let (phrase, after) = inner.split_once('"').unwrap_or((inner, ""));
                let words = words_of(phrase);
                if !words.is_empty() {
                    terms.push(Term {
                        words,
                        exclude,
                        prefix: false,
                    });
                }
                rest = after;
                continue;
            }
            let end = body
                .find(|c: char| c.is_whitespace() || c.is_control() || c == '"')
                .unwrap_or(body.len());
            // A quote glued to a word (`foo"bar`) starts a phrase at the next round.
            let end = end.max(1).min(body.len());
            let (token, after) = body.split_at(end);
            // `-w` in a pasted command (`wc -w`) is a flag, not an exclusion of "w".
            if exclude && token.chars().count() < 2 {
                rest = after;
                continue;
            }
            for w in words_of(token) {
                terms.push(Term {
                    words: vec![w],
                    exclude,
                    prefix: false,
                });
            }
            rest = after;
        }
        let ends_open = !text.ends_with(|c: char| c.is_whitespace() || c == '"');
        if ends_open
            && let Some(last) = terms.last_mut()
            && !last.exclude
            && last.words.len() == 1
            && last.words[0].chars().count() >= MIN_PREFIX_CHARS
        {
            last.prefix = true;
        }
        Parsed { terms }
    }

    /// The words that must or may match (not the excluded ones), for highlighting.
    pub fn positive_words(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .filter(|t| !t.exclude)
            .flat_map(|t| t.words.iter().map(String::as_str))
    }

    /// The FTS5 query: every positive term (all of them, or any with `any`), minus the
    /// excluded ones. None when nothing positive is left to search for.
    pub fn to_fts(&self, any: bool) -> Option<String> {
        let quote = |t: &Term| {
            let phrase = t.words.join(" ").replace('"', "\"\"");
            format!("\"{phrase}\"{}", if t.prefix { "*" } else { "" })
        };
        let positive: Vec<String> = self.terms.iter().filter(|t| !t.exclude).map(quote).collect();
        if positive.is_empty() {
            return None;
        }
        let mut q = format!("({})", positive.join(if any { " OR " } else { " AND " }));
        for t in self.terms.iter().filter(|t| t.exclude) {
            q.push_str(" NOT ");
            q.push_str(&quote(t));
        }
        Some(q)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.iter().all(|t| t.exclude)
    }
}

/// Turns free text into an FTS5 query: each word quoted (quotes doubled), joined with
/// AND or OR. Returns None when the text holds no searchable word. (The plain form the
/// briefing uses: no phrases, exclusions or prefixes.)
pub fn fts_query(text: &str, any: bool) -> Option<String> {
    let terms: Vec<String> = words_of(text)
        .into_iter()
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
    /// The current repository (`--here`): its `owner/name` (matched as a substring of the
    /// stored repository, which may be a URL) and/or its work-tree root (sessions started
    /// inside it match even when their log names no repository).
    pub here_repo: Option<String>,
    pub here_root: Option<String>,
    /// A session: `agent:id` or the agent's id.
    pub session: Option<String>,
    /// A file: exact path, or a path ending in `/<file>`.
    pub file: Option<String>,
    /// A directory: files under it (`src/auth` matches `…/src/auth/…`).
    pub module: Option<String>,
    /// A task or issue id: entries recorded with it (`sk learn --task`), and sessions whose
    /// branch names it or that such entries came from.
    pub task: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Record kinds to search (empty = all), e.g. `prompt`, `tool_call`.
    pub kinds: Vec<&'static str>,
    /// Knowledge entries below this confidence are left out, pinned ones never (None: every entry). Callers
    /// pass `sk_core::knowledge::SHOWN_MIN_CONFIDENCE` unless the user asked for all.
    /// Narrows knowledge only; it is not a filter in the sense of [`Filters::is_unfiltered`].
    pub min_confidence: Option<f64>,
}

impl Filters {
    /// No filter at all (the common case, which gets the cheapest query).
    pub fn is_unfiltered(&self) -> bool {
        self.agent.is_none()
            && self.repo.is_none()
            && self.here_repo.is_none()
            && self.here_root.is_none()
            && self.session.is_none()
            && self.file.is_none()
            && self.module.is_none()
            && self.task.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.kinds.is_empty()
    }
    fn kinds_csv(&self) -> Option<String> {
        (!self.kinds.is_empty()).then(|| self.kinds.join(","))
    }
    /// `--module src/auth` as the pattern a stored path must contain.
    fn module_pattern(&self) -> Option<String> {
        self.module
            .as_deref()
            .map(|m| m.trim_matches('/'))
            .filter(|m| !m.is_empty())
            .map(|m| format!("%{}/%", escape_like(m)))
    }
    pub(crate) fn here_root_pattern(&self) -> Option<String> {
        self.here_root
            .as_deref()
            .map(|r| format!("{}/%", escape_like(r.trim_end_matches('/'))))
    }
}

/// Escapes LIKE wildcards so a user's path matches literally (ESCAPE '\').
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A knowledge entry that matched, with its raw relevance.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub snippet: String,
    pub confidence: f64,
    pub occurrences: i64,
    pub last_seen: i64,
    pub repo: Option<String>,
    pub task: Option<String>,
    /// BM25 with title 4×, tags 2×, body 1× — made positive: higher is better (0 when
    /// listing without words).
    pub bm25: f64,
    /// For an entry pulled by `sk sync`: `AUTHOR on REPLICA` (who pushed it, from where).
    pub from: Option<String>,
}

/// A session record that matched, with its raw relevance.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub record_id: i64,
    pub session: String,
    pub agent: String,
    pub title: Option<String>,
    pub repo: Option<String>,
    pub kind: String,
    pub ts: Option<i64>,
    pub started_at: Option<i64>,
    pub snippet: String,
    /// BM25 made positive: higher is better.
    pub bm25: f64,
}

const ENTRY_FILTERS: &str = "(?2 IS NULL OR e.category = ?2)
   AND (?4 IS NULL OR e.repo LIKE '%' || ?4 || '%')
   AND (?5 IS NULL OR EXISTS (SELECT 1 FROM entry_files x WHERE x.entry_id = e.id
        AND (x.path = ?5 OR x.path LIKE '%/' || ?5)))
   AND (?6 IS NULL OR e.last_seen >= ?6) AND (?7 IS NULL OR e.first_seen <= ?7)
   AND (?8 IS NULL OR EXISTS (SELECT 1 FROM entry_sources x WHERE x.entry_id = e.id
        AND (x.session_key = ?8 OR x.session_key LIKE '%:' || ?8)))
   AND (?9 IS NULL OR EXISTS (SELECT 1 FROM entry_sources x WHERE x.entry_id = e.id
        AND x.session_key LIKE ?9 || ':%'))
   AND (?10 IS NULL OR e.repo LIKE '%' || ?10 || '%')
   AND (?11 IS NULL OR EXISTS (SELECT 1 FROM entry_files x WHERE x.entry_id = e.id
        AND ('/' || x.path) LIKE ?11 ESCAPE '\\'))
   AND (?12 IS NULL OR e.task = ?12)
   AND (?13 IS NULL OR e.confidence >= ?13 OR e.pinned = 1)";

/// Matches scored per query, newest first. BM25 costs a few microseconds per matching row
/// (FTS5 has no top-k shortcut: every match is scored before sorting; each score looks up
/// the row's length), so a word found in a hundred thousand records would take half a
/// second. Scoring only the newest matches bounds every query; a word that common says
/// little on its own, and recency ranks newer hits higher anyway. Queries with rarer words
/// (most of them) score every match. 150 keeps the scoring of a common word under ~2 ms on a 1 GB
/// history (sk-bench-recall: 400 → 150 took the briefing median from 31 to 25 ms).
pub const SCORE_WINDOW: usize = 150;

/// Entries matching `fts` (or all, when None): the `limit` best by weighted BM25 among the
/// newest [`SCORE_WINDOW`] matches (or, when listing, by confidence, occurrences and
/// recency). `snippet` is left empty for matches: [`entry_snippet`] fills it for the hits
/// that are shown.
pub fn entries(
    conn: &Connection,
    fts: Option<&str>,
    category: Option<&str>,
    f: &Filters,
    limit: usize,
) -> rusqlite::Result<Vec<EntryRow>> {
    let map = |r: &rusqlite::Row<'_>| {
        Ok(EntryRow {
            id: r.get(0)?,
            category: r.get(1)?,
            title: r.get(2)?,
            snippet: r.get(3)?,
            confidence: r.get(4)?,
            occurrences: r.get(5)?,
            last_seen: r.get(6)?,
            repo: r.get(7)?,
            task: r.get(8)?,
            bm25: 0.0 - r.get::<_, f64>(9)?,
            from: r.get(10)?,
        })
    };
    if let Some(fts) = fts
        && category.is_none()
        && f.is_unfiltered()
    {
        // As for records: no join inside the window. Without a quality floor only the best
        // `limit` are joined; with one, the window's rows are (knowledge is small, and an
        // entry under the floor must not take a place).
        let sql = format!(
            "SELECT e.id, e.category, e.title, '', e.confidence, e.occurrences, e.last_seen, e.repo, e.task, w.s, {ORIGIN_SQL}
             FROM (SELECT id, s FROM
                     (SELECT rowid AS id, bm25(entries_fts, 4.0, 1.0, 2.0) AS s FROM entries_fts
                      WHERE entries_fts MATCH ?1 ORDER BY rowid DESC LIMIT {SCORE_WINDOW})
                   ORDER BY s, id LIMIT CASE WHEN ?3 IS NULL THEN ?2 ELSE -1 END) w
             JOIN entries e ON e.id = w.id
             WHERE ?3 IS NULL OR e.confidence >= ?3 OR e.pinned = 1
             ORDER BY w.s, e.id LIMIT ?2"
        );
        return conn
            .prepare_cached(&sql)?
            .query_map(params![fts, limit as i64, f.min_confidence], map)?
            .collect();
    }
    let sql = match fts {
        Some(_) => format!(
            "SELECT e.id, e.category, e.title, '', e.confidence, e.occurrences, e.last_seen, e.repo, e.task, w.s, {ORIGIN_SQL}
             FROM (SELECT entries_fts.rowid AS id, bm25(entries_fts, 4.0, 1.0, 2.0) AS s
                   FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
                   WHERE entries_fts MATCH ?1 AND {ENTRY_FILTERS}
                   ORDER BY entries_fts.rowid DESC LIMIT {SCORE_WINDOW}) w
             JOIN entries e ON e.id = w.id
             ORDER BY w.s, e.id LIMIT ?3"
        ),
        None => format!(
            "SELECT e.id, e.category, e.title, substr(e.body, 1, 200), e.confidence, e.occurrences,
                    e.last_seen, e.repo, e.task, 0.0, {ORIGIN_SQL}
             FROM entries e WHERE ?1 IS NULL AND {ENTRY_FILTERS}
             ORDER BY e.confidence DESC, e.occurrences DESC, e.last_seen DESC, e.id LIMIT ?3"
        ),
    };
    conn.prepare_cached(&sql)?
        .query_map(
            params![
                fts,
                category,
                limit as i64,
                f.repo,
                f.file,
                f.since,
                f.until,
                f.session,
                f.agent,
                f.here_repo,
                f.module_pattern(),
                f.task,
                f.min_confidence
            ],
            map,
        )?
        .collect()
}

/// Session records matching `q` (every positive term, or any with `any`): the `limit` best
/// among the newest [`SCORE_WINDOW`] matches, with the session they belong to, best first.
/// Scored by FTS5's `bm25()`, or by [`common`] when the words are so common that `bm25()`
/// would read long posting lists. Weighting by record kind and title happens in the
/// ranker; `snippet` is left empty ([`record_text_head`] feeds it).
pub fn records(
    conn: &Connection,
    q: &Parsed,
    any: bool,
    f: &Filters,
    limit: usize,
) -> rusqlite::Result<Vec<RecordRow>> {
    let Some(fts) = q.to_fts(any) else {
        return Ok(Vec::new());
    };
    let scored = match common::plan(conn, q, any)? {
        None => candidates(conn, &fts, f, true, limit)?,
        Some(plan) => {
            let ids: Vec<i64> = candidates(conn, &fts, f, false, SCORE_WINDOW)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let mut scored = plan.score(conn, &ids)?;
            scored.truncate(limit);
            scored
        }
    };
    record_rows(conn, &scored)
}

/// The newest [`SCORE_WINDOW`] records matching `fts` that pass the filters, as (record
/// id, score) — BM25 made positive (higher is better) when `bm25`, else 0 — best first,
/// at most `take`. Unfiltered, no table is joined inside the window: each record looked up
/// is a random page read, the dearest part of a query.
fn candidates(
    conn: &Connection,
    fts: &str,
    f: &Filters,
    bm25: bool,
    take: usize,
) -> rusqlite::Result<Vec<(i64, f64)>> {
    let score = if bm25 { "bm25(records_fts)" } else { "0.0" };
    let map = |r: &rusqlite::Row<'_>| Ok((r.get::<_, i64>(0)?, 0.0 - r.get::<_, f64>(1)?));
    if f.is_unfiltered() {
        let sql = format!(
            "SELECT id, score FROM
               (SELECT rowid AS id, {score} AS score FROM records_fts
                WHERE records_fts MATCH ?1 ORDER BY rowid DESC LIMIT {SCORE_WINDOW})
             ORDER BY score, id LIMIT ?2"
        );
        return conn
            .prepare_cached(&sql)?
            .query_map(params![fts, take as i64], map)?
            .collect();
    }
    let sql = format!(
        "SELECT id, score FROM
         (SELECT records_fts.rowid AS id, {score} AS score
         FROM records_fts JOIN records r ON r.id = records_fts.rowid JOIN sessions s ON s.id = r.session_id
         WHERE records_fts MATCH ?1
           AND (?3 IS NULL OR s.agent = ?3)
           AND (?4 IS NULL OR s.repo LIKE '%' || ?4 || '%')
           AND (?5 IS NULL OR s.agent || ':' || s.external_id = ?5 OR s.external_id = ?5)
           AND (?6 IS NULL OR EXISTS (SELECT 1 FROM record_files rf JOIN files fl ON fl.id = rf.file_id
                WHERE rf.record_id = r.id AND (fl.path = ?6 OR fl.path LIKE '%/' || ?6)))
           AND (?7 IS NULL OR r.ts >= ?7) AND (?8 IS NULL OR r.ts <= ?8)
           AND (?9 IS NULL OR instr(',' || ?9 || ',', ',' || r.kind || ',') > 0)
           AND ((?10 IS NULL AND ?11 IS NULL) OR s.repo LIKE '%' || ?10 || '%'
                OR (s.cwd || '/') LIKE ?11 ESCAPE '\\')
           AND (?12 IS NULL OR EXISTS (SELECT 1 FROM record_files rf JOIN files fl ON fl.id = rf.file_id
                WHERE rf.record_id = r.id AND ('/' || fl.path) LIKE ?12 ESCAPE '\\'))
           AND (?13 IS NULL OR s.branch LIKE '%' || ?13 || '%'
                OR EXISTS (SELECT 1 FROM entry_sources x JOIN entries e ON e.id = x.entry_id
                           WHERE e.task = ?13 AND x.session_key = s.agent || ':' || s.external_id))
         ORDER BY records_fts.rowid DESC LIMIT {SCORE_WINDOW})
         ORDER BY score, id LIMIT ?2"
    );
    conn.prepare_cached(&sql)?
        .query_map(
            params![
                fts,
                take as i64,
                f.agent,
                f.repo,
                f.session,
                f.file,
                f.since,
                f.until,
                f.kinds_csv(),
                f.here_repo,
                f.here_root_pattern(),
                f.module_pattern(),
                f.task
            ],
            map,
        )?
        .collect()
}

/// The scored records joined to their rows and sessions, in the order given.
fn record_rows(conn: &Connection, scored: &[(i64, f64)]) -> rusqlite::Result<Vec<RecordRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.agent || ':' || s.external_id, s.agent, s.title, s.repo, r.kind, r.ts, s.started_at
         FROM records r JOIN sessions s ON s.id = r.session_id WHERE r.id = ?1",
    )?;
    let mut rows = Vec::with_capacity(scored.len());
    for &(record_id, bm25) in scored {
        let row = stmt
            .query_row([record_id], |r| {
                Ok(RecordRow {
                    record_id,
                    session: r.get(0)?,
                    agent: r.get(1)?,
                    title: r.get(2)?,
                    repo: r.get(3)?,
                    kind: r.get(4)?,
                    ts: r.get(5)?,
                    started_at: r.get(6)?,
                    snippet: String::new(),
                    bm25,
                })
            })
            .optional()?;
        rows.extend(row);
    }
    Ok(rows)
}

/// How much of a record's text a snippet looks at: a match further in (in a long tool
/// output) is not worth reading megabytes for; the snippet then shows the start.
pub const SNIPPET_HEAD_BYTES: usize = 64 * 1024;

/// The first [`SNIPPET_HEAD_BYTES`] of a record's text (cut at a character boundary), read
/// through incremental blob I/O so a long text's overflow pages past the head are never
/// touched. None when the record is gone.
pub fn record_text_head(conn: &Connection, record_id: i64) -> rusqlite::Result<Option<String>> {
    use std::io::Read;
    let mut blob = match conn.blob_open(rusqlite::MAIN_DB, "records", "text", record_id, true) {
        Ok(b) => b,
        Err(rusqlite::Error::SqliteFailure(_, Some(msg))) if msg.contains("no such rowid") => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let mut head = vec![0u8; blob.len().min(SNIPPET_HEAD_BYTES)];
    blob.read_exact(&mut head)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok(Some(utf8_prefix(head)))
}

/// The longest valid UTF-8 start of `bytes` (a cut may split the last character); invalid
/// bytes further in are replaced.
fn utf8_prefix(mut bytes: Vec<u8>) -> String {
    if let Err(e) = std::str::from_utf8(&bytes)
        && e.error_len().is_none()
    {
        bytes.truncate(e.valid_up_to());
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The sessions a knowledge entry came from (`agent:external_id`), most recent sighting
/// first: every knowledge hit leads to a session. Only sessions this database can open
/// ([`crate::knowledge::sessions_of`]): a sighting pulled from another replica (`sk
/// sync`) names a session whose logs are there, listed once its digest is here too.
pub fn entry_sessions(conn: &Connection, entry_id: i64) -> rusqlite::Result<Vec<String>> {
    Ok(crate::knowledge::sessions_of(conn, entry_id, None)?
        .into_iter()
        .map(|s| s.session_key)
        .collect())
}

/// A knowledge entry's body, for its snippet.
pub fn entry_body(conn: &Connection, entry_id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT body FROM entries WHERE id = ?1")?
        .query_row([entry_id], |r| r.get(0))
        .optional()
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
    fn record_heads_are_cut_at_a_character_boundary() {
        assert_eq!(utf8_prefix("aé".as_bytes()[..2].to_vec()), "a");
        assert_eq!(utf8_prefix(b"ok".to_vec()), "ok");
        assert_eq!(utf8_prefix(vec![b'a', 0xff, b'b']), "a\u{fffd}b");
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch("CREATE TABLE records (id INTEGER PRIMARY KEY, text TEXT NOT NULL);")
            .expect("table");
        let long = "ü".repeat(SNIPPET_HEAD_BYTES);
        conn.execute("INSERT INTO records VALUES (1, ?1)", [&long])
            .expect("insert");
        let head = record_text_head(&conn, 1).expect("read").expect("row");
        assert_eq!(head.len(), SNIPPET_HEAD_BYTES);
        assert!(long.starts_with(&head));
        assert_eq!(record_text_head(&conn, 2).expect("read"), None);
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

    #[test]
    fn phrases_exclusions_and_a_prefix_on_the_last_word() {
        let p = Parsed::parse("\"borrow checker\" lifetime -unsafe migra");
        assert_eq!(
            p.to_fts(false).as_deref(),
            Some("(\"borrow checker\" AND \"lifetime\" AND \"migra\"*) NOT \"unsafe\"")
        );
        assert_eq!(
            p.to_fts(true).as_deref(),
            Some("(\"borrow checker\" OR \"lifetime\" OR \"migra\"*) NOT \"unsafe\"")
        );
        // A finished word (trailing space), a short word, an excluded last word: no prefix.
        assert_eq!(
            Parsed::parse("migrate ").to_fts(false).as_deref(),
            Some("(\"migrate\")")
        );
        assert_eq!(
            Parsed::parse("db ok").to_fts(false).as_deref(),
            Some("(\"db\" AND \"ok\")")
        );
        assert_eq!(
            Parsed::parse("tests -flaky").to_fts(false).as_deref(),
            Some("(\"tests\") NOT \"flaky\"")
        );
        // Hyphens inside words are not exclusions; only exclusions is nothing to search.
        assert_eq!(
            Parsed::parse("does-not-exist.txt").to_fts(false).as_deref(),
            Some("(\"does-not-exist.txt\"*)")
        );
        assert_eq!(Parsed::parse("-ab -cd").to_fts(false), None);
        assert_eq!(
            Parsed::parse("wc -w notes").to_fts(false).as_deref(),
            Some("(\"wc\" AND \"notes\"*)")
        );
        assert!(Parsed::parse("-ab").is_empty());
        // Unclosed quote: a phrase to the end.
        assert_eq!(
            Parsed::parse("x \"a b").to_fts(false).as_deref(),
            Some("(\"x\" AND \"a b\")")
        );
    }

    proptest! {
        #[test]
        fn no_input_breaks_fts5(text in ".{0,60}") {
            let conn = Connection::open_in_memory().expect("db");
            conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x); INSERT INTO t VALUES ('hello world');").expect("fts");
            for q in [fts_query(&text, false), Parsed::parse(&text).to_fts(false), Parsed::parse(&text).to_fts(true)].into_iter().flatten() {
                let r: rusqlite::Result<i64> = conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
                prop_assert!(r.is_ok(), "{q}: {r:?}");
            }
        }

        #[test]
        fn query_syntax_characters_never_break_fts5(text in "[-\"*():^ a-c.+]{0,30}") {
            let conn = Connection::open_in_memory().expect("db");
            conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x); INSERT INTO t VALUES ('a b c');").expect("fts");
            for any in [false, true] {
                if let Some(q) = Parsed::parse(&text).to_fts(any) {
                    let r: rusqlite::Result<i64> = conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
                    prop_assert!(r.is_ok(), "{q}: {r:?}");
                }
            }
        }
    }
}
