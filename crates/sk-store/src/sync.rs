//! The local half of `sk sync` (schemas v8 and v9): the sync state row, the outbox the triggers
//! fill, and applying pulled changes with the conflict rules every replica follows, so
//! that all of them reach the same knowledge whatever order changes arrive in. The
//! remote half (PostgreSQL) is `sk-sync`'s; nothing here touches the network.
//!
//! Rules, per entry (its content hash) and register: the write with the larger
//! `(hlc, replica_id)` wins, for the content (category, title, body) and for the pin
//! separately. A forget is kept as a tombstone and beats every change with a smaller
//! `(hlc, replica_id)`; only a later put brings the entry back. Sightings (provenance)
//! are a set every replica unions, occurrences derived from it. Session digests
//! (`--sessions`) are last-writer-wins per session: [`crate::sync_sessions`].

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sk_core::Category;

use crate::curation::{self, Evidence, Tombstone};
use crate::knowledge::{self, Entry, EntrySource, Origin};

/// Pulled clock values further ahead of this machine's clock than this are not adopted
/// as the local clock (a replica with a wrong clock must not drag everyone's forward).
pub const MAX_SKEW_MS: i64 = 24 * 3600 * 1000;

/// The sync state row plus the number of outbox rows not yet pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    pub enabled: bool,
    pub replica_id: Option<String>,
    pub team: Option<String>,
    pub label: Option<String>,
    pub instance_id: Option<String>,
    pub pushed_through: i64,
    /// The largest seq sent to the remote (`pushed_through` also counts withheld rows).
    pub sent_through: i64,
    pub last_xid: String,
    pub last_id: i64,
    pub last_hlc: i64,
    pub last_push_at: Option<i64>,
    pub last_pull_at: Option<i64>,
    pub last_error: Option<String>,
    pub pending: i64,
}

pub fn state(conn: &Connection) -> rusqlite::Result<SyncState> {
    conn.prepare_cached(
        "SELECT enabled, replica_id, team, label, instance_id, pushed_through, last_xid, last_id, last_hlc,
                last_push_at, last_pull_at, last_error,
                (SELECT count(*) FROM outbox WHERE seq > s.pushed_through), sent_through
         FROM sync_state s",
    )?
    .query_row([], |r| {
        Ok(SyncState {
            enabled: r.get(0)?,
            replica_id: r.get(1)?,
            team: r.get(2)?,
            label: r.get(3)?,
            instance_id: r.get(4)?,
            pushed_through: r.get(5)?,
            last_xid: r.get(6)?,
            last_id: r.get(7)?,
            last_hlc: r.get(8)?,
            last_push_at: r.get(9)?,
            last_pull_at: r.get(10)?,
            last_error: r.get(11)?,
            pending: r.get(12)?,
            sent_through: r.get(13)?,
        })
    })
}

/// The payload of a `put`, as the trigger writes it (plus `files`, added at push).
const PUT_PAYLOAD: &str = "json_object(
        'category', category, 'title', title, 'body', body, 'tags', tags,
        'repo', repo, 'task', task, 'origin', origin, 'confidence', confidence,
        'occurrences', occurrences, 'first_seen', first_seen, 'last_seen', last_seen,
        'why', why, 'source', source, 'edited_at', edited_at)";

/// Turns sync on (inside the caller's transaction): records the replica, and queues
/// everything this database already knows (entries, pins, tombstones) so the first push
/// carries it. Returns how many changes were queued.
pub fn enable(
    conn: &Connection,
    replica_id: &str,
    team: &str,
    label: &str,
    instance_id: &str,
) -> rusqlite::Result<u64> {
    conn.execute(
        "UPDATE sync_state SET enabled = 1, applying = 0, replica_id = ?1, team = ?2, label = ?3, instance_id = ?4,
                last_error = NULL",
        params![replica_id, team, label, instance_id],
    )?;
    requeue(conn)
}

