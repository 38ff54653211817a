//! A Codex `apply_patch` refused on stale context, then applied after the agent read the
//! lines again, through the real binary: `sk index` files the lesson (read the file again
//! right before patching it, with the command that did), and when a later session's patch
//! on that file is refused the same way, the failure lookup of `sk hooks run --agent codex
//! PostToolUse` hands it back. The rollout is hand-written in the shape Codex writes.

use serde_json::{Value, json};
use sk_test::TestEnv;

const SESSION: &str = "019af100-4444-7444-8555-a66677778888";
const CWD: &str = "/work/mail";

fn patch(old: &str, new: &str) -> String {
    patch_of("docs/guide.md", old, new)
}

fn patch_of(file: &str, old: &str, new: &str) -> String {
    format!("*** Begin Patch\n*** Update File: {file}\n@@\n-{old}\n+{new}\n*** End Patch")
}

fn refusal(expected: &str) -> String {
    refusal_of("docs/guide.md", expected)
}

fn refusal_of(file: &str, expected: &str) -> String {
    format!("apply_patch verification failed: Failed to find expected lines in {CWD}/{file}:\n{expected}")
}

fn rollout(env: &TestEnv) {
    rollout_of(
        env,
        SESSION,
        "docs/guide.md",
        ("## Install it", "## Installation"),
    );
}

/// A session whose patch of `file` is refused on stale context (it assumed a line the file
/// holds otherwise), then applied after the agent read the lines again.
fn rollout_of(env: &TestEnv, session: &str, file: &str, (assumed, real): (&str, &str)) {
    let patch = |old: &str, new: &str| patch_of(file, old, new);
    let refusal = |expected: &str| refusal_of(file, expected);
    let item = |n: u32, payload: Value| json!({"timestamp": format!("2026-11-30T12:00:{n:02}.000Z"), "type": "response_item", "payload": payload});
    let call = |id: &str, command: Value| {
        json!({"type": "function_call", "name": "shell", "call_id": id,
        "arguments": json!({"command": command, "workdir": CWD}).to_string()})
    };
    let output = |id: &str, text: &str, code: i32| {
        json!({"type": "function_call_output", "call_id": id,
        "output": json!({"output": text, "metadata": {"exit_code": code, "duration_seconds": 0.0}}).to_string()})
    };
    let lines = [
        json!({"timestamp": "2026-11-30T12:00:00.000Z", "type": "session_meta", "payload": {"id": session,
            "timestamp": "2026-11-30T12:00:00.000Z", "cwd": CWD, "originator": "codex_cli_rs", "cli_version": "0.63.0"}}),
        item(
            1,
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say in the guide that install needs Node 20"}]}),
        ),
        item(
            2,
            call(
                "c1",
                json!(["apply_patch", patch(assumed, &format!("{assumed} (Node 20)"))]),
            ),
        ),
        item(
            3,
            json!({"type": "function_call_output", "call_id": "c1", "output": refusal(assumed)}),
        ),
        item(
            4,
            call("c2", json!(["bash", "-lc", format!("sed -n '1,60p' {file}")])),
        ),
        item(5, output("c2", &format!("# Guide\n\n{real}\n"), 0)),
        item(
            6,
            call(
                "c3",
                json!(["apply_patch", patch(real, &format!("{real} (Node 20)"))]),
            ),
        ),
        item(
            7,
            output(
                "c3",
                "Success. Updated the following files:\nM docs/guide.md\n",
                0,
            ),
        ),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    env.write(
        &format!(".codex/sessions/2026/11/30/rollout-2026-11-30T12-00-00-{session}.jsonl"),
        text.join("\n") + "\n",
    );
}

#[test]
fn a_stale_patch_is_learned_and_handed_back_when_it_happens_again() {
    let env = TestEnv::new();
    rollout(&env);
    env.sk().arg("index").assert().success();

    let lessons = env.entries_titled("stale context");
    assert_eq!(lessons.len(), 1, "{lessons:#?}");
    let lesson = &lessons[0];
    assert_eq!(lesson["category"], "mistake");
    assert_eq!(
        lesson["title"],
        "Re-read a file right before patching it: `apply_patch` fails on stale context"
    );
    let body = lesson["body"].as_str().expect("body");
    for line in [
        "Failed: `apply_patch` on `docs/guide.md`",
        "Here the file has `## Installation` where the edit assumed `## Install it`.",
        "Fixed by: reading the lines again (`sed -n '1,60p' docs/guide.md`), then an edit with them as they are.",
    ] {
        assert!(body.contains(line), "missing {line:?} in:\n{body}");
    }

    // A later session's patch on the guide is refused the same way: the lookup answers.
    let payload = json!({"session_id": "later", "turn_id": "t", "cwd": CWD, "hook_event_name": "PostToolUse",
        "tool_name": "shell",
        "tool_input": {"command": ["apply_patch", patch("## Usage notes", "## Usage")]},
        "tool_response": format!("Exit code: 1\nOutput:\n{}", refusal("## Usage notes"))});
    let context = env.hook_context("codex", "PostToolUse", &payload);
    assert!(
        context.contains("Re-read a file right before patching it"),
        "{context}"
    );
}

#[test]
fn the_same_rule_learned_in_two_sessions_is_one_entry() {
    // Another session, another file and other lines, the same rule: one entry, with both
    // sessions as its provenance (their bodies differ too much to merge as near-duplicates).
    let env = TestEnv::new();
    rollout(&env);
    rollout_of(
        &env,
        "019af100-4444-7444-8555-a66677779999",
        "src/upload/retry_policy.ts",
        (
            "export const UPLOAD_RETRIES = 3; // exponential backoff before the console reports failure",
            "export const UPLOAD_RETRIES = 5; // jittered backoff, then a detailed report in upload.log",
        ),
    );
    env.sk().arg("index").assert().success();
    let lessons = env.entries_titled("stale context");
    assert_eq!(lessons.len(), 1, "{lessons:#?}");
    let shown = env
        .sk()
        .args(["show", lessons[0]["id"].to_string().as_str()])
        .output()
        .expect("sk show");
    let text = String::from_utf8_lossy(&shown.stdout);
    for session in ["a66677778888", "a66677779999"] {
        assert!(text.contains(session), "{session} missing from:\n{text}");
    }
}
