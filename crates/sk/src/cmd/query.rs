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

use crate::cli::{QueryArgs, QueryPart};
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
    let filters = match filters(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(crate::exit::USAGE));
        }
    };
    let store = Store::open_readonly(&paths.db).context("opening the knowledge base")?;
    let conn = store.conn();
    let mut relaxed = false;
    let (knowledge, sessions) = match search::fts_query(&text, false) {
        None => (
            search::entries(conn, None, args.category, &filters, args.limit)?,
            Vec::new(),
        ),
        Some(all) => {
            let mut k = search::entries(conn, Some(&all), args.category, &filters, args.limit)?;
            let mut s = if args.category.is_none() {
                search::records(conn, &all, &filters, args.limit)?
            } else {
                Vec::new()
            };
            if k.is_empty()
                && s.is_empty()
                && let Some(any) = search::fts_query(&text, true)
            {
                relaxed = true;
                k = search::entries(conn, Some(&any), args.category, &filters, args.limit)?;
                if args.category.is_none() {
                    s = search::records(conn, &any, &filters, args.limit)?;
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

/// The command-line filters as the store takes them; a bad time is a usage error.
fn filters(args: &QueryArgs) -> anyhow::Result<search::Filters> {
    let now = sk_core::time::now_ms();
    let when = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<i64>> {
        v.as_deref()
            .map(|t| {
                sk_core::time::parse_point(t, now).ok_or_else(|| {
                    anyhow::anyhow!("invalid {flag} `{t}`: expected YYYY-MM-DD, an RFC 3339 time, or a duration ago such as 7d")
                })
            })
            .transpose()
    };
    Ok(search::Filters {
        agent: args.agent.map(|a| a.as_str().to_string()),
        repo: args.repo.clone(),
        session: args.session.clone(),
        file: args.file.clone(),
        since: when("--since", &args.since)?,
        until: when("--until", &args.until)?,
        kinds: match args.within {
            None => Vec::new(),
            Some(QueryPart::Prompt) => vec!["prompt"],
            Some(QueryPart::Answer) => vec!["answer", "reasoning"],
            Some(QueryPart::Tool) => vec!["tool_call", "tool_result"],
            Some(QueryPart::Summary) => vec!["summary", "task_summary"],
        },
    })
}
