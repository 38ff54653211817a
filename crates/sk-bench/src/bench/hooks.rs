//! The hook latency benchmark behind `sk-bench-hooks`: a knowledge base of N synthetic
//! entries (seeded, so two runs build the same one), then many real `sk hooks run`
//! processes per event, process start included, as an agent would spawn them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use sk_core::Category;
use sk_store::Store;
use sk_store::knowledge::{self, Draft, Origin, Seen};

use super::report::{Bound, Target};

/// One hook invocation, process start included, for `preToolUse` (product.md §6).
pub const PRE_TOOL_MEDIAN_MS: Target = Target {
    name: "pre_tool_use_median_ms",
    bound: Bound::AtMost(5.0),
    unit: " ms",
    decimals: 2,
};
pub const PRE_TOOL_P99_MS: Target = Target {
    name: "pre_tool_use_p99_ms",
    bound: Bound::AtMost(20.0),
    unit: " ms",
    decimals: 2,
};

const PROGRAMS: &[(&str, &[&str])] = &[
    ("cargo", &["build", "test", "clippy", "run", "check"]),
    ("npm", &["test", "run build", "install", "run lint"]),
    ("pytest", &["-x", "tests/", "-k smoke"]),
    ("go", &["build ./...", "test ./...", "vet ./..."]),
    ("make", &["all", "check", "release"]),
    ("docker", &["build .", "compose up"]),
    ("tsc", &["--noEmit", "-p ."]),
    ("mvn", &["package", "verify"]),
    ("terraform", &["plan", "apply"]),
    ("kubectl", &["apply -f deploy.yaml", "rollout status"]),
];
const ERRORS: &[&str] = &[
    "unresolved import `{a}`",
    "cannot find value `{a}` in module `{b}`",
    "mismatched types: expected `{a}`, found `{b}`",
    "ModuleNotFoundError: No module named '{a}'",
    "TypeError: {a}.{b} is not a function",
    "undefined: {a}.{b}",
    "assertion failed: {a} == {b}",
    "connection refused while contacting {a}-{b}",
    "permission denied opening {a}/{b}.lock",
    "thread 'main' panicked at {a}::{b}",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "sto", "val", "qu", "dex", "tor", "pan", "zu", "bel", "cor", "fin", "gal",
    "hux", "jin", "ler", "mor", "nax", "oli", "pry", "ras", "sel", "tun", "vex", "wyn", "yor",
];

fn ident(rng: &mut SmallRng) -> String {
    let n = rng.random_range(2..=4);
    (0..n)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect()
}

/// Creates (or replaces) `db` with `entries` knowledge entries, one the benchmark's lookup
/// case is meant to find. Returns the seconds the build took.
pub fn build_db(db: &Path, entries: usize, seed: u64) -> Result<f64> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(sk_core::paths::sidecar(db, suffix));
    }
    let started = Instant::now();
    let mut store = Store::open(db).context("creating the benchmark database")?;
    let mut rng = SmallRng::seed_from_u64(seed);
    let tx = store.conn_mut().transaction()?;
    let planted = draft_for(
        "`cargo build` failed: unresolved import `serde_yaml` in src/config.rs",
        "Failed: `cargo build` (Bash)\nError: error[E0432]: unresolved import `serde_yaml`\n --> src/config.rs:3:5\nIn between: edited Cargo.toml (+ serde_yaml = \"0.9\")\nThen passed: `cargo build`\n",
        Category::Mistake,
        vec!["src/config.rs".into(), "Cargo.toml".into()],
        0.8,
        "planted".into(),
    );
    knowledge::insert(&tx, &planted, &[seen(0)])?;
    for i in 1..entries {
        let (program, subs) = PROGRAMS[rng.random_range(0..PROGRAMS.len())];
        let sub = subs[rng.random_range(0..subs.len())];
        let (a, b) = (ident(&mut rng), ident(&mut rng));
        let error = ERRORS[rng.random_range(0..ERRORS.len())]
            .replace("{a}", &a)
            .replace("{b}", &b);
        let file = format!("src/{}/{}.rs", ident(&mut rng), b);
        let category = match rng.random_range(0..10) {
            0..=5 => Category::Mistake,
            6 => Category::Pattern,
            7 => Category::Decision,
            8 => Category::Tool,
            _ => Category::Discovery,
        };
        let title = format!("`{program} {sub}` failed: {error}");
        let body = format!(
            "Failed: `{program} {sub}` (Bash)\nError: {error}\nIn between: edited {file}\nThen passed: `{program} {sub}`\n"
        );
        let confidence = 0.3 + f64::from(rng.random_range(0..60u32)) / 100.0;
        knowledge::insert(
            &tx,
            &draft_for(&title, &body, category, vec![file], confidence, format!("e{i}")),
            &[seen(i)],
        )?;
    }
    tx.commit()?;
    Ok(started.elapsed().as_secs_f64())
}

fn draft_for(
    title: &str,
    body: &str,
    category: Category,
    files: Vec<String>,
    confidence: f64,
    hash: String,
) -> Draft {
    Draft {
        category,
        title: title.into(),
        body: body.into(),
        tags: vec!["bench".into()],
        files,
        repo: Some("acme/server".into()),
        task: None,
        origin: Origin::Extracted,
        confidence,
        content_hash: hash,
        why: vec!["rule:failure-fix".into()],
        source: None,
    }
}

