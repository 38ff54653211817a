//! The ranking formula, kept pure so it is tested and explained without a database:
//!
//! ```text
//! score = relevance × prior × recency × here
//! relevance = bm25 × field_weight / best(bm25 × field_weight of the same kind)
//! prior     = knowledge: (0.5 + confidence) × (1 + 0.15 × ln(occurrences)); sessions: 1
//! recency   = 1 - w + w × 2^(-age / half_life)
//! here      = 1 + here_boost when the hit belongs to the current repository, else 1
//! ```
//!
//! Age lowers a hit at query time only; stored confidence is never rewritten.

use crate::results::Explain;

/// Tunable parts of the formula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankParams {
    /// Days after which age has taken half of what it can take.
    pub half_life_days: f64,
    /// How much of the score age can take away (0 = age is ignored, 1 = all of it).
    pub recency_weight: f64,
    /// Extra share for hits in the current repository.
    pub here_boost: f64,
    /// Bonus field weight when a session's title holds the query's words.
    pub title_bonus: f64,
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams {
            half_life_days: 90.0,
            recency_weight: 0.3,
            here_boost: 0.15,
            title_bonus: 0.5,
        }
    }
}

const DAY_MS: f64 = 86_400_000.0;

/// How much each column of a session's search document (schema v4) counts in its BM25:
/// what a person asked and the title describe a session best; what the agent said and did
/// come next; tool output names everything and counts least.
pub const SESSION_COLUMNS: sk_store::search::sessions::ColumnWeights =
    sk_store::search::sessions::ColumnWeights {
        title: 3.0,
        asked: 2.0,
        said: 1.0,
        did: 1.0,
        saw: 0.5,
    };

/// The longest query (in positive terms) ranked as it is; a pasted paragraph keeps its
/// longest words, since each word is a posting-list walk over the session index.
pub const SESSION_QUERY_TERMS: usize = 24;

/// Sessions a word's share is measured in (the newest), to decide whether it is in half
/// of them or more and so weighs nothing: walking a common word's postings through half of
/// a large history cost more than ranking, and a word is misjudged only when it is in close
/// to half of the sessions, where its IDF is close to zero anyway.
pub const SESSION_COUNT_SAMPLE: u64 = 1024;

/// Sessions scored exactly before the recency and repository factors reorder them: twice
/// the hits asked for, at least this many.
pub const SESSION_POOL_MIN: usize = 20;

/// Records of a shown session (those holding the most query words) weighed to pick the one
/// that represents it.
pub const SNIPPET_CANDIDATES: usize = 8;

/// The query words (the rarest) that pick a shown session's representative record.
pub const SNIPPET_TERMS: usize = 6;

/// In `--kind all`, at most one hit in this many is knowledge.
pub const KNOWLEDGE_SHARE: usize = 3;

/// Of what recency can take from a session (see [`recency`]), the share it does take:
/// relevance decides which session a question is about; age only breaks near-ties.
pub const SESSION_RECENCY_SHARE: f64 = 0.25;

/// Weight of a session record by its kind: what a person typed and what summaries say
/// describe a session better than tool output, which names everything.
pub fn record_kind_weight(kind: &str) -> f64 {
    match kind {
        "prompt" => 2.0,
        "summary" | "task_summary" => 1.8,
        "answer" => 1.3,
        "reasoning" => 1.0,
        "tool_call" => 0.8,
        "tool_result" => 0.6,
        _ => 0.8,
    }
}

/// Share of the query's words found in a session title (0..1), compared lowercased.
pub fn title_coverage(title: Option<&str>, words: &[String]) -> f64 {
    let Some(title) = title else { return 0.0 };
    if words.is_empty() {
        return 0.0;
    }
    let title = title.to_lowercase();
    let found = words.iter().filter(|w| title.contains(w.as_str())).count();
    found as f64 / words.len() as f64
}

