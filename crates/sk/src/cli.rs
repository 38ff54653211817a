//! The command-line surface, declared with clap. Each subcommand's arguments live next to
//! its doc comment so `sk help <cmd>` explains it; the code that runs it is in `cmd/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `0.1.0 (commit 1a2b3c4d5e6f, schema v1)`: what operators need to compare two installs.
pub fn version() -> String {
    format!(
        "{} (commit {}, schema v{})",
        env!("CARGO_PKG_VERSION"),
        env!("SK_GIT_COMMIT"),
        sk_store::SCHEMA_VERSION
    )
}

/// Cross-session memory for AI coding agents.
///
/// sk ingests the session logs of GitHub Copilot CLI, Claude Code and Codex CLI into one
/// local SQLite knowledge base, so the next session does not repeat the last one's mistakes.
///
/// Exit codes: 0 success, 1 the command failed, 2 usage error, 3 the database is busy
/// (another sk process is writing; the message names it).
#[derive(Debug, Parser)]
#[command(name = "sk", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Knowledge database to use [default: $SK_DB, else $COPILOT_HOME/session-state/knowledge.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the database schema; verified backups and restores
    Migrate(MigrateArgs),
    /// Ingest new session logs of every agent into the knowledge base (incremental)
    Index(IndexArgs),
    /// Extract knowledge (mistakes and fixes, patterns, decisions, …) from changed sessions
    Extract(ExtractArgs),
    /// Record a piece of knowledge by hand (kept forever; queued if the database is busy)
    Learn(LearnArgs),
    /// Show one knowledge entry with its evidence and provenance
    Show(ShowArgs),
    /// Search sessions and knowledge
    Query(QueryArgs),
    /// Export or import knowledge entries
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
    /// A briefing for a task: known mistakes, conventions, decisions, recent related work
    Brief(BriefArgs),
    /// The timeline of one session
    Session(SessionArgs),
    /// List sessions, newest first
    Sessions(SessionsArgs),
    /// Show the database: path, size, schema, row counts, per-agent coverage
    Status(StatusArgs),
}

