//! Reading sessions back for people: finding one from the id a user typed (which may be a
//! prefix), its header, its timeline with every tool call already paired with its result,
//! the files it touched and the knowledge it produced, and the session list (newest first,
//! or by its counts or length, a page at a time).
//! Texts are cut in SQL so a session with thousands of long tool outputs never loads them
//! whole.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

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
    /// A session known here only from another replica's digest (`sk sync --sessions`):
    /// `AUTHOR on REPLICA`. Absent for sessions whose logs are on this machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
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
    "started_at, ended_at, updated_at, parent_external_id, remote_author, origin_replica"
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
        from: crate::sync::origin_label(r.get(14)?, r.get(15)?),
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

/// The records of a session's timeline: tool results paired with their call appear inside
/// it, not on their own. One condition, so the count and the items cannot disagree.
const TIMELINE_RECORDS: &str = "r.session_id = ?1
    AND (r.kind <> 'tool_result' OR r.call_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM records c
        WHERE c.session_id = r.session_id AND c.call_id = r.call_id AND c.kind = 'tool_call'))";

/// How many items [`for_each_timeline_item`] gives for `s` in all.
pub fn timeline_len(conn: &Connection, s: &SessionHeader) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM records r WHERE {TIMELINE_RECORDS}"
        ))?
        .query_row([s.row_id], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Where record `record_id` of session `s` is in its timeline (0-based), or `None` when it
/// is not one of the session's records. A tool result shown inside its call is at the
/// call's place.
pub fn timeline_position(
    conn: &Connection,
    s: &SessionHeader,
    record_id: i64,
) -> rusqlite::Result<Option<u64>> {
    let target: Option<(i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT coalesce(c.source_id, t.source_id), coalesce(c.offset, t.offset), coalesce(c.part, t.part)
             FROM records t
             LEFT JOIN records c ON t.kind = 'tool_result' AND t.call_id IS NOT NULL AND c.id = (
                 SELECT x.id FROM records x
                 WHERE x.session_id = t.session_id AND x.call_id = t.call_id AND x.kind = 'tool_call'
                 ORDER BY x.source_id, x.offset, x.part LIMIT 1)
             WHERE t.id = ?1 AND t.session_id = ?2",
        )?
        .query_row(params![record_id, s.row_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((source, offset, part)) = target else {
        return Ok(None);
    };
    let before: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM records r WHERE {TIMELINE_RECORDS} AND (r.source_id, r.offset, r.part) < (?2, ?3, ?4)"
        ))?
        .query_row(params![s.row_id, source, offset, part], |r| r.get(0))?;
    Ok(Some(before.max(0) as u64))
}

/// Calls `each` for the timeline items of `s` in log order (source, offset, part), texts
/// cut to `max_chars` characters: every item, or only `window` (offset, limit). The window
/// is chosen among the ids before any text is read, so a late page of a long session costs
/// its own rows, not the whole session. Streaming, so callers decide what to keep.
pub fn for_each_timeline_item(
    conn: &Connection,
    s: &SessionHeader,
    max_chars: usize,
    window: Option<(usize, usize)>,
    mut each: impl FnMut(TimelineItem) -> std::io::Result<()>,
) -> Result<(), TimelineError> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH shown AS (
             SELECT r.id FROM records r WHERE {TIMELINE_RECORDS}
             ORDER BY r.source_id, r.offset, r.part LIMIT ?3 OFFSET ?4)
         SELECT r.source_id, r.offset, r.part, r.kind, r.ts, r.tool, r.call_id, r.success, r.subagent,
                r.section, substr(r.text, 1, ?2), length(r.text),
                res.id IS NOT NULL, res.success, res.ts, substr(res.text, 1, ?2)
         FROM shown JOIN records r ON r.id = shown.id
         LEFT JOIN records res ON r.kind = 'tool_call' AND r.call_id IS NOT NULL AND res.id = (
             SELECT x.id FROM records x
             WHERE x.session_id = r.session_id AND x.call_id = r.call_id AND x.kind = 'tool_result'
             ORDER BY x.source_id, x.offset, x.part LIMIT 1)
         ORDER BY r.source_id, r.offset, r.part"
    ))?;
    let (offset, limit) = window.map_or((0, -1), |(offset, limit)| {
        (
            i64::try_from(offset).unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX),
        )
    });
    let mut rows = stmt.query(params![s.row_id, max_chars as i64, limit, offset])?;
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

