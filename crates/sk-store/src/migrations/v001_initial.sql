-- v001 initial schema.
-- Why this shape: sessions and their source files are derived from the logs and can be
-- rebuilt at any time; knowledge entries may be hand-written (`sk learn`) and exist only
-- here, so they never reference derived rows by integer id (provenance names sessions by
-- agent + external id, which survives a rebuild).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY,
    agent              TEXT NOT NULL,
    external_id        TEXT NOT NULL,
    parent_external_id TEXT,
    cwd                TEXT,
    repo               TEXT,
    branch             TEXT,
    head_commit        TEXT,
    title              TEXT,
    model              TEXT,
    agent_version      TEXT,
    started_at         INTEGER,
    ended_at           INTEGER,
    source_path        TEXT,
    updated_at         INTEGER NOT NULL,
    -- When knowledge was last extracted from it; extraction revisits sessions updated since.
    extracted_at       INTEGER,
    UNIQUE (agent, external_id)
);
CREATE INDEX sessions_repo ON sessions (repo);
CREATE INDEX sessions_started ON sessions (started_at);
CREATE INDEX sessions_parent ON sessions (parent_external_id) WHERE parent_external_id IS NOT NULL;

-- One row per log file: what was consumed, so the next run reads only new bytes.
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL UNIQUE,
    agent         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('jsonl', 'whole')),
    session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    size          INTEGER NOT NULL DEFAULT 0,
    mtime_ns      INTEGER NOT NULL DEFAULT 0,
    consumed      INTEGER NOT NULL DEFAULT 0,
    head_len      INTEGER NOT NULL DEFAULT 0,
    head_hash     TEXT,
    lines         INTEGER NOT NULL DEFAULT 0,
    records       INTEGER NOT NULL DEFAULT 0,
    damaged_spans INTEGER NOT NULL DEFAULT 0,
    skipped_bytes INTEGER NOT NULL DEFAULT 0,
    redactions    INTEGER NOT NULL DEFAULT 0,
    last_damage   TEXT,
    ingested_at   INTEGER
);
CREATE INDEX sources_session ON sources (session_id);

-- The indexed conversation. (source_id, offset, part) is both the identity of a record and
-- the index that makes "drop this file's records" and rewinds cheap.
-- AUTOINCREMENT: ids only grow, which is what lets the full-text index be built per batch
-- ("every id above the high-water mark") without ever missing a reused id.
CREATE TABLE records (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    offset     INTEGER NOT NULL,
    part       INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    ts         INTEGER,
    event_id   TEXT,
    message_id TEXT,
    call_id    TEXT,
    tool       TEXT,
    success    INTEGER,
    subagent   INTEGER NOT NULL DEFAULT 0,
    section    TEXT,
    refers_to  TEXT,
    text       TEXT NOT NULL,
    UNIQUE (source_id, offset, part)
);
-- Serves per-session scans (timeline, extraction, cascade deletes) and call/result pairing.
CREATE INDEX records_session ON records (session_id, call_id);
-- Provenance lookups by the agent's event id (rewinds, `sk show`, Claude summaries that
-- name their conversation by `leafUuid`), and the few records that point at another.
CREATE INDEX records_event ON records (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX records_refers ON records (refers_to) WHERE refers_to IS NOT NULL;

CREATE TABLE files (
    id   INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
);
CREATE TABLE record_files (
    record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    file_id   INTEGER NOT NULL REFERENCES files (id),
    PRIMARY KEY (record_id, file_id)
) WITHOUT ROWID;
CREATE INDEX record_files_file ON record_files (file_id);

-- External-content FTS: the text lives once in `records`. Rows are added to the index per
-- batch, in one statement, for every id above `meta.fts_records_upto` (a row-by-row
-- trigger would make FTS5 flush its in-memory index at every statement savepoint, which
-- halves ingest speed). Deleting a record that is already indexed removes its postings
-- through the trigger, so deleting one session touches only that session's rows.
-- Records are never updated in place.
CREATE VIRTUAL TABLE records_fts USING fts5 (
    text,
    content = 'records',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO meta (key, value) VALUES ('fts_records_upto', '0');
CREATE TRIGGER records_ad AFTER DELETE ON records
WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_records_upto')
BEGIN
    INSERT INTO records_fts (records_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- Large texts repeated across sessions (system prompts): kept once, never indexed.
CREATE TABLE system_prompts (
    hash       TEXT PRIMARY KEY,
    agent      TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    seen       INTEGER NOT NULL DEFAULT 1
);

-- Knowledge. `origin` = 'manual' rows exist only here: rebuilds must never delete them.
CREATE TABLE entries (
    id           INTEGER PRIMARY KEY,
    category     TEXT NOT NULL CHECK (category IN
                   ('mistake', 'pattern', 'decision', 'tool', 'feature', 'refactor', 'discovery')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '',
    repo         TEXT,
    task         TEXT,
    origin       TEXT NOT NULL DEFAULT 'extracted' CHECK (origin IN ('extracted', 'manual', 'imported')),
    confidence   REAL NOT NULL DEFAULT 0.5 CHECK (confidence >= 0 AND confidence <= 1),
    occurrences  INTEGER NOT NULL DEFAULT 1,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    why          TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX entries_category ON entries (category, confidence);
CREATE INDEX entries_repo ON entries (repo);

CREATE TABLE entry_files (
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    path     TEXT NOT NULL,
    PRIMARY KEY (entry_id, path)
) WITHOUT ROWID;
CREATE INDEX entry_files_path ON entry_files (path);

-- Provenance: which session (agent:external_id, '' for manual) and event an entry came from.
-- `confidence` is what the source claimed; the entry's confidence is derived from the
-- strongest claim plus a bonus per further session it recurred in.
CREATE TABLE entry_sources (
    entry_id    INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    session_key TEXT NOT NULL DEFAULT '',
    event_id    TEXT NOT NULL DEFAULT '',
    seen_at     INTEGER NOT NULL,
    confidence  REAL NOT NULL DEFAULT 0.5,
    PRIMARY KEY (entry_id, session_key, event_id)
) WITHOUT ROWID;
CREATE INDEX entry_sources_session ON entry_sources (session_key);

CREATE VIRTUAL TABLE entries_fts USING fts5 (
    title,
    body,
    tags,
    content = 'entries',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;
CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
END;
CREATE TRIGGER entries_au AFTER UPDATE OF title, body, tags ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, body, tags)
        VALUES ('delete', old.id, old.title, old.body, old.tags);
    INSERT INTO entries_fts (rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags);
END;

-- Local, never-sent usage records of the recall surfaces; pruned by age.
CREATE TABLE telemetry (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    surface      TEXT NOT NULL,
    query        TEXT,
    hits         INTEGER,
    selected     TEXT,
    output_bytes INTEGER,
    duration_us  INTEGER
);
CREATE INDEX telemetry_at ON telemetry (at);
