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
