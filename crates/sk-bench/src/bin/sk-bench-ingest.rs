//! `sk-bench-ingest`: the ingest benchmark. Runs the release `sk index --json` over a
//! synthetic corpus (generated or reused) and prints a `name: value` result block graded
//! against the performance targets (`--scale` compares peak memory across corpus sizes).
//!
//! `sk-bench-ingest --sk target/release/sk --size 1GB [--corpus DIR] [--keep]`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Parser;
use sk_bench::bench::{ingest, scale};
use sk_bench::corpus;

/// Benchmark `sk index` on a synthetic corpus of agent session logs.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-ingest", version)]
struct Cli {
    /// The sk binary to measure (build it with `cargo build --release -p sk`).
    #[arg(long, default_value = "target/release/sk")]
    sk: PathBuf,
    /// Corpus size to generate when no corpus is reused (e.g. 50MB, 1GB; binary units).
    #[arg(long, default_value = "1GB")]
    size: String,
    /// Corpus directory: reused if it already holds logs, else generated into and kept.
    /// Default: a temporary folder, removed at the end unless --keep. With --scale, the
    /// parent of one `corpus-<size>` folder per size.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Generator seed (the same seed gives the same corpus).
    #[arg(long, default_value_t = corpus::DEFAULT_SEED)]
    seed: u64,
    /// Keep the temporary corpus and database.
    #[arg(long)]
    keep: bool,
    /// How many no-change re-indexes to time after the full ingest.
    #[arg(long, default_value_t = 5)]
    repeat_nochange: usize,
    /// Extra argument for `sk index --json` (repeatable), e.g. --sk-arg=--no-extract.
    #[arg(long = "sk-arg", allow_hyphen_values = true)]
    sk_args: Vec<String>,
    /// Instead: ingest corpora of each --scale-sizes size and compare peak memory.
    #[arg(long)]
    scale: bool,
    /// Sizes for --scale, smallest first.
    #[arg(long, default_value = "100MB,400MB", value_delimiter = ',')]
    scale_sizes: Vec<String>,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark ingest: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    if !cli.sk.is_file() {
        bail!(
            "sk index failed: no sk binary at {} (build it with `cargo build --release -p sk`)",
            cli.sk.display()
        );
    }
    // Absolute, because the child runs with the corpus as its working directory.
    let sk = std::path::absolute(&cli.sk)?;
    if cli.scale {
        let mut sizes = Vec::new();
        for s in &cli.scale_sizes {
            sizes.push((s.trim().to_string(), corpus::parse_size(s)?));
        }
        let (table, block) = scale::run(&scale::ScaleConfig {
            sk,
            corpus_root: cli.corpus.clone(),
            sizes,
            seed: cli.seed,
            keep: cli.keep,
            sk_args: cli.sk_args.clone(),
        })?;
        println!("{table}");
        print!("{block}");
    } else {
        let block = ingest::run(&ingest::IngestConfig {
            sk,
            corpus: cli.corpus.clone(),
            total_bytes: corpus::parse_size(&cli.size)?,
            seed: cli.seed,
            keep: cli.keep,
            nochange_runs: cli.repeat_nochange,
            sk_args: cli.sk_args.clone(),
        })?;
        print!("{block}");
    }
    Ok(())
}
