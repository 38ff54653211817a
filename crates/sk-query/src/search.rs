//! `sk query` as a library call: parse the text, fetch candidates from the store (every
//! word first, any word when that finds nothing), collapse session records into one hit
//! per session, score every hit with `rank`, and return the best `limit` of them.

use std::collections::HashMap;

use rusqlite::Connection;
use sk_core::Category;
use sk_store::search::sessions as store_sessions;
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
    let want_knowledge = req.kind != Kind::Session;
    let want_sessions = req.kind != Kind::Knowledge && req.category.is_none();
    let category = req.category.map(Category::as_str);
    if parsed.is_empty() {
        // Nothing to search for: list knowledge only when a category asks for a listing.
        let rows = if want_knowledge && req.category.is_some() {
            store::entries(conn, None, category, &req.filters, req.limit.max(ENTRY_POOL))?
        } else {
            Vec::new()
        };
        let mut hits = knowledge_hits(conn, req, rows)?;
        let total = hits.len();
        hits.truncate(req.limit);
        return Ok(results(req, false, total, hits));
    }

    // Knowledge: every word first, the last word as a prefix in a short query, then any
    // word (entries are short: a question's words are rarely all in one).
    let mut relaxed = false;
    let mut knowledge = Vec::new();
    let mut highlight = without_prefix(&parsed);
    if want_knowledge {
        let fetch = |q: &Parsed, any: bool| -> Result<Vec<EntryRow>, QueryError> {
            match q.to_fts(any) {
                Some(fts) => Ok(store::entries(
                    conn,
                    Some(&fts),
                    category,
                    &req.filters,
                    ENTRY_POOL,
                )?),
                None => Ok(Vec::new()),
            }
        };
        let exact = without_prefix(&parsed);
        let mut rows = fetch(&exact, false)?;
        if exact != parsed && positive_terms(&parsed) <= PREFIX_MAX_TERMS && rows.len() < req.limit {
            rows = fetch(&parsed, false)?;
            highlight = parsed.clone();
        }
        if rows.is_empty() && positive_terms(&parsed) > 1 {
            rows = fetch(&most_specific_terms(&exact), true)?;
            relaxed = !rows.is_empty();
        }
        knowledge = knowledge_hits(conn, req, rows)?;
    }

    let mut snippet_ids: HashMap<String, i64> = HashMap::new();
    let sessions = if !want_sessions {
        Vec::new()
    } else if store_sessions::serves(&req.filters) {
        let (hits, any) = ranked_sessions(conn, req, &parsed, &mut snippet_ids)?;
        relaxed |= any;
        hits
    } else {
        let (hits, any) = record_sessions(conn, req, &parsed, &mut snippet_ids)?;
        relaxed |= any;
        hits
    };
    let total = knowledge.len() + sessions.len();
    let mut hits = merge(req.kind, knowledge, sessions, req.limit);
    fill_snippets(conn, &highlight, &mut hits, &snippet_ids)?;
    Ok(results(req, relaxed, total, hits))
}

fn results(req: &Request, relaxed: bool, total: usize, hits: Vec<Hit>) -> Results {
    Results {
        schema_version: SCHEMA_VERSION,
        query: req.text.clone(),
        kind: req.kind.as_str(),
        relaxed,
        total,
        omitted: 0,
        half_life_days: req.params.half_life_days,
        hits,
    }
}

fn positive_terms(p: &Parsed) -> usize {
    p.terms.iter().filter(|t| !t.exclude).count()
}

/// Knowledge rows as hits, scored on their own scale (relevance 1 for the best entry),
/// each naming the sessions it came from.
fn knowledge_hits(conn: &Connection, req: &Request, rows: Vec<EntryRow>) -> Result<Vec<Hit>, QueryError> {
    let here = req.current_repo.as_deref().and_then(repo_key);
    let best = rows.iter().map(|e| e.bm25).fold(0.0_f64, f64::max);
    let mut hits = Vec::with_capacity(rows.len());
    for e in rows {
        let prior = rank::knowledge_prior(e.confidence, e.occurrences);
        let recency = rank::recency(&req.params, Some(e.last_seen), req.now);
        let in_here = here.is_some() && e.repo.as_deref().and_then(repo_key) == here;
        let explain = rank::explain(&req.params, e.bm25, 1.0, best, prior, recency, in_here);
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
            record: None,
            sessions: store::entry_sessions(conn, e.id)?,
            from: e.from,
        });
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    Ok(hits)
}

