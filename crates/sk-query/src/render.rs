//! How search results look: human blocks, one line per hit (`--compact`), JSON, and fitting
//! any of them into a size budget by dropping whole hits from the end — never by cutting
//! text, so JSON always stays valid.

use std::fmt::Write as _;

use sk_core::time::format_ms;

use crate::brief::{CHARS_PER_TOKEN, one_line};
use crate::results::{Hit, HitKind, Results};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human { explain: bool },
    Compact,
    Json,
}

/// Approximate tokens in `text` (the same rough ratio as briefing budgets).
pub fn approx_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(CHARS_PER_TOKEN)
}

fn date(ms: Option<i64>) -> String {
    ms.map(|m| format_ms(m).chars().take(10).collect())
        .unwrap_or_else(|| "----------".to_string())
}

fn label(h: &Hit) -> String {
    match h.kind {
        HitKind::Knowledge => format!("knowledge/{}", h.category),
        HitKind::Session => format!("session/{}", h.category),
    }
}

/// One human block (ends with a blank line).
pub fn human_hit(rank: usize, h: &Hit, explain: bool) -> String {
    let mut s = format!(
        "{rank}. [{}] {}\n   {}",
        label(h),
        one_line(&h.title, 100),
        date(h.date)
    );
    if let Some(a) = &h.agent {
        let _ = write!(s, " · {a}");
    }
    if let Some(r) = &h.repo {
        let _ = write!(s, " · {r}");
    }
    if let (Some(c), Some(n)) = (h.confidence, h.occurrences) {
        let _ = write!(s, " · confidence {c:.2}, seen {n}×");
    }
    if let Some(from) = &h.from {
        let _ = write!(s, " · from {from} (sk sync)");
    }
    let _ = write!(s, "\n   {}\n   open: {}\n", one_line(&h.snippet, 240), h.open);
    if let Some((first, rest)) = h.sessions.split_first() {
        let more = if rest.is_empty() {
            String::new()
        } else {
            format!(" (+{} more)", rest.len())
        };
        let _ = writeln!(s, "   learned in: sk session {first}{more}");
    }
    if explain {
        let e = &h.explain;
        let _ = writeln!(
            s,
            "   score {:.3} = relevance {:.3} (bm25 {:.2} × weight {:.2}) × prior {:.3} × recency {:.3} × here {:.2}",
            e.score, e.relevance, e.bm25, e.field_weight, e.prior, e.recency, e.here
        );
    }
    s.push('\n');
    s
}

/// One `--compact` line: `K 42 2026-07-21 mistake: title — snippet ~35t`.
pub fn compact_hit(h: &Hit) -> String {
    let k = match h.kind {
        HitKind::Knowledge => 'K',
        HitKind::Session => 'S',
    };
    let from = h
        .from
        .as_deref()
        .map(|f| format!(" (from {f}, sk sync)"))
        .unwrap_or_default();
    let body = format!(
        "{k} {} {} {}: {}{from} — {}",
        h.id,
        date(h.date),
        h.category,
        one_line(&h.title, 80),
        one_line(&h.snippet, 160)
    );
    let tokens = approx_tokens(&body);
    format!("{body} ~{tokens}t\n")
}

/// The text before the hits (human format only).
fn header(r: &Results) -> String {
    if r.relaxed {
        "No hit has every word; showing hits with any of them.\n\n".to_string()
    } else {
        String::new()
    }
}

