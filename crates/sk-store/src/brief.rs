//! The reads behind `sk brief`: which entries and sessions match a task's words or touch
//! its files, and which files past mistakes concentrate on. Ranking and budgeting are not
//! SQL and live in `sk_query::brief`; this module only returns raw signals (BM25 scores,
//! file matches) in a stable order so the briefing is reproducible.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, params};

use crate::search::SCORE_WINDOW;
use crate::search::sessions::{Documents, SessionIndex, document_counts, sampled_counts};

/// How an entry or session relates to one of the task's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileMatch {
    /// Only the file names agree (`auth.rs` vs `lib/auth.rs`): weak, names repeat.
    Name,
    /// The same path, or one path is a suffix of the other at a `/` boundary.
    Path,
}

/// A knowledge entry as the briefing needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefEntry {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    pub repo: Option<String>,
    pub confidence: f64,
    pub occurrences: i64,
    pub last_seen: i64,
    pub files: Vec<String>,
    /// Always eligible, listed first (`sk knowledge pin`).
    pub pinned: bool,
    /// Pulled by `sk sync`: `AUTHOR on REPLICA`; None for knowledge made here.
    pub from: Option<String>,
}

/// A session as the briefing lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefSession {
    pub id: i64,
    pub key: String,
    pub repo: Option<String>,
    pub title: Option<String>,
    pub first_prompt: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub work_done: Option<String>,
    pub next_steps: Option<String>,
}

/// A file named by past mistakes.
#[derive(Debug, Clone, PartialEq)]
pub struct MistakeFile {
    pub path: String,
    pub mistakes: i64,
    pub last_seen: i64,
}

/// The SQL condition "stored path `col` matches the bound path `?N`" by exact path or
/// suffix at a `/` boundary (task paths are repo-relative, stored ones often absolute).
fn path_condition(col: &str, n: usize) -> String {
    format!(
        "({col} = ?{n}
          OR (length({col}) > length(?{n}) AND substr({col}, -length(?{n}) - 1) = '/' || ?{n})
          OR (length(?{n}) > length({col}) AND substr(?{n}, -length({col}) - 1) = '/' || {col}))"
    )
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A stored path's last `/`-separated component, as the `*_name` indexes of schema v2
/// compute it (the SQL must be exactly this for the planner to use them).
fn name_expr(col: &str) -> String {
    format!("substr({col}, length(rtrim({col}, replace({col}, '/', ''))) + 1)")
}

