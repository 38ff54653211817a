//! A Codex `apply_patch` refused as malformed and applied once resent well-formed, through
//! the real binary: `sk index` files the format rule the agent broke as a mistake with its
//! fix, and when a later session's patch is refused the same way, the failure lookup of
//! `sk hooks run --agent codex PostToolUse` hands the agent that rule. The rollout is
//! hand-written in the shape Codex writes (`shell` with `["apply_patch", PATCH]`; a refusal
//! is the plain "apply_patch verification failed: …", a success the JSON with its exit code).

use serde_json::{Value, json};
use sk_test::TestEnv;

const SESSION: &str = "019af100-3333-7444-8555-a66677778888";
const CWD: &str = "/work/mail";
const NOT_A_HEADER: &str = "invalid hunk at line 4, '' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'";

fn patch(file: &str, lines: &[&str]) -> String {
    format!(
        "*** Begin Patch\n*** Add File: {file}\n{}\n*** End Patch",
        lines.join("\n")
    )
}

fn rollout(env: &TestEnv) {
    let item = |n: u32, payload: Value| json!({"timestamp": format!("2026-11-30T11:00:{n:02}.000Z"), "type": "response_item", "payload": payload});
    let call = |id: &str, p: String| {
        json!({"type": "function_call", "name": "shell", "call_id": id,
        "arguments": json!({"command": ["apply_patch", p], "workdir": CWD}).to_string()})
    };
    let output =
        |id: &str, text: &str| json!({"type": "function_call_output", "call_id": id, "output": text});
    let lines = [
        json!({"timestamp": "2026-11-30T11:00:00.000Z", "type": "session_meta", "payload": {"id": SESSION,
            "timestamp": "2026-11-30T11:00:00.000Z", "cwd": CWD, "originator": "codex_cli_rs", "cli_version": "0.63.0"}}),
        item(
            1,
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Write the research notes for the OAuth spec"}]}),
        ),
        item(
            2,
            call(
                "c1",
                patch("specs/research.md", &["+# Research", "", "OAuth first."]),
            ),
        ),
        item(
            3,
            output("c1", &format!("apply_patch verification failed: {NOT_A_HEADER}")),
        ),
        item(
            4,
            call(
                "c2",
                patch("specs/research.md", &["+# Research", "+", "+OAuth first."]),
            ),
        ),
        item(
            5,
            output(
                "c2",
                &json!({"output": "Success. Updated the following files:\nA specs/research.md\n",
            "metadata": {"exit_code": 0, "duration_seconds": 0.0}})
                .to_string(),
            ),
        ),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    env.write(
        &format!(".codex/sessions/2026/11/30/rollout-2026-11-30T11-00-00-{SESSION}.jsonl"),
        text.join("\n") + "\n",
    );
}

#[test]
fn a_patch_format_slip_is_learned_and_handed_back_when_it_happens_again() {
    let env = TestEnv::new();
    rollout(&env);
    env.sk().arg("index").assert().success();

    let lessons = env.entries_titled("apply_patch");
    assert_eq!(lessons.len(), 1, "{lessons:#?}");
    let lesson = &lessons[0];
    assert_eq!(lesson["category"], "mistake");
    assert_eq!(
        lesson["title"],
        "`apply_patch`: in an `Add File` section start every line with `+`, blank lines too"
    );
    let body = lesson["body"].as_str().expect("body");
    assert!(
        body.contains("Failed: `apply_patch` adding `specs/research.md`"),
        "{body}"
    );
    assert!(
        body.contains("Fixed by: the same patch resent with `+` before every line"),
        "{body}"
    );

    // Another session, another file, the same slip: the lookup answers with the rule.
    let payload = json!({"session_id": "later", "turn_id": "t", "cwd": CWD, "hook_event_name": "PostToolUse",
        "tool_name": "shell",
        "tool_input": {"command": ["apply_patch", patch("docs/quickstart.md", &["+# Quickstart", "", "Run it."])]},
        "tool_response": format!("Exit code: 1\nOutput:\n{NOT_A_HEADER}")});
    let context = env.hook_context("codex", "PostToolUse", &payload);
    assert!(
        context.contains("in an `Add File` section start every line with `+`"),
        "{context}"
    );
}
