//! `sk knowledge export|import`: move knowledge between machines or through a rebuilt
//! database. The document and the merge rules are `sk_index::learn::transfer`; this
//! module reads and writes the bytes (JSON, or Markdown for people).
//! `sk knowledge forget|edit|pin|unpin`: a person's corrections, whose rules are
//! `sk_index::learn::curate`; this module prints their outcome.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sk_core::time::format_ms;
use sk_core::{Category, Paths};
use sk_index::learn::{self, ExportDocument, curate};
use sk_store::Store;
use sk_store::knowledge::Entry;
use sk_store::lock::WriterLock;

use crate::cli::{EditArgs, ExportArgs, ExportFormat, ForgetArgs, ImportArgs, KnowledgeCommand, PinArgs};
use crate::exit;
use crate::output::Out;

pub fn run(paths: &Paths, command: &KnowledgeCommand) -> anyhow::Result<ExitCode> {
    match command {
        KnowledgeCommand::Export(args) => export(paths, args),
        KnowledgeCommand::Import(args) => import(paths, args),
        KnowledgeCommand::Forget(args) => forget(paths, args),
        KnowledgeCommand::Edit(args) => edit(paths, args),
        KnowledgeCommand::Pin(args) => pin(paths, args, true),
        KnowledgeCommand::Unpin(args) => pin(paths, args, false),
    }
}

/// The database a correction applies to; it must exist (there is nothing to correct).
fn open_existing(paths: &Paths) -> anyhow::Result<Store> {
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    Store::open(&paths.db).context("opening the knowledge base")
}

/// A refused edit exits like `sk learn`'s refusal (2 for a bad title or body, 1 for text
/// that instructs an agent); anything else goes to the one error path, which keeps a busy
/// database's exit code.
fn curate_error(e: curate::CurateError) -> anyhow::Result<ExitCode> {
    match e {
        curate::CurateError::Refused(refusal) => {
            eprintln!("error: {refusal}");
            Ok(ExitCode::from(if refusal.is_usage() {
                exit::USAGE
            } else {
                exit::FAILURE
            }))
        }
        curate::CurateError::Store(e) => Err(anyhow::Error::new(e).context("nothing was changed")),
        other => Err(anyhow::Error::new(other)),
    }
}

