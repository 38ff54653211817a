-- Session documents now name the languages other than English that the person wrote in
-- (in the title column), so that "the session I answered in French" finds it. The index
-- shape is unchanged: every document is queued for rebuilding, which `sk migrate` and
-- `sk index` do in batches with progress.
INSERT OR IGNORE INTO session_docs_pending (session_id) SELECT id FROM sessions;
