//! What each tool does: arguments in, a [`Reply`] out (compact text for the model, and the
//! CLI's `--json` result as `structuredContent`). Reads go through `sk-query` on the
//! server's read connection; `learn` records through `sk-index` exactly as `sk learn`
//! does (checks, merging, the busy-database inbox), with `source: agent`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use sk_core::Paths;
use sk_core::env::ProcessEnv;
use sk_index::learn::{self, Lesson, Outcome, Reply as Learned};
use sk_index::usage;
use sk_query::brief::{self, Context, Found, Limits, TaskSource};
use sk_query::entry::{self, Lookup};
use sk_query::here::Here;
use sk_query::render::{self, Format};
use sk_query::session::{self as view, LookupError, PageRequest};
use sk_query::{RankParams, Request};
use sk_store::knowledge::EntrySource;
use sk_store::search::Filters;
use sk_store::sessions::ListFilter;

use crate::params::{BriefParams, LearnParams, SearchParams, SessionParams, SessionsParams, ShowParams};
use crate::text;
use sk_query::reader::{ReadError, Reader};

/// How long `learn` waits for another writer before queueing in the inbox (as `sk learn`).
const LOCK_WAIT: Duration = Duration::from_millis(500);
const CHARS_PER_TOKEN: usize = brief::CHARS_PER_TOKEN;
const SEARCH_LIMIT: usize = 10;
const SEARCH_BUDGET_TOKENS: usize = 1000;
const SESSION_PAGE: usize = 60;
const SESSION_BUDGET_TOKENS: usize = 2000;
const SESSIONS_LIMIT: usize = 20;
/// Hard ceilings, whatever the model asks for.
const MAX_LIMIT: usize = 200;
const MAX_BUDGET_TOKENS: usize = 50_000;

/// A tool's answer.
#[derive(Debug)]
pub struct Reply {
    pub text: String,
    pub structured: serde_json::Value,
}

impl Reply {
    fn new(text: String, result: &impl Serialize) -> Result<Reply, ToolError> {
        let structured = serde_json::to_value(result).map_err(|e| ToolError::Internal(e.to_string()))?;
        Ok(Reply { text, structured })
    }
}

/// Why a tool gave no result: said to the model as a tool error (`isError`), which it can
/// act on, rather than a protocol error it never sees.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments were wrong in a way the schema cannot say.
    #[error("{0}")]
    Invalid(String),
    /// Nothing has that id.
    #[error("{0}")]
    NotFound(String),
    /// `learn` refused the lesson: the reason says how to fix it.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{0}")]
    Internal(String),
}

impl From<sk_query::QueryError> for ToolError {
    fn from(e: sk_query::QueryError) -> ToolError {
        ToolError::Read(ReadError::Query(e))
    }
}

/// What every tool call may use.
#[derive(Debug)]
pub struct State {
    pub paths: Paths,
    /// The repository the server was started in (the agent's project), if any.
    pub here: Option<Here>,
    pub db: std::sync::Mutex<Reader>,
}

impl State {
    pub fn new(paths: Paths, cwd: Option<PathBuf>) -> State {
        let here = cwd.as_deref().and_then(sk_query::here::find);
        let db = std::sync::Mutex::new(Reader::new(paths.db.clone()));
        State { paths, here, db }
    }

    fn read<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> Result<T, ReadError>,
    ) -> Result<T, ToolError> {
        // A poisoned lock only means an earlier call panicked; the connection is still usable
        // (and `Reader::read` reopens it after any failure).
        let mut db = self.db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(db.read(read)?)
    }

    /// The repository a briefing or a lesson is for when the model names none: the
    /// server's git repository (its origin's `owner/name`, else its root folder).
    fn default_repo(&self) -> Option<String> {
        let here = self.here.as_ref()?;
        Some(
            here.repo
                .clone()
                .unwrap_or_else(|| here.root.to_string_lossy().into_owned()),
        )
    }
}

fn budget_chars(tokens: Option<usize>, default: usize) -> usize {
    tokens.unwrap_or(default).clamp(1, MAX_BUDGET_TOKENS) * CHARS_PER_TOKEN
}

fn point(flag: &str, text: Option<&str>, now: i64) -> Result<Option<i64>, ToolError> {
    text.map(|t| {
        sk_core::time::parse_point(t, now).ok_or_else(|| {
            ToolError::Invalid(format!(
                "invalid {flag} `{t}`: expected YYYY-MM-DD, an RFC 3339 time, or a duration ago such as 7d"
            ))
        })
    })
    .transpose()
}

pub fn search(state: &State, p: SearchParams) -> Result<Reply, ToolError> {
    if p.query.trim().is_empty() && p.category.is_none() {
        return Err(ToolError::Invalid(
            "give words to search for in `query`, or a `category` to list".into(),
        ));
    }
    let now = sk_core::time::now_ms();
    let filters = Filters {
        agent: p.agent.map(|a| a.as_str().to_string()),
        repo: p.repo.clone(),
        file: p.file.clone(),
        since: point("since", p.since.as_deref(), now)?,
        until: point("until", p.until.as_deref(), now)?,
        min_confidence: Some(sk_core::knowledge::SHOWN_MIN_CONFIDENCE),
        ..Filters::default()
    };
    let request = Request {
        text: p.query.clone(),
        kind: p.kind.domain(),
        category: p.category,
        filters,
        limit: p.limit.unwrap_or(SEARCH_LIMIT).clamp(1, MAX_LIMIT),
        current_repo: state.here.as_ref().and_then(|h| h.repo.clone()),
        params: RankParams::default(),
        now,
    };
    let started = std::time::Instant::now();
    let mut results = state.read(|conn| Ok(sk_query::search(conn, &request)?))?;
    let budget = budget_chars(p.budget_tokens, SEARCH_BUDGET_TOKENS);
    // The budget is measured on the text the model reads; the structured result holds the
    // same hits (and says how many were left out).
    let compact = render::render(&mut results, Format::Compact, Some(budget));
    let text = text::search(&results, &compact);
    let shown: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    // In the recall telemetry beside the CLI's queries (which searches find nothing).
    usage::record(
        usage::Sink::Spool(&state.paths.db),
        &usage::Use {
            surface: "mcp",
            query: Some(&p.query),
            selected: &shown,
            output_bytes: text.len(),
            started,
        },
    );
    Reply::new(text, &results)
}

