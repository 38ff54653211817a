//! Knowledge: entries by category and quality, each with the sessions it came from, and a
//! person's curation — edit, forget, pin — through the same functions as `sk knowledge`
//! (one transaction under the writer lock; a busy database is reported and nothing is
//! written, so the person can simply try again).

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sk_core::Category;
use sk_core::knowledge::SHOWN_MIN_CONFIDENCE;
use sk_index::learn::curate::{self, CurateError};
use sk_query::entry::{self, Lookup};
use sk_store::knowledge::{self, QualityBand};
use sk_store::{Store, StoreError};

use super::category;
use crate::app::{App, PageError};
use crate::html::{self, layout};

const PER_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    category: String,
    quality: String,
    page: usize,
    /// What the last change did (a fixed word, never echoed).
    done: String,
}

fn band(text: &str) -> Result<QualityBand, PageError> {
    match text {
        "" | "shown" => Ok(QualityBand::Shown),
        "below" => Ok(QualityBand::Below),
        "all" => Ok(QualityBand::All),
        other => Err(PageError::BadRequest(format!("no such quality: `{other}`"))),
    }
}

fn notice(done: &str) -> Markup {
    let text = match done {
        "forgot" => {
            "Forgotten: it is gone from search, briefings and exports, and extraction will not bring it back."
        }
        "edited" => "Saved.",
        "unchanged" => "It already said that; nothing changed.",
        "pinned" => "Pinned: always eligible for briefings.",
        "unpinned" => "No longer pinned.",
        _ => return html! {},
    };
    html! { p.notice role="status" { (text) } }
}

pub async fn list(State(app): State<Arc<App>>, Query(p): Query<ListParams>) -> Result<Markup, PageError> {
    let cat = category(&p.category)?;
    let band = band(&p.quality)?;
    let page = super::page_number(p.page);
    let (entries, total, counts) = app.read(|conn| {
        let (ids, total) = knowledge::page(conn, cat, band, SHOWN_MIN_CONFIDENCE, page * PER_PAGE, PER_PAGE)?;
        // Each entry with its three newest sessions (not `entry::show`: related entries and
        // every session are for one entry's page).
        let mut entries = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = knowledge::get(conn, id)? {
                let sessions = knowledge::sessions_of(conn, id, Some(3))?;
                let from = sk_store::sync::origin(conn, id)?;
                entries.push((e, sessions, from));
            }
        }
        Ok((entries, total, knowledge::counts(conn)?))
    })?;
    let link = |page: usize| {
        let page = page.to_string();
        format!(
            "/knowledge{}",
            html::query(&[
                ("category", &p.category),
                ("quality", &p.quality),
                ("page", &page)
            ])
        )
    };
    Ok(layout(
        "Knowledge",
        "/knowledge",
        html! {
            h1 { "Knowledge" }
            (notice(&p.done))
            nav.tabs {
                a href=(format!("/knowledge{}", html::query(&[("quality", &p.quality)]))) class=[p.category.is_empty().then_some("active")] { "all" }
                @for (c, n) in &counts {
                    a href=(format!("/knowledge{}", html::query(&[("category", c), ("quality", &p.quality)])))
                        class=[(p.category == *c).then_some("active")] { (c) " " span.count { (n) } }
                }
            }
            form.filters method="get" action="/knowledge" {
                input type="hidden" name="category" value=(p.category);
                label { "Quality" select name="quality" {
                    option value="" selected[p.quality.is_empty() || p.quality == "shown"] { (format!("shown (confidence ≥ {SHOWN_MIN_CONFIDENCE}, or pinned)")) }
                    option value="below" selected[p.quality == "below"] { "below the floor (searchable with --all-quality)" }
                    option value="all" selected[p.quality == "all"] { "all" }
                } }
                button type="submit" { "Show" }
            }
            p.summary { (total) " entr" @if total == 1 { "y" } @else { "ies" } }
            ol.entries {
                @for (e, sessions, from) in &entries {
                    li.entry {
                        a.title href=(format!("/knowledge/{}", e.id)) {
                            span.badge.knowledge { (e.category.as_str()) } " " (e.title)
                        }
                        @if e.pinned { " " span.badge.pinned { "pinned" } }
                        div.meta {
                            "#" (e.id) " · confidence " (format!("{:.2}", e.confidence))
                            " · seen " (e.occurrences) "× · last " (html::when(Some(e.last_seen)))
                            @if let Some(r) = &e.repo { " · " (r) }
                            @if let Some(o) = from { " · from " (o.author) " on " (o.replica) " (sk sync)" }
                        }
                        @if !sessions.is_empty() {
                            div.learned { "learned in: "
                                @for s in sessions.iter().take(3) {
                                    a href=(html::session_href(&s.session_key)) { (s.title.as_deref().unwrap_or(&s.session_key)) } " "
                                }
                            }
                        }
                    }
                }
            }
            (html::pager(page, total, PER_PAGE, link))
        },
    ))
}

