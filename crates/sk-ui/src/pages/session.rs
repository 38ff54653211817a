//! One session: its header, the timeline (prompts, answers, each tool call with ✓/✗, its
//! command and its output folded away, compaction summaries, sub-agent steps), the files
//! it touched and the knowledge extracted from it. The timeline is paged so a session of
//! thousands of steps stays fast; every step has an anchor (`#e123`) that deep-links to it.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sk_query::session::{self as view, LookupError, PageRequest, ShownSession};
use sk_store::sessions::{self, TimelineItem};

use crate::app::{App, PageError};
use crate::html::{self, layout};

/// Steps per page.
const PAGE: usize = 200;
/// The furthest step a page may start at (bounds arithmetic on the query's number).
const MAX_FROM: usize = 100_000_000;
/// Characters of each text shown (the rest: `sk session` in a terminal).
const TEXT_CHARS: usize = 4000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    /// The first step shown.
    from: usize,
    /// A record to open the session at (a search hit's): the page holding it, scrolled to it.
    at: Option<i64>,
}

pub async fn page(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    if let Some(record) = p.at {
        return Ok(open_at(&app, &key, record)?.into_response());
    }
    Ok(timeline(&app, &key, &p)?.into_response())
}

/// The page of the session holding `record`, at its step (`?from=…#eN`); the session's
/// start when the record is not one of its own.
fn open_at(app: &App, key: &str, record: i64) -> Result<Redirect, PageError> {
    let found = app.read(|conn| {
        let header = match view::resolve(conn, key) {
            Ok(h) => h,
            Err(LookupError::Query(e)) => return Err(e.into()),
            Err(_) => return Ok(None),
        };
        let at = sessions::timeline_position(conn, &header, record)?;
        Ok(Some((header.key, at)))
    })?;
    let Some((key, at)) = found else {
        return Err(PageError::NotFound(format!("no such session: {key}")));
    };
    let href = html::session_href(&key);
    Ok(Redirect::to(&match at.and_then(|n| usize::try_from(n).ok()) {
        Some(n) => format!("{href}?from={}#e{n}", n / PAGE * PAGE),
        None => href,
    }))
}

fn timeline(app: &App, key: &str, p: &Params) -> Result<Markup, PageError> {
    let request = PageRequest {
        offset: p.from.min(MAX_FROM),
        limit: PAGE,
        budget_chars: None,
    };
    let shown = app.read(|conn| {
        let header = match view::resolve(conn, key) {
            Ok(h) => h,
            Err(LookupError::Query(e)) => return Err(e.into()),
            Err(other) => return Ok(Err(other)),
        };
        Ok(Ok(view::load(conn, header, TEXT_CHARS, Some(request))?))
    })?;
    let shown = shown.map_err(|e| PageError::NotFound(e.to_string()))?;
    let h = &shown.session.header;
    let title = h.title.clone().unwrap_or_else(|| "(untitled session)".into());
    Ok(layout(
        &title,
        "/sessions",
        html! {
            h1 { (title) }
            (header(&shown))
            div.columns {
                section.timeline {
                    @if let Some(d) = &shown.digest {
                        h2 { "Digest" }
                        p { (d.prompts) " prompt(s) · " (d.tool_calls) " tool call(s) · " (d.failures) " failed" }
                        h3 { "Asked (prompts and summaries)" }
                        pre.digest { (d.asked) }
                        h3 { "Did (tool calls and failures)" }
                        pre.digest { (d.did) }
                    }
                    h2 { "Timeline" }
                    (pager(&shown))
                    @for (i, item) in shown.timeline.iter().enumerate() {
                        (step(p.from.min(MAX_FROM) + i, item))
                    }
                    (pager(&shown))
                }
                aside {
                    h2 { "Knowledge from it" }
                    @if shown.knowledge.is_empty() { p.none { "None extracted." } }
                    ul {
                        @for e in &shown.knowledge {
                            li { a href=(format!("/knowledge/{}", e.id)) { span.badge.knowledge { (e.category) } " " (e.title) } }
                        }
                    }
                    h2 { "Files touched" }
                    @if shown.files.is_empty() { p.none { "None recorded." } }
                    ul.files {
                        @for f in shown.files.iter().take(50) { li { code { (f.path) } " " span.count { (f.records) } } }
                    }
                }
            }
        },
    ))
}

