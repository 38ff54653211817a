//! Knowledge extraction after ingest: for every session that changed, run the pure
//! extractor over its records and merge the candidates into the store — an identical
//! entry (same normalized hash) or a near-duplicate (same category, similar text) gains an
//! occurrence instead of a copy. Re-extracting a session replaces what it contributed
//! before, so the result depends only on the sessions' current content — except for what
//! people decided: a forgotten entry's knowledge is never extracted again from the same
//! evidence, and an edited entry keeps its text (merging adds provenance, never words).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sk_core::Agent;
use sk_extract::{Candidate, NEAR_DUPLICATE, SessionContext, Shingles};

use crate::near::NearIndex;
use sk_store::curation;
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
    /// Candidates left out because they repeat knowledge a person forgot.
    pub forgotten: u64,
    pub elapsed_ms: u64,
}

/// Extracts knowledge from sessions changed since their last extraction (all with `full`).
///
/// Two threads, as in ingest: a reader with its own read-only connection loads each
/// session's records and runs the pure extractor, while this thread merges the candidates
/// into the store. Records do not change during extraction, so the reader's snapshot is
/// the writer's; sessions arrive in the same order as one thread would take them, so the
/// result does not depend on timing.
pub fn extract(store: &Store, full: bool) -> Result<ExtractSummary, StoreError> {
    let started = std::time::Instant::now();
    let conn = store.conn();
    let sql_err = || StoreError::sql(store.path());
    let sessions = knowledge::sessions_to_extract(conn, full).map_err(sql_err())?;
    let mut summary = ExtractSummary::default();
    if sessions.is_empty() {
        return Ok(summary);
    }
    let curated = Curated {
        any_forgotten: curation::any(conn).map_err(sql_err())?,
    };
    let mut near = NearIndex::default();
    for category in sk_core::Category::ALL {
        for (id, title) in knowledge::titles(conn, category).map_err(sql_err())? {
            near.add(id, category, &title);
        }
    }
    let reader = Store::open_readonly(store.path())?;
    std::thread::scope(|scope| {
        let (tx_found, found) = std::sync::mpsc::sync_channel::<rusqlite::Result<Extracted>>(CHANNEL_DEPTH);
        let sessions = &sessions;
        scope.spawn(move || {
            for s in sessions {
                let outcome = read_and_extract(reader.conn(), s);
                let failed = outcome.is_err();
                if tx_found.send(outcome).is_err() || failed {
                    return;
                }
            }
        });
        let mut found = found.into_iter();
        for chunk in sessions.chunks(SESSIONS_PER_BATCH) {
            tx::begin(conn).map_err(sql_err())?;
            // Entries that gained provenance in this batch; their derived counts are
            // recomputed once, before the commit, instead of after every merge.
            let mut touched = BTreeSet::new();
            for s in chunk {
                // The reader sends one outcome per session and stops after an error, so
                // running out early cannot happen without an error received first.
                let Some(extracted) = found.next() else {
                    break;
                };
                let extracted = extracted.map_err(sql_err())?;
                merge_session(
                    conn,
                    &mut near,
                    &curated,
                    s,
                    extracted,
                    &mut summary,
                    &mut touched,
                )
                .map_err(sql_err())?;
            }
            for id in touched {
                knowledge::refresh(conn, id).map_err(sql_err())?;
            }
            tx::commit(conn).map_err(sql_err())?;
        }
        Ok(())
    })?;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// Sessions the reader may run ahead of the merge.
const CHANNEL_DEPTH: usize = 32;

/// One session's candidates, and the time to use for evidence without a timestamp.
struct Extracted {
    candidates: Vec<Candidate>,
    fallback_time: i64,
}

fn read_and_extract(
    conn: &rusqlite::Connection,
    s: &knowledge::SessionToExtract,
) -> rusqlite::Result<Extracted> {
    // What extraction reads of a result can depend on its call, told as it is read.
    let needs = std::cell::RefCell::new(sk_extract::TextNeeds::default());
    let records = knowledge::session_records(
        conn,
        s.id,
        |kind, success, bytes, call_id| needs.borrow().reads(kind, success, bytes, call_id),
        |call_id, text| needs.borrow_mut().saw_call(call_id, text),
    )?;
    let agent: Agent = s.agent.parse().unwrap_or(Agent::Copilot);
    let ctx = SessionContext {
        agent,
        session: &s.external_id,
        repo: s.repo.as_deref(),
        cwd: s.cwd.as_deref(),
    };
    Ok(Extracted {
        candidates: sk_extract::extract(&ctx, &records),
        fallback_time: records.iter().filter_map(|r| r.ts).min().unwrap_or(0),
    })
}

/// What people decided that extraction must respect, read once per run.
struct Curated {
    /// When nothing was ever forgotten, no candidate needs a tombstone lookup.
    any_forgotten: bool,
}

fn merge_session(
    conn: &rusqlite::Connection,
    near: &mut NearIndex,
    curated: &Curated,
    s: &knowledge::SessionToExtract,
    extracted: Extracted,
    summary: &mut ExtractSummary,
    touched: &mut BTreeSet<i64>,
) -> rusqlite::Result<()> {
    let key = knowledge::session_key(&s.agent, &s.external_id);
    let before: BTreeSet<(i64, String)> = knowledge::session_provenance(conn, &key)?.into_iter().collect();
    let Extracted {
        candidates,
        fallback_time,
    } = extracted;
    let mut now: BTreeSet<(i64, String)> = BTreeSet::new();
    for c in &candidates {
        summary.candidates += 1;
        let seen = provenance(&key, c, fallback_time);
        let draft = draft(c, s.repo.clone());
        if curated.any_forgotten && curation::forgotten_hash(conn, &draft.content_hash)?.is_some() {
            summary.forgotten += 1;
            continue;
        }
        let cat = c.category.as_str().to_string();
        let id = match knowledge::find_by_hash(conn, &draft.content_hash)? {
            Some(id) => {
                knowledge::add_provenance(conn, id, &draft, &seen)?;
                touched.insert(id);
                *summary.merged.entry(cat).or_default() += u64::from(!before.iter().any(|(e, _)| *e == id));
                id
            }
            None => match nearest(conn, near, c)? {
                Some(id) => {
                    knowledge::add_provenance(conn, id, &draft, &seen)?;
                    touched.insert(id);
                    *summary.merged.entry(cat).or_default() += 1;
                    id
                }
                None => {
                    // Only a candidate that would be new is checked against a forgotten
                    // entry's events: several entries share an event (the rule lines of
                    // one prompt, the bullets of one summary), and one that merges into a
                    // live entry is that entry's, not the forgotten one's.
                    if curated.any_forgotten
                        && curation::suppresses(conn, c.category, &draft.content_hash, &seen)?
                    {
                        summary.forgotten += 1;
                        continue;
                    }
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

/// The existing entry teaching the same rule lesson as `c`, or else the one of the same
/// category most similar to it, if it is a near-duplicate.
fn nearest(
    conn: &rusqlite::Connection,
    near: &mut NearIndex,
    c: &Candidate,
) -> rusqlite::Result<Option<i64>> {
    // A tool's rule is one lesson whatever the session's files and wording.
    if let Some(key) = sk_extract::lesson_key(&c.cues)
        && let Some(id) = knowledge::find_by_lesson(conn, c.category, key)?
    {
        return Ok(Some(id));
    }
    let shortlist = near.shortlist(c.category, &c.title, NEIGHBOURS);
    if shortlist.is_empty() {
        return Ok(None);
    }
    let mine = Shingles::new(&c.text());
    let mut similar: Vec<(f32, i64)> = Vec::new();
    for id in shortlist {
        let Some(other) = near.shingles(id, || knowledge::entry_text(conn, id))? else {
            continue;
        };
        let score = mine.jaccard(other);
        if score >= NEAR_DUPLICATE {
            similar.push((score, id));
        }
    }
    similar.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // The cached shingles outlive an entry that re-extraction deleted earlier in this run.
    for (_, id) in similar {
        let Some((title, cues)) = knowledge::entry_title_and_cues(conn, id)? else {
            near.forget(id);
            continue;
        };
        if sk_extract::may_merge((&c.title, &c.cues), (&title, &cues)) {
            return Ok(Some(id));
        }
    }
    Ok(None)
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
        source: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use sk_core::Category;

    const TITLE: &str = "Re-read a file right before patching it: `apply_patch` fails on stale context";

    fn body(file: &str, expected: &str) -> String {
        format!(
            "Failed: `apply_patch` on `{file}`\nError: apply_patch verification failed: Failed to find expected lines in {file}:\nExpected: `{expected}`\nWhy: the lines an edit replaces or keeps must be the file's current text, character for character.\nFixed by: reading the lines again (`cat {file}`), then an edit with them as they are.\n"
        )
    }

    fn keyed(body: &str) -> Candidate {
        Candidate {
            category: Category::Mistake,
            title: TITLE.into(),
            body: body.into(),
            tags: vec!["stale-context".into()],
            files: vec![],
            confidence: 0.6,
            evidence: vec![],
            cues: vec![
                "rule:failure-fix".into(),
                "lesson:stale-context:apply_patch".into(),
            ],
        }
    }

    fn seen(session: &str) -> [Seen; 1] {
        [Seen {
            session_key: session.into(),
            event_id: "e1".into(),
            seen_at: 1,
        }]
    }

    #[test]
    fn a_keyed_lesson_joins_the_entry_with_its_key_and_never_a_keyless_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("k.db")).expect("open");
        let conn = store.conn();
        let mut near = NearIndex::default();
        // An entry stored before lesson keys: the same text, no key. A keyed candidate does
        // not merge into it (it loses its provenance when its session is extracted again).
        let old_body = body("docs/overview.md", "- Tools: G-code Preview");
        let mut old = draft(&keyed(&old_body), None);
        old.why = vec!["rule:failure-fix".into()];
        old.content_hash = "old".into();
        let old_id = knowledge::insert(conn, &old, &seen("codex:a")).expect("insert");
        near.add(old_id, Category::Mistake, TITLE);
        assert_eq!(
            nearest(conn, &mut near, &keyed(&old_body)).expect("nearest"),
            None
        );

        // The first keyed occurrence becomes the entry; another session's, whose body is
        // no near-duplicate, joins it by the key.
        let first = keyed(&old_body);
        let id = knowledge::insert(conn, &draft(&first, None), &seen("codex:a")).expect("insert");
        near.add(id, Category::Mistake, TITLE);
        let other = keyed(
            "Failed: `apply_patch` on `src/upload/retry_policy.ts`, `src/upload/queue.ts`, refused 3 times in the session\n\
             Error: apply_patch verification failed: Failed to find expected lines in src/upload/retry_policy.ts:\n\
             Expected: `export const UPLOAD_RETRIES = 3; // exponential backoff, then the console reports it`\n\
             Here the file has `export const UPLOAD_RETRIES = 5; // jittered` where the edit assumed the old count.\n\
             Fixed by: a smaller patch (2 hunk lines instead of 9); or rewriting the whole file.\n",
        );
        assert_eq!(nearest(conn, &mut near, &other).expect("nearest"), Some(id));
    }
}
