//! `sk query` as a library call: parse the text, fetch candidates from the store (every
//! word first, any word when that finds nothing), collapse session records into one hit
//! per session, score every hit with `rank`, and return the best `limit` of them.

use std::collections::HashMap;

use rusqlite::Connection;
use sk_core::Category;
use sk_store::search::{self as store, EntryRow, Filters, Parsed, RecordRow};
use sk_store::snapshot::ReadSnapshot;

use crate::QueryError;
use crate::brief::repo_key;
use crate::rank::{self, RankParams};
use crate::results::{Hit, HitKind, Results, SCHEMA_VERSION};
use crate::snippet::{Needles, snippet};

/// Which hits a query returns (`--kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// Knowledge and sessions in one ranked list.
    #[default]
    All,
    Knowledge,
    Session,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::All => "all",
            Kind::Knowledge => "knowledge",
            Kind::Session => "session",
        }
    }
}

/// One search.
#[derive(Debug, Clone)]
pub struct Request {
    pub text: String,
    pub kind: Kind,
    /// Knowledge of this category only (sessions have none, so it implies knowledge).
    pub category: Option<Category>,
    pub filters: Filters,
    pub limit: usize,
    /// `owner/name` of the repository the user is in, for the ranking boost.
    pub current_repo: Option<String>,
    pub params: RankParams,
    /// "Now" for recency, in ms (a parameter so results are reproducible in tests).
    pub now: i64,
}

/// Knowledge candidates per query: several screens, few enough to rank instantly. Each
/// candidate costs a random read of its row — in a fresh process a page fault or two, the
/// dearest thing a query does (100 → 50 with records: 646 → 561 faults, 12.6 → 10.6 ms for
/// a common word; retrieval evaluation unchanged).
const ENTRY_POOL: usize = 50;
/// Record candidates per hit asked for (several records usually come from one session),
/// and at least [`RECORD_POOL_MIN`].
const RECORD_POOL_PER_HIT: usize = 5;
const RECORD_POOL_MIN: usize = 50;

