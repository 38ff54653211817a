//! Reading sessions back for people: finding one from the id a user typed (which may be a
//! prefix), its header, its timeline with every tool call already paired with its result,
//! the files it touched and the knowledge it produced, and the newest-first session list.
//! Texts are cut in SQL so a session with thousands of long tool outputs never loads them
//! whole.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// The most candidates an ambiguous id reports.
pub const MAX_CANDIDATES: usize = 10;

/// A session's header: everything in its `sessions` row.
#[derive(Debug, Clone, Serialize)]
pub struct SessionHeader {
    #[serde(skip)]
    pub row_id: i64,
    /// `agent:external_id`, the key knowledge provenance uses.
    pub key: String,
    pub agent: String,
    pub external_id: String,
    pub title: Option<String>,
    pub repo: Option<String>,
    pub branch: Option<String>,
    pub head_commit: Option<String>,
    pub cwd: Option<String>,
    pub model: Option<String>,
    pub agent_version: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub updated_at: i64,
    pub parent_external_id: Option<String>,
}

/// The title every surface shows for a row of `sessions`: the agent's own title, else the
/// first real prompt its search document recorded (schema v4). One expression, so `sk
/// query`, `sk brief`, `sk session` and `sk sessions` cannot disagree.
pub const SHOWN_TITLE: &str =
    "coalesce(sessions.title, (SELECT d.title FROM session_docs d WHERE d.session_id = sessions.id))";

const HEADER_COLUMNS: &str = concat!(
    "id, agent, external_id, ",
    "coalesce(sessions.title, (SELECT d.title FROM session_docs d WHERE d.session_id = sessions.id)), ",
    "repo, branch, head_commit, cwd, model, agent_version, ",
    "started_at, ended_at, updated_at, parent_external_id"
);

fn header(r: &Row<'_>) -> rusqlite::Result<SessionHeader> {
    let agent: String = r.get(1)?;
    let external_id: String = r.get(2)?;
    Ok(SessionHeader {
        row_id: r.get(0)?,
        key: format!("{agent}:{external_id}"),
        agent,
        external_id,
        title: r.get(3)?,
        repo: r.get(4)?,
        branch: r.get(5)?,
        head_commit: r.get(6)?,
        cwd: r.get(7)?,
        model: r.get(8)?,
        agent_version: r.get(9)?,
        started_at: r.get(10)?,
        ended_at: r.get(11)?,
        updated_at: r.get(12)?,
        parent_external_id: r.get(13)?,
    })
}

/// What an id typed by a user names.
#[derive(Debug)]
pub enum Resolved {
    One(Box<SessionHeader>),
    /// Several sessions match: their `agent:external_id` keys (at most [`MAX_CANDIDATES`]).
    Ambiguous(Vec<String>),
    None,
}

/// Resolves `agent:external_id`, an exact external id, or a unique prefix of one (with or
/// without the `agent:` part). An exact match wins over longer ids it is a prefix of.
pub fn resolve(conn: &Connection, typed: &str) -> rusqlite::Result<Resolved> {
    let typed = typed.trim();
    let (agent, id) = match typed.split_once(':') {
        Some((a, rest)) if ["copilot", "claude", "codex"].contains(&a) => (Some(a), rest),
        _ => (None, typed),
    };
    if id.is_empty() {
        return Ok(Resolved::None);
    }
    let limit = (MAX_CANDIDATES + 1) as i64;
    let exact = conn
        .prepare_cached(&format!(
            "SELECT {HEADER_COLUMNS} FROM sessions WHERE external_id = ?1 AND (?2 IS NULL OR agent = ?2)
             ORDER BY agent LIMIT ?3"
        ))?
        .query_map(params![id, agent, limit], header)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let found = if exact.is_empty() {
        conn.prepare_cached(&format!(
            "SELECT {HEADER_COLUMNS} FROM sessions
             WHERE substr(external_id, 1, length(?1)) = ?1 AND (?2 IS NULL OR agent = ?2)
             ORDER BY agent, external_id LIMIT ?3"
        ))?
        .query_map(params![id, agent, limit], header)?
        .collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        exact
    };
    let mut found = found;
    Ok(match found.len() {
        0 => Resolved::None,
        1 => Resolved::One(Box::new(found.remove(0))),
        _ => Resolved::Ambiguous(found.into_iter().map(|s| s.key).collect()),
    })
}

