//! Export and import of knowledge entries: the document `sk knowledge export` writes and
//! `sk knowledge import` reads, so knowledge can move between machines or survive a
//! rebuilt database. Every field of an entry travels, provenance included, and importing
//! an export into an empty database gives back the same entries.
//!
//! Origins are kept as in the file. That is what makes the round trip exact, and it keeps
//! extracted entries tied to their sessions: if those sessions are indexed here later,
//! extraction treats the entries as its own. Entries whose content hash already exists
//! merge into the existing entry (provenance, files and tags added) instead of copying.
//!
//! What people decided travels too (document version 2): pins, edits, who recorded an
//! entry, and the tombstones of forgotten knowledge. A tombstone removes the entries it
//! stands for here and keeps them from coming back; an entry forgotten here is not
//! imported. Version 1 documents (without those fields) still import.

use serde::{Deserialize, Serialize};
use sk_core::Category;
use sk_store::curation::{self, Edit, Tombstone};
use sk_store::knowledge::{self, Draft, Entry, Origin};
use sk_store::write::tx;
use sk_store::{Store, StoreError};

/// Version of the export document this build writes and reads (2: pins, edits, sources
/// and forgotten knowledge; an older sk would silently drop them, so it is told to upgrade).
pub const EXPORT_SCHEMA_VERSION: u32 = 2;

/// What `sk knowledge export --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDocument {
    pub schema_version: u32,
    /// RFC 3339, UTC.
    pub exported_at: String,
    pub entries: Vec<Entry>,
    /// Knowledge people forgot: no text, only what recognises it again.
    #[serde(default)]
    pub forgotten: Vec<Tombstone>,
}

/// Every entry (or one category's), oldest first, and the tombstones of forgotten ones.
pub fn export(store: &Store, category: Option<Category>) -> Result<ExportDocument, StoreError> {
    let conn = store.conn();
    let sql = || StoreError::sql(store.path());
    let mut entries = Vec::new();
    for id in knowledge::ids(conn, category).map_err(sql())? {
        // An entry deleted between the two reads is simply not exported.
        if let Some(entry) = knowledge::get(conn, id).map_err(sql())? {
            entries.push(entry);
        }
    }
    let forgotten = curation::tombstones(conn)
        .map_err(sql())?
        .into_iter()
        .filter(|t| category.is_none_or(|c| c == t.category))
        .collect();
    Ok(ExportDocument {
        schema_version: EXPORT_SCHEMA_VERSION,
        exported_at: sk_core::time::format_ms(sk_core::time::now_ms()),
        entries,
        forgotten,
    })
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Entries added as new.
    pub imported: u64,
    /// Entries merged into an existing entry with the same content hash.
    pub merged: u64,
    /// Tombstones of forgotten knowledge that were new here.
    pub forgotten: u64,
    /// Entries here that those tombstones stand for, now forgotten too.
    pub removed: u64,
    /// Entries of the file not imported because that knowledge was forgotten.
    pub skipped: u64,
}

