//! `sk show ID`: one knowledge entry, its evidence, where it was seen, related entries.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use sk_core::Paths;
use sk_core::time::format_ms;
use sk_query::entry::{self, Lookup};
use sk_store::Store;
use sk_store::knowledge::EntrySource;

use crate::cli::ShowArgs;
use crate::output::Out;

pub fn run(paths: &Paths, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut out = Out::new();
    let store = crate::cmd::telemetry::open_store(paths)?;
    // An entry has schema v6's columns: say to migrate rather than "no such column".
    store.require_latest()?;
    let code = show(&store, args, &mut out)?;
    let id = [args.id.to_string()];
    crate::cmd::telemetry::record(&store, "show", None, &id, out.written(), started);
    Ok(code)
}

fn show(store: &Store, args: &ShowArgs, out: &mut Out) -> anyhow::Result<ExitCode> {
    let shown = match entry::show(store.conn(), args.id).context("reading the entry")? {
        Lookup::Found(shown) => shown,
        Lookup::Forgotten(f) => bail!("{}", entry::forgotten_message(&f)),
        Lookup::Missing => bail!("no such entry: {} (ids are printed by `sk query`)", args.id),
    };
    if args.json {
        out.json(&shown)?;
        return Ok(ExitCode::SUCCESS);
    }
    let entry::Shown {
        entry,
        sessions,
        related,
        remote,
    } = *shown;
    writeln!(out, "#{} [{}] {}", entry.id, entry.category, entry.title)?;
    writeln!(
        out,
        "confidence {:.2} · seen {} time(s) · first {} · last {} · {}",
        entry.confidence,
        entry.occurrences,
        format_ms(entry.first_seen),
        format_ms(entry.last_seen),
        entry.origin.as_str()
    )?;
    let mut curated = Vec::new();
    match entry.source {
        Some(EntrySource::User) => curated.push("recorded by a person".to_string()),
        Some(EntrySource::Agent) => curated.push("recorded by an agent".to_string()),
        None => {}
    }
    if entry.pinned {
        curated.push("pinned".to_string());
    }
    if let Some(at) = entry.edited_at {
        curated.push(format!("edited {}", format_ms(at)));
    }
    if let Some(r) = &remote {
        curated.push(format!("from {} on {} (sk sync)", r.author, r.replica));
    }
    if !curated.is_empty() {
        writeln!(out, "{}", curated.join(" · "))?;
    }
    if let Some(repo) = &entry.repo {
        writeln!(out, "repo: {repo}")?;
    }
    if !entry.tags.is_empty() {
        writeln!(out, "tags: {}", entry.tags.join(", "))?;
    }
    if !entry.files.is_empty() {
        writeln!(out, "files: {}", entry.files.join(", "))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", entry.body)?;
    if args.why {
        writeln!(out)?;
        writeln!(out, "Why it was kept:")?;
        if entry.why.is_empty() {
            writeln!(out, "  recorded by hand")?;
        }
        for cue in &entry.why {
            writeln!(out, "  - {cue}")?;
        }
    }
    if !sessions.is_empty() {
        writeln!(out)?;
        writeln!(out, "Sessions:")?;
        for s in &sessions {
            writeln!(
                out,
                "  {} {} {}{}",
                s.started_at.map(format_ms).unwrap_or_else(|| "-".into()),
                s.session_key,
                s.repo.as_deref().or(s.cwd.as_deref()).unwrap_or(""),
                s.title.as_deref().map(|t| format!(" — {t}")).unwrap_or_default()
            )?;
        }
    }
    if !related.is_empty() {
        writeln!(out)?;
        writeln!(out, "Related:")?;
        for r in &related {
            writeln!(out, "  #{} [{}] {} ({})", r.id, r.category, r.title, r.reason)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
