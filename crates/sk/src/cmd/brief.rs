//! `sk brief`: what an agent should know before starting a task — past mistakes with their
//! fixes, conventions, decisions, related sessions and mistake-prone files — in a size an
//! agent's context can afford. This module reads the command line and git state and runs
//! hands them to `sk_query::brief`, which searches, ranks, budgets and renders.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use sk_core::Paths;
use sk_query::brief::git::git_state;
use sk_query::brief::{self, Briefing, Context, Found, Limits, TaskSource};
use sk_store::Store;
use sk_store::brief as store;

use crate::cli::BriefArgs;
use crate::exit;
use crate::output::Out;

pub fn run(paths: &Paths, args: &BriefArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let budget = match (&args.budget, args.full) {
        (_, true) => None,
        (Some(text), false) => match brief::parse_budget(text) {
            Ok(n) => Some(n),
            Err(msg) => {
                eprintln!("error: {msg}");
                return Ok(ExitCode::from(exit::USAGE));
            }
        },
        (None, false) => Some(brief::DEFAULT_BUDGET_CHARS),
    };
    let given = args.task.join(" ").trim().to_string();
    let from_git = args.auto || given.is_empty();
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let git = git_state(&cwd);
    if from_git && git.is_none() && given.is_empty() {
        eprintln!(
            "error: {} is not inside a git repository, so there is no task to derive: say what you are about to do\n\n\
             Usage: sk brief [TASK]... [--auto] [--budget N|Nt] [--full] [--json|--xml]",
            cwd.display()
        );
        return Ok(ExitCode::from(exit::FAILURE));
    }
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    let git = git.unwrap_or_default();
    let files: Vec<String> = if from_git { git.files.clone() } else { Vec::new() };
    let (task, task_source) = if from_git {
        let derived = brief::task_from_git(git.branch.as_deref(), &files, &git.subjects);
        match (given.is_empty(), derived.is_empty()) {
            (true, _) => (derived, TaskSource::Git),
            (false, true) => (given, TaskSource::Args),
            (false, false) => (format!("{given}; {derived}"), TaskSource::Git),
        }
    } else {
        (given, TaskSource::Args)
    };
    let repo = git
        .remote
        .as_deref()
        .map(|r| brief::repo_key(r).unwrap_or_else(|| r.to_string()));

    let store = Store::open_for_recall(&paths.db).context("opening the knowledge base")?;
    store.require_latest()?;
    let conn = store.conn();
    let has_data = store::has_data(conn).context("reading the knowledge base")?;
    let ctx = Context {
        task,
        task_source,
        repo,
        files,
        empty: !has_data,
        min_confidence: (!args.all_quality).then_some(sk_core::knowledge::SHOWN_MIN_CONFIDENCE),
        // --auto is what the session-start hook injects: this repository's knowledge only.
        scope: args.auto.then(|| brief::scope_root(&cwd)),
    };
    let limits = if args.full { Limits::FULL } else { Limits::BRIEF };
    let found = if ctx.empty {
        Found::default()
    } else {
        brief::gather(conn, &ctx, limits).context("searching the knowledge base")?
    };
    let ranked = brief::assemble(&ctx, &found, limits);

    let json_render = |b: &Briefing| pretty_json(b);
    let render: &dyn Fn(&Briefing) -> String = if args.json {
        &json_render
    } else if args.xml {
        &brief::render_xml
    } else {
        &brief::render_markdown
    };
    let briefing = brief::fit(&ctx, ranked, budget, render);
    let text = render(&briefing);
    let mut out = Out::new();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let selected: Vec<String> = briefing
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| match &i.id {
            brief::ItemId::Entry(id) => id.to_string(),
            brief::ItemId::Key(k) => k.clone(),
        })
        .collect();
    crate::cmd::telemetry::record(
        &store,
        "brief",
        Some(&briefing.task),
        &selected,
        text.len(),
        started,
    );
    Ok(ExitCode::SUCCESS)
}

/// The JSON text `Out::json` prints (pretty, plus the newline), measured for the budget.
fn pretty_json(b: &Briefing) -> String {
    // Serializing plain structs of strings and numbers cannot fail; an empty string would
    // only make the budget check lenient.
    serde_json::to_string_pretty(b)
        .map(|s| s + "\n")
        .unwrap_or_default()
}
