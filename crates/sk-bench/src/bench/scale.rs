//! The memory-flatness check: ingest corpora of growing size (100 MB and 400 MB by
//! default) into fresh databases and put their peak RSS side by side. Memory that grows
//! with the corpus would show up here long before a user's years of logs hit it.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};

use super::report::Target;
use super::report::{ResultBlock, mib, num};
use super::sk_index::{IndexRun, SkInvocation, db_bytes};
use super::workspace::{CorpusOrigin, FileTally, ScratchDir, prepare_corpus, tally};
use super::{PEAK_RSS_MIB, SCALE_RSS_GROWTH};

#[derive(Clone, Debug)]
pub struct ScaleConfig {
    pub sk: PathBuf,
    /// Corpora go to `<dir>/<size>` (reused when present); default: the scratch folder.
    pub corpus_root: Option<PathBuf>,
    /// (label as given, bytes), smallest first.
    pub sizes: Vec<(String, u64)>,
    pub seed: u64,
    pub keep: bool,
    pub sk_args: Vec<String>,
}

struct Point {
    label: String,
    files: FileTally,
    run: IndexRun,
    db_size: u64,
}

/// Returns a side-by-side table (for people) and the result block (for the record).
pub fn run(cfg: &ScaleConfig) -> Result<(String, ResultBlock)> {
    if cfg.sizes.len() < 2 {
        bail!("--scale needs at least two sizes to compare");
    }
    let scratch = ScratchDir::create("sk-bench-scale", cfg.keep)?;
    let root = cfg
        .corpus_root
        .clone()
        .unwrap_or_else(|| scratch.path().to_path_buf());
    let mut block = ResultBlock::new("sk-bench-ingest --scale results");
    block.push("sk", cfg.sk.display());
    block.push(
        "sk_command",
        format!("sk index --json {}", cfg.sk_args.join(" ")).trim_end(),
    );
    block.push("load_avg_before", super::load_average());
    let mut points = Vec::new();
    let mut graded: Vec<bool> = Vec::new();
    for (label, bytes) in &cfg.sizes {
        let label = label
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let corpus_dir = root.join(format!("corpus-{label}"));
        eprintln!("scale {label}: corpus {}", corpus_dir.display());
        match prepare_corpus(&corpus_dir, *bytes, cfg.seed)? {
            CorpusOrigin::Generated(took) => {
                block.push(format!("scale_{label}_generate_s"), num(took.as_secs_f64()))
            }
            CorpusOrigin::Reused => block.push(format!("scale_{label}_generate_s"), "n/a (reused)"),
        }
        let db_dir = scratch.path().join(format!("db-{label}"));
        fs::create_dir_all(&db_dir).with_context(|| format!("creating {}", db_dir.display()))?;
        let db = db_dir.join("knowledge.db");
        let sk = SkInvocation {
            sk: cfg.sk.clone(),
            home: corpus_dir.clone(),
            db: db.clone(),
            extra_args: cfg.sk_args.clone(),
        };
        let run = sk.index()?;
        eprintln!(
            "scale {label}: {} MiB in {} s",
            num(mib(run.summary.bytes_read)),
            num(run.wall.as_secs_f64())
        );
        points.push(Point {
            label,
            files: tally(&corpus_dir)?,
            run,
            db_size: db_bytes(&db),
        });
    }

    let load_after = super::load_average();
    let mut table = format!(
        "{:<8} {:>10} {:>7} {:>12} {:>13} {:>17} {:>8} {:>8}\n",
        "corpus", "input MiB", "files", "largest MiB", "RSS MiB (sk)", "RSS MiB (process)", "MB/s", "DB MiB"
    );
    for p in &points {
        let s = &p.run.summary;
        let speed = mib(s.bytes_read) / p.run.wall.as_secs_f64().max(1e-9);
        // Writing to a String cannot fail.
        let _ = writeln!(
            table,
            "{:<8} {:>10} {:>7} {:>12} {:>13} {:>17} {:>8} {:>8}",
            p.label,
            num(mib(s.bytes_read)),
            s.files_seen,
            num(mib(p.files.largest)),
            kib_as_mib(s.peak_rss_kib),
            kib_as_mib(p.run.observed_peak_rss_kib),
            num(speed),
            num(mib(p.db_size))
        );
        block.push(format!("scale_{}_input_mib", p.label), num(mib(s.bytes_read)));
        block.push(format!("scale_{}_session_files", p.label), s.files_seen);
        block.push(
            format!("scale_{}_largest_file_mib", p.label),
            num(mib(p.files.largest)),
        );
        block.push(
            format!("scale_{}_peak_rss_mib", p.label),
            kib_as_mib(s.peak_rss_kib),
        );
        block.push(
            format!("scale_{}_peak_rss_process_mib", p.label),
            kib_as_mib(p.run.observed_peak_rss_kib),
        );
        block.push(format!("scale_{}_mb_per_s", p.label), num(speed));
        block.push(format!("scale_{}_db_mib", p.label), num(mib(p.db_size)));
    }

    block.push("load_avg_after", load_after);
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        bail!("no scale points were measured");
    };
    block.push(
        "scale_input_growth",
        format!(
            "{:.2}x",
            ratio(last.run.summary.bytes_read, first.run.summary.bytes_read)
        ),
    );
    // Graded twice: on sk's own figure (end of ingest) and on the whole process.
    let measures = [
        (
            "",
            points
                .iter()
                .map(|p| p.run.summary.peak_rss_kib)
                .collect::<Vec<_>>(),
        ),
        (
            "_process",
            points.iter().map(|p| p.run.observed_peak_rss_kib).collect(),
        ),
    ];
    for (suffix, rss) in measures {
        let (Some(Some(small)), Some(Some(big))) = (rss.first(), rss.last()) else {
            block.push(
                format!("scale_rss{suffix}_growth"),
                "unknown (no peak RSS reported)",
            );
            graded.push(false);
            continue;
        };
        let growth = ratio(*big, *small);
        block.push(format!("scale_rss{suffix}_growth"), format!("{growth:.3}x"));
        let growth_target = Target {
            name: if suffix.is_empty() {
                "scale_rss_growth"
            } else {
                "scale_rss_process_growth"
            },
            ..SCALE_RSS_GROWTH
        };
        graded.push(block.grade(&growth_target, growth));
        let worst = rss.iter().flatten().max().copied().unwrap_or(0);
        let limit_target = Target {
            name: if suffix.is_empty() {
                "scale_peak_rss_mib"
            } else {
                "scale_peak_rss_process_mib"
            },
            ..PEAK_RSS_MIB
        };
        graded.push(block.grade(&limit_target, worst as f64 / 1024.0));
    }
    let passed = graded.iter().filter(|p| **p).count();
    block.push("targets_passed", format!("{passed} of {}", graded.len()));
    if cfg.corpus_root.is_some() || cfg.keep {
        block.push("kept_corpora", root.display());
    }
    if cfg.keep {
        block.push("kept_scratch", scratch.path().display());
    }
    Ok((table, block))
}

fn kib_as_mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".to_string(), |k| num(k as f64 / 1024.0))
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
