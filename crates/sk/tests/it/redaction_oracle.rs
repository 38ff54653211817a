//! An independent oracle for redaction (issue 21): a generated corpus plants every secret
//! shape in every context of the three agents' logs (`sk_test::secret_logs`), the real
//! binary ingests it, and then
//! - no planted value may be found in any byte sk stored or printed: every file under the
//!   home (the database, its `-wal`/`-shm`, the telemetry spool, the hook audit log…) read
//!   raw, every column of every table (the FTS index included), and the output of
//!   `index`, `extract`, `knowledge export`, `query --json`, `sessions`, `session`, `brief`,
//!   `status` and `hooks run`/`hooks audit`;
//! - Yelp's `detect-secrets` run over a dump of every stored text finds none of them
//!   (when `SK_DETECT_SECRETS` names its executable: `.ci/detect-secrets.sh` installs it);
//! - look-alike public values (commit SHAs, transaction hashes, addresses, digests, public
//!   keys, placeholders, sentences) laid in the same contexts are kept, 99 % of them at
//!   least.
//!
//! The oracle knows only what it planted, not how sk's detectors work. Values are searched
//! case-insensitively (the FTS index keeps terms lowercased) and by 16-character windows as
//! well as whole (a secret cut short by a cap, or split across database pages, still
//! counts). Failures name the kind, the context and where it was found, and at most the
//! first 4 characters of a value.
//!
//! The corpus is the same for the same seed: `SK_REDACTION_SEED=<n>` tries another one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use serde_json::{Value, json};
use sk_test::TestEnv;
use sk_test::secret_logs::{Context, Corpus};
use sk_test::secrets::{Class, short};

use crate::hooks::{hook, without_capture};

/// The seed CI runs with; any other can be tried with `SK_REDACTION_SEED`.
const DEFAULT_SEED: u64 = 0x2100_0021;
/// Look-alikes that must survive, in percent.
const KEEP_PERCENT: usize = 99;

fn seed() -> u64 {
    let Ok(text) = std::env::var("SK_REDACTION_SEED") else {
        return DEFAULT_SEED;
    };
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.unwrap_or_else(|_| panic!("SK_REDACTION_SEED={text:?} is not a number"))
}

/// Every needle of every planted item, searched for all at once and case-insensitively.
struct Needles {
    /// Lowercased needle and the index of its item.
    list: Vec<(Vec<u8>, usize)>,
    /// Needles by their first 8 bytes.
    by_prefix: HashMap<[u8; 8], Vec<usize>>,
    /// Whether any needle starts with these two bytes: most positions stop here.
    first_two: Vec<bool>,
}

impl Needles {
    fn new(corpus: &Corpus) -> Needles {
        let mut list = Vec::new();
        for (index, item) in corpus.items.iter().enumerate() {
            if item.class == Class::Planted {
                for needle in &item.needles {
                    list.push((needle.to_ascii_lowercase().into_bytes(), index));
                }
            }
        }
        let mut by_prefix: HashMap<[u8; 8], Vec<usize>> = HashMap::new();
        let mut first_two = vec![false; 1 << 16];
        for (i, (needle, _)) in list.iter().enumerate() {
            let prefix: [u8; 8] = needle[..8].try_into().expect("needles have 8 bytes at least");
            by_prefix.entry(prefix).or_default().push(i);
            first_two[usize::from(needle[0]) << 8 | usize::from(needle[1])] = true;
        }
        Needles {
            list,
            by_prefix,
            first_two,
        }
    }

    /// Indexes (into `list`) of the needles found in `hay`.
    fn find(&self, hay: &[u8]) -> BTreeSet<usize> {
        let hay = hay.to_ascii_lowercase();
        let mut found = BTreeSet::new();
        if hay.len() < 8 {
            return found;
        }
        for at in 0..=hay.len() - 8 {
            if !self.first_two[usize::from(hay[at]) << 8 | usize::from(hay[at + 1])] {
                continue;
            }
            let prefix: [u8; 8] = hay[at..at + 8].try_into().expect("8 bytes");
            if let Some(ids) = self.by_prefix.get(&prefix) {
                for &id in ids {
                    if hay[at..].starts_with(&self.list[id].0) {
                        found.insert(id);
                    }
                }
            }
        }
        found
    }

