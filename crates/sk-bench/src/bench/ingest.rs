//! The main benchmark: one full ingest into a fresh database, then repeated re-indexes
//! with nothing changed, graded against the throughput, memory, size and no-change
//! targets.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, Result};

use super::report::{ResultBlock, median, mib, ms, num};
use super::sk_index::{IndexRun, SkInvocation, db_bytes};
use super::workspace::{CorpusOrigin, ScratchDir, prepare_corpus, tally};
use super::{
    DB_INPUT_RATIO, INGEST_MB_PER_S, NOCHANGE_MEDIAN_MS, NOCHANGE_MIN_FILES, PEAK_RSS_MIB,
    PEAK_RSS_PROCESS_MIB,
};

/// What to run.
#[derive(Clone, Debug)]
pub struct IngestConfig {
    pub sk: PathBuf,
    /// Reused when it holds logs, else generated into (and never removed).
    pub corpus: Option<PathBuf>,
    pub total_bytes: u64,
    pub seed: u64,
    /// Keep the scratch folder (temp corpus and database) after the run.
    pub keep: bool,
    pub nochange_runs: usize,
    /// Extra arguments for `sk index --json` (e.g. `--no-extract`).
    pub sk_args: Vec<String>,
}

pub fn run(cfg: &IngestConfig) -> Result<ResultBlock> {
    let scratch = ScratchDir::create("sk-bench-ingest", cfg.keep)?;
    let corpus_dir = cfg
        .corpus
        .clone()
        .unwrap_or_else(|| scratch.path().join("corpus"));
    let mut block = ResultBlock::new("sk-bench-ingest results");
    block.push("sk", cfg.sk.display());
    block.push(
        "sk_command",
        format!("sk index --json {}", cfg.sk_args.join(" ")).trim_end(),
    );
    block.push("corpus_dir", corpus_dir.display());

    eprintln!(
        "corpus: {} ({} MiB requested)",
        corpus_dir.display(),
        num(mib(cfg.total_bytes))
    );
    match prepare_corpus(&corpus_dir, cfg.total_bytes, cfg.seed)? {
        CorpusOrigin::Generated(took) => {
            block.push("corpus_origin", format!("generated (seed {})", cfg.seed));
            block.push("generate_s", num(took.as_secs_f64()));
        }
        CorpusOrigin::Reused => {
            block.push("corpus_origin", "reused");
            block.push("generate_s", "n/a");
        }
    }
    let on_disk = tally(&corpus_dir)?;
    block.push("corpus_files", on_disk.files);
    block.push("corpus_mib", num(mib(on_disk.bytes)));

    let db_dir = scratch.path().join("db");
    fs::create_dir_all(&db_dir).with_context(|| format!("creating {}", db_dir.display()))?;
    let db = db_dir.join("knowledge.db");
    let sk = SkInvocation {
        sk: cfg.sk.clone(),
        home: corpus_dir.clone(),
        db: db.clone(),
        extra_args: cfg.sk_args.clone(),
    };

    block.push("load_avg_before", super::load_average());
    eprintln!("full ingest: sk index --json into {}", db.display());
    let full = sk.index()?;
    let db_size = db_bytes(&db);
    eprintln!(
        "full ingest: {} MiB in {} s",
        num(mib(full.summary.bytes_read)),
        num(full.wall.as_secs_f64())
    );
    push_full_ingest(&mut block, &full, db_size);

    let mut nochange: Vec<IndexRun> = Vec::new();
    for i in 1..=cfg.nochange_runs {
        let run = sk.index()?;
        eprintln!(
            "no-change run {i}/{}: {} ms",
            cfg.nochange_runs,
            num(ms(run.wall))
        );
        nochange.push(run);
    }
    push_nochange(&mut block, &nochange);
    block.push("load_avg_after", super::load_average());

    let input = mib(full.summary.bytes_read);
    let mut graded = vec![block.grade(&INGEST_MB_PER_S, input / secs(full.wall))];
    match full.summary.peak_rss_kib {
        Some(kib) => graded.push(block.grade(&PEAK_RSS_MIB, kib as f64 / 1024.0)),
        None => {
            block.push("target_peak_rss_mib", "MISS (sk did not report peak_rss_kib)");
            graded.push(false);
        }
    }
    if let Some(kib) = full.observed_peak_rss_kib {
        graded.push(block.grade(&PEAK_RSS_PROCESS_MIB, kib as f64 / 1024.0));
    }
    graded.push(block.grade(&DB_INPUT_RATIO, ratio(db_size, full.summary.bytes_read)));
    let walls: Vec<Duration> = nochange.iter().map(|r| r.wall).collect();
    if let Some(m) = median(&walls) {
        graded.push(block.grade(&NOCHANGE_MEDIAN_MS, ms(m)));
    }
    let passed = graded.iter().filter(|p| **p).count();
    block.push("targets_passed", format!("{passed} of {}", graded.len()));
    if cfg.keep {
        block.push("kept_scratch", scratch.path().display());
    }
    Ok(block)
}

