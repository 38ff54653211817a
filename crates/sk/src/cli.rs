//! The command-line surface, declared with clap. Each subcommand's arguments live next to
//! its doc comment so `sk help <cmd>` explains it; the code that runs it is in `cmd/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod hooks;
mod knowledge;
mod sync;
pub use hooks::*;
pub use knowledge::*;
pub use sync::*;

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
/// (another sk process is writing; the message names it), 4 `sk index` stored what it could
/// but some log files failed (each named on stderr; `sk status` lists them).
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
    /// Scan stored text for secrets again with this build's detectors; report or rewrite
    Redact(RedactArgs),
    /// Record a piece of knowledge by hand (kept forever; queued if the database is busy)
    Learn(LearnArgs),
    /// Show one knowledge entry with its evidence and provenance
    Show(ShowArgs),
    /// Search sessions and knowledge
    Query(QueryArgs),
    /// Export or import knowledge entries; forget, edit or pin one
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
    /// Agent hooks: the hook program agents call, its rules, audit log, emergency bypass; deploy, lock, verify
    #[command(subcommand)]
    Hooks(HooksCommand),
    /// Install or remove sk's git hooks (pre-commit, pre-push) in a repository
    #[command(subcommand, name = "git-hooks")]
    GitHooks(GitHooksCommand),
    /// Install this binary as ~/.copilot/bin/sk (keeping the one it replaces for rollback)
    Install(InstallArgs),
    /// Check the installation, database, watcher and agent folders; say how to fix each problem
    Doctor(DoctorArgs),
    /// Remove what `sk install` put in place; never session logs or the knowledge database
    Uninstall(UninstallArgs),
    /// Switch back to the binary the last install replaced, after checking that it starts
    Rollback(RollbackArgs),
    /// Live capture: index new session content as the agents write it
    Watch(WatchArgs),
    /// The knowledge base as an MCP server on stdin/stdout, for agents to call (`sk hooks deploy` registers it)
    ///
    /// Tools: search, session, brief, show, sessions, learn. Runs until the client closes
    /// stdin or SIGTERM; writes nothing but protocol messages to stdout.
    Mcp,
    /// A local web interface: search, sessions and their timelines, knowledge curation, insights, health
    ///
    /// Serves on 127.0.0.1 (a free port unless --port) until Ctrl-C, and prints the URL to
    /// open: it carries a one-run token, exchanged for a cookie, so other local users and web
    /// pages cannot use the server. Every asset is in the binary; nothing is fetched.
    Ui(UiArgs),
    /// Share knowledge with your other machines and your team through PostgreSQL
    ///
    /// `sk sync` pushes this machine's knowledge changes, then pulls the team's; `setup`
    /// connects a remote, `status` shows where things stand without connecting. Only
    /// knowledge travels (entries, edits, pins, forgets), never session logs. Nothing local
    /// waits for the network, and agent hooks never touch it.
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
pub struct UiArgs {
    /// Port to listen on (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on: one address, since requests must name it. Anything but
    /// loopback exposes your sessions to the network (still behind the token); sk warns
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the URL in the default browser
    #[arg(long)]
    pub open: bool,
}

