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

use std::cell::OnceCell;

use rusqlite::Connection;
use sk_store::brief as store;
use sk_store::search;

use crate::QueryError;
use crate::rank;

/// Which matches a floor is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Matches {
    Entries,
    Sessions,
}

impl Matches {
    fn floor(self) -> f64 {
        match self {
            Matches::Entries => rank::BRIEF_ENTRY_MIN_COVERAGE,
            Matches::Sessions => rank::BRIEF_SESSION_MIN_COVERAGE,
        }
    }
}

/// The task's words as one-word FTS5 queries, with their weights (read once, and only
/// when there is a match to weigh).
pub(super) struct Probes {
    /// For the knowledge index.
    entries: Vec<String>,
    /// The same words as the session index reads them (CJK words as bigram phrases).
    sessions: Vec<String>,
    /// Per word, (documents holding it, documents counted): among the sessions, or among
    /// the entries for a word no session holds.
    counts: OnceCell<Vec<(u64, u64)>>,
}

impl Probes {
    pub(super) fn new(words: &[String]) -> Probes {
        let (entries, sessions): (Vec<String>, Vec<String>) = words
            .iter()
            .filter_map(|w| search::fts_query(w, false).zip(search::words::session_fts_query(w, false)))
            .unzip();
        Probes {
            entries,
            sessions,
            counts: OnceCell::new(),
        }
    }

    fn counts(&self, conn: &Connection) -> Result<&[(u64, u64)], QueryError> {
        if let Some(counts) = self.counts.get() {
            return Ok(counts);
        }
        let mut counts = store::session_counts(conn, &self.sessions, rank::SESSION_COUNT_SAMPLE)?;
        // A word no session holds may still be in knowledge written by hand or pulled by
        // `sk sync`: there it is weighed among the entries.
        let unseen: Vec<usize> = (0..counts.len()).filter(|&i| counts[i].0 == 0).collect();
        if !unseen.is_empty() {
            let among_entries: Vec<String> = unseen.iter().map(|&i| self.entries[i].clone()).collect();
            let weighed = store::entry_counts(conn, &among_entries, rank::SESSION_COUNT_SAMPLE)?;
            for (&i, c) in unseen.iter().zip(weighed) {
                counts[i] = c;
            }
        }
        Ok(self.counts.get_or_init(|| counts))
    }

    /// Keeps the best `max` of `scores` that cover enough of the task, in their order; the
    /// others are dropped (each one checked costs a probe per word).
    pub(super) fn keep(
        &self,
        conn: &Connection,
        matches: Matches,
        scores: &mut Vec<(i64, f64)>,
        max: usize,
    ) -> Result<(), QueryError> {
        scores.truncate(max);
        if scores.is_empty() {
            return Ok(());
        }
        let counts = self.counts(conn)?;
        // Only the words that weigh something are asked for: a word in half of the
        // documents or more has no weight under BM25 ([`rank::informative`]), and probing
        // for a word every entry holds costs the most.
        let weighed: Vec<usize> = (0..counts.len())
            .filter(|&i| counts[i].0 > 0 && rank::informative(counts[i].0, counts[i].1))
            .collect();
        if weighed.is_empty() {
            // No word of the task tells one document from another (every one is in most
            // of them, or the history holds a single entry): the floor cannot tell what
            // is related, and the matches stay as BM25 ranks them.
            return Ok(());
        }
        let terms = match matches {
            Matches::Entries => &self.entries,
            Matches::Sessions => &self.sessions,
        };
        let asked: Vec<String> = weighed.iter().map(|&i| terms[i].clone()).collect();
        let ids: Vec<i64> = scores.iter().map(|(id, _)| *id).collect();
        let mut held = match matches {
            Matches::Entries => store::entry_terms(conn, &asked, &ids)?,
            Matches::Sessions => store::session_terms(conn, &asked, &ids)?,
        };
        // Back to the indexes of all the task's words.
        for found in held.values_mut() {
            for t in found.iter_mut() {
                *t = weighed[*t];
            }
        }
        scores.retain(|(id, _)| {
            let held = held.get(id).map_or(&[][..], Vec::as_slice);
            rank::task_coverage(counts, held) >= matches.floor()
        });
        Ok(())
    }
}
