//! The real-log evaluation behind `sk-bench-recall --eval-dir`: the development set's
//! questions (`dev-queries.tsv`, kept outside the repository with the logs it points at) run
//! as `sk query` processes against a database built from those logs, and the output scored
//! exactly as the set's reference scorer `score.py` does, so the two agree to the query.
//!
//! Scoring, as in `score.py`: the command's stdout is scanned in order for session ids, a
//! full UUID or a prefix of one with at least 8 hex digits (`019a57e9`, `019a57e9-1a14`),
//! case-insensitively. Known ids are the Claude `sessionId` values and the Codex
//! `session_meta` `payload.id` values inside each log file; each maps to its file
//! (`claude/<name>.jsonl`, `codex/<name>.jsonl`). A prefix that fits more than one known id is
//! ignored, as is hex that fits none. The ranking is the list of distinct files in order of
//! first mention; recall@k counts a question when an answer file is among the first k, and
//! its reciprocal rank is 1/rank of the first answer file (0 when none is mentioned).
//!
//! The same run measures what `sk brief` shows for the questions and for each session's
//! first prompt (`super::brief_relevance`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use super::recall::{QUERY_MEDIAN_MS, QUERY_P99_MS};
use super::report::Target;

/// `sk query` median over the natural-language questions (the same limit as the fixed set).
pub const EVAL_QUERY_MEDIAN_MS: Target = Target {
    name: "eval_query_median_ms",
    ..QUERY_MEDIAN_MS
};
/// `sk query` 99th percentile over the natural-language questions.
pub const EVAL_QUERY_P99_MS: Target = Target {
    name: "eval_query_p99_ms",
    ..QUERY_P99_MS
};

/// The subfolders of the logs folder, one per log format.
pub const FORMATS: [&str; 2] = ["claude", "codex"];

/// One question of the set and the files that answer it (relative to the logs folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub kind: String,
    pub query: String,
    pub answers: BTreeSet<String>,
}

/// Parses `dev-queries.tsv`: one header line naming the columns, tab-separated fields, no
/// quoting; `answer_files` is a comma-separated list. Blank lines are skipped.
pub fn parse_queries(text: &str) -> Result<Vec<Question>> {
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .filter(|(_, l)| !l.is_empty());
    let Some((_, header)) = lines.next() else {
        bail!("the questions file is empty");
    };
    let cols: Vec<&str> = header.split('\t').collect();
    let col = |name: &str| {
        cols.iter()
            .position(|c| *c == name)
            .with_context(|| format!("the questions file has no `{name}` column"))
    };
    let (id, kind, query, answers) = (col("id")?, col("kind")?, col("query")?, col("answer_files")?);
    let mut out = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| {
            fields
                .get(i)
                .map(|f| (*f).to_string())
                .with_context(|| format!("line {} has only {} fields", n + 1, fields.len()))
        };
        out.push(Question {
            id: field(id)?,
            kind: field(kind)?,
            query: field(query)?,
            answers: field(answers)?
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    Ok(out)
}

/// Reads and parses the questions file.
pub fn read_queries(path: &Path) -> Result<Vec<Question>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_queries(&text).with_context(|| format!("in {}", path.display()))
}

/// The session ids a log answers to: every Claude `sessionId` string and every Codex
/// `session_meta` line's `payload.id`, lowercased. Lines that are not JSON objects are skipped.
pub fn ids_in_log(log: &[u8]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in log.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if let Some(id) = o.get("sessionId").and_then(|v| v.as_str()) {
            out.insert(id.to_lowercase());
        }
        if o.get("type").and_then(|v| v.as_str()) == Some("session_meta")
            && let Some(id) = o
                .get("payload")
                .and_then(|p| p.get("id"))
                .and_then(|v| v.as_str())
        {
            out.insert(id.to_lowercase());
        }
    }
    out
}

