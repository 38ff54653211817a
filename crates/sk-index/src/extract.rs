//! Knowledge extraction after ingest: for every session that changed, run the pure
//! extractor over its records and merge the candidates into the store — an identical
//! entry (same normalized hash) or a near-duplicate (same category, similar text) gains an
//! occurrence instead of a copy. Re-extracting a session replaces what it contributed
//! before, so the result depends only on the sessions' current content.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sk_core::Agent;
use sk_extract::{Candidate, NEAR_DUPLICATE, SessionContext, similarity};

use crate::near::NearIndex;
use sk_store::knowledge::{self, Draft, Origin, Seen};
use sk_store::write::tx;
use sk_store::{Store, StoreError};

/// Sessions per transaction.
const SESSIONS_PER_BATCH: usize = 200;
/// Existing entries compared with each candidate.
const NEIGHBOURS: usize = 8;

/// What one extraction run did, per category.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExtractSummary {
    pub sessions: u64,
    pub candidates: u64,
    /// Per category: entries created, and candidates merged into an existing entry.
    pub new: BTreeMap<String, u64>,
    pub merged: BTreeMap<String, u64>,
    /// Extracted entries no longer supported by any session.
    pub removed: u64,
    pub elapsed_ms: u64,
}

/// Extracts knowledge from sessions changed since their last extraction (all with `full`).
pub fn extract(store: &Store, full: bool) -> Result<ExtractSummary, StoreError> {
    let started = std::time::Instant::now();
    let conn = store.conn();
    let sessions = knowledge::sessions_to_extract(conn, full).map_err(StoreError::sql(store.path()))?;
    let mut summary = ExtractSummary::default();
    if sessions.is_empty() {
        return Ok(summary);
    }
    let mut near = NearIndex::default();
    for category in sk_core::Category::ALL {
        for (id, title) in knowledge::titles(conn, category).map_err(StoreError::sql(store.path()))? {
            near.add(id, category, &title);
        }
    }
    for chunk in sessions.chunks(SESSIONS_PER_BATCH) {
        tx::begin(conn).map_err(StoreError::sql(store.path()))?;
        for s in chunk {
            extract_session(conn, &mut near, s, &mut summary).map_err(StoreError::sql(store.path()))?;
        }
        tx::commit(conn).map_err(StoreError::sql(store.path()))?;
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

fn extract_session(
    conn: &rusqlite::Connection,
    near: &mut NearIndex,
    s: &knowledge::SessionToExtract,
    summary: &mut ExtractSummary,
) -> rusqlite::Result<()> {
    let key = knowledge::session_key(&s.agent, &s.external_id);
    let before: BTreeSet<(i64, String)> = knowledge::session_provenance(conn, &key)?.into_iter().collect();
    let records = knowledge::session_records(conn, s.id)?;
    let agent: Agent = s.agent.parse().unwrap_or(Agent::Copilot);
    let ctx = SessionContext {
        agent,
        session: &s.external_id,
        repo: s.repo.as_deref(),
        cwd: s.cwd.as_deref(),
    };
    let candidates = sk_extract::extract(&ctx, &records);
    let fallback_time = records.iter().filter_map(|r| r.ts).min().unwrap_or(0);
    let mut now: BTreeSet<(i64, String)> = BTreeSet::new();
    for c in &candidates {
        summary.candidates += 1;
        let seen = provenance(&key, c, fallback_time);
        let draft = draft(c, s.repo.clone());
        let cat = c.category.as_str().to_string();
        let id = match knowledge::find_by_hash(conn, &draft.content_hash)? {
            Some(id) => {
                knowledge::add_occurrence(conn, id, &draft, &seen)?;
                *summary.merged.entry(cat).or_default() += u64::from(!before.iter().any(|(e, _)| *e == id));
                id
            }
            None => match nearest(conn, near, c)? {
                Some(id) => {
                    knowledge::add_occurrence(conn, id, &draft, &seen)?;
                    *summary.merged.entry(cat).or_default() += 1;
                    id
                }
                None => {
                    *summary.new.entry(cat).or_default() += 1;
                    let id = knowledge::insert(conn, &draft, &seen)?;
                    near.add(id, c.category, &c.title);
                    id
                }
            },
        };
        now.extend(seen.into_iter().map(|s| (id, s.event_id)));
    }
    let stale: Vec<(i64, String)> = before.difference(&now).cloned().collect();
    summary.removed += knowledge::drop_provenance(conn, &key, &stale)?;
    knowledge::mark_extracted(conn, s.id)?;
    summary.sessions += 1;
    Ok(())
}

/// The existing entry of the same category most similar to `c`, if it is a near-duplicate.
fn nearest(conn: &rusqlite::Connection, near: &NearIndex, c: &Candidate) -> rusqlite::Result<Option<i64>> {
    let text = c.text();
    let mut best: Option<(f32, i64)> = None;
    for id in near.shortlist(c.category, &c.title, NEIGHBOURS) {
        let Some(other) = knowledge::entry_text(conn, id)? else {
            continue;
        };
        let score = similarity(&text, &other);
        if score >= NEAR_DUPLICATE && best.is_none_or(|(b, bid)| score > b || (score == b && id < bid)) {
            best = Some((score, id));
        }
    }
    Ok(best.map(|(_, id)| id))
}

fn draft(c: &Candidate, repo: Option<String>) -> Draft {
    Draft {
        category: c.category,
        title: c.title.clone(),
        body: c.body.clone(),
        tags: c.tags.clone(),
        files: c.files.clone(),
        repo,
        task: None,
        origin: Origin::Extracted,
        confidence: f64::from(c.confidence),
        content_hash: c.content_hash(),
        why: c.cues.clone(),
    }
}

/// One provenance row per evidence record; records without an event id are named by
/// their position in the log.
fn provenance(key: &str, c: &Candidate, fallback_time: i64) -> Vec<Seen> {
    let mut seen: Vec<Seen> = c
        .evidence
        .iter()
        .map(|e| Seen {
            session_key: key.to_string(),
            event_id: e
                .event_id
                .clone()
                .unwrap_or_else(|| format!("@{}:{}", e.offset, e.part)),
            seen_at: e.ts.unwrap_or(fallback_time),
        })
        .collect();
    if seen.is_empty() {
        seen.push(Seen {
            session_key: key.to_string(),
            event_id: String::new(),
            seen_at: fallback_time,
        });
    }
    seen.sort();
    seen.dedup_by(|a, b| a.event_id == b.event_id);
    seen
}
