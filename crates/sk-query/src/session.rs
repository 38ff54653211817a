//! One session (`sk session --json`, the MCP `session` tool) and the session list
//! (`sk sessions --json`, the MCP `sessions` tool): the result types both surfaces print,
//! and the reads that fill them, so the CLI and the MCP server cannot drift apart.
//!
//! `sk session --json` prints [`ShownSession`] (bump [`SCHEMA_VERSION`] on any breaking
//! change):
//!
//! ```text
//! { "schema_version": 1,
//!   "session":  { key, agent, external_id, title, repo, branch, head_commit, cwd, model,
//!                 agent_version, started_at, ended_at, updated_at (ms or null),
//!                 parent_external_id, parent: {key, title, started_at, indexed} | null,
//!                 subagents: [{key, title, started_at, indexed}],
//!                 sources: [{id, path, records}] },
//!   "timeline": [{ source, offset, part, kind, ts, tool, call_id, success, subagent,
//!                  section, text, text_chars,
//!                  result: {success, ts, text} | null }],
//!   "files":     [{ path, records }],
//!   "knowledge": [{ id, category, title }],
//!   "page":      { offset, limit, total, next_offset } }   (only when paged)
//! ```
//!
//! Timeline items are in log order (source, offset, part); a tool result is nested in its
//! call's `result` and only appears on its own when its call is missing. Texts are cut to
//! [`TEXT_CHARS`] characters; `text_chars` is the length of the stored text.
//!
//! `sk sessions --json` prints [`SessionList`]: `{schema_version: 1, sessions: [{key,
//! agent, external_id, title, first_prompt, repo, cwd, started_at, ended_at, updated_at,
//! parent_external_id, prompts, tool_calls, failures}]}`.

pub mod timeline;

use rusqlite::Connection;
use serde::Serialize;
use sk_store::sessions::{
    self, ListFilter, RelatedSession, Resolved, SessionEntry, SessionHeader, SessionSource, SessionSummary,
    TimelineItem, TouchedFile,
};

use crate::QueryError;

/// Version of the `sk session --json` and `sk sessions --json` schemas.
pub const SCHEMA_VERSION: u32 = 1;
/// Characters of each timeline text in the structured result (CLI and MCP alike, so a
/// page is exactly a slice of `sk session --json`'s timeline).
pub const TEXT_CHARS: usize = 1000;

/// The session's header with its family and source files.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    #[serde(flatten)]
    pub header: SessionHeader,
    pub parent: Option<RelatedSession>,
    pub subagents: Vec<RelatedSession>,
    pub sources: Vec<SessionSource>,
}

/// Which part of the timeline a paged read returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Page {
    /// Index of the first timeline item returned.
    pub offset: usize,
    /// The most items asked for.
    pub limit: usize,
    /// Timeline items in the whole session.
    pub total: usize,
    /// Where the next page starts; null when this page reaches the end.
    pub next_offset: Option<usize>,
}

/// Everything `sk session --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ShownSession {
    pub schema_version: u32,
    pub session: SessionView,
    pub timeline: Vec<TimelineItem>,
    pub files: Vec<TouchedFile>,
    pub knowledge: Vec<SessionEntry>,
    /// A session known here only from another replica (`sk sync --sessions`) has no
    /// timeline here: what its digest says instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<sk_store::sync_sessions::SessionDigest>,
    /// Present only for a paged read (the MCP tool); the CLI prints the whole timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<Page>,
}

/// Everything `sk sessions --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct SessionList {
    pub schema_version: u32,
    pub sessions: Vec<SessionSummary>,
}

/// A session id that names no single session.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no such session: {0}")]
    Missing(String),
    #[error("session id `{typed}` is ambiguous; it matches:{}\ngive more of the id, or `agent:id`", listed(.keys))]
    Ambiguous { typed: String, keys: Vec<String> },
    #[error(transparent)]
    Query(#[from] QueryError),
}

fn listed(keys: &[String]) -> String {
    let mut s: String = keys
        .iter()
        .take(sessions::MAX_CANDIDATES)
        .map(|k| format!("\n  {k}"))
        .collect();
    if keys.len() > sessions::MAX_CANDIDATES {
        s.push_str("\n  …");
    }
    s
}

