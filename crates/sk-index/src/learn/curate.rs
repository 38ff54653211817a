//! `sk knowledge forget|edit|pin|unpin`: a person correcting what the knowledge base
//! holds. Each change is one transaction under the writer lock, like `sk learn`; a busy
//! database fails the command (exit 3) with nothing written, and the person runs it again
//! — unlike a lesson, a correction is not queued, because it names an entry as it is now.
//! An edit passes the same checks as `sk learn`: its text reaches agents the same way.

use std::time::Duration;

use serde::Serialize;
use sk_core::Category;
use sk_store::curation::{self, Edit, ForgottenEntry};
use sk_store::knowledge;
use sk_store::lock::WriterLock;
use sk_store::write::tx;
use sk_store::{Store, StoreError};

use super::{Refusal, check_body, check_title, scrub, tidy_body, tidy_title};

/// How long a correction waits for another writer before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Why a correction was not made; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum CurateError {
    #[error("no such entry: {0} (ids are printed by `sk query`)")]
    NoSuchEntry(i64),
    #[error(
        "entry {} was forgotten on {}; its text is gone (`sk learn` records it anew)",
        .0.id, sk_core::time::format_ms(.0.forgotten_at)
    )]
    Forgotten(ForgottenEntry),
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `forget` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forgot {
    pub id: i64,
    pub category: Category,
    /// The title it had, for the confirmation; no longer stored anywhere.
    pub title: String,
    pub forgotten_at: i64,
    /// Events whose re-extraction is suppressed, besides the content hash.
    pub evidence: usize,
}

/// Forgets entry `id`: it is deleted, and a tombstone keeps extraction and import from
/// bringing it back. `reason` is kept (secrets redacted) for `sk show`.
pub fn forget(store: &Store, id: i64, reason: Option<&str>) -> Result<Forgot, CurateError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(scrub);
    in_transaction(store, "sk knowledge forget", |conn| {
        let Some(entry) = knowledge::get(conn, id)? else {
            return Ok(Err(missing(conn, id)?));
        };
        let now = sk_core::time::now_ms();
        let Some(tombstone) = curation::forget(conn, id, reason.as_deref(), now)? else {
            return Ok(Err(CurateError::NoSuchEntry(id)));
        };
        Ok(Ok(Forgot {
            id,
            category: entry.category,
            title: entry.title,
            forgotten_at: now,
            evidence: tombstone.evidence.len(),
        }))
    })
}

/// The new text of an edit: each part given replaces the stored one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditRequest {
    pub title: Option<String>,
    pub body: Option<String>,
    pub category: Option<Category>,
}

/// What `edit` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edited {
    pub id: i64,
    pub category: Category,
    pub title: String,
    /// False when the request repeated the stored text (the entry is then left as it was).
    pub changed: bool,
}

/// Rewrites entry `id` with `request`, after `sk learn`'s checks on the parts given. The
/// entry is marked edited, so re-extraction never rewrites or deletes it.
pub fn edit(store: &Store, id: i64, request: &EditRequest) -> Result<Edited, CurateError> {
    let title = request.title.as_deref().map(tidy_title);
    let body = request.body.as_deref().map(tidy_body);
    if let Some(t) = &title {
        check_title(t)?;
    }
    if let Some(b) = &body {
        check_body(b)?;
    }
    in_transaction(store, "sk knowledge edit", |conn| {
        let Some(entry) = knowledge::get(conn, id)? else {
            return Ok(Err(missing(conn, id)?));
        };
        let new = Edit {
            category: request.category.unwrap_or(entry.category),
            title: title.clone().unwrap_or_else(|| entry.title.clone()),
            body: body.clone().unwrap_or_else(|| entry.body.clone()),
        };
        let changed = new.category != entry.category || new.title != entry.title || new.body != entry.body;
        if changed {
            curation::edit(conn, id, &new, sk_core::time::now_ms())?;
        }
        Ok(Ok(Edited {
            id,
            category: new.category,
            title: new.title,
            changed,
        }))
    })
}

/// What `pin`/`unpin` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pinned {
    pub id: i64,
    pub pinned: bool,
    /// False when the entry already was in that state.
    pub changed: bool,
}

/// Pins or unpins entry `id`.
pub fn set_pinned(store: &Store, id: i64, pinned: bool) -> Result<Pinned, CurateError> {
    let command = if pinned {
        "sk knowledge pin"
    } else {
        "sk knowledge unpin"
    };
    in_transaction(store, command, |conn| {
        Ok(match curation::set_pinned(conn, id, pinned)? {
            Some(before) => Ok(Pinned {
                id,
                pinned,
                changed: before != pinned,
            }),
            None => Err(missing(conn, id)?),
        })
    })
}

/// Why `id` names no entry: it was forgotten, or never existed.
fn missing(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<CurateError> {
    Ok(match curation::forgotten_entry(conn, id)? {
        Some(f) => CurateError::Forgotten(f),
        None => CurateError::NoSuchEntry(id),
    })
}

/// Runs `change` in one transaction under the writer lock; commits only when it returns
/// `Ok(Ok(_))`.
fn in_transaction<T>(
    store: &Store,
    command: &str,
    change: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<Result<T, CurateError>>,
) -> Result<T, CurateError> {
    let _lock = WriterLock::acquire(store.path(), command, LOCK_WAIT)?;
    let conn = store.conn();
    let sql = || StoreError::sql(store.path());
    tx::begin(conn).map_err(sql())?;
    match change(conn) {
        Ok(Ok(done)) => {
            tx::commit(conn).map_err(sql())?;
            Ok(done)
        }
        Ok(Err(refused)) => {
            let _ = tx::rollback(conn);
            Err(refused)
        }
        Err(e) => {
            let _ = tx::rollback(conn);
            Err(sql()(e).into())
        }
    }
}