/// Queues everything this database knows (entries, pins, tombstones) as new local
/// changes: at setup, and when the remote was re-created and has lost them. Returns how
/// many changes were queued.
pub fn requeue(conn: &Connection) -> rusqlite::Result<u64> {
    // Each change keeps the clock its register holds; one never synced gets the time it
    // was made (edited, pinned, forgotten, else recorded), not now: knowledge queued
    // at setup must not win over edits others made since. The counter part (the row
    // number) only keeps values apart.
    let before: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| r.get(0))?;
    let puts = conn.execute(
        &format!(
            "INSERT INTO outbox (hlc, entity_key, op, payload)
             SELECT coalesce(c.hlc, (coalesce(e.edited_at, e.created_at) << 16) + (row_number() OVER (ORDER BY e.id) & 65535)),
                    e.content_hash, 'put', {PUT_PAYLOAD}
             FROM entries e LEFT JOIN sync_clock c ON c.entity_key = e.content_hash AND c.register = 'content'
             ORDER BY e.id"
        ),
        [],
    )?;
    let pins = conn.execute(
        "INSERT INTO outbox (hlc, entity_key, op)
         SELECT coalesce(c.hlc, (e.updated_at << 16) + (row_number() OVER (ORDER BY e.id) & 65535)), e.content_hash, 'pin'
         FROM entries e LEFT JOIN sync_clock c ON c.entity_key = e.content_hash AND c.register = 'pin'
         WHERE e.pinned = 1 ORDER BY e.id",
        [],
    )?;
    // An unpin is a write too: without it, a replica still holding an older pin would
    // win on a remote that lost the unpin.
    let unpins = conn.execute(
        "INSERT INTO outbox (hlc, entity_key, op)
         SELECT hlc, entity_key, 'unpin' FROM sync_clock
         WHERE register = 'pin' AND value = 0 ORDER BY entity_key",
        [],
    )?;
    let forgets = conn.execute(
        "INSERT INTO outbox (hlc, entity_key, op, payload)
         SELECT coalesce(c.hlc, (f.forgotten_at << 16) + (row_number() OVER (ORDER BY f.forgotten_at, f.content_hash) & 65535)),
                f.content_hash, 'forget',
                json_object('category', f.category, 'forgotten_at', f.forgotten_at, 'reason', f.reason)
         FROM forgotten f LEFT JOIN sync_clock c ON c.entity_key = f.content_hash AND c.register = 'forget'
         ORDER BY f.forgotten_at, f.content_hash",
        [],
    )?;
    // Every sighting, and (with `--sessions`) every session whose logs are here: the
    // remote may hold none of them.
    let sightings = conn.execute(
        "INSERT INTO outbox (hlc, entity, entity_key, op, payload)
         SELECT (s.seen_at << 16) + (row_number() OVER (ORDER BY s.seen_at, e.id, s.session_key, s.event_id) & 65535),
                'provenance', e.content_hash, 'put',
                json_object('session_key', s.session_key, 'event_id', s.event_id, 'seen_at', s.seen_at,
                            'confidence', s.confidence)
         FROM entry_sources s JOIN entries e ON e.id = s.entry_id
         WHERE s.session_key LIKE '_%:_%' ORDER BY s.seen_at, e.id, s.session_key, s.event_id",
        [],
    )?;
    let sessions = conn.execute(
        "INSERT INTO outbox (hlc, entity, entity_key, op)
         SELECT (s.updated_at << 16) + (row_number() OVER (ORDER BY s.id) & 65535), 'session',
                s.agent || ':' || s.external_id, 'put'
         FROM sessions s JOIN session_docs d ON d.session_id = s.id
         WHERE (SELECT share_sessions FROM sync_state) = 1 AND s.remote_author IS NULL
           AND d.first_record IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'session'
                           AND o.entity_key = s.agent || ':' || s.external_id
                           AND o.seq > (SELECT pushed_through FROM sync_state) AND o.seq <= ?1)
         ORDER BY s.id",
        [before],
    )?;
    let queued = puts + pins + unpins + forgets + sightings + sessions;
    // Registers that held nothing now hold these writes, as if the triggers had made them.
    conn.execute(
        "INSERT INTO sync_clock (entity_key, register, hlc, replica_id, value)
         SELECT o.entity_key,
                CASE o.op WHEN 'put' THEN 'content' WHEN 'pin' THEN 'pin' WHEN 'unpin' THEN 'pin' ELSE 'forget' END,
                max(o.hlc), (SELECT replica_id FROM sync_state),
                CASE o.op WHEN 'pin' THEN 1 WHEN 'unpin' THEN 0 END
         FROM outbox o WHERE o.seq > ?1 AND o.entity = 'entry' GROUP BY o.entity_key, o.op
         ON CONFLICT (entity_key, register) DO NOTHING",
        [before],
    )?;
    // Nothing is known to be on the remote any more: what it holds from here is what is
    // sent from now on.
    conn.execute(
        "UPDATE sync_state SET last_hlc = max(last_hlc, coalesce((SELECT max(hlc) FROM outbox), 0)),
                sent_through = 0",
        [],
    )?;
    Ok(queued as u64)
}

