//! Health: `sk doctor`'s checks (each with the command that fixes it) and `sk status`.

use std::sync::Arc;

use axum::extract::State;
use maud::{Markup, html};
use sk_install::doctor::{self, Level};
use sk_store::Store;
use sk_store::status::DbStatus;

use crate::app::{App, PageError};
use crate::html::{self, layout};

pub async fn page(State(app): State<Arc<App>>) -> Result<Markup, PageError> {
    // The checks read files and run `PRAGMA quick_check` over the whole database (most of a
    // second on a large one): off the server's thread, so other pages are not held up.
    let ctx = app.doctor.clone();
    let db = app.paths.db.clone();
    let (report, status) = tokio::task::spawn_blocking(move || (doctor::run(&ctx), status(&db)))
        .await
        .map_err(|e| PageError::Internal(format!("the checks stopped: {e}")))?;
    Ok(layout(
        "Health",
        "/health",
        html! {
            h1 { "Health" }
            h2 { "Checks (sk doctor)" }
            p.summary { @if report.ok { "No check failed." } @else { "Some checks FAILED: the fix is beside each." } }
            table.doctor {
                thead { tr { th { "Check" } th { "Result" } th { "Detail" } th { "Fix" } } }
                tbody {
                    @for f in &report.findings {
                        tr class=(level_class(f.level)) {
                            td { (f.check) }
                            td { span class=(level_class(f.level)) { (f.level.label()) } }
                            td { (f.detail) }
                            td { @if let Some(fix) = &f.fix { code { (fix) } } }
                        }
                    }
                }
            }
            h2 { "Knowledge base (sk status)" }
            @match &status {
                Err(e) => p.message { (e) },
                Ok(s) => (status_table(s)),
            }
        },
    ))
}

fn status(db: &std::path::Path) -> Result<DbStatus, String> {
    if !db.exists() {
        return Err(format!(
            "no knowledge base yet at {}: run `sk index`",
            db.display()
        ));
    }
    Store::open_readonly(db)
        .and_then(|store| sk_store::status::status(&store))
        .map_err(|e| e.to_string())
}

fn level_class(l: Level) -> &'static str {
    match l {
        Level::Ok => "ok",
        Level::Warn => "warn",
        Level::Fail => "fail",
    }
}

fn status_table(s: &DbStatus) -> Markup {
    html! {
        dl.header {
            dt { "File" } dd { code { (s.path) } " · " (format!("{:.1} MiB", s.bytes as f64 / 1_048_576.0)) }
            dt { "Schema" } dd { "v" (s.schema_version) @if s.schema_version != s.expected_schema_version {
                " (this sk expects v" (s.expected_schema_version) ": run " code { "sk migrate" } ")" } }
            dt { "Last indexed" } dd { (s.last_indexed_at.as_deref().unwrap_or("never")) }
        }
        table {
            thead { tr { th { "Agent" } th.num { "Sessions" } th.num { "Files" } th.num { "Records" } th.num { "Damaged spans" } th.num { "Redactions" } th { "Last ingest" } } }
            tbody {
                @for a in &s.agents {
                    tr { td { span.agent { (a.agent) } } td.num { (a.sessions) } td.num { (a.files) } td.num { (a.records) }
                        td.num { (a.damaged_spans) } td.num { (a.redactions) } td { (a.last_ingest.as_deref().unwrap_or("—")) } }
                }
            }
        }
        details {
            summary { "Rows per table" }
            table { tbody { @for t in &s.tables { tr { td { (t.table) } td.num { (t.rows) } } } } }
        }
        @if !s.failing_files.is_empty() {
            h3 { "Log files that could not be read" }
            table {
                thead { tr { th { "File" } th { "Agent" } th { "Error" } } }
                tbody { @for f in &s.failing_files { tr { td { code { (f.path) } } td { (f.agent) } td { (f.error) } } } }
            }
        }
        p.hint { "Checked " (html::when(Some(sk_core::time::now_ms()))) " UTC." }
    }
}
