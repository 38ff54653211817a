//! `sk-bench-recall`: the recall benchmark. Runs 100 fixed queries and the briefing tasks
//! as separate release `sk` processes against a database built from the generated corpus
//! and prints median and p99, graded against the targets.
//!
//! `sk-bench-recall --sk target/release/sk --corpus /tmp/skb/corpus-1g [--db DB]`
//!
//! With `--eval-dir` and `--logs` it runs the real-log development set instead (its
//! questions as `sk query`, scored like the set's `score.py`: recall@1, recall@5 and MRR per
//! kind, and the latency of these natural-language questions); `--corpus` then adds a
//! generated corpus to the same database as distractors:
//!
//! `sk-bench-recall --eval-dir ../shared/eval --logs /tmp/sk-devset/logs [--db DB | --home HOME] [--corpus DIR]`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Parser;
use sk_bench::bench::eval::{self, EvalOptions};
use sk_bench::bench::recall::{self, Runner};
use sk_bench::bench::report::{ResultBlock, file_mib, num};

/// Benchmark `sk query` and `sk brief` on a database built from the synthetic corpus.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-recall", version)]
struct Cli {
    /// The sk binary to measure (build it with `cargo build --release -p sk`).
    #[arg(long, default_value = "target/release/sk")]
    sk: PathBuf,
    /// A database already built from the corpus; built into a temporary folder with
    /// `sk index` from --corpus when absent.
    #[arg(long)]
    db: Option<PathBuf>,
    /// The corpus (generate one with `sk-gen-corpus --size 1GB --out DIR`). With --eval-dir:
    /// indexed into the same database as the logs, as distractors.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Rounds over the query set (each query runs once per round).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Evaluate on real logs instead: the development set's folder (dev-queries.tsv,
    /// layout.py), e.g. ../shared/eval. Needs --logs.
    #[arg(long, requires = "logs")]
    eval_dir: Option<PathBuf>,
    /// With --eval-dir: the fetched logs (claude/*.jsonl, codex/*.jsonl), kept outside the
    /// repository.
    #[arg(long, requires = "eval_dir")]
    logs: Option<PathBuf>,
    /// With --eval-dir: a HOME with the logs already laid out (layout.py); laid out into a
    /// temporary folder when absent.
    #[arg(long, requires = "eval_dir")]
    home: Option<PathBuf>,
    /// With --eval-dir: an extra `sk query` argument (repeatable), e.g. --sk-arg=--kind
    /// --sk-arg=session.
    #[arg(long = "sk-arg", allow_hyphen_values = true, requires = "eval_dir")]
    sk_args: Vec<String>,
    /// With --eval-dir: keep the temporary home and database and print where they are.
    #[arg(long, requires = "eval_dir")]
    keep: bool,
    /// Runs of each briefing task.
    #[arg(long, default_value_t = 3)]
    brief_runs: usize,
    /// Print every query's time (last round) to stderr, slowest first: what to work on.
    /// With --eval-dir: every question's rank and time, in the set's order.
    #[arg(long)]
    each: bool,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark recall: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    let sk = sk_bench::bench::sk_binary(&cli.sk)?;
    if let (Some(eval_dir), Some(logs)) = (&cli.eval_dir, &cli.logs) {
        let (block, pass) = eval::evaluate(&EvalOptions {
            sk,
            eval_dir: eval_dir.clone(),
            logs: logs.clone(),
            home: cli.home.clone(),
            db: cli.db.clone(),
            corpus: cli.corpus.clone(),
            sk_args: cli.sk_args.clone(),
            rounds: cli.rounds,
            each: cli.each,
            keep: cli.keep,
        })?;
        print!("{block}");
        if !pass {
            eprintln!("some targets were missed (see target_* lines)");
        }
        return Ok(());
    }
    let work = tempfile_dir()?;
    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    let (db, built) = match (&cli.db, &cli.corpus) {
        (Some(db), _) => (std::path::absolute(db)?, None),
        (None, Some(corpus)) => {
            let db = work.join("knowledge.db");
            eprintln!("building the database from {} …", corpus.display());
            let took = recall::build_db(&sk, corpus, &db)?;
            (db, Some(took))
        }
        (None, None) => bail!("give --db (a database built from the corpus) or --corpus"),
    };
    let runner = Runner {
        sk,
        db: db.clone(),
        home,
    };
    let queries = recall::queries();
    // Warm the page cache the way a machine in use has it warm.
    for q in queries.iter().take(5) {
        runner.time(&q.args())?;
    }
    let mut query_times = Vec::new();
    for _ in 0..cli.rounds {
        for q in &queries {
            query_times.push(runner.time(&q.args())?);
        }
    }
    if cli.each {
        let last = &query_times[query_times.len() - queries.len()..];
        let mut each: Vec<_> = queries.iter().zip(last).collect();
        each.sort_by(|a, b| b.1.cmp(a.1));
        for (q, t) in each {
            eprintln!("{:8.1} ms  {}", t.as_secs_f64() * 1000.0, q.args()[1..].join(" "));
        }
    }
    let mut brief_times = Vec::new();
    for _ in 0..cli.brief_runs {
        for t in recall::brief_tasks() {
            brief_times.push(runner.time(&["brief".to_string(), (*t).to_string()])?);
        }
    }
    let mut block = ResultBlock::new("sk-bench-recall results");
    block.push("sk", runner.sk.display());
    block.push("db", db.display());
    block.push("db_mib", num(file_mib(&db)));
    if let Some(t) = built {
        block.push("db_build_s", num(t.as_secs_f64()));
    }
    block.push("load_avg_before", sk_bench::bench::load_average());
    block.push("queries", query_times.len());
    block.push("query_mean_ms", num(mean_ms(&query_times)));
    let q50 = recall::quantile_ms(&query_times, 0.5);
    let q99 = recall::quantile_ms(&query_times, 0.99);
    block.push("query_median_ms", num(q50));
    block.push("query_p90_ms", num(recall::quantile_ms(&query_times, 0.9)));
    block.push("query_p99_ms", num(q99));
    block.push("query_max_ms", num(recall::quantile_ms(&query_times, 1.0)));
    block.push("briefs", brief_times.len());
    let b50 = recall::quantile_ms(&brief_times, 0.5);
    block.push("brief_median_ms", num(b50));
    block.push("brief_max_ms", num(recall::quantile_ms(&brief_times, 1.0)));
    let mut pass = block.grade(&recall::QUERY_MEDIAN_MS, q50);
    pass &= block.grade(&recall::QUERY_P99_MS, q99);
    pass &= block.grade(&recall::BRIEF_MEDIAN_MS, b50);
    print!("{block}");
    if !pass {
        eprintln!("some targets were missed (see target_* lines)");
    }
    Ok(())
}

fn mean_ms(s: &[Duration]) -> f64 {
    s.iter().map(|d| d.as_secs_f64() * 1000.0).sum::<f64>() / s.len().max(1) as f64
}

/// A fresh folder for the benchmark's home (and database when built here).
fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("sk-bench-recall-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
