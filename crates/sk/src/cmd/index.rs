//! `sk index`: ingest every agent's logs incrementally, with a progress bar on a terminal
//! and a summary (or `--json`) at the end.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sk_core::Paths;
use sk_index::{IndexOptions, IndexSummary, Progress, SilentProgress};
use sk_store::Store;

use crate::cli::IndexArgs;
use crate::output::{Out, human_bytes};

/// A bar with files, bytes, rate and ETA — only when a person is watching stderr. Before
/// the logs are read it counts the items of the work that comes first.
struct Bar {
    bar: ProgressBar,
    bytes: ProgressStyle,
    items: ProgressStyle,
}

impl Bar {
    fn new() -> anyhow::Result<Bar> {
        let bytes = ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {wide_msg}",
        )
        .context("progress bar template")?;
        let items = ProgressStyle::with_template("{bar:30} {pos}/{len} ETA {eta} {wide_msg}")
            .context("progress bar template")?;
        Ok(Bar {
            bar: ProgressBar::new(0).with_style(bytes.clone()),
            bytes,
            items,
        })
    }
}

impl Progress for Bar {
    fn preparing(&mut self, what: &str, done: u64, total: u64) {
        if self.bar.message() != what {
            self.bar.set_style(self.items.clone());
            self.bar.set_message(what.to_string());
            self.bar.reset();
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
    }
    fn begin(&mut self, _files: u64, bytes: u64) {
        self.bar.set_style(self.bytes.clone());
        self.bar.reset();
        self.bar.set_length(bytes);
    }
    fn advance(&mut self, path: &Path, bytes: u64) {
        self.bar.inc(bytes);
        if let Some(name) = path.file_name() {
            self.bar.set_message(name.to_string_lossy().into_owned());
        }
    }
    fn finish(&mut self) {
        self.bar.finish_and_clear();
    }
}

pub fn run(paths: &Paths, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let first = run_once(paths, args)?;
    let Some(ms) = args.again_after else {
        return Ok(first);
    };
    // An agent may still be writing its log when its end-of-session hook starts us: a
    // second, incremental pass (cheap when nothing changed) takes in what came after.
    std::thread::sleep(std::time::Duration::from_millis(ms.min(MAX_AGAIN_AFTER_MS)));
    if !paths.db.exists() {
        // Removed meanwhile (a scratch home cleaned up): not ours to create again.
        return Ok(first);
    }
    run_once(paths, args)
}

/// The longest `--again-after` wait honoured.
const MAX_AGAIN_AFTER_MS: u64 = 60_000;

fn run_once(paths: &Paths, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&paths.db).context("opening the knowledge base")?;
    let opts = IndexOptions {
        agents: if args.agent.is_empty() {
            sk_core::Agent::ALL.to_vec()
        } else {
            args.agent.clone()
        },
        path: args.path.clone(),
        full: args.full,
        sk_version: crate::cli::version(),
        ..IndexOptions::default()
    };
    if let Some(p) = &opts.path
        && !p.is_dir()
    {
        anyhow::bail!(
            "{} is not a folder: give --path the folder that holds the session logs",
            p.display()
        );
    }
    let summary = if std::io::stderr().is_terminal() && !args.json {
        sk_index::run(&store, paths, &opts, &mut Bar::new()?)
    } else {
        sk_index::run(&store, paths, &opts, &mut SilentProgress)
    }
    .context("indexing")?;

    let extracted = if args.no_extract {
        None
    } else {
        let _lock = sk_store::lock::WriterLock::acquire(&paths.db, "sk index (extracting)", opts.lock_wait)?;
        Some(sk_index::extract::extract(&store, args.full).context("extracting knowledge")?)
    };
    // Entries `sk learn` queued while the database was busy are stored now.
    let flushed = super::learn::flush_after_index(&store, paths, opts.lock_wait)?;
    let merged = merge_search_index(&store, paths, &summary, opts.lock_wait);
    let mut out = Out::new();
    if args.json {
        #[derive(serde::Serialize)]
        struct Both<'a> {
            #[serde(flatten)]
            index: &'a IndexSummary,
            extract: Option<&'a sk_index::extract::ExtractSummary>,
            inbox: Option<&'a sk_index::learn::FlushSummary>,
            search_index_merged: Option<&'a sk_store::fts::Merged>,
        }
        out.json(&Both {
            index: &summary,
            extract: extracted.as_ref(),
            inbox: flushed.as_ref(),
            search_index_merged: merged.as_ref(),
        })?;
    } else {
        print_summary(&mut out, &summary)?;
        if let Some(x) = &extracted {
            super::extract::print_summary(&mut out, x)?;
        }
        if let Some(f) = &flushed {
            super::learn::print_flush(&mut out, f)?;
        }
        if let Some(m) = &merged {
            writeln!(
                out,
                "Search index merged ({} segments into one per index) in {:.2}s",
                m.segments_before,
                m.elapsed_ms as f64 / 1000.0
            )?;
        }
    }
    out.flush()?;
    Ok(report_failures(&summary))
}

