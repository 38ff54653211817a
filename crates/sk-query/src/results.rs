//! The result of a search as every surface sees it. `--json` prints [`Results`] as is; its
//! field names and meanings are the documented, stable schema (docs/ARCHITECTURE.md,
//! "sk query --json"). Adding a field is compatible; renaming or removing one bumps
//! [`SCHEMA_VERSION`].

use serde::Serialize;

/// Version of the `sk query --json` schema. 1 was the first cut (separate `knowledge` and
/// `sessions` lists); 2 is one ranked `hits` list with the score parts.
pub const SCHEMA_VERSION: u32 = 2;

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    /// A knowledge entry (`sk show ID`).
    Knowledge,
    /// A session, represented by its best-matching record (`sk session ID`).
    Session,
}

/// How a hit's score was put together (see `rank`), printed by `--explain` and always
/// present in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Explain {
    /// FTS5 BM25 of the best-matching text, made positive (higher is better); for
    /// entries with title 4×, tags 2×, body 1×.
    pub bm25: f64,
    /// Weight of the field that matched: the record's kind for sessions (prompt above tool
    /// output), plus a bonus when the session title holds the query's words.
    pub field_weight: f64,
    /// `bm25 × field_weight`, divided by the best such value of the same kind in this
    /// result, so knowledge and session relevance share one 0..1 scale.
    pub relevance: f64,
    /// Knowledge only: from confidence and occurrences (1 for sessions).
    pub prior: f64,
    /// From the hit's age and the half-life: between `1 - recency_weight` and 1.
    pub recency: f64,
    /// The current-repository boost (1 when not in it).
    pub here: f64,
    /// `relevance × prior × recency × here`.
    pub score: f64,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    /// The id to open: an entry id (`"42"`) or a session key (`"claude:89f4…"`).
    pub id: String,
    /// The command that opens it.
    pub open: String,
    pub title: String,
    /// When: the entry's last sighting, or the matching record's time (ms since epoch).
    pub date: Option<i64>,
    /// For sessions; knowledge has no single agent.
    pub agent: Option<String>,
    pub repo: Option<String>,
    /// Knowledge category, or the session record kind that matched (`prompt`, `tool_call`…).
    pub category: String,
    /// Matching text around the words; matches are wrapped in `[` `]`.
    pub snippet: String,
    /// Knowledge only.
    pub confidence: Option<f64>,
    /// Knowledge only.
    pub occurrences: Option<i64>,
    pub score: f64,
    pub explain: Explain,
    /// Sessions only: the record the snippet comes from, for opening the session at it
    /// (`sk ui` links to it). Absent when no record was chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<i64>,
    /// Knowledge only: the sessions the entry came from (`agent:id`, most recent first),
    /// so that every hit leads to a session. Empty for entries recorded by hand.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<String>,
    /// Knowledge pulled from a team's remote by `sk sync`: `AUTHOR on REPLICA`. Absent for
    /// knowledge made on this machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Everything `sk query --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub schema_version: u32,
    pub query: String,
    /// `all`, `knowledge` or `session`.
    pub kind: &'static str,
    /// No hit had every word, so these hits have any of them.
    pub relaxed: bool,
    /// Hits found before `--limit` and `--budget` (at most the candidate pool).
    pub total: usize,
    /// Hits dropped to stay within `--budget`.
    pub omitted: usize,
    /// The half-life used for recency, in days.
    pub half_life_days: f64,
    /// Best first.
    pub hits: Vec<Hit>,
}
