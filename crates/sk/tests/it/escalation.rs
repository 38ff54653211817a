//! A Codex command refused by the sandbox and run again with escalated permissions, through
//! the real binary: `sk index` keeps the escalation (the call's last line), `sk session`
//! still shows the command, search finds the marker, and extraction files the refusal →
//! escalation as a mistake with its fix — but not the same command passing again without
//! escalation. The rollout is hand-written in the shape Codex writes (both the older
//! `with_escalated_permissions` and the newer `sandbox_permissions` arguments).

use serde_json::{Value, json};
use sk_test::TestEnv;

const SESSION: &str = "019af100-2222-7333-8444-955566667777";
const CWD: &str = "/work/shop";

fn rollout(env: &TestEnv) {
    let item = |n: u32, payload: Value| json!({"timestamp": format!("2026-11-30T10:00:{n:02}.000Z"), "type": "response_item", "payload": payload});
    let call = |id: &str, name: &str, args: Value| json!({"type": "function_call", "name": name, "call_id": id, "arguments": args.to_string()});
    let output =
        |id: &str, text: &str| json!({"type": "function_call_output", "call_id": id, "output": text});
    let lines = [
        json!({"timestamp": "2026-11-30T10:00:00.000Z", "type": "session_meta", "payload": {"id": SESSION,
            "timestamp": "2026-11-30T10:00:00.000Z", "cwd": CWD, "originator": "codex_cli_rs", "cli_version": "0.63.0"}}),
        item(
            1,
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Start the next feature and apply the pending migration"}]}),
        ),
        // git fetch: refused (FETCH_HEAD), then the same command escalated (older shape).
        item(
            2,
            call(
                "c1",
                "shell",
                json!({"command": ["bash", "-lc", "git fetch --all --prune"], "workdir": CWD}),
            ),
        ),
        item(
            3,
            output(
                "c1",
                "failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted\n",
            ),
        ),
        item(
            4,
            call(
                "c2",
                "shell",
                json!({"command": ["bash", "-lc", "git fetch --all --prune"], "workdir": CWD,
                       "with_escalated_permissions": true, "justification": "Need the remote branches to number the feature"}),
            ),
        ),
        item(5, output("c2", "Exit code: 0\nWall time: 0.9 seconds\nOutput:\n")),
        // The migration: no network in the sandbox, then escalated (newer shape).
        item(
            6,
            call(
                "c3",
                "shell_command",
                json!({"command": "pnpm run db:migrate", "workdir": CWD}),
            ),
        ),
        item(
            7,
            output(
                "c3",
                "Exit code: 1\nWall time: 1.1 seconds\nOutput:\n> drizzle-kit migrate\nError: getaddrinfo ENOTFOUND db.shop.internal\n",
            ),
        ),
        item(
            8,
            call(
                "c4",
                "shell_command",
                json!({"command": "pnpm run db:migrate", "workdir": CWD,
                       "sandbox_permissions": "require_escalated", "justification": "The migration must reach the database host"}),
            ),
        ),
        item(
            9,
            output(
                "c4",
                "Exit code: 0\nWall time: 0.8 seconds\nOutput:\nmigrations applied\n",
            ),
        ),
        // A refusal whose retry passed without escalation: nothing learned.
        item(
            10,
            call(
                "c5",
                "shell_command",
                json!({"command": "git add src/cart.ts", "workdir": CWD}),
            ),
        ),
        item(11, output("c5", "failed in sandbox: Operation not permitted\n")),
        item(
            12,
            call(
                "c6",
                "shell_command",
                json!({"command": "git add src/cart.ts", "workdir": CWD}),
            ),
        ),
        item(
            13,
            output("c6", "Exit code: 0\nWall time: 0.1 seconds\nOutput:\n"),
        ),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    env.write(
        &format!(".codex/sessions/2026/11/30/rollout-2026-11-30T10-00-00-{SESSION}.jsonl"),
        text.join("\n") + "\n",
    );
}

fn indexed() -> TestEnv {
    let env = TestEnv::new();
    rollout(&env);
    env.sk().arg("index").assert().success();
    env
}

fn mistakes(env: &TestEnv) -> Vec<Value> {
    let doc = env.json(&["knowledge", "export"]);
    doc["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["category"] == "mistake")
        .cloned()
        .collect()
}

#[test]
fn a_sandbox_refusal_fixed_by_escalating_is_a_mistake_with_its_fix() {
    let env = indexed();
    let entries = mistakes(&env);
    let titles: Vec<&str> = entries.iter().filter_map(|e| e["title"].as_str()).collect();
    assert_eq!(
        titles.len(),
        2,
        "one lesson per escalated fix, none for the plain retry: {titles:#?}"
    );
    let fetch = entries
        .iter()
        .find(|e| e["title"] == "`git fetch --all --prune` needs sandbox escalation in Codex (cannot write .git/FETCH_HEAD)")
        .unwrap_or_else(|| panic!("no git fetch lesson in {titles:#?}"));
    let body = fetch["body"].as_str().expect("body");
    for line in [
        "Failed in Codex's sandbox: `git fetch --all --prune` (shell)",
        "Error: failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
        "Why: the sandbox does not let commands write .git/FETCH_HEAD.",
        "Fixed by: the same command, run with escalated sandbox permissions, passed (justification: Need the remote branches to number the feature).",
        "Next time: run `git fetch` with escalated permissions",
    ] {
        assert!(body.contains(line), "missing {line:?} in:\n{body}");
    }
    let migrate = entries
        .iter()
        .find(|e| {
            e["title"]
                == "`pnpm run db:migrate` needs sandbox escalation in Codex (no network: host not resolved)"
        })
        .unwrap_or_else(|| panic!("no migration lesson in {titles:#?}"));
    let body = migrate["body"].as_str().expect("body");
    assert!(
        body.contains("Error: Error: getaddrinfo ENOTFOUND db.shop.internal\n"),
        "{body}"
    );
    assert!(
        body.contains("Why: the sandbox has no network access, so host names do not resolve."),
        "{body}"
    );
    assert!(
        body.contains("(justification: The migration must reach the database host)"),
        "{body}"
    );
    assert!(!titles.iter().any(|t| t.contains("git add")), "{titles:#?}");

    // Shown by default: the failure lookup and briefings see them.
    let found = env.json(&["query", "git fetch", "--kind", "knowledge", "--json"]);
    let hits = found["hits"].as_array().expect("results");
    assert!(
        hits.iter().any(|h| h["title"]
            .as_str()
            .is_some_and(|t| t.contains("needs sandbox escalation"))),
        "{found:#}"
    );
}

#[test]
fn the_escalation_stays_on_the_call_and_the_timeline_shows_the_command() {
    let env = indexed();
    let text = env.stdout(&["session", &format!("codex:{SESSION}")]);
    let fetches: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(['✓', '✗']) && l.contains("git fetch --all --prune"))
        .collect();
    assert_eq!(fetches.len(), 2, "both calls show their command:\n{text}");
    assert!(
        !text.contains("[escalated permissions"),
        "the marker is not a call's first line:\n{text}"
    );

    let found = env.json(&["query", "escalated permissions", "--in", "tool", "--json"]);
    let hits = found["hits"].as_array().expect("results");
    assert!(!hits.is_empty(), "{found:#}");
    assert!(
        hits.iter().any(|h| h["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("escalated") && s.contains("number the feature"))),
        "{found:#}"
    );
}