/// Another session related to this one (its parent, or a sub-agent it started).
#[derive(Debug, Clone, Serialize)]
pub struct RelatedSession {
    pub key: String,
    pub title: Option<String>,
    pub started_at: Option<i64>,
    /// False when only the id is known (the parent's log was never indexed).
    pub indexed: bool,
}

/// The parent session (looked up among the same agent's sessions) if the header names one.
pub fn parent_of(conn: &Connection, s: &SessionHeader) -> rusqlite::Result<Option<RelatedSession>> {
    let Some(parent) = s.parent_external_id.as_deref() else {
        return Ok(None);
    };
    let found = conn
        .prepare_cached(&format!(
            "SELECT {SHOWN_TITLE}, started_at FROM sessions WHERE agent = ?1 AND external_id = ?2"
        ))?
        .query_row(params![s.agent, parent], |r| {
            Ok(RelatedSession {
                key: format!("{}:{parent}", s.agent),
                title: r.get(0)?,
                started_at: r.get(1)?,
                indexed: true,
            })
        })
        .optional()?;
    Ok(Some(found.unwrap_or(RelatedSession {
        key: format!("{}:{parent}", s.agent),
        title: None,
        started_at: None,
        indexed: false,
    })))
}

/// Sessions whose parent is `s` (sub-agents), oldest first.
pub fn children_of(conn: &Connection, s: &SessionHeader) -> rusqlite::Result<Vec<RelatedSession>> {
    conn.prepare_cached(&format!(
        "SELECT agent || ':' || external_id, {SHOWN_TITLE}, started_at FROM sessions
         WHERE parent_external_id = ?1 AND agent = ?2 ORDER BY started_at, external_id"
    ))?
    .query_map(params![s.external_id, s.agent], |r| {
        Ok(RelatedSession {
            key: r.get(0)?,
            title: r.get(1)?,
            started_at: r.get(2)?,
            indexed: true,
        })
    })?
    .collect()
}

/// One log file of a session.
#[derive(Debug, Clone, Serialize)]
pub struct SessionSource {
    pub id: i64,
    pub path: String,
    pub records: i64,
}

pub fn sources_of(conn: &Connection, s: &SessionHeader) -> rusqlite::Result<Vec<SessionSource>> {
    conn.prepare_cached("SELECT id, path, records FROM sources WHERE session_id = ?1 ORDER BY id")?
        .query_map([s.row_id], |r| {
            Ok(SessionSource {
                id: r.get(0)?,
                path: r.get(1)?,
                records: r.get(2)?,
            })
        })?
        .collect()
}

/// The result paired with a tool call.
#[derive(Debug, Clone, Serialize)]
pub struct CallResult {
    pub success: Option<bool>,
    pub ts: Option<i64>,
    /// The error message when it failed, else the start of the output (cut, see `text_chars`).
    pub text: String,
}

/// One step of a session's timeline. Tool results appear inside their call (`result`);
/// a result whose call is not in the database appears on its own.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    /// Id of the source file (see the session's `sources`).
    pub source: i64,
    /// Byte offset of the log line, and the index of this record within that line.
    pub offset: i64,
    pub part: i64,
    pub kind: String,
    pub ts: Option<i64>,
    pub tool: Option<String>,
    pub call_id: Option<String>,
    /// For tool results on their own: whether the call succeeded.
    pub success: Option<bool>,
    /// Recorded inside a sub-agent.
    pub subagent: bool,
    pub section: Option<String>,
    /// The record's text, cut to `text_chars` characters.
    pub text: String,
    /// Characters in the full stored text (more than `text.len()` when cut).
    pub text_chars: i64,
    pub result: Option<CallResult>,
}

