//! The store reads behind a briefing: the task's words (every word first when the task is
//! short, any word otherwise or when that finds nothing) and its files, turned into the
//! [`Found`] that `assemble` ranks.

use std::collections::BTreeSet;

use rusqlite::Connection;
use sk_store::brief as store;
use sk_store::search;

use super::relevance::{Matches, Probes};
use super::{Context, Found, Limits, session_score, session_strengths, task_terms};
use crate::QueryError;

/// How many task words reach the full-text query: enough for a branch plus a few commit
/// subjects, few enough that the OR query stays fast.
const MAX_TERMS: usize = 32;
/// Up to this many words, every word must match first (a precise, short task).
const ALL_TERMS_UP_TO: usize = 4;
/// Words that reach the full-text query. BM25 reads each word's whole posting list once
/// per query (for its IDF), so a 30-word OR query over a large history costs seconds; the
/// most specific words (the longest: identifiers, file names) carry the task.
const FTS_TERMS: usize = 8;
/// Entries matched by words whose share of the task is checked (the best by BM25): more
/// than the fullest briefing shows of a section, few enough that probing each for each
/// word stays cheap in a knowledge base of 100,000 entries.
const ENTRIES_CHECKED: usize = 50;
/// Sessions loaded in full per source (best text matches, newest file matches).
const SESSIONS_LOADED: usize = 12;
/// Candidate pool sizes per query, far above what a briefing shows.
const POOL: usize = 200;
/// Conventions and decisions considered regardless of the task's words, most trusted first.
/// A briefing shows a handful; every one considered is a row read.
const STANDING: usize = 60;
/// Pinned entries read per briefing: people pin a handful; this bounds a mistaken many.
const PINNED: usize = 100;

/// Runs the store queries for the task's words and files, for a briefing of `limits`.
/// All in one read transaction (one snapshot, one WAL read lock: `sk_store::snapshot`).
pub fn gather(conn: &Connection, ctx: &Context, limits: Limits) -> Result<Found, QueryError> {
    let _snapshot = sk_store::snapshot::ReadSnapshot::begin(conn)?;
    let words = most_specific(task_terms(&ctx.task, MAX_TERMS), FTS_TERMS);
    let terms = words.join(" ");
    let mut found = Found::default();
    // Each query for knowledge, and as the session index reads it (CJK words as bigrams).
    let both = |any: bool| search::fts_query(&terms, any).zip(search::words::session_fts_query(&terms, any));
    let queries = [
        (words.len() <= ALL_TERMS_UP_TO).then(|| both(false)).flatten(),
        both(true),
    ];
    // The precise query first; the any-word one when it finds nothing (or the task is long).
    for (q, sessions_q) in queries.iter().flatten() {
        found.entry_fts = store::entry_scores(conn, q, POOL)?;
        found.session_fts = store::session_scores(conn, sessions_q, &crate::rank::SESSION_COLUMNS, POOL)?;
        if !found.entry_fts.is_empty() || !found.session_fts.is_empty() {
            break;
        }
    }
    // Word matches that hold only the task's common words are about something else.
    let probes = Probes::new(&words);
    probes.keep(conn, Matches::Entries, &mut found.entry_fts, ENTRIES_CHECKED)?;
    found.entry_files = store::entries_for_files(conn, &ctx.files)?;
    found.session_files = store::sessions_for_files(conn, &ctx.files, POOL)?;
    let mut ids: Vec<i64> = found.entry_fts.iter().map(|(id, _)| *id).collect();
    ids.extend(found.entry_files.keys().copied());
    ids.extend(store::standing_entries(conn, STANDING)?);
    ids.extend(store::pinned_entries(conn, PINNED)?);
    found.entries = store::load_entries(conn, &ids, ctx.min_confidence)?;
    if let Some(scope) = &ctx.scope {
        let root = scope.root.as_str();
        let ids: Vec<i64> = found.entries.iter().map(|e| e.id).collect();
        let here = store::entries_from_here(conn, &ids, root, scope.below)?;
        found.entries.retain(|e| super::entry_in_scope(ctx, e, &here));
        let kept: BTreeSet<i64> = found.entries.iter().map(|e| e.id).collect();
        found.entry_fts.retain(|(id, _)| kept.contains(id));
        found.entry_files.retain(|id, _| kept.contains(id));
        let ids: Vec<i64> = found
            .session_fts
            .iter()
            .map(|(id, _)| *id)
            .chain(found.session_files.iter().copied())
            .collect();
        let here: BTreeSet<i64> = store::session_places(conn, &ids, root, scope.below)?
            .into_iter()
            .filter(|(_, under, repo)| *under || super::same_repo(ctx.repo.as_deref(), repo.as_deref()))
            .map(|(id, _, _)| id)
            .collect();
        found.session_fts.retain(|(id, _)| here.contains(id));
        found.session_files.retain(|id| here.contains(id));
    }
    probes.keep(conn, Matches::Sessions, &mut found.session_fts, SESSIONS_LOADED)?;
    // Candidate sessions: the best text matches and the newest file matches.
    let mut session_ids: Vec<i64> = found.session_fts.iter().map(|(id, _)| *id).collect();
    session_ids.extend(found.session_files.iter().rev().take(SESSIONS_LOADED).copied());
    found.sessions = store::load_sessions(conn, &session_ids)?;
    // Their texts (first prompt, latest summaries) cost three index walks each: read them
    // only for the sessions that rank high enough to be shown.
    let (text, touched) = session_strengths(&found);
    let mut ranked: Vec<(f64, usize)> = found
        .sessions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| session_score(ctx, &text, &touched, s).map(|score| (score, i)))
        .collect();
    // The same order as `assemble` (score, then key).
    let key = |i: usize| found.sessions[i].key.as_str();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| key(a.1).cmp(key(b.1))));
    for &(_, i) in ranked.iter().take(limits.sessions) {
        store::fill_session_texts(conn, &mut found.sessions[i])?;
    }
    found.mistake_files = store::mistake_files(conn, POOL)?;
    if ctx.scope.is_some() {
        // Hot files are counted over every repository: in an automatic briefing only those
        // of this repository's own mistakes (or the task's files) may show.
        let own: Vec<&str> = found
            .entries
            .iter()
            .flat_map(|e| e.files.iter().map(String::as_str))
            .chain(ctx.files.iter().map(String::as_str))
            .collect();
        found
            .mistake_files
            .retain(|m| own.iter().any(|f| super::path_matches(&m.path, f)));
    }
    Ok(found)
}

/// The `n` longest words, in their original order (ties keep the earlier word).
pub(crate) fn most_specific(words: Vec<String>, n: usize) -> Vec<String> {
    if words.len() <= n {
        return words;
    }
    let mut by_len: Vec<(usize, usize)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.chars().count(), i))
        .collect();
    by_len.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut keep: Vec<usize> = by_len.into_iter().take(n).map(|(_, i)| i).collect();
    keep.sort_unstable();
    keep.into_iter().map(|i| words[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::most_specific;

    #[test]
    fn the_longest_words_are_kept_in_order() {
        let w: Vec<String> = ["fix", "compute_invoice_total", "webhook.rs", "test", "handlers"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            most_specific(w.clone(), 3),
            vec!["compute_invoice_total", "webhook.rs", "handlers"]
        );
        assert_eq!(most_specific(w.clone(), 9), w);
    }
}
