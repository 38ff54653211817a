-- Schema v8: `sk sync` (issue 20). Knowledge travels between replicas through a
-- PostgreSQL remote (crates/sk-sync); this is the local half: the sync state, an outbox
-- written by triggers in the same transaction as the change it records, the clock of
-- the last write each entry's registers hold (conflict resolution), and where a pulled
-- entry came from. Nothing here grows until `sk sync setup` sets `enabled`.

-- 1. One row: whether sync is set up, the replica this database is on the remote, the
--    push and pull positions, and the hybrid logical clock.
--    `applying` is set inside the write transaction that applies pulled changes and
--    cleared before it commits: the triggers below skip while it is set, so a pulled
--    change is not pushed back (echo). A main-schema row (not a TEMP table, which
--    triggers cannot read, nor an app-defined function, which every connection that
--    writes entries would have to register) is visible only inside that transaction.
CREATE TABLE sync_state (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    enabled        INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    applying       INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1)),
    replica_id     TEXT,
    team           TEXT,
    label          TEXT,
    -- The remote's meta.instance_id: a change means the remote was re-created.
    instance_id    TEXT,
    -- Outbox rows up to this seq are done with (sent, or withheld: too large, or of a
    -- repository this machine does not share).
    pushed_through INTEGER NOT NULL DEFAULT 0,
    -- The largest seq actually sent: a remote holding less lost changes (restored from
    -- an older backup) and is sent everything again.
    sent_through   INTEGER NOT NULL DEFAULT 0,
    -- The pull cursor (xid8 as text, changes.id).
    last_xid       TEXT NOT NULL DEFAULT '0',
    last_id        INTEGER NOT NULL DEFAULT 0,
    -- (unix ms << 16) | counter: the newest clock value made or seen here.
    last_hlc       INTEGER NOT NULL DEFAULT 0,
    last_push_at   INTEGER,
    last_pull_at   INTEGER,
    last_error     TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);

-- 2. Local changes not yet known to be on the remote. AUTOINCREMENT: a seq is never
--    reused after pushed rows are pruned, since (replica, seq) is the remote's
--    idempotency key. The entity key is the entry's content hash: it names the same
--    knowledge on every replica and survives edits (curation::Edit keeps it).
--    `hlc` is taken in the trigger from sync_state.last_hlc (max(now << 16, last + 1)),
--    so every local change has a clock value when it is made: conflict resolution
--    compares it with pulled changes before the row is pushed.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    hlc        INTEGER NOT NULL,
    entity     TEXT NOT NULL DEFAULT 'entry',
    entity_key TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('put', 'forget', 'pin', 'unpin')),
    payload    TEXT NOT NULL DEFAULT '{}'
);

-- 3. Per entry and register (content, pin, forget): the (hlc, replica) of the write
--    this database holds. A pulled change applies only when it is newer; a forget
--    beats every older change. Local writes record theirs in the triggers.
CREATE TABLE sync_clock (
    entity_key TEXT NOT NULL,
    register   TEXT NOT NULL CHECK (register IN ('content', 'pin', 'forget')),
    hlc        INTEGER NOT NULL,
    replica_id TEXT NOT NULL,
    -- pin: 1 pinned, 0 not.
    value      INTEGER,
    PRIMARY KEY (entity_key, register)
) WITHOUT ROWID;

-- 4. A pulled entry names who pushed it (the PostgreSQL role) and from which replica
--    (its label, e.g. a host name); NULL for knowledge made here.
ALTER TABLE entries ADD COLUMN remote_author TEXT;
ALTER TABLE entries ADD COLUMN origin_replica TEXT;

-- 5. The triggers. Each takes the next clock value, writes the outbox row, and records
--    the register's clock. They fire only while sync is enabled and not applying. A
--    write is always newer than the one it replaces in its register: a value pulled from
--    a replica whose clock ran ahead is passed by one, so the next edit here reaches every
--    replica instead of losing to it there while showing here.
--    The time is julianday('now') in milliseconds (SQLite's 'now' has millisecond
--    resolution and is fixed within one statement).
CREATE TRIGGER sync_entries_put AFTER INSERT ON entries
WHEN (SELECT enabled = 1 AND applying = 0 FROM sync_state)
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO outbox (hlc, entity_key, op, payload)
    SELECT max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'content'), 0)), NEW.content_hash, 'put', json_object(
        'category', NEW.category, 'title', NEW.title, 'body', NEW.body, 'tags', NEW.tags,
        'repo', NEW.repo, 'task', NEW.task, 'origin', NEW.origin, 'confidence', NEW.confidence,
        'occurrences', NEW.occurrences, 'first_seen', NEW.first_seen, 'last_seen', NEW.last_seen,
        'why', NEW.why, 'source', NEW.source, 'edited_at', NEW.edited_at)
    FROM sync_state;
    INSERT INTO sync_clock (entity_key, register, hlc, replica_id)
    SELECT NEW.content_hash, 'content', max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'content'), 0)), replica_id FROM sync_state WHERE true
    ON CONFLICT (entity_key, register) DO UPDATE SET hlc = excluded.hlc, replica_id = excluded.replica_id;
    -- Knowledge recorded again after a forget takes the pin its register holds when that
    -- pin is newer than the forget (a forget unpins), as a pulled copy would
    -- (sk_store::sync::pinned_by_clock); the update is itself a pin change to push.
    UPDATE entries SET pinned = 1 WHERE id = NEW.id AND NEW.pinned = 0 AND EXISTS (
        SELECT 1 FROM sync_clock p WHERE p.entity_key = NEW.content_hash AND p.register = 'pin' AND p.value = 1
          AND NOT EXISTS (SELECT 1 FROM sync_clock f WHERE f.entity_key = p.entity_key AND f.register = 'forget'
                          AND (f.hlc, f.replica_id) > (p.hlc, p.replica_id)));
