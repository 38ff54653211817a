//! Knowledge after `sk index` on the real corpus: extraction, `sk show`, `sk query`.

use predicates::prelude::*;
use sk_test::TestEnv;

pub(crate) fn corpus_home() -> TestEnv {
    let env = TestEnv::new();
    env.seed_corpus(
        "claude/convo.jsonl",
        ".claude/projects/-tmp-demo/89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl",
    );
    env.seed_corpus(
        "copilot/real-session.jsonl",
        ".copilot/session-state/7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe/events.jsonl",
    );
    env.seed_corpus(
        "codex/compacted-real.jsonl",
        ".codex/sessions/2026/07/21/rollout-2026-07-21T10-00-00-019f86c9-2b8a-7651-bff3-79039535009a.jsonl",
    );
    env.sk()
        .arg("index")
        .assert()
        .success()
        .stdout(predicate::str::contains("Extracted from 3 session(s)"));
    env
}

/// The hits of one kind (`session` or `knowledge`) of `sk query --json`.
fn of_kind(v: &serde_json::Value, kind: &str) -> Vec<serde_json::Value> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|h| h["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn index_extracts_mistakes_with_provenance_and_extraction_is_idempotent() {
    let env = corpus_home();
    // The corpus's one mistake is a failure never fixed in its session: stored, and
    // under the quality floor, so only `--all-quality` lists it.
    let shown = env.json(&["query", "--category", "mistake", "--json", "--limit", "50"]);
    assert!(of_kind(&shown, "knowledge").is_empty(), "{shown}");
    let before = env.json(&[
        "query",
        "--category",
        "mistake",
        "--all-quality",
        "--json",
        "--limit",
        "50",
    ]);
    let mistakes = of_kind(&before, "knowledge");
    assert!(!mistakes.is_empty(), "the corpus has failed tool calls: {before}");
    assert!(
        mistakes.iter().all(|m| m["confidence"]
            .as_f64()
            .is_some_and(|c| c < sk_core::knowledge::SHOWN_MIN_CONFIDENCE)),
        "{before}"
    );
    let id: i64 = mistakes[0]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let shown = env.json(&["show", &id.to_string(), "--json"]);
    assert_eq!(shown["category"], "mistake");
    assert!(
        shown["sources"].as_array().is_some_and(|s| !s.is_empty()),
        "{shown}"
    );
    assert!(
        shown["sessions"][0]["session_key"]
            .as_str()
            .is_some_and(|k| k.contains(':')),
        "{shown}"
    );
    env.sk()
        .args(["show", &id.to_string(), "--why"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Why it was kept"));

    env.sk()
        .args(["extract", "--full"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 new entries"));
    let after = env.json(&[
        "query",
        "--category",
        "mistake",
        "--all-quality",
        "--json",
        "--limit",
        "50",
    ]);
    // Scores carry the hits' age, which moves between the two calls: compare the entries.
    let entries = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        of_kind(v, "knowledge")
            .into_iter()
            .map(|mut h| {
                let o = h.as_object_mut().expect("hit object");
                o.remove("score");
                o.remove("explain");
                h
            })
            .collect()
    };
    assert_eq!(entries(&before), entries(&after), "re-extraction changed nothing");
    env.sk()
        .arg("extract")
        .assert()
        .success()
        .stdout(predicate::str::contains("from 0 session(s)"));
}

#[test]
fn query_finds_sessions_by_a_phrase_and_survives_any_input() {
    let env = corpus_home();
    let hits = env.json(&["query", "does-not-exist.txt", "--json"]);
    assert!(!of_kind(&hits, "session").is_empty(), "{hits}");
    for weird in ["\"((*", "NEAR(", "a OR", "-", "ü ß 漢字", "col:umn^2"] {
        env.sk().args(["query", weird]).assert().success();
    }
    let relaxed = env.json(&["query", "notes.md", "zzzunmatchedzzz", "--json"]);
    assert_eq!(relaxed["relaxed"], true, "{relaxed}");
    env.sk()
        .arg("query")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give words"));
    env.sk()
        .args(["show", "999999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no such entry"));
}

#[test]
fn recall_without_a_database_says_to_index() {
    let env = TestEnv::new();
    env.sk()
        .args(["query", "x"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("run `sk index`"));
    env.sk()
        .args(["show", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("run `sk index`"));
}

#[test]
fn planted_failure_fix_sequences_become_mistakes_for_every_agent() {
    // The generated corpus plants failing builds/tests followed by an edit and a passing
    // re-run, written in each agent's own log format.
    let env = TestEnv::new();
    sk_bench::corpus::generate(
        env.home(),
        &sk_bench::corpus::Options {
            total_bytes: 3 << 20,
            ..Default::default()
        },
    )
    .expect("generate corpus");
    env.sk().arg("index").assert().success();
    let export = {
        let out = env
            .sk()
            .args(["knowledge", "export", "--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice::<serde_json::Value>(&out).expect("export json")
    };
    let entries = export["entries"].as_array().expect("entries");
    for agent in ["copilot", "claude", "codex"] {
        let fixed: Vec<&serde_json::Value> = entries
            .iter()
            .filter(|e| e["category"] == "mistake")
            .filter(|e| {
                e["sources"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|s| s["session_key"].as_str().is_some_and(|k| k.starts_with(agent)))
                })
            })
            .filter(|e| {
                e["why"]
                    .as_array()
                    .is_some_and(|w| w.iter().any(|c| c == "rule:failure-fix"))
            })
            .collect();
        assert!(
            !fixed.is_empty(),
            "no failure→fix mistake extracted from {agent} logs"
        );
        let body = fixed[0]["body"].as_str().expect("body");
        assert!(
            body.len() > 40,
            "{agent}: the body explains the failure and the fix: {body}"
        );
    }
}

#[test]
fn query_filters_narrow_sessions_and_knowledge() {
    let env = corpus_home();
    let all = env.json(&["query", "notes.md", "--json", "--limit", "50"]);
    let agents: std::collections::BTreeSet<String> = of_kind(&all, "session")
        .iter()
        .map(|h| h["agent"].as_str().expect("agent").to_string())
        .collect();
    assert!(
        agents.len() >= 2,
        "the phrase is in several agents' logs: {agents:?}"
    );
    let claude = env.json(&[
        "query", "notes.md", "--agent", "claude", "--json", "--limit", "50",
    ]);
    let hits = of_kind(&claude, "session");
    assert!(
        !hits.is_empty() && hits.iter().all(|h| h["agent"] == "claude"),
        "{claude}"
    );
    let prompts = env.json(&["query", "notes.md", "--in", "prompt", "--json", "--limit", "50"]);
    assert!(
        of_kind(&prompts, "session")
            .iter()
            .all(|h| h["category"] == "prompt"),
        "{prompts}"
    );
    let future = env.json(&["query", "notes.md", "--since", "2099-01-01", "--json"]);
    assert!(of_kind(&future, "session").is_empty(), "{future}");
    let session = env.json(&[
        "query",
        "notes.md",
        "--session",
        "copilot:7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe",
        "--json",
        "--limit",
        "50",
    ]);
    let hits = of_kind(&session, "session");
    assert!(
        !hits.is_empty()
            && hits
                .iter()
                .all(|h| h["id"] == "copilot:7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe")
    );
    let by_file = env.json(&[
        "query",
        "failed",
        "--category",
        "mistake",
        "--all-quality",
        "--file",
        "notes.md",
        "--json",
    ]);
    assert!(!of_kind(&by_file, "knowledge").is_empty(), "{by_file}");
    let other_file = env.json(&[
        "query",
        "failed",
        "--category",
        "mistake",
        "--all-quality",
        "--file",
        "src/auth.rs",
        "--json",
    ]);
    assert!(of_kind(&other_file, "knowledge").is_empty(), "{other_file}");
    env.sk()
        .args(["query", "x", "--since", "yesterday-ish"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid --since"));
}
