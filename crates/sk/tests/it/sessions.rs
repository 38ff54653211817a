//! `sk session ID` and `sk sessions` over real corpus logs after `sk index`.
//!
//! Start times come from the logs themselves (checked with
//! `python3 -c "import json;print(json.loads(open(F).readline()))"`): codex 2026-07-21,
//! copilot real-session 2026-07-02, copilot sample-session 2026-06-30 (repository
//! acme/demo), claude 2026-05-07.

use predicates::prelude::*;
use sk_test::TestEnv;

const COPILOT_REAL: &str = "7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe";
/// The sample session is seeded under an id sharing `7a80` with the real one, so that
/// prefix is ambiguous while `7a80f` is not.
const COPILOT_SAMPLE: &str = "7a80aaaa-0000-4000-8000-000000000000";
// The id the rollout declares in its session_meta (its file is named with it, as Codex does).
const CODEX: &str = "019f86c9-2b8a-7651-bff3-79039535009a";
const CLAUDE: &str = "89f4d66a-510b-48b3-94b8-d6a8f981b143";

fn corpus_home() -> TestEnv {
    let env = TestEnv::new();
    env.seed_corpus(
        "claude/convo.jsonl",
        &format!(".claude/projects/-tmp-demo/{CLAUDE}.jsonl"),
    );
    env.seed_corpus(
        "copilot/real-session.jsonl",
        &format!(".copilot/session-state/{COPILOT_REAL}/events.jsonl"),
    );
    env.seed_corpus(
        "copilot/sample-session.jsonl",
        &format!(".copilot/session-state/{COPILOT_SAMPLE}/events.jsonl"),
    );
    env.seed_corpus(
        "codex/compacted-real.jsonl",
        &format!(".codex/sessions/2026/07/21/rollout-2026-07-21T10-00-00-{CODEX}.jsonl"),
    );
    env.sk().arg("index").assert().success();
    env
}

fn listed_keys(v: &serde_json::Value) -> Vec<String> {
    v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["key"].as_str().expect("key").to_string())
        .collect()
}

#[test]
fn timeline_pairs_calls_with_results_and_marks_the_failure() {
    let env = corpus_home();
    let text = env.stdout(&["session", &format!("copilot:{COPILOT_REAL}")]);
    assert!(text.starts_with(&format!("copilot:{COPILOT_REAL}")), "{text}");
    assert!(text.contains("model: claude-haiku-4.5"), "{text}");
    assert!(text.contains("copilot 1.0.68"), "{text}");
    assert!(text.contains("cwd: /tmp/elicit-scratch"), "{text}");
    // Step 7 of the log reads a missing file: error.message is "Path does not exist".
    let failed: Vec<&str> = text.lines().filter(|l| l.contains('✗')).collect();
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].contains("view")
            && failed[0].contains("does-not-exist.txt")
            && failed[0].contains("Path does not exist"),
        "{}",
        failed[0]
    );
    // 11 tool.execution_start events, 10 of them succeeded (counted with python3 over
    // the log: type == "tool.execution_complete" and data.success).
    assert_eq!(text.lines().filter(|l| l.contains('✓')).count(), 10, "{text}");
    assert!(text.contains("> You're going to walk through"), "{text}");
    let files = text.split("Files touched").nth(1).expect("files section");
    assert!(files.contains("/tmp/elicit-scratch/notes.md"), "{files}");
    assert!(text.contains("Knowledge from this session"), "{text}");
}

