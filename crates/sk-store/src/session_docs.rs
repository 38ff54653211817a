//! The search document of each session (schema v4, `session_fts`): what `sk query` and the
//! briefings rank sessions by. Built from the session's records whenever they change — the
//! writer queues the session in `session_docs_pending`, and [`build_pending`] rebuilds the
//! queued documents before the transaction commits (or, after the v4 migration, in
//! batches with progress).
//!
//! A document has five columns (see the migration for why): `title` (with the names of the
//! languages other than English the person wrote in, schema v5), `asked` (prompts,
//! summaries), `said` (answers), `did` (tool calls, errors, failed output) and `saw` (other
//! tool output). Long texts are cut so one huge tool output cannot drown a session's words:
//! only its head is kept, and each column has a ceiling.
//!
//! The `session_docs` row also counts the session's prompts, tool calls and failed tool
//! results (schema v7), so that `sk sessions` and its sorts read them instead of counting
//! records.

use rusqlite::{Connection, OptionalExtension, params};

use crate::search::language::Languages;
use crate::search::words::{is_cjk, push_indexed, with_bigrams};

/// Per-record and per-column byte ceilings. Output is capped hard: a 1 MB build log says
/// what it is about in its first lines, and BM25 would otherwise count its length against
/// the whole session.
const ANSWER_BYTES: usize = 4 * 1024;
const CALL_BYTES: usize = 1024;
const FAILED_OUTPUT_BYTES: usize = 1024;
const OUTPUT_BYTES: usize = 512;
const COLUMN_BYTES: usize = 256 * 1024;

/// Sessions rebuilt per transaction when draining a large queue (after the migration).
pub const BATCH: usize = 200;

/// Queues a session's document for rebuilding (its records changed).
pub fn mark_pending(conn: &Connection, session_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO session_docs_pending (session_id) VALUES (?1)")?
        .execute([session_id])?;
    Ok(())
}

/// How many documents wait to be rebuilt.
pub fn pending_count(conn: &Connection) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM session_docs_pending", [], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Rebuilds up to `limit` queued documents (all of them with `None`) inside the caller's
/// transaction, and returns how many it built.
pub fn build_pending(conn: &Connection, limit: Option<usize>) -> rusqlite::Result<u64> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT session_id FROM session_docs_pending ORDER BY session_id LIMIT ?1")?
        .query_map([limit.map_or(-1, |l| l as i64)], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    build_each(conn, &ids)
}

/// Rebuilds the queued documents of sessions known only from another replica (`sk sync
/// --sessions`), inside the caller's transaction: a pull makes what it brought searchable
/// when it commits, and leaves the rest of the queue (local sessions, whose rebuilt
/// documents queue their digests) to the indexer. Returns how many it built.
pub fn build_pending_remote(conn: &Connection) -> rusqlite::Result<u64> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT p.session_id FROM session_docs_pending p JOIN sessions s ON s.id = p.session_id
             WHERE s.remote_author IS NOT NULL ORDER BY p.session_id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    build_each(conn, &ids)
}

/// Builds the documents of `ids` and takes them off the queue; returns how many.
fn build_each(conn: &Connection, ids: &[i64]) -> rusqlite::Result<u64> {
    for &id in ids {
        build(conn, id)?;
        conn.prepare_cached("DELETE FROM session_docs_pending WHERE session_id = ?1")?
            .execute([id])?;
    }
    Ok(ids.len() as u64)
}

/// Rebuilds every queued document, [`BATCH`] sessions per write transaction, calling
/// `progress(built, total)` after each. For the queue a migration leaves (every session);
/// the caller holds the writer lock. Returns how many it built.
pub fn drain(conn: &Connection, progress: &mut dyn FnMut(u64, u64)) -> rusqlite::Result<u64> {
    let total = pending_count(conn)?;
    let mut built = 0;
    while built < total {
        crate::write::tx::begin(conn)?;
        let n = match build_pending(conn, Some(BATCH)) {
            Ok(n) => n,
            Err(e) => {
                let _ = crate::write::tx::rollback(conn);
                return Err(e);
            }
        };
        crate::write::tx::commit(conn)?;
        if n == 0 {
            break;
        }
        built += n;
        progress(built.min(total), total);
    }
    Ok(built)
}