fn seen(i: usize) -> Seen {
    Seen {
        session_key: format!("claude:bench-{}", i % 5000),
        event_id: format!("ev{i}"),
        seen_at: 1_764_000_000_000 + i as i64,
    }
}

/// One timed case.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    pub event: &'static str,
    pub payload: String,
    pub expect_exit: i32,
    /// A string stdout+stderr must contain (proves the case did its work).
    pub expect_text: &'static str,
    /// Hook settings (`hooks-config.json`) for this case; None = defaults.
    pub config: Option<&'static str>,
}

/// The three cases of issue 6 in a working directory `cwd` (a git repository).
pub fn cases(cwd: &Path) -> Vec<Case> {
    let cwd = cwd.to_string_lossy();
    let allowed_command =
        serde_json::json!({"sessionId": "b", "timestamp": 1, "cwd": cwd, "toolName": "bash",
        "toolArgs": {"command": "cargo test --workspace"}})
        .to_string();
    vec![
        Case {
            name: "preToolUse (allow)",
            event: "preToolUse",
            payload: allowed_command.clone(),
            expect_exit: 0,
            expect_text: "",
            config: None,
        },
        Case {
            name: "preToolUse (allow, with the opt-in mistake_warn rule)",
            event: "preToolUse",
            payload: allowed_command,
            expect_exit: 0,
            expect_text: "",
            config: Some(r#"{"rules": {"mistake_warn": {"enabled": true}}}"#),
        },
        Case {
            name: "postToolUseFailure (lookup)",
            event: "postToolUseFailure",
            payload: serde_json::json!({"sessionId": "b", "timestamp": 1, "cwd": cwd, "toolName": "bash",
                "toolArgs": {"command": "cargo build"}, "error": "error[E0432]: unresolved import `serde_yaml`\n --> src/settings.rs:1:5"})
            .to_string(),
            expect_exit: 2,
            expect_text: "serde_yaml",
            config: None,
        },
        Case {
            name: "SessionStart (briefing, Claude)",
            event: "SessionStart",
            payload: serde_json::json!({"session_id": "b", "cwd": cwd, "hook_event_name": "SessionStart", "source": "startup"})
                .to_string(),
            expect_exit: 0,
            expect_text: "additionalContext",
            config: None,
        },
    ]
}

/// Runs `case` once in `home`; its wall time, process start to exit.
pub fn run_once(sk: &Path, home: &Path, case: &Case) -> Result<(Duration, i32, String)> {
    let started = Instant::now();
    let mut child = Command::new(sk)
        .args(["hooks", "run", case.event])
        .env("HOME", home)
        .env_remove("COPILOT_HOME")
        .env_remove("SK_DB")
        .env_remove("SK_HOOK_DRY_RUN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", sk.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(case.payload.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    let took = started.elapsed();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((took, out.status.code().unwrap_or(-1), text))
}

/// Warms up, checks the answer, then times `runs` invocations.
pub fn time_case(sk: &Path, home: &Path, case: &Case, warmup: usize, runs: usize) -> Result<Vec<Duration>> {
    let config = home.join(".copilot/markers/hooks-config.json");
    let _ = std::fs::remove_file(&config);
    if let Some(text) = case.config {
        std::fs::create_dir_all(home.join(".copilot/markers"))?;
        std::fs::write(&config, text)?;
    }
    let result = time_runs(sk, home, case, warmup, runs);
    let _ = std::fs::remove_file(&config);
    result
}

fn time_runs(sk: &Path, home: &Path, case: &Case, warmup: usize, runs: usize) -> Result<Vec<Duration>> {
    for i in 1..=warmup.max(1) {
        let (_, code, text) = run_once(sk, home, case)?;
        if code != case.expect_exit || !text.contains(case.expect_text) {
            bail!(
                "benchmark hooks: warmup #{i} of {} failed: exit {code} (expected {}), output: {text}",
                case.name,
                case.expect_exit
            );
        }
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        samples.push(run_once(sk, home, case)?.0);
    }
    Ok(samples)
}

/// The value below which `q` (0..1) of the samples fall (nearest rank).
pub fn percentile(samples: &[Duration], q: f64) -> Duration {
    let mut v = samples.to_vec();
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// A git repository to run the hooks in (the briefing reads its state). Its `origin` is
/// `acme/server`, the repository the generated entries name: the session-start briefing
/// is scoped to the working folder's repository, and would otherwise have nothing to say.
pub fn make_repo(dir: &Path) -> Result<PathBuf> {
    let repo = dir.join("server");
    let git = |args: &[&str]| -> Result<bool> {
        Ok(Command::new("git")
            .args(args)
            .current_dir(&repo)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .with_context(|| format!("running git {}", args.join(" ")))?
            .success())
    };
    if !repo.join(".git").exists() {
        std::fs::create_dir_all(repo.join("src"))?;
        std::fs::write(repo.join("src/config.rs"), "use serde_yaml;\n")?;
        if !git(&["init", "-q", "-b", "main"])? {
            bail!("git init failed in {}", repo.display());
        }
    }
    // A repository made by an earlier version of this benchmark has no remote.
    if !git(&["remote", "get-url", "origin"])?
        && !git(&["remote", "add", "origin", "https://github.com/acme/server.git"])?
    {
        bail!("git remote add failed in {}", repo.display());
    }
    Ok(repo)
}