/// The id-shaped runs of `text`, in order, lowercased: eight hex digits, then up to four
/// more UUID groups (`-` and 4, 4, 4, 12 hex digits), with no hex digit right before or right
/// after. Where the longest form would be followed by a hex digit a shorter one is taken, as
/// the reference scorer's regular expression does by backtracking.
pub fn id_candidates(text: &[u8]) -> Vec<String> {
    let hex = |i: usize| text.get(i).is_some_and(u8::is_ascii_hexdigit);
    let run = |from: usize, n: usize| (from..from + n).all(hex);
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if (i > 0 && hex(i - 1)) || !run(i, 8) {
            i += 1;
            continue;
        }
        let mut ends = vec![i + 8];
        for n in [4, 4, 4, 12] {
            let at = ends[ends.len() - 1];
            if text.get(at) == Some(&b'-') && run(at + 1, n) {
                ends.push(at + 1 + n);
            } else {
                break;
            }
        }
        match ends.iter().rev().find(|&&e| !hex(e)) {
            Some(&end) => {
                let id = text.get(i..end).unwrap_or_default();
                out.push(String::from_utf8_lossy(id).to_ascii_lowercase());
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The known session ids of a set of logs, each with the files that carry it.
#[derive(Debug, Clone, Default)]
pub struct KnownIds {
    files: BTreeMap<String, BTreeSet<String>>,
}

impl KnownIds {
    /// Records that `file` (e.g. `claude/x.jsonl`) answers to `id`.
    pub fn add(&mut self, id: &str, file: &str) {
        self.files
            .entry(id.to_lowercase())
            .or_default()
            .insert(file.to_string());
    }

    /// Reads every `*.jsonl` under `LOGS/claude` and `LOGS/codex`; both folders must exist.
    pub fn load(logs: &Path) -> Result<KnownIds> {
        let mut known = KnownIds::default();
        for sub in FORMATS {
            let dir = logs.join(sub);
            if !dir.is_dir() {
                bail!(
                    "{} is missing (the logs folder holds claude/ and codex/)",
                    dir.display()
                );
            }
            for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".jsonl") {
                    continue;
                }
                let log = std::fs::read(entry.path())
                    .with_context(|| format!("reading {}", entry.path().display()))?;
                for id in ids_in_log(&log) {
                    known.add(&id, &format!("{sub}/{name}"));
                }
            }
        }
        Ok(known)
    }

    /// How many distinct ids are known.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files one id-shaped run stands for: its own when it is a known id, else (when
    /// shorter than a full UUID) those of the single known id it begins, else none.
    fn resolve(&self, candidate: &str) -> Option<&BTreeSet<String>> {
        if let Some(files) = self.files.get(candidate) {
            return Some(files);
        }
        if candidate.len() >= 36 {
            return None;
        }
        let mut hits = self
            .files
            .range::<str, _>((std::ops::Bound::Included(candidate), std::ops::Bound::Unbounded))
            .take_while(|(id, _)| id.starts_with(candidate));
        match (hits.next(), hits.next()) {
            (Some((_, files)), None) => Some(files),
            _ => None, // none, or an ambiguous prefix
        }
    }

    /// The distinct files `output` mentions, in order of first mention (one id standing for
    /// several files adds them in name order).
    pub fn rank_files(&self, output: &[u8]) -> Vec<String> {
        let mut ranked: Vec<String> = Vec::new();
        for candidate in id_candidates(output) {
            for f in self.resolve(&candidate).into_iter().flatten() {
                if !ranked.contains(f) {
                    ranked.push(f.clone());
                }
            }
        }
        ranked
    }
}

/// The 1-based rank of the first answer file in `ranked`.
pub fn first_rank(ranked: &[String], answers: &BTreeSet<String>) -> Option<usize> {
    ranked.iter().position(|f| answers.contains(f)).map(|i| i + 1)
}

/// Recall and reciprocal ranks summed over a group of questions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub questions: usize,
    pub hits_at_1: usize,
    pub hits_at_5: usize,
    pub reciprocal_ranks: f64,
}

impl Tally {
    pub fn add(&mut self, rank: Option<usize>) {
        self.questions += 1;
        self.hits_at_1 += usize::from(rank == Some(1));
        self.hits_at_5 += usize::from(rank.is_some_and(|r| r <= 5));
        self.reciprocal_ranks += rank.map_or(0.0, |r| 1.0 / r as f64);
    }

    fn ratio(&self, x: f64) -> f64 {
        if self.questions == 0 {
            f64::NAN
        } else {
            x / self.questions as f64
        }
    }

    pub fn recall_at_1(&self) -> f64 {
        self.ratio(self.hits_at_1 as f64)
    }

    pub fn recall_at_5(&self) -> f64 {
        self.ratio(self.hits_at_5 as f64)
    }

    pub fn mrr(&self) -> f64 {
        self.ratio(self.reciprocal_ranks)
    }
}

