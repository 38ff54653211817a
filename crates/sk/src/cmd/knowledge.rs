//! `sk knowledge export|import`: move knowledge between machines or through a rebuilt
//! database. The document and the merge rules are `sk_index::learn::transfer`; this
//! module reads and writes the bytes (JSON, or Markdown for people).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use sk_core::time::format_ms;
use sk_core::{Category, Paths};
use sk_index::learn::{self, ExportDocument};
use sk_store::Store;
use sk_store::knowledge::Entry;
use sk_store::lock::WriterLock;

use crate::cli::{ExportArgs, ExportFormat, ImportArgs, KnowledgeCommand};
use crate::output::Out;

pub fn run(paths: &Paths, command: &KnowledgeCommand) -> anyhow::Result<ExitCode> {
    match command {
        KnowledgeCommand::Export(args) => export(paths, args),
        KnowledgeCommand::Import(args) => import(paths, args),
    }
}

fn export(paths: &Paths, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    let store = Store::open_readonly(&paths.db).context("opening the knowledge base")?;
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
        writeln!(out, "Imported {}, merged {}", summary.imported, summary.merged)?;
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
