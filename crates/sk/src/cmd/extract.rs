//! `sk extract`: knowledge from sessions changed since the last extraction.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sk_core::Paths;
use sk_index::extract::{ExtractSummary, extract};
use sk_store::Store;

use crate::cli::ExtractArgs;
use crate::output::Out;

pub fn run(paths: &Paths, args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&paths.db).context("opening the knowledge base")?;
    let _lock =
        sk_store::lock::WriterLock::acquire(&paths.db, "sk extract", std::time::Duration::from_secs(2))?;
    let summary = extract(&store, args.full).context("extracting knowledge")?;
    let mut out = Out::new();
    if args.json {
        out.json(&summary)?;
    } else {
        print_summary(&mut out, &summary)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One line overall, then one per category that changed.
pub fn print_summary(out: &mut Out, s: &ExtractSummary) -> std::io::Result<()> {
    writeln!(
        out,
        "Extracted from {} session(s): {} candidate(s), {} new entr{}, {} merged, {} removed ({} ms)",
        s.sessions,
        s.candidates,
        s.new.values().sum::<u64>(),
        if s.new.values().sum::<u64>() == 1 {
            "y"
        } else {
            "ies"
        },
        s.merged.values().sum::<u64>(),
        s.removed,
        s.elapsed_ms
    )?;
    if s.forgotten > 0 {
        writeln!(
            out,
            "  {} candidate(s) left out: a person forgot that knowledge (`sk knowledge forget`)",
            s.forgotten
        )?;
    }
    for c in sk_core::Category::ALL {
        let new = s.new.get(c.as_str()).copied().unwrap_or(0);
        let merged = s.merged.get(c.as_str()).copied().unwrap_or(0);
        if new + merged > 0 {
            writeln!(out, "  {:<10} {new} new, {merged} merged", c.as_str())?;
        }
    }
    Ok(())
}