/// Turns sync off and forgets everything about the remote (outbox, clocks, cursor);
/// the knowledge stays, including entries pulled from others.
pub fn disable(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM outbox;
         DELETE FROM sync_clock;
         DELETE FROM sync_state;
         INSERT INTO sync_state (singleton) VALUES (1);",
    )
}

/// One local change to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub seq: i64,
    pub hlc: i64,
    pub entity: String,
    pub entity_key: String,
    pub op: String,
    /// JSON text.
    pub payload: String,
    /// The repository of the entry or session it is about (a put's own, the entry's for a
    /// pin or a sighting, the forgotten entry's for a forget), which the sharing rules
    /// decide by; None for none.
    pub repo: Option<String>,
}

impl OutboxRow {
    /// A queued change with nothing to send any more (a session that went away, a
    /// sighting of an entry forgotten since): dropped, not pushed.
    pub fn vanished(&self) -> bool {
        self.payload.is_empty()
    }
}

/// Up to `limit` outbox rows past `pushed_through`, in seq order, as the remote names
/// them. A put carries the entry's files and a forget its evidence, read now (the
/// triggers fire before those rows are written); a session's digest is read now too
/// (its row is only a marker). Only repository-relative files travel: an absolute path
/// (outside the repository, or one extraction could not relativize) names this machine's
/// layout and often its user, and means nothing on another machine. A session that is
/// gone (or known here only from a digest), and a sighting of an entry forgotten since,
/// come back with an empty payload, and [`OutboxRow::vanished`] says so.
pub fn pending(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<OutboxRow>> {
    let mut rows: Vec<OutboxRow> = conn
        .prepare_cached(
            "SELECT seq, hlc,
                CASE entity WHEN 'provenance' THEN 'entry' ELSE entity END, entity_key,
                CASE entity WHEN 'provenance' THEN 'occurrence' ELSE op END,
                CASE WHEN entity = 'entry' AND op = 'put' THEN json_set(payload, '$.files', json(coalesce((
                      SELECT json_group_array(f.path) FROM entry_files f JOIN entries e ON e.id = f.entry_id
                      WHERE e.content_hash = o.entity_key AND f.path NOT LIKE '/%' AND f.path NOT LIKE '~%'
                        AND f.path NOT LIKE '\\%' AND f.path NOT GLOB '[A-Za-z]:*'), '[]')))
                  -- A sighting of an entry forgotten since: its repository is gone with it,
                  -- so the sharing rules cannot decide; it is dropped (see vanished).
                  WHEN entity = 'provenance' AND NOT EXISTS (SELECT 1 FROM entries WHERE content_hash = o.entity_key)
                    THEN ''
                  WHEN entity = 'entry' AND op = 'forget' THEN json_set(payload, '$.evidence', json(coalesce((
                      SELECT json_group_array(json_object('session_key', session_key, 'event_id', event_id))
                      FROM forgotten_evidence WHERE content_hash = o.entity_key), '[]')))
                  ELSE payload END,
                CASE WHEN entity = 'provenance' OR op IN ('pin', 'unpin')
                       THEN (SELECT repo FROM entries WHERE content_hash = o.entity_key)
                     WHEN entity = 'session' THEN NULL
                     ELSE json_extract(payload, '$.repo') END
             FROM outbox o WHERE seq > (SELECT pushed_through FROM sync_state) ORDER BY seq LIMIT ?1",
        )?
        .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(OutboxRow {
                seq: r.get(0)?,
                hlc: r.get(1)?,
                entity: r.get(2)?,
                entity_key: r.get(3)?,
                op: r.get(4)?,
                payload: r.get(5)?,
                repo: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for row in rows.iter_mut().filter(|r| r.entity == "session") {
        match crate::sync_sessions::digest(conn, &row.entity_key)? {
            Some(d) => {
                row.repo = d.repo.clone();
                row.payload = serde_json::to_string(&d).unwrap_or_default();
            }
            None => row.payload.clear(),
        }
    }
    Ok(rows)
}

/// The largest outbox seq this database ever handed out (pushed or not). A remote that
/// holds a larger one for this replica was pushed to by a copy of this database.
pub fn max_seq_made(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT max(pushed_through, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0))
         FROM sync_state",
        [],
        |r| r.get(0),
    )
}

/// Records that every outbox row up to `seq` is done with (sent, or withheld), the
/// largest of them `sent` to the remote, and drops them.
pub fn mark_pushed(conn: &Connection, seq: i64, sent: Option<i64>, at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sync_state SET pushed_through = max(pushed_through, ?1),
                sent_through = max(sent_through, coalesce(?3, 0)), last_push_at = ?2",
        params![seq, at, sent],
    )?;
    conn.execute(
        "DELETE FROM outbox WHERE seq <= (SELECT pushed_through FROM sync_state)",
        [],
    )?;
    Ok(())
}