/// Runs a search, all of its statements in one read transaction (one snapshot, one WAL
/// read lock: `sk_store::snapshot`).
pub fn search(conn: &Connection, req: &Request) -> Result<Results, QueryError> {
    let _snapshot = ReadSnapshot::begin(conn)?;
    let parsed = without_stopwords(Parsed::parse(&req.text));
    let words: Vec<String> = parsed.positive_words().map(str::to_lowercase).collect();
    let want_knowledge = req.kind != Kind::Session;
    let want_sessions = req.kind != Kind::Knowledge && req.category.is_none();
    let category = req.category.map(Category::as_str);
    let record_pool = req.limit.saturating_mul(RECORD_POOL_PER_HIT).max(RECORD_POOL_MIN);
    // The words the snippets mark: as matched (the last one as a prefix only when the
    // prefix query was the one that answered).
    let mut highlight = without_prefix(&parsed);
    let mut relaxed = false;
    // Set when only the session records were searched with any word.
    let mut sessions_relaxed = false;
    let (entries, records) = if parsed.is_empty() {
        // Nothing to search for: list knowledge only when a category asks for a listing.
        let e = if want_knowledge && req.category.is_some() {
            store::entries(conn, None, category, &req.filters, req.limit.max(ENTRY_POOL))?
        } else {
            Vec::new()
        };
        (e, Vec::new())
    } else {
        let fetch = |q: &Parsed, any: bool| -> Result<(Vec<EntryRow>, Vec<RecordRow>), QueryError> {
            let Some(fts) = q.to_fts(any) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let e = match want_knowledge {
                true => store::entries(conn, Some(&fts), category, &req.filters, ENTRY_POOL)?,
                false => Vec::new(),
            };
            let r = match want_sessions {
                true => store::records(conn, q, any, &req.filters, record_pool)?,
                false => Vec::new(),
            };
            Ok((e, r))
        };
        // The last word as typed first; as a prefix only when that finds fewer hits than
        // asked for in a short query (a word still being typed — not the last word of a
        // pasted task). Expanding a common complete word ("test" → test, tests, testing,
        // test_…) costs a merge of every matching list.
        let exact = without_prefix(&parsed);
        let mut found = fetch(&exact, false)?;
        let positive = parsed.terms.iter().filter(|t| !t.exclude).count();
        if exact != parsed && positive <= PREFIX_MAX_TERMS && found.0.len() + found.1.len() < req.limit {
            found = fetch(&parsed, false)?;
            highlight = parsed.clone();
        }
        if found.0.is_empty() && found.1.is_empty() && positive > 1 {
            relaxed = true;
            found = fetch(&most_specific_terms(&exact), true)?;
        } else if found.1.is_empty() && want_sessions && positive > 1 {
            // Knowledge has every word but no session record does (the words are spread
            // over several records): sessions with some of them still answer.
            found.1 = store::records(
                conn,
                &most_specific_terms(&exact),
                true,
                &req.filters,
                record_pool,
            )?;
            sessions_relaxed = !found.1.is_empty();
        }
        found
    };
    let here = req.current_repo.as_deref().and_then(repo_key);
    let in_here = |repo: Option<&str>| here.is_some() && repo.and_then(repo_key) == here;
    let mut hits = Vec::with_capacity(entries.len() + records.len());
    // Which record stands for each session hit, for its snippet.
    let mut snippet_ids: HashMap<String, i64> = HashMap::new();

    let best_entry = entries.iter().map(|e| e.bm25).fold(0.0_f64, f64::max);
    for e in entries {
        let prior = rank::knowledge_prior(e.confidence, e.occurrences);
        let recency = rank::recency(&req.params, Some(e.last_seen), req.now);
        let explain = rank::explain(
            &req.params,
            e.bm25,
            1.0,
            best_entry,
            prior,
            recency,
            in_here(e.repo.as_deref()),
        );
        hits.push(Hit {
            kind: HitKind::Knowledge,
            id: e.id.to_string(),
            open: format!("sk show {}", e.id),
            title: e.title,
            date: Some(e.last_seen),
            agent: None,
            repo: e.repo,
            category: e.category,
            // Filled for the hits shown, after ranking (a listing has the body's start).
            snippet: snippet(&e.snippet, &Needles::default()),
            confidence: Some(e.confidence),
            occurrences: Some(e.occurrences),
            score: explain.score,
            explain,
        });
    }

    // One hit per session: its best record by weighted BM25.
    let mut best_per_session: HashMap<String, (f64, RecordRow)> = HashMap::new();
    for r in records {
        let coverage = rank::title_coverage(r.title.as_deref(), &words);
        let mut weight = rank::record_kind_weight(&r.kind) * (1.0 + req.params.title_bonus * coverage);
        if sessions_relaxed {
            weight *= RELAXED_SESSION_WEIGHT;
        }
        let weighted = r.bm25 * weight;
        match best_per_session.get(&r.session) {
            Some((w, _)) if *w >= weighted => {}
            _ => {
                best_per_session.insert(r.session.clone(), (weighted, r));
            }
        }
    }
    let best_record = best_per_session.values().map(|(w, _)| *w).fold(0.0_f64, f64::max);
    for (weighted, r) in best_per_session.into_values() {
        snippet_ids.insert(r.session.clone(), r.record_id);
        let when = r.ts.or(r.started_at);
        let recency = rank::recency(&req.params, when, req.now);
        let weight = if r.bm25 > 0.0 { weighted / r.bm25 } else { 1.0 };
        let explain = rank::explain(
            &req.params,
            r.bm25,
            weight,
            best_record,
            1.0,
            recency,
            in_here(r.repo.as_deref()),
        );
        hits.push(Hit {
            kind: HitKind::Session,
            open: format!("sk session {}", r.session),
            id: r.session,
            title: r.title.unwrap_or_else(|| "(untitled session)".to_string()),
            date: when,
            agent: Some(r.agent),
            repo: r.repo,
            category: r.kind,
            snippet: String::new(),
            confidence: None,
            occurrences: None,
            score: explain.score,
            explain,
        });
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let total = hits.len();
    hits.truncate(req.limit);
    if !parsed.is_empty() {
        fill_snippets(conn, &highlight, &mut hits, &snippet_ids)?;
    }
    Ok(Results {
        schema_version: SCHEMA_VERSION,
        query: req.text.clone(),
        kind: req.kind.as_str(),
        relaxed,
        total,
        omitted: 0,
        half_life_days: req.params.half_life_days,
        hits,
    })
}

/// Drops words like "the" and "for" when something better is left: they match nearly every
/// record, so requiring them narrows nothing and offering them (any-word) floods results.
/// Phrases keep every word.
fn without_stopwords(p: Parsed) -> Parsed {
    let keep = |t: &sk_store::search::Term| {
        t.exclude || t.words.len() > 1 || !crate::brief::is_stopword(&t.words[0].to_lowercase())
    };
    if p.terms.iter().any(|t| !t.exclude && keep(t)) {
        Parsed {
            terms: p.terms.into_iter().filter(keep).collect(),
        }
    } else {
        p
    }
}

/// Longest query (in positive terms) whose last word is retried as a prefix.
const PREFIX_MAX_TERMS: usize = 3;

/// Sessions found with only some of the words, next to knowledge that has all of them,
/// count for less than their BM25 alone says.
const RELAXED_SESSION_WEIGHT: f64 = 0.6;

/// Any-word queries keep the excluded words and the [`RELAXED_TERMS`] longest others:
/// BM25 reads each word's whole posting list once per query, so a pasted paragraph would
/// cost a read of most of the index.
const RELAXED_TERMS: usize = 8;

fn most_specific_terms(p: &Parsed) -> Parsed {
    let positive: Vec<usize> = (0..p.terms.len()).filter(|&i| !p.terms[i].exclude).collect();
    if positive.len() <= RELAXED_TERMS {
        return p.clone();
    }
    let len = |i: usize| p.terms[i].words.iter().map(|w| w.chars().count()).sum::<usize>();
    let mut ranked = positive.clone();
    ranked.sort_by(|&a, &b| len(b).cmp(&len(a)).then(a.cmp(&b)));
    ranked.truncate(RELAXED_TERMS);
    Parsed {
        terms: p
            .terms
            .iter()
            .enumerate()
            .filter(|(i, t)| t.exclude || ranked.contains(i))
            .map(|(_, t)| t.clone())
            .collect(),
    }
}

/// The same query with no prefix matching.
fn without_prefix(p: &Parsed) -> Parsed {
    let mut q = p.clone();
    for t in &mut q.terms {
        t.prefix = false;
    }
    q
}

/// Fills the snippets of the hits that are shown (the ranked query leaves them empty).
fn fill_snippets(
    conn: &Connection,
    parsed: &Parsed,
    hits: &mut [Hit],
    record_ids: &HashMap<String, i64>,
) -> Result<(), QueryError> {
    let needles = Needles::new(parsed);
    for h in hits {
        let text = match h.kind {
            HitKind::Knowledge => match h.id.parse::<i64>() {
                Ok(id) => store::entry_body(conn, id)?,
                Err(_) => None,
            },
            HitKind::Session => match record_ids.get(&h.id) {
                Some(&rid) => store::record_text_head(conn, rid)?,
                None => None,
            },
        };
        if let Some(t) = text {
            h.snippet = snippet(&t, &needles);
        }
    }
    Ok(())
}