/// Registering, locking and verifying the hook files sk deploys.
#[derive(Debug, Subcommand)]
pub enum ProvisionCommand {
    /// Register `sk hooks run EVENT` and the `sk mcp` server with the agents (idempotent)
    ///
    /// Copilot CLI: sk's own file `$COPILOT_HOME/hooks/sk.json`. Claude Code: sk's entries
    /// merged into `$CLAUDE_CONFIG_DIR/settings.json` (the previous file is kept once as
    /// `settings.json.sk-backup`). Codex CLI: merged into `$CODEX_HOME/hooks.json` the same
    /// way. The command registered is the installed sk (`$COPILOT_HOME/bin/sk`) when there
    /// is one, else this binary. The MCP server (`sk mcp`, unless --no-mcp): Claude Code's
    /// user scope in `.claude.json`, Codex's `[mcp_servers.sk]` in `config.toml`, Copilot's
    /// `mcp-config.json` (each user file backed up once as `*.sk-backup`). Refuses while
    /// hooks are locked.
    Deploy(DeployArgs),
    /// Remove exactly sk's hook and MCP server registrations, nothing else (idempotent)
    Undeploy(DeployArgs),
    /// Sign a manifest of the deployed hook files and the sk binary, and make the files read-only
    Lock(JsonFlag),
    /// Verify, report any drift, and make the hook files writable again
    Unlock(JsonFlag),
    /// Check the locked files against the signed manifest; exit 1 listing every difference
    Verify(JsonFlag),
    /// The checks sk's git hooks run (called by the scripts `sk git-hooks install` writes)
    ///
    /// pre-commit: refuses a commit whose staged lines contain a secret (API keys, tokens,
    /// private keys). Any internal failure lets the commit through with a warning.
    Git(GitHookArgs),
}

/// `--agent` and `--dry-run` for deploy and undeploy.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Which agent's hooks: copilot, claude, codex or all
    #[arg(long, default_value = "all", value_name = "AGENT")]
    pub agent: String,
    /// Print what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Print the plan as JSON
    #[arg(long)]
    pub json: bool,
    /// Hooks only: leave the agents' MCP server registrations (`sk mcp`) as they are
    #[arg(long)]
    pub no_mcp: bool,
}