/// The edit form, filled with `title`, `body` and `category` (the stored text, or what a
/// person submitted when the database was busy: given back, not lost).
fn edit_form(id: i64, csrf: &str, title: &str, body: &str, category: Category) -> Markup {
    html! {
        form method="post" action=(format!("/knowledge/{id}/edit")) {
            input type="hidden" name="csrf" value=(csrf);
            label { "Title" input type="text" name="title" value=(title) required; }
            label { "Category" select name="category" {
                @for c in Category::ALL { option value=(c.as_str()) selected[c == category] { (c.as_str()) } }
            } }
            label { "Body" textarea name="body" rows="8" { (body) } }
            button type="submit" { "Save" }
        }
    }
}

fn entry_id(text: &str) -> Result<i64, PageError> {
    text.parse()
        .map_err(|_| PageError::NotFound(format!("no such entry: `{text}`")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryParams {
    done: String,
}

pub async fn entry(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(p): Query<EntryParams>,
) -> Result<Markup, PageError> {
    let id = entry_id(&id)?;
    let shown = match app.read(|conn| Ok(entry::show(conn, id)?))? {
        Lookup::Found(shown) => shown,
        Lookup::Forgotten(f) => return Err(PageError::NotFound(entry::forgotten_message(&f))),
        Lookup::Missing => return Err(PageError::NotFound(format!("No entry #{id}."))),
    };
    let e = &shown.entry;
    let csrf = app.guard.csrf();
    let action = |verb: &str| format!("/knowledge/{id}/{verb}");
    Ok(layout(
        &e.title,
        "/knowledge",
        html! {
            (notice(&p.done))
            h1 { span.badge.knowledge { (e.category.as_str()) } " " (e.title) }
            div.meta {
                "#" (e.id) " · confidence " (format!("{:.2}", e.confidence)) " · seen " (e.occurrences) "× · first "
                (html::when(Some(e.first_seen))) " · last " (html::when(Some(e.last_seen)))
                @if let Some(r) = &e.repo { " · " (r) }
                @if let Some(o) = &shown.remote { " · from " (o.author) " on " (o.replica) " (sk sync)" }
                @if e.pinned { " · " span.badge.pinned { "pinned" } }
            }
            div.body { (e.body) }
            @if !e.files.is_empty() { p { "Files: " @for f in &e.files { code { (f) } " " } } }
            @if !e.why.is_empty() { p.why { "Why it was kept: " (e.why.join("; ")) } }
            h2 { "Sessions it came from" }
            @if shown.sessions.is_empty() { p.none { "Recorded by hand." } }
            ul {
                @for s in &shown.sessions {
                    li { a href=(html::session_href(&s.session_key)) { (s.title.as_deref().unwrap_or(&s.session_key)) }
                        " · " (html::when(s.started_at)) @if let Some(r) = &s.repo { " · " (r) } }
                }
            }
            @if !shown.related.is_empty() {
                h2 { "Related" }
                ul { @for r in &shown.related { li { a href=(format!("/knowledge/{}", r.id)) { (r.title) } } } }
            }
            h2 { "Curate" }
            div.curate {
                form method="post" action=(action(if e.pinned { "unpin" } else { "pin" })) {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" { @if e.pinned { "Unpin" } @else { "Pin (always eligible for briefings)" } }
                }
                form method="post" action=(action("forget")) {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "Reason (optional)" input type="text" name="reason"; }
                    button.danger type="submit" #forget { "Forget" }
                }
            }
            details.edit {
                summary { "Edit" }
                (edit_form(id, csrf, &e.title, &e.body, e.category))
            }
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgetForm {
    csrf: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    csrf: String,
    title: String,
    body: String,
    category: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PinForm {
    csrf: String,
}

fn check_csrf(app: &App, given: &str) -> Result<(), PageError> {
    if app.guard.csrf_ok(given) {
        Ok(())
    } else {
        Err(PageError::Forbidden(
            "Refused: the form's CSRF token is missing or from another run; reload the page and try again."
                .into(),
        ))
    }
}

/// Runs a change on the read-write store off the server's thread: it may wait for the
/// writer lock (two seconds), and other pages must not wait with it.
async fn change<T: Send + 'static>(
    app: &Arc<App>,
    op: impl FnOnce(&Store) -> Result<T, CurateError> + Send + 'static,
) -> Result<T, PageError> {
    let db = app.paths.db.clone();
    tokio::task::spawn_blocking(move || {
        let store = open_store(&db)?;
        op(&store).map_err(curate_error)
    })
    .await
    .map_err(|e| PageError::Internal(format!("the change stopped: {e}; nothing was changed")))?
}

/// The database a change goes to: it must exist (there is nothing to curate) and have the
/// current schema. Never migrated from here: every page refuses an old schema, and a
/// click must not upgrade the file behind the person's back.
fn open_store(db: &std::path::Path) -> Result<Store, PageError> {
    if !db.exists() {
        return Err(PageError::NoDatabase(format!(
            "no knowledge base yet at {}: run `sk index`",
            db.display()
        )));
    }
    let store = Store::open_unmigrated(db).map_err(store_error)?;
    store.require_latest().map_err(store_error)?;
    Ok(store)
}

fn store_error(s: StoreError) -> PageError {
    if s.is_busy() {
        PageError::Busy(format!(
            "The knowledge base is busy ({s}). Nothing was changed: go back and try again in a moment."
        ))
    } else {
        PageError::Internal(format!("nothing was changed: {s}"))
    }
}

fn curate_error(e: CurateError) -> PageError {
    match e {
        CurateError::NoSuchEntry(_) | CurateError::Forgotten(_) => PageError::NotFound(e.to_string()),
        CurateError::Refused(r) => PageError::BadRequest(r.to_string()),
        CurateError::Store(s) => store_error(s),
    }
}

fn done(to: String) -> Response {
    Redirect::to(&to).into_response()
}

pub async fn forget(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(f): Form<ForgetForm>,
) -> Result<Response, PageError> {
    check_csrf(&app, &f.csrf)?;
    let id = entry_id(&id)?;
    let reason = Some(f.reason).filter(|r| !r.trim().is_empty());
    change(&app, move |store| curate::forget(store, id, reason.as_deref())).await?;
    Ok(done("/knowledge?done=forgot".into()))
}

pub async fn edit(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Result<Response, PageError> {
    check_csrf(&app, &f.csrf)?;
    let id = entry_id(&id)?;
    let request = curate::EditRequest {
        title: Some(f.title.clone()),
        body: Some(f.body.clone()),
        category: category(&f.category)?,
    };
    match change(&app, move |store| curate::edit(store, id, &request)).await {
        Ok(edited) => {
            let word = if edited.changed { "edited" } else { "unchanged" };
            Ok(done(format!("/knowledge/{id}?done={word}")))
        }
        // Busy: the form comes back holding what was typed, to submit again.
        Err(PageError::Busy(message)) => {
            let category = category(&f.category)?.unwrap_or(Category::Mistake);
            let page = layout(
                "Not saved yet",
                "/knowledge",
                html! {
                    h1 { "Not saved yet" }
                    p.message role="alert" { (message) }
                    (edit_form(id, app.guard.csrf(), &f.title, &f.body, category))
                },
            );
            Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn set_pinned(app: Arc<App>, id: String, f: PinForm, pinned: bool) -> Result<Response, PageError> {
    check_csrf(&app, &f.csrf)?;
    let id = entry_id(&id)?;
    change(&app, move |store| curate::set_pinned(store, id, pinned)).await?;
    let word = if pinned { "pinned" } else { "unpinned" };
    Ok(done(format!("/knowledge/{id}?done={word}")))
}

pub async fn pin(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(f): Form<PinForm>,
) -> Result<Response, PageError> {
    set_pinned(app, id, f, true).await
}

pub async fn unpin(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(f): Form<PinForm>,
) -> Result<Response, PageError> {
    set_pinned(app, id, f, false).await
}
