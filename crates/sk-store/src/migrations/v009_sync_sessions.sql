-- Schema v9: `sk sync` carries provenance, and (opt-in, `sk sync setup --sessions`) the
-- searchable digest of each session, so that a search on one machine finds the sessions
-- of another (issue 20).

-- 1. Whether this replica sends its sessions' digests (`setup --sessions`).
ALTER TABLE sync_state ADD COLUMN share_sessions INTEGER NOT NULL DEFAULT 0 CHECK (share_sessions IN (0, 1));

-- 2. Sessions pulled from other replicas: the digest as it arrived (title, prompts and
--    summaries, tool calls and failures, already redacted and cut by the sender), and the
--    `(hlc, replica)` of the write it holds (last writer wins, as for knowledge). This is
--    the primary copy: a full rebuild (`sk index --full`) clears every derived row, and
--    the remote sessions are made searchable again from here
--    (sk_store::sync_sessions::materialize_all).
CREATE TABLE remote_sessions (
    session_key    TEXT PRIMARY KEY,
    agent          TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    title          TEXT,
    repo           TEXT,
    branch         TEXT,
    model          TEXT,
    started_at     INTEGER,
    ended_at       INTEGER,
    prompts        INTEGER NOT NULL DEFAULT 0,
    tool_calls     INTEGER NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0,
    asked          TEXT NOT NULL DEFAULT '',
    did            TEXT NOT NULL DEFAULT '',
    remote_author  TEXT NOT NULL,
    origin_replica TEXT NOT NULL,
    replica_id     TEXT NOT NULL,
    hlc            INTEGER NOT NULL,
    received_at    INTEGER NOT NULL
);

-- 3. A session row made from a remote digest (no records, no source file) names who
--    pushed it and from which replica, like a pulled entry; NULL for sessions whose logs
--    are on this machine. Its search document is built from `remote_sessions`.
ALTER TABLE sessions ADD COLUMN remote_author TEXT;
ALTER TABLE sessions ADD COLUMN origin_replica TEXT;

-- 4. A session's document was (re)built: queue its digest, once until it is pushed (the
--    payload is read at push time, sk_store::sync::pending). Only sessions whose logs are
--    here, that have records, while sync and `--sessions` are on and no pull is applying.
--    The row queued before is replaced, not kept: a push may have read its digest already
--    and be sending it (the network is used without the writer lock); once that batch is
--    recorded as pushed, a row it read would leave this rebuild unsent. The new row's seq
--    is past every batch read so far.
-- The trigger's "already queued" look-up, and requeue's.
CREATE INDEX outbox_entity ON outbox (entity, entity_key);

CREATE TRIGGER sync_session_put AFTER INSERT ON session_docs
WHEN NEW.first_record IS NOT NULL
     AND (SELECT enabled = 1 AND applying = 0 AND share_sessions = 1 FROM sync_state)
     AND (SELECT remote_author IS NULL FROM sessions WHERE id = NEW.session_id)
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    DELETE FROM outbox
    WHERE entity = 'session' AND seq > (SELECT pushed_through FROM sync_state)
      AND entity_key = (SELECT s.agent || ':' || s.external_id FROM sessions s WHERE s.id = NEW.session_id);
    INSERT INTO outbox (hlc, entity, entity_key, op)
    SELECT (SELECT last_hlc FROM sync_state), 'session', s.agent || ':' || s.external_id, 'put'
    FROM sessions s WHERE s.id = NEW.session_id;
END;

-- 5. Provenance travels: each new (entry, session, event) sighting is a change of its own,
--    a member of a grow-only set that every replica unions (occurrences and first/last
--    seen are derived from it, sk_store::knowledge::refresh). Only sightings in a session
--    (`agent:id`): the `manual` mark of `sk learn` stays local. Queued as entity
--    'provenance', op 'put' (the outbox's op CHECK predates it, and SQLite cannot alter a
--    CHECK without rebuilding a table that the v8 triggers name); sk_store::sync::pending
--    hands it to the remote as what the remote's schema calls it since its v1: entity
--    'entry', op 'occurrence'.
CREATE TRIGGER sync_provenance AFTER INSERT ON entry_sources
WHEN NEW.session_key LIKE '_%:_%' AND (SELECT enabled = 1 AND applying = 0 FROM sync_state)
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO outbox (hlc, entity, entity_key, op, payload)
    SELECT (SELECT last_hlc FROM sync_state), 'provenance', e.content_hash, 'put', json_object(
        'session_key', NEW.session_key, 'event_id', NEW.event_id, 'seen_at', NEW.seen_at,
        'confidence', NEW.confidence)
    FROM entries e WHERE e.id = NEW.entry_id;
END;

-- 6. A database that already syncs sends the sightings it holds (as `sk sync setup` queues
--    them for a new replica), each with the time it was seen as its clock.
INSERT INTO outbox (hlc, entity, entity_key, op, payload)
SELECT (s.seen_at << 16) + (row_number() OVER (ORDER BY s.seen_at, e.id, s.session_key, s.event_id) & 65535),
       'provenance', e.content_hash, 'put',
       json_object('session_key', s.session_key, 'event_id', s.event_id, 'seen_at', s.seen_at,
                   'confidence', s.confidence)
FROM entry_sources s JOIN entries e ON e.id = s.entry_id
WHERE s.session_key LIKE '_%:_%' AND (SELECT enabled FROM sync_state) = 1
ORDER BY s.seen_at, e.id, s.session_key, s.event_id;

-- 7. An older sk pulled the sightings and digests others sent and set them aside as not
--    understood, moving its cursor past them: read the remote again from the start
--    (applying is idempotent), so that a replica upgraded after a teammate holds them too.
UPDATE sync_state SET last_xid = '0', last_id = 0 WHERE enabled = 1;
