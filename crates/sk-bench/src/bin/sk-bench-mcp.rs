//! `sk-bench-mcp`: latency of `sk mcp`. One warm server answers the recall benchmark's
//! 100 queries as `search` calls and its briefing tasks as `brief` calls (median and p99
//! per call, over the stdio pipe); then the cold start: a new server process to its first
//! `search` answer, repeated. Graded against issue 18's targets.
//!
//! `sk-bench-mcp --sk target/release/sk --corpus /tmp/skb/corpus-1g [--db DB]`

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use serde_json::json;
use sk_bench::bench::mcp::{self, Server};
use sk_bench::bench::recall::{self, quantile_ms};
use sk_bench::bench::report::{ResultBlock, file_mib, num};

/// Benchmark `sk mcp` on a database built from the synthetic corpus.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-mcp", version)]
struct Cli {
    #[command(flatten)]
    target: sk_bench::bench::ServerTarget,
    /// Rounds over the query set on the warm server.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Runs of each briefing task on the warm server.
    #[arg(long, default_value_t = 10)]
    brief_runs: usize,
    /// Cold starts to time.
    #[arg(long, default_value_t = 30)]
    cold_runs: usize,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark mcp: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let sk = sk_bench::bench::sk_binary(&cli.target.sk)?;
    let work = std::env::temp_dir().join(format!("sk-bench-mcp-{}", std::process::id()));
    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    let db = sk_bench::bench::database(&sk, cli.target.db.as_deref(), cli.target.corpus.as_deref(), &work)?;
    // The words of each query as one search text (the CLI's options are left out: the
    // tool's own defaults apply).
    let queries: Vec<String> = recall::queries().iter().map(|q| q.words.join(" ")).collect();

    let mut server = Server::start(&sk, &home, &db)?;
    server.initialize()?;
    for q in queries.iter().take(5) {
        server.call("search", json!({"query": q}))?;
    }
    let mut search = Vec::new();
    for _ in 0..cli.rounds {
        for q in &queries {
            search.push(server.call("search", json!({"query": q}))?);
        }
    }
    let mut brief = Vec::new();
    for _ in 0..cli.brief_runs {
        for t in recall::brief_tasks() {
            brief.push(server.call("brief", json!({"task": t}))?);
        }
    }
    server.stop()?;

    let mut cold = Vec::new();
    for i in 0..cli.cold_runs {
        cold.push(mcp::cold_start(&sk, &home, &db, &queries[i % queries.len()])?);
    }

    let mut block = ResultBlock::new("sk-bench-mcp results");
    block.push("sk", sk.display());
    block.push("db", db.display());
    block.push("db_mib", num(file_mib(&db)));
    block.push("load_avg_before", sk_bench::bench::load_average());
    block.push("search_calls", search.len());
    let s50 = quantile_ms(&search, 0.5);
    block.push("search_median_ms", num(s50));
    block.push("search_p99_ms", num(quantile_ms(&search, 0.99)));
    block.push("brief_calls", brief.len());
    let b50 = quantile_ms(&brief, 0.5);
    block.push("brief_median_ms", num(b50));
    block.push("brief_p99_ms", num(quantile_ms(&brief, 0.99)));
    block.push("cold_starts", cold.len());
    let c50 = quantile_ms(&cold, 0.5);
    block.push("cold_first_answer_median_ms", num(c50));
    block.push("cold_first_answer_p99_ms", num(quantile_ms(&cold, 0.99)));
    let mut pass = block.grade(&mcp::SEARCH_MEDIAN_MS, s50);
    pass &= block.grade(&mcp::BRIEF_MEDIAN_MS, b50);
    pass &= block.grade(&mcp::COLD_MEDIAN_MS, c50);
    print!("{block}");
    if !pass {
        eprintln!("some targets were missed (see target_* lines)");
    }
    if cli.target.db.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}