    fn item(&self, needle: usize) -> usize {
        self.list[needle].1
    }
}

/// Where a planted value was found.
enum Place<'a> {
    /// Records made of a log line of this context.
    Context(&'static str),
    Table(String),
    File(String),
    Output(&'a str),
}

/// What leaked of one kind.
#[derive(Default)]
struct Found {
    contexts: BTreeSet<&'static str>,
    tables: BTreeSet<String>,
    files: BTreeSet<String>,
    outputs: BTreeSet<String>,
    /// A safe prefix of one needle found.
    sample: String,
}

/// What leaked, per kind.
#[derive(Default)]
struct Leaks {
    by_kind: BTreeMap<&'static str, Found>,
}

/// `items` joined by commas, at most `max` of them.
fn list<'a>(items: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    let mut out = items.iter().take(max).copied().collect::<Vec<_>>().join(", ");
    if items.len() > max {
        out.push_str(&format!(", … ({} in all)", items.len()));
    }
    out
}

impl Leaks {
    fn add(&mut self, corpus: &Corpus, needles: &Needles, found: &BTreeSet<usize>, place: Place<'_>) {
        for &needle in found {
            let item = &corpus.items[needles.item(needle)];
            let entry = self.by_kind.entry(item.kind).or_default();
            if entry.sample.is_empty() {
                entry.sample = short(&String::from_utf8_lossy(&needles.list[needle].0));
            }
            match &place {
                Place::Context(c) => {
                    entry.contexts.insert(c);
                }
                Place::Table(t) => {
                    entry.tables.insert(t.clone());
                }
                Place::File(f) => {
                    entry.files.insert(f.clone());
                }
                Place::Output(o) => {
                    entry.outputs.insert(o.to_string());
                }
            }
        }
    }

    /// Panics with what leaked per kind, after printing the same for `--nocapture`.
    fn assert_none(&self, corpus: &Corpus, what: &str) {
        let planted: BTreeSet<&str> = corpus
            .items
            .iter()
            .filter(|i| i.class == Class::Planted)
            .map(|i| i.kind)
            .collect();
        let leaked: Vec<&str> = self.by_kind.keys().copied().collect();
        println!(
            "redaction oracle ({what}, seed {:#x}): {} of {} planted kinds leaked: {}",
            corpus.seed,
            leaked.len(),
            planted.len(),
            if leaked.is_empty() {
                "none".to_string()
            } else {
                leaked.join(", ")
            }
        );
        if self.by_kind.is_empty() {
            return;
        }
        let mut report = String::new();
        for (kind, found) in &self.by_kind {
            report.push_str(&format!("\n  {kind} [{}]", found.sample));
            if !found.contexts.is_empty() {
                report.push_str(&format!(
                    "\n    from log contexts: {}",
                    list(found.contexts.iter().copied(), 10)
                ));
            }
            if !found.tables.is_empty() {
                report.push_str(&format!(
                    "\n    in tables: {}",
                    list(found.tables.iter().map(String::as_str), 8)
                ));
            }
            if !found.files.is_empty() {
                report.push_str(&format!(
                    "\n    in files: {}",
                    list(found.files.iter().map(String::as_str), 6)
                ));
            }
            if !found.outputs.is_empty() {
                report.push_str(&format!(
                    "\n    in the output of: {}",
                    list(found.outputs.iter().map(String::as_str), 4)
                ));
            }
        }
        println!("{report}");
        panic!(
            "{} planted secret kind(s) stored by {what} (seed {:#x}; SK_REDACTION_SEED={} reproduces it):{report}",
            leaked.len(),
            corpus.seed,
            corpus.seed
        );
    }
}

