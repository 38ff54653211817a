-- Schema v7: each session document also counts the session's prompts, tool calls and
-- failed tool results (tool_result records with success = 0), the numbers `sk sessions`
-- shows. A session list sorted by one of them over the whole history (the web UI's "most
-- failures") would otherwise count every session's records at page time; the document is
-- rebuilt whenever the session's records change, so the counts are kept there, exact.
-- A session whose document is not built yet counts 0. Every document is queued for
-- rebuilding, which `sk migrate` and `sk index` do in batches with progress.
ALTER TABLE session_docs ADD COLUMN prompts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_docs ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_docs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO session_docs_pending (session_id) SELECT id FROM sessions;
