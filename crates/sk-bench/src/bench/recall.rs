//! The recall benchmark behind `sk-bench-recall`: a fixed set of 100 queries of mixed
//! length (one word to a pasted task description, phrases, exclusions, prefixes, filters)
//! and a fixed set of briefing tasks, each run as a fresh `sk` process against a database
//! built from the generated corpus, so the figures include process start, opening the
//! database and the telemetry write — what a user or an agent's hook waits for.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use super::report::{Bound, Target};

/// `sk query` median over the query set.
pub const QUERY_MEDIAN_MS: Target = Target {
    name: "query_median_ms",
    bound: Bound::AtMost(10.0),
    unit: " ms",
    decimals: 1,
};
/// `sk query` 99th percentile over the query set.
pub const QUERY_P99_MS: Target = Target {
    name: "query_p99_ms",
    bound: Bound::AtMost(50.0),
    unit: " ms",
    decimals: 1,
};
/// `sk brief` median.
pub const BRIEF_MEDIAN_MS: Target = Target {
    name: "brief_median_ms",
    bound: Bound::AtMost(30.0),
    unit: " ms",
    decimals: 1,
};

/// Words that occur in the generated corpus (its vocabulary) and a few that do not.
const WORDS: &[&str] = &[
    "database",
    "migrations",
    "webhook",
    "auth",
    "config",
    "timeout",
    "retry",
    "borrow",
    "parser",
    "cache",
    "locale",
    "pagination",
    "logging",
    "panicked",
    "assertion",
    "refund",
    "invoice",
    "discount",
    "signature",
    "cursor",
    "shutdown",
    "metrics",
    "validation",
    "backoff",
    "utf-8",
    "timestamp",
    "hashmap",
    "lint",
    "clippy",
    "eslint",
    "pytest",
    "vitest",
    "schema",
    "handler",
    "deploy",
    "rename",
    "refactor",
    "flaky",
    "race",
    "deadlock",
];

const PHRASES: &[&str] = &[
    "\"database migrations\"",
    "\"exponential backoff\"",
    "\"off-by-one error\"",
    "\"held across an await point\"",
    "\"loses its source\"",
    "\"graceful shutdown\"",
    "\"type error\"",
    "\"cache key ignores the locale\"",
    "\"failing test\"",
    "\"public API unchanged\"",
];

const TASKS: &[&str] = &[
    "Fix the failing test for compute_invoice_total in src/handlers/webhook.rs",
    "Our users report that pagination breaks when the input is empty, find the cause and fix it",
    "Add retry with exponential backoff to verify_webhook_signature",
    "Refactor load_config so it handles the environment override correctly",
    "Why is parse_table so slow with large inputs? Investigate caching of results and propose a fix",
    "Write unit tests for apply_discount covering the error paths and the empty input",
    "The CI job fails on cargo clippy, please make it pass without touching unrelated files",
    "Review src/auth.rs for bugs related to timestamp parsing in UTC versus local time",
    "Implement graceful shutdown in the worker and follow the existing patterns in src/main.rs",
    "The retry loop never sleeps between attempts and the test relies on HashMap iteration order",
];

/// One benchmark query: the words and the options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchQuery {
    pub words: Vec<String>,
    pub options: Vec<String>,
}

impl BenchQuery {
    /// `query OPTIONS -- WORDS`: after `--` a `-word` exclusion is never read as an option.
    pub fn args(&self) -> Vec<String> {
        let mut a = vec!["query".to_string()];
        a.extend(self.options.iter().cloned());
        a.push("--".to_string());
        a.extend(self.words.iter().cloned());
        a
    }
}