/// Sessions ranked by their whole documents (schema v4): BM25 over every session that has
/// any of the query's words, so a session covering more of the rarer words ranks higher,
/// then the policy's recency and current-repository factors. The record that best matches
/// inside each session shown gives its snippet and kind.
fn ranked_sessions(
    conn: &Connection,
    req: &Request,
    parsed: &Parsed,
    snippet_ids: &mut HashMap<String, i64>,
) -> Result<(Vec<Hit>, bool), QueryError> {
    // The session index holds CJK text as bigrams too (`sk_store::search::words`).
    let query = most_specific(&parsed.for_sessions(), rank::SESSION_QUERY_TERMS);
    // A query with a CJK word is ranked among the sessions with CJK text, in the index
    // that holds their bigrams; any other in the index of words.
    let index = store_sessions::SessionIndex::for_query(&query);
    // Each positive term alone, as the per-term probes below need it.
    let singles: Vec<(usize, String)> = query
        .terms
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.exclude)
        .filter_map(|(i, t)| {
            let one = Parsed {
                terms: vec![t.clone()],
            };
            without_prefix(&one).to_fts(false).map(|q| (i, q))
        })
        .collect();
    let fts_terms: Vec<String> = singles.iter().map(|(_, q)| q.clone()).collect();
    let (counts, total) =
        store_sessions::document_counts(conn, index, &fts_terms, rank::SESSION_COUNT_SAMPLE)?;
    // Sessions are ranked by any of the words; when one of them is in no session at all,
    // no hit can have every word, and the results say so (`relaxed`). A count of 0 in
    // the sample is checked against the whole history.
    let mut relaxed = false;
    for (fts, _) in fts_terms.iter().zip(&counts).filter(|(_, c)| **c == 0) {
        if !store_sessions::any_session_matches(conn, index, fts)? {
            relaxed = true;
            break;
        }
    }
    // Words in most sessions weigh nothing under BM25 and cost the most to score: leave
    // them out, unless nothing would be left.
    let keep: Vec<bool> = counts.iter().map(|&df| rank::informative(df, total)).collect();
    let any_kept = keep.iter().any(|k| *k);
    let dropped: Vec<usize> = singles
        .iter()
        .zip(&keep)
        .filter(|(_, k)| any_kept && !**k)
        .map(|((i, _), _)| *i)
        .collect();
    let full = query.clone();
    let query = Parsed {
        terms: query
            .terms
            .iter()
            .enumerate()
            .filter(|(i, _)| !dropped.contains(i))
            .map(|(_, t)| t.clone())
            .collect(),
    };
    let exact = without_prefix(&query);
    let pool = req.limit.saturating_mul(2).max(rank::SESSION_POOL_MIN);
    let fetch = |q: &Parsed| -> Result<Vec<store_sessions::SessionRow>, QueryError> {
        match q.to_fts(true) {
            Some(fts) => Ok(store_sessions::sessions(
                conn,
                index,
                &fts,
                &req.filters,
                &rank::SESSION_COLUMNS,
                pool,
            )?),
            None => Ok(Vec::new()),
        }
    };
    let mut rows = fetch(&exact)?;
    // The query the rows came from, with the last word as a prefix again.
    let mut prefixed = query.clone();
    if !dropped.is_empty() && rows.len() < pool {
        // Too few sessions have an informative word to fill the pool: the sessions that
        // have only common words come next, ranked among themselves as BM25 ranks them —
        // so run the whole query (every session it adds scores below those found).
        rows = fetch(&without_prefix(&full))?;
        prefixed = full.clone();
    }
    if without_prefix(&prefixed) != prefixed
        && positive_terms(&prefixed) <= PREFIX_MAX_TERMS
        && rows.len() < req.limit
    {
        // A short query's last word may be half typed: as a prefix it can only add
        // sessions, unless it matches so many words that the pool is cut differently —
        // keep whichever found more.
        let more = fetch(&prefixed)?;
        if more.len() > rows.len() {
            rows = more;
        }
    }
    let here = req.current_repo.as_deref().and_then(repo_key);
    let best = rows.iter().map(|r| r.bm25).fold(0.0_f64, f64::max);
    let mut scored: Vec<(Hit, store_sessions::SessionRow)> = rows
        .into_iter()
        .map(|r| {
            let when = r.ended_at.or(r.started_at);
            let recency = rank::session_recency(&req.params, when, req.now);
            let in_here = here.is_some() && r.repo.as_deref().and_then(repo_key) == here;
            let explain = rank::explain(&req.params, r.bm25, 1.0, best, 1.0, recency, in_here);
            let mut hit = session_hit(
                r.key.clone(),
                r.agent.clone(),
                r.title.clone(),
                r.repo.clone(),
                when,
                "session".to_string(),
                explain,
            );
            hit.from = r.origin.clone();
            (hit, r)
        })
        .collect();
    scored.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then_with(|| a.0.id.cmp(&b.0.id)));
    scored.truncate(req.limit);
    // The record that best represents each shown session: the one holding the most weight
    // of the query's informative words, by record kind (what was asked above tool output).
    let mut probe: Vec<(String, f64)> = singles
        .iter()
        .zip(&counts)
        .filter(|((i, _), _)| !dropped.contains(i))
        .map(|((_, q), &df)| (q.clone(), rank::idf(df, total)))
        .collect();
    // Each term is one index walk per shown session: the rarest few pick the record.
    probe.sort_by(|a, b| b.1.total_cmp(&a.1));
    probe.truncate(rank::SNIPPET_TERMS);
    let probe_terms: Vec<String> = probe.iter().map(|(q, _)| q.clone()).collect();
    let mut hits = Vec::with_capacity(scored.len());
    for (mut hit, row) in scored {
        let candidates = store_sessions::records_in(conn, &probe_terms, &row, rank::SNIPPET_CANDIDATES)?;
        let weight = |m: &store_sessions::RecordMatch| {
            let held: f64 = m.terms.iter().filter_map(|&i| probe.get(i)).map(|(_, w)| w).sum();
            held * rank::record_kind_weight(&m.kind)
        };
        let chosen = candidates.into_iter().max_by(|a, b| {
            weight(a)
                .total_cmp(&weight(b))
                .then_with(|| b.record_id.cmp(&a.record_id))
        });
        if let Some(m) = chosen {
            snippet_ids.insert(hit.id.clone(), m.record_id);
            hit.category = m.kind;
            hit.date = m.ts.or(hit.date);
        }
        hits.push(hit);
    }
    let relaxed = relaxed && !hits.is_empty();
    Ok((hits, relaxed))
}

