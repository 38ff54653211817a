-- Schema v6: people curate knowledge (`sk knowledge forget|edit|pin|unpin`), and entries
-- say whether a person or an agent recorded them (`sk learn --source agent`).

-- 1. Forgotten entries. Forgetting deletes the entry, so it is gone from every surface
--    (search, briefings, hooks, export) without a filter in each of them; what stays is a
--    tombstone naming what extraction would produce again: the entry's content hash, and
--    the evidence it was extracted from (`forgotten_evidence`, the entry's provenance rows
--    that name an event), so that re-extracting the same evidence into a slightly different
--    title is recognised too. No title or body is kept: forgetting is how a person removes
--    text. Tombstones travel with exports; an imported one has no local entry id.
CREATE TABLE forgotten (
    content_hash TEXT PRIMARY KEY,
    category     TEXT NOT NULL,
    -- The id the entry had in this database, for `sk show ID`. New entries are numbered past
    -- it (`meta.forgotten_ids_upto`), so an id never names a second entry.
    entry_id     INTEGER,
    forgotten_at INTEGER NOT NULL,
    reason       TEXT
);
CREATE INDEX forgotten_entry ON forgotten (entry_id) WHERE entry_id IS NOT NULL;

CREATE TABLE forgotten_evidence (
    content_hash TEXT NOT NULL REFERENCES forgotten (content_hash) ON DELETE CASCADE,
    session_key  TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    PRIMARY KEY (session_key, event_id, content_hash)
) WITHOUT ROWID;
CREATE INDEX forgotten_evidence_hash ON forgotten_evidence (content_hash);

-- 2. Pinned entries are always eligible for a briefing of their repository (or of any,
--    when they name none). Few, so a partial index serves the briefing's lookup.
ALTER TABLE entries ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
CREATE INDEX entries_pinned ON entries (id) WHERE pinned = 1;

-- 3. When a person last edited the entry's title, body or category. Merging a recurrence
--    never rewrites an entry's text; an edited entry is also never deleted when
--    re-extraction stops supporting it, since the text is now the person's.
ALTER TABLE entries ADD COLUMN edited_at INTEGER;

-- 4. Who recorded a hand-written entry: 'user' (`sk learn`) or 'agent'
--    (`sk learn --source agent`); NULL for extracted entries and those stored before v6.
ALTER TABLE entries ADD COLUMN source TEXT CHECK (source IN ('user', 'agent'));