fn forget(paths: &Paths, args: &ForgetArgs) -> anyhow::Result<ExitCode> {
    let store = open_existing(paths)?;
    let forgot = match curate::forget(&store, args.id, args.reason.as_deref()) {
        Ok(f) => f,
        Err(e) => return curate_error(e),
    };
    let mut out = Out::new();
    if args.json {
        out.json(&forgot)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "Forgot #{} [{}] {}",
        forgot.id, forgot.category, forgot.title
    )?;
    writeln!(
        out,
        "It is gone from search, briefings and exports; extraction and imports will not bring it back."
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn edit(paths: &Paths, args: &EditArgs) -> anyhow::Result<ExitCode> {
    let store = open_existing(paths)?;
    let request = curate::EditRequest {
        title: args.title.clone(),
        body: args.body.clone(),
        category: args.category,
    };
    let edited = match curate::edit(&store, args.id, &request) {
        Ok(e) => e,
        Err(e) => return curate_error(e),
    };
    let mut out = Out::new();
    if args.json {
        out.json(&edited)?;
        return Ok(ExitCode::SUCCESS);
    }
    if edited.changed {
        writeln!(
            out,
            "Edited #{} [{}] {}",
            edited.id, edited.category, edited.title
        )?;
    } else {
        writeln!(out, "#{} already says that; nothing changed", edited.id)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn pin(paths: &Paths, args: &PinArgs, pinned: bool) -> anyhow::Result<ExitCode> {
    let store = open_existing(paths)?;
    let done = match curate::set_pinned(&store, args.id, pinned) {
        Ok(p) => p,
        Err(e) => return curate_error(e),
    };
    let mut out = Out::new();
    if args.json {
        out.json(&done)?;
        return Ok(ExitCode::SUCCESS);
    }
    let state = if pinned { "pinned" } else { "not pinned" };
    if done.changed {
        writeln!(
            out,
            "#{} is {state}{}",
            done.id,
            if pinned {
                ": always eligible for briefings"
            } else {
                ""
            }
        )?;
    } else {
        writeln!(out, "#{} was already {state}", done.id)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn export(paths: &Paths, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    let store = Store::open_readonly(&paths.db).context("opening the knowledge base")?;
    // The document carries schema v6's columns: say to migrate rather than "no such column".
    store.require_latest()?;
    let doc = learn::export(&store, args.category).context("reading the entries")?;
    let mut out = Out::new();
    match args.format {
        ExportFormat::Json => out.json(&doc)?,
        ExportFormat::Md => {
            out.write_all(markdown(&doc).as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import(paths: &Paths, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let file = &args.file;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let doc: ExportDocument = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a knowledge export (`sk knowledge export --format json`): {e}",
            file.display()
        )
    })?;
    let store = Store::open(&paths.db).context("opening the knowledge base")?;
    let lock = WriterLock::acquire(&paths.db, "sk knowledge import", Duration::from_secs(2))?;
    let context = || format!("importing {}; nothing was written", file.display());
    let summary = learn::import(&store, &doc).map_err(|e| match e {
        // Unwrapped so a busy database still exits with its own code.
        learn::ImportError::Store(e) => anyhow::Error::new(e).context(context()),
        other => anyhow::Error::new(other).context(context()),
    })?;
    drop(lock);
    let mut out = Out::new();
    if args.json {
        out.json(&summary)?;
    } else {
        write!(out, "Imported {}, merged {}", summary.imported, summary.merged)?;
        if summary.forgotten + summary.removed + summary.skipped > 0 {
            write!(
                out,
                "; {} forgotten entr{} recorded ({} removed here), {} skipped as forgotten",
                summary.forgotten,
                if summary.forgotten == 1 { "y" } else { "ies" },
                summary.removed,
                summary.skipped
            )?;
        }
        writeln!(out)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One section per category, one subsection per entry with every field readable.
fn markdown(doc: &ExportDocument) -> String {
    let mut md = format!(
        "# Knowledge\n\nExported {} · {} entr{}\n",
        doc.exported_at,
        doc.entries.len(),
        if doc.entries.len() == 1 { "y" } else { "ies" }
    );
    if !doc.forgotten.is_empty() {
        // Tombstones keep no text; the count says that the JSON export carries them.
        md.push_str(&format!(
            "\n{} forgotten entr{} (in the JSON export only: no text is kept)\n",
            doc.forgotten.len(),
            if doc.forgotten.len() == 1 { "y" } else { "ies" }
        ));
    }
    for category in Category::ALL {
        let entries: Vec<&Entry> = doc.entries.iter().filter(|e| e.category == category).collect();
        if entries.is_empty() {
            continue;
        }
        md.push_str(&format!("\n## {} ({})\n", heading(category), entries.len()));
        for e in entries {
            entry_markdown(&mut md, e);
        }
    }
    md
}

fn heading(category: Category) -> String {
    let name = category.as_str();
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn entry_markdown(md: &mut String, e: &Entry) {
    md.push_str(&format!("\n### #{} {}\n\n", e.id, e.title));
    md.push_str(e.body.trim_end());
    md.push_str("\n\n");
    md.push_str(&format!(
        "- confidence {:.2} · {} · seen {} time(s), first {}, last {}\n",
        e.confidence,
        e.origin.as_str(),
        e.occurrences,
        format_ms(e.first_seen),
        format_ms(e.last_seen)
    ));
    let code = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !e.tags.is_empty() {
        md.push_str(&format!("- tags: {}\n", e.tags.join(", ")));
    }
    if !e.files.is_empty() {
        md.push_str(&format!("- files: {}\n", code(&e.files)));
    }
    if let Some(repo) = &e.repo {
        md.push_str(&format!("- repo: {repo}\n"));
    }
    if let Some(task) = &e.task {
        md.push_str(&format!("- task: {task}\n"));
    }
    if let Some(source) = e.source {
        md.push_str(&format!("- recorded by: {}\n", source.as_str()));
    }
    if e.pinned {
        md.push_str("- pinned\n");
    }
    if let Some(at) = e.edited_at {
        md.push_str(&format!("- edited {}\n", format_ms(at)));
    }
    if !e.why.is_empty() {
        md.push_str(&format!("- why: {}\n", e.why.join("; ")));
    }
    if !e.sources.is_empty() {
        md.push_str("- sources:\n");
        for s in &e.sources {
            let event = if s.event_id.is_empty() {
                String::new()
            } else {
                format!(" event {}", s.event_id)
            };
            md.push_str(&format!(
                "  - {}{event} at {}\n",
                s.session_key,
                format_ms(s.seen_at)
            ));
        }
    }
    md.push_str(&format!("- content hash: `{}`\n", e.content_hash));
}
