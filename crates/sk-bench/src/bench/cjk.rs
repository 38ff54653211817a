//! Known-item search in Chinese, Japanese and Korean: the dev set's questions are English,
//! so they cannot show whether a word typed in those scripts finds its session. For each
//! session of the evaluated database whose prompts hold CJK text, a few words are drawn
//! (seeded) from its prompts — three or four characters out of a run, as a person would
//! type a word they remember — and `sk query --kind session` must list that session in its
//! first five. Words a sampled run shares with other sessions make it harder, not easier:
//! nothing is filtered.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sk_store::search::words::is_cjk;

use super::eval::{Sk, Tally, first_rank};

/// Words drawn per session.
const PER_SESSION: usize = 5;
/// The seed: the same database gives the same words.
const SEED: u64 = 20_261_207;

/// `(session key, word)` pairs drawn from the prompts of every session with CJK text.
pub fn known_items(db: &Path) -> Result<Vec<(String, String)>> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", db.display()))?;
    let mut runs: BTreeMap<String, Vec<Vec<char>>> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT s.agent || ':' || s.external_id, r.text FROM records r JOIN sessions s ON s.id = r.session_id
         WHERE r.kind = 'prompt' ORDER BY r.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        let text: String = row.get(1)?;
        for run in text.split(|c: char| !is_cjk(c)) {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() >= 3 {
                runs.entry(key.clone()).or_default().push(chars);
            }
        }
    }
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut items = Vec::new();
    for (key, session_runs) in &runs {
        for _ in 0..PER_SESSION {
            let Some(run) = session_runs.choose(&mut rng) else {
                break;
            };
            let n = if run.len() >= 4 {
                rng.random_range(3..=4)
            } else {
                3
            };
            let start = rng.random_range(0..=run.len() - n);
            items.push((key.clone(), run[start..start + n].iter().collect()));
        }
    }
    Ok(items)
}

/// Runs each word as a session query; the tally of where its session ranked.
pub fn measure(sk: &Sk, items: &[(String, String)]) -> Result<Tally> {
    let mut tally = Tally::default();
    for (key, word) in items {
        let args: Vec<String> = [
            "query", "--kind", "session", "--json", "--limit", "10", "--", word,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (out, _, _) = sk.run(&args)?;
        let hits: Vec<String> = serde_json::from_slice::<serde_json::Value>(&out)
            .ok()
            .and_then(|v| v.get("hits")?.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|h| h.get("id")?.as_str().map(str::to_string))
            .collect();
        let answer = std::iter::once(key.clone()).collect();
        tally.add(first_rank(&hits, &answer));
    }
    Ok(tally)
}
