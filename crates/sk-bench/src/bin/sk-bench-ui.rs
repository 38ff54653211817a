//! `sk-bench-ui`: server time per page of `sk ui` on a large history, and the weight of
//! the first page load. One server answers, over loopback: the recall benchmark's queries
//! as searches, session lists (each sort, later pages), the session pages the lists link
//! to, knowledge lists and entries, insights and health. The time graded is the server's
//! own (`Server-Timing`), the median over every page; wall times are printed beside it.
//!
//! `sk-bench-ui --sk target/release/sk --db DB` (a database built from the 1 GB corpus,
//! e.g. the one `sk-bench-recall --keep` leaves) or `--corpus DIR` to build one.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Parser;
use sk_bench::bench::recall::{self, quantile_ms};
use sk_bench::bench::report::{ResultBlock, file_mib, num};
use sk_bench::bench::ui::{self, Page, Server};

/// Benchmark `sk ui`'s pages on a database built from the synthetic corpus.
#[derive(Debug, Parser)]
#[command(name = "sk-bench-ui", version)]
struct Cli {
    #[command(flatten)]
    target: sk_bench::bench::ServerTarget,
    /// Rounds over the page set.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("benchmark ui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every page of one round, by kind.
fn page_set(server: &Server) -> Result<Vec<(&'static str, String)>> {
    let mut pages: Vec<(&'static str, String)> = Vec::new();
    for q in recall::queries() {
        pages.push(("search", format!("/?q={}", ui::encode(&q.words.join(" ")))));
    }
    for sort in ["", "prompts", "tool-calls", "failures", "longest"] {
        pages.push(("sessions", format!("/sessions?sort={sort}")));
        pages.push(("sessions", format!("/sessions?sort={sort}&page=5")));
    }
    for (i, link) in first_links(server, "/sessions?sort=tool-calls", "/session/", 20)?
        .into_iter()
        .enumerate()
    {
        // The longest sessions' later pages too: paging must not read the whole session.
        if i < 5 {
            pages.push(("session", format!("{link}?from=400")));
        }
        pages.push(("session", link));
    }
    for quality in ["", "below", "all"] {
        pages.push(("knowledge", format!("/knowledge?quality={quality}")));
    }
    for link in first_links(server, "/knowledge?quality=all", "/knowledge/", 20)? {
        pages.push(("entry", link));
    }
    for days in [30, 90, 365] {
        pages.push(("insights", format!("/insights?days={days}")));
    }
    pages.push(("health", "/health".into()));
    Ok(pages)
}

fn first_links(server: &Server, page: &str, prefix: &str, n: usize) -> Result<Vec<String>> {
    let got = server.get(page)?;
    if got.status != 200 {
        bail!("{page} answered {}", got.status);
    }
    let mut links = ui::links(&got.body, prefix);
    links.dedup();
    links.truncate(n);
    Ok(links)
}

fn run(cli: &Cli) -> Result<()> {
    let sk = sk_bench::bench::sk_binary(&cli.target.sk)?;
    let work = std::env::temp_dir().join(format!("sk-bench-ui-{}", std::process::id()));
    let home = work.join("home");
    std::fs::create_dir_all(&home)?;
    let db = sk_bench::bench::database(&sk, cli.target.db.as_deref(), cli.target.corpus.as_deref(), &work)?;
    let server = Server::start(&sk, &home, &db)?;
    // The first load: the page and every asset it names.
    let first = server.get("/")?;
    let mut first_bytes = first.body.len();
    for asset in ["/assets/app.css", "/assets/app.js", "/assets/icon.svg"] {
        first_bytes += server.get(asset)?.body.len();
    }
    let pages = page_set(&server)?;
    let mut timed: Vec<(&'static str, Page)> = Vec::new();
    for _ in 0..cli.rounds {
        for (kind, path) in &pages {
            let page = server.get(path)?;
            if page.status != 200 {
                bail!("{path} answered {}", page.status);
            }
            timed.push((kind, page));
        }
    }
    drop(server);

    let server_time = |kind: Option<&str>| -> Vec<Duration> {
        timed
            .iter()
            .filter(|(k, _)| kind.is_none_or(|want| *k == want))
            .filter_map(|(_, p)| p.server_ms)
            .map(|ms| Duration::from_secs_f64(ms / 1000.0))
            .collect()
    };
    let wall: Vec<Duration> = timed.iter().map(|(_, p)| p.wall).collect();
    let mut block = ResultBlock::new("sk-bench-ui results");
    block.push("sk", sk.display());
    block.push("db", db.display());
    block.push("db_mib", num(file_mib(&db)));
    block.push("load_avg_before", sk_bench::bench::load_average());
    block.push("pages", timed.len());
    for kind in [
        "search",
        "sessions",
        "session",
        "knowledge",
        "entry",
        "insights",
        "health",
    ] {
        let t = server_time(Some(kind));
        block.push(format!("{kind}_server_median_ms"), num(quantile_ms(&t, 0.5)));
        block.push(format!("{kind}_server_p99_ms"), num(quantile_ms(&t, 0.99)));
    }
    let all = server_time(None);
    let median = quantile_ms(&all, 0.5);
    block.push("page_wall_median_ms", num(quantile_ms(&wall, 0.5)));
    block.push("page_server_p99_ms", num(quantile_ms(&all, 0.99)));
    let kib = first_bytes as f64 / 1024.0;
    let mut pass = block.grade(&ui::PAGE_MEDIAN_MS, median);
    pass &= block.grade(&ui::FIRST_LOAD_KIB, kib);
    print!("{block}");
    if !pass {
        eprintln!("some targets were missed (see target_* lines)");
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