/// `sk extract [--full] [--json]`
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Re-extract every session, not only those changed since the last extraction
    #[arg(long)]
    pub full: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk learn --mistake|--pattern|… TITLE BODY [--tags a,b] [--file PATH]… [--task ID] [--repo R]`
///
/// The category is required unless `--flush-inbox` is given (checked when the command runs:
/// clap cannot make a group conditional).
#[derive(Debug, Args)]
#[command(
    group(clap::ArgGroup::new("category").args(
        ["mistake", "pattern", "decision", "tool", "feature", "refactor", "discovery"])),
    after_help = "\
A title repeated in the same category (ignoring case and punctuation), or the same text, merges
into the existing entry instead of adding a copy. Text that tries to instruct an agent (\"ignore
previous instructions\", \"you are now\", hidden characters, …) is refused: entries are shown to
agents in later sessions. When another sk process holds the database, the entry is queued in
$COPILOT_HOME/markers/inbox and stored by the next `sk index` or `sk learn --flush-inbox`."
)]
pub struct LearnArgs {
    /// Something that went wrong (say what fixed it in BODY)
    #[arg(long)]
    pub mistake: bool,
    /// A convention or way of working in this code base
    #[arg(long)]
    pub pattern: bool,
    /// A choice that was made, and why
    #[arg(long)]
    pub decision: bool,
    /// How to use a tool, command or API
    #[arg(long)]
    pub tool: bool,
    /// What a feature does or how it was built
    #[arg(long)]
    pub feature: bool,
    /// A structural change to the code
    #[arg(long)]
    pub refactor: bool,
    /// A fact learned about the code base or its environment
    #[arg(long)]
    pub discovery: bool,
    /// One line that is readable on its own (at most 100 characters)
    #[arg(required_unless_present = "flush_inbox")]
    pub title: Option<String>,
    /// The details: what happened, what fixed it, why
    #[arg(required_unless_present = "flush_inbox")]
    pub body: Option<String>,
    /// Comma-separated tags
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// A file this is about (repeatable)
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<String>,
    /// The task or issue this belongs to
    #[arg(long)]
    pub task: Option<String>,
    /// Repository (owner/name) [default: none]
    #[arg(long)]
    pub repo: Option<String>,
    /// Replay entries queued in the inbox while the database was busy, oldest first
    #[arg(long, conflicts_with_all = ["category", "title", "body", "tags", "files", "task", "repo"])]
    pub flush_inbox: bool,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk show ID [--why] [--json]`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The entry id (as printed by `sk query`)
    pub id: i64,
    /// Also print the cues that made the extractor keep it
    #[arg(long)]
    pub why: bool,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk query TERMS… [--kind K] [filters] [--limit N] [--json|--compact] [--budget N] [--explain]`
#[derive(Debug, Args)]
#[command(after_help = "\
Query syntax: every word must match (when none matches them all, any word will do, and the
output says so); \"a phrase\" in double quotes; -word leaves out hits containing it; the last
word also matches as a prefix (migra finds migration) unless it ends with a space. A -word
must not stand alone on the command line (it would read as an option): quote the whole query
(sk query 'tests -flaky') or put the words after -- (sk query --json -- tests -flaky).

Ranking: BM25 (titles above bodies, what people typed above tool output), then confidence and
occurrences for knowledge, then recency (--half-life), then a small boost for the current
repository. --explain prints the parts of each score.

Examples:
  sk query borrow checker lifetime
  sk query \"database is locked\" -test --kind session --since 30d
  sk query --category mistake --here --compact --budget 300t")]
pub struct QueryArgs {
    /// Words to search for (all must match; quotes make a phrase; -word excludes)
    pub terms: Vec<String>,
    /// What to search: knowledge entries, sessions, or both in one ranked list
    #[arg(long, value_enum, default_value = "all")]
    pub kind: QueryKind,
    /// Only knowledge of this category (mistake, pattern, decision, tool, feature, refactor, discovery)
    #[arg(long)]
    pub category: Option<sk_core::Category>,
    /// Only sessions of this agent (and knowledge seen in them)
    #[arg(long)]
    pub agent: Option<sk_core::Agent>,
    /// Only this repository (substring of owner/name or the remote URL)
    #[arg(long, conflicts_with = "here")]
    pub repo: Option<String>,
    /// Only the git repository of the current directory (its origin's owner/name, or sessions started inside it)
    #[arg(long)]
    pub here: bool,
    /// Only this session (`agent:id` or the agent's id)
    #[arg(long)]
    pub session: Option<String>,
    /// Only records and entries that touched this file (exact path or trailing part, e.g. src/auth.rs)
    #[arg(long, value_name = "PATH")]
    pub file: Option<String>,
    /// Only records and entries that touched a file under this directory (e.g. src/store)
    #[arg(long, value_name = "DIR")]
    pub module: Option<String>,
    /// Only knowledge recorded for this task or issue id (`sk learn --task`), and sessions whose branch names it
    #[arg(long, value_name = "ID")]
    pub task: Option<String>,
    /// Only from this time on: YYYY-MM-DD, RFC 3339, or a duration ago (30m, 12h, 7d, 2w)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only up to this time (same forms as --since)
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only this part of sessions
    #[arg(long = "in", value_enum, value_name = "PART")]
    pub within: Option<QueryPart>,
    /// Most hits to print
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Size limit: characters, or tokens with a `t` suffix (e.g. 300t); whole hits are dropped to fit
    #[arg(long, value_name = "N|Nt")]
    pub budget: Option<String>,
    /// Days after which a hit's age has cost it half of what age can cost (0 = ignore age)
    #[arg(long, value_name = "DAYS", default_value_t = 90.0)]
    pub half_life: f64,
    /// Print the parts of each hit's score
    #[arg(long, conflicts_with_all = ["json", "compact"])]
    pub explain: bool,
    /// One line per hit with an approximate token count
    #[arg(long, conflicts_with = "json")]
    pub compact: bool,
    /// Print as JSON (schema in docs/ARCHITECTURE.md)
    #[arg(long)]
    pub json: bool,
}

/// `sk query --kind`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum QueryKind {
    /// Knowledge and sessions in one ranked list
    All,
    /// Knowledge entries only
    Knowledge,
    /// Sessions only
    Session,
}

/// Which part of a session `sk query --in` searches.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum QueryPart {
    /// What people typed
    Prompt,
    /// What the agent answered (and its visible reasoning)
    Answer,
    /// Tool calls and their results
    Tool,
    /// Compaction, checkpoint and task summaries
    Summary,
}

#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// Write every knowledge entry (or one category) as JSON or Markdown to stdout
    Export(ExportArgs),
    /// Read entries from a JSON export; existing entries merge, nothing is lost
    ///
    /// Every field travels, provenance included, and entries keep the origin recorded in
    /// the file (extracted, manual or imported), so importing an export into an empty
    /// database gives back the same entries. An entry whose content hash already exists
    /// merges into it (provenance, files and tags added). The file is imported in one
    /// transaction: a malformed or invalid file changes nothing.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Only this category
    #[arg(long)]
    pub category: Option<sk_core::Category>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Md,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file written by `sk knowledge export --format json`
    pub file: PathBuf,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk index [--agent A]... [--path DIR] [--full] [--json]`
