//! `sk-bench-knowledge`: what `sk index` extracts from the real-log development set, judged
//! by the labels in `crates/sk-bench/eval/` (see `sk_bench::bench::knowledge`): precision
//! (useful / all), useful-or-marginal, noise rate and category accuracy, overall and per
//! category, and the share of the logs' real failure→fix / correction cases captured with
//! their fix — graded against the knowledge-quality targets.
//!
//! `sk-bench-knowledge --eval-dir ../shared/eval --logs /tmp/sk-devset/logs [--db DB | --home HOME]`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use sk_bench::bench::eval::{self, Sk};
use sk_bench::bench::knowledge::{self, Tally};
use sk_bench::bench::report::{Bound, ResultBlock, Target};

/// Judge the knowledge `sk index` extracts from the real-log development set.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-knowledge", version)]
struct Cli {
    /// The sk binary to measure (build it with `cargo build --release -p sk`).
    #[arg(long, default_value = "target/release/sk")]
    sk: PathBuf,
    /// The development set's folder (layout.py), e.g. ../shared/eval.
    #[arg(long)]
    eval_dir: PathBuf,
    /// The fetched logs (claude/*.jsonl, codex/*.jsonl), kept outside the repository.
    #[arg(long)]
    logs: PathBuf,
    /// A HOME with the logs already laid out; laid out into a temporary folder when absent.
    #[arg(long)]
    home: Option<PathBuf>,
    /// A database already indexed from these logs; built with `sk index` when absent.
    #[arg(long)]
    db: Option<PathBuf>,
    /// The entry labels.
    #[arg(long, default_value = "crates/sk-bench/eval/knowledge-labels.tsv")]
    labels: PathBuf,
    /// The logs' failure→fix and correction cases, with what captured them.
    #[arg(long, default_value = "crates/sk-bench/eval/knowledge-cases.tsv")]
    cases: PathBuf,
    /// Print every unlabelled entry (category, key, title) to stderr, to be judged.
    #[arg(long)]
    each: bool,
}

const PRECISION: Target = Target {
    name: "knowledge_precision",
    bound: Bound::AtLeast(0.60),
    unit: "",
    decimals: 3,
};
const NOISE: Target = Target {
    name: "knowledge_noise_rate",
    bound: Bound::AtMost(0.15),
    unit: "",
    decimals: 3,
};
const CATEGORY: Target = Target {
    name: "knowledge_category_accuracy",
    bound: Bound::AtLeast(0.90),
    unit: "",
    decimals: 3,
};
const CASES: Target = Target {
    name: "knowledge_cases_with_fix",
    bound: Bound::AtLeast(0.75),
    unit: "",
    decimals: 3,
};

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("some targets were missed (see target_* lines)");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("benchmark knowledge: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn push_tally(block: &mut ResultBlock, prefix: &str, t: &Tally) {
    block.push(format!("{prefix}_entries"), t.entries);
    block.push(format!("{prefix}_useful"), t.useful);
    block.push(format!("{prefix}_marginal"), t.marginal);
    block.push(format!("{prefix}_noise"), t.noise);
    block.push(format!("{prefix}_precision"), format!("{:.3}", t.precision()));
    block.push(
        format!("{prefix}_useful_or_marginal"),
        format!("{:.3}", t.useful_or_marginal()),
    );
    block.push(format!("{prefix}_category_ok"), t.category_ok);
}

fn run(cli: &Cli) -> Result<bool> {
    let labels = knowledge::parse_labels(
        &std::fs::read_to_string(&cli.labels).with_context(|| format!("reading {}", cli.labels.display()))?,
    )?;
    let cases = knowledge::parse_cases(
        &std::fs::read_to_string(&cli.cases).with_context(|| format!("reading {}", cli.cases.display()))?,
    )?;
    let scratch = tempfile::tempdir().context("creating a scratch folder")?;
    let db = match &cli.db {
        Some(db) => db.clone(),
        None => {
            let home = match &cli.home {
                Some(h) => h.clone(),
                None => {
                    let h = scratch.path().join("home");
                    eprintln!("laying the logs out under {} …", h.display());
                    eval::lay_out(&cli.eval_dir, &cli.logs, &h)?;
                    h
                }
            };
            let db = scratch.path().join("knowledge.db");
            eprintln!("indexing the logs …");
            let sk = Sk {
                // sk runs inside the scratch HOME: a relative path would not resolve there.
                bin: std::fs::canonicalize(&cli.sk)
                    .with_context(|| format!("no sk binary at {}", cli.sk.display()))?,
                home: home.clone(),
                db: db.clone(),
            };
            sk.index(&home)?;
            db
        }
    };
    let entries = knowledge::extracted_entries(&db)?;
    let shown: Vec<knowledge::Entry> = entries.iter().filter(|e| e.shown()).cloned().collect();
    let scores = knowledge::score(&entries, &labels);
    let shown_scores = knowledge::score(&shown, &labels);
    let mut block = ResultBlock::new("sk-bench-knowledge results");
    block.push("db", db.display());
    block.push("entries_extracted", entries.len());
    block.push("entries_unlabelled", scores.unlabelled.len());
    block.push("shown_min_confidence", sk_core::knowledge::SHOWN_MIN_CONFIDENCE);
    // Every entry stored (what `--all-quality` reaches), then what is shown by default.
    push_tally(&mut block, "stored_all", &scores.all);
    push_tally(&mut block, "knowledge_all", &shown_scores.all);
    for (category, t) in &shown_scores.by_category {
        push_tally(&mut block, &format!("knowledge_{category}"), t);
    }
    let (_, stored_with, stored_without, stored_missed) = knowledge::case_capture(&cases, &entries);
    block.push("cases", cases.len());
    block.push("cases_stored_with_fix", stored_with);
    block.push("cases_stored_without_fix", stored_without);
    block.push("cases_stored_missed", stored_missed);
    let (share, with, without, missed) = knowledge::case_capture(&cases, &shown);
    block.push("cases_with_fix", with);
    block.push("cases_without_fix", without);
    block.push("cases_missed", missed);
    // The targets are about what a reader is shown (issue 16: "useful ≥ 60 % of the
    // entries shown by default").
    let mut pass = block.grade(&PRECISION, shown_scores.all.precision());
    pass &= block.grade(&NOISE, shown_scores.all.noise_rate());
    pass &= block.grade(&CATEGORY, shown_scores.all.category_accuracy());
    pass &= block.grade(&CASES, share);
    if !scores.unlabelled.is_empty() {
        block.push(
            "labels_stale",
            "yes: judge the unlabelled entries (--each lists them) before reading the figures",
        );
        pass = false;
    }
    print!("{block}");
    if cli.each {
        for e in &scores.unlabelled {
            eprintln!("unlabelled\t{}\t{}\t{}", e.category, e.key, e.title);
        }
    }
    Ok(pass)
}
