//! Which of a briefing's word matches are about the task. Full-text search finds every
//! entry or session that holds any of the task's words, and BM25's scores are only
//! relative to the best match: when nothing in the history is about the task, the best
//! match is still shown, because it shares "first" or "github" with it. An item matched
//! by words alone is kept when it holds enough of the task's word weight
//! ([`rank::task_coverage`] against [`rank::BRIEF_ENTRY_MIN_COVERAGE`] and
//! [`rank::BRIEF_SESSION_MIN_COVERAGE`]).
//!
//! A word's weight is its rarity among the sessions of the history (all of what was asked,
//! said and run), which hold most of its vocabulary: among a few dozen entries an everyday
//! word ("first", "time") can look as rare as a tool's name. A word that no session holds
//! (knowledge written with `sk learn` or pulled by `sk sync`, a knowledge base without
//! sessions) is weighed among the entries. (Counting sessions and entries together, or the
//! entries whenever they outnumber the sessions, let the entries' few words decide: on the
//! dev set, 96 entries over 48 sessions, the briefings then showed 19 to 57 entries from
//! other sessions instead of 12.)

use rusqlite::Connection;
use sk_store::brief::{self as store, TermsHeld};
use sk_store::search;

use crate::QueryError;
use crate::rank;

/// The task's words as one-word FTS5 queries, with their weights.
pub(super) struct Probes {
    /// For the knowledge index.
    entries: Vec<String>,
    /// The same words as the session index reads them (CJK words as bigram phrases).
    sessions: Vec<String>,
    /// Per word, (documents holding it, documents counted): among the sessions, or among
    /// the entries for a word no session holds.
    counts: Vec<(u64, u64)>,
}

impl Probes {
    pub(super) fn new(conn: &Connection, words: &[String]) -> Result<Probes, QueryError> {
        let (entries, sessions): (Vec<String>, Vec<String>) = words
            .iter()
            .filter_map(|w| search::fts_query(w, false).zip(search::words::session_fts_query(w, false)))
            .unzip();
        let mut counts = store::session_counts(conn, &sessions, rank::SESSION_COUNT_SAMPLE)?;
        // A word no session holds may still be in knowledge written by hand or pulled by
        // `sk sync`: there it is weighed among the entries.
        let unseen: Vec<usize> = (0..counts.len()).filter(|&i| counts[i].0 == 0).collect();
        let among_entries: Vec<String> = unseen.iter().map(|&i| entries[i].clone()).collect();
        let weighed = store::entry_counts(conn, &among_entries, rank::SESSION_COUNT_SAMPLE)?;
        for (&i, c) in unseen.iter().zip(weighed) {
            counts[i] = c;
        }
        Ok(Probes {
            entries,
            sessions,
            counts,
        })
    }

    /// Keeps the best `max` entries of `scores` that cover enough of the task, in their
    /// order; the others are dropped (each one checked costs a probe per word).
    pub(super) fn keep_entries(
        &self,
        conn: &Connection,
        scores: &mut Vec<(i64, f64)>,
        max: usize,
    ) -> Result<(), QueryError> {
        self.keep(
            scores,
            max,
            rank::BRIEF_ENTRY_MIN_COVERAGE,
            &self.entries,
            |terms, ids| store::entry_terms(conn, terms, ids),
        )
    }

    /// The same for sessions, against their own floor.
    pub(super) fn keep_sessions(
        &self,
        conn: &Connection,
        scores: &mut Vec<(i64, f64)>,
        max: usize,
    ) -> Result<(), QueryError> {
        self.keep(
            scores,
            max,
            rank::BRIEF_SESSION_MIN_COVERAGE,
            &self.sessions,
            |terms, ids| store::session_terms(conn, terms, ids),
        )
    }

    fn keep(
        &self,
        scores: &mut Vec<(i64, f64)>,
        max: usize,
        floor: f64,
        terms: &[String],
        probe: impl FnOnce(&[String], &[i64]) -> rusqlite::Result<TermsHeld>,
    ) -> Result<(), QueryError> {
        scores.truncate(max);
        // Only the words that weigh something are asked for: a word in half of the
        // documents or more has no weight under BM25 ([`rank::informative`]), and probing
        // for a word every entry holds costs the most.
        let weighed: Vec<usize> = (0..terms.len())
            .filter(|&i| {
                self.counts
                    .get(i)
                    .is_some_and(|&(df, n)| df > 0 && rank::informative(df, n))
            })
            .collect();
        if weighed.is_empty() {
            // No word of the task tells one document from another (every one is in most
            // of them, or the history holds a single entry): the floor cannot tell what
            // is related, and the matches stay as BM25 ranks them.
            return Ok(());
        }
        let ids: Vec<i64> = scores.iter().map(|(id, _)| *id).collect();
        let held = Self::held(terms, &weighed, |asked| probe(asked, &ids))?;
        scores.retain(|(id, _)| self.coverage(&held, *id) >= floor);
        Ok(())
    }

    /// Which candidates hold which of the `weighed` terms (indexes into `terms`).
    fn held(
        terms: &[String],
        weighed: &[usize],
        probe: impl FnOnce(&[String]) -> rusqlite::Result<TermsHeld>,
    ) -> Result<TermsHeld, QueryError> {
        let asked: Vec<String> = weighed.iter().map(|&i| terms[i].clone()).collect();
        let mut held = probe(&asked)?;
        for found in held.values_mut() {
            for t in found.iter_mut() {
                *t = weighed[*t];
            }
        }
        Ok(held)
    }

    fn coverage(&self, held: &TermsHeld, id: i64) -> f64 {
        let held = held.get(&id).map_or(&[][..], Vec::as_slice);
        rank::task_coverage(&self.counts, held)
    }
}
