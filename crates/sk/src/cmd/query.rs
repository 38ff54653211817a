//! `sk query`: search knowledge and sessions. Reads the command line into an
//! `sk_query::Request`, runs it, prints the results in the chosen format and size, and
//! logs the use locally (best-effort). Search and ranking live in `sk-query`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use sk_core::Paths;
use sk_query::render::{self, Format};
use sk_query::{Kind, RankParams, Request};
use sk_store::Store;
use sk_store::search::Filters;

use crate::cli::{QueryArgs, QueryKind, QueryPart};
use crate::output::Out;

pub fn run(paths: &Paths, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let text = args.terms.join(" ");
    if text.trim().is_empty() && args.category.is_none() {
        eprintln!(
            "error: give words to search for, or --category to list knowledge\n\nUsage: sk query [TERMS]... [--category C] [--kind all|knowledge|session]"
        );
        return Ok(ExitCode::from(crate::exit::USAGE));
    }
    let budget = match args.budget.as_deref().map(sk_query::brief::parse_budget) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(msg)) => return usage(&msg),
    };
    if !(args.half_life.is_finite() && args.half_life >= 0.0) {
        return usage(&format!(
            "invalid --half-life {}: give days, 0 or more",
            args.half_life
        ));
    }
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let here = sk_query::here::find(&cwd);
    let mut filters = match filters(args) {
        Ok(f) => f,
        Err(e) => return usage(&e.to_string()),
    };
    if args.here {
        let Some(h) = &here else {
            bail!("--here: {} is not inside a git repository", cwd.display());
        };
        filters.here_repo = h.repo.clone();
        filters.here_root = Some(h.root.to_string_lossy().into_owned());
    }
    let mut params = RankParams {
        half_life_days: args.half_life,
        ..RankParams::default()
    };
    if args.half_life == 0.0 {
        params.recency_weight = 0.0;
    }
    let request = Request {
        text: text.clone(),
        kind: match args.kind {
            QueryKind::All => Kind::All,
            QueryKind::Knowledge => Kind::Knowledge,
            QueryKind::Session => Kind::Session,
        },
        category: args.category,
        filters,
        limit: args.limit,
        current_repo: here.and_then(|h| h.repo),
        params,
        now: sk_core::time::now_ms(),
    };
    let store = Store::open_for_recall(&paths.db).context("opening the knowledge base")?;
    // The search reads columns of the latest schema (v6: pinned entries pass the floor).
    store.require_latest()?;
    let mut results = sk_query::search(store.conn(), &request).context("searching the knowledge base")?;
    let format = if args.json {
        Format::Json
    } else if args.compact {
        Format::Compact
    } else {
        Format::Human {
            explain: args.explain,
        }
    };
    let output = render::render(&mut results, format, budget);
    let mut out = Out::new();
    out.write_all(output.as_bytes())?;
    out.flush()?;
    if results.omitted > 0 && format != Format::Json {
        eprintln!(
            "({} more hit(s) left out to stay within the budget)",
            results.omitted
        );
    }
    let selected: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    crate::cmd::telemetry::record(&store, "query", Some(&text), &selected, output.len(), started);
    Ok(ExitCode::SUCCESS)
}

fn usage(msg: &str) -> anyhow::Result<ExitCode> {
    eprintln!("error: {msg}");
    Ok(ExitCode::from(crate::exit::USAGE))
}

/// The command-line filters as the store takes them; a bad time is a usage error.
fn filters(args: &QueryArgs) -> anyhow::Result<Filters> {
    let now = sk_core::time::now_ms();
    let when = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<i64>> {
        v.as_deref()
            .map(|t| {
                sk_core::time::parse_point(t, now).ok_or_else(|| {
                    anyhow::anyhow!("invalid {flag} `{t}`: expected YYYY-MM-DD, an RFC 3339 time, or a duration ago such as 7d")
                })
            })
            .transpose()
    };
    Ok(Filters {
        agent: args.agent.map(|a| a.as_str().to_string()),
        repo: args.repo.clone(),
        session: args.session.clone(),
        file: args.file.clone(),
        module: args.module.clone(),
        task: args.task.clone(),
        since: when("--since", &args.since)?,
        until: when("--until", &args.until)?,
        kinds: match args.within {
            None => Vec::new(),
            Some(QueryPart::Prompt) => vec!["prompt"],
            Some(QueryPart::Answer) => vec!["answer", "reasoning"],
            Some(QueryPart::Tool) => vec!["tool_call", "tool_result"],
            Some(QueryPart::Summary) => vec!["summary", "task_summary"],
        },
        min_confidence: (!args.all_quality).then_some(sk_core::knowledge::SHOWN_MIN_CONFIDENCE),
        ..Filters::default()
    })
}
