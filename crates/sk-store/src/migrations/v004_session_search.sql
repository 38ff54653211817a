-- Schema v4: one search document per session, so that a question is ranked against whole
-- sessions by BM25 over every match (no window of newest matches deciding what is scored).
--
-- Why a document per session: people remember sessions, not records, and the words of a
-- question are spread over a session (asked in one prompt, named in a command, seen in an
-- error). Record-level BM25 scores each record alone; a session document lets all of its
-- words count together, and there are few enough sessions (thousands, not millions of
-- records) for FTS5 to score every match of a query.
--
-- Columns, weighted at query time (sk_query::rank): the session's title; what was asked
-- (prompts, summaries); what the agent said; what it did (tool calls, errors, the head of
-- failed output); what it saw (the head of other tool output). `porter` stems English
-- words ("running" finds "run"); identifiers are also indexed split at case changes
-- ("parseJsonLine" adds "parse json line"), done when the document is built.
--
-- Contentless: the text lives in `records`; the documents are rebuilt from it. A session
-- is queued in `session_docs_pending` when its records change and rebuilt by the next
-- writer (sk index, sk migrate), in batches with progress; this migration queues them all.
CREATE VIRTUAL TABLE session_fts USING fts5 (
    title, asked, said, did, saw,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- What each built document covers, and what every surface shows for the session: the
-- agent's own title, else the first real prompt; the repository, else the cwd's folder.
CREATE TABLE session_docs (
    session_id   INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    first_record INTEGER,
    last_record  INTEGER,
    title        TEXT,
    bytes        INTEGER NOT NULL,
    built_at     INTEGER NOT NULL
);

CREATE TABLE session_docs_pending (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE
);
INSERT INTO session_docs_pending (session_id) SELECT id FROM sessions;

CREATE TRIGGER sessions_search_ad AFTER DELETE ON sessions
BEGIN
    DELETE FROM session_fts WHERE rowid = old.id;
END;
