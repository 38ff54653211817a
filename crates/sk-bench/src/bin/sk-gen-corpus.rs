//! `sk-gen-corpus`: writes a synthetic home directory full of agent session logs for
//! ingest benchmarks (`sk-gen-corpus --out /tmp/corpus --size 1GB`).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Parser;
use sk_bench::corpus::{self, Agent, Options};

/// Generate a reproducible synthetic corpus of Copilot CLI, Claude Code and Codex CLI logs.
#[derive(Debug, Parser)]
#[command(name = "sk-gen-corpus", version)]
struct Cli {
    /// Directory to write into, laid out like a home directory (.copilot, .claude, .codex).
    #[arg(long)]
    out: PathBuf,
    /// Approximate total size, split evenly across the agents (e.g. 10MB, 1GB).
    #[arg(long, default_value = "1GB")]
    size: String,
    /// RNG seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = corpus::DEFAULT_SEED)]
    seed: u64,
    /// Comma-separated agents to generate.
    #[arg(long, default_value = "copilot,claude,codex", value_delimiter = ',')]
    agents: Vec<String>,
    /// Fraction of session files written with one kind of damage.
    #[arg(long, default_value_t = 0.01)]
    damage_rate: f64,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let mut agents = Vec::new();
    for name in &cli.agents {
        match name.trim().parse::<Agent>().ok() {
            Some(a) if !agents.contains(&a) => agents.push(a),
            Some(_) => {}
            None => bail!("unknown agent {name:?} (expected copilot, claude or codex)"),
        }
    }
    if !(0.0..=1.0).contains(&cli.damage_rate) {
        bail!("--damage-rate must be between 0 and 1");
    }
    let opts = Options {
        total_bytes: corpus::parse_size(&cli.size)?,
        seed: cli.seed,
        agents,
        damage_rate: cli.damage_rate,
    };
    let summary = corpus::generate(&cli.out, &opts)?;
    println!("{summary}");
    Ok(())
}
