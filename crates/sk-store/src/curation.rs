//! What people do to knowledge after it is recorded (schema v6): forgetting an entry
//! (deleted, with a tombstone so extraction and import never bring it back), editing its
//! text, pinning it for briefings. Forgetting deletes the row rather than hiding it, so
//! every surface that reads `entries` (search, briefings, hooks, export) loses it without
//! a filter of its own; the tombstone keeps only what recognises the same knowledge again:
//! its content hash and the evidence (session and event) it was extracted from.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sk_core::Category;

use crate::knowledge::Seen;

/// The `meta` key holding the largest id a forgotten entry had: new entries are numbered
/// past it (`knowledge::insert`), so an id names one entry for good.
pub const FORGOTTEN_IDS_UPTO: &str = "forgotten_ids_upto";

/// One event an entry was extracted from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    pub session_key: String,
    pub event_id: String,
}

/// What remains of a forgotten entry; also what an export carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub content_hash: String,
    pub category: Category,
    /// Milliseconds since the epoch.
    pub forgotten_at: i64,
    #[serde(default)]
    pub reason: Option<String>,
    /// The provenance rows that named an event (rows without one, such as `sk learn`'s
    /// own, would match any later entry of the same session).
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// Forgets entry `id` inside the caller's transaction: records its tombstone and deletes
/// it (files and provenance cascade). Returns the tombstone, or None when there is no such
/// entry. Forgetting knowledge whose hash was forgotten before merges into that tombstone.
pub fn forget(
    conn: &Connection,
    id: i64,
    reason: Option<&str>,
    at: i64,
) -> rusqlite::Result<Option<Tombstone>> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT content_hash, category FROM entries WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((content_hash, category)) = row else {
        return Ok(None);
    };
    let evidence: Vec<Evidence> = conn
        .prepare_cached(
            "SELECT DISTINCT session_key, event_id FROM entry_sources WHERE entry_id = ?1 AND event_id != ''
             ORDER BY session_key, event_id",
        )?
        .query_map([id], |r| {
            Ok(Evidence {
                session_key: r.get(0)?,
                event_id: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let tombstone = Tombstone {
        content_hash,
        category: category.parse().unwrap_or(Category::Discovery),
        forgotten_at: at,
        reason: reason.map(str::to_string),
        evidence,
    };
    add_tombstone(conn, &tombstone, Some(id))?;
    conn.prepare_cached("DELETE FROM entries WHERE id = ?1")?
        .execute([id])?;
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, CAST(?2 AS TEXT))
         ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), ?2) AS TEXT)",
    )?
    .execute(params![FORGOTTEN_IDS_UPTO, id])?;
    Ok(Some(tombstone))
}

/// Stores `t` (an imported tombstone, or the one `forget` made). An existing tombstone of
/// the same hash keeps the earlier time and gains the evidence. Returns whether it is new.
pub fn add_tombstone(conn: &Connection, t: &Tombstone, entry_id: Option<i64>) -> rusqlite::Result<bool> {
    let existed = conn
        .prepare_cached("SELECT 1 FROM forgotten WHERE content_hash = ?1")?
        .query_row([&t.content_hash], |_| Ok(()))
        .optional()?
        .is_some();
    conn.prepare_cached(
        "INSERT INTO forgotten (content_hash, category, entry_id, forgotten_at, reason) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (content_hash) DO UPDATE SET
             entry_id = coalesce(excluded.entry_id, entry_id),
             forgotten_at = min(forgotten_at, excluded.forgotten_at),
             reason = coalesce(reason, excluded.reason)",
    )?
    .execute(params![
        t.content_hash,
        t.category.as_str(),
        entry_id,
        t.forgotten_at,
        t.reason
    ])?;
    for e in t.evidence.iter().filter(|e| !e.event_id.is_empty()) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO forgotten_evidence (content_hash, session_key, event_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![t.content_hash, e.session_key, e.event_id])?;
    }
    Ok(!existed)
}

/// Whether anything was ever forgotten: extraction skips the per-candidate lookups when
/// nothing was.
pub fn any(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM forgotten)")?
        .query_row([], |r| r.get(0))
}

/// Whether knowledge of `category` with `content_hash`, found in `seen`, was forgotten:
/// the same hash, or the same category extracted from an event a forgotten entry was.
pub fn suppresses(
    conn: &Connection,
    category: Category,
    content_hash: &str,
    seen: &[Seen],
) -> rusqlite::Result<bool> {
    if forgotten_hash(conn, content_hash)?.is_some() {
        return Ok(true);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM forgotten_evidence e JOIN forgotten f ON f.content_hash = e.content_hash
         WHERE e.session_key = ?1 AND e.event_id = ?2 AND f.category = ?3)",
    )?;
    for s in seen.iter().filter(|s| !s.event_id.is_empty()) {
        if stmt.query_row(params![s.session_key, s.event_id, category.as_str()], |r| {
            r.get(0)
        })? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// When knowledge with this hash was forgotten, if it was.
pub fn forgotten_hash(conn: &Connection, content_hash: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT forgotten_at FROM forgotten WHERE content_hash = ?1")?
        .query_row([content_hash], |r| r.get(0))
        .optional()
}

/// Removes the tombstone of `content_hash` (a person recorded the same text again);
/// returns whether there was one.
pub fn lift(conn: &Connection, content_hash: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("DELETE FROM forgotten WHERE content_hash = ?1")?
        .execute([content_hash])
        .map(|n| n > 0)
}

/// What `sk show ID` says about an id whose entry was forgotten here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForgottenEntry {
    pub id: i64,
    pub category: Category,
    pub forgotten_at: i64,
    pub reason: Option<String>,
}

