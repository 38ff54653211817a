//! Redacting what is already stored, when a newer detector set finds more than the one
//! that wrote it: a database indexed before a detector improved keeps the secrets it
//! stored until they are scanned again. The detectors themselves live in `sk-ingest`; the
//! caller passes them in as a function, and this module owns how stored text is rewritten
//! so that every index stays in step:
//!
//! - a record's text is indexed in `records_fts` (and, for prompts and summaries, in
//!   `digest_fts`) as external content, which must be told the old text before it changes;
//! - its session's search document is rebuilt (queued in `session_docs_pending`);
//! - knowledge entries are kept in `entries_fts` by triggers; session titles and telemetry
//!   queries are plain columns.
//!
//! The version of the detector set that last scanned everything is `meta.redaction_version`.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// What a scan found (and, when applied, rewrote).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scrubbed {
    pub records_scanned: u64,
    pub records: u64,
    pub session_titles: u64,
    pub entries: u64,
    pub telemetry: u64,
    /// Secrets per detector kind.
    pub by_kind: BTreeMap<String, u64>,
    /// Whether the text was rewritten (`false` for a report-only scan).
    pub applied: bool,
}

impl Scrubbed {
    pub fn total(&self) -> u64 {
        self.by_kind.values().sum()
    }
}

/// A text with its secrets replaced, and how many of each kind: the detectors' answer.
pub type Redaction = (String, Vec<(&'static str, u32)>);

/// Records read per transaction.
const BATCH: i64 = 2_000;

/// The detector-set version the stored text was last scanned with: the stored value, or 1
/// (the first set) for a database that holds records but no version, or `None` for an empty
/// database (nothing stored yet needs scanning again).
pub fn stored_version(conn: &Connection) -> rusqlite::Result<Option<u32>> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'redaction_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(v) = v {
        return Ok(Some(v.parse().unwrap_or(1)));
    }
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM records)", [], |r| r.get(0))?;
    Ok(any.then_some(1))
}

/// Records `version` as the set every stored text has been scanned with.
pub fn set_version(conn: &Connection, version: u32) -> rusqlite::Result<()> {
    crate::write::set_meta(conn, "redaction_version", &version.to_string())
}