#[test]
fn ids_resolve_by_prefix_and_unknown_or_ambiguous_ids_fail() {
    let env = corpus_home();
    env.sk()
        .args(["session", "7a80f"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!("copilot:{COPILOT_REAL}")));
    env.sk()
        .args(["session", CODEX])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!("codex:{CODEX}")));
    env.sk().args(["session", "7a80"]).assert().code(1).stderr(
        predicate::str::contains("ambiguous")
            .and(predicate::str::contains(COPILOT_REAL))
            .and(predicate::str::contains(COPILOT_SAMPLE)),
    );
    env.sk()
        .args(["session", "zzz-nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no such session: zzz-nope (list them with `sk sessions`)",
        ));
    env.sk()
        .args(["session", &format!("claude:{COPILOT_REAL}")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no such session"));
}

#[test]
fn session_json_has_the_documented_shape() {
    let env = corpus_home();
    let v = env.json(&["session", "7a80f0ee", "--json"]);
    assert_eq!(v["schema_version"], 1);
    let s = &v["session"];
    assert_eq!(s["key"], format!("copilot:{COPILOT_REAL}"));
    assert_eq!(s["agent"], "copilot");
    assert_eq!(s["external_id"], COPILOT_REAL);
    assert_eq!(s["model"], "claude-haiku-4.5");
    assert!(s["started_at"].is_i64(), "{s}");
    assert!(s["sources"].as_array().is_some_and(|a| a.len() == 1), "{s}");
    assert!(s["subagents"].is_array() && s.get("parent").is_some(), "{s}");

    let timeline = v["timeline"].as_array().expect("timeline");
    let calls: Vec<&serde_json::Value> = timeline.iter().filter(|i| i["kind"] == "tool_call").collect();
    assert_eq!(calls.len(), 11, "11 tool.execution_start events");
    assert!(
        timeline.iter().all(|i| i["kind"] != "tool_result"),
        "every result is nested in its call"
    );
    let failed: Vec<&&serde_json::Value> = calls.iter().filter(|c| c["result"]["success"] == false).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["tool"], "view");
    assert_eq!(failed[0]["result"]["text"], "Path does not exist");
    // Log order: offsets never go back within the single source.
    let offsets: Vec<i64> = timeline
        .iter()
        .map(|i| i["offset"].as_i64().expect("offset"))
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "{offsets:?}");
    assert!(
        timeline
            .iter()
            .all(|i| i["text_chars"].as_i64().is_some() && i["subagent"].is_boolean())
    );
    // The `task` call ran a sub-agent whose steps are flagged.
    assert!(timeline.iter().any(|i| i["subagent"] == true));

    let files = v["files"].as_array().expect("files");
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "/tmp/elicit-scratch/notes.md" && f["records"].as_i64() > Some(1)),
        "{files:?}"
    );
    assert!(v["knowledge"].is_array());
    // The claude log has failed tool calls, which extraction keeps as knowledge whose
    // provenance names that session.
    let claude_key = format!("claude:{CLAUDE}");
    let claude = env.json(&["session", &claude_key, "--json"]);
    let entries = claude["knowledge"].as_array().expect("knowledge");
    assert!(!entries.is_empty(), "{claude}");
    for e in entries {
        assert!(e["id"].is_i64() && e["category"].is_string() && e["title"].is_string());
        let id = e["id"].to_string();
        let shown = env.json(&["show", &id, "--json"]);
        assert!(
            shown["sources"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["session_key"] == claude_key.as_str())),
            "{shown}"
        );
    }
    let text = env.stdout(&["session", &claude_key]);
    let listed = text.split("Knowledge from this session").nth(1).expect("section");
    assert!(listed.contains(&format!("#{} [", entries[0]["id"])), "{text}");
}