/// The output of every sk command a test ran, to be searched too.
#[derive(Default)]
struct Outputs {
    runs: Vec<(String, Vec<u8>)>,
}

impl Outputs {
    /// Runs `sk ARGS`; returns stdout. `must_pass`: fail the test on a non-zero exit.
    fn run(&mut self, env: &TestEnv, args: &[&str], must_pass: bool) -> String {
        let out = env.sk().args(args).output().expect("run sk");
        let label = format!("sk {}", label_args(args));
        assert!(
            !must_pass || out.status.success(),
            "{label} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut bytes = out.stdout.clone();
        bytes.extend_from_slice(&out.stderr);
        self.runs.push((label, bytes));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn push(&mut self, label: String, stdout: &str, stderr: &str) {
        self.runs.push((label, format!("{stdout}{stderr}").into_bytes()));
    }
}

/// Command arguments for a report: long ones (which may be values) cut short.
fn label_args(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.len() > 24 {
                "…".to_string()
            } else {
                a.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A home with the corpus of the current seed written and ingested (`sk index`, which
/// also extracts knowledge).
fn ingested(outputs: &mut Outputs) -> (TestEnv, Corpus) {
    let env = TestEnv::new();
    without_capture(&env);
    let corpus = Corpus::write(env.home(), seed());
    let summary = outputs.run(&env, &["index", "--json"], true);
    let summary: Value = serde_json::from_str(&summary).expect("index --json");
    println!(
        "redaction oracle: {} items ({} planted) in {} sessions, {} value lines; index: {} records, {} redactions",
        corpus.items.len(),
        corpus.items.iter().filter(|i| i.class == Class::Planted).count(),
        corpus.sessions.len(),
        corpus.placed.len(),
        summary["records"],
        summary["redactions"]
    );
    (env, corpus)
}

/// Every file under `dir` except the logs the corpus wrote (they hold the values by design).
fn stored_files(dir: &Path, logs: &BTreeSet<PathBuf>, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read home folder").flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            stored_files(&path, logs, out);
        } else if kind.is_file() && !logs.contains(&path) {
            out.push(path);
        }
    }
}

/// The raw bytes of every file sk left under the home.
fn scan_files(env: &TestEnv, corpus: &Corpus, needles: &Needles, leaks: &mut Leaks) -> usize {
    let logs: BTreeSet<PathBuf> = corpus.logs.iter().cloned().collect();
    let mut files = Vec::new();
    stored_files(env.home(), &logs, &mut files);
    for file in &files {
        let bytes = std::fs::read(file).expect("read stored file");
        let found = needles.find(&bytes);
        let rel = file.strip_prefix(env.home()).unwrap_or(file);
        leaks.add(
            corpus,
            needles,
            &found,
            Place::File(format!("~/{}", rel.display())),
        );
    }
    files.len()
}

/// Every text and blob of every table of the database, and the records with the context
/// their line came from.
fn scan_database(env: &TestEnv, corpus: &Corpus, needles: &Needles, leaks: &mut Leaks) {
    let c = rusqlite::Connection::open(env.db()).expect("open the database");
    let tables: Vec<(String, String)> = c
        .prepare("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table'")
        .expect("list tables")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("table rows");
    for (table, sql) in tables {
        if sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE") {
            continue; // its shadow tables hold what it stores
        }
        let mut stmt = c
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("select table");
        let columns: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        let mut rows = stmt.query([]).expect("rows");
        while let Some(row) = rows.next().expect("row") {
            for (i, column) in columns.iter().enumerate() {
                let value: rusqlite::types::Value = row.get(i).expect("value");
                let bytes = match value {
                    rusqlite::types::Value::Text(t) => t.into_bytes(),
                    rusqlite::types::Value::Blob(b) => b,
                    _ => continue,
                };
                let found = needles.find(&bytes);
                leaks.add(corpus, needles, &found, Place::Table(format!("{table}.{column}")));
            }
        }
    }
    for (path, offset, text) in records(&c) {
        let found = needles.find(text.as_bytes());
        if found.is_empty() {
            continue;
        }
        let context = corpus
            .placed_at(Path::new(&path), offset)
            .map_or("a line without a value", |p| p.context.name());
        leaks.add(corpus, needles, &found, Place::Context(context));
    }
}

/// `(source path, line offset, text)` of every record.
fn records(c: &rusqlite::Connection) -> Vec<(String, u64, String)> {
    c.prepare(
        "SELECT s.path, r.offset, r.text FROM records r JOIN sources s ON s.id = r.source_id ORDER BY r.id",
    )
    .expect("records query")
    .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?)))
    .expect("records")
    .collect::<Result<_, _>>()
    .expect("record rows")
}