pub fn session(state: &State, p: SessionParams) -> Result<Reply, ToolError> {
    let page = PageRequest {
        offset: p.offset.unwrap_or(0),
        limit: p.limit.unwrap_or(SESSION_PAGE).clamp(1, MAX_LIMIT),
        budget_chars: Some(budget_chars(p.budget_tokens, SESSION_BUDGET_TOKENS)),
    };
    let shown = state.read(|conn| {
        let header = match view::resolve(conn, &p.id) {
            Ok(h) => h,
            Err(LookupError::Query(e)) => return Err(e.into()),
            Err(other) => return Ok(Err(other)),
        };
        Ok(Ok(view::load(conn, header, view::TEXT_CHARS, Some(page))?))
    })?;
    let shown = match shown {
        Ok(s) => s,
        Err(LookupError::Missing(id)) => {
            return Err(ToolError::NotFound(format!(
                "no such session: {id} (the `sessions` tool lists them; `search` hits give their ids)"
            )));
        }
        Err(e) => return Err(ToolError::NotFound(e.to_string())),
    };
    Reply::new(text::session(&shown), &shown)
}

pub fn brief(state: &State, p: BriefParams) -> Result<Reply, ToolError> {
    if p.task.trim().is_empty() {
        return Err(ToolError::Invalid(
            "say what you are about to do in `task`".into(),
        ));
    }
    let repo = p.repo.clone().or_else(|| state.default_repo());
    let briefing = state.read(|conn| {
        let ctx = Context {
            task: p.task.trim().to_string(),
            task_source: TaskSource::Args,
            repo,
            files: p.files.clone(),
            empty: !sk_store::brief::has_data(conn)?,
            min_confidence: Some(sk_core::knowledge::SHOWN_MIN_CONFIDENCE),
            scope: None,
        };
        let found = if ctx.empty {
            Found::default()
        } else {
            brief::gather(conn, &ctx, Limits::BRIEF)?
        };
        let ranked = brief::assemble(&ctx, &found, Limits::BRIEF);
        let budget = budget_chars(p.budget_tokens, brief::DEFAULT_BUDGET_CHARS / CHARS_PER_TOKEN);
        Ok(brief::fit(&ctx, ranked, Some(budget), &brief::render_markdown))
    })?;
    Reply::new(brief::render_markdown(&briefing), &briefing)
}

pub fn show(state: &State, p: ShowParams) -> Result<Reply, ToolError> {
    match state.read(|conn| Ok(entry::show(conn, p.id)?))? {
        Lookup::Found(shown) => Reply::new(text::entry(&shown), &shown),
        Lookup::Forgotten(f) => Err(ToolError::NotFound(entry::forgotten_message(&f))),
        Lookup::Missing => Err(ToolError::NotFound(format!(
            "no such entry: {} (`search` hits of kind knowledge give entry ids)",
            p.id
        ))),
    }
}

pub fn sessions(state: &State, p: SessionsParams) -> Result<Reply, ToolError> {
    let since_ms = point("since", p.since.as_deref(), sk_core::time::now_ms())?;
    let filter = ListFilter {
        agent: p.agent.map(|a| a.as_str()),
        repo: p.repo.as_deref(),
        since_ms,
        limit: p.limit.unwrap_or(SESSIONS_LIMIT).clamp(1, MAX_LIMIT),
        ..ListFilter::default()
    };
    let listed = state.read(|conn| Ok(view::list(conn, &filter)?))?;
    Reply::new(text::sessions(&listed), &listed)
}

pub fn learn(state: &State, p: LearnParams) -> Result<Reply, ToolError> {
    let repo = match (&p.repo, p.global) {
        (Some(r), _) => Some(r.clone()),
        (None, true) => None,
        (None, false) => state.default_repo(),
    };
    let lesson = Lesson::new(p.category, &p.title, &p.body)
        .with_tags(&p.tags)
        .with_files(&p.files)
        .with_repo(repo.as_deref())
        .with_task(p.task.as_deref())
        .with_source(EntrySource::Agent);
    lesson.check().map_err(|r| ToolError::Refused(r.to_string()))?;
    let sources = learn::provenance(sk_core::time::now_ms(), learn::current_session(&ProcessEnv));
    let outcome = learn::learn_or_queue(&state.paths, &lesson, &sources, LOCK_WAIT)
        .map_err(|e| ToolError::Internal(format!("recording the entry: {e}")))?;
    if let Outcome::Forgotten { forgotten_at } = outcome {
        return Err(ToolError::Refused(format!(
            "not recorded: a person forgot this knowledge on {} (`sk knowledge forget`); only a person brings it back",
            sk_core::time::format_ms(forgotten_at)
        )));
    }
    let reply = Learned::of(&outcome, &lesson)
        .ok_or_else(|| ToolError::Internal("the lesson was neither stored nor queued".into()))?;
    Reply::new(text::learned(&reply), &reply)
}
