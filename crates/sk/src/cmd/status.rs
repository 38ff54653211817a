//! `sk status`: what is in the knowledge base. Opens read-only, so it can describe a
//! database it would refuse to migrate (too new, damaged) instead of failing.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use sk_core::Paths;
use sk_store::Store;
use sk_store::status::status;

use crate::cli::StatusArgs;
use crate::output::{Out, human_bytes};

pub fn run(paths: &Paths, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    if !paths.db.exists() {
        bail!(
            "no knowledge base yet at {}: run `sk migrate` to create it (or `sk index` once it exists)",
            paths.db.display()
        );
    }
    if args.recall {
        // Recall commands spool their usage lines; move them in first (best-effort: a busy
        // or read-only database is summarized as it is).
        let store = Store::open_for_recall(&paths.db).context("opening the knowledge base")?;
        let _ = sk_store::telemetry::drain(&store);
        return recall(&store, args.json);
    }
    let store = Store::open_readonly(&paths.db).context("opening the knowledge base")?;
    let st = status(&store).context("reading the knowledge base")?;
    let mut out = Out::new();
    if args.json {
        out.json(&st)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Database:       {}", st.path)?;
    writeln!(out, "Size:           {}", human_bytes(st.bytes))?;
    let upgrade = if st.schema_version < st.expected_schema_version {
        " — run `sk migrate`"
    } else {
        ""
    };
    writeln!(
        out,
        "Schema:         v{} (this sk expects v{}){upgrade}",
        st.schema_version, st.expected_schema_version
    )?;
    match &st.last_migration {
        Some(m) => writeln!(
            out,
            "Last migration: v{} {} at {}",
            m.version, m.name, m.applied_at
        )?,
        None => writeln!(out, "Last migration: none")?,
    }
    match &st.last_indexed_at {
        Some(t) => writeln!(out, "Last indexed:   {t}")?,
        None => writeln!(out, "Last indexed:   never — run `sk index`")?,
    }
    if !st.agents.is_empty() {
        writeln!(out, "Agents:")?;
        for a in &st.agents {
            writeln!(
                out,
                "  {:<8} {} sessions, {} files, {}, {} records, last ingest {}",
                a.agent,
                a.sessions,
                a.files,
                human_bytes(a.bytes as u64),
                a.records,
                a.last_ingest.as_deref().unwrap_or("never")
            )?;
            if a.damaged_spans > 0 {
                writeln!(
                    out,
                    "           parse problems: {} damaged span(s) in {} file(s), {} skipped",
                    a.damaged_spans,
                    a.files_with_damage,
                    human_bytes(a.skipped_bytes as u64)
                )?;
            }
        }
    }
    if !st.failing_files.is_empty() {
        writeln!(
            out,
            "Failing files:  {} (not read; tried again when the file changes, after an upgrade, or with `sk index --full`)",
            st.failing_files.len()
        )?;
        for f in &st.failing_files {
            writeln!(
                out,
                "  {} ({}, since {})",
                f.path,
                f.agent,
                sk_core::time::format_ms(f.first_failed_at)
            )?;
            writeln!(out, "    {}", f.error)?;
        }
    }
    writeln!(out, "Rows:")?;
    for t in &st.tables {
        writeln!(out, "  {:<16}{:>10}", t.table, t.rows)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `sk status --recall`: how the recall surfaces are used, from the local telemetry.
fn recall(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let s = sk_store::telemetry::summary(store.conn(), 10).context("reading recall telemetry")?;
    let mut out = Out::new();
    if json {
        out.json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    if s.events == 0 {
        writeln!(
            out,
            "No recall use recorded yet (sk query, sk brief, sk show and sk session record it)."
        )?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let since = s.since.map(sk_core::time::format_ms).unwrap_or_default();
    writeln!(out, "Recall use since {since} ({} recorded):", s.events)?;
    let avg_ms = s
        .average_query_us
        .map(|us| format!(", {:.1} ms on average", us / 1000.0))
        .unwrap_or_default();
    writeln!(
        out,
        "  queries:     {}, {} found nothing{avg_ms}",
        s.queries, s.queries_without_hits
    )?;
    match s.average_brief_bytes {
        Some(b) => writeln!(
            out,
            "  briefings:   {}, {:.0} bytes (~{:.0} tokens) on average",
            s.briefs,
            b,
            b / sk_query::brief::CHARS_PER_TOKEN as f64
        )?,
        None => writeln!(out, "  briefings:   0")?,
    }
    if !s.recent_misses.is_empty() {
        writeln!(out, "Queries that found nothing (newest first):")?;
        for q in &s.recent_misses {
            writeln!(out, "  {q}")?;
        }
    }
    if !s.most_opened.is_empty() {
        writeln!(out, "Most opened:")?;
        for o in &s.most_opened {
            let how = if o.surface == "show" {
                "sk show"
            } else {
                "sk session"
            };
            writeln!(out, "  {:>4}×  {how} {}", o.times, o.id)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