/// Calls `each` for every timeline item of `s` in log order (source, offset, part),
/// texts cut to `max_chars` characters. Streaming, so callers decide what to keep.
pub fn for_each_timeline_item(
    conn: &Connection,
    s: &SessionHeader,
    max_chars: usize,
    mut each: impl FnMut(TimelineItem) -> std::io::Result<()>,
) -> Result<(), TimelineError> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.source_id, r.offset, r.part, r.kind, r.ts, r.tool, r.call_id, r.success, r.subagent,
                r.section, substr(r.text, 1, ?2), length(r.text),
                res.id IS NOT NULL, res.success, res.ts, substr(res.text, 1, ?2)
         FROM records r
         LEFT JOIN records res ON r.kind = 'tool_call' AND r.call_id IS NOT NULL AND res.id = (
             SELECT x.id FROM records x
             WHERE x.session_id = r.session_id AND x.call_id = r.call_id AND x.kind = 'tool_result'
             ORDER BY x.source_id, x.offset, x.part LIMIT 1)
         WHERE r.session_id = ?1
           AND (r.kind <> 'tool_result' OR r.call_id IS NULL OR NOT EXISTS (
               SELECT 1 FROM records c
               WHERE c.session_id = r.session_id AND c.call_id = r.call_id AND c.kind = 'tool_call'))
         ORDER BY r.source_id, r.offset, r.part",
    )?;
    let mut rows = stmt.query(params![s.row_id, max_chars as i64])?;
    while let Some(r) = rows.next()? {
        let has_result: bool = r.get(12)?;
        let result = if has_result {
            Some(CallResult {
                success: r.get(13)?,
                ts: r.get(14)?,
                text: r.get::<_, Option<String>>(15)?.unwrap_or_default(),
            })
        } else {
            None
        };
        each(TimelineItem {
            source: r.get(0)?,
            offset: r.get(1)?,
            part: r.get(2)?,
            kind: r.get(3)?,
            ts: r.get(4)?,
            tool: r.get(5)?,
            call_id: r.get(6)?,
            success: r.get(7)?,
            subagent: r.get::<_, i64>(8)? != 0,
            section: r.get(9)?,
            text: r.get(10)?,
            text_chars: r.get(11)?,
            result,
        })?;
    }
    Ok(())
}

/// Reading the timeline failed, or the caller's `each` failed (e.g. a closed pipe).
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A file the session's records touched, and how many records touched it.
#[derive(Debug, Clone, Serialize)]
pub struct TouchedFile {
    pub path: String,
    pub records: i64,
}

/// Distinct files touched, most touched first.
pub fn files_of(conn: &Connection, s: &SessionHeader) -> rusqlite::Result<Vec<TouchedFile>> {
    conn.prepare_cached(
        "SELECT f.path, count(*) AS n FROM records r
         JOIN record_files rf ON rf.record_id = r.id JOIN files f ON f.id = rf.file_id
         WHERE r.session_id = ?1 GROUP BY f.path ORDER BY n DESC, f.path",
    )?
    .query_map([s.row_id], |r| {
        Ok(TouchedFile {
            path: r.get(0)?,
            records: r.get(1)?,
        })
    })?
    .collect()
}

/// A knowledge entry whose provenance names this session.
#[derive(Debug, Clone, Serialize)]
pub struct SessionEntry {
    pub id: i64,
    pub category: String,
    pub title: String,
}

pub fn knowledge_of(conn: &Connection, s: &SessionHeader) -> rusqlite::Result<Vec<SessionEntry>> {
    conn.prepare_cached(
        "SELECT e.id, e.category, e.title FROM entries e
         WHERE e.id IN (SELECT entry_id FROM entry_sources WHERE session_key = ?1) ORDER BY e.id",
    )?
    .query_map([&s.key], |r| {
        Ok(SessionEntry {
            id: r.get(0)?,
            category: r.get(1)?,
            title: r.get(2)?,
        })
    })?
    .collect()
}

/// Filters of the session list. Strings are matched as given.
#[derive(Debug, Clone, Default)]
pub struct ListFilter<'a> {
    pub agent: Option<&'a str>,
    /// Substring of the repository, case-insensitive.
    pub repo: Option<&'a str>,
    /// Started at or after this time (ms); sessions without a start use their update time.
    pub since_ms: Option<i64>,
    pub limit: usize,
}

/// One line of the session list.
#[derive(Debug, Clone, Serialize)]
pub struct SessionSummary {
    pub key: String,
    pub agent: String,
    pub external_id: String,
    pub title: Option<String>,
    /// The start of the first prompt (at most 200 characters).
    pub first_prompt: Option<String>,
    pub repo: Option<String>,
    pub cwd: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub updated_at: i64,
    pub parent_external_id: Option<String>,
    pub prompts: i64,
    pub tool_calls: i64,
    /// Tool results that report failure.
    pub failures: i64,
}

