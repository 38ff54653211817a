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
    /// Show the database: path, size, schema, row counts, per-agent coverage
    Status(StatusArgs),
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
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}
