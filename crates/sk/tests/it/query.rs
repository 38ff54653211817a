//! `sk query` as the recall issue specifies it: query syntax (phrases, exclusions, a prefix
//! on the last word), --kind, the new filters, --explain/--compact/--budget, the stable
//! JSON schema (snapshot), bad input, and local telemetry with `sk status --recall`.

use predicates::prelude::*;

use crate::recall::corpus_home;

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn phrases_exclusions_and_prefixes() {
    let env = corpus_home();
    // The word as a prefix: `does-not-exi` is still being typed.
    let prefix = env.json(&["query", "--json", "--", "does-not-exi"]);
    assert!(!ids(&prefix).is_empty(), "{prefix}");
    // Excluding a word every hit of the phrase has leaves nothing of it.
    let all = env.json(&["query", "--json", "--limit", "50", "--", "notes.md"]);
    let without = env.json(&["query", "--json", "--limit", "50", "--", "notes.md", "-notes"]);
    assert!(!ids(&all).is_empty());
    assert!(ids(&without).is_empty(), "{without}");
    // A phrase must appear in that order: the reversed phrase is found nowhere.
    let phrase = env.json(&["query", "--json", "--", "\"does not exist\""]);
    let reversed = env.json(&["query", "--json", "--", "\"exist not does\""]);
    assert!(!ids(&phrase).is_empty(), "{phrase}");
    assert!(ids(&reversed).is_empty(), "{reversed}");
}

#[test]
fn kind_selects_knowledge_or_sessions() {
    let env = corpus_home();
    for (kind, want) in [("knowledge", "knowledge"), ("session", "session")] {
        let v = env.json(&[
            "query", "--json", "--kind", kind, "--limit", "50", "--", "notes.md",
        ]);
        let hits = v["hits"].as_array().expect("hits");
        assert!(!hits.is_empty() || kind == "knowledge", "{v}");
        assert!(hits.iter().all(|h| h["kind"] == want), "{v}");
        assert_eq!(v["kind"], kind);
    }
}

