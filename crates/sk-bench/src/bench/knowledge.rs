//! The knowledge benchmark on real logs (`sk-bench-knowledge`): what `sk index` extracts
//! from the development set's sessions, judged against labels kept in the repository.
//!
//! Two label files, both written by reading the entries and the logs (our own words, no
//! session text; the logs themselves stay outside the repository):
//!
//! - **entry labels** (`knowledge-labels.tsv`): one row per extracted entry, keyed by
//!   [`entry_key`] (its content hash), with the rubric's judgement (useful / marginal /
//!   noise) and whether the category is right;
//! - **cases** (`knowledge-cases.tsv`): the real failure→fix and correction cases found by
//!   reading the logs, each with the entry keys that capture it and whether with its fix.
//!
//! An entry whose key has no label is counted as unlabelled and named: extraction changed,
//! and the new entries need judging before the figures mean anything.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The rubric's judgement of one entry (`../shared/eval/knowledge-rubric.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    Useful,
    Marginal,
    Noise,
}

/// One labelled entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub judgement: Judgement,
    pub category_ok: bool,
}

/// How far a case made it into the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Captured {
    WithFix,
    WithoutFix,
    Missed,
}

/// One real failure→fix or correction case of the logs.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub file: String,
    pub kind: String,
    pub captured: Captured,
    /// The entries judged to capture it.
    pub entry_keys: Vec<String>,
}

/// An extracted entry as the benchmark sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub category: String,
    pub title: String,
    /// Its quality: entries under `sk_core::knowledge::SHOWN_MIN_CONFIDENCE` are stored and
    /// searchable but not shown by default.
    pub confidence: f64,
}

impl Entry {
    /// Whether `sk query`, `sk brief` and the hooks show it without `--all-quality`.
    pub fn shown(&self) -> bool {
        self.confidence >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE
    }
}

/// The stable key of an entry: the head of its content hash (category, title and body;
/// unique per database, and the same for the same extraction). Labels never hold the title
/// itself, which is session text; two entries may share a title.
pub fn entry_key(content_hash: &str) -> String {
    content_hash.chars().take(16).collect()
}

/// Reads a tab-separated file with a header line into rows of named fields.
fn rows(text: &str, what: &str, required: &[&str]) -> Result<Vec<BTreeMap<String, String>>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .with_context(|| format!("{what}: empty file"))?
        .split('\t')
        .collect();
    for r in required {
        if !header.contains(r) {
            bail!("{what}: no column {r:?} in the header");
        }
    }
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            bail!(
                "{what}: line {} has {} fields, the header {}",
                n + 2,
                fields.len(),
                header.len()
            );
        }
        out.push(
            header
                .iter()
                .zip(fields)
                .map(|(h, f)| (h.to_string(), f.trim().to_string()))
                .collect(),
        );
    }
    Ok(out)
}

/// Parses the entry labels: `key`, `label` (useful|marginal|noise), `category_ok` (yes|no).
pub fn parse_labels(text: &str) -> Result<BTreeMap<String, Label>> {
    let mut out = BTreeMap::new();
    for row in rows(text, "entry labels", &["key", "label", "category_ok"])? {
        let judgement = match row["label"].as_str() {
            "useful" => Judgement::Useful,
            "marginal" => Judgement::Marginal,
            "noise" => Judgement::Noise,
            other => bail!("entry labels: {}: unknown label {other:?}", row["key"]),
        };
        let category_ok = match row["category_ok"].as_str() {
            "yes" => true,
            "no" => false,
            other => bail!(
                "entry labels: {}: category_ok must be yes or no, not {other:?}",
                row["key"]
            ),
        };
        out.insert(
            row["key"].clone(),
            Label {
                judgement,
                category_ok,
            },
        );
    }
    Ok(out)
}

/// Parses the cases: `file`, `kind`, `captured` (with-fix|without-fix|missed) and
/// `entry_keys` (space-separated).
pub fn parse_cases(text: &str) -> Result<Vec<Case>> {
    rows(text, "cases", &["file", "kind", "captured", "entry_keys"])?
        .into_iter()
        .map(|row| {
            let captured = match row["captured"].as_str() {
                "with-fix" => Captured::WithFix,
                "without-fix" => Captured::WithoutFix,
                "missed" => Captured::Missed,
                other => bail!("cases: {}: unknown captured value {other:?}", row["file"]),
            };
            let entry_keys: Vec<String> = row["entry_keys"].split_whitespace().map(str::to_string).collect();
            if captured != Captured::Missed && entry_keys.is_empty() {
                bail!("cases: {}: captured by no entry key", row["file"]);
            }
            Ok(Case {
                file: row["file"].clone(),
                kind: row["kind"].clone(),
                captured,
                entry_keys,
            })
        })
        .collect()
}

