//! Test support shared by the workspace's integration tests: every test gets its own
//! temporary HOME with the agent folders inside it, and runs the real `sk` binary with an
//! environment that cannot reach the developer's own home.

pub mod db;
pub mod secret_logs;
pub mod secrets;
pub mod transcript;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A temporary home directory, removed when dropped.
#[derive(Debug)]
pub struct TestEnv {
    dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::Builder::new()
                .prefix("sk-test-")
                .tempdir()
                .expect("create temp HOME"),
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }
    pub fn copilot_home(&self) -> PathBuf {
        self.home().join(".copilot")
    }
    pub fn claude_home(&self) -> PathBuf {
        self.home().join(".claude")
    }
    pub fn codex_home(&self) -> PathBuf {
        self.home().join(".codex")
    }
    /// The default knowledge database location inside this home.
    pub fn db(&self) -> PathBuf {
        self.copilot_home().join("session-state").join("knowledge.db")
    }

    /// The `sk` binary built by cargo for this test run, as a command in this home.
    pub fn sk(&self) -> Command {
        Command::from_std(self.process(sk_bin()))
    }

    /// `program` as a process to spawn in this home (a server, a client, a run to watch
    /// while it works), with the same environment as [`TestEnv::sk`].
    pub fn process(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        // Every variable sk reads (the registry), so nothing leaks in from the machine
        // running the tests — not its home, not the session id of the agent running them.
        // PATH stays: sk runs git, and the tests need the machine's tools.
        for var in sk_core::env::ALL.iter().filter(|v| v.name != "PATH") {
            cmd.env_remove(var.name);
        }
        cmd.env("HOME", self.home()).current_dir(self.home());
        cmd
    }

    /// Copies the shared corpus file `corpus_rel` (see [`corpus`]) to `home_rel` under the
    /// home, where its agent keeps logs, creating folders.
    pub fn seed_corpus(&self, corpus_rel: &str, home_rel: &str) -> PathBuf {
        let dest = self.home().join(home_rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("create fixture folder");
        std::fs::copy(corpus(corpus_rel), &dest).expect("seed corpus file");
        dest
    }

    /// Runs `sk ARGS`, expects success, and returns its standard output.
    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self
            .sk()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8 stdout")
    }

    /// Runs `sk ARGS`, expects success, and parses its standard output as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.stdout(args)).expect("json output")
    }

    /// The knowledge entries (`sk knowledge export`) whose title contains `needle`.
    pub fn entries_titled(&self, needle: &str) -> Vec<serde_json::Value> {
        let doc = self.json(&["knowledge", "export"]);
        doc["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["title"].as_str().is_some_and(|t| t.contains(needle)))
            .cloned()
            .collect()
    }

    /// Runs `sk hooks run --agent AGENT EVENT` with `payload` on stdin, expects success,
    /// and returns the context the hook hands the agent (`additionalContext`).
    pub fn hook_context(&self, agent: &str, event: &str, payload: &serde_json::Value) -> String {
        let ran = self
            .sk()
            .args(["hooks", "run", "--agent", agent, event])
            .write_stdin(payload.to_string())
            .output()
            .expect("hook");
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
        let out: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("JSON answer");
        out["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .expect("context")
            .to_string()
    }

    /// Writes a Claude Code transcript where Claude Code keeps it and runs `sk index`.
    pub fn index_claude(&self, transcript: &transcript::ClaudeTranscript) {
        self.write(&transcript.home_path(), transcript.text());
        self.sk().arg("index").assert().success();
    }

    /// Writes `bytes` to `rel` under the home, creating folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.home().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create fixture folder");
        }
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }
}

impl Default for TestEnv {
    fn default() -> Self {
        TestEnv::new()
    }
}

/// Path of the `sk` binary under test: cargo sets `CARGO_BIN_EXE_sk` only for the `sk`
/// The lines `reader` (a child's stdout) yields, read on a thread so a test can wait for
/// one with a deadline (`recv_timeout`) instead of blocking on the pipe.
pub fn lines(reader: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// crate's own tests, so other crates find it next to their test executable.
pub fn sk_bin() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_sk") {
        return PathBuf::from(p);
    }
    assert_cmd::cargo::cargo_bin("sk")
}

/// `fixtures/corpus/<rel>` in the repository (real logs, Apache-2.0, see PROVENANCE.md).
pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus")
        .join(rel)
}
