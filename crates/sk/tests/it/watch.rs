//! `sk watch` through the real binary: a daemon in a temporary HOME picks up an appended
//! session line and makes it searchable, refuses a second instance, reports its status,
//! stops cleanly on `--stop` and on SIGTERM, and stale pid files are detected and cleaned.
//! Readiness is polled with deadlines, never slept for.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sk_test::TestEnv;

const CLAUDE: &str = "89f4d66a-510b-48b3-94b8-d6a8f981b143";

fn session_file(env: &TestEnv) -> PathBuf {
    env.claude_home()
        .join(format!("projects/-tmp-demo/{CLAUDE}.jsonl"))
}

fn seeded() -> TestEnv {
    let env = TestEnv::new();
    let dest = session_file(&env);
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
    std::fs::copy(sk_test::corpus("claude/convo.jsonl"), &dest).expect("seed");
    env.sk().arg("index").assert().success();
    env
}

/// A user prompt in Claude Code's transcript format, with a word found nowhere else.
fn append_prompt(env: &TestEnv, word: &str) {
    let line = serde_json::json!({
        "parentUuid": null,
        "isSidechain": false,
        "type": "user",
        "message": {"role": "user", "content": format!("please remember the {word} convention")},
        "uuid": "0b7a3f52-1111-4c4c-9999-000000000001",
        "timestamp": "2026-05-07T19:00:00.000Z",
        "sessionId": CLAUDE,
        "cwd": "/tmp/demo"
    });
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(session_file(env))
        .expect("open log");
    writeln!(f, "{line}").expect("append");
}

fn stdout(env: &TestEnv, args: &[&str]) -> (i32, String) {
    let out = env.sk().args(args).output().expect("run sk");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn wait_until(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !check() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stops the daemon even when an assertion fails, so no watcher outlives its test home.
struct StopOnDrop<'a>(&'a TestEnv);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.sk().args(["watch", "--stop"]).output();
    }
}

/// Session hits for `word` (`sk query --json`, schema 2: one ranked `hits` list).
fn hits(env: &TestEnv, word: &str) -> usize {
    let out = env
        .sk()
        .args(["query", word, "--kind", "session", "--json"])
        .output()
        .expect("query");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    v["hits"]
        .as_array()
        .map_or(0, |h| h.iter().filter(|h| h["kind"] == "session").count())
}