/// After a large run, one segment per full-text index (`sk_index::consolidate`): every
/// later query probes fewer. An optimisation only: a failure is reported, not fatal, since
/// the indexing itself is committed.
fn merge_search_index(
    store: &Store,
    paths: &Paths,
    summary: &IndexSummary,
    lock_wait: std::time::Duration,
) -> Option<sk_store::fts::Merged> {
    let merged =
        sk_store::lock::WriterLock::acquire(&paths.db, "sk index (merging the search index)", lock_wait)
            .map_err(anyhow::Error::from)
            .and_then(|_lock| Ok(sk_index::consolidate::after_run(store, summary.bytes_read)?));
    match merged {
        Ok(m) => m,
        Err(e) => {
            eprintln!("warning: the search index was not merged (queries stay correct, only slower): {e:#}");
            None
        }
    }
}

fn print_summary(out: &mut Out, s: &IndexSummary) -> std::io::Result<()> {
    if s.files_seen == 0 {
        return print_nothing_found(out, s);
    }
    writeln!(
        out,
        "Indexed {} of {} files ({} unchanged): {} in {:.2}s ({:.1} MB/s)",
        s.files_read,
        s.files_seen,
        s.files_unchanged,
        human_bytes(s.bytes_read),
        s.elapsed_ms as f64 / 1000.0,
        s.mb_per_s
    )?;
    writeln!(
        out,
        "Sessions: {} new, {} updated; records: {}",
        s.sessions_new, s.sessions_updated, s.records
    )?;
    for (agent, a) in &s.per_agent {
        writeln!(
            out,
            "  {agent:<8} {} files read of {}, {}, {} records",
            a.files_read,
            a.files_seen,
            human_bytes(a.bytes_read),
            a.records
        )?;
    }
    if s.damaged_spans > 0 {
        writeln!(
            out,
            "Skipped {} damaged span(s), {} (see `sk status`)",
            s.damaged_spans,
            human_bytes(s.skipped_bytes)
        )?;
    }
    if let Some(r) = s.rescrubbed.as_ref().filter(|r| r.total() > 0) {
        writeln!(
            out,
            "Redacted {} secret(s) that an older sk had stored (in {} record(s)); backups beside the database still hold them: `sk redact --apply --delete-backups` removes those",
            r.total(),
            r.records + r.session_titles + r.entries + r.telemetry
        )?;
    }
    if s.redactions > 0 {
        let kinds: Vec<String> = s
            .redactions_by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        writeln!(out, "Redacted {} secret(s): {}", s.redactions, kinds.join(", "))?;
    }
    Ok(())
}

/// A first run on a machine without agent logs: where sk looked, what moves those folders,
/// and how to try it on sample logs.
fn print_nothing_found(out: &mut Out, s: &IndexSummary) -> std::io::Result<()> {
    writeln!(out, "No session logs found. Looked in:")?;
    for l in &s.looked_in {
        let state = if l.exists { "" } else { " (does not exist)" };
        let moved = l
            .variable
            .map(|v| format!("  [set {v} to move it]"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:<8} {}{state}{moved}",
            l.agent.as_str(),
            l.path.display()
        )?;
    }
    writeln!(
        out,
        "sk reads the logs that GitHub Copilot CLI, Claude Code and Codex CLI write while they run:\n\
         run one of them, then `sk index` again (or keep `sk watch` running).\n\
         To try sk on sample logs first, use a scratch home so your own stays untouched:\n\
         \x20 export HOME=$(mktemp -d) && mkdir -p $HOME/.claude/projects/demo\n\
         \x20 cp fixtures/corpus/claude/convo.jsonl $HOME/.claude/projects/demo/   # from sk's source tree\n\
         \x20 sk index && sk query \"session\""
    )
}

/// One line per file that failed, and one for those skipped because they failed before,
/// on stderr (stdout stays the summary, or valid JSON). The exit code says the run was
/// partial.
fn report_failures(s: &IndexSummary) -> ExitCode {
    for e in &s.errors {
        eprintln!("sk: could not read {}: {}", e.path, e.error);
    }
    if !s.still_failing.is_empty() {
        eprintln!(
            "sk: {} file(s) skipped: they failed before and have not changed since (`sk status` lists them; `sk index --full` tries them again)",
            s.still_failing.len()
        );
    }
    if s.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::exit::PARTIAL)
    }
}
