//! `sk-bench-hooks`: hook latency with process start, on a knowledge base of 100k entries
//! (product.md §6: `preToolUse` median ≤ 5 ms, p99 ≤ 20 ms). Also times the failure lookup
//! and the session-start briefing, which the issue asks to state.
//!
//! `sk-bench-hooks --sk target/release/sk [--entries 100000] [--runs 300]`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Parser;
use sk_bench::bench::hooks::{self, PRE_TOOL_MEDIAN_MS, PRE_TOOL_P99_MS};
use sk_bench::bench::report::{ResultBlock, median, ms, num};

/// Benchmark `sk hooks run` with process start included.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-hooks", version)]
struct Cli {
    /// The sk binary to measure (build it with `cargo build --release -p sk`).
    #[arg(long, default_value = "target/release/sk")]
    sk: PathBuf,
    /// Knowledge entries in the benchmark database.
    #[arg(long, default_value_t = 100_000)]
    entries: usize,
    /// Timed invocations of the preToolUse case (the one with a target).
    #[arg(long, default_value_t = 300)]
    runs: usize,
    /// Timed invocations of the lookup and briefing cases.
    #[arg(long, default_value_t = 60)]
    slow_runs: usize,
    /// Untimed invocations first (each checked for the expected answer).
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Home folder to use and keep: its database is built once and reused by later runs
    /// (default: a temporary folder, removed at the end).
    #[arg(long)]
    home: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<bool> {
    if !cli.sk.is_file() {
        bail!(
            "benchmark hooks: no sk binary at {} (build it with `cargo build --release -p sk`)",
            cli.sk.display()
        );
    }
    let sk = std::path::absolute(&cli.sk)?;
    let temp = tempfile::Builder::new().prefix("sk-bench-hooks-").tempdir()?;
    let home = match &cli.home {
        Some(h) => std::path::absolute(h)?,
        None => temp.path().to_path_buf(),
    };
    let db = home.join(".copilot/session-state/knowledge.db");
    let build_s = if cli.home.is_some() && db.exists() {
        eprintln!("reusing {}", db.display());
        0.0
    } else {
        eprintln!("building a database of {} entries …", cli.entries);
        hooks::build_db(&db, cli.entries, cli.seed)?
    };
    let repo = hooks::make_repo(&home)?;
    let mut block = ResultBlock::new("sk hooks run (process start included)");
    block.push("entries", cli.entries);
    block.push("db_build_s", num(build_s));
    block.push("db_mib", num(std::fs::metadata(&db)?.len() as f64 / 1048576.0));
    block.push(
        "runs",
        format!("{} preToolUse, {} each other case", cli.runs, cli.slow_runs),
    );
    block.push("load_average", sk_bench::bench::load_average());
    let mut pass = true;
    for case in hooks::cases(&repo) {
        eprintln!("timing {} …", case.name);
        let runs = if case.event == "preToolUse" {
            cli.runs
        } else {
            cli.slow_runs
        };
        let samples = hooks::time_case(&sk, &home, &case, cli.warmup, runs)?;
        let mut key = case.event.to_ascii_lowercase();
        if case.config.is_some() {
            key.push_str("_with_mistake_warn");
        }
        let med = median(&samples).map(ms).unwrap_or(0.0);
        let p99 = ms(hooks::percentile(&samples, 0.99));
        block.push(format!("{key}_median_ms"), format!("{med:.2}"));
        block.push(format!("{key}_p99_ms"), format!("{p99:.2}"));
        block.push(
            format!("{key}_max_ms"),
            format!("{:.2}", ms(hooks::percentile(&samples, 1.0))),
        );
        if case.event == "preToolUse" && case.config.is_none() {
            pass &= block.grade(&PRE_TOOL_MEDIAN_MS, med);
            pass &= block.grade(&PRE_TOOL_P99_MS, p99);
        }
    }
    print!("{block}");
    Ok(pass)
}