fn header(s: &ShownSession) -> Markup {
    let h = &s.session.header;
    html! {
        dl.header {
            dt { "Agent" } dd { span.agent { (h.agent) } @if let Some(m) = &h.model { " · " (m) } }
            dt { "Repository" } dd { (h.repo.as_deref().unwrap_or("—")) @if let Some(b) = &h.branch { " · branch " code { (b) } } }
            dt { "Folder" } dd { code { (h.cwd.as_deref().unwrap_or("—")) } }
            dt { "When" } dd { (html::when(h.started_at)) " · " (html::duration(h.started_at, h.ended_at)) }
            dt { "Id" } dd { code { (h.key) } }
            @if let Some(f) = &h.from {
                dt { "From" } dd { (f) " (sk sync): its logs are on that machine; below is the digest it shared" }
            }
            @if let Some(parent) = &s.session.parent {
                dt { "Started by" } dd { a href=(html::session_href(&parent.key)) { (parent.title.as_deref().unwrap_or(&parent.key)) } }
            }
            @if !s.session.subagents.is_empty() {
                dt { "Sub-agents" } dd {
                    @for c in &s.session.subagents { a href=(html::session_href(&c.key)) { (c.title.as_deref().unwrap_or(&c.key)) } " " }
                }
            }
        }
    }
}

fn pager(s: &ShownSession) -> Markup {
    let Some(page) = s.page else { return html! {} };
    let key = &s.session.header.key;
    let href = |from: usize| format!("{}?from={from}", html::session_href(key));
    html! {
        nav.pager {
            @if s.timeline.is_empty() {
                "no steps here (" (page.total) " in all) " a href=(href(0)) { "to the start" }
            } @else {
                @if page.offset > 0 { a rel="prev" href=(href(page.offset.saturating_sub(page.limit))) { "← earlier" } " " }
                "steps " (page.offset + 1) "–" (page.offset + s.timeline.len()) " of " (page.total)
                @if let Some(next) = page.next_offset { " " a rel="next" href=(href(next)) { "later →" } }
            }
        }
    }
}

fn step(index: usize, item: &TimelineItem) -> Markup {
    let id = format!("e{index}");
    let failed = item.result.as_ref().and_then(|r| r.success) == Some(false) || item.success == Some(false);
    let class = format!(
        "step {}{}{}",
        item.kind.replace('_', "-"),
        if failed { " failed" } else { "" },
        if item.subagent { " subagent" } else { "" }
    );
    html! {
        article class=(class) id=(id) {
            header {
                a.anchor href=(format!("#{id}")) title="link to this step" { "#" (index + 1) }
                " " span.kind { (label(&item.kind)) }
                @if let Some(tool) = &item.tool { " " code.tool { (tool) } }
                @if item.subagent { " " span.badge { "sub-agent" } }
                @if let Some(r) = &item.result {
                    " " (status(r.success))
                } @else if item.kind == "tool_result" {
                    " " (status(item.success))
                }
                span.when { (html::when(item.ts)) }
            }
            @if item.kind == "tool_call" {
                pre.command { (item.text) }
                @if let Some(r) = &item.result {
                    @if !r.text.is_empty() {
                        details.output {
                            summary { @if failed { "error output" } @else { "output" } }
                            pre { (r.text) }
                        }
                    }
                }
            } @else if item.kind == "tool_result" {
                details.output { summary { "output" } pre { (item.text) } }
            } @else {
                div.text { (item.text) }
            }
            @if item.text_chars as usize > item.text.chars().count() {
                p.cut { "(cut: " (item.text_chars) " characters in all)" }
            }
        }
    }
}

fn status(success: Option<bool>) -> Markup {
    match success {
        Some(true) => html! { span.ok title="succeeded" { "✓" } },
        Some(false) => html! { span.fail title="failed" { "✗" } },
        None => html! { span.unknown title="no result recorded" { "?" } },
    }
}

fn label(kind: &str) -> &str {
    match kind {
        "prompt" => "prompt",
        "answer" => "answer",
        "reasoning" => "reasoning",
        "tool_call" => "tool call",
        "tool_result" => "tool result",
        "summary" => "compaction summary",
        "task_summary" => "task summary",
        "error" => "error",
        "note" => "note",
        other => other,
    }
}
