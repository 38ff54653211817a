//! Insights: what a person would rather look at than read — sessions and tool failures per
//! day per agent, the most repeated mistakes, the files mistakes keep naming, and the
//! searches that found nothing (recall telemetry) — each chart with its table.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use sk_core::Agent;
use sk_store::insights::{self, DayActivity};

use crate::app::{App, PageError};
use crate::html::{self, layout};
use crate::svg::{self, Layer};

const DAY_MS: i64 = 86_400_000;
const TOP: usize = 10;

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct Params {
    days: i64,
}

impl Default for Params {
    fn default() -> Params {
        Params { days: 90 }
    }
}

pub async fn page(State(app): State<Arc<App>>, Query(p): Query<Params>) -> Result<Markup, PageError> {
    let days = p.days.clamp(7, 3650);
    let now = sk_core::time::now_ms();
    // Whole UTC days, today included.
    let until = (now / DAY_MS + 1) * DAY_MS;
    let since = until - days * DAY_MS;
    let (activity, mistakes, hot, unanswered) = app.read(|conn| {
        Ok((
            insights::activity(conn, since, until)?,
            // Mistakes shown elsewhere only: under the quality floor they are mostly noise.
            insights::repeated_mistakes(conn, sk_core::knowledge::SHOWN_MIN_CONFIDENCE, TOP)?,
            insights::hot_files(conn, TOP)?,
            insights::unanswered_queries(conn, since, TOP)?,
        ))
    })?;
    let labels: Vec<String> = (0..days)
        .map(|d| html::when(Some(since + d * DAY_MS)).chars().take(10).collect())
        .collect();
    let sessions = layers(&labels, &activity, |a| a.sessions);
    let failures = layers(&labels, &activity, |a| a.failures);
    Ok(layout(
        "Insights",
        "/insights",
        html! {
            h1 { "Insights" }
            nav.tabs {
                @for d in [30, 90, 365] {
                    a href=(format!("/insights?days={d}")) class=[(d == days).then_some("active")] { "last " (d) " days" }
                }
            }
            section.insight {
                @if sessions.is_empty() { h2 { "Sessions per day" } p.none { "No session started in this period." } }
                @else {
                    (svg::stacked_days("Sessions per day", &labels, &sessions))
                    (day_table("Sessions", &labels, &sessions))
                }
            }
            section.insight {
                @if failures.is_empty() { h2 { "Failed tool calls per day" } p.none { "No tool call failed in this period." } }
                @else {
                    (svg::stacked_days("Failed tool calls per day", &labels, &failures))
                    (day_table("Failed tool calls", &labels, &failures))
                }
            }
            section.insight {
                h2 { "Most repeated mistakes" }
                @if mistakes.is_empty() { p.none { "No mistakes recorded yet." } } @else {
                    (svg::bars("Times seen", &mistakes.iter().map(|m| (m.title.clone(), m.occurrences)).collect::<Vec<_>>()))
                    table {
                        thead { tr { th { "Mistake" } th.num { "Seen" } th { "Last" } th { "Repository" } } }
                        tbody { @for m in &mistakes { tr {
                            td { a href=(format!("/knowledge/{}", m.id)) { (m.title) } }
                            td.num { (m.occurrences) } td { (html::when(Some(m.last_seen))) } td { (m.repo.as_deref().unwrap_or("—")) }
                        } } }
                    }
                }
            }
            section.insight {
                h2 { "Hot files" }
                @if hot.is_empty() { p.none { "No file is named by a mistake yet." } } @else {
                    (svg::bars("Mistakes naming the file", &hot.iter().map(|h| (h.path.clone(), h.mistakes.max(0) as u64)).collect::<Vec<_>>()))
                    table {
                        thead { tr { th { "File" } th.num { "Mistakes" } } }
                        tbody { @for h in &hot { tr { td { code { (h.path) } } td.num { (h.mistakes) } } } }
                    }
                }
            }
            section.insight {
                h2 { "Searches that found nothing" }
                @if unanswered.is_empty() { p.none { "None in this period (" code { "sk status --recall" } " summarizes every search)." } } @else {
                    table {
                        thead { tr { th { "Query" } th.num { "Times" } th { "Last" } } }
                        tbody { @for q in &unanswered { tr {
                            td { a href=(format!("/{}", html::query(&[("q", &q.query)]))) { (q.query) } }
                            td.num { (q.times) } td { (html::when(Some(q.last_at))) }
                        } } }
                    }
                }
            }
        },
    ))
}

/// One layer per agent with any activity, one value per day label.
fn layers<'a>(
    labels: &[String],
    activity: &[DayActivity],
    value: impl Fn(&DayActivity) -> u64,
) -> Vec<Layer<'a>> {
    let index: BTreeMap<&str, usize> = labels.iter().enumerate().map(|(i, d)| (d.as_str(), i)).collect();
    Agent::ALL
        .iter()
        .map(|agent| {
            let mut values = vec![0; labels.len()];
            for a in activity.iter().filter(|a| a.agent == agent.as_str()) {
                if let Some(&i) = index.get(a.day.as_str()) {
                    values[i] += value(a);
                }
            }
            Layer {
                name: agent.as_str(),
                class: format!("a-{}", agent.as_str()),
                values,
            }
        })
        // An agent with nothing in the period has no colour to explain.
        .filter(|l| l.values.iter().any(|v| *v > 0))
        .collect()
}

fn day_table(what: &str, labels: &[String], layers: &[Layer<'_>]) -> Markup {
    html! {
        details.table {
            summary { "Table" }
            table {
                thead { tr { th { "Day" } @for l in layers { th.num { (l.name) } } } }
                tbody {
                    @for (i, day) in labels.iter().enumerate().rev() {
                        @let row: Vec<u64> = layers.iter().map(|l| l.values.get(i).copied().unwrap_or(0)).collect();
                        @if row.iter().any(|v| *v > 0) {
                            tr { td { (day) } @for v in row { td.num { (v) } } }
                        }
                    }
                }
            }
            p.hint { (what) " on days with any." }
        }
    }
}