/// How much a knowledge entry's own record raises it.
pub fn knowledge_prior(confidence: f64, occurrences: i64) -> f64 {
    (0.5 + confidence.clamp(0.0, 1.0)) * (1.0 + 0.15 * (occurrences.max(1) as f64).ln())
}

/// The recency factor of something last seen at `when` (ms), at `now`.
pub fn recency(p: &RankParams, when: Option<i64>, now: i64) -> f64 {
    let w = p.recency_weight.clamp(0.0, 1.0);
    let Some(when) = when else { return 1.0 - w };
    if p.half_life_days <= 0.0 {
        return 1.0;
    }
    let age_days = ((now - when).max(0) as f64) / DAY_MS;
    1.0 - w + w * (-age_days / p.half_life_days).exp2()
}

/// BM25's inverse document frequency of a word found in `df` of `n` documents, as FTS5
/// computes it (never below a small positive floor).
pub fn idf(df: u64, n: u64) -> f64 {
    let (df, n) = (df as f64, n as f64);
    (((n - df + 0.5) / (df + 0.5)).ln()).max(1e-6)
}

/// Whether a word says anything about which session is meant: under BM25 a word in half
/// of the documents or more has no weight (FTS5 floors its IDF at 1e-6), so leaving it out
/// of the query changes no ranking and spares scoring every session that has it. (A word
/// found nowhere stays: it costs nothing, and as a prefix it may still find something.)
pub fn informative(df: u64, n: u64) -> bool {
    df.saturating_mul(2) < n
}

/// The least share of a task's word weight (see [`task_coverage`]) that a knowledge entry
/// matched by words alone must hold to appear in a briefing. Below it the match is one of
/// the task's everyday words ("first", "github") and the entry is about something else: a
/// briefing shows nothing rather than that. An entry that touches the task's files, or
/// that a person pinned, is not held to it. On the dev set's 103 tasks the briefings
/// showed 12 entries of the task's own session and 12 others, instead of 20 and 67
/// (`sk-bench-recall --eval-dir`, docs/PERFORMANCE.md, session 15).
pub const BRIEF_ENTRY_MIN_COVERAGE: f64 = 0.2;

/// The same floor for a session matched by words alone: higher, because a session's
/// document holds thousands of words and so some of any task's by chance. On the same
/// tasks the briefings listed the task's own session 86 times instead of 82, with as many
/// other sessions as before (0.4 listed it 90 times, but with twice the others).
pub const BRIEF_SESSION_MIN_COVERAGE: f64 = 0.6;