/// Tallies per kind (sorted by kind) and over all questions, from `(kind, rank)` pairs.
pub fn tally<'a>(
    ranks: impl IntoIterator<Item = (&'a str, Option<usize>)>,
) -> (BTreeMap<String, Tally>, Tally) {
    let mut per: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for (kind, rank) in ranks {
        per.entry(kind.to_string()).or_default().add(rank);
        all.add(rank);
    }
    (per, all)
}

/// A kind as a key part: `mistake-fix` -> `mistake_fix`.
pub fn key_part(kind: &str) -> String {
    kind.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs `sk` with only `HOME`, `SK_DB` and `PATH` set, so nothing of the caller's own agent
/// folders (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`, …) or database leaks in.
#[derive(Debug, Clone)]
pub struct Sk {
    pub bin: PathBuf,
    pub home: PathBuf,
    pub db: PathBuf,
}

impl Sk {
    /// `sk` with `home` as HOME, nothing else of the caller's environment but PATH.
    pub fn command(&self, home: &Path) -> Command {
        let mut c = Command::new(&self.bin);
        c.env_clear()
            .env("HOME", home)
            .env("SK_DB", &self.db)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(home)
            .stdin(Stdio::null());
        c
    }

    /// `sk index` with `home` as HOME into this database; returns the wall time.
    pub fn index(&self, home: &Path) -> Result<Duration> {
        let started = Instant::now();
        let out = self
            .command(home)
            .args(["index", "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        if !out.status.success() {
            bail!(
                "sk index (HOME={}) failed: {}\n{}",
                home.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(started.elapsed())
    }

    /// The database's session count from `sk status --json` (with distractors, more than
    /// the logs hold); `None` when sk does not say.
    pub fn sessions(&self) -> Option<u64> {
        let (out, ok, _) = self.run(&["status".to_string(), "--json".to_string()]).ok()?;
        let v: serde_json::Value = serde_json::from_slice(&out).ok().filter(|_| ok)?;
        v.get("tables")?
            .as_array()?
            .iter()
            .find(|t| t.get("table").and_then(|n| n.as_str()) == Some("sessions"))?
            .get("rows")?
            .as_u64()
    }

    /// `sk ARGS`: stdout, whether it succeeded, and the wall time (start to exit).
    pub fn run(&self, args: &[String]) -> Result<(Vec<u8>, bool, Duration)> {
        let started = Instant::now();
        let out = self
            .command(&self.home)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .output()
            .with_context(|| format!("running {}", self.bin.display()))?;
        Ok((out.stdout, out.status.success(), started.elapsed()))
    }
}

/// `query --limit 10 EXTRA -- QUESTION`.
pub fn query_args(extra: &[String], question: &str) -> Vec<String> {
    let mut a = vec!["query".to_string(), "--limit".to_string(), "10".to_string()];
    a.extend(extra.iter().cloned());
    a.push("--".to_string());
    a.push(question.to_string());
    a
}

/// Lays the logs out as the agents store them under `home`, with the set's own `layout.py`
/// (so the file names, folders and mtimes are exactly those the set documents).
pub fn lay_out(eval_dir: &Path, logs: &Path, home: &Path) -> Result<()> {
    let script = eval_dir.join("layout.py");
    if !script.is_file() {
        bail!("no layout.py in {}", eval_dir.display());
    }
    let out = Command::new("python3")
        .arg(&script)
        .arg(logs)
        .arg(home)
        .stdin(Stdio::null())
        .output()
        .context("running python3 layout.py (is python3 installed?)")?;
    if !out.status.success() {
        bail!(
            "layout.py failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// One question's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rank: Option<usize>,
    pub ok: bool,
    pub took: Duration,
}

/// Checks that every answer file exists under `logs` (a typo or a missing fetch would
/// otherwise read as a miss).
pub fn check_answers(questions: &[Question], logs: &Path) -> Result<()> {
    for q in questions {
        let missing: Vec<&String> = q.answers.iter().filter(|a| !logs.join(a).is_file()).collect();
        if !missing.is_empty() {
            bail!("{}: answer file(s) not in {}: {missing:?}", q.id, logs.display());
        }
    }
    Ok(())
}

/// What `sk-bench-recall --eval-dir` was given.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The sk binary (absolute).
    pub sk: PathBuf,
    /// The set's folder: `dev-queries.tsv` and `layout.py`.
    pub eval_dir: PathBuf,
    /// The fetched logs: `claude/*.jsonl`, `codex/*.jsonl`.
    pub logs: PathBuf,
    /// A home with the logs laid out; laid out into the work folder when absent.
    pub home: Option<PathBuf>,
    /// A database built from the logs (and the corpus); built when absent.
    pub db: Option<PathBuf>,
    /// A generated corpus indexed into the same database as distractors.
    pub corpus: Option<PathBuf>,
    /// Extra `sk query` arguments, before `--`.
    pub sk_args: Vec<String>,
    /// Rounds over the questions (latency over all of them, ranks from the last).
    pub rounds: usize,
    /// Print each question's rank and time to stderr.
    pub each: bool,
    /// Keep the work folder (home and database built here) and print where it is.
    pub keep: bool,
}

/// Runs the evaluation and returns the result block and whether the latency targets held.
pub fn evaluate(o: &EvalOptions) -> Result<(super::report::ResultBlock, bool)> {
    use super::recall::quantile_ms;
    use super::report::{ResultBlock, file_mib, num};

    let questions = read_queries(&o.eval_dir.join("dev-queries.tsv"))?;
    if questions.is_empty() {
        bail!("no questions in {}", o.eval_dir.display());
    }
    check_answers(&questions, &o.logs)?;
    let known = KnownIds::load(&o.logs)?;
    let work = tempfile::Builder::new().prefix("sk-bench-eval-").tempdir()?;
    let home = match &o.home {
        Some(h) => std::path::absolute(h)?,
        None => {
            let h = work.path().join("home");
            eprintln!("laying the logs out under {} …", h.display());
            lay_out(&o.eval_dir, &o.logs, &h)?;
            h
        }
    };
    let mut built = None;
    let db = match &o.db {
        Some(db) => std::path::absolute(db)?,
        None => work.path().join("knowledge.db"),
    };
    let sk = Sk {
        bin: o.sk.clone(),
        home: home.clone(),
        db: db.clone(),
    };
    if o.db.is_none() {
        let mut took = Duration::ZERO;
        if let Some(corpus) = &o.corpus {
            eprintln!("indexing the corpus {} …", corpus.display());
            took += sk.index(&std::path::absolute(corpus)?)?;
        }
        eprintln!("indexing the logs …");
        took += sk.index(&home)?;
        built = Some(took);
    } else if o.corpus.is_some() {
        eprintln!("note: --corpus is not indexed when --db is given; the database is used as it is");
    }

    let load = super::load_average();
    // Warm the page cache the way a machine in use has it warm.
    for q in questions.iter().take(5) {
        sk.run(&query_args(&o.sk_args, &q.query))?;
    }
    let mut times = Vec::with_capacity(questions.len() * o.rounds.max(1));
    let mut outcomes = Vec::with_capacity(questions.len());
    for round in 0..o.rounds.max(1) {
        let last = round + 1 == o.rounds.max(1);
        for q in &questions {
            let (stdout, ok, took) = sk.run(&query_args(&o.sk_args, &q.query))?;
            times.push(took);
            if last {
                let rank = first_rank(&known.rank_files(&stdout), &q.answers);
                outcomes.push(Outcome { rank, ok, took });
            }
        }
    }
    if o.each {
        for (q, r) in questions.iter().zip(&outcomes) {
            let text: String = q.query.chars().take(70).collect();
            let rank = r.rank.map_or("-".to_string(), |n| n.to_string());
            let failed = if r.ok { "" } else { " (sk failed)" };
            eprintln!(
                "{}\t{}\trank={rank}\t{:.1} ms{failed}\t{text}",
                q.id,
                q.kind,
                r.took.as_secs_f64() * 1000.0
            );
        }
    }
    let (per, all) = tally(
        questions
            .iter()
            .zip(&outcomes)
            .map(|(q, r)| (q.kind.as_str(), r.rank)),
    );

    let mut block = ResultBlock::new("sk-bench-recall eval results");
    block.push("sk", o.sk.display());
    block.push("eval_dir", o.eval_dir.display());
    block.push("logs", o.logs.display());
    if let Some(c) = &o.corpus {
        block.push("corpus", c.display());
    }
    block.push("db", db.display());
    block.push("db_mib", num(file_mib(&db)));
    if let Some(t) = built {
        block.push("db_build_s", num(t.as_secs_f64()));
    }
    if let Some(n) = sk.sessions() {
        block.push("db_sessions", n);
    }
    if !o.sk_args.is_empty() {
        block.push("sk_args", o.sk_args.join(" "));
    }
    block.push("load_avg_before", load);
    block.push("known_session_ids", known.len());
    block.push("questions", questions.len());
    block.push("queries_failed", outcomes.iter().filter(|r| !r.ok).count());
    let mut put = |name: &str, t: &Tally| {
        block.push(format!("eval_{name}_questions"), t.questions);
        block.push(format!("eval_{name}_hits_at_5"), t.hits_at_5);
        block.push(
            format!("eval_{name}_recall_at_1"),
            format!("{:.3}", t.recall_at_1()),
        );
        block.push(
            format!("eval_{name}_recall_at_5"),
            format!("{:.3}", t.recall_at_5()),
        );
        block.push(format!("eval_{name}_mrr"), format!("{:.3}", t.mrr()));
    };
    for (kind, t) in &per {
        put(&key_part(kind), t);
    }
    put("all", &all);
    // Words typed in Chinese, Japanese or Korean (none of the questions is).
    let items = super::cjk::known_items(&db).unwrap_or_else(|e| {
        eprintln!("note: no CJK known-item search: {e:#}");
        Vec::new()
    });
    block.push("cjk_known_items", items.len());
    if !items.is_empty() {
        let cjk = super::cjk::measure(&sk, &items)?;
        block.push("cjk_recall_at_5", format!("{:.3}", cjk.recall_at_5()));
        block.push("cjk_mrr", format!("{:.3}", cjk.mrr()));
    }
    // What a briefing for each question, and for each session's first prompt, shows.
    super::brief_relevance::measure(&sk, &known, &questions, &mut block)?;
    let q50 = quantile_ms(&times, 0.5);
    let q99 = quantile_ms(&times, 0.99);
    block.push("eval_queries", times.len());
    block.push("eval_query_median_ms", num(q50));
    block.push("eval_query_p90_ms", num(quantile_ms(&times, 0.9)));
    block.push("eval_query_p99_ms", num(q99));
    block.push("eval_query_max_ms", num(quantile_ms(&times, 1.0)));
    let mut pass = block.grade(&EVAL_QUERY_MEDIAN_MS, q50);
    pass &= block.grade(&EVAL_QUERY_P99_MS, q99);
    if o.keep {
        let kept = work.keep();
        block.push("work_dir_kept", kept.display());
    }
    Ok((block, pass))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0a1b2c3d-0000-4000-8000-00000000000a";
    const B: &str = "0a1b2c3d-1111-4000-8000-00000000000b";
    const C: &str = "fedcba98-2222-4000-8000-00000000000c";
    const C2: &str = "77777777-3333-4000-8000-00000000000c";

    fn known() -> KnownIds {
        let mut k = KnownIds::default();
        k.add(A, "claude/a.jsonl");
        k.add(B, "codex/b.jsonl");
        k.add(C, "codex/c.jsonl");
        // A file with two ids (a resumed session) counts once.
        k.add(C2, "codex/c.jsonl");
        k
    }

    fn rank(text: &str) -> Vec<String> {
        known().rank_files(text.as_bytes())
    }

    #[test]
    fn candidates_are_full_uuids_or_prefixes_of_eight_hex_digits_or_more() {
        let text = format!("x {A} y 0A1B2C3D-1111, deadbeef; abc1234 z");
        assert_eq!(
            id_candidates(text.as_bytes()),
            vec![A.to_string(), "0a1b2c3d-1111".to_string(), "deadbeef".to_string()]
        );
        // Not inside a longer hex run, on either side.
        assert!(id_candidates(b"0deadbeef deadbeef0 123456789").is_empty());
        // A group cut short ends the id before the dash.
        assert_eq!(id_candidates(b"deadbeef-12x"), vec!["deadbeef"]);
        // A last group followed by more hex falls back to the groups before it.
        assert_eq!(
            id_candidates(b"deadbeef-1234-5678-9abc-def0123456789"),
            vec!["deadbeef-1234-5678-9abc"]
        );
        assert_eq!(id_candidates("é0a1b2c3dé".as_bytes()), vec!["0a1b2c3d"]);
    }

    #[test]
    fn ids_map_to_files_in_order_of_first_mention() {
        assert_eq!(
            rank(&format!("1. {C}\n2. {A}\n3. {C}")),
            vec!["codex/c.jsonl", "claude/a.jsonl"]
        );
        // Upper case, and the second id of the same file does not count again.
        assert_eq!(
            rank(&format!("{} then {C2} then {B}", C.to_uppercase())),
            vec!["codex/c.jsonl", "codex/b.jsonl"]
        );
    }

    #[test]
    fn prefixes_count_only_when_they_fit_one_known_id() {
        // Unique prefixes, short and long.
        assert_eq!(
            rank("session fedcba98 and 0a1b2c3d-1111"),
            vec!["codex/c.jsonl", "codex/b.jsonl"]
        );
        // `0a1b2c3d` begins both A and B: ignored; unknown hex too.
        assert!(rank("0a1b2c3d 12345678 0a1b2c3d-9999").is_empty());
        // Fewer than eight hex digits is no id.
        assert!(rank("fedcba9 fedcba").is_empty());
        // A full UUID nobody has is not read as a prefix.
        assert!(rank("fedcba98-2222-4000-8000-00000000000f").is_empty());
    }

    #[test]
    fn one_id_in_two_files_adds_both_in_name_order() {
        let mut k = known();
        k.add(A, "codex/z.jsonl");
        assert_eq!(
            k.rank_files(format!("{B} {A}").as_bytes()),
            vec!["codex/b.jsonl", "claude/a.jsonl", "codex/z.jsonl"]
        );
    }

    #[test]
    fn ranks_recall_and_mrr() {
        let ranked: Vec<String> = ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec();
        let want = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(first_rank(&ranked, &want(&["c"])), Some(3));
        assert_eq!(first_rank(&ranked, &want(&["f", "b"])), Some(2));
        assert_eq!(first_rank(&ranked, &want(&["x"])), None);
        let (per, all) = tally([
            ("paraphrase", Some(1)),
            ("paraphrase", Some(4)),
            ("paraphrase", Some(6)),
            ("concrete", None),
        ]);
        let p = per["paraphrase"];
        assert_eq!((p.questions, p.hits_at_1, p.hits_at_5), (3, 1, 2));
        assert!((p.mrr() - (1.0 + 0.25 + 1.0 / 6.0) / 3.0).abs() < 1e-12);
        assert_eq!(per["concrete"].mrr(), 0.0);
        assert_eq!(per["concrete"].recall_at_5(), 0.0);
        assert_eq!((all.questions, all.hits_at_5), (4, 2));
        assert!((all.recall_at_1() - 0.25).abs() < 1e-12);
        assert!(Tally::default().mrr().is_nan());
    }

    #[test]
    fn log_ids_are_claude_session_ids_and_codex_session_meta_ids() {
        let log = format!(
            "{{\"sessionId\":\"{}\",\"type\":\"user\"}}\nnot json\n[1]\n\
             {{\"type\":\"session_meta\",\"payload\":{{\"id\":\"{B}\"}}}}\n\
             {{\"type\":\"response_item\",\"payload\":{{\"id\":\"{C}\"}}}}\r\n",
            A.to_uppercase()
        );
        let ids = ids_in_log(log.as_bytes());
        assert_eq!(ids, [A, B].map(String::from).into_iter().collect());
    }

    #[test]
    fn questions_file_by_column_name() {
        let tsv = "id\tkind\tquery\tanswer_files\tevidence\n\
                   q1\tconcrete\twhy is it slow\tclaude/a.jsonl\tnote\n\r\n\
                   q2\tmistake-fix\tfix it\tcodex/b.jsonl, codex/c.jsonl ,\tnote\r\n";
        let q = parse_queries(tsv).expect("parses");
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].query, "why is it slow");
        assert_eq!(q[1].kind, "mistake-fix");
        assert_eq!(
            q[1].answers,
            ["codex/b.jsonl", "codex/c.jsonl"]
                .map(String::from)
                .into_iter()
                .collect()
        );
        assert_eq!(key_part("mistake-fix"), "mistake_fix");
        assert!(parse_queries("id\tkind\n").is_err());
        assert!(parse_queries("id\tkind\tquery\tanswer_files\nq1\tconcrete\n").is_err());
    }

    #[test]
    fn query_arguments_end_options_before_the_question() {
        let a = query_args(&["--kind".into(), "session".into()], "-why did we");
        assert_eq!(
            a,
            ["query", "--limit", "10", "--kind", "session", "--", "-why did we"]
        );
    }
}
