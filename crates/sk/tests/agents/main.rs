//! The compatibility harness: the real, pinned agent CLIs (`tests/agents/package.json`)
//! run headless with `sk hooks deploy` done in a temporary home, against a scripted local
//! model ([`model`]), in a real git repository. Each scenario asserts on what the model was
//! shown (the recorded requests) and on the files the agent wrote.
//!
//! Without `tests/agents/node_modules` every scenario prints why it skipped and passes, so
//! `cargo test` works on a machine without npm; `.ci/run` installs them (`npm ci`) and sets
//! `SK_AGENTS_REQUIRED=1`, which turns a missing install into a failure.

#![allow(clippy::string_slice)]

mod claude;
mod codex;
mod copilot;
mod drift;
mod model;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The npm folder of the harness.
fn agents_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/agents")
}

/// The pinned CLI of `agent`, or None (after saying why) when it is not installed.
fn agent_bin(agent: &str) -> Option<PathBuf> {
    let nm = agents_dir().join("node_modules");
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => ("linux-x64", "x86_64-unknown-linux-musl"),
        ("linux", "aarch64") => ("linux-arm64", "aarch64-unknown-linux-musl"),
        ("macos", "x86_64") => ("darwin-x64", "x86_64-apple-darwin"),
        ("macos", "aarch64") => ("darwin-arm64", "aarch64-apple-darwin"),
        _ => ("unsupported", "unsupported"),
    };
    // The native binaries the npm packages carry, run directly: no Node.js in between and
    // no dependence on the postinstall step (npm 11 does not run unapproved install scripts).
    let bin = match agent {
        "claude" => nm.join(format!("@anthropic-ai/claude-code-{}/claude", platform.0)),
        "codex" => nm.join(format!(
            "@openai/codex-{}/vendor/{}/bin/codex",
            platform.0, platform.1
        )),
        "copilot" => nm.join(format!("@github/copilot-{}/copilot", platform.0)),
        other => panic!("no such agent {other}"),
    };
    if bin.is_file() {
        return Some(bin);
    }
    let why = format!(
        "SKIP agent harness ({agent}): {} is not installed; run `npm ci --prefix tests/agents`",
        bin.display()
    );
    if std::env::var_os("SK_AGENTS_REQUIRED").is_some_and(|v| v == "1") {
        panic!("{why} (SK_AGENTS_REQUIRED=1)");
    }
    eprintln!("{why}");
    None
}

/// A temporary home with sk's hooks deployed for one agent, and git repositories in it.
struct Sandbox {
    dir: tempfile::TempDir,
    agent: &'static str,
}

