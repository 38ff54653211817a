//! `sk-bench-sync`: N knowledge entries (100,000 by default) pushed by one replica and
//! pulled by another through a real PostgreSQL server, then a sync with nothing to do.
//! Prints rows per second both ways and the no-change median (target ≤ 100 ms).
//!
//! `sk-bench-sync --sk target/release/sk [--pg-url postgres://postgres@127.0.0.1:5432/postgres]`
//! The URL is a superuser's: the benchmark makes (and drops) its own database and roles.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Parser;
use sk_bench::bench::recall::quantile_ms;
use sk_bench::bench::report::{ResultBlock, file_mib, num};
use sk_bench::bench::sync::{NOCHANGE_SYNC_MEDIAN_MS, Remote, count, default_db, entry_count, run_sk};

/// Benchmark `sk sync` between two replicas on a real PostgreSQL server.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-sync", version)]
struct Cli {
    /// The sk binary to measure (build it with `cargo build --release -p sk`)
    #[arg(long, default_value = "target/release/sk")]
    sk: PathBuf,
    /// A superuser's URL of the PostgreSQL server; the benchmark makes its own database
    #[arg(
        long,
        env = "SK_SYNC_TEST_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_url: String,
    /// Knowledge entries the first replica holds
    #[arg(long, default_value_t = 100_000)]
    entries: usize,
    /// Timed syncs with nothing to do (per replica)
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Also give the first replica this many MiB of generated session logs (indexed, not
    /// timed) and set it up with `--sessions`, so their digests travel with the entries
    #[arg(long, default_value_t = 0)]
    session_mib: u64,
    /// Keep the homes, the database and its roles afterwards (printed), to look into them
    #[arg(long)]
    keep: bool,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("some targets were missed (see target_* lines)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("benchmark sync: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<bool> {
    let sk = sk_bench::bench::sk_binary(&cli.sk)?;
    let work = tempfile::Builder::new().prefix("sk-bench-sync-").tempdir()?;
    let (home_a, home_b) = (work.path().join("a"), work.path().join("b"));
    for home in [&home_a, &home_b] {
        std::fs::create_dir_all(home)?;
    }
    let mut remote = Remote::create(&cli.pg_url)?;
    let url_a = remote.add_user(&sk, work.path(), "alice", "bench")?;
    let url_b = remote.add_user(&sk, work.path(), "bob", "bench")?;

    // The logs first: the generator writes only into an empty home.
    if cli.session_mib > 0 {
        eprintln!(
            "generating and indexing {} MiB of session logs …",
            cli.session_mib
        );
        sk_bench::corpus::generate(
            &home_a,
            &sk_bench::corpus::Options {
                total_bytes: cli.session_mib << 20,
                damage_rate: 0.0,
                ..Default::default()
            },
        )?;
    }
    let db_a = default_db(&home_a);
    if let Some(dir) = db_a.parent() {
        std::fs::create_dir_all(dir)?;
    }
    eprintln!("building a knowledge base of {} entries …", cli.entries);
    let build_s = sk_bench::bench::hooks::build_db(&db_a, cli.entries, 20)?;

    if cli.session_mib > 0 {
        run_sk(&sk, &home_a, &["index"])?;
    }
    // Setting up queues everything already known for the first push.
    let mut setup = vec!["sync", "setup", &url_a, "--team", "bench", "--label", "a"];
    if cli.session_mib > 0 {
        setup.push("--sessions");
    }
    let (_, setup_a) = run_sk(&sk, &home_a, &setup)?;
    run_sk(
        &sk,
        &home_b,
        &["sync", "setup", &url_b, "--team", "bench", "--label", "b"],
    )?;

    eprintln!("pushing from a …");
    let (_, push) = run_sk(&sk, &home_a, &["sync", "push"])?;
    let (changes, remote_bytes) = remote.size()?;
    remote.settle()?;
    eprintln!("pulling into b …");
    let (_, pull) = run_sk(&sk, &home_b, &["sync", "pull"])?;
    let pulled = entry_count(&default_db(&home_b))?;
    let sessions = (
        count(&db_a, "SELECT count(*) FROM sessions")?,
        count(&default_db(&home_b), "SELECT count(*) FROM remote_sessions")?,
    );
    if sessions.1 != if cli.session_mib > 0 { sessions.0 } else { 0 } {
        bail!(
            "b holds {} session digests; a has {} sessions",
            sessions.1,
            sessions.0
        );
    }
    // a's own entries: the generated ones, and what indexing its sessions extracted.
    let pushed = entry_count(&db_a)?;
    if pulled != pushed {
        bail!("b holds {pulled} entries after the pull; a pushed {pushed}");
    }

    // Each replica's first full sync catches up: a reads its own pushed changes back once
    // (skipped, but they move its cursor), b pushes nothing. Timed apart from no-change.
    remote.settle()?;
    let (_, catch_up_a) = run_sk(&sk, &home_a, &["sync"])?;
    let (_, catch_up_b) = run_sk(&sk, &home_b, &["sync"])?;

    let mut nochange: Vec<Duration> = Vec::new();
    for _ in 0..cli.runs {
        for home in [&home_a, &home_b] {
            let (_, took) = run_sk(&sk, home, &["sync"])?;
            nochange.push(took);
        }
    }
    let version = run_sk(&sk, &home_a, &["--version"])?.0;

    // Rows per second: every change the push sent (entries, sightings, digests).
    let rate = |d: Duration| changes as f64 / d.as_secs_f64().max(1e-9);
    let mut block = ResultBlock::new("sk-bench-sync results");
    block.push("sk", format!("{} ({})", sk.display(), version.trim()));
    block.push(
        "remote",
        format!(
            "{} (database {})",
            sk_sync::config::redact(&cli.pg_url),
            remote.db
        ),
    );
    block.push("load_avg_before", sk_bench::bench::load_average());
    block.push("entries", pushed);
    block.push("sessions_a", sessions.0);
    block.push("session_digests_b", sessions.1);
    block.push("build_s", num(build_s));
    block.push("local_db_mib", num(file_mib(&db_a)));
    block.push("setup_queue_s", num(setup_a.as_secs_f64()));
    block.push("push_s", num(push.as_secs_f64()));
    block.push("push_rows_per_s", num(rate(push)));
    block.push("remote_changes", changes);
    block.push("remote_db_mib", num(remote_bytes as f64 / 1_048_576.0));
    block.push("pull_s", num(pull.as_secs_f64()));
    block.push("pull_rows_per_s", num(rate(pull)));
    block.push("first_sync_a_s", num(catch_up_a.as_secs_f64()));
    block.push("first_sync_b_s", num(catch_up_b.as_secs_f64()));
    block.push("nochange_runs", nochange.len());
    block.push("nochange_sync_p99_ms", num(quantile_ms(&nochange, 0.99)));
    block.push("nochange_sync_median_ms", num(quantile_ms(&nochange, 0.5)));
    let pass = block.grade(&NOCHANGE_SYNC_MEDIAN_MS, quantile_ms(&nochange, 0.5));
    print!("{block}");
    if cli.keep {
        let kept = work.keep();
        eprintln!(
            "kept: homes {} and {}, database {} (drop it and the roles skb_{}_* by hand)",
            kept.join("a").display(),
            kept.join("b").display(),
            remote.db,
            std::process::id()
        );
        std::mem::forget(remote);
    }
    Ok(pass)
}