#[test]
fn daemon_captures_an_appended_line_and_stops_cleanly() {
    let env = seeded();
    assert_eq!(hits(&env, "zebracorn"), 0, "the word is not in the corpus");
    let (code, text) = stdout(&env, &["watch", "--daemon", "--debounce-ms", "100"]);
    let _guard = StopOnDrop(&env);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("started in the background (pid"), "{text}");
    let pid_file = env.copilot_home().join("markers/watch.pid");
    assert!(pid_file.is_file());

    let (code, text) = stdout(&env, &["watch", "--daemon"]);
    assert_eq!(code, 1, "a second watcher is refused:\n{text}");
    assert!(text.contains("already running"), "{text}");

    append_prompt(&env, "zebracorn");
    wait_until(
        "the appended line to be searchable",
        Duration::from_secs(30),
        || hits(&env, "zebracorn") > 0,
    );

    let (code, text) = stdout(&env, &["watch", "--status"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("is running (pid") && text.contains("errors: 0"),
        "{text}"
    );
    let (_, text) = stdout(&env, &["doctor"]);
    assert!(text.contains("ok   watcher   sk watch is running"), "{text}");

    let (code, text) = stdout(&env, &["watch", "--stop"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Stopped sk watch (pid"), "{text}");
    assert!(!pid_file.exists(), "pid file removed");
    let (_, text) = stdout(&env, &["watch", "--status"]);
    assert!(text.contains("is not running"), "{text}");
}

#[test]
fn a_stale_pid_file_is_detected_and_cleaned() {
    let env = TestEnv::new();
    // A pid that surely belongs to no running process: one that has exited.
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let dead = child.id();
    child.wait().expect("wait");
    env.write(".copilot/markers/watch.pid", format!("{dead}\n"));
    let (_, text) = stdout(&env, &["watch", "--status"]);
    assert!(text.contains(&format!("stale pid file for pid {dead}")), "{text}");
    let (_, text) = stdout(&env, &["doctor"]);
    assert!(
        text.contains("stale pid file") && text.contains("fix: sk watch --stop"),
        "{text}"
    );
    let (code, text) = stdout(&env, &["watch", "--stop"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("stale pid file"), "{text}");
    assert!(!env.copilot_home().join("markers/watch.pid").exists());
}

#[test]
fn foreground_watcher_exits_cleanly_on_sigterm() {
    let env = seeded();
    let mut cmd = std::process::Command::new(sk_test::sk_bin());
    cmd.args(["watch", "--debounce-ms", "100"])
        .env_clear()
        .env("HOME", env.home())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn watcher");
    let _guard = StopOnDrop(&env);
    wait_until("the watcher to start", Duration::from_secs(20), || {
        stdout(&env, &["watch", "--status"]).1.contains("is running")
    });
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let end = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < end, "watcher did not exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "clean exit, got {status:?}");
    assert!(!env.copilot_home().join("markers/watch.pid").exists());
}

#[test]
fn a_busy_database_makes_the_watcher_wait_and_retry_without_losing_the_change() {
    let env = seeded();
    let (code, text) = stdout(&env, &["watch", "--daemon", "--debounce-ms", "100"]);
    let _guard = StopOnDrop(&env);
    assert_eq!(code, 0, "{text}");
    // Another writer: the same OS lock sk's writers take, held by this test.
    let lock_path = PathBuf::from(format!("{}.writer", env.db().display()));
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .expect("open lock");
    lock.lock().expect("take the writer lock");
    append_prompt(&env, "quokkaline");
    let log = env.copilot_home().join("markers/watch.log");
    wait_until(
        "the watcher to find the database busy",
        Duration::from_secs(30),
        || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("database busy")),
    );
    assert_eq!(
        hits(&env, "quokkaline"),
        0,
        "nothing written while the lock is held"
    );
    lock.unlock().expect("release");
    wait_until(
        "the change to be stored after the lock is released",
        Duration::from_secs(30),
        || hits(&env, "quokkaline") > 0,
    );
    let (_, text) = stdout(&env, &["watch", "--status"]);
    assert!(text.contains("errors: 0"), "busy is not an error:\n{text}");
    // Uninstall stops the watcher before removing anything.
    let (code, text) = stdout(&env, &["uninstall"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Stopped sk watch (pid"), "{text}");
    assert!(!stdout(&env, &["watch", "--status"]).1.contains("is running"));
}

#[test]
fn the_capture_hook_leaves_a_finished_session_to_the_running_watcher() {
    let env = seeded();
    let (code, text) = stdout(&env, &["watch", "--daemon", "--debounce-ms", "100"]);
    let _guard = StopOnDrop(&env);
    assert_eq!(code, 0, "{text}");
    wait_until("the watcher to report running", Duration::from_secs(20), || {
        stdout(&env, &["watch", "--status"]).1.contains("is running")
    });
    let out = env
        .sk()
        .args(["hooks", "run", "--agent", "claude", "SessionEnd"])
        .write_stdin(r#"{"session_id":"s1","hook_event_name":"SessionEnd","reason":"exit","cwd":"/tmp"}"#)
        .output()
        .expect("run hook");
    assert_eq!(out.status.code(), Some(0));
    let audit = std::fs::read_to_string(env.copilot_home().join("markers/hooks-audit.jsonl")).expect("audit");
    let last = audit.lines().last().expect("audit line");
    assert!(last.contains("left to the running sk watch"), "{last}");
}