/// The 100 queries, in a fixed order: 30 single words, 25 pairs, 15 of three or four
/// words, 10 phrases, 10 with an exclusion or an unfinished last word, 10 long tasks.
pub fn queries() -> Vec<BenchQuery> {
    let w = |i: usize| WORDS[i % WORDS.len()].to_string();
    let mut out: Vec<Vec<String>> = Vec::with_capacity(100);
    for i in 0..30 {
        out.push(vec![w(i * 7)]);
    }
    for i in 0..25 {
        out.push(vec![w(i * 3), w(i * 5 + 1)]);
    }
    for i in 0..15 {
        let mut q = vec![w(i * 11), w(i * 13 + 2), w(i * 17 + 5)];
        if i % 2 == 0 {
            q.push(w(i + 9));
        }
        out.push(q);
    }
    for p in PHRASES {
        out.push(vec![(*p).to_string()]);
    }
    for i in 0..10 {
        // One argument, so `-word` is not read as an option.
        let q = if i % 2 == 0 {
            format!("{} -{}", w(i * 3), w(i * 7 + 4))
        } else {
            let word = w(i * 5);
            let cut: String = word
                .chars()
                .take(word.chars().count().div_ceil(2).max(3))
                .collect();
            format!("{} {cut}", w(i * 2 + 1))
        };
        out.push(vec![q]);
    }
    for t in TASKS {
        out.push(vec![(*t).to_string()]);
    }
    // Filters on a few, as people use them.
    out.into_iter()
        .enumerate()
        .map(|(i, words)| {
            let options: Vec<String> = match i % 10 {
                3 => vec!["--kind".into(), "knowledge".into()],
                6 => vec!["--since".into(), "365d".into()],
                9 => vec!["--compact".into()],
                _ => Vec::new(),
            };
            BenchQuery { words, options }
        })
        .collect()
}

/// The briefing tasks.
pub fn brief_tasks() -> &'static [&'static str] {
    TASKS
}

/// Where and how to run sk.
#[derive(Debug, Clone)]
pub struct Runner {
    pub sk: PathBuf,
    pub db: PathBuf,
    /// An empty home, so nothing of the real one is read.
    pub home: PathBuf,
}

impl Runner {
    /// Runs `sk ARGS` once and returns its wall time; fails when sk fails.
    pub fn time(&self, args: &[String]) -> Result<Duration> {
        let started = Instant::now();
        let status = Command::new(&self.sk)
            .args(args)
            .env_clear()
            .env("HOME", &self.home)
            .env("SK_DB", &self.db)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(&self.home)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .with_context(|| format!("running {}", self.sk.display()))?;
        let took = started.elapsed();
        if !status.success() {
            bail!("sk {} failed: {status}", args.join(" "));
        }
        Ok(took)
    }
}

/// Builds the database from a corpus with the real `sk index` (the corpus is the child's HOME).
pub fn build_db(sk: &Path, corpus: &Path, db: &Path) -> Result<Duration> {
    let started = Instant::now();
    let status = Command::new(sk)
        .args(["index", "--json"])
        .env("HOME", corpus)
        .env("SK_DB", db)
        .stdout(Stdio::null())
        .status()
        .context("running sk index")?;
    if !status.success() {
        bail!("sk index failed: {status}");
    }
    Ok(started.elapsed())
}

/// Milliseconds at quantile `q` (0..=1) of `samples`, nearest-rank.
pub fn quantile_ms(samples: &[Duration], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let rank = ((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len());
    ms[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_set_is_fixed_and_mixed() {
        let q = queries();
        assert_eq!(q.len(), 100);
        assert_eq!(q, queries(), "deterministic");
        let words = |b: &BenchQuery| {
            b.words
                .iter()
                .map(|a| a.split_whitespace().count())
                .sum::<usize>()
        };
        assert!(q.iter().any(|b| words(b) == 1));
        assert!(q.iter().any(|b| words(b) >= 10));
        assert!(q.iter().any(|b| b.words.iter().any(|a| a.contains(" -"))));
        assert!(q.iter().all(|b| b.args().contains(&"--".to_string())));
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile_ms(&s, 0.5), 50.0);
        assert_eq!(quantile_ms(&s, 0.99), 99.0);
    }
}