fn push_full_ingest(block: &mut ResultBlock, full: &IndexRun, db_size: u64) {
    let s = &full.summary;
    let wall = secs(full.wall);
    block.push("session_files", s.files_seen);
    block.push("files_read", s.files_read);
    block.push("input_bytes", s.bytes_read);
    block.push("input_mib", num(mib(s.bytes_read)));
    block.push("ingest_wall_s", format!("{wall:.2}"));
    block.push("ingest_mb_per_s", num(mib(s.bytes_read) / wall));
    // sk's own clock around its ingest phase only (no process start, DB open, extraction).
    let index_s = (s.elapsed_ms as f64 / 1000.0).max(1e-9);
    block.push("index_phase_s", format!("{index_s:.2}"));
    block.push("index_phase_mb_per_s", num(mib(s.bytes_read) / index_s));
    block.push(
        "extract_phase_s",
        s.extract_ms
            .map_or_else(|| "n/a".to_string(), |m| format!("{:.2}", m as f64 / 1000.0)),
    );
    block.push("records", s.records);
    block.push("records_per_s", format!("{:.0}", s.records as f64 / wall));
    block.push("sessions_new", s.sessions_new);
    block.push(
        "peak_rss_mib",
        s.peak_rss_kib
            .map_or_else(|| "unknown".to_string(), |k| num(k as f64 / 1024.0)),
    );
    block.push(
        "peak_rss_process_mib",
        full.observed_peak_rss_kib
            .map_or_else(|| "unknown".to_string(), |k| num(k as f64 / 1024.0)),
    );
    block.push("db_bytes", db_size);
    block.push("db_mib", num(mib(db_size)));
    block.push("db_input_ratio", format!("{:.3}", ratio(db_size, s.bytes_read)));
    block.push("damaged_spans", s.damaged_spans);
    block.push("file_errors", s.file_errors);
}

fn push_nochange(block: &mut ResultBlock, runs: &[IndexRun]) {
    block.push("nochange_runs", runs.len());
    let Some(first) = runs.first() else {
        return;
    };
    let walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    block.push("nochange_session_files", first.summary.files_seen);
    // Anything read here means the incremental plan re-read a file that did not change.
    block.push(
        "nochange_files_read_max",
        runs.iter().map(|r| r.summary.files_read).max().unwrap_or(0),
    );
    if let Some(m) = median(&walls) {
        block.push("nochange_median_ms", num(ms(m)));
    }
    if let Some(max) = walls.iter().max() {
        block.push("nochange_max_ms", num(ms(*max)));
    }
    // sk's own clock: what is left of the wall time is process start, DB open and close.
    let phases: Vec<Duration> = runs
        .iter()
        .map(|r| Duration::from_millis(r.summary.elapsed_ms))
        .collect();
    if let Some(m) = median(&phases) {
        block.push("nochange_index_phase_median_ms", format!("{:.0}", ms(m)));
    }
    let all: Vec<String> = walls.iter().map(|w| format!("{:.0}", ms(*w))).collect();
    block.push("nochange_all_ms", all.join(" "));
    if first.summary.files_seen < NOCHANGE_MIN_FILES {
        block.push(
            "nochange_note",
            format!(
                "only {} session files; the no-change target is stated for >= {NOCHANGE_MIN_FILES}",
                first.summary.files_seen
            ),
        );
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64().max(1e-9)
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