#[test]
fn explain_compact_and_budget() {
    let env = corpus_home();
    let explained = env.stdout(&["query", "--explain", "notes.md"]);
    assert!(
        explained.contains("score ") && explained.contains("recency"),
        "{explained}"
    );
    assert!(
        explained.contains("open: sk "),
        "every block names the id to open: {explained}"
    );

    let compact = env.stdout(&["query", "--compact", "--limit", "5", "notes.md"]);
    assert!(!compact.is_empty());
    for line in compact.lines() {
        assert!(line.starts_with("K ") || line.starts_with("S "), "{line}");
        assert!(line.ends_with('t') && line.contains(" ~"), "token count: {line}");
    }

    let full = env.stdout(&["query", "--json", "--limit", "20", "notes.md"]);
    let budget = full.chars().count() / 2;
    let cut = env.stdout(&[
        "query",
        "--json",
        "--limit",
        "20",
        "--budget",
        &budget.to_string(),
        "notes.md",
    ]);
    assert!(
        cut.chars().count() <= budget,
        "{} > {budget}",
        cut.chars().count()
    );
    let v: serde_json::Value = serde_json::from_str(&cut).expect("still valid JSON");
    assert!(v["omitted"].as_u64().is_some_and(|n| n > 0), "{v}");
    let tokens = env.stdout(&["query", "--compact", "--budget", "40t", "notes.md"]);
    assert!(tokens.chars().count() <= 160, "{tokens}");
    env.sk()
        .args(["query", "--budget", "lots", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid budget"));
}

#[test]
fn module_task_and_here_filters() {
    let env = corpus_home();
    // --module: the failing read of does-not-exist.txt happened under /tmp/elicit-scratch.
    let inside = env.json(&["query", "--json", "--module", "/tmp/elicit-scratch", "notes.md"]);
    assert!(!ids(&inside).is_empty(), "{inside}");
    let outside = env.json(&["query", "--json", "--module", "no/such/dir", "notes.md"]);
    assert!(ids(&outside).is_empty(), "{outside}");

    // --task: entries recorded with a task id.
    env.sk()
        .args([
            "learn",
            "--pattern",
            "Retry the flaky upload twice",
            "Uploads to the bucket fail once in a while; retry twice.",
            "--task",
            "ISSUE-42",
            "--repo",
            "acme/demo",
        ])
        .assert()
        .success();
    let task = env.json(&["query", "--json", "--task", "ISSUE-42", "upload"]);
    assert_eq!(task["hits"].as_array().map(Vec::len), Some(1), "{task}");
    let other = env.json(&["query", "--json", "--task", "ISSUE-7", "upload"]);
    assert!(ids(&other).is_empty(), "{other}");

    // --here: a checkout whose origin is acme/demo finds that repository's knowledge only.
    let repo = env.home().join("work/demo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    std::fs::write(
        repo.join(".git/config"),
        "[remote \"origin\"]\n\turl = git@github.com:acme/demo.git\n",
    )
    .expect("git config");
    let out = env
        .sk()
        .current_dir(&repo)
        .args(["query", "--json", "--here", "upload"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let here: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(here["hits"].as_array().map(Vec::len), Some(1), "{here}");
    let elsewhere = env.home().join("plain");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    env.sk()
        .current_dir(&elsewhere)
        .args(["query", "--here", "upload"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not inside a git repository"));
}

#[test]
fn bad_input_is_refused_clearly() {
    let env = corpus_home();
    env.sk()
        .args(["query", "  "])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give words"));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        env.sk()
            .arg("query")
            .arg(std::ffi::OsStr::from_bytes(b"caf\xe9"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("UTF-8"));
    }
    env.sk()
        .args(["session", "nosuchsession"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no such session"));
}

#[test]
fn json_schema_is_stable() {
    let env = corpus_home();
    let text = env.stdout(&["query", "--json", "--all-quality", "--limit", "4", "notes.md"]);
    insta::with_settings!({filters => vec![
        (r#""(date|score|bm25|field_weight|relevance|prior|recency|here)": [-0-9.e]+"#, r#""$1": "[number]""#),
    ]}, {
        insta::assert_snapshot!("query_json_schema", text);
    });
}

#[test]
fn recall_use_is_recorded_and_summarized() {
    let env = corpus_home();
    env.sk().args(["query", "notes.md"]).assert().success();
    env.sk().args(["query", "zzzunmatchedzzz"]).assert().success();
    env.sk().args(["show", "1"]).assert().success();
    env.sk().args(["show", "1"]).assert().success();
    env.sk().args(["brief", "write notes.md"]).assert().success();
    let s = env.json(&["status", "--recall", "--json"]);
    assert_eq!(s["queries"], 2, "{s}");
    assert_eq!(s["queries_without_hits"], 1, "{s}");
    assert_eq!(s["recent_misses"][0], "zzzunmatchedzzz", "{s}");
    assert_eq!(s["most_opened"][0]["id"], "1", "{s}");
    assert_eq!(s["most_opened"][0]["times"], 2, "{s}");
    assert_eq!(s["briefs"], 1, "{s}");
    assert!(s["average_brief_bytes"].as_f64().is_some_and(|b| b > 0.0), "{s}");
    let text = env.stdout(&["status", "--recall"]);
    assert!(
        text.contains("found nothing") && text.contains("zzzunmatchedzzz"),
        "{text}"
    );
}

/// A Codex rollout with one user message per prompt and a short answer after each.
fn rollout(id: &str, prompts: &[&str]) -> String {
    let line = |v: serde_json::Value| format!("{v}\n");
    let mut out = line(serde_json::json!({
        "timestamp": "2026-03-02T10:00:00.000Z",
        "type": "session_meta",
        "payload": {"id": id, "timestamp": "2026-03-02T10:00:00.000Z", "cwd": "/work/site", "originator": "codex_cli_rs"}
    }));
    for (i, p) in prompts.iter().enumerate() {
        let ts = format!("2026-03-02T10:0{}:00.000Z", i + 1);
        out.push_str(&line(serde_json::json!({
            "timestamp": ts, "type": "response_item",
            "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": p}]}
        })));
        out.push_str(&line(serde_json::json!({
            "timestamp": ts, "type": "response_item",
            "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done: committed the changes."}]}
        })));
    }
    out
}

#[test]
fn a_session_is_found_by_the_language_its_person_wrote_in() {
    let env = sk_test::TestEnv::new();
    let french = "019c0000-0000-7000-8000-00000000f001";
    let english = "019c0000-0000-7000-8000-00000000e002";
    env.write(
        &format!(".codex/sessions/2026/03/02/rollout-2026-03-02T10-00-00-{french}.jsonl"),
        rollout(
            french,
            &[
                "set up git and make a clean commit",
                "Bon, ajoute tous les fichiers et fais le premier commit avec un message clair",
            ],
        ),
    );
    env.write(
        &format!(".codex/sessions/2026/03/02/rollout-2026-03-02T11-00-00-{english}.jsonl"),
        rollout(
            english,
            &["set up git and make a clean commit of the whole site folder"],
        ),
    );
    env.sk().arg("index").assert().success();
    // The language is named in English, though no prompt says it.
    let hits = env.json(&[
        "query",
        "--kind",
        "session",
        "--json",
        "--",
        "the session I answered in French",
    ]);
    assert_eq!(ids(&hits), [format!("codex:{french}")], "{hits}");
    // English is never named: every session is in it.
    let none = env.json(&["query", "--kind", "session", "--json", "--", "English"]);
    assert!(ids(&none).is_empty(), "{none}");
}

/// Chinese and Japanese are written without spaces and Korean words carry their particles,
/// so FTS5 reads a whole sentence as one token. A word typed in those scripts still finds
/// the session that used it inside a sentence (schema v10, `session_cjk`), and an English
/// query ranks the English session as before.
#[test]
fn a_word_inside_a_chinese_japanese_or_korean_sentence_finds_its_session() {
    let env = sk_test::TestEnv::new();
    let sessions = [
        (
            "019c0000-0000-7000-8000-0000000c0001",
            "查看日志，告诉我为什么生成飞书文档这件事情重复了那么多次",
        ),
        (
            "019c0000-0000-7000-8000-0000000c0002",
            "로또 번호를 생성하는 웹앱을 만들어 주세요",
        ),
        (
            "019c0000-0000-7000-8000-0000000c0003",
            "ロボットのサンプルを実行してください",
        ),
        (
            "019c0000-0000-7000-8000-0000000c0004",
            "generate the lottery numbers and repeat the Feishu export",
        ),
    ];
    for (i, (id, prompt)) in sessions.iter().enumerate() {
        env.write(
            &format!(".codex/sessions/2026/03/02/rollout-2026-03-02T1{i}-00-00-{id}.jsonl"),
            rollout(id, &[prompt]),
        );
    }
    env.sk().arg("index").assert().success();
    let top = |q: &str| -> Vec<String> {
        let hits = env.json(&["query", "--kind", "session", "--json", "--", q]);
        ids(&hits)
    };
    let key = |i: usize| format!("codex:{}", sessions[i].0);
    for (q, want) in [
        ("重复", 0),
        ("飞书文档", 0),
        ("번호", 1),
        ("サンプル", 2),
        ("lottery numbers", 3),
    ] {
        assert_eq!(top(q).first(), Some(&key(want)), "{q}: {:?}", top(q));
    }
    // The characters of a word in another order are not that word.
    assert!(top("复重").is_empty(), "{:?}", top("复重"));
}

#[test]
fn a_half_typed_last_word_never_loses_the_sessions_the_other_words_found() {
    // Three sessions that all mention `notes.md`: the word is in every session, so it
    // weighs nothing and is left out first; the last word, typed without a trailing space,
    // is tried as a prefix. Neither may throw away the sessions the whole query found.
    let env = corpus_home();
    let whole = env.json(&["query", "--kind", "session", "--json", "--", "notes.md"]);
    assert!(!ids(&whole).is_empty(), "{whole}");
    for query in ["notes.md zzzunmatchedzzz", "notes.md zzzunm"] {
        let hits = env.json(&["query", "--kind", "session", "--json", "--", query]);
        assert_eq!(ids(&hits), ids(&whole), "{query}: {hits}");
    }
}