/// Queued sessions that know their working directory but not their repository: the
/// indexer derives one from the directory (its git remote, else its folder name) before
/// their documents are built.
pub fn pending_without_repo(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached(
        "SELECT s.id, s.cwd FROM session_docs_pending p JOIN sessions s ON s.id = p.session_id
         WHERE s.repo IS NULL AND s.cwd IS NOT NULL AND s.cwd != ''",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Sets the repository of a session whose log named none.
pub fn set_repo(conn: &Connection, session_id: i64, repo: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE sessions SET repo = ?2 WHERE id = ?1 AND repo IS NULL")?
        .execute(params![session_id, repo])?;
    Ok(())
}

/// Rewrites repositories stored as remote URLs (by versions before `owner/name` was what
/// sk stores, see `sk_core::repo`) to their `owner/name`, in sessions and knowledge; how
/// many rows changed. Runs once per database (the `repos_canonical` mark in `meta`): every
/// write path stores `owner/name` since. Documents are not rebuilt: a URL's words only
/// added noise.
pub fn canonical_repos(conn: &Connection) -> rusqlite::Result<usize> {
    const DONE: &str = "repos_canonical";
    let done: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([DONE], |r| r.get(0))
        .optional()?;
    if done.is_some() {
        return Ok(0);
    }
    let mut changed = 0;
    for table in ["sessions", "entries"] {
        // Table names come from the list above; the values are bound.
        let rows: Vec<(i64, String)> = conn
            .prepare_cached(&format!(
                "SELECT id, repo FROM {table} WHERE instr(repo, ':') > 0"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update = conn.prepare_cached(&format!("UPDATE {table} SET repo = ?2 WHERE id = ?1"))?;
        for (id, repo) in rows {
            if !sk_core::repo::is_remote_url(&repo) {
                continue;
            }
            let canonical = sk_core::repo::canonical(&repo);
            update.execute(params![id, Some(canonical).filter(|c| !c.is_empty())])?;
            changed += 1;
        }
    }
    crate::write::set_meta(conn, DONE, "1")?;
    Ok(changed)
}

/// The five column texts of one document, filled from the session's rows.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    pub title: String,
    pub asked: String,
    pub said: String,
    pub did: String,
    pub saw: String,
}

/// What `sk sessions` counts of a session (schema v7), kept with its document so a list
/// sorted by them never counts records at page time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub prompts: i64,
    pub tool_calls: i64,
    /// Tool results that report failure (`success = 0`).
    pub failures: i64,
}

/// A session's document and `session_docs` row, before they are written.
#[derive(Debug, Default)]
pub(crate) struct Built {
    pub doc: Doc,
    /// The record-id range it covers (None for a session known only from `sk sync`).
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// What every surface shows as its title.
    pub shown_title: Option<String>,
    pub counts: Counts,
}

/// A session's title, repository, working directory, branch and whether it came from a
/// remote (`sk sync`), as stored.
type SessionFacts = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
);

/// (Re)builds one session's document and its `session_docs` row: from its records, or,
/// for a session known only from another replica, from the digest that was pulled.
fn build(conn: &Connection, session_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM session_fts WHERE rowid = ?1")?
        .execute([session_id])?;
    conn.prepare_cached("DELETE FROM session_cjk WHERE rowid = ?1")?
        .execute([session_id])?;
    let session: Option<SessionFacts> = conn
        .prepare_cached(
            "SELECT title, repo, cwd, branch, remote_author IS NOT NULL FROM sessions WHERE id = ?1",
        )?
        .query_row([session_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let built = match session {
        Some((.., true)) => crate::sync_sessions::remote_doc(conn, session_id)?,
        Some((title, repo, cwd, branch, false)) => Some(collect(conn, session_id, title, repo, cwd, branch)?),
        None => None,
    };
    let Some(b) = built else {
        conn.prepare_cached("DELETE FROM session_docs WHERE session_id = ?1")?
            .execute([session_id])?;
        return Ok(());
    };
    let doc = &b.doc;
    let bytes = doc.title.len() + doc.asked.len() + doc.said.len() + doc.did.len() + doc.saw.len();
    conn.prepare_cached(
        "INSERT INTO session_fts (rowid, title, asked, said, did, saw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        session_id, doc.title, doc.asked, doc.said, doc.did, doc.saw
    ])?;
    if let Some(cjk) = doc.with_bigrams() {
        conn.prepare_cached(
            "INSERT INTO session_cjk (rowid, title, asked, said, did, saw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            session_id, cjk.title, cjk.asked, cjk.said, cjk.did, cjk.saw
        ])?;
    }
    conn.prepare_cached(
        "INSERT OR REPLACE INTO session_docs
             (session_id, first_record, last_record, title, bytes, built_at, prompts, tool_calls, failures)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        session_id,
        b.first,
        b.last,
        b.shown_title,
        bytes as i64,
        sk_core::time::now_ms(),
        b.counts.prompts,
        b.counts.tool_calls,
        b.counts.failures
    ])?;
    Ok(())
}

impl Doc {
    /// The document for `session_cjk` (schema v10): every column followed by the bigrams of
    /// its CJK runs; `None` when the session holds no CJK text.
    fn with_bigrams(&self) -> Option<Doc> {
        let columns = [&self.title, &self.asked, &self.said, &self.did, &self.saw];
        if !columns.iter().any(|c| c.chars().any(is_cjk)) {
            return None;
        }
        let [title, asked, said, did, saw] = columns.map(|c| with_bigrams(c).unwrap_or_else(|| c.clone()));
        Some(Doc {
            title,
            asked,
            said,
            did,
            saw,
        })
    }
}