/// The same for a path given here. Every match of [`path_condition`] shares it, which is
/// what makes the name lookup a safe narrowing.
fn slash_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Entry ids whose full-text match `fts` scores best among the newest [`SCORE_WINDOW`]
/// matches, with their BM25 score (lower is better), ordered by score then id.
pub fn entry_scores(conn: &Connection, fts: &str, limit: usize) -> rusqlite::Result<Vec<(i64, f64)>> {
    conn.prepare_cached(&format!(
        "SELECT id, score FROM (SELECT rowid AS id, bm25(entries_fts, 4.0, 1.0, 2.0) AS score
             FROM entries_fts WHERE entries_fts MATCH ?1 ORDER BY rowid DESC LIMIT {SCORE_WINDOW})
             ORDER BY score, id LIMIT ?2"
    ))?
    .query_map(params![fts, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Entries attached to any of `files`, with the strongest match per entry.
pub fn entries_for_files(conn: &Connection, files: &[String]) -> rusqlite::Result<BTreeMap<i64, FileMatch>> {
    // The same condition serves both: a bare file name only matches at a `/` boundary.
    let sql = format!(
        "SELECT DISTINCT entry_id FROM entry_files WHERE {} = ?2 AND {}",
        name_expr("path"),
        path_condition("path", 1)
    );
    let mut found = BTreeMap::new();
    for file in files {
        for (arg, strength) in [
            (file_name(file), FileMatch::Name),
            (file.as_str(), FileMatch::Path),
        ] {
            let ids: Vec<i64> = conn
                .prepare_cached(&sql)?
                .query_map([arg, slash_name(arg)], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for id in ids {
                let slot = found.entry(id).or_insert(strength);
                *slot = (*slot).max(strength);
            }
        }
    }
    Ok(found)
}

/// Pattern and decision entries that may stand regardless of the task's words, most
/// trusted first; the caller keeps those of the current repository or of none.
pub fn standing_entries(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<i64>> {
    // Named: the planner would rather seek `entries_category` and sort every one of them.
    conn.prepare_cached(
        "SELECT id FROM entries INDEXED BY entries_standing WHERE category IN ('pattern', 'decision')
         ORDER BY confidence DESC, occurrences DESC, id LIMIT ?1",
    )?
    .query_map([limit as i64], |r| r.get(0))?
    .collect()
}

/// Pinned entries (schema v6), oldest first; the caller keeps those of the current
/// repository or of none.
pub fn pinned_entries(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<i64>> {
    conn.prepare_cached("SELECT id FROM entries WHERE pinned = 1 ORDER BY id LIMIT ?1")?
        .query_map([limit as i64], |r| r.get(0))?
        .collect()
}

/// The entries with these ids, in id order, with their files: two statements whatever
/// the number of ids (the ids travel as one JSON array parameter).
/// Entries under `min_confidence` are left out (None: all of them), unless pinned: a
/// pinned entry is always eligible.
pub fn load_entries(
    conn: &Connection,
    ids: &[i64],
    min_confidence: Option<f64>,
) -> rusqlite::Result<Vec<BriefEntry>> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let ids_json = json_ids(&sorted);
    let sql = format!(
        "SELECT id, category, title, body, repo, confidence, occurrences, last_seen, pinned, {}
         FROM entries
         WHERE id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR confidence >= ?2 OR pinned = 1)
         ORDER BY id",
        crate::sync::ORIGIN_SQL
    );
    let mut out: Vec<BriefEntry> = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![&ids_json, min_confidence], |r| {
            Ok(BriefEntry {
                id: r.get(0)?,
                category: r.get(1)?,
                title: r.get(2)?,
                body: r.get(3)?,
                repo: r.get(4)?,
                confidence: r.get(5)?,
                occurrences: r.get(6)?,
                last_seen: r.get(7)?,
                files: Vec::new(),
                pinned: r.get(8)?,
                from: r.get(9)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut files = conn.prepare_cached(
        "SELECT entry_id, path FROM entry_files WHERE entry_id IN (SELECT value FROM json_each(?1))
         ORDER BY entry_id, path",
    )?;
    let mut rows = files.query([&ids_json])?;
    let mut at = 0;
    while let Some(row) = rows.next()? {
        let (id, path): (i64, String) = (row.get(0)?, row.get(1)?);
        while at < out.len() && out[at].id < id {
            at += 1;
        }
        if let Some(entry) = out.get_mut(at).filter(|e| e.id == id) {
            entry.files.push(path);
        }
    }
    Ok(out)
}

fn json_ids(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

/// Which of a task's words each of a few candidates holds: per candidate that holds any,
/// the indexes of the terms (FTS5 queries of one word each) it holds. What a briefing
/// weighs a word match by (`sk_query::brief::relevance`).
pub type TermsHeld = BTreeMap<i64, Vec<usize>>;

/// [`TermsHeld`] for knowledge entries: one rowid probe per candidate and term, so keep
/// the candidates few (a walk of each term's postings would read a common word's every
/// entry in a large knowledge base).
pub fn entry_terms(conn: &Connection, terms: &[String], candidates: &[i64]) -> rusqlite::Result<TermsHeld> {
    terms_held(conn, terms, candidates, |_| "entries_fts")
}

/// [`TermsHeld`] for sessions, `terms` as the session index reads them (a CJK word in the
/// index of bigrams, any other in the index of words), probed the same way.
pub fn session_terms(conn: &Connection, terms: &[String], candidates: &[i64]) -> rusqlite::Result<TermsHeld> {
    terms_held(conn, terms, candidates, |term| {
        SessionIndex::for_fts(term).table()
    })
}

fn terms_held(
    conn: &Connection,
    terms: &[String],
    candidates: &[i64],
    table: impl Fn(&str) -> &'static str,
) -> rusqlite::Result<TermsHeld> {
    let mut held = TermsHeld::new();
    for (i, term) in terms.iter().enumerate() {
        let t = table(term);
        let mut probe =
            conn.prepare_cached(&format!("SELECT 1 FROM {t} WHERE {t} MATCH ?1 AND rowid = ?2"))?;
        for &id in candidates {
            if probe.exists(params![term, id])? {
                held.entry(id).or_default().push(i);
            }
        }
    }
    Ok(held)
}

/// Per term (an FTS5 query of one word), the knowledge entries that hold it and the
/// entries there are, counted among the newest `sample` as sessions are
/// ([`sampled_counts`]), so that a word in most of a large knowledge base costs no walk
/// through all of it.
pub fn entry_counts(conn: &Connection, terms: &[String], sample: u64) -> rusqlite::Result<Vec<(u64, u64)>> {
    let entries = Documents {
        count_all: "SELECT count(*) FROM entries",
        nth_newest: "SELECT id FROM entries ORDER BY id DESC LIMIT 1 OFFSET ?1",
        fts: "entries_fts",
    };
    let (counts, total) = sampled_counts(conn, &entries, terms, sample)?;
    Ok(counts.into_iter().map(|n| (n, total)).collect())
}

/// Per term (as the session index reads it), the sessions that hold it and the sessions
/// it was counted among, from the newest `sample` ([`document_counts`]). Only sessions with
/// CJK text have a document in the index of bigrams: a CJK word's rarity is measured among
/// them, as its BM25 does. One count of each index's documents, whatever the terms.
pub fn session_counts(conn: &Connection, terms: &[String], sample: u64) -> rusqlite::Result<Vec<(u64, u64)>> {
    let mut out = vec![(0, 0); terms.len()];
    for index in [SessionIndex::Words, SessionIndex::Cjk] {
        let (at, group): (Vec<usize>, Vec<String>) = terms
            .iter()
            .enumerate()
            .filter(|(_, t)| SessionIndex::for_fts(t) == index)
            .map(|(i, t)| (i, t.clone()))
            .unzip();
        if group.is_empty() {
            continue;
        }
        let (counts, total) = document_counts(conn, index, &group, sample)?;
        for (i, n) in at.into_iter().zip(counts) {
            out[i] = (n, total);
        }
    }
    Ok(out)
}

/// Sessions whose search documents (schema v4) match `fts`, with their BM25 score under
/// the ranking policy's column weights (lower is better), best first: the same ranking as
/// `sk query`, over every matching session.
pub fn session_scores(
    conn: &Connection,
    fts: &str,
    weights: &crate::search::sessions::ColumnWeights,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, f64)>> {
    let t = crate::search::sessions::SessionIndex::for_fts(fts).table();
    conn.prepare_cached(&format!(
        "SELECT rowid, bm25({t}, ?2, ?3, ?4, ?5, ?6) AS score FROM {t}
         WHERE {t} MATCH ?1 ORDER BY score, rowid LIMIT ?7"
    ))?
    .query_map(
        params![
            fts,
            weights.title,
            weights.asked,
            weights.said,
            weights.did,
            weights.saw,
            limit as i64
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .collect()
}

/// Sessions whose records touched any of `files` (path or suffix match), newest first.
pub fn sessions_for_files(conn: &Connection, files: &[String], limit: usize) -> rusqlite::Result<Vec<i64>> {
    let sql = format!(
        "SELECT DISTINCT r.session_id FROM files f JOIN record_files rf ON rf.file_id = f.id
         JOIN records r ON r.id = rf.record_id WHERE {} = ?3 AND {} ORDER BY r.session_id DESC LIMIT ?2",
        name_expr("f.path"),
        path_condition("f.path", 1)
    );
    let mut found = Vec::new();
    for file in files {
        let ids: Vec<i64> = conn
            .prepare_cached(&sql)?
            .query_map(params![file, limit as i64, slash_name(file)], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        found.extend(ids);
    }
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

/// The sessions with these ids, in id order, without their texts (one statement; see
/// [`fill_session_texts`]).
pub fn load_sessions(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<BriefSession>> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    conn.prepare_cached(&format!(
        "SELECT id, agent || ':' || external_id, repo, {}, started_at, ended_at FROM sessions
         WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        crate::sessions::SHOWN_TITLE
    ))?
    .query_map([json_ids(&sorted)], |r| {
        Ok(BriefSession {
            id: r.get(0)?,
            key: r.get(1)?,
            repo: r.get(2)?,
            title: r.get(3)?,
            first_prompt: None,
            started_at: r.get(4)?,
            ended_at: r.get(5)?,
            work_done: None,
            next_steps: None,
        })
    })?
    .collect()
}

/// SQL: the session `s` ran in the folder `?2`, or below it when `?3` (a repository's
/// root: outside a repository, a folder such as the home folder holds every project).
const UNDER_ROOT: &str = "(s.cwd = ?2 OR (?3 AND substr(s.cwd, 1, length(?2) + 1) = ?2 || '/'))";

/// Of these sessions: whether each ran in the folder `root` (or below it, with `below`),
/// and its repository.
pub fn session_places(
    conn: &Connection,
    ids: &[i64],
    root: &str,
    below: bool,
) -> rusqlite::Result<Vec<(i64, bool, Option<String>)>> {
    conn.prepare_cached(&format!(
        "SELECT s.id, {UNDER_ROOT}, s.repo FROM sessions s WHERE s.id IN (SELECT value FROM json_each(?1))"
    ))?
    .query_map(params![json_ids(ids), root, below], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .collect()
}

/// Of these entries, the ones that belong in a briefing for the folder `root` whatever
/// their repository field says: extracted from a session that ran inside `root`, or without
/// a repository and pinned or written by hand (learned with no repository is learned for
/// every repository). An entry extracted only from sessions elsewhere belongs there.
pub fn entries_from_here(
    conn: &Connection,
    ids: &[i64],
    root: &str,
    below: bool,
) -> rusqlite::Result<BTreeSet<i64>> {
    conn.prepare_cached(&format!(
        "SELECT e.id FROM entries e
         WHERE e.id IN (SELECT value FROM json_each(?1))
           AND ((coalesce(e.repo, '') = '' AND (e.pinned = 1 OR e.origin != 'extracted')) OR EXISTS (
                SELECT 1 FROM entry_sources es JOIN sessions s
                  ON s.agent = substr(es.session_key, 1, instr(es.session_key, ':') - 1)
                 AND s.external_id = substr(es.session_key, instr(es.session_key, ':') + 1)
                WHERE es.entry_id = e.id AND {UNDER_ROOT}))"
    ))?
    .query_map(params![json_ids(ids), root, below], |r| r.get(0))?
    .collect()
}

/// Fills a session's first prompt and the last "work done" / "next steps" a summary gave:
/// three index walks, done only for the sessions a briefing may show.
pub fn fill_session_texts(conn: &Connection, session: &mut BriefSession) -> rusqlite::Result<()> {
    let id = session.id;
    session.first_prompt = first_text(conn, id, "r.kind = 'prompt' AND r.subagent = 0", false)?;
    session.work_done = first_text(
        conn,
        id,
        "(r.kind = 'summary' AND r.section = 'work_done') OR r.kind = 'task_summary'",
        true,
    )?;
    session.next_steps = first_text(conn, id, "r.kind = 'summary' AND r.section = 'next_steps'", true)?;
    Ok(())
}

/// The first (or, with `last`, the latest) prompt or summary text of a session meeting
/// `condition`.
fn first_text(
    conn: &Connection,
    session_id: i64,
    condition: &str,
    last: bool,
) -> rusqlite::Result<Option<String>> {
    let order = if last { "DESC" } else { "ASC" };
    // The `kind IN (…)` term lets the planner walk the `records_digest` partial index in
    // log order instead of reading every record of the session.
    let sql = format!(
        "SELECT r.text FROM records r INDEXED BY records_digest
         WHERE r.session_id = ?1 AND r.kind IN ('prompt', 'summary', 'task_summary') AND ({condition})
         ORDER BY r.source_id {order}, r.offset {order}, r.part {order} LIMIT 1"
    );
    conn.prepare_cached(&sql)?
        .query_map([session_id], |r| r.get(0))?
        .next()
        .transpose()
}

/// Files named by mistake entries: how many mistakes and the latest, most first. Git's
/// own files (`.git/HEAD.lock`, `.git/FETCH_HEAD`, named by sandbox refusals) are nobody's
/// work and are left out.
pub fn mistake_files(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<MistakeFile>> {
    // Counted by triggers as mistakes change (schema v2), read here in rank order.
    conn.prepare_cached(
        "SELECT path, mistakes, last_seen FROM hot_files
         WHERE path NOT LIKE '.git/%' AND path NOT LIKE '%/.git/%'
         ORDER BY mistakes DESC, last_seen DESC, path LIMIT ?1",
    )?
    .query_map([limit as i64], |r| {
        Ok(MistakeFile {
            path: r.get(0)?,
            mistakes: r.get(1)?,
            last_seen: r.get(2)?,
        })
    })?
    .collect()
}

/// Whether the base holds any entry or session: an empty base gets a short briefing.
pub fn has_data(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM entries) OR EXISTS (SELECT 1 FROM sessions)",
        [],
        |r| r.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_file_name_is_the_one_computed_here() {
        let conn = Connection::open_in_memory().expect("db");
        for path in [
            "src/config.rs",
            "config.rs",
            "/abs/dir/größe.rs",
            "dir/",
            "a\\win\\path.rs",
            "/x/y.tar.gz",
            "",
        ] {
            let sql: String = conn
                .query_row(&format!("SELECT {}", name_expr("?1")), [path], |r| r.get(0))
                .expect("query");
            assert_eq!(sql, slash_name(path), "{path}");
        }
    }

    #[test]
    fn suffix_matches_share_the_file_name() {
        let conn = Connection::open_in_memory().expect("db");
        let sql = format!("SELECT {}", path_condition("?2", 1));
        for (given, stored) in [
            ("src/config.rs", "/home/u/repo/src/config.rs"),
            ("/home/u/repo/src/config.rs", "src/config.rs"),
            ("config.rs", "lib/config.rs"),
            ("src/config.rs", "src/config.rs"),
        ] {
            let matched: bool = conn
                .query_row(&sql, [given, stored], |r| r.get(0))
                .expect("query");
            assert!(matched, "{given} ~ {stored}");
            assert_eq!(slash_name(given), slash_name(stored));
        }
    }
}
