//! End-to-end check of `sk-bench-recall --eval-dir` against a fake `sk` (a shell script) and
//! a made-up set of three questions and three logs: which databases are indexed with which
//! HOME, what the queries are given, and the scores the result block reports.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

const A: &str = "0a1b2c3d-0000-4000-8000-00000000000a";
const B: &str = "0a1b2c3d-1111-4000-8000-00000000000b";
const C: &str = "fedcba98-2222-4000-8000-00000000000c";

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn line<'a>(stdout: &'a str, name: &str) -> &'a str {
    let prefix = format!("{name}: ");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name:?} line in:\n{stdout}"))
}

#[test]
fn scores_each_kind_and_indexes_the_corpus_and_the_logs_into_one_database() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let logs = root.join("logs");
    write(
        &logs.join("claude/a.jsonl"),
        &format!("{{\"sessionId\":\"{A}\"}}\n"),
    );
    write(
        &logs.join("codex/b.jsonl"),
        &format!("{{\"type\":\"session_meta\",\"payload\":{{\"id\":\"{B}\"}}}}\n"),
    );
    write(
        &logs.join("codex/c.jsonl"),
        &format!("{{\"type\":\"session_meta\",\"payload\":{{\"id\":\"{C}\"}}}}\n"),
    );
    let eval = root.join("eval");
    write(
        &eval.join("dev-queries.tsv"),
        "id\tkind\tquery\tanswer_files\tevidence\n\
         q1\tparaphrase\talpha question\tclaude/a.jsonl\tx\n\
         q2\tconcrete\tbeta question\tcodex/c.jsonl\tx\n\
         q3\tconcrete\tgamma question\tclaude/a.jsonl\tx\n",
    );
    let home = root.join("home");
    fs::create_dir_all(&home).expect("mkdir");
    let corpus = root.join("corpus");
    fs::create_dir_all(&corpus).expect("mkdir");
    let calls = root.join("calls.log");
    let sk = root.join("fake-sk");
    write(
        &sk,
        &format!(
            r#"#!/bin/sh
echo "$HOME|$SK_DB|${{CODEX_HOME:-unset}}|$*" >> {calls}
case "$1" in
  index) exit 0 ;;
  status) echo '{{"tables":[{{"table":"sessions","rows":7}}]}}'; exit 0 ;;
esac
for last; do :; done
case "$last" in
  *alpha*) echo "1. 0a1b2c3d (ambiguous) then 0a1b2c3d-0000 first" ;;
  *beta*) echo "1. 12345678 unknown, {A}"; echo "2. {C_UPPER}" ;;
  *) echo "nothing found" ;;
esac
"#,
            calls = calls.display(),
            C_UPPER = C.to_uppercase(),
        ),
    );
    fs::set_permissions(&sk, fs::Permissions::from_mode(0o755)).expect("chmod");

    let out = Command::new(env!("CARGO_BIN_EXE_sk-bench-recall"))
        .arg("--sk")
        .arg(&sk)
        .arg("--eval-dir")
        .arg(&eval)
        .arg("--logs")
        .arg(&logs)
        .arg("--home")
        .arg(&home)
        .arg("--corpus")
        .arg(&corpus)
        .args(["--sk-arg=--kind", "--sk-arg=session"])
        // Must not reach the child.
        .env("CODEX_HOME", "/nonexistent/real-home/.codex")
        .output()
        .expect("run sk-bench-recall");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    assert_eq!(line(&stdout, "questions"), "3");
    assert_eq!(line(&stdout, "known_session_ids"), "3");
    assert_eq!(line(&stdout, "db_sessions"), "7");
    assert_eq!(line(&stdout, "eval_paraphrase_recall_at_1"), "1.000");
    assert_eq!(line(&stdout, "eval_paraphrase_mrr"), "1.000");
    assert_eq!(line(&stdout, "eval_concrete_questions"), "2");
    assert_eq!(line(&stdout, "eval_concrete_recall_at_1"), "0.000");
    assert_eq!(line(&stdout, "eval_concrete_recall_at_5"), "0.500");
    assert_eq!(line(&stdout, "eval_concrete_mrr"), "0.250");
    assert_eq!(line(&stdout, "eval_all_hits_at_5"), "2");
    assert_eq!(line(&stdout, "eval_all_recall_at_1"), "0.333");
    assert_eq!(line(&stdout, "eval_all_mrr"), "0.500");
    // Five warm-up runs (all three questions here) and one measured round.
    assert_eq!(line(&stdout, "eval_queries"), "3");
    line(&stdout, "target_eval_query_median_ms");
    line(&stdout, "target_eval_query_p99_ms");

    let calls = fs::read_to_string(&calls).expect("calls");
    let calls: Vec<Vec<&str>> = calls.lines().map(|l| l.split('|').collect()).collect();
    let db = calls[0][1];
    assert!(calls.iter().all(|c| c[1] == db && c[2] == "unset"), "{calls:?}");
    // The corpus first, then the logs, into the same database.
    assert_eq!(calls[0][0], corpus.to_str().expect("utf-8"));
    assert_eq!(calls[0][3], "index --json");
    assert_eq!(calls[1][0], home.to_str().expect("utf-8"));
    assert_eq!(calls[1][3], "index --json");
    let queries: Vec<&Vec<&str>> = calls.iter().filter(|c| c[3].starts_with("query")).collect();
    assert_eq!(queries.len(), 6);
    assert!(queries.iter().all(|c| c[0] == home.to_str().expect("utf-8")));
    assert_eq!(queries[0][3], "query --limit 10 --kind session -- alpha question");
}