/// A session's document, from its records (read in one pass).
pub(crate) fn collect(
    conn: &Connection,
    session_id: i64,
    title: Option<String>,
    repo: Option<String>,
    cwd: Option<String>,
    branch: Option<String>,
) -> rusqlite::Result<Built> {
    let mut doc = Doc::default();
    let mut first_prompt: Option<String> = None;
    // When no prompt reads as a request, the first one's first line still beats no title.
    let mut any_prompt: Option<String> = None;
    let mut languages = Languages::default();
    let (mut first, mut last) = (None, None);
    let mut counts = Counts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, success, substr(text, 1, ?2) FROM records WHERE session_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![session_id, ANSWER_BYTES as i64])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let kind: String = r.get(1)?;
        let success: Option<bool> = r.get(2)?;
        let text: String = r.get(3)?;
        first = first.or(Some(id));
        last = Some(id);
        match (kind.as_str(), success) {
            ("prompt", _) => counts.prompts += 1,
            ("tool_call", _) => counts.tool_calls += 1,
            ("tool_result", Some(false)) => counts.failures += 1,
            _ => {}
        }
        let (column, cap) = match kind.as_str() {
            "prompt" => {
                if first_prompt.is_none() {
                    first_prompt = display_prompt(&text);
                }
                if any_prompt.is_none() {
                    any_prompt = fallback_title(&text);
                }
                languages.add_prompt(&text);
                (&mut doc.asked, ANSWER_BYTES)
            }
            "summary" | "task_summary" => (&mut doc.asked, ANSWER_BYTES),
            "answer" => (&mut doc.said, ANSWER_BYTES),
            "tool_call" => (&mut doc.did, CALL_BYTES),
            "error" => (&mut doc.did, FAILED_OUTPUT_BYTES),
            "tool_result" if success == Some(false) => (&mut doc.did, FAILED_OUTPUT_BYTES),
            "tool_result" => (&mut doc.saw, OUTPUT_BYTES),
            // Reasoning and notes repeat what the answers say, at length.
            _ => continue,
        };
        if column.len() < COLUMN_BYTES {
            push_indexed(column, sk_core::text::prefix(&text, cap));
        }
    }
    drop(rows);
    let shown_title = title.clone().or(first_prompt).or(any_prompt);
    for part in [
        title.as_deref(),
        repo.as_deref(),
        cwd.as_deref().map(folder_name),
        branch.as_deref(),
    ]
    .into_iter()
    .flatten()
    .chain(languages.names().iter().copied())
    {
        push_indexed(&mut doc.title, part);
    }
    Ok(Built {
        doc,
        first,
        last,
        shown_title,
        counts,
    })
}

/// The last component of a path (`/home/u/src/shop/` → `shop`).
pub fn folder_name(path: &str) -> &str {
    path.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
}

/// A prompt as a session's title: its first line with words in it, whitespace folded, at
/// most 100 characters. None for what is not a person's request: a slash command, markup
/// an agent injected, a line without three words.
pub fn display_prompt(text: &str) -> Option<String> {
    let first = text.trim_start();
    if first.starts_with('/') || first.starts_with('<') {
        return None;
    }
    // Headings and code fences frame a pasted template ("## User Input", "```text"): the
    // request is the first line of words after them.
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("```"))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let worded = words
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    if worded < 3 && !line.chars().any(|c| !c.is_ascii() && c.is_alphabetic()) {
        return None;
    }
    let folded = words.join(" ");
    let mut title: String = folded.chars().take(100).collect();
    if title.len() < folded.len() {
        title.push('…');
    }
    Some(title)
}

/// A prompt's first non-empty line, folded and cut like [`display_prompt`], whatever it is.
fn fallback_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let folded = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut title: String = folded.chars().take(100).collect();
    if title.len() < folded.len() {
        title.push('…');
    }
    Some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_becomes_a_title_when_a_person_wrote_it() {
        assert_eq!(
            display_prompt("\n  fix the   login bug\nmore").as_deref(),
            Some("fix the login bug")
        );
        assert_eq!(display_prompt("/clear"), None);
        assert_eq!(display_prompt("<command-name>x</command-name>"), None);
        assert_eq!(display_prompt("ok"), None);
        assert_eq!(
            display_prompt("## User Input\n\n```text\ndesign a plugin system for the app\n```").as_deref(),
            Some("design a plugin system for the app")
        );
        assert_eq!(
            fallback_title("\n  one_word_prompt  ").as_deref(),
            Some("one_word_prompt")
        );
        // Scripts without spaces between words still count.
        assert_eq!(display_prompt("修复登录错误").as_deref(), Some("修复登录错误"));
        let long = "word ".repeat(50);
        let t = display_prompt(&long).expect("title");
        assert!(t.ends_with('…') && t.chars().count() == 101);
    }

    #[test]
    fn folder_names() {
        assert_eq!(folder_name("/home/u/src/shop/"), "shop");
        assert_eq!(folder_name("C:\\work\\app"), "app");
        assert_eq!(folder_name("app"), "app");
    }
}