/// A lone `--json`.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk hooks git HOOK [ARGS…]`
#[derive(Debug, Args)]
pub struct GitHookArgs {
    #[arg(value_enum)]
    pub hook: GitHook,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GitHook {
    PreCommit,
    PrePush,
}

/// `sk git-hooks install|uninstall`
#[derive(Debug, Subcommand)]
pub enum GitHooksCommand {
    /// Install pre-commit and pre-push hooks that run sk's checks, then any hook they replace
    ///
    /// Honours `core.hooksPath`. An existing hook that is not sk's is moved to
    /// `<name>.backup` and run after sk's checks with the same arguments and input, its exit
    /// code respected. Idempotent.
    Install(RepoArgs),
    /// Remove sk's git hooks and put the previous ones back byte for byte
    Uninstall(RepoArgs),
}

#[derive(Debug, Args)]
pub struct RepoArgs {
    /// The repository [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Print what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Print the plan as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk install [--add-to-path] [--quiet] [--dry-run]`
#[derive(Debug, Args)]
#[command(after_help = "\
Copies the running binary to $COPILOT_HOME/bin/sk atomically (temp file, fsync, rename); the
binary it replaces is kept as sk.prev for `sk rollback`. Also writes the Windows launcher sk.cmd
(CRLF line endings) and the install manifest ($COPILOT_HOME/markers/install-manifest.json), which
lists every file sk manages with its SHA-256 and purpose. Installing the same build again changes
nothing. From a source checkout: `cargo build --release && target/release/sk install`.")]
pub struct InstallArgs {
    /// Put the bin folder on PATH with a marked block in your shell's rc file ($SHELL: ~/.bashrc,
    /// ~/.zshrc, fish config, else ~/.profile); idempotent, removed by `sk uninstall`
    #[arg(long)]
    pub add_to_path: bool,
    /// Print nothing on success
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the plan (what would be written, kept and preserved) and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `sk doctor [--json] [--manifest]`
#[derive(Debug, Args)]
#[command(after_help = "\
One line per check: ok, warn or FAIL, and for every non-ok line the command that fixes it.
Exit status 0 when nothing FAILs, 1 otherwise. Save `sk doctor --manifest` before risky work
and diff it afterwards.")]
pub struct DoctorArgs {
    /// Print the findings as JSON
    #[arg(long)]
    pub json: bool,
    /// Print the install manifest (installed version, every managed file with its SHA-256) instead
    #[arg(long)]
    pub manifest: bool,
}

/// `sk uninstall [--launcher-only] [--dry-run]`
#[derive(Debug, Args)]
#[command(after_help = "\
Removes exactly the files the install manifest lists (and the PATH block `--add-to-path`
added), after stopping `sk watch`. Never touches session-state/, the knowledge database, its
backups, the learn inbox, or anything the manifest does not list. Safe to run twice.")]
pub struct UninstallArgs {
    /// Remove only the binary and the sk.cmd launcher; keep sk.prev, the PATH block and the manifest
    #[arg(long)]
    pub launcher_only: bool,
    /// Print what would be removed and kept, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// `sk rollback`
#[derive(Debug, Args)]
#[command(after_help = "\
Runs `sk.prev --version` first and refuses unless it exits 0. Then sk.prev becomes the
binary and the current binary is kept as sk.broken (not deleted) for investigation.")]
pub struct RollbackArgs {}

/// `sk watch [--daemon|--status|--stop|--install-service|--uninstall-service]`
#[derive(Debug, Args)]
#[command(
    group(clap::ArgGroup::new("watch_action").args(
        ["daemon", "status", "stop", "install_service", "uninstall_service", "daemon_child"])),
    after_help = "\
Watches every agent's log folders (native file-system events, polling where those are
unavailable; folders created later are picked up), waits for a quiet moment after changes,
then ingests and extracts only what changed, taking the database's writer lock only while
writing. One watcher per home. Without an option it runs in the foreground until Ctrl-C."
)]
pub struct WatchArgs {
    /// Run in the background: pid file and a rotated log in $COPILOT_HOME/markers/
    #[arg(long)]
    pub daemon: bool,
    /// Report whether a watcher runs: pid, uptime, last ingest, error count
    #[arg(long)]
    pub status: bool,
    /// Stop the running watcher (it finishes the current batch) and remove its pid file; cleans a stale one
    #[arg(long)]
    pub stop: bool,
    /// Write a systemd user unit (Linux) or launchd agent (macOS) that runs the installed sk watch
    #[arg(long)]
    pub install_service: bool,
    /// Remove the service definition --install-service wrote
    #[arg(long)]
    pub uninstall_service: bool,
    /// Poll for changes instead of using file-system events (network drives)
    #[arg(long)]
    pub poll: bool,
    /// With --status: print as JSON
    #[arg(long)]
    pub json: bool,
    /// Milliseconds of quiet after a change before ingesting
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub debounce_ms: u64,
    /// When `sk sync` is set up: push and pull every SECS seconds (0: never)
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub sync_every: u64,
    /// Internal: the detached process `--daemon` starts
    #[arg(long, hide = true)]
    pub daemon_child: bool,
}

/// `sk redact [--scan|--apply] [--delete-backups] [--json]`
#[derive(Debug, Args)]
#[command(after_help = "\
Secrets are redacted before anything is stored, by the detectors of the sk that stored
it. When a newer sk finds more (its detector set has a higher version), `sk index` scans
the stored text again by itself; this command does it on demand. `--scan` (the default)
only reports what it would redact, by kind; `--apply` rewrites it and rebuilds the search
indexes of what changed.

Backups taken before a re-scrub still hold what it redacted: `--delete-backups` (with
`--apply`) removes the `knowledge.db.backup-v*` files beside the database once the
database itself is clean.")]
pub struct RedactArgs {
    /// Report what would be redacted, without writing (the default)
    #[arg(long, conflicts_with = "apply")]
    pub scan: bool,
    /// Rewrite the stored text that holds secrets
    #[arg(long)]
    pub apply: bool,
    /// With --apply: delete the automatic backups beside the database afterwards
    #[arg(long, requires = "apply")]
    pub delete_backups: bool,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
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
$COPILOT_HOME/markers/inbox and stored by the next `sk index` or `sk learn --flush-inbox`.

Agents recording a lesson on their own pass `--source agent`: the entry says so (`sk show`,
exports), and it is not stored when a person forgot the same knowledge (`sk knowledge forget`);
a person's `sk learn` of forgotten knowledge brings it back."
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
    /// Repository (owner/name) [default: the git repository of the current directory: its
    /// origin's owner/name, else its root folder; none outside a repository]
    #[arg(long, conflicts_with = "global")]
    pub repo: Option<String>,
    /// For every repository: record no repository, so automatic briefings anywhere show it
    #[arg(long)]
    pub global: bool,
    /// Who is recording it: a person, or an agent on its own initiative
    #[arg(long, value_enum, default_value = "user")]
    pub source: LearnSource,
    /// Replay entries queued in the inbox while the database was busy, oldest first
    #[arg(long, conflicts_with_all = ["category", "title", "body", "tags", "files", "task", "repo", "global"])]
    pub flush_inbox: bool,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

/// Who runs `sk learn`. (Variants without doc comments keep `sk learn --help` compact:
/// clap lists them inline.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LearnSource {
    User,
    Agent,
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
    /// Also show knowledge below the quality floor (confidence < 0.55), hidden by default
    #[arg(long)]
    pub all_quality: bool,
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

/// `sk index [--agent A]... [--path DIR] [--full] [--json]`
#[derive(Debug, Args)]
#[command(after_help = "\
Only what changed since the last run is read: unchanged files are skipped without being
opened, grown files are read from where the last run stopped, rewritten files are read
again. Damaged lines are counted and skipped, never fatal; secrets are redacted before
anything is stored.

A file that cannot be read at all is named on stderr, the rest is stored, and the exit code
is 4; it is not tried again until it changes (or sk is upgraded, or `--full`), and
`sk status` and `sk doctor` list it.")]
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