END;

CREATE TRIGGER sync_entries_edit AFTER UPDATE OF category, title, body ON entries
WHEN (SELECT enabled = 1 AND applying = 0 FROM sync_state)
     AND (OLD.category IS NOT NEW.category OR OLD.title IS NOT NEW.title OR OLD.body IS NOT NEW.body)
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO outbox (hlc, entity_key, op, payload)
    SELECT max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'content'), 0)), NEW.content_hash, 'put', json_object(
        'category', NEW.category, 'title', NEW.title, 'body', NEW.body, 'tags', NEW.tags,
        'repo', NEW.repo, 'task', NEW.task, 'origin', NEW.origin, 'confidence', NEW.confidence,
        'occurrences', NEW.occurrences, 'first_seen', NEW.first_seen, 'last_seen', NEW.last_seen,
        'why', NEW.why, 'source', NEW.source, 'edited_at', NEW.edited_at)
    FROM sync_state;
    INSERT INTO sync_clock (entity_key, register, hlc, replica_id)
    SELECT NEW.content_hash, 'content', max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'content'), 0)), replica_id FROM sync_state WHERE true
    ON CONFLICT (entity_key, register) DO UPDATE SET hlc = excluded.hlc, replica_id = excluded.replica_id;
END;

-- Pinning is a register of its own: an edit elsewhere does not unpin, nor a pin undo
-- an edit. An entry inserted pinned (an import, a restore) also records its pin.
CREATE TRIGGER sync_entries_pin AFTER UPDATE OF pinned ON entries
WHEN (SELECT enabled = 1 AND applying = 0 FROM sync_state) AND OLD.pinned IS NOT NEW.pinned
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO outbox (hlc, entity_key, op)
    SELECT max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'pin'), 0)), NEW.content_hash, CASE WHEN NEW.pinned = 1 THEN 'pin' ELSE 'unpin' END FROM sync_state;
    INSERT INTO sync_clock (entity_key, register, hlc, replica_id, value)
    SELECT NEW.content_hash, 'pin', max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'pin'), 0)), replica_id, NEW.pinned FROM sync_state WHERE true
    ON CONFLICT (entity_key, register) DO UPDATE
        SET hlc = excluded.hlc, replica_id = excluded.replica_id, value = excluded.value;
END;

CREATE TRIGGER sync_entries_insert_pinned AFTER INSERT ON entries
WHEN (SELECT enabled = 1 AND applying = 0 FROM sync_state) AND NEW.pinned = 1
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO outbox (hlc, entity_key, op) SELECT max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'pin'), 0)), NEW.content_hash, 'pin' FROM sync_state;
    INSERT INTO sync_clock (entity_key, register, hlc, replica_id, value)
    SELECT NEW.content_hash, 'pin', max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'pin'), 0)), replica_id, 1 FROM sync_state WHERE true
    ON CONFLICT (entity_key, register) DO UPDATE
        SET hlc = excluded.hlc, replica_id = excluded.replica_id, value = excluded.value;
END;

-- Forgetting writes a tombstone (and deletes the entry): the tombstone is the change.
-- An entry deleted because re-extraction no longer supports it is not forgotten and
-- sends nothing.
CREATE TRIGGER sync_forget AFTER INSERT ON forgotten
WHEN (SELECT enabled = 1 AND applying = 0 FROM sync_state)
BEGIN
    UPDATE sync_state SET last_hlc = max(last_hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);
    INSERT INTO outbox (hlc, entity_key, op, payload)
    SELECT max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'forget'), 0)), NEW.content_hash, 'forget', json_object(
        'category', NEW.category, 'forgotten_at', NEW.forgotten_at, 'reason', NEW.reason,
        -- The entry is still there (the tombstone is written first): its repository decides
        -- whether the forget may leave the machine (sk sync setup --exclude-repo).
        'repo', (SELECT repo FROM entries WHERE content_hash = NEW.content_hash))
    FROM sync_state;
    INSERT INTO sync_clock (entity_key, register, hlc, replica_id)
    SELECT NEW.content_hash, 'forget', max(last_hlc, coalesce((SELECT hlc + 1 FROM sync_clock WHERE entity_key = NEW.content_hash AND register = 'forget'), 0)), replica_id FROM sync_state WHERE true
    ON CONFLICT (entity_key, register) DO UPDATE SET hlc = excluded.hlc, replica_id = excluded.replica_id;
END;