/// Records a pull that found nothing new (one that applied changes records itself in
/// [`apply`]).
pub fn mark_pulled(conn: &Connection, at: i64) -> rusqlite::Result<()> {
    conn.execute("UPDATE sync_state SET last_pull_at = ?1", [at])
        .map(|_| ())
}

/// A new replica id for this database (the old one's seqs are taken on the remote:
/// the database was restored or copied).
pub fn set_replica(conn: &Connection, replica_id: &str) -> rusqlite::Result<()> {
    // Nothing has been sent under the new id yet.
    conn.execute(
        "UPDATE sync_state SET replica_id = ?1, sent_through = 0",
        [replica_id],
    )
    .map(|_| ())
}

/// The remote was re-created (or restored): pull everything again from the start.
pub fn reset_cursor(conn: &Connection, instance_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sync_state SET last_xid = '0', last_id = 0, instance_id = ?1",
        [instance_id],
    )
    .map(|_| ())
}

/// Remembers the last failure (None: the last sync succeeded).
pub fn set_error(conn: &Connection, error: Option<&str>) -> rusqlite::Result<()> {
    conn.execute("UPDATE sync_state SET last_error = ?1", [error])
        .map(|_| ())
}

/// Whether this replica sends its sessions' digests (`sk sync setup --sessions`); turning
/// it on queues every session whose logs are here.
pub fn set_share_sessions(conn: &Connection, on: bool) -> rusqlite::Result<()> {
    conn.execute("UPDATE sync_state SET share_sessions = ?1", [on])
        .map(|_| ())
}

/// One change pulled from the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub replica_id: String,
    pub hlc: i64,
    pub entity: String,
    pub entity_key: String,
    pub op: String,
    /// JSON text.
    pub payload: String,
    /// The PostgreSQL role that pushed it.
    pub author: String,
    /// The pushing replica's label (e.g. its host name).
    pub label: String,
}

/// What applying a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Changes that changed knowledge here.
    pub applied: u64,
    /// Changes older than what this database holds (or not understood).
    pub superseded: u64,
}

