//! `sk index` through the real binary: a kill at any moment leaves a database that opens,
//! passes `integrity_check`, and converges on the next run to what one clean run produces.

use std::time::Duration;

use predicates::prelude::*;
use sk_bench::corpus::{Options, generate};
use sk_test::TestEnv;

fn integrity(db: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(db).expect("open after kill");
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}

#[test]
fn a_killed_index_run_converges_on_the_next_run() {
    let env = TestEnv::new();
    generate(
        env.home(),
        &Options {
            total_bytes: 24 << 20,
            ..Options::default()
        },
    )
    .expect("generate corpus");
    let reference = env.home().join("reference.db");
    env.sk().env("SK_DB", &reference).arg("index").assert().success();

    let db = env.home().join("killed.db");
    for delay_ms in [100u64, 400, 900] {
        let mut child = std::process::Command::new(sk_test::sk_bin())
            .arg("index")
            .env_clear()
            .env("HOME", env.home())
            .env("SK_DB", &db)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn sk index");
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        if db.exists() {
            assert_eq!(integrity(&db), "ok", "after a kill at {delay_ms} ms");
        }
    }
    env.sk().env("SK_DB", &db).arg("index").assert().success();
    assert_eq!(integrity(&db), "ok");
    assert_eq!(
        sk_test::db::dump(&db),
        sk_test::db::dump(&reference),
        "converged to the clean run"
    );
}

#[test]
fn index_reports_progress_summary_and_json() {
    let env = TestEnv::new();
    let dir = env.claude_home().join("projects/-tmp-demo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(
        sk_test::corpus("claude/convo.jsonl"),
        dir.join("89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl"),
    )
    .expect("seed");
    env.sk().arg("index").assert().success().stdout(
        predicate::str::contains("Indexed 1 of 1 files").and(predicate::str::contains("Sessions: 1 new")),
    );
    let out = env
        .sk()
        .args(["index", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json summary");
    assert_eq!(v["files_unchanged"], 1);
    assert_eq!(v["files_read"], 0);
    env.sk()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("claude").and(predicate::str::contains("1 sessions")));
    env.sk()
        .args(["index", "--path"])
        .arg(env.home().join("nope"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a folder"));
    env.sk().args(["index", "--agent", "cursor"]).assert().code(2);
}

/// A parser that panics on one file (an injected fault) costs that file only: the other
/// files are stored, the run exits 4 with one line on stderr and no backtrace, the file is
/// skipped while it stays unchanged, `sk status` and `sk doctor` name it, and once it
/// changes (here: the fault is gone and the file grew) it is read and forgotten.
#[test]
fn a_file_that_panics_its_parser_costs_only_itself() {
    let env = TestEnv::new();
    let good = env.seed_corpus(
        "claude/convo.jsonl",
        ".claude/projects/-tmp-a/89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl",
    );
    let bad = env.seed_corpus(
        "codex/convo.jsonl",
        ".codex/sessions/2026/01/02/rollout-2026-01-02T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl",
    );
    let fault = ("SK_INGEST_TEST_FAULT", "0199aaaa-0000");

    let first = env
        .sk()
        .arg("index")
        .env(fault.0, fault.1)
        .env("RUST_BACKTRACE", "1")
        .assert()
        .code(4)
        .stdout(predicate::str::contains("Sessions: 1 new"))
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&first.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line per failed file, no backtrace: {stderr}");
    assert!(
        lines[0].contains(&*bad.to_string_lossy()) && lines[0].contains("injected panic"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("stack backtrace") && !stderr.contains("panicked at"),
        "{stderr}"
    );

    // Unchanged: not tried again (no panic line), said once, and not a failure of this run.
    let second = env
        .sk()
        .args(["index", "--json"])
        .env(fault.0, fault.1)
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&second.stdout).expect("json");
    assert_eq!(v["files_read"], 0);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["still_failing"][0]["path"], bad.to_string_lossy().as_ref());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        !stderr.contains("injected panic") && stderr.contains("1 file(s) skipped"),
        "{stderr}"
    );

    let status = env.stdout(&["status"]);
    assert!(
        status.contains("Failing files:  1") && status.contains(&*bad.to_string_lossy()),
        "{status}"
    );
    assert!(status.contains("claude   1 sessions"), "{status}");
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["failing_files"][0]["agent"], "codex");
    assert!(
        status["failing_files"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("injected panic"))
    );
    let doctor = env.sk().arg("doctor").assert().get_output().stdout.clone();
    let doctor = String::from_utf8_lossy(&doctor);
    assert!(
        doctor.contains("failing-logs") && doctor.contains(&*bad.to_string_lossy()),
        "{doctor}"
    );

    // The file changes and the fault is gone: read, stored, forgotten as failing.
    let mut f = std::fs::OpenOptions::new().append(true).open(&bad).expect("open");
    std::io::Write::write_all(&mut f, b"\n").expect("grow");
    drop(f);
    env.sk().arg("index").assert().success();
    let status = env.json(&["status", "--json"]);
    assert_eq!(
        status["failing_files"].as_array().map(Vec::len),
        Some(0),
        "{status}"
    );
    let codex = status["agents"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["agent"] == "codex"))
        .cloned();
    assert_eq!(codex.map(|c| c["sessions"].clone()), Some(serde_json::json!(1)));
    let _ = good;
}

