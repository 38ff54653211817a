//! `sk knowledge …`: moving knowledge between databases (export, import) and a person's
//! corrections (forget, edit, pin, unpin). Kept apart from `cli.rs`, which had grown past
//! 800 lines with them; `crate::cli` re-exports everything here.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// Write every knowledge entry (or one category) as JSON or Markdown to stdout
    Export(ExportArgs),
    /// Read entries from a JSON export; existing entries merge, nothing is lost
    ///
    /// Every field travels, provenance, pins, edits and who recorded an entry included,
    /// and entries keep the origin recorded in the file (extracted, manual or imported), so
    /// importing an export into an empty database gives back the same entries. An entry
    /// whose content hash already exists merges into it (provenance, files and tags added;
    /// a pin is kept, and the later of two edits wins). Forgotten knowledge travels as
    /// tombstones: importing one forgets the entries it stands for here, and an entry
    /// forgotten here is skipped. The file is imported in one transaction: a malformed or
    /// invalid file changes nothing.
    Import(ImportArgs),
    /// Forget an entry: gone from every surface, and never extracted or imported again
    ///
    /// The entry is deleted (search, briefings, hooks and exports no longer see it) and a
    /// tombstone keeps its content hash and the events it was extracted from, without its
    /// text: `sk extract --full` does not re-create it from the same evidence, importing it
    /// again skips it, and exports carry the tombstone so other databases forget it too. Only
    /// a person's `sk learn` of the same knowledge brings it back.
    Forget(ForgetArgs),
    /// Change an entry's title, body or category; extraction never overwrites the result
    ///
    /// The parts given replace the stored ones after the checks of `sk learn` (a title of
    /// one line and at most 100 characters, a body, no text that instructs an agent). The
    /// entry is marked as edited: re-extracting its sessions adds provenance but keeps your
    /// text, and never deletes it when its sessions stop supporting it.
    Edit(EditArgs),
    /// Pin an entry: always eligible for briefings, listed first
    ///
    /// A pinned entry appears in every briefing (`sk brief`, the session-start hook) of its
    /// repository, or of every repository when it names none, even when the task's words and
    /// files do not match it. Mistakes and decisions stand in their own sections; every other
    /// category among the patterns and conventions.
    Pin(PinArgs),
    /// Unpin an entry: it appears in briefings only when it matches the task again
    Unpin(PinArgs),
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The entry id (as printed by `sk query`)
    pub id: i64,
    /// Why, kept with the tombstone for `sk show ID`
    #[arg(long)]
    pub reason: Option<String>,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").args(["title", "body", "category"]).required(true).multiple(true)))]
pub struct EditArgs {
    /// The entry id (as printed by `sk query`)
    pub id: i64,
    /// The new title: one line, at most 100 characters
    #[arg(long)]
    pub title: Option<String>,
    /// The new body
    #[arg(long)]
    pub body: Option<String>,
    /// The new category: mistake, pattern, decision, tool, feature, refactor or discovery
    #[arg(long)]
    pub category: Option<sk_core::Category>,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// The entry id (as printed by `sk query`)
    pub id: i64,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
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
