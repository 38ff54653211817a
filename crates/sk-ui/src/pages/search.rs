//! Search: one box, the CLI's ranking, facets, highlighted snippets, the query in the URL.
//! The results are a list the keyboard can walk (`app.js`: `j`/`k` or the arrows, Enter
//! opens, `/` returns to the box).

use std::sync::Arc;

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use sk_core::{Agent, Category};
use sk_index::usage;
use sk_query::{HitKind, Kind, RankParams, Request, Results};
use sk_store::search::Filters;

use super::{agent, category, point};
use crate::app::{App, PageError};
use crate::html::{self, layout};

const LIMIT: usize = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    q: String,
    kind: String,
    agent: String,
    repo: String,
    category: String,
    since: String,
    until: String,
    /// `all`: knowledge under the quality floor too.
    quality: String,
}

fn kind(text: &str) -> Result<Kind, PageError> {
    match text {
        "" | "all" => Ok(Kind::All),
        "knowledge" => Ok(Kind::Knowledge),
        "session" => Ok(Kind::Session),
        other => Err(PageError::BadRequest(format!("no such kind: `{other}`"))),
    }
}

pub async fn page(State(app): State<Arc<App>>, Query(p): Query<Params>) -> Result<Markup, PageError> {
    let now = sk_core::time::now_ms();
    let request = Request {
        text: p.q.clone(),
        kind: kind(&p.kind)?,
        category: category(&p.category)?,
        filters: Filters {
            agent: agent(&p.agent)?.map(|a| a.as_str().to_string()),
            repo: Some(p.repo.trim().to_string()).filter(|r| !r.is_empty()),
            since: point("since", &p.since, now)?,
            until: point("until", &p.until, now)?,
            min_confidence: (p.quality != "all").then_some(sk_core::knowledge::SHOWN_MIN_CONFIDENCE),
            ..Filters::default()
        },
        limit: LIMIT,
        current_repo: None,
        params: RankParams::default(),
        now,
    };
    let searching = !p.q.trim().is_empty() || request.category.is_some();
    let results = if searching {
        let started = std::time::Instant::now();
        let results = app.read(|conn| Ok(sk_query::search(conn, &request)?))?;
        let shown: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
        // In the recall telemetry beside the CLI's queries (which searches find nothing).
        usage::record(
            usage::Sink::Spool(&app.paths.db),
            &usage::Use {
                surface: "ui",
                query: Some(&p.q),
                selected: &shown,
                output_bytes: 0,
                started,
            },
        );
        Some(results)
    } else {
        None
    };
    let title = if p.q.trim().is_empty() {
        "Search".to_string()
    } else {
        p.q.clone()
    };
    Ok(layout(
        &title,
        "/",
        html! {
            (form(&p))
            @if let Some(r) = &results { (hits(r)) }
            @else {
                p.hint { "Search every session and what was learned in them. Keys: "
                    kbd { "/" } " search box, " kbd { "j" } " / " kbd { "k" } " next / previous result, "
                    kbd { "Enter" } " open." }
            }
        },
    ))
}

fn select(name: &str, label: &str, current: &str, options: &[(&str, &str)]) -> Markup {
    html! {
        label {
            (label)
            select name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[*value == current] { (text) }
                }
            }
        }
    }
}

fn form(p: &Params) -> Markup {
    let agents: Vec<(&str, &str)> = std::iter::once(("", "any agent"))
        .chain(Agent::ALL.iter().map(|a| (a.as_str(), a.as_str())))
        .collect();
    let categories: Vec<(&str, &str)> = std::iter::once(("", "any category"))
        .chain(Category::ALL.iter().map(|c| (c.as_str(), c.as_str())))
        .collect();
    html! {
        form.search method="get" action="/" role="search" {
            input #q type="search" name="q" value=(p.q) placeholder="what do you remember?" autofocus[p.q.is_empty()]
                aria-label="Search";
            button type="submit" { "Search" }
            details.facets open[!(p.kind.is_empty() && p.agent.is_empty() && p.repo.is_empty()
                && p.category.is_empty() && p.since.is_empty() && p.until.is_empty())] {
                summary { "Filters" }
                (select("kind", "Kind", &p.kind, &[("", "sessions and knowledge"), ("session", "sessions"), ("knowledge", "knowledge")]))
                (select("agent", "Agent", &p.agent, &agents))
                (select("category", "Category", &p.category, &categories))
                label { "Repository" input type="text" name="repo" value=(p.repo) placeholder="owner/name"; }
                label { "Since" input type="text" name="since" value=(p.since) placeholder="2026-01-31 or 30d"; }
                label { "Until" input type="text" name="until" value=(p.until) placeholder="YYYY-MM-DD"; }
                (select("quality", "Knowledge", &p.quality, &[("", "above the quality floor"), ("all", "all, even below it")]))
            }
        }
    }
}

fn hits(r: &Results) -> Markup {
    html! {
        p.summary {
            @if r.hits.is_empty() { "Nothing matched." }
            @else {
                (r.hits.len()) " result" @if r.hits.len() != 1 { "s" }
                @if r.relaxed { " — no hit has every word; these have some of them" }
            }
        }
        ol.hits #results {
            @for hit in &r.hits {
                li.hit {
                    @let href = match hit.kind {
                        // At the matching step, not the session's start.
                        HitKind::Session => match hit.record {
                            Some(r) => format!("{}?at={r}", html::session_href(&hit.id)),
                            None => html::session_href(&hit.id),
                        },
                        HitKind::Knowledge => format!("/knowledge/{}", html::encode(&hit.id)),
                    };
                    a.title href=(href) {
                        span.badge.(kind_class(hit.kind)) { (kind_label(hit.kind)) " · " (hit.category) }
                        " " (hit.title)
                    }
                    div.meta {
                        (html::when(hit.date))
                        @if let Some(a) = &hit.agent { " · " span.agent { (a) } }
                        @if let Some(repo) = &hit.repo { " · " (repo) }
                        @if let Some(c) = hit.confidence { " · confidence " (format!("{c:.2}")) }
                        @if let Some(n) = hit.occurrences { " · seen " (n) "×" }
                    }
                    @if !hit.snippet.is_empty() { p.snippet { (html::snippet(&hit.snippet)) } }
                    @if !hit.sessions.is_empty() {
                        div.learned { "learned in: "
                            @for s in hit.sessions.iter().take(3) { a href=(html::session_href(s)) { (s) } " " }
                        }
                    }
                }
            }
        }
    }
}

fn kind_class(k: HitKind) -> &'static str {
    match k {
        HitKind::Session => "session",
        HitKind::Knowledge => "knowledge",
    }
}

fn kind_label(k: HitKind) -> &'static str {
    match k {
        HitKind::Session => "session",
        HitKind::Knowledge => "knowledge",
    }
}
