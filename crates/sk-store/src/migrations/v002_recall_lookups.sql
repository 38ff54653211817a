-- Schema v2: what every briefing (`sk brief`, the session-start hook) reads, made lookups
-- instead of scans. Nothing is removed or reshaped; everything here is derived from rows
-- that v1 already holds and is filled here from them.

-- 1. Prompts and summaries get a full-text index of their own. A briefing matches a task
--    against what people asked and what sessions concluded, not tool output; filtering the
--    whole records index by kind meant reading a record row per match (18 ms of a 60 ms
--    briefing on a 1 GB history). Same tokenizer and the same per-batch high-water mark
--    as `records_fts`: rows are added by `index_pending_text` together with it.
CREATE VIRTUAL TABLE digest_fts USING fts5 (
    text,
    content = 'records',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO digest_fts (rowid, text)
    SELECT id, text FROM records
    WHERE kind IN ('prompt', 'summary', 'task_summary')
      AND id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_records_upto')
    ORDER BY id;
CREATE TRIGGER records_digest_ad AFTER DELETE ON records
WHEN old.kind IN ('prompt', 'summary', 'task_summary')
 AND old.id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'fts_records_upto')
BEGIN
    INSERT INTO digest_fts (digest_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- 2. A session's first prompt and latest summary in log order, found without reading every
--    record of the session. Queries name the same `kind IN (…)` so the planner may use it.
CREATE INDEX records_digest ON records (session_id, source_id, offset, part)
    WHERE kind IN ('prompt', 'summary', 'task_summary');

-- 3. Files named by mistakes, counted as entries change instead of per briefing (an
--    aggregate over every mistake's files: 13 ms on 4,000 mistakes). Kept exact by the
--    triggers below; the last-seen time is recomputed from the remaining mistakes only
--    when a change could lower it.
CREATE TABLE hot_files (
    path      TEXT PRIMARY KEY,
    mistakes  INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX hot_files_rank ON hot_files (mistakes DESC, last_seen DESC, path);
INSERT INTO hot_files (path, mistakes, last_seen)
    SELECT f.path, count(*), max(e.last_seen)
    FROM entry_files f JOIN entries e ON e.id = f.entry_id
    WHERE e.category = 'mistake' GROUP BY f.path;

-- A mistake names one more file.
CREATE TRIGGER hot_files_file_added AFTER INSERT ON entry_files
WHEN (SELECT category FROM entries WHERE id = new.entry_id) = 'mistake'
BEGIN
    INSERT INTO hot_files (path, mistakes, last_seen)
    VALUES (new.path, 1, (SELECT last_seen FROM entries WHERE id = new.entry_id))
    ON CONFLICT (path) DO UPDATE SET
        mistakes = mistakes + 1,
        last_seen = max(last_seen, excluded.last_seen);
END;

-- A mistake no longer names a file. (When the mistake itself is deleted, its row is gone
-- by the time cascading deletes reach `entry_files`; `hot_files_mistake_deleted` counted
-- those already.)
CREATE TRIGGER hot_files_file_removed AFTER DELETE ON entry_files
WHEN (SELECT category FROM entries WHERE id = old.entry_id) = 'mistake'
BEGIN
    UPDATE hot_files SET mistakes = mistakes - 1 WHERE path = old.path;
    DELETE FROM hot_files WHERE path = old.path AND mistakes <= 0;
    UPDATE hot_files SET last_seen = (
        SELECT max(e.last_seen) FROM entry_files f JOIN entries e ON e.id = f.entry_id
        WHERE f.path = old.path AND e.category = 'mistake')
    WHERE path = old.path
      AND last_seen <= (SELECT last_seen FROM entries WHERE id = old.entry_id);
END;

CREATE TRIGGER hot_files_mistake_deleted BEFORE DELETE ON entries
WHEN old.category = 'mistake'
BEGIN
    UPDATE hot_files SET mistakes = mistakes - 1
    WHERE path IN (SELECT path FROM entry_files WHERE entry_id = old.id);
    DELETE FROM hot_files WHERE mistakes <= 0
      AND path IN (SELECT path FROM entry_files WHERE entry_id = old.id);
    UPDATE hot_files SET last_seen = (
        SELECT max(e.last_seen) FROM entry_files f JOIN entries e ON e.id = f.entry_id
        WHERE f.path = hot_files.path AND e.category = 'mistake' AND e.id <> old.id)
    WHERE path IN (SELECT path FROM entry_files WHERE entry_id = old.id)
      AND last_seen <= old.last_seen;
END;

-- A mistake seen again: its files' last-seen times can only rise.
CREATE TRIGGER hot_files_seen_later AFTER UPDATE OF last_seen ON entries
WHEN new.category = 'mistake' AND old.category = 'mistake' AND new.last_seen > old.last_seen
BEGIN
    UPDATE hot_files SET last_seen = max(last_seen, new.last_seen)
    WHERE path IN (SELECT path FROM entry_files WHERE entry_id = new.id);
END;

-- Anything else that changes a mistake's standing (its last sighting withdrawn, or its
-- category changed): recount its files from scratch.
CREATE TRIGGER hot_files_recount AFTER UPDATE OF last_seen, category ON entries
WHEN (old.category = 'mistake' OR new.category = 'mistake')
 AND NOT (new.category = 'mistake' AND old.category = 'mistake' AND new.last_seen >= old.last_seen)
BEGIN
    DELETE FROM hot_files WHERE path IN (SELECT path FROM entry_files WHERE entry_id = new.id);
    INSERT INTO hot_files (path, mistakes, last_seen)
        SELECT f.path, count(*), max(e.last_seen)
        FROM entry_files f JOIN entries e ON e.id = f.entry_id
        WHERE e.category = 'mistake'
          AND f.path IN (SELECT path FROM entry_files WHERE entry_id = new.id)
        GROUP BY f.path;
END;

-- 4. Paths by their last component. A task's files are matched to stored paths by suffix
--    at a `/` boundary (task paths are repository-relative, stored ones often absolute),
--    which no index serves: every briefing scanned all of `entry_files` twice per changed
--    file (110 ms per scan at 100,000 entries). Suffix matches share the file name, so the
--    queries look the name up first. The expression is SQLite's own functions only, so any
--    client can write these tables.
CREATE INDEX entry_files_name ON entry_files (substr(path, length(rtrim(path, replace(path, '/', ''))) + 1));
CREATE INDEX files_name ON files (substr(path, length(rtrim(path, replace(path, '/', ''))) + 1));

-- 5. Conventions and decisions in trust order, for the briefing's standing entries: the
--    most trusted few are read from the front of this index instead of sorting every
--    pattern and decision (90 ms at 20,000 of them). Ties go to the older entry (the
--    rowid that ends every index entry), as the query's `ORDER BY … id` asks.
CREATE INDEX entries_standing ON entries (confidence DESC, occurrences DESC)
    WHERE category IN ('pattern', 'decision');