/// Scans every stored text with `redact`; with `apply`, rewrites what it finds in write
/// transactions of [`BATCH`] records (the caller holds the writer lock). `progress(done,
/// total)` is called after each batch of records.
pub fn run(
    conn: &Connection,
    redact: &dyn Fn(&str) -> Option<Redaction>,
    apply: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> rusqlite::Result<Scrubbed> {
    let mut out = Scrubbed {
        applied: apply,
        ..Scrubbed::default()
    };
    let total: i64 = conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
    let fts_upto: i64 = conn
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_records_upto'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, i64, String, String)> = conn
            .prepare_cached(
                "SELECT id, session_id, kind, text FROM records WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?
            .query_map(params![after, BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = rows.last().map(|r| r.0) else {
            break;
        };
        after = last;
        out.records_scanned += rows.len() as u64;
        let found: Vec<(i64, i64, String, String, String)> = rows
            .into_iter()
            .filter_map(|(id, session, kind, text)| {
                let (clean, counts) = redact(&text)?;
                count(&mut out.by_kind, &counts);
                Some((id, session, kind, text, clean))
            })
            .collect();
        out.records += found.len() as u64;
        if apply && !found.is_empty() {
            crate::write::tx::begin(conn)?;
            let written = found.iter().try_for_each(|(id, session, kind, old, new)| {
                rewrite_record(conn, *id, *session, kind, old, new, fts_upto)
            });
            match written {
                Ok(()) => crate::write::tx::commit(conn)?,
                Err(e) => {
                    let _ = crate::write::tx::rollback(conn);
                    return Err(e);
                }
            }
        }
        progress(out.records_scanned, total.max(0) as u64);
    }
    if apply {
        crate::write::tx::begin(conn)?;
    }
    let plain = plain_columns(conn, redact, apply, &mut out);
    if apply {
        match plain {
            Ok(()) => crate::write::tx::commit(conn)?,
            Err(e) => {
                let _ = crate::write::tx::rollback(conn);
                return Err(e);
            }
        }
    } else {
        plain?;
    }
    Ok(out)
}

fn count(by_kind: &mut BTreeMap<String, u64>, counts: &[(&'static str, u32)]) {
    for (kind, n) in counts {
        *by_kind.entry((*kind).to_string()).or_default() += u64::from(*n);
    }
}

/// Replaces one record's text, keeping the full-text indexes and the session's search
/// document in step.
fn rewrite_record(
    conn: &Connection,
    id: i64,
    session: i64,
    kind: &str,
    old: &str,
    new: &str,
    fts_upto: i64,
) -> rusqlite::Result<()> {
    let indexed = id <= fts_upto;
    let digest = matches!(kind, "prompt" | "summary" | "task_summary");
    if indexed {
        conn.prepare_cached("INSERT INTO records_fts (records_fts, rowid, text) VALUES ('delete', ?1, ?2)")?
            .execute(params![id, old])?;
        if digest {
            conn.prepare_cached(
                "INSERT INTO digest_fts (digest_fts, rowid, text) VALUES ('delete', ?1, ?2)",
            )?
            .execute(params![id, old])?;
        }
    }
    conn.prepare_cached("UPDATE records SET text = ?2 WHERE id = ?1")?
        .execute(params![id, new])?;
    if indexed {
        conn.prepare_cached("INSERT INTO records_fts (rowid, text) VALUES (?1, ?2)")?
            .execute(params![id, new])?;
        if digest {
            conn.prepare_cached("INSERT INTO digest_fts (rowid, text) VALUES (?1, ?2)")?
                .execute(params![id, new])?;
        }
    }
    crate::session_docs::mark_pending(conn, session)
}

/// Session titles, knowledge entries and telemetry queries: few rows, scanned in one go.
fn plain_columns(
    conn: &Connection,
    redact: &dyn Fn(&str) -> Option<Redaction>,
    apply: bool,
    out: &mut Scrubbed,
) -> rusqlite::Result<()> {
    let titles: Vec<(i64, String)> = conn
        .prepare("SELECT id, title FROM sessions WHERE title IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, title) in titles {
        if let Some((clean, counts)) = redact(&title) {
            count(&mut out.by_kind, &counts);
            out.session_titles += 1;
            if apply {
                conn.execute("UPDATE sessions SET title = ?2 WHERE id = ?1", params![id, clean])?;
                crate::session_docs::mark_pending(conn, id)?;
            }
        }
    }
    let entries: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT id, title, body, coalesce(tags, '') FROM entries")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    for (id, title, body, tags) in entries {
        let fields = [&title, &body, &tags].map(|f| redact(f));
        if fields.iter().all(Option::is_none) {
            continue;
        }
        out.entries += 1;
        for (_, counts) in fields.iter().flatten() {
            count(&mut out.by_kind, counts);
        }
        if apply {
            let pick = |i: usize, old: &String| {
                fields
                    .get(i)
                    .cloned()
                    .flatten()
                    .map_or_else(|| old.clone(), |f| f.0)
            };
            // The entries_fts triggers follow the update.
            conn.execute(
                "UPDATE entries SET title = ?2, body = ?3, tags = CASE WHEN tags IS NULL THEN NULL ELSE ?4 END WHERE id = ?1",
                params![id, pick(0, &title), pick(1, &body), pick(2, &tags)],
            )?;
        }
    }
    let queries: Vec<(i64, String)> = conn
        .prepare("SELECT id, query FROM telemetry WHERE query IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, query) in queries {
        if let Some((clean, counts)) = redact(&query) {
            count(&mut out.by_kind, &counts);
            out.telemetry += 1;
            if apply {
                conn.execute(
                    "UPDATE telemetry SET query = ?2 WHERE id = ?1",
                    params![id, clean],
                )?;
            }
        }
    }
    Ok(())
}