fn scan_outputs(outputs: &Outputs, corpus: &Corpus, needles: &Needles, leaks: &mut Leaks) {
    for (label, bytes) in &outputs.runs {
        let found = needles.find(bytes);
        leaks.add(corpus, needles, &found, Place::Output(label));
    }
}

/// Every read-only surface that prints what was stored.
fn read_everything(env: &TestEnv, corpus: &Corpus, outputs: &mut Outputs) {
    outputs.run(env, &["extract", "--full", "--json"], true);
    outputs.run(env, &["knowledge", "export", "--format", "json"], true);
    outputs.run(env, &["knowledge", "export", "--format", "md"], true);
    for words in [
        "password",
        "token secret key",
        "deploy credentials invalid",
        "private key",
        "mnemonic recovery phrase wallet",
        "database url",
        "config env file",
    ] {
        outputs.run(env, &["query", "--json", "--limit", "50", words], true);
        outputs.run(env, &["query", "--kind", "knowledge", words], true);
    }
    outputs.run(
        env,
        &["query", "--json", "--category", "mistake", "--limit", "100"],
        true,
    );
    outputs.run(env, &["sessions", "--json", "--limit", "1000"], true);
    for session in corpus.sessions.iter().step_by(5) {
        outputs.run(env, &["session", session, "--json"], true);
    }
    outputs.run(env, &["brief", "fix the deploy credentials", "--json"], true);
    outputs.run(env, &["brief", "rotate the wallet private key", "--xml"], true);
    outputs.run(env, &["status", "--json"], true);
}

