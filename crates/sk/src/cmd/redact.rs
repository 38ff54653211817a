//! `sk redact`: scan the stored text for secrets again with this build's detectors, and
//! report (`--scan`) or rewrite (`--apply`) what they find.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use sk_core::Paths;
use sk_store::Store;

use crate::cli::RedactArgs;
use crate::output::Out;

pub fn run(paths: &Paths, args: &RedactArgs) -> anyhow::Result<ExitCode> {
    if !paths.db.exists() {
        bail!(
            "no knowledge base at {}: nothing stored to scan",
            paths.db.display()
        );
    }
    let store = Store::open(&paths.db).context("opening the knowledge base")?;
    let _lock = if args.apply {
        Some(sk_store::lock::WriterLock::acquire(
            &paths.db,
            "sk redact",
            std::time::Duration::from_secs(2),
        )?)
    } else {
        None
    };
    let bar = (std::io::stderr().is_terminal() && !args.json).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_message("scanning stored records");
        bar
    });
    let scrubbed = sk_index::rescrub::run(store.conn(), args.apply, &mut |done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    })
    .context("scanning the stored text")?;
    if args.apply {
        // The sessions whose text changed get their search documents rebuilt.
        if let Some(b) = &bar {
            b.set_message("building search documents");
        }
        sk_store::session_docs::drain(store.conn(), &mut |done, total| {
            if let Some(b) = &bar {
                b.set_length(total);
                b.set_position(done);
            }
        })
        .context("rebuilding the search documents of the sessions changed")?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let backups = sk_store::backup::auto_backups(&paths.db);
    let mut deleted = Vec::new();
    if args.delete_backups {
        for b in &backups {
            std::fs::remove_file(b).with_context(|| format!("deleting {}", b.display()))?;
            deleted.push(b.display().to_string());
        }
    }
    let mut out = Out::new();
    if args.json {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            #[serde(flatten)]
            scrubbed: &'a sk_store::rescrub::Scrubbed,
            secrets: u64,
            detectors_version: u32,
            backups: Vec<String>,
            deleted_backups: Vec<String>,
        }
        out.json(&Report {
            scrubbed: &scrubbed,
            secrets: scrubbed.total(),
            detectors_version: sk_ingest::redact::DETECTORS_VERSION,
            backups: backups.iter().map(|b| b.display().to_string()).collect(),
            deleted_backups: deleted,
        })?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if scrubbed.applied { "Redacted" } else { "Found" };
    let kinds: Vec<String> = scrubbed.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(
        out,
        "{verb} {} secret(s) in {} of {} record(s), {} session title(s), {} knowledge entr(ies), {} telemetry line(s){}",
        scrubbed.total(),
        scrubbed.records,
        scrubbed.records_scanned,
        scrubbed.session_titles,
        scrubbed.entries,
        scrubbed.telemetry,
        if kinds.is_empty() {
            String::new()
        } else {
            format!(": {}", kinds.join(", "))
        }
    )?;
    if !scrubbed.applied && scrubbed.total() > 0 {
        writeln!(out, "Nothing was changed; `sk redact --apply` rewrites them.")?;
    }
    if !deleted.is_empty() {
        writeln!(
            out,
            "Deleted {} backup(s) that still held the old text.",
            deleted.len()
        )?;
    } else if scrubbed.applied && scrubbed.total() > 0 && !backups.is_empty() {
        writeln!(
            out,
            "{} backup(s) beside the database still hold the old text; `sk redact --apply --delete-backups` removes them:",
            backups.len()
        )?;
        for b in &backups {
            writeln!(out, "  {}", b.display())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
