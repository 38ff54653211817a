//! The session list: filters (agent, repository, since), sort (newest, prompts, tool calls,
//! failures, longest) and pages; each row shows title, agent, repository, branch, duration
//! and counts.

use std::sync::Arc;

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use sk_core::Agent;
use sk_store::sessions::{self, ListFilter, ListSort};

use super::{agent, point};
use crate::app::{App, PageError};
use crate::html::{self, layout};

const PER_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    agent: String,
    repo: String,
    since: String,
    sort: String,
    page: usize,
}

/// How each sort is offered in the form.
fn sort_label(sort: ListSort) -> &'static str {
    match sort {
        ListSort::Newest => "newest first",
        ListSort::Prompts => "most prompts",
        ListSort::ToolCalls => "most tool calls",
        ListSort::Failures => "most failures",
        ListSort::Longest => "longest",
    }
}

pub async fn page(State(app): State<Arc<App>>, Query(p): Query<Params>) -> Result<Markup, PageError> {
    let sort = if p.sort.is_empty() {
        ListSort::default()
    } else {
        ListSort::parse(&p.sort)
            .ok_or_else(|| PageError::BadRequest(format!("no such sort: `{}`", p.sort)))?
    };
    let page = super::page_number(p.page);
    let agent = agent(&p.agent)?;
    let repo = p.repo.trim();
    let filter = ListFilter {
        agent: agent.map(Agent::as_str),
        repo: Some(repo).filter(|r| !r.is_empty()),
        since_ms: point("since", &p.since, sk_core::time::now_ms())?,
        limit: PER_PAGE,
        offset: page * PER_PAGE,
        sort,
    };
    let (rows, total) =
        app.read(|conn| Ok((sessions::list(conn, &filter)?, sessions::count(conn, &filter)?)))?;
    let link = |page: usize| {
        let page = page.to_string();
        format!(
            "/sessions{}",
            html::query(&[
                ("agent", &p.agent),
                ("repo", repo),
                ("since", &p.since),
                ("sort", &p.sort),
                ("page", &page)
            ])
        )
    };
    Ok(layout(
        "Sessions",
        "/sessions",
        html! {
            h1 { "Sessions" }
            form.filters method="get" action="/sessions" {
                label { "Agent" select name="agent" {
                    option value="" { "any" }
                    @for a in Agent::ALL { option value=(a.as_str()) selected[p.agent == a.as_str()] { (a.as_str()) } }
                } }
                label { "Repository" input type="text" name="repo" value=(repo) placeholder="owner/name"; }
                label { "Since" input type="text" name="since" value=(p.since) placeholder="2026-01-31 or 30d"; }
                label { "Sort" select name="sort" {
                    @for s in ListSort::ALL { option value=(s.as_str()) selected[s == sort] { (sort_label(s)) } }
                } }
                button type="submit" { "Show" }
            }
            p.summary { (total) " session" @if total != 1 { "s" } }
            table.sessions {
                thead { tr { th { "Title" } th { "Agent" } th { "Repository" } th { "Branch" } th { "Started" }
                    th { "Duration" } th.num { "Prompts" } th.num { "Tool calls" } th.num { "Failures" } } }
                tbody {
                    @for s in &rows {
                        tr {
                            td { a href=(html::session_href(&s.key)) {
                                (s.title.as_deref().or(s.first_prompt.as_deref()).unwrap_or("(untitled session)"))
                            }
                            @if let Some(f) = &s.from { span.origin { " · from " (f) " (sk sync)" } } }
                            td { span.agent { (s.agent) } }
                            td { (s.repo.as_deref().unwrap_or("—")) }
                            td { (s.branch.as_deref().unwrap_or("")) }
                            td { (html::when(s.started_at)) }
                            td { (html::duration(s.started_at, s.ended_at)) }
                            td.num { (s.prompts) }
                            td.num { (s.tool_calls) }
                            td.num { @if s.failures > 0 { span.fail { (s.failures) } } @else { "0" } }
                        }
                    }
                }
            }
            (html::pager(page, total, PER_PAGE, link))
        },
    ))
}