pub fn forgotten_entry(conn: &Connection, id: i64) -> rusqlite::Result<Option<ForgottenEntry>> {
    conn.prepare_cached("SELECT category, forgotten_at, reason FROM forgotten WHERE entry_id = ?1")?
        .query_row([id], |r| {
            let category: String = r.get(0)?;
            Ok(ForgottenEntry {
                id,
                category: category.parse().unwrap_or(Category::Discovery),
                forgotten_at: r.get(1)?,
                reason: r.get(2)?,
            })
        })
        .optional()
}

/// Every tombstone, oldest first (for export).
pub fn tombstones(conn: &Connection) -> rusqlite::Result<Vec<Tombstone>> {
    let mut out: Vec<Tombstone> = conn
        .prepare("SELECT content_hash, category, forgotten_at, reason FROM forgotten ORDER BY forgotten_at, content_hash")?
        .query_map([], |r| {
            let category: String = r.get(1)?;
            Ok(Tombstone {
                content_hash: r.get(0)?,
                category: category.parse().unwrap_or(Category::Discovery),
                forgotten_at: r.get(2)?,
                reason: r.get(3)?,
                evidence: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT session_key, event_id FROM forgotten_evidence WHERE content_hash = ?1 ORDER BY session_key, event_id",
    )?;
    for t in &mut out {
        t.evidence = stmt
            .query_map([&t.content_hash], |r| {
                Ok(Evidence {
                    session_key: r.get(0)?,
                    event_id: r.get(1)?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(out)
}

/// Whether a person recorded knowledge with this content hash (`sk learn`) after `at`
/// (ms): recorded again after it was forgotten. Extraction re-creating it says nothing.
pub fn recorded_since(conn: &Connection, content_hash: &str, at: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM entries WHERE content_hash = ?1 AND origin = 'manual' AND created_at > ?2)",
    )?
        .query_row(params![content_hash, at], |r| r.get(0))
}

/// Entries that a tombstone stands for: the same hash, or the same category with all of
/// its provenance among the tombstone's events (an entry that also came from elsewhere, or
/// a sibling drawn from one of those events, is a lesson of its own). Ids in order.
pub fn matching_entries(conn: &Connection, t: &Tombstone) -> rusqlite::Result<Vec<i64>> {
    let mut ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM entries WHERE content_hash = ?1")?
        .query_map([&t.content_hash], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT s.entry_id FROM entry_sources s JOIN entries e ON e.id = s.entry_id
         WHERE s.session_key = ?1 AND s.event_id = ?2 AND e.category = ?3",
    )?;
    let mut by_evidence = Vec::new();
    for ev in t.evidence.iter().filter(|e| !e.event_id.is_empty()) {
        for id in stmt.query_map(params![ev.session_key, ev.event_id, t.category.as_str()], |r| {
            r.get(0)
        })? {
            by_evidence.push(id?);
        }
    }
    by_evidence.sort_unstable();
    by_evidence.dedup();
    let mut sources =
        conn.prepare_cached("SELECT session_key, event_id FROM entry_sources WHERE entry_id = ?1")?;
    for id in by_evidence {
        let all: Vec<(String, String)> = sources
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let inside = all.iter().all(|(k, e)| {
            t.evidence
                .iter()
                .any(|ev| &ev.session_key == k && &ev.event_id == e)
        });
        if inside {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Sets whether entry `id` is pinned; returns whether it was pinned before, or None when
/// there is no such entry.
pub fn set_pinned(conn: &Connection, id: i64, pinned: bool) -> rusqlite::Result<Option<bool>> {
    let before: Option<bool> = conn
        .prepare_cached("SELECT pinned FROM entries WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if before.is_some_and(|b| b != pinned) {
        conn.prepare_cached("UPDATE entries SET pinned = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, pinned, sk_core::time::now_ms()])?;
    }
    Ok(before)
}

/// A person's new text for an entry. The content hash stays: it names what extraction
/// produces, so re-extracting the same evidence finds this entry and only adds provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub category: Category,
    pub title: String,
    pub body: String,
}

/// Rewrites entry `id`'s category, title and body and marks it edited at `at`. Returns
/// false when there is no such entry.
pub fn edit(conn: &Connection, id: i64, edit: &Edit, at: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "UPDATE entries SET category = ?2, title = ?3, body = ?4, edited_at = ?5, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, edit.category.as_str(), edit.title, edit.body, at])
    .map(|n| n > 0)
}

/// Keeps the newer of two people's edits when an exported entry meets the same entry
/// here: the export's text replaces this one when it was edited later (or this one never
/// was). Returns whether it did.
pub fn adopt_edit(conn: &Connection, id: i64, edit: &Edit, edited_at: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "UPDATE entries SET category = ?2, title = ?3, body = ?4, edited_at = ?5, updated_at = max(updated_at, ?5)
         WHERE id = ?1 AND (edited_at IS NULL OR edited_at < ?5)",
    )?
    .execute(params![id, edit.category.as_str(), edit.title, edit.body, edited_at])
    .map(|n| n > 0)
}