/// The entries `sk index` extracted (not those recorded by hand) in the database at `db`.
pub fn extracted_entries(db: &Path) -> Result<Vec<Entry>> {
    let store = sk_store::Store::open_readonly(db).with_context(|| format!("opening {}", db.display()))?;
    let mut stmt = store.conn().prepare(
        "SELECT category, title, content_hash, confidence FROM entries WHERE origin = 'extracted' ORDER BY id",
    )?;
    let entries = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })?
        .map(|row| {
            let (category, title, hash, confidence) = row?;
            Ok(Entry {
                key: entry_key(&hash),
                category,
                title,
                confidence,
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(entries)
}

/// Counts over a set of labelled entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub entries: usize,
    pub useful: usize,
    pub marginal: usize,
    pub noise: usize,
    pub category_ok: usize,
}

impl Tally {
    fn add(&mut self, l: &Label) {
        self.entries += 1;
        match l.judgement {
            Judgement::Useful => self.useful += 1,
            Judgement::Marginal => self.marginal += 1,
            Judgement::Noise => self.noise += 1,
        }
        if l.category_ok {
            self.category_ok += 1;
        }
    }

    fn share(&self, n: usize) -> f64 {
        if self.entries == 0 {
            0.0
        } else {
            n as f64 / self.entries as f64
        }
    }

    pub fn precision(&self) -> f64 {
        self.share(self.useful)
    }

    pub fn useful_or_marginal(&self) -> f64 {
        self.share(self.useful + self.marginal)
    }

    pub fn noise_rate(&self) -> f64 {
        self.share(self.noise)
    }

    pub fn category_accuracy(&self) -> f64 {
        self.share(self.category_ok)
    }
}

/// The benchmark's figures: overall and per category, and the entries no label covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    pub all: Tally,
    pub by_category: BTreeMap<String, Tally>,
    pub unlabelled: Vec<Entry>,
}

pub fn score(entries: &[Entry], labels: &BTreeMap<String, Label>) -> Scores {
    let mut s = Scores::default();
    for e in entries {
        match labels.get(&e.key) {
            Some(l) => {
                s.all.add(l);
                s.by_category.entry(e.category.clone()).or_default().add(l);
            }
            None => s.unlabelled.push(e.clone()),
        }
    }
    s
}

/// Share of the cases captured with their fix, and the counts per outcome, for the entries
/// extracted now: a case whose capturing entries are all gone is missed.
pub fn case_capture(cases: &[Case], entries: &[Entry]) -> (f64, usize, usize, usize) {
    let present: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let now = |c: &Case| {
        if c.entry_keys.iter().any(|k| present.contains(k.as_str())) {
            c.captured
        } else {
            Captured::Missed
        }
    };
    let count = |c: Captured| cases.iter().filter(|x| now(x) == c).count();
    let with = count(Captured::WithFix);
    let share = if cases.is_empty() {
        0.0
    } else {
        with as f64 / cases.len() as f64
    };
    (share, with, count(Captured::WithoutFix), count(Captured::Missed))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: &str = "key\tid\tcategory\tlabel\tcategory_ok\treason\n\
        aaaa\t1\tmistake\tuseful\tyes\tcause and fix\n\
        bbbb\t2\tmistake\tnoise\tno\tbare failed command\n\
        cccc\t3\tdecision\tmarginal\tyes\tone-off\n";

    #[test]
    fn keys_are_the_head_of_the_content_hash() {
        let hash = "8537b0ac69fa261b06d3cd38385c6f690c954f8e01fb312b69c378a237164e2a";
        assert_eq!(entry_key(hash), "8537b0ac69fa261b");
        assert_eq!(entry_key("abc"), "abc");
    }

    #[test]
    fn labels_score_per_category_and_unlabelled_entries_are_named() {
        let labels = parse_labels(LABELS).expect("labels");
        let e = |key: &str, category: &str| Entry {
            key: key.to_string(),
            category: category.to_string(),
            title: format!("title {key}"),
            confidence: 0.6,
        };
        let s = score(
            &[
                e("aaaa", "mistake"),
                e("bbbb", "mistake"),
                e("cccc", "decision"),
                e("dddd", "pattern"),
            ],
            &labels,
        );
        assert_eq!(s.all.entries, 3);
        assert!((s.all.precision() - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.all.useful_or_marginal() - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.all.noise_rate() - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.all.category_accuracy() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.by_category["mistake"].entries, 2);
        assert_eq!(s.unlabelled.len(), 1);
        assert_eq!(s.unlabelled[0].key, "dddd");
    }

    #[test]
    fn bad_label_files_are_refused_with_the_line() {
        assert!(parse_labels("key\tlabel\tcategory_ok\nx\tgreat\tyes\n").is_err());
        assert!(parse_labels("key\tlabel\tcategory_ok\nx\tuseful\n").is_err());
        assert!(parse_labels("key\tlabel\nx\tuseful\n").is_err());
        assert!(parse_labels("").is_err());
    }

    #[test]
    fn cases_count_what_was_captured_with_its_fix() {
        let cases = parse_cases(
            "file\tkind\tcaptured\tentry_keys\n\
             codex/a.jsonl\tfailure-fix\twith-fix\taaaa\n\
             codex/a.jsonl\tcorrection\tmissed\t\n\
             claude/b.jsonl\tfailure-fix\twithout-fix\tbbbb\n\
             claude/b.jsonl\tfailure-fix\tmissed\t\n\
             claude/b.jsonl\tcorrection\twith-fix\tgone\n",
        )
        .expect("cases");
        let e = |key: &str| Entry {
            key: key.to_string(),
            category: "mistake".to_string(),
            title: String::new(),
            confidence: 0.6,
        };
        // The entry behind the last case is no longer extracted: that case is missed now.
        assert_eq!(case_capture(&cases, &[e("aaaa"), e("bbbb")]), (0.2, 1, 1, 3));
        assert!(parse_cases("file\tkind\tcaptured\tentry_keys\na\tb\tmaybe\t\n").is_err());
        let hidden = Entry {
            confidence: sk_core::knowledge::SHOWN_MIN_CONFIDENCE - 0.05,
            ..e("x")
        };
        assert!(!hidden.shown() && e("x").shown());
        assert!(parse_cases("file\tkind\tcaptured\tentry_keys\na\tb\twith-fix\t\n").is_err());
    }
}