/// Filters, order and page of the session list. Strings are matched as given.
#[derive(Debug, Clone, Default)]
pub struct ListFilter<'a> {
    pub agent: Option<&'a str>,
    /// Substring of the repository, case-insensitive.
    pub repo: Option<&'a str>,
    /// Started at or after this time (ms); sessions without a start use their update time.
    pub since_ms: Option<i64>,
    pub limit: usize,
    /// Sessions of the order skipped before the first one listed (pagination).
    pub offset: usize,
    pub sort: ListSort,
}

/// The order of the session list. Every order ends with [`ListSort::Newest`]'s, so ties
/// (and sessions whose document is not built yet, which count 0) keep a stable place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListSort {
    /// By start time (unknown starts last), then last update.
    #[default]
    Newest,
    /// Most prompts first.
    Prompts,
    /// Most tool calls first.
    ToolCalls,
    /// Most failed tool results first.
    Failures,
    /// Longest first (`ended_at - started_at`; sessions missing either time last).
    Longest,
}

impl ListSort {
    pub const ALL: [ListSort; 5] = [
        ListSort::Newest,
        ListSort::Prompts,
        ListSort::ToolCalls,
        ListSort::Failures,
        ListSort::Longest,
    ];

    /// The name the CLI and JSON use (`tool-calls`).
    pub fn as_str(self) -> &'static str {
        match self {
            ListSort::Newest => "newest",
            ListSort::Prompts => "prompts",
            ListSort::ToolCalls => "tool-calls",
            ListSort::Failures => "failures",
            ListSort::Longest => "longest",
        }
    }

    /// The sort named by [`ListSort::as_str`].
    pub fn parse(name: &str) -> Option<ListSort> {
        ListSort::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The ORDER BY terms over `s` (sessions) and `d` (session_docs, left-joined): the
    /// sort's key, then the newest-first order for ties. Fixed text: nothing of the
    /// caller's reaches the SQL.
    fn order_by(self) -> String {
        const NEWEST: &str = "s.started_at DESC NULLS LAST, s.updated_at DESC, s.id DESC";
        let key = match self {
            ListSort::Newest => return NEWEST.to_string(),
            ListSort::Prompts => "coalesce(d.prompts, 0)",
            ListSort::ToolCalls => "coalesce(d.tool_calls, 0)",
            ListSort::Failures => "coalesce(d.failures, 0)",
            ListSort::Longest => "s.ended_at - s.started_at",
        };
        format!("{key} DESC NULLS LAST, {NEWEST}")
    }
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
    pub branch: Option<String>,
    pub cwd: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub updated_at: i64,
    pub parent_external_id: Option<String>,
    /// The counts below come from the session's search document (schema v7): 0 while it
    /// waits to be rebuilt (after `sk migrate`, until the queue is drained).
    pub prompts: i64,
    pub tool_calls: i64,
    /// Tool results that report failure.
    pub failures: i64,
    /// Known here only from another replica (`sk sync --sessions`): `AUTHOR on REPLICA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// The filter of [`list`] and [`count`]: parameters ?1 agent, ?2 repo, ?3 since.
const LIST_WHERE: &str = "(?1 IS NULL OR s.agent = ?1)
           AND (?2 IS NULL OR instr(lower(coalesce(s.repo, '')), lower(?2)) > 0)
           AND (?3 IS NULL OR coalesce(s.started_at, s.updated_at) >= ?3)";

/// One page of sessions in `f.sort` order (newest first by default), `f.offset` sessions
/// skipped. The counts are read from `session_docs` (schema v7), and the page is chosen
/// before its titles and first prompts are read, so a page costs the same at any offset
/// and sort over the whole history; the first prompt walks the prompts-and-summaries index
/// (`records_digest`, schema v2) in log order, not the session's every record. The
/// database must be at schema v7
/// ([`crate::Store::require_latest`]).
pub fn list(conn: &Connection, f: &ListFilter<'_>) -> rusqlite::Result<Vec<SessionSummary>> {
    let order = f.sort.order_by();
    conn.prepare_cached(&format!(
        "SELECT s.agent, s.external_id, coalesce(s.title, d.title),
                (SELECT substr(p.text, 1, 200) FROM records p INDEXED BY records_digest
                 WHERE p.session_id = s.id AND p.kind IN ('prompt', 'summary', 'task_summary')
                   AND p.kind = 'prompt'
                 ORDER BY p.source_id, p.offset, p.part LIMIT 1),
                s.repo, s.branch, s.cwd, s.started_at, s.ended_at, s.updated_at, s.parent_external_id,
                coalesce(d.prompts, 0), coalesce(d.tool_calls, 0), coalesce(d.failures, 0),
                s.remote_author, s.origin_replica
         FROM (SELECT s.id FROM sessions s LEFT JOIN session_docs d ON d.session_id = s.id
               WHERE {LIST_WHERE}
               ORDER BY {order} LIMIT ?4 OFFSET ?5) page
         JOIN sessions s ON s.id = page.id
         LEFT JOIN session_docs d ON d.session_id = s.id
         ORDER BY {order}"
    ))?
    .query_map(
        params![
            f.agent,
            f.repo,
            f.since_ms,
            i64::try_from(f.limit).unwrap_or(i64::MAX),
            i64::try_from(f.offset).unwrap_or(i64::MAX)
        ],
        |r| {
            let agent: String = r.get(0)?;
            let external_id: String = r.get(1)?;
            Ok(SessionSummary {
                key: format!("{agent}:{external_id}"),
                agent,
                external_id,
                title: r.get(2)?,
                first_prompt: r.get(3)?,
                repo: r.get(4)?,
                branch: r.get(5)?,
                cwd: r.get(6)?,
                started_at: r.get(7)?,
                ended_at: r.get(8)?,
                updated_at: r.get(9)?,
                parent_external_id: r.get(10)?,
                prompts: r.get(11)?,
                tool_calls: r.get(12)?,
                failures: r.get(13)?,
                from: crate::sync::origin_label(r.get(14)?, r.get(15)?),
            })
        },
    )?
    .collect()
}

/// How many sessions `f` matches (its agent, repo and since; not its limit, offset or
/// sort): the total a paginated list is a page of.
pub fn count(conn: &Connection, f: &ListFilter<'_>) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM sessions s WHERE {LIST_WHERE}"))?
        .query_row(params![f.agent, f.repo, f.since_ms], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
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
                 updated_at INTEGER, remote_author TEXT, origin_replica TEXT);
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

    /// A session with `prompts` prompts and `calls` tool calls, the first `failed` of
    /// whose results failed, queued for its document; returns its key.
    fn seed(
        c: &Connection,
        id: &str,
        times: (Option<i64>, Option<i64>),
        prompts: i64,
        calls: i64,
        failed: i64,
    ) -> String {
        c.execute(
            "INSERT INTO sessions (agent, external_id, repo, branch, started_at, ended_at, updated_at)
             VALUES ('claude', ?1, 'o/r', 'main', ?2, ?3, 1)",
            params![id, times.0, times.1],
        )
        .expect("session");
        let sid = c.last_insert_rowid();
        c.execute(
            "INSERT INTO sources (path, agent, kind, session_id) VALUES (?1, 'claude', 'jsonl', ?2)",
            params![format!("/logs/{id}"), sid],
        )
        .expect("source");
        let src = c.last_insert_rowid();
        let mut offset = 0;
        let mut record = |kind: &str, success: Option<bool>| {
            c.execute(
                "INSERT INTO records (session_id, source_id, offset, part, kind, success, text)
                 VALUES (?1, ?2, ?3, 0, ?4, ?5, 'do the thing now please')",
                params![sid, src, offset, kind, success],
            )
            .expect("record");
            offset += 1;
        };
        for _ in 0..prompts {
            record("prompt", None);
        }
        for i in 0..calls {
            record("tool_call", None);
            record("tool_result", Some(i >= failed));
        }
        crate::session_docs::mark_pending(c, sid).expect("queue");
        format!("claude:{id}")
    }

    #[test]
    fn list_sorts_pages_and_counts_from_the_documents() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = crate::Store::open(&dir.path().join("k.db")).expect("create");
        let c = store.conn();
        // (start, end), prompts, calls, failed
        let a = seed(c, "a", (Some(100), Some(400)), 1, 5, 0);
        let b = seed(c, "b", (Some(200), Some(250)), 3, 1, 1);
        let d = seed(c, "d", (Some(300), None), 3, 2, 2);
        let e = seed(c, "e", (None, None), 0, 0, 0);
        crate::session_docs::build_pending(c, None).expect("build");
        // Not built yet: listed, counting 0.
        let late = seed(c, "late", (Some(500), Some(900)), 4, 4, 4);

        let page = |sort, offset, limit| -> Vec<String> {
            let f = ListFilter {
                limit,
                offset,
                sort,
                ..ListFilter::default()
            };
            list(c, &f).expect("list").into_iter().map(|s| s.key).collect()
        };
        let all = |sort| page(sort, 0, 10);
        assert_eq!(all(ListSort::Newest), [&*late, &*d, &*b, &*a, &*e]);
        // Ties (b and d: 3 prompts) fall back to newest first.
        assert_eq!(all(ListSort::Prompts), [&*d, &*b, &*a, &*late, &*e]);
        assert_eq!(all(ListSort::ToolCalls), [&*a, &*d, &*b, &*late, &*e]);
        assert_eq!(all(ListSort::Failures), [&*d, &*b, &*late, &*a, &*e]);
        // Sessions missing a time have no length: last, newest first.
        assert_eq!(all(ListSort::Longest), [&*late, &*a, &*b, &*d, &*e]);
        assert_eq!(page(ListSort::Failures, 1, 2), [&*b, &*late]);
        assert!(page(ListSort::Newest, 5, 10).is_empty());

        let f = ListFilter {
            limit: 10,
            ..ListFilter::default()
        };
        let listed = list(c, &f).expect("list");
        let s = listed.iter().find(|s| s.key == d).expect("d");
        assert_eq!((s.prompts, s.tool_calls, s.failures), (3, 2, 2));
        assert_eq!(s.branch.as_deref(), Some("main"));
        assert_eq!(s.first_prompt.as_deref(), Some("do the thing now please"));
        assert_eq!(
            s.title.as_deref(),
            Some("do the thing now please"),
            "the document's title"
        );
        assert_eq!(count(c, &f).expect("count"), 5);
        let since = ListFilter {
            since_ms: Some(250),
            limit: 1,
            offset: 3,
            ..ListFilter::default()
        };
        assert_eq!(
            count(c, &since).expect("count"),
            2,
            "limit and offset do not count"
        );
        let elsewhere = ListFilter {
            repo: Some("nope"),
            ..ListFilter::default()
        };
        assert_eq!(count(c, &elsewhere).expect("count"), 0);
    }

    #[test]
    fn sort_names_round_trip() {
        for s in ListSort::ALL {
            assert_eq!(ListSort::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).expect("json"),
                serde_json::Value::from(s.as_str())
            );
        }
        assert_eq!(ListSort::parse("most"), None);
    }
}