/// The share of a task's word weight that an item holding the terms `held` (indexes into
/// `counts`) carries: the sum of their IDFs over the sum of all the terms' IDFs, each
/// term's `(documents holding it, documents)` giving its IDF as BM25 computes it. A term
/// that no document holds is left out of both sums: a word the history never saw says
/// nothing about which item is meant. 0 when no term is known.
pub fn task_coverage(counts: &[(u64, u64)], held: &[usize]) -> f64 {
    let weight = |&(df, n): &(u64, u64)| if df == 0 { 0.0 } else { idf(df, n) };
    let total: f64 = counts.iter().map(weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mut held = held.to_vec();
    held.sort_unstable();
    held.dedup();
    let covered: f64 = held.iter().filter_map(|&i| counts.get(i)).map(weight).sum();
    (covered / total).clamp(0.0, 1.0)
}

/// The recency factor of a session: [`recency`] with [`SESSION_RECENCY_SHARE`] of its
/// weight, so that a relevant old session outranks an irrelevant new one.
pub fn session_recency(p: &RankParams, when: Option<i64>, now: i64) -> f64 {
    let p = RankParams {
        recency_weight: p.recency_weight * SESSION_RECENCY_SHARE,
        ..*p
    };
    recency(&p, when, now)
}

/// The score parts of one hit, given its weighted BM25 and the best in its kind.
pub fn explain(
    p: &RankParams,
    bm25: f64,
    field_weight: f64,
    best_weighted: f64,
    prior: f64,
    recency: f64,
    in_here: bool,
) -> Explain {
    let weighted = bm25 * field_weight;
    let relevance = if best_weighted > 0.0 {
        (weighted / best_weighted).clamp(0.0, 1.0)
    } else {
        // Listing without words: every entry is equally relevant.
        1.0
    };
    let here = if in_here { 1.0 + p.here_boost } else { 1.0 };
    Explain {
        bm25,
        field_weight,
        relevance,
        prior,
        recency,
        here,
        score: relevance * prior * recency * here,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_outweigh_tool_output() {
        assert!(record_kind_weight("prompt") > record_kind_weight("answer"));
        assert!(record_kind_weight("answer") > record_kind_weight("tool_result"));
        assert!(record_kind_weight("summary") > record_kind_weight("tool_call"));
    }

    #[test]
    fn recency_halves_what_age_can_take_at_the_half_life() {
        let p = RankParams::default();
        let now = 1_000 * DAY_MS as i64;
        assert!((recency(&p, Some(now), now) - 1.0).abs() < 1e-9);
        let half = now - (p.half_life_days * DAY_MS) as i64;
        assert!((recency(&p, Some(half), now) - (1.0 - p.recency_weight / 2.0)).abs() < 1e-9);
        let ancient = recency(&p, Some(0), now);
        assert!(ancient > 1.0 - p.recency_weight && ancient < 1.0 - p.recency_weight + 0.01);
        // The future (clock skew) counts as now, not as a bonus.
        assert!((recency(&p, Some(now + 5), now) - 1.0).abs() < 1e-9);
        let off = RankParams {
            recency_weight: 0.0,
            ..p
        };
        assert_eq!(recency(&off, Some(0), now), 1.0);
    }

    #[test]
    fn confidence_and_occurrences_raise_knowledge() {
        assert!(knowledge_prior(0.9, 1) > knowledge_prior(0.5, 1));
        assert!(knowledge_prior(0.5, 5) > knowledge_prior(0.5, 1));
        assert!((knowledge_prior(0.5, 1) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn score_multiplies_the_parts_and_the_best_hit_has_relevance_one() {
        let p = RankParams::default();
        let e = explain(&p, 8.0, 2.0, 16.0, 1.2, 0.9, true);
        assert!((e.relevance - 1.0).abs() < 1e-9);
        assert!((e.score - 1.2 * 0.9 * (1.0 + p.here_boost)).abs() < 1e-9);
        let weaker = explain(&p, 4.0, 2.0, 16.0, 1.2, 0.9, false);
        assert!((weaker.relevance - 0.5).abs() < 1e-9 && weaker.score < e.score);
    }

    #[test]
    fn task_coverage_weighs_rare_words_and_ignores_unknown_ones() {
        // 1,000 documents: "github" in 400 of them, "mkdocs" in 3, "pages" in 40, and a
        // word no document holds.
        let counts = [(400, 1000), (3, 1000), (40, 1000), (0, 1000)];
        let common_only = task_coverage(&counts, &[0]);
        let rare_only = task_coverage(&counts, &[1]);
        assert!(common_only < 0.1, "{common_only}");
        assert!(rare_only > 0.5, "{rare_only}");
        assert!((task_coverage(&counts, &[0, 1, 2]) - 1.0).abs() < 1e-9);
        // The unknown word neither counts against an item nor for it; repeats count once.
        assert_eq!(task_coverage(&counts, &[1, 3]), rare_only);
        assert_eq!(task_coverage(&counts, &[1, 1]), rare_only);
        assert_eq!(task_coverage(&[(0, 10)], &[0]), 0.0);
        assert_eq!(task_coverage(&[], &[]), 0.0);
    }

    #[test]
    fn title_coverage_counts_words_in_the_title() {
        let words = ["migration".to_string(), "sqlite".to_string()];
        assert_eq!(title_coverage(Some("SQLite migration fails"), &words), 1.0);
        assert_eq!(title_coverage(Some("a migration"), &words), 0.5);
        assert_eq!(title_coverage(None, &words), 0.0);
    }
}