/// Renders `r` in `format`, dropping hits from the end until the whole output fits in
/// `budget` characters (None = no limit). Updates `r.omitted`. Returns the text.
pub fn render(r: &mut Results, format: Format, budget: Option<usize>) -> String {
    match format {
        Format::Json => {
            let all = r.hits.len();
            loop {
                r.omitted = all - r.hits.len();
                let text = json(r);
                let fits = budget.is_none_or(|b| text.chars().count() <= b);
                if fits || r.hits.is_empty() {
                    return text;
                }
                r.hits.pop();
            }
        }
        Format::Human { explain } => {
            let mut out = header(r);
            let mut used = out.chars().count();
            let mut kept = 0;
            for (i, h) in r.hits.iter().enumerate() {
                let block = human_hit(i + 1, h, explain);
                let n = block.chars().count();
                if budget.is_some_and(|b| used + n > b) {
                    break;
                }
                used += n;
                out.push_str(&block);
                kept += 1;
            }
            finish(r, kept);
            if r.hits.is_empty() && r.omitted == 0 {
                out.push_str("No matches.\n");
            }
            out
        }
        Format::Compact => {
            let mut out = String::new();
            let mut used = 0;
            let mut kept = 0;
            for h in &r.hits {
                let line = compact_hit(h);
                let n = line.chars().count();
                if budget.is_some_and(|b| used + n > b) {
                    break;
                }
                used += n;
                out.push_str(&line);
                kept += 1;
            }
            finish(r, kept);
            out
        }
    }
}

fn finish(r: &mut Results, kept: usize) {
    r.omitted = r.hits.len() - kept;
    r.hits.truncate(kept);
}

/// Pretty JSON plus a newline: exactly what `sk query --json` prints.
pub fn json(r: &Results) -> String {
    // Plain structs of strings and numbers: serializing cannot fail.
    serde_json::to_string_pretty(r)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Explain, SCHEMA_VERSION};

    fn hit(i: usize) -> Hit {
        let explain = Explain {
            bm25: 1.0,
            field_weight: 1.0,
            relevance: 1.0,
            prior: 1.0,
            recency: 1.0,
            here: 1.0,
            score: 1.0 / (i as f64 + 1.0),
        };
        Hit {
            kind: if i.is_multiple_of(2) {
                HitKind::Knowledge
            } else {
                HitKind::Session
            },
            id: format!("id{i}"),
            open: format!("sk show {i}"),
            title: format!("title number {i}"),
            date: Some(1_780_000_000_000),
            agent: None,
            repo: Some("acme/demo".into()),
            category: "mistake".into(),
            snippet: "some [match] here".repeat(3),
            confidence: Some(0.5),
            occurrences: Some(1),
            score: explain.score,
            explain,
            record: None,
            sessions: Vec::new(),
            from: None,
        }
    }

    fn results(n: usize) -> Results {
        Results {
            schema_version: SCHEMA_VERSION,
            query: "q".into(),
            kind: "all",
            relaxed: false,
            total: n,
            omitted: 0,
            half_life_days: 90.0,
            hits: (0..n).map(hit).collect(),
        }
    }

    #[test]
    fn every_format_stays_within_the_budget_by_whole_hits() {
        for format in [Format::Json, Format::Compact, Format::Human { explain: true }] {
            let full = render(&mut results(10), format, None);
            for budget in [
                full.chars().count() / 3,
                full.chars().count() / 2,
                full.chars().count(),
            ] {
                let mut r = results(10);
                let text = render(&mut r, format, Some(budget));
                assert!(
                    text.chars().count() <= budget,
                    "{format:?} {budget}: {}",
                    text.len()
                );
                assert_eq!(r.hits.len() + r.omitted, 10);
                if budget == full.chars().count() {
                    assert_eq!(r.omitted, 0, "{format:?}: the full output fits its own size");
                }
                if format == Format::Json {
                    let v: serde_json::Value = serde_json::from_str(&text).expect("valid json");
                    assert_eq!(v["omitted"], r.omitted);
                }
            }
        }
    }

    #[test]
    fn compact_is_one_line_per_hit_with_a_token_count() {
        let mut r = results(3);
        let text = render(&mut r, Format::Compact, None);
        assert_eq!(text.lines().count(), 3);
        for line in text.lines() {
            let n: usize = line
                .rsplit_once(" ~")
                .and_then(|(_, t)| t.strip_suffix('t'))
                .and_then(|t| t.parse().ok())
                .expect("token count");
            assert!(n > 0 && n <= line.len() / 3, "{line}");
        }
    }
}