    /// Index once more this many milliseconds after the first pass (at most 60000): the
    /// end-of-session hook uses it, since an agent may finish writing its log after the
    /// hook started `sk index`
    #[arg(long, value_name = "MS")]
    pub again_after: Option<u64>,
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
    /// Also use knowledge below the quality floor (confidence < 0.55), left out by default
    #[arg(long)]
    pub all_quality: bool,
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

/// `sk sessions [--agent A] [--repo R] [--since D] [--sort S] [--limit N] [--offset N] [--json]`
#[derive(Debug, Args)]
#[command(after_help = "\
Counts (prompts, tool calls, failed tool calls) are kept with each session's search
document, rebuilt whenever its records change, so every sort reads them instead of counting
records. A session whose document waits to be rebuilt (after an upgrade, until `sk migrate`
or `sk index` builds it) counts 0. Ties keep the newest first. Page through a long list with
--limit and --offset: `--sort failures --limit 20 --offset 20` is the second page of that
order.")]
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
    /// Order of the list (ties: newest first)
    #[arg(long, value_enum, default_value_t = SessionsSort::Newest)]
    pub sort: SessionsSort,
    /// Most sessions to list
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Skip this many sessions of the order first (the next page: --offset 20 with --limit 20)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// The order of `sk sessions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SessionsSort {
    /// Newest first: by start time, unknown starts last
    Newest,
    /// Most prompts first
    Prompts,
    /// Most tool calls first
    ToolCalls,
    /// Most failed tool calls first
    Failures,
    /// Longest first (end minus start; sessions without both times last)
    Longest,
}

impl From<SessionsSort> for sk_store::sessions::ListSort {
    fn from(s: SessionsSort) -> Self {
        use sk_store::sessions::ListSort;
        match s {
            SessionsSort::Newest => ListSort::Newest,
            SessionsSort::Prompts => ListSort::Prompts,
            SessionsSort::ToolCalls => ListSort::ToolCalls,
            SessionsSort::Failures => ListSort::Failures,
            SessionsSort::Longest => ListSort::Longest,
        }
    }
}