/// The session an id typed by a person or a model names (`agent:id`, the agent's id, or a
/// unique prefix).
pub fn resolve(conn: &Connection, typed: &str) -> Result<SessionHeader, LookupError> {
    match sessions::resolve(conn, typed).map_err(QueryError::from)? {
        Resolved::One(h) => Ok(*h),
        Resolved::None => Err(LookupError::Missing(typed.to_string())),
        Resolved::Ambiguous(keys) => Err(LookupError::Ambiguous {
            typed: typed.to_string(),
            keys,
        }),
    }
}

/// Part of the timeline: items `offset..offset + limit`, and no more than fit in
/// `budget_chars` characters of JSON (at least one item, so a page always advances).
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub offset: usize,
    pub limit: usize,
    pub budget_chars: Option<usize>,
}

/// One session with its timeline (texts cut to `text_chars`), whole or one page of it.
pub fn load(
    conn: &Connection,
    header: SessionHeader,
    text_chars: usize,
    page: Option<PageRequest>,
) -> Result<ShownSession, QueryError> {
    let parent = sessions::parent_of(conn, &header)?;
    let subagents = sessions::children_of(conn, &header)?;
    let sources = sessions::sources_of(conn, &header)?;
    let files = sessions::files_of(conn, &header)?;
    let knowledge = sessions::knowledge_of(conn, &header)?;
    let mut timeline = Vec::new();
    let window = page.map(|p| (p.offset, p.limit));
    sessions::for_each_timeline_item(conn, &header, text_chars, window, |item| {
        timeline.push(item);
        Ok(())
    })
    .map_err(|e| match e {
        sessions::TimelineError::Sql(e) => QueryError::Sql(e),
        sessions::TimelineError::Io(e) => QueryError::Io(e),
    })?;
    let total = match page {
        Some(_) => usize::try_from(sessions::timeline_len(conn, &header)?).unwrap_or(usize::MAX),
        None => timeline.len(),
    };
    let digest = match header.from {
        Some(_) => sk_store::sync_sessions::remote_digest(conn, &header.key)?,
        None => None,
    };
    let mut shown = ShownSession {
        schema_version: SCHEMA_VERSION,
        session: SessionView {
            header,
            parent,
            subagents,
            sources,
        },
        timeline,
        files,
        knowledge,
        digest,
        page: None,
    };
    if let Some(p) = page {
        fit_page(&mut shown, p, total);
    }
    Ok(shown)
}

/// Drops items from the end of the page until its JSON fits the budget (keeping one), and
/// says where the next page starts.
fn fit_page(shown: &mut ShownSession, p: PageRequest, total: usize) {
    let set_page = |s: &mut ShownSession| {
        let end = p.offset.saturating_add(s.timeline.len());
        s.page = Some(Page {
            offset: p.offset,
            limit: p.limit,
            total,
            next_offset: (end < total).then_some(end),
        });
    };
    set_page(shown);
    let Some(budget) = p.budget_chars else {
        return;
    };
    while shown.timeline.len() > 1 && json_chars(shown) > budget {
        // Halve what is over rather than popping one at a time: a page holds hundreds.
        let over = json_chars(shown).saturating_sub(budget);
        let per_item = json_chars(shown) / shown.timeline.len().max(1);
        let drop = (over / per_item.max(1)).clamp(1, shown.timeline.len() - 1);
        let keep = shown.timeline.len() - drop;
        shown.timeline.truncate(keep);
        set_page(shown);
    }
}

fn json_chars<T: Serialize>(v: &T) -> usize {
    serde_json::to_string(v).map(|s| s.chars().count()).unwrap_or(0)
}

/// One page of sessions, filtered, in the filter's order (newest first by default).
pub fn list(conn: &Connection, filter: &ListFilter<'_>) -> Result<SessionList, QueryError> {
    Ok(SessionList {
        schema_version: SCHEMA_VERSION,
        sessions: sessions::list(conn, filter)?,
    })
}