/// The content a put carries.
#[derive(Debug, Deserialize)]
struct PutPayload {
    category: String,
    title: String,
    body: String,
    #[serde(default)]
    tags: String,
    repo: Option<String>,
    task: Option<String>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    occurrences: Option<i64>,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    why: Option<String>,
    source: Option<String>,
    edited_at: Option<i64>,
    #[serde(default)]
    files: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ForgetPayload {
    category: Option<String>,
    forgotten_at: Option<i64>,
    reason: Option<String>,
    #[serde(default)]
    evidence: Vec<Evidence>,
}

/// Applies pulled changes inside the caller's write transaction, with the triggers off
/// (`applying`), and moves the pull cursor to `(xid, id)` in the same transaction.
pub fn apply(
    conn: &Connection,
    changes: &[Change],
    cursor: (&str, i64),
    now: i64,
) -> rusqlite::Result<Applied> {
    conn.execute("UPDATE sync_state SET applying = 1", [])?;
    let mut done = Applied::default();
    let mut newest = 0;
    // Entries that gained sightings: their occurrences are derived once per batch, not
    // once per sighting (an entry seen in a thousand sessions arrives as a thousand).
    let mut sighted = std::collections::BTreeSet::new();
    for c in changes {
        newest = newest.max(c.hlc);
        if apply_one(conn, c, now, &mut sighted)? {
            done.applied += 1;
        } else {
            done.superseded += 1;
        }
    }
    for id in sighted {
        knowledge::refresh(conn, id)?;
    }
    // Pulled sessions are searchable when the pull commits.
    crate::session_docs::build_pending_remote(conn)?;
    // The local clock never runs behind what it has seen (capped: see MAX_SKEW_MS).
    let cap = (now + MAX_SKEW_MS) << 16;
    conn.execute(
        "UPDATE sync_state SET applying = 0, last_xid = ?1, last_id = ?2, last_pull_at = ?3,
                last_hlc = max(last_hlc, min(?4, ?5))",
        params![cursor.0, cursor.1, now, newest, cap],
    )?;
    Ok(done)
}

/// The `(hlc, replica)` a register holds, and its value.
fn clock(
    conn: &Connection,
    key: &str,
    register: &str,
) -> rusqlite::Result<Option<(i64, String, Option<i64>)>> {
    conn.prepare_cached(
        "SELECT hlc, replica_id, value FROM sync_clock WHERE entity_key = ?1 AND register = ?2",
    )?
    .query_row([key, register], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}

/// Whether write `(hlc, replica)` is newer than what `register` holds.
fn newer(conn: &Connection, key: &str, register: &str, hlc: i64, replica: &str) -> rusqlite::Result<bool> {
    Ok(match clock(conn, key, register)? {
        None => true,
        Some((h, r, _)) => (hlc, replica) > (h, r.as_str()),
    })
}

fn set_clock(
    conn: &Connection,
    key: &str,
    register: &str,
    c: &Change,
    value: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_clock (entity_key, register, hlc, replica_id, value) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entity_key, register) DO UPDATE
             SET hlc = excluded.hlc, replica_id = excluded.replica_id, value = excluded.value",
    )?
    .execute(params![key, register, c.hlc, c.replica_id, value])
    .map(|_| ())
}