/// A session as a hit; its snippet is filled for the hits shown.
fn session_hit(
    key: String,
    agent: String,
    title: Option<String>,
    repo: Option<String>,
    date: Option<i64>,
    category: String,
    explain: crate::results::Explain,
) -> Hit {
    Hit {
        kind: HitKind::Session,
        open: format!("sk session {key}"),
        id: key,
        title: title.unwrap_or_else(|| UNTITLED.to_string()),
        date,
        agent: Some(agent),
        repo,
        category,
        snippet: String::new(),
        confidence: None,
        occurrences: None,
        score: explain.score,
        explain,
        record: None,
        sessions: Vec::new(),
        from: None,
    }
}

/// What a session without a title or a prompt is called.
const UNTITLED: &str = "(untitled session)";

/// Sessions found through their records, for filters that are about single records (a
/// file, a directory, record kinds): every word first, else any word; one hit per session,
/// by its best record. Returns the hits and whether any-word matching was needed.
fn record_sessions(
    conn: &Connection,
    req: &Request,
    parsed: &Parsed,
    snippet_ids: &mut HashMap<String, i64>,
) -> Result<(Vec<Hit>, bool), QueryError> {
    let words: Vec<String> = parsed.positive_words().map(str::to_lowercase).collect();
    let pool = req.limit.saturating_mul(RECORD_POOL_PER_HIT).max(RECORD_POOL_MIN);
    let exact = without_prefix(parsed);
    let mut records = store::records(conn, &exact, false, &req.filters, pool)?;
    let mut relaxed = false;
    if records.is_empty() && positive_terms(parsed) > 1 {
        records = store::records(conn, &most_specific_terms(&exact), true, &req.filters, pool)?;
        relaxed = !records.is_empty();
    }
    let here = req.current_repo.as_deref().and_then(repo_key);
    // One hit per session: its best record by weighted BM25.
    let mut best_per_session: HashMap<String, (f64, RecordRow)> = HashMap::new();
    for r in records {
        let coverage = rank::title_coverage(r.title.as_deref(), &words);
        let weight = rank::record_kind_weight(&r.kind) * (1.0 + req.params.title_bonus * coverage);
        let weighted = r.bm25 * weight;
        match best_per_session.get(&r.session) {
            Some((w, _)) if *w >= weighted => {}
            _ => {
                best_per_session.insert(r.session.clone(), (weighted, r));
            }
        }
    }
    let best_record = best_per_session.values().map(|(w, _)| *w).fold(0.0_f64, f64::max);
    let mut hits = Vec::with_capacity(best_per_session.len());
    for (weighted, r) in best_per_session.into_values() {
        snippet_ids.insert(r.session.clone(), r.record_id);
        let when = r.ts.or(r.started_at);
        let recency = rank::session_recency(&req.params, when, req.now);
        let weight = if r.bm25 > 0.0 { weighted / r.bm25 } else { 1.0 };
        let in_here = here.is_some() && r.repo.as_deref().and_then(repo_key) == here;
        let explain = rank::explain(&req.params, r.bm25, weight, best_record, 1.0, recency, in_here);
        hits.push(session_hit(
            r.session, r.agent, r.title, r.repo, when, r.kind, explain,
        ));
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    hits.truncate(req.limit);
    Ok((hits, relaxed))
}

/// One list from the two rankings. Sessions keep their order: knowledge and session scores
/// come from different indexes and are not on one scale, so in `--kind all` a knowledge
/// hit is shown just below a session it came from — the session, then what was learned in
/// it — and an entry whose sessions are not in the list (or that was recorded by hand) only
/// after the sessions. At most a third of the list is knowledge, so lessons never crowd out
/// the sessions a person is looking for.
fn merge(kind: Kind, knowledge: Vec<Hit>, sessions: Vec<Hit>, limit: usize) -> Vec<Hit> {
    match kind {
        Kind::Knowledge => return knowledge.into_iter().take(limit).collect(),
        Kind::Session => return sessions.into_iter().take(limit).collect(),
        Kind::All => {}
    }
    if sessions.is_empty() {
        return knowledge.into_iter().take(limit).collect();
    }
    let mut knowledge_left = limit.div_ceil(rank::KNOWLEDGE_SHARE);
    let mut pending: Vec<Option<Hit>> = knowledge.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(limit);
    for s in sessions {
        let id = s.id.clone();
        out.push(s);
        for slot in pending.iter_mut() {
            if knowledge_left > 0 && slot.as_ref().is_some_and(|k| k.sessions.contains(&id)) {
                out.extend(slot.take());
                knowledge_left -= 1;
            }
        }
    }
    out.extend(pending.into_iter().flatten().take(knowledge_left));
    out.truncate(limit);
    out
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

/// Any-word queries keep the excluded words and the [`RELAXED_TERMS`] longest others:
/// BM25 reads each word's whole posting list once per query, so a pasted paragraph would
/// cost a read of most of the index.
const RELAXED_TERMS: usize = 8;

fn most_specific_terms(p: &Parsed) -> Parsed {
    most_specific(p, RELAXED_TERMS)
}

/// `p` with only its `keep` longest positive terms (and every exclusion).
fn most_specific(p: &Parsed, keep: usize) -> Parsed {
    let positive: Vec<usize> = (0..p.terms.len()).filter(|&i| !p.terms[i].exclude).collect();
    if positive.len() <= keep {
        return p.clone();
    }
    let len = |i: usize| p.terms[i].words.iter().map(|w| w.chars().count()).sum::<usize>();
    let mut ranked = positive.clone();
    ranked.sort_by(|&a, &b| len(b).cmp(&len(a)).then(a.cmp(&b)));
    ranked.truncate(keep);
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
                Some(&rid) => {
                    h.record = Some(rid);
                    store::record_text_head(conn, rid)?
                }
                None => None,
            },
        };
        if let Some(t) = text {
            h.snippet = snippet(&t, &needles);
        }
    }
    Ok(())
}