impl Sandbox {
    fn new(agent: &'static str) -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("sk-agents-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        let sb = Sandbox { dir, agent };
        let out = sb.sk(&["hooks", "deploy", "--agent", agent], &sb.home());
        assert!(out.status.success(), "sk hooks deploy: {}", text(&out));
        sb
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// A git repository `name` with one commit (and `origin` when given), outside the home.
    fn repo(&self, name: &str, origin: Option<&str>) -> PathBuf {
        let root = self.dir.path().join(name);
        std::fs::create_dir_all(&root).expect("repo dir");
        std::fs::write(root.join("README.md"), format!("# {name}\n")).expect("readme");
        git(&root, &["init", "-q", "-b", "main"]);
        if let Some(url) = origin {
            git(&root, &["remote", "add", "origin", url]);
        }
        git(&root, &["add", "README.md"]);
        git(&root, &["commit", "-q", "-m", &format!("Start {name}")]);
        root
    }

    /// The environment every process of the sandbox gets: this home and nothing of the
    /// machine's agent or sk settings; sk's folder first on PATH.
    fn env(&self, cmd: &mut Command) {
        for var in sk_core::env::ALL.iter().filter(|v| v.name != "PATH") {
            cmd.env_remove(var.name);
        }
        for var in [
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "ANTHROPIC_BASE_URL",
            "ANTHROPIC_MODEL",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "CLAUDECODE",
            "CLAUDE_CODE_ENTRYPOINT",
            "CODEX_SANDBOX",
            "XDG_CONFIG_HOME",
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env_remove(var);
        }
        let sk_dir = sk_bin().parent().expect("sk dir").to_path_buf();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![sk_dir];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"))
            .env("HOME", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1");
    }

    fn sk(&self, args: &[&str], cwd: &Path) -> Output {
        let mut cmd = Command::new(sk_bin());
        self.env(&mut cmd);
        cmd.args(args).current_dir(cwd).output().expect("run sk")
    }

    /// `sk ARGS` that must succeed; its standard output.
    fn sk_ok(&self, args: &[&str], cwd: &Path) -> String {
        let out = self.sk(args, cwd);
        assert!(out.status.success(), "sk {args:?} failed: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (with a deadline, no fixed sleep) until `sk ARGS` prints something that
    /// satisfies `ok`; the last output either way.
    fn sk_until(&self, args: &[&str], cwd: &Path, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.sk(args, cwd);
            let s = String::from_utf8_lossy(&out.stdout).into_owned();
            if (out.status.success() && ok(&s)) || Instant::now() > deadline {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Records a decision with `sk learn` inside `repo` (it is tied to that repository).
    fn learn_decision(&self, repo: &Path, title: &str, body: &str) {
        self.sk_ok(&["learn", "--decision", title, body], repo);
    }

    /// Alpha's own decision, recorded inside alpha: what a briefing for alpha must carry
    /// and a briefing for any other repository must not.
    fn alpha_decision(&self, alpha: &Path) {
        self.learn_decision(
            alpha,
            "Alpha stores money as integer cents",
            "Floats lost cents in invoices; every amount in alpha is an i64 of cents.",
        );
    }

    /// Beta's own decision, recorded inside beta.
    fn beta_decision(&self, beta: &Path) {
        self.learn_decision(
            beta,
            "Beta keeps its queue in Redis streams",
            "Chosen over RabbitMQ for beta's workers: one dependency fewer.",
        );
    }

    /// A repository whose `build.sh` fails with a version mismatch, and the fix for it
    /// recorded with `sk learn --mistake`: the known-fix scenario of every agent.
    fn known_fix_repo(&self) -> PathBuf {
        let repo = self.repo("delta", Some("https://github.com/acme/delta.git"));
        std::fs::write(
            repo.join("build.sh"),
            "#!/bin/sh\necho 'frobnicator version mismatch: wanted 3, found 2' >&2\nexit 1\n",
        )
        .expect("build.sh");
        self.sk_ok(
            &[
                "learn",
                "--mistake",
                "build.sh fails with frobnicator version mismatch",
                "The frobnicator version mismatch goes away after ./configure --frobnicator=3; then build.sh passes.",
            ],
            &repo,
        );
        repo
    }

    /// The session the agent ran for "Tidy the workspace zanzibar" is in sk: `sk session`
    /// shows its prompt and tool call, and `sk query` finds it.
    fn assert_session_in_sk(&self, session_id: &str, repo: &Path) {
        // The end-of-session hook indexes in the background, and the session can be listed
        // before its last events are in: wait for the tool call (with the deadline).
        let id = format!("{}:{session_id}", self.agent);
        let shown = self.sk_until(&["session", &id], repo, |s| s.contains("echo harness-proof"));
        assert!(
            shown.contains("Tidy the workspace zanzibar"),
            "the prompt: {shown}"
        );
        assert!(shown.contains("echo harness-proof"), "the tool call: {shown}");
        let found = self.sk_ok(&["query", "zanzibar"], repo);
        assert!(
            found.contains(&session_id[..8]),
            "sk query finds the session: {found}"
        );
    }

    fn transcripts(&self) -> Vec<PathBuf> {
        let root = match self.agent {
            "claude" => self.home().join(".claude/projects"),
            "copilot" => self.home().join(".copilot/session-state"),
            _ => self.home().join(".codex/sessions"),
        };
        let mut out: Vec<PathBuf> = walk(&root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        out.sort();
        out
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Runs `cmd` to completion, killing it after `secs`: a scripted conversation that goes
/// wrong must fail the test, not hang CI. The second value says whether it was killed.
fn run_with_deadline(cmd: &mut Command, secs: u64) -> (Output, bool) {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    // A process group of its own, so that a kill also reaches what the agent started (a
    // hook's sk, a shell, helpers) and nothing keeps the output pipes open.
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("spawn agent");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(out) => (out.expect("agent output"), false),
        Err(_) => {
            // The group this test started, by its id (the group id is the child's pid).
            let _ = Command::new("kill")
                .args(["-9", "--", &format!("-{pid}")])
                .status();
            let out = rx
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("the agent's process group kept running after kill -9 -{pid}"))
                .expect("agent output");
            (out, true)
        }
    }
}

fn sk_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sk"))
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Harness",
            "-c",
            "user.email=harness@example.invalid",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

/// Runs an agent's one-shot command (at most 90 s), asserts it succeeded, and returns what
/// it printed on stdout and stderr together (where each agent says its session id).
fn run_agent(cmd: &mut Command, what: &str) -> String {
    let (out, killed) = run_with_deadline(cmd, 90);
    assert!(!killed && out.status.success(), "{what} failed: {}", text(&out));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The `<sk-briefing …>…</sk-briefing>` the model was shown, if any.
fn briefing_in(shown: &str) -> Option<&str> {
    let start = shown.find("<sk-briefing")?;
    let end = shown[start..].find("</sk-briefing>")? + start + "</sk-briefing>".len();
    Some(&shown[start..end])
}

/// Every line of a JSONL transcript parses as JSON (the agent wrote a real log).
fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("read transcript")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("transcript line is JSON"))
        .collect()
}