/// Hook calls whose payloads carry the planted values: a write of the value's file, a
/// failure quoting it, a prompt pasting it; then the audit log as sk prints it.
fn run_hooks(env: &TestEnv, corpus: &Corpus, outputs: &mut Outputs) {
    for item in corpus.items.iter().filter(|i| i.class == Class::Planted) {
        let cwd = env.home().join("svc").to_string_lossy().into_owned();
        let write = json!({"session_id": "oracle", "cwd": cwd, "hook_event_name": "PreToolUse",
            "tool_name": "Write", "tool_input": {"file_path": format!("{cwd}/{}", item.file), "content": item.native}});
        let failure = json!({"sessionId": "oracle", "timestamp": 1, "cwd": cwd, "toolName": "bash",
            "toolArgs": {"command": "npm run deploy"}, "error": format!("Error: invalid credentials: {}", item.line)});
        let prompt = json!({"session_id": "oracle", "cwd": cwd, "hook_event_name": "UserPromptSubmit",
            "prompt": item.prose});
        let shell = json!({"session_id": "oracle", "cwd": cwd, "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "tool_input": {"command": format!("echo '{}' >> {}", item.line, item.file)}});
        for (event, payload) in [
            ("PreToolUse", write),
            ("postToolUseFailure", failure),
            ("UserPromptSubmit", prompt),
            ("PreToolUse", shell),
        ] {
            let ran = hook(env, &[event], &payload.to_string(), &[]);
            outputs.push(format!("sk hooks run {event}"), &ran.stdout, &ran.stderr);
        }
    }
    outputs.run(env, &["hooks", "audit", "--json", "--tail", "100000"], true);
}

#[test]
fn no_planted_secret_reaches_any_stored_byte() {
    let mut outputs = Outputs::default();
    let (env, corpus) = ingested(&mut outputs);
    read_everything(&env, &corpus, &mut outputs);
    run_hooks(&env, &corpus, &mut outputs);
    // Moves the telemetry spool (the queries above) into the database.
    outputs.run(&env, &["status", "--recall", "--json"], true);

    let needles = Needles::new(&corpus);
    let mut leaks = Leaks::default();
    let files = scan_files(&env, &corpus, &needles, &mut leaks);
    scan_database(&env, &corpus, &needles, &mut leaks);
    scan_outputs(&outputs, &corpus, &needles, &mut leaks);
    println!(
        "redaction oracle: searched {} needles in {files} stored files, every table and {} command outputs",
        needles.list.len(),
        outputs.runs.len()
    );
    leaks.assert_none(&corpus, "ingest, extraction, exports, queries and hooks");
}

/// Whether `stored` holds `part` as it is or escaped inside a JSON string.
fn kept(stored: &str, part: &str) -> bool {
    let escaped = Value::String(part.to_string()).to_string();
    stored.contains(part) || stored.contains(escaped.trim_matches('"'))
}

#[test]
fn look_alike_values_survive_redaction() {
    let mut outputs = Outputs::default();
    let (env, corpus) = ingested(&mut outputs);
    let c = rusqlite::Connection::open(env.db()).expect("open the database");
    let mut text_at: HashMap<(String, u64), String> = HashMap::new();
    for (path, offset, text) in records(&c) {
        let slot = text_at.entry((path, offset)).or_default();
        slot.push_str(&text);
        slot.push('\n');
    }
    let (mut total, mut lost_count) = (0, 0);
    let mut lost: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for placed in &corpus.placed {
        let item = &corpus.items[placed.item];
        if item.class != Class::LookAlike {
            continue;
        }
        total += 1;
        let key = (placed.path.to_string_lossy().into_owned(), placed.offset);
        let stored = text_at.get(&key).map_or("", String::as_str);
        if !item.parts.iter().all(|part| kept(stored, part)) {
            lost_count += 1;
            lost.entry(item.kind).or_default().insert(placed.context.name());
        }
    }
    let kept = total - lost_count;
    let report: Vec<String> = lost
        .iter()
        .map(|(kind, contexts)| {
            format!(
                "  {kind}: lost in {}",
                contexts.iter().copied().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    println!(
        "redaction oracle (look-alikes, seed {:#x}): kept {kept} of {total} ({:.1} %){}{}",
        corpus.seed,
        kept as f64 * 100.0 / total.max(1) as f64,
        if report.is_empty() { "" } else { "\n" },
        report.join("\n")
    );
    assert!(
        total > 300,
        "the look-alike corpus is large enough to measure 1 %: {total}"
    );
    assert!(
        kept * 100 >= total * KEEP_PERCENT,
        "only {kept} of {total} look-alike values kept (needs {KEEP_PERCENT} %):\n{}",
        report.join("\n")
    );
}

/// Every text the database stores, one value after another, for an outside scanner.
fn dump_texts(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).expect("open the database");
    let tables: Vec<(String, String)> = c
        .prepare("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table'")
        .expect("list tables")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("table rows");
    let mut dump = String::new();
    for (table, sql) in tables {
        if sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE") {
            continue;
        }
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{table}\"")).expect("select");
        let n = stmt.column_count();
        let mut rows = stmt.query([]).expect("rows");
        while let Some(row) = rows.next().expect("row") {
            for i in 0..n {
                if let Ok(rusqlite::types::Value::Text(t)) = row.get::<_, rusqlite::types::Value>(i) {
                    dump.push_str(&t);
                    dump.push('\n');
                }
            }
        }
    }
    dump
}

/// One `detect-secrets audit --report` result: the secret it saw, its detector types, the
/// lines it was on.
struct Finding {
    secret: String,
    types: String,
    lines: String,
}

/// Runs `detect-secrets scan` on `text` (as `name` in a scratch folder), then
/// `audit --report` for the values it found.
fn detect_secrets(exe: &Path, name: &str, text: &str) -> Vec<Finding> {
    let work = tempfile::tempdir().expect("scratch folder");
    std::fs::write(work.path().join(name), text).expect("write the text to scan");
    let run = |args: &[&str]| {
        let out = StdCommand::new(exe)
            .args(args)
            .current_dir(work.path())
            .output()
            .expect("run detect-secrets");
        assert!(
            out.status.success(),
            "detect-secrets {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let baseline = run(&["scan", name]);
    std::fs::write(work.path().join("baseline.json"), baseline).expect("write the baseline");
    let report: Value =
        serde_json::from_slice(&run(&["audit", "--report", "baseline.json"])).expect("the report is JSON");
    report["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| Finding {
            secret: f["secrets"].as_str().unwrap_or_default().to_string(),
            types: f["types"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("+"))
                .unwrap_or_default(),
            lines: f["lines"]
                .as_object()
                .map(|l| {
                    l.values()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// The planted kinds a finding is about: its secret or its lines hold a needle, or its
/// secret is a piece of a planted value.
fn planted_kinds(corpus: &Corpus, needles: &Needles, finding: &Finding) -> BTreeSet<&'static str> {
    let mut kinds = BTreeSet::new();
    for needle in needles.find(format!("{}\n{}", finding.secret, finding.lines).as_bytes()) {
        kinds.insert(corpus.items[needles.item(needle)].kind);
    }
    let secret = finding.secret.to_ascii_lowercase();
    if secret.len() >= 8 {
        for item in corpus.items.iter().filter(|i| i.class == Class::Planted) {
            if item
                .parts
                .iter()
                .any(|p| p.to_ascii_lowercase().contains(&secret))
            {
                kinds.insert(item.kind);
            }
        }
    }
    kinds
}

#[test]
fn detect_secrets_finds_nothing_planted_in_the_stored_text() {
    let Some(exe) = std::env::var_os("SK_DETECT_SECRETS").filter(|v| !v.is_empty()) else {
        println!(
            "redaction oracle: detect-secrets skipped: set SK_DETECT_SECRETS to its executable \
             (.ci/detect-secrets.sh installs it and prints the path)"
        );
        return;
    };
    let exe = PathBuf::from(exe);
    assert!(exe.is_file(), "SK_DETECT_SECRETS={} is not a file", exe.display());
    let mut outputs = Outputs::default();
    let (env, corpus) = ingested(&mut outputs);
    outputs.run(&env, &["extract", "--full"], true);
    let needles = Needles::new(&corpus);

    // The control: the same scan over the planted values themselves must see many of them,
    // or a broken scan, report or match would pass unnoticed.
    let control: String = corpus
        .items
        .iter()
        .filter(|i| i.class == Class::Planted)
        .map(|i| format!("{}\n{}\n", i.native, i.prose))
        .collect();
    let seen: BTreeSet<&str> = detect_secrets(&exe, "planted.txt", &control)
        .iter()
        .flat_map(|f| planted_kinds(&corpus, &needles, f))
        .collect();
    println!(
        "redaction oracle (detect-secrets control): it sees {} of the planted kinds when they are not redacted",
        seen.len()
    );
    assert!(
        seen.len() >= 15,
        "detect-secrets saw only {seen:?} in the planted values themselves"
    );

    let text = dump_texts(&env.db());
    let findings = detect_secrets(&exe, "stored-text.txt", &text);
    let look_alikes: Vec<String> = corpus
        .items
        .iter()
        .filter(|i| i.class == Class::LookAlike)
        .flat_map(|i| i.parts.iter().cloned())
        .collect();
    let mut hits: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let (mut on_look_alikes, mut unexplained) = (0, Vec::new());
    for finding in &findings {
        let kinds = planted_kinds(&corpus, &needles, finding);
        if kinds.is_empty() {
            if look_alikes
                .iter()
                .any(|p| p.contains(&finding.secret) || finding.secret.contains(p.as_str()))
            {
                on_look_alikes += 1;
            } else {
                unexplained.push(format!("{} [{}]", finding.types, short(&finding.secret)));
            }
        }
        for kind in kinds {
            hits.entry(kind).or_default().insert(finding.types.clone());
        }
    }
    println!(
        "redaction oracle (detect-secrets, seed {:#x}): {} findings in the stored text: {} on planted values, \
         {on_look_alikes} on look-alikes (its own false positives), {} on neither{}",
        corpus.seed,
        findings.len(),
        hits.values().map(BTreeSet::len).sum::<usize>(),
        unexplained.len(),
        if unexplained.is_empty() {
            String::new()
        } else {
            format!(": {}", unexplained.join(", "))
        }
    );
    let report: Vec<String> = hits
        .iter()
        .map(|(kind, types)| {
            format!(
                "  {kind}: {}",
                types.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert!(
        hits.is_empty(),
        "detect-secrets found planted values of {} kind(s) in the stored text (seed {:#x}):\n{}",
        hits.len(),
        corpus.seed,
        report.join("\n")
    );
}

#[test]
fn secrets_typed_into_sk_learn_and_sk_query_are_not_stored() {
    let env = TestEnv::new();
    without_capture(&env);
    let corpus = Corpus::write(env.home(), seed());
    let mut outputs = Outputs::default();
    for item in corpus.items.iter().filter(|i| i.class == Class::Planted) {
        let title = format!("Deploy failed on the {} in {}", item.kind, item.file);
        outputs.run(&env, &["learn", "--mistake", &title, &item.prose], false);
        outputs.run(&env, &["query", "--json", "--", &item.line], false);
    }
    // Replays the learn inbox, if anything went there, and moves telemetry in.
    outputs.run(&env, &["status", "--recall", "--json"], true);
    outputs.run(&env, &["knowledge", "export", "--format", "json"], true);

    let needles = Needles::new(&corpus);
    let mut leaks = Leaks::default();
    scan_files(&env, &corpus, &needles, &mut leaks);
    scan_database(&env, &corpus, &needles, &mut leaks);
    // What sk prints back to the person who typed it is not stored: only the export counts.
    let export: Vec<(String, Vec<u8>)> = outputs
        .runs
        .iter()
        .filter(|(label, _)| label.contains("knowledge export"))
        .cloned()
        .collect();
    scan_outputs(&Outputs { runs: export }, &corpus, &needles, &mut leaks);
    leaks.assert_none(&corpus, "`sk learn` and `sk query` (telemetry)");
}

#[test]
fn every_context_holds_every_value_in_the_logs() {
    // The oracle is only as good as its corpus: each item sits in each context meant for it.
    let dir = tempfile::tempdir().expect("scratch home");
    let corpus = Corpus::write(dir.path(), seed());
    for (index, item) in corpus.items.iter().enumerate() {
        for context in Context::ALL.into_iter().filter(|c| c.for_class(item.class)) {
            assert!(
                corpus
                    .placed
                    .iter()
                    .any(|p| p.item == index && p.context == context),
                "{} is missing from {}",
                item.kind,
                context.name()
            );
        }
    }
    let kinds: BTreeSet<&str> = corpus.items.iter().map(|i| i.kind).collect();
    assert!(kinds.len() >= 60, "{} kinds", kinds.len());
}
