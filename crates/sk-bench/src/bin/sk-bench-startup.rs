//! `sk-bench-startup`: process start-up latency of `sk` (runbook §6.1, product.md §6).
//! Warm-ups, then timed runs of each case; prints median and p99 per case and grades
//! `sk --version` against its 2 ms target. Exits 1 with "benchmark startup: warmup #N
//! failed" when the binary does not start cleanly; a slow run is only a MISS line.
//!
//! `sk-bench-startup --sk target/release/sk [--runs 200] [--warmup 20] [--case 'ARGS[@STDIN]']…`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sk_bench::bench::startup::{self, Case, StartupConfig};

/// Time how long `sk` takes to start and exit.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-startup", version)]
struct Cli {
    /// The sk binary to measure (build it with `cargo build --release -p sk`).
    #[arg(long, default_value = "target/release/sk")]
    sk: PathBuf,
    /// Timed runs per case.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Untimed runs first (page cache, dynamic loader).
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// A command to time: sk's arguments, optionally `@FILE` to feed FILE on stdin, e.g.
    /// 'hooks run preToolUse@payload.json' (repeatable) [default: --version]
    #[arg(long = "case", value_name = "ARGS[@STDIN]", allow_hyphen_values = true)]
    cases: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !cli.sk.is_file() {
        eprintln!(
            "benchmark startup: no sk binary at {} (build it with `cargo build --release -p sk`)",
            cli.sk.display()
        );
        return ExitCode::FAILURE;
    }
    let home = match tempfile_home() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("benchmark startup: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cases = if cli.cases.is_empty() {
        vec![Case::parse("--version")]
    } else {
        cli.cases.iter().map(|c| Case::parse(c)).collect()
    };
    let cfg = StartupConfig {
        sk: std::path::absolute(&cli.sk).unwrap_or(cli.sk.clone()),
        cases,
        warmup: cli.warmup,
        runs: cli.runs.max(1),
        home: home.clone(),
    };
    let result = startup::run(&cfg);
    let _ = std::fs::remove_dir_all(&home);
    match result {
        Ok(block) => {
            print!("{block}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("benchmark startup: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A scratch HOME, so nothing the benchmark runs can reach the real one.
fn tempfile_home() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("sk-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