#[derive(Debug, Args)]
#[command(after_help = "\
Only what changed since the last run is read: unchanged files are skipped without being
opened, grown files are read from where the last run stopped, rewritten files are read
again. Damaged lines are counted and skipped, never fatal; secrets are redacted before
anything is stored.")]
pub struct IndexArgs {
    /// Only these agents (repeatable) [default: all]
    #[arg(long, value_name = "copilot|claude|codex")]
    pub agent: Vec<sk_core::Agent>,

    /// Index this folder instead of the agents' default locations
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// Rebuild: drop everything derived from logs and read all files again (knowledge you recorded by hand is kept)
    #[arg(long)]
    pub full: bool,

    /// Do not extract knowledge after ingesting
    #[arg(long)]
    pub no_extract: bool,

    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk migrate [DB] [--backup-only --backup-path P] [--restore P]`
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  sk migrate                                   apply pending migrations (backup taken first)
  sk migrate --backup-only --backup-path /tmp/knowledge.db.backup
  sk migrate --restore /tmp/knowledge.db.backup")]
pub struct MigrateArgs {
    /// Database file [default: the global --db, $SK_DB, or the default location]
    pub path: Option<PathBuf>,

    /// Only write a verified backup to --backup-path; change nothing
    #[arg(long, requires = "backup_path", conflicts_with = "restore")]
    pub backup_only: bool,

    /// Write a verified backup here (exits non-zero, leaving no file, if it does not verify)
    #[arg(long, value_name = "FILE")]
    pub backup_path: Option<PathBuf>,

    /// Replace the database with this verified backup; the current files are kept as *.corrupt-<time>
    #[arg(long, value_name = "FILE", conflicts_with = "backup_path")]
    pub restore: Option<PathBuf>,

    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// How recall is used instead: queries that found nothing, most-opened entries, briefing sizes
    #[arg(long)]
    pub recall: bool,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk brief [TASK] [--auto] [--budget N] [--full] [--json|--xml]`
#[derive(Debug, Args)]
pub struct BriefArgs {
    /// What you are about to do (free text)
    pub task: Vec<String>,
    /// Derive the task from git state (branch, changed files, recent commits) when no TASK is given
    #[arg(long)]
    pub auto: bool,
    /// Size limit: characters, or tokens with a `t` suffix (e.g. 500t) [default: 500t]
    #[arg(long)]
    pub budget: Option<String>,
    /// No size limit
    #[arg(long, conflicts_with = "budget")]
    pub full: bool,
    /// Print as JSON
    #[arg(long, conflicts_with = "xml")]
    pub json: bool,
    /// Print a compact XML block meant for an agent's context
    #[arg(long)]
    pub xml: bool,
}

/// `sk session ID [--json]`
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// Session id (the agent's id, `agent:id`, or a unique prefix)
    pub id: String,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk sessions [--agent A] [--repo R] [--since D] [--limit N] [--json]`
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Only this agent
    #[arg(long)]
    pub agent: Option<sk_core::Agent>,
    /// Only sessions in this repository (owner/name or remote URL, substring match)
    #[arg(long)]
    pub repo: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD, UTC) or this long ago (30m, 12h, 7d, 2w)
    #[arg(long)]
    pub since: Option<String>,
    /// Most sessions to list
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}
