-- Schema v10: Chinese, Japanese and Korean sessions become searchable in their own words.
--
-- FTS5's `unicode61` does not split scripts written without spaces: a Chinese sentence is
-- one token, so "重复" never found "…这件事情重复了那么多次", and a Korean word carries its
-- particle ("번호를" is not "번호"). A session whose text holds such characters gets a
-- second document here: the same five columns as `session_fts`, each followed by the
-- overlapping character pairs (bigrams) of its CJK runs; a query with a CJK word is ranked
-- here, the word asked for as the phrase of its bigrams (sk_store::search::words).
--
-- Why a table of its own rather than the bigrams in `session_fts`: BM25 divides by the
-- length of the whole document, and bigrams lengthen it, so every English question would
-- rank a session with Chinese prompts lower than before (measured on the dev set: two of
-- sixty questions fell from first to second). Here only CJK queries pay that length.
--
-- Contentless like `session_fts` and rebuilt with it (sk_store::session_docs): every
-- session is queued here, and the next writer (`sk index`, `sk migrate`) builds both
-- documents again, with progress.
CREATE VIRTUAL TABLE session_cjk USING fts5 (
    title, asked, said, did, saw,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER sessions_cjk_ad AFTER DELETE ON sessions
BEGIN
    DELETE FROM session_cjk WHERE rowid = old.id;
END;

INSERT OR IGNORE INTO session_docs_pending (session_id) SELECT id FROM sessions;