/// A first run on a machine without agent logs says where it looked and what moves those
/// folders, and `sk status` counts the run as the last index.
#[test]
fn a_first_run_that_finds_nothing_says_where_it_looked() {
    let env = TestEnv::new();
    let out = env.stdout(&["index"]);
    assert!(out.contains("No session logs found"), "{out}");
    for (folder, var) in [
        (".claude/projects", "CLAUDE_CONFIG_DIR"),
        (".codex/sessions", "CODEX_HOME"),
        (".copilot/session-state", "COPILOT_HOME"),
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(folder))
            .unwrap_or_else(|| panic!("{folder} named: {out}"));
        assert!(line.contains(var), "{line}");
    }
    assert!(out.contains("fixtures/corpus/claude/convo.jsonl"), "{out}");
    let v = env.json(&["index", "--json"]);
    assert_eq!(v["files_seen"], 0);
    assert!(v["looked_in"].as_array().is_some_and(|l| l.len() == 5), "{v}");
    let status = env.stdout(&["status"]);
    assert!(
        !status.contains("never"),
        "the run that found nothing is the last index: {status}"
    );
}

/// A Codex rollout's session is the id its `session_meta` declares (the one users and the
/// agent's hooks know), not whatever its file is called.
#[test]
fn a_codex_session_takes_the_id_its_log_declares() {
    let env = TestEnv::new();
    env.seed_corpus(
        "codex/convo.jsonl",
        ".codex/sessions/2026/05/07/rollout-2026-05-07T18-27-42-00000000-0000-0000-0000-000000000000.jsonl",
    );
    env.seed_corpus(
        "codex/compacted-real.jsonl",
        ".codex/sessions/2026/07/21/rollout-renamed-by-hand.jsonl",
    );
    env.sk().arg("index").assert().success();
    let v = env.json(&["sessions", "--json"]);
    let mut ids: Vec<String> = v
        .as_array()
        .or_else(|| v["sessions"].as_array())
        .expect("a list of sessions")
        .iter()
        .filter_map(|s| {
            s["id"]
                .as_str()
                .or_else(|| s["external_id"].as_str())
                .map(str::to_string)
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "019e03b2-11a2-7320-9098-5d831813e66c",
            "019f86c9-2b8a-7651-bff3-79039535009a"
        ],
        "{v}"
    );
    // The declared id opens the session.
    env.sk()
        .args(["session", "019e03b2-11a2-7320-9098-5d831813e66c"])
        .assert()
        .success();
}

/// `sk index --again-after MS` (what the end-of-session hook starts): what the agent writes
/// to its log after the first pass is in the database after the second.
#[test]
fn index_again_after_takes_in_what_was_written_after_the_first_pass() {
    let env = TestEnv::new();
    let dir = env.claude_home().join("projects/-tmp-demo");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let log = dir.join("89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl");
    let all = std::fs::read_to_string(sk_test::corpus("claude/convo.jsonl")).expect("corpus");
    let lines: Vec<&str> = all.lines().collect();
    let (head, tail) = lines.split_at(lines.len() / 2);
    std::fs::write(&log, format!("{}\n", head.join("\n"))).expect("first half");

    let mut child = env
        .process(sk_test::sk_bin())
        .args(["index", "--agent", "claude", "--again-after", "3000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start sk index");
    let steps = |env: &TestEnv| -> usize {
        let out = env
            .sk()
            .args(["session", "claude:89f4d66a-510b-48b3-94b8-d6a8f981b143", "--json"])
            .output()
            .expect("sk session");
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|v| v["timeline"].as_array().map(Vec::len))
            .unwrap_or(0)
    };
    // The first pass has read the first half; the agent then writes the rest.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let first = loop {
        let n = steps(&env);
        if n > 0 || std::time::Instant::now() > deadline {
            break n;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(first > 0, "the first pass indexed the first half");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("append");
    std::io::Write::write_all(&mut f, format!("{}\n", tail.join("\n")).as_bytes()).expect("second half");
    drop(f);
    assert!(child.wait().expect("sk index").success());
    let second = steps(&env);
    assert!(
        second > first,
        "the second pass took in the rest: {first} → {second} steps"
    );
}