#[test]
fn sessions_list_newest_first_and_filters() {
    let env = corpus_home();
    let all = env.json(&["sessions", "--json"]);
    assert_eq!(all["schema_version"], 1);
    assert_eq!(
        listed_keys(&all),
        [
            format!("codex:{CODEX}"),
            format!("copilot:{COPILOT_REAL}"),
            format!("copilot:{COPILOT_SAMPLE}"),
            format!("claude:{CLAUDE}"),
        ]
    );
    let real = &all["sessions"][1];
    // One user.message, 11 tool.execution_start, one failed tool.execution_complete.
    assert_eq!(
        (&real["prompts"], &real["tool_calls"], &real["failures"]),
        (&1.into(), &11.into(), &1.into())
    );

    let copilot = env.json(&["sessions", "--agent", "copilot", "--json"]);
    assert_eq!(
        listed_keys(&copilot),
        [
            format!("copilot:{COPILOT_REAL}"),
            format!("copilot:{COPILOT_SAMPLE}")
        ]
    );
    let repo = env.json(&["sessions", "--repo", "ACME/demo", "--json"]);
    assert_eq!(listed_keys(&repo), [format!("copilot:{COPILOT_SAMPLE}")]);
    let limited = env.json(&["sessions", "--limit", "2", "--json"]);
    assert_eq!(listed_keys(&limited).len(), 2);

    let since_date = env.json(&["sessions", "--since", "2026-07-01", "--json"]);
    assert_eq!(
        listed_keys(&since_date),
        [format!("codex:{CODEX}"), format!("copilot:{COPILOT_REAL}")]
    );
    // Relative: a cutoff between 2026-07-10 and 07-11 keeps only the codex session.
    const JULY_10_MS: u128 = 1_783_641_600_000;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    let days = (now_ms - JULY_10_MS) / 86_400_000;
    let since_days = env.json(&["sessions", "--since", &format!("{days}d"), "--json"]);
    assert_eq!(listed_keys(&since_days), [format!("codex:{CODEX}")]);
    let recent = env.json(&["sessions", "--since", "1h", "--json"]);
    assert!(listed_keys(&recent).is_empty());

    for bad in ["yesterday", "7y", "2026-7-1", "2026-02-30"] {
        env.sk()
            .args(["sessions", "--since", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("invalid --since"));
    }

    let text = env.stdout(&["sessions"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].contains("codex") && lines[0].contains("019f86c9"),
        "{text}"
    );
    assert!(
        lines[1].contains("7a80f0ee") && lines[1].contains("1 failed"),
        "{text}"
    );
}

#[test]
fn sessions_sort_by_counts_and_length_and_page_with_offset() {
    let env = corpus_home();
    let (codex, real, sample, claude) = (
        format!("codex:{CODEX}"),
        format!("copilot:{COPILOT_REAL}"),
        format!("copilot:{COPILOT_SAMPLE}"),
        format!("claude:{CLAUDE}"),
    );
    let sorted = |sort: &str| listed_keys(&env.json(&["sessions", "--sort", sort, "--json"]));
    assert_eq!(sorted("newest"), [&*codex, &*real, &*sample, &*claude]);
    // Prompts: codex 2, the others 1 each, which keep the newest-first order.
    assert_eq!(sorted("prompts"), [&*codex, &*real, &*sample, &*claude]);
    // Tool calls: claude 19, copilot real 11, sample 5, codex 1.
    assert_eq!(sorted("tool-calls"), [&*claude, &*real, &*sample, &*codex]);
    // Failures: claude 13, then the two copilot sessions with one each (newest first), codex 0.
    assert_eq!(sorted("failures"), [&*claude, &*real, &*sample, &*codex]);
    // Length (end - start): claude 105 s, codex 46 s, copilot real 41 s, sample 23 s.
    assert_eq!(sorted("longest"), [&*claude, &*codex, &*real, &*sample]);
    let all = env.json(&["sessions", "--sort", "failures", "--json"]);
    let claude_row = &all["sessions"][0];
    assert_eq!(
        (&claude_row["tool_calls"], &claude_row["failures"]),
        (&19.into(), &13.into())
    );
    assert!(all["sessions"][2]["branch"] == "main", "{all}");

    let page = env.json(&[
        "sessions",
        "--sort",
        "tool-calls",
        "--limit",
        "2",
        "--offset",
        "1",
        "--json",
    ]);
    assert_eq!(listed_keys(&page), [&*real, &*sample]);
    let past_the_end = env.json(&["sessions", "--offset", "4", "--json"]);
    assert!(listed_keys(&past_the_end).is_empty());

    let text = env.stdout(&["sessions", "--sort", "failures", "--limit", "2"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("89f4d66a") && lines[0].contains("13 failed"),
        "{text}"
    );
    assert!(
        lines[1].contains("7a80f0ee") && lines[1].contains("1 failed"),
        "{text}"
    );

    // Back to schema v6: the list says to migrate, and the migration rebuilds the counts.
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    conn.execute_batch(sk_test::db::UNDO_V8).expect("back to v7");
    conn.execute_batch(
        "ALTER TABLE session_docs DROP COLUMN prompts; ALTER TABLE session_docs DROP COLUMN tool_calls;
         ALTER TABLE session_docs DROP COLUMN failures; DELETE FROM schema_version WHERE version >= 7;",
    )
    .expect("back to v6");
    drop(conn);
    env.sk()
        .args(["sessions"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("run `sk migrate`"));
    env.sk().arg("migrate").assert().success();
    assert_eq!(sorted("failures"), [&*claude, &*real, &*sample, &*codex]);

    env.sk()
        .args(["sessions", "--sort", "most"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tool-calls").and(predicate::str::contains("longest")));
}

#[test]
fn session_commands_without_a_database_say_to_index() {
    let env = TestEnv::new();
    for args in [&["session", "abc"][..], &["sessions"][..]] {
        env.sk()
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("run `sk index`"));
    }
}

/// Codex records the `origin` URL as git printed it, credentials included (a real dev-set
/// log carries a personal access token there). The session's repository is shown as
/// `owner/name` in every command, and no part of the credential is stored.
#[test]
fn a_remote_url_with_credentials_is_stored_as_owner_and_name() {
    let env = TestEnv::new();
    let id = "019c0000-0000-7000-8000-00000000a0a0";
    let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
    let meta = serde_json::json!({
        "timestamp": "2026-03-02T10:00:00.000Z", "type": "session_meta",
        "payload": {"id": id, "timestamp": "2026-03-02T10:00:00.000Z", "cwd": "/work/site",
                    "git": {"branch": "main", "repository_url": format!("https://{token}@github.com/Acme/Site.git")}}
    });
    let prompt = serde_json::json!({
        "timestamp": "2026-03-02T10:01:00.000Z", "type": "response_item",
        "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "tidy the landing page styles"}]}
    });
    env.write(
        &format!(".codex/sessions/2026/03/02/rollout-2026-03-02T10-00-00-{id}.jsonl"),
        format!("{meta}\n{prompt}\n"),
    );
    env.sk().arg("index").assert().success();

    let listed = env.json(&["sessions", "--json"]);
    assert_eq!(listed["sessions"][0]["repo"], "Acme/Site", "{listed}");
    let hits = env.json(&["query", "--json", "--", "landing page styles"]);
    assert_eq!(hits["hits"][0]["repo"], "Acme/Site", "{hits}");
    for args in [
        &["sessions"][..],
        &["session", id],
        &["query", "--", "landing page styles"],
    ] {
        let out = env.stdout(args);
        assert!(out.contains("Acme/Site"), "{args:?}: {out}");
        assert!(
            !out.contains("https://") && !out.contains("REDACTED"),
            "{args:?}: {out}"
        );
    }
    let db = std::fs::read(env.db()).expect("db");
    assert!(
        !db.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token is stored"
    );
}

/// A database written before repositories were stored as `owner/name` is put right by the
/// next `sk index`, in sessions and in knowledge alike; a folder name is left alone.
#[test]
fn repositories_stored_as_urls_by_older_versions_are_rewritten_once() {
    let env = corpus_home();
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    conn.execute_batch(&format!(
        "UPDATE sessions SET repo = 'git@github.com:Acme/Demo.git' WHERE external_id = '{CODEX}';
         UPDATE sessions SET repo = 'demo' WHERE external_id = '{CLAUDE}';
         INSERT INTO entries (category, title, body, repo, first_seen, last_seen, content_hash, created_at, updated_at)
             VALUES ('pattern', 'Run the linter before pushing', 'CI fails on lint.', 'https://tok@github.com/Acme/Demo', 1, 1, 'h1', 1, 1);
         DELETE FROM meta WHERE key = 'repos_canonical';"
    ))
    .expect("age the database");
    drop(conn);
    env.sk().arg("index").assert().success();

    let conn = rusqlite::Connection::open(env.db()).expect("open");
    let repo = |sql: &str| {
        conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0))
            .expect(sql)
    };
    assert_eq!(
        repo(&format!(
            "SELECT repo FROM sessions WHERE external_id = '{CODEX}'"
        ))
        .as_deref(),
        Some("Acme/Demo")
    );
    assert_eq!(
        repo(&format!(
            "SELECT repo FROM sessions WHERE external_id = '{CLAUDE}'"
        ))
        .as_deref(),
        Some("demo")
    );
    assert_eq!(
        repo("SELECT repo FROM entries WHERE content_hash = 'h1'").as_deref(),
        Some("Acme/Demo")
    );
}

/// Text from logs reaches the terminal without its control sequences: a prompt that sets
/// the window title and clears the screen is printed with `�` in their place by `sk
/// sessions`, `sk session` and `sk query`; `--json` keeps the text, escaped.
#[test]
fn control_sequences_in_logs_never_reach_the_terminal() {
    let env = TestEnv::new();
    let id = "019c0000-0000-7000-8000-00000000e5c0";
    let prompt = "deploy the site\u{1b}]0;pwned\u{7}\u{1b}[2J now";
    let lines = [
        serde_json::json!({"timestamp": "2026-03-02T10:00:00.000Z", "type": "session_meta",
            "payload": {"id": id, "timestamp": "2026-03-02T10:00:00.000Z", "cwd": "/work/site"}}),
        serde_json::json!({"timestamp": "2026-03-02T10:01:00.000Z", "type": "response_item",
            "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": prompt}]}}),
    ];
    env.write(
        &format!(".codex/sessions/2026/03/02/rollout-2026-03-02T10-00-00-{id}.jsonl"),
        format!("{}\n{}\n", lines[0], lines[1]),
    );
    env.sk().arg("index").assert().success();
    for args in [
        &["sessions"][..],
        &["session", id],
        &["query", "--", "deploy site"],
    ] {
        let out = env.sk().args(args).output().expect("run");
        assert!(out.status.success(), "{args:?}");
        assert!(
            !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("deploy the site"),
            "{args:?}"
        );
    }
    let listed = env.json(&["sessions", "--json"]);
    assert!(listed.to_string().contains("\\u001b]0;pwned"), "{listed}");
}
