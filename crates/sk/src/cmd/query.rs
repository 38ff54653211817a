//! `sk query`: search knowledge and sessions. (First version: knowledge entries and
//! session records by full-text match; the ranking, filters and budgets of the recall
//! issue build on it.)

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;
use sk_core::Paths;
use sk_core::time::format_ms;
use sk_store::Store;
use sk_store::search::{self, EntryHit, RecordHit};

use crate::cli::QueryArgs;
use crate::output::Out;

#[derive(Serialize)]
struct Results {
    schema_version: u32,
    query: String,
    relaxed: bool,
    knowledge: Vec<EntryHit>,
    sessions: Vec<RecordHit>,
}

pub fn run(paths: &Paths, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let text = args.terms.join(" ");
    if text.trim().is_empty() && args.category.is_none() {
        eprintln!(
            "error: give words to search for, or --category to list knowledge\n\nUsage: sk query [TERMS]... [--category C]"
        );
        return Ok(ExitCode::from(crate::exit::USAGE));
    }
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    let store = Store::open_readonly(&paths.db).context("opening the knowledge base")?;
    let conn = store.conn();
    let mut relaxed = false;
    let (knowledge, sessions) = match search::fts_query(&text, false) {
        None => (
            search::entries(conn, None, args.category, args.limit)?,
            Vec::new(),
        ),
        Some(all) => {
            let mut k = search::entries(conn, Some(&all), args.category, args.limit)?;
            let mut s = if args.category.is_none() {
                search::records(conn, &all, args.limit)?
            } else {
                Vec::new()
            };
            if k.is_empty()
                && s.is_empty()
                && let Some(any) = search::fts_query(&text, true)
            {
                relaxed = true;
                k = search::entries(conn, Some(&any), args.category, args.limit)?;
                if args.category.is_none() {
                    s = search::records(conn, &any, args.limit)?;
                }
            }
            (k, s)
        }
    };
    let mut out = Out::new();
    if args.json {
        out.json(&Results {
            schema_version: 1,
            query: text,
            relaxed,
            knowledge,
            sessions,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if relaxed {
        writeln!(out, "No hit has every word; showing hits with any of them.\n")?;
    }
    for e in &knowledge {
        writeln!(
            out,
            "#{} [{}] {}\n    confidence {:.2}, seen {}×, last {}{}\n    {}\n",
            e.id,
            e.category,
            e.title,
            e.confidence,
            e.occurrences,
            format_ms(e.last_seen),
            e.repo.as_deref().map(|r| format!(", {r}")).unwrap_or_default(),
            e.snippet.replace('\n', " ")
        )?;
    }
    for r in &sessions {
        writeln!(
            out,
            "session {} [{}] {}\n    {}{}\n    {}\n",
            r.session,
            r.kind,
            r.title.as_deref().unwrap_or(""),
            r.ts.map(format_ms).unwrap_or_default(),
            r.repo.as_deref().map(|x| format!(", {x}")).unwrap_or_default(),
            r.snippet.replace('\n', " ")
        )?;
    }
    if knowledge.is_empty() && sessions.is_empty() {
        writeln!(out, "No matches.")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