/// Applies one change; returns whether it changed anything.
/// `sighted` collects the entries that gained a sighting, for the caller to refresh.
fn apply_one(
    conn: &Connection,
    c: &Change,
    now: i64,
    sighted: &mut std::collections::BTreeSet<i64>,
) -> rusqlite::Result<bool> {
    match c.entity.as_str() {
        "entry" => {}
        "session" => return crate::sync_sessions::apply(conn, c, now),
        _ => return Ok(false),
    }
    let key = c.entity_key.as_str();
    match c.op.as_str() {
        "occurrence" => {
            let added = add_sighting(conn, key, c)?;
            sighted.extend(added);
            Ok(added.is_some())
        }
        "put" => {
            let forgotten_later = clock(conn, key, "forget")?
                .is_some_and(|(h, r, _)| (h, r.as_str()) >= (c.hlc, c.replica_id.as_str()));
            if forgotten_later || !newer(conn, key, "content", c.hlc, &c.replica_id)? {
                return Ok(false);
            }
            let Ok(put) = serde_json::from_str::<PutPayload>(&c.payload) else {
                return Ok(false);
            };
            set_clock(conn, key, "content", c, None)?;
            put_entry(conn, key, &put, c, now)?;
            Ok(true)
        }
        "pin" | "unpin" => {
            if !newer(conn, key, "pin", c.hlc, &c.replica_id)? {
                return Ok(false);
            }
            set_clock(conn, key, "pin", c, Some(i64::from(c.op == "pin")))?;
            let pinned = pinned_by_clock(conn, key)?;
            conn.prepare_cached(
                "UPDATE entries SET pinned = ?2, updated_at = ?3 WHERE content_hash = ?1 AND pinned <> ?2",
            )?
            .execute(params![key, pinned, now])?;
            Ok(true)
        }
        "forget" => {
            if !newer(conn, key, "forget", c.hlc, &c.replica_id)? {
                return Ok(false);
            }
            set_clock(conn, key, "forget", c, None)?;
            // A put made after the forget (somebody recorded it again) keeps the entry.
            let put_later = clock(conn, key, "content")?
                .is_some_and(|(h, r, _)| (h, r.as_str()) > (c.hlc, c.replica_id.as_str()));
            if put_later {
                // The entry stays, but the forget still undoes every older pin.
                let pinned = pinned_by_clock(conn, key)?;
                conn.prepare_cached(
                    "UPDATE entries SET pinned = ?2, updated_at = ?3 WHERE content_hash = ?1 AND pinned <> ?2",
                )?
                .execute(params![key, pinned, now])?;
                return Ok(false);
            }
            let f: ForgetPayload = serde_json::from_str(&c.payload).unwrap_or(ForgetPayload {
                category: None,
                forgotten_at: None,
                reason: None,
                evidence: Vec::new(),
            });
            let at = f.forgotten_at.unwrap_or(now);
            let category = f
                .category
                .as_deref()
                .and_then(|c| c.parse().ok())
                .unwrap_or(Category::Discovery);
            if let Some(id) = knowledge::find_by_hash(conn, key)? {
                curation::forget(conn, id, f.reason.as_deref(), at)?;
            }
            curation::add_tombstone(
                conn,
                &Tombstone {
                    content_hash: key.to_string(),
                    category,
                    forgotten_at: at,
                    reason: f.reason,
                    evidence: f.evidence,
                },
                None,
            )?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// One sighting of an entry (a provenance row), as it travels.
#[derive(Debug, Deserialize)]
struct Sighting {
    session_key: String,
    #[serde(default)]
    event_id: String,
    seen_at: i64,
    #[serde(default)]
    confidence: Option<f64>,
}

/// Adds a pulled sighting to the entry's provenance and returns the entry's id when it
/// was new there (the caller derives occurrences and first/last seen again,
/// `knowledge::refresh`): provenance is a set every replica unions, so the order
/// sightings arrive in does not matter. A sighting of an entry this database does not
/// hold (forgotten, or its put superseded) changes nothing.
fn add_sighting(conn: &Connection, key: &str, c: &Change) -> rusqlite::Result<Option<i64>> {
    let Ok(s) = serde_json::from_str::<Sighting>(&c.payload) else {
        return Ok(None);
    };
    if !s.session_key.contains(':') {
        return Ok(None);
    }
    let Some(id) = knowledge::find_by_hash(conn, key)? else {
        return Ok(None);
    };
    let added = conn
        .prepare_cached(
            "INSERT INTO entry_sources (entry_id, session_key, event_id, seen_at, confidence) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (entry_id, session_key, event_id) DO NOTHING",
        )?
        .execute(params![
            id,
            s.session_key,
            s.event_id,
            s.seen_at,
            s.confidence.unwrap_or(0.5).clamp(0.0, 1.0)
        ])?;
    Ok((added > 0).then_some(id))
}

/// Whether an entry is pinned by its registers: the last pin or unpin says so, unless a
/// forget came after it (forgetting unpins; knowledge recorded again starts unpinned).
/// Every replica derives the pin from the same registers, whatever order they arrived in.
fn pinned_by_clock(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    let Some((ph, pr, value)) = clock(conn, key, "pin")? else {
        return Ok(false);
    };
    let forgot_later = clock(conn, key, "forget")?.is_some_and(|(fh, fr, _)| (fh, fr) > (ph, pr.clone()));
    Ok(value == Some(1) && !forgot_later)
}

/// Writes a put's content: over the entry with that hash, or as a new entry marked with
/// its origin (lifting an older tombstone of the same knowledge).
fn put_entry(conn: &Connection, key: &str, put: &PutPayload, c: &Change, now: i64) -> rusqlite::Result<()> {
    let category: Category = put.category.parse().unwrap_or(Category::Discovery);
    if let Some(id) = knowledge::find_by_hash(conn, key)? {
        conn.prepare_cached(
            "UPDATE entries SET category = ?2, title = ?3, body = ?4, edited_at = coalesce(?5, edited_at),
                    updated_at = ?6 WHERE id = ?1",
        )?
        .execute(params![
            id,
            category.as_str(),
            put.title,
            put.body,
            put.edited_at,
            now
        ])?;
        return Ok(());
    }
    curation::lift(conn, key)?;
    let entry = Entry {
        id: 0,
        category,
        title: put.title.clone(),
        body: put.body.clone(),
        tags: put
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        files: put.files.clone(),
        repo: put.repo.clone(),
        task: put.task.clone(),
        origin: Origin::Imported,
        confidence: put.confidence.unwrap_or(0.5).clamp(0.0, 1.0),
        occurrences: put.occurrences.unwrap_or(1).max(1),
        first_seen: put.first_seen.unwrap_or(now),
        last_seen: put.last_seen.unwrap_or(now),
        content_hash: key.to_string(),
        why: put
            .why
            .as_deref()
            .map(|w| w.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        sources: Vec::new(),
        pinned: pinned_by_clock(conn, key)?,
        edited_at: put.edited_at,
        source: match put.source.as_deref() {
            Some("user") => Some(EntrySource::User),
            Some("agent") => Some(EntrySource::Agent),
            _ => None,
        },
    };
    let id = knowledge::restore(conn, &entry, entry.confidence)?;
    conn.prepare_cached("UPDATE entries SET remote_author = ?2, origin_replica = ?3 WHERE id = ?1")?
        .execute(params![id, c.author, c.label])?;
    Ok(())
}

/// Where a pulled entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteOrigin {
    /// The PostgreSQL role that pushed it.
    pub author: String,
    /// The label of the replica it was pushed from (e.g. a host name).
    pub replica: String,
}

/// An entry's origin as every list shows it, `AUTHOR on REPLICA` (as `sk show` says it),
/// NULL for knowledge made here: an SQL expression over the `entries` columns, which the
/// searches and the briefing select with their rows.
pub const ORIGIN_SQL: &str = "CASE WHEN remote_author IS NULL THEN NULL ELSE remote_author || ' on ' || coalesce(origin_replica, '?') END";

/// [`ORIGIN_SQL`] for a row read without it: `AUTHOR on REPLICA`, None for what was made
/// here.
pub fn origin_label(author: Option<String>, replica: Option<String>) -> Option<String> {
    author.map(|a| format!("{a} on {}", replica.as_deref().unwrap_or("?")))
}

/// The origin of entry `id` when it was pulled from a remote.
pub fn origin(conn: &Connection, id: i64) -> rusqlite::Result<Option<RemoteOrigin>> {
    let row: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT remote_author, origin_replica FROM entries WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match row {
        Some((Some(author), replica)) => Some(RemoteOrigin {
            author,
            replica: replica.unwrap_or_default(),
        }),
        _ => None,
    })
}