/// The import was refused or failed; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file has schema_version {0}; this sk reads version {EXPORT_SCHEMA_VERSION} (upgrade sk)")]
    TooNew(u32),
    #[error("entry {index} (\"{title}\") is invalid: {reason}")]
    Invalid {
        index: usize,
        title: String,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports `doc` in one transaction: all entries or none.
pub fn import(store: &Store, doc: &ExportDocument) -> Result<ImportSummary, ImportError> {
    if doc.schema_version > EXPORT_SCHEMA_VERSION {
        return Err(ImportError::TooNew(doc.schema_version));
    }
    let now = sk_core::time::now_ms();
    for (index, entry) in doc.entries.iter().enumerate() {
        // Imported text reaches agents like `sk learn`'s (and may arrive pinned): the same
        // injection guard applies.
        let injection = [&entry.title, &entry.body]
            .into_iter()
            .find_map(|t| super::guard::find_injection(t))
            .map(|what| {
                format!("it reads as an instruction to an agent ({what}); sk learn refuses such text")
            });
        let reason = invalid(entry, now).map(str::to_string).or(injection);
        if let Some(reason) = reason {
            return Err(ImportError::Invalid {
                index,
                title: entry.title.clone(),
                reason,
            });
        }
    }
    if let Some(index) = doc
        .forgotten
        .iter()
        .position(|t| t.content_hash.trim().is_empty())
    {
        return Err(ImportError::Invalid {
            index,
            title: "(forgotten)".into(),
            reason: "content_hash is empty".into(),
        });
    }
    let conn = store.conn();
    let sql = || StoreError::sql(store.path());
    tx::begin(conn).map_err(sql())?;
    let mut summary = ImportSummary::default();
    let written = import_all(conn, doc, &mut summary);
    if let Err(e) = written {
        let _ = tx::rollback(conn);
        return Err(sql()(e).into());
    }
    tx::commit(conn).map_err(sql())?;
    Ok(summary)
}

/// Tombstones first, so that an entry forgotten elsewhere is neither kept nor imported.
fn import_all(
    conn: &rusqlite::Connection,
    doc: &ExportDocument,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    for t in &doc.forgotten {
        // Recorded here again after it was forgotten there (`sk learn` lifts a tombstone):
        // the later decision stands, and an older export must not undo it.
        if curation::recorded_since(conn, &t.content_hash, t.forgotten_at)? {
            continue;
        }
        summary.forgotten += u64::from(curation::add_tombstone(conn, t, None)?);
        for id in curation::matching_entries(conn, t)? {
            curation::forget(conn, id, t.reason.as_deref(), t.forgotten_at)?;
            summary.removed += 1;
        }
    }
    for entry in &doc.entries {
        if curation::suppresses(conn, entry.category, &entry.content_hash, &entry.sources)? {
            summary.skipped += 1;
            continue;
        }
        import_one(conn, entry, summary)?;
    }
    Ok(())
}

/// An edit time this far past the clock is refused: it would win every later merge.
const MAX_CLOCK_SKEW_MS: i64 = 24 * 3600 * 1000;

fn invalid(entry: &Entry, now: i64) -> Option<&'static str> {
    if entry.title.trim().is_empty() {
        Some("the title is empty")
    } else if entry.content_hash.trim().is_empty() {
        Some("content_hash is empty")
    } else if !(0.0..=1.0).contains(&entry.confidence) {
        Some("confidence must be between 0 and 1")
    } else if entry.first_seen > entry.last_seen {
        Some("first_seen is after last_seen")
    } else if entry
        .edited_at
        .is_some_and(|t| t > now.saturating_add(MAX_CLOCK_SKEW_MS))
    {
        Some("edited_at is in the future")
    } else {
        None
    }
}

fn import_one(
    conn: &rusqlite::Connection,
    entry: &Entry,
    summary: &mut ImportSummary,
) -> rusqlite::Result<()> {
    let claimed = source_confidence(entry);
    match knowledge::find_by_hash(conn, &entry.content_hash)? {
        Some(id) => {
            let draft = Draft {
                category: entry.category,
                title: entry.title.clone(),
                body: entry.body.clone(),
                tags: entry.tags.clone(),
                files: entry.files.clone(),
                repo: entry.repo.clone(),
                task: entry.task.clone(),
                origin: entry.origin,
                confidence: claimed,
                content_hash: entry.content_hash.clone(),
                why: entry.why.clone(),
                source: entry.source,
            };
            knowledge::add_occurrence(conn, id, &draft, &entry.sources)?;
            if entry.pinned {
                curation::set_pinned(conn, id, true)?;
            }
            if let Some(at) = entry.edited_at {
                let edit = Edit {
                    category: entry.category,
                    title: entry.title.clone(),
                    body: entry.body.clone(),
                };
                curation::adopt_edit(conn, id, &edit, at)?;
            }
            summary.merged += 1;
        }
        None => {
            knowledge::restore(conn, entry, claimed)?;
            summary.imported += 1;
        }
    }
    Ok(())
}

/// What each provenance row claimed, which the export does not carry. An extracted
/// entry's confidence is its strongest claim plus a bonus per further session, so the
/// bonus is taken off again; that way a later recurrence does not count those sessions
/// twice. Hand-written and imported entries keep their confidence as is.
fn source_confidence(entry: &Entry) -> f64 {
    if entry.origin != Origin::Extracted {
        return entry.confidence;
    }
    let mut sessions: Vec<&str> = entry.sources.iter().map(|s| s.session_key.as_str()).collect();
    sessions.sort_unstable();
    sessions.dedup();
    let further = sessions.len().saturating_sub(1) as f64;
    (entry.confidence - knowledge::RECURRENCE_BONUS * further).clamp(0.0, 1.0)
}