/// Sessions newest first: by start time (unknown starts last), then last update.
pub fn list(conn: &Connection, f: &ListFilter<'_>) -> rusqlite::Result<Vec<SessionSummary>> {
    conn.prepare_cached(
        "SELECT s.agent, s.external_id,
                coalesce(s.title, (SELECT d.title FROM session_docs d WHERE d.session_id = s.id)),
                (SELECT substr(p.text, 1, 200) FROM records p WHERE p.session_id = s.id AND p.kind = 'prompt'
                 ORDER BY p.source_id, p.offset, p.part LIMIT 1),
                s.repo, s.cwd, s.started_at, s.ended_at, s.updated_at, s.parent_external_id,
                (SELECT count(*) FROM records c WHERE c.session_id = s.id AND c.kind = 'prompt'),
                (SELECT count(*) FROM records c WHERE c.session_id = s.id AND c.kind = 'tool_call'),
                (SELECT count(*) FROM records c WHERE c.session_id = s.id AND c.kind = 'tool_result'
                 AND c.success = 0)
         FROM sessions s
         WHERE (?1 IS NULL OR s.agent = ?1)
           AND (?2 IS NULL OR instr(lower(coalesce(s.repo, '')), lower(?2)) > 0)
           AND (?3 IS NULL OR coalesce(s.started_at, s.updated_at) >= ?3)
         ORDER BY s.started_at DESC NULLS LAST, s.updated_at DESC, s.id DESC
         LIMIT ?4",
    )?
    .query_map(params![f.agent, f.repo, f.since_ms, f.limit as i64], |r| {
        let agent: String = r.get(0)?;
        let external_id: String = r.get(1)?;
        Ok(SessionSummary {
            key: format!("{agent}:{external_id}"),
            agent,
            external_id,
            title: r.get(2)?,
            first_prompt: r.get(3)?,
            repo: r.get(4)?,
            cwd: r.get(5)?,
            started_at: r.get(6)?,
            ended_at: r.get(7)?,
            updated_at: r.get(8)?,
            parent_external_id: r.get(9)?,
            prompts: r.get(10)?,
            tool_calls: r.get(11)?,
            failures: r.get(12)?,
        })
    })?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE sessions (id INTEGER PRIMARY KEY, agent TEXT, external_id TEXT,
                 parent_external_id TEXT, cwd TEXT, repo TEXT, branch TEXT, head_commit TEXT,
                 title TEXT, model TEXT, agent_version TEXT, started_at INTEGER, ended_at INTEGER,
                 updated_at INTEGER);
             CREATE TABLE session_docs (session_id INTEGER PRIMARY KEY, title TEXT);
             INSERT INTO sessions (agent, external_id, updated_at) VALUES
                 ('copilot', 'abc-1', 1), ('copilot', 'abc-2', 1), ('claude', 'abc', 1),
                 ('codex', 'x%_y', 1);",
        )
        .expect("schema");
        conn
    }

    fn keys(r: Resolved) -> Vec<String> {
        match r {
            Resolved::One(s) => vec![s.key],
            Resolved::Ambiguous(k) => k,
            Resolved::None => Vec::new(),
        }
    }

    #[test]
    fn exact_ids_win_over_prefixes_and_agents_narrow() {
        let c = db();
        assert_eq!(keys(resolve(&c, "abc").expect("q")), ["claude:abc"]);
        assert_eq!(
            keys(resolve(&c, "abc-").expect("q")),
            ["copilot:abc-1", "copilot:abc-2"]
        );
        assert_eq!(keys(resolve(&c, "copilot:abc-2").expect("q")), ["copilot:abc-2"]);
        assert_eq!(
            keys(resolve(&c, "copilot:abc").expect("q")).len(),
            2,
            "agent-qualified prefix"
        );
        // LIKE/GLOB metacharacters are plain text.
        assert_eq!(keys(resolve(&c, "x%").expect("q")), ["codex:x%_y"]);
        assert!(keys(resolve(&c, "%").expect("q")).is_empty());
        assert!(keys(resolve(&c, "copilot:").expect("q")).is_empty());
    }
}
