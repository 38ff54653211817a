//! The opt-in `reflect` rule through the real binary, per dialect: a Stop after a session
//! with a failure → fix that no entry covers asks the agent once to record it (a
//! `{"decision":"block"}` answer), the next stop goes through, and `sk learn` resolves it;
//! never when a stop hook is already active, in a sub-agent, when the rule is off or
//! bypassed, or when the lesson is already known — and every failure lets the stop happen.

use std::path::PathBuf;

use serde_json::{Value, json};
use sk_test::TestEnv;

use crate::hooks::{BUILD_ERROR, Ran, audit, claude_build_fix, hook, rule_result, without_capture};

const CLAUDE_SESSION: &str = "9e2b7c1a-2222-4333-8444-955566667777";
const CODEX_SESSION: &str = "019af000-1111-7222-8333-944455556666";
const CWD: &str = "/work/server";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dialect {
    Claude,
    Codex,
}

/// Timestamps a few minutes old, so `sk learn` run by the test comes after the failure.
fn stamp(second: i64) -> String {
    sk_core::time::format_ms(sk_core::time::now_ms() - 600_000 + second * 1000)
}

/// A Claude Code transcript: `cargo build` fails on a missing crate, Cargo.toml is edited,
/// the build passes; `extra` lines (already JSON) are appended.
fn claude_transcript(env: &TestEnv, session: &str, extra: &[Value]) -> PathBuf {
    let text = claude_build_fix(session, CWD, |n| stamp(n as i64), extra);
    env.write(&format!(".claude/projects/-work-server/{session}.jsonl"), text)
}

/// A Codex rollout with the same failure → fix: `shell` calls and an `apply_patch`.
fn codex_transcript(env: &TestEnv, session: &str) -> PathBuf {
    let item =
        |n: i64, payload: Value| json!({"timestamp": stamp(n), "type": "response_item", "payload": payload});
    let shell = |id: &str| {
        json!({"type": "function_call", "name": "shell", "call_id": id,
               "arguments": json!({"command": ["bash", "-lc", "cargo build"], "workdir": CWD}).to_string()})
    };
    let output = |id: &str, text: &str, code: i64| {
        json!({"type": "function_call_output", "call_id": id,
               "output": json!({"output": text, "metadata": {"exit_code": code, "duration_seconds": 1.5}}).to_string()})
    };
    let lines = [
        json!({"timestamp": stamp(0), "type": "session_meta", "payload": {"id": session, "timestamp": stamp(0),
            "cwd": CWD, "originator": "codex_cli_rs", "cli_version": "0.63.0"}}),
        item(
            1,
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Load the server settings from YAML"}]}),
        ),
        item(2, shell("c1")),
        item(3, output("c1", BUILD_ERROR, 101)),
        item(
            4,
            json!({"type": "custom_tool_call", "name": "apply_patch", "call_id": "c2",
            "input": "*** Begin Patch\n*** Update File: Cargo.toml\n@@\n [dependencies]\n+serde_yaml = \"0.9\"\n*** End Patch"}),
        ),
        item(
            5,
            json!({"type": "custom_tool_call_output", "call_id": "c2", "output": "Success. Updated the following files:\nM Cargo.toml\n"}),
        ),
        item(6, shell("c3")),
        item(
            7,
            output("c3", "   Compiling server v0.1.0\n    Finished dev profile", 0),
        ),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    env.write(
        &format!(".codex/sessions/2026/12/06/rollout-2026-12-06T09-00-00-{session}.jsonl"),
        text.join("\n") + "\n",
    )
}

/// The Stop payload each agent sends after a turn.
fn stop(dialect: Dialect, session: &str, transcript: &std::path::Path, active: bool) -> String {
    match dialect {
        Dialect::Claude => json!({"session_id": session, "transcript_path": transcript, "cwd": CWD,
            "permission_mode": "default", "hook_event_name": "Stop", "stop_hook_active": active}),
        Dialect::Codex => json!({"session_id": session, "turn_id": "019af000-aaaa-7bbb-8ccc-000000000007",
            "transcript_path": transcript, "cwd": CWD, "hook_event_name": "Stop", "model": "gpt-5-codex",
            "permission_mode": "default", "stop_hook_active": active, "last_assistant_message": "Done."}),
    }
    .to_string()
}

/// A home with the session written and indexed (so the database exists and holds the
/// session's own extracted mistake), capture off and `reflect` switched on.
fn home_with(dialect: Dialect) -> (TestEnv, String, PathBuf) {
    let env = TestEnv::new();
    let (session, transcript) = match dialect {
        Dialect::Claude => (CLAUDE_SESSION, claude_transcript(&env, CLAUDE_SESSION, &[])),
        Dialect::Codex => (CODEX_SESSION, codex_transcript(&env, CODEX_SESSION)),
    };
    env.sk().arg("index").assert().success();
    without_capture(&env);
    env.sk()
        .args(["hooks", "enable", "reflect"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Enabled reflect"));
    (env, session.to_string(), transcript)
}

/// The reflect rule's result and note in the latest audit line.
fn reflect_result(env: &TestEnv) -> (String, String) {
    let last = audit(env).pop().expect("an audit line");
    let run = last["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|r| r["rule"] == "reflect"))
        .cloned()
        .unwrap_or(Value::Null);
    (
        run["result"].as_str().unwrap_or("not run").to_string(),
        run["note"].as_str().unwrap_or("").to_string(),
    )
}

fn assert_let_stop(ran: &Ran) {
    assert_eq!(
        (ran.code, ran.stdout.as_str(), ran.stderr.as_str()),
        (0, "", ""),
        "{ran:?}"
    );
}

fn asked_once_then_resolved_by_sk_learn(dialect: Dialect) {
    let (env, session, transcript) = home_with(dialect);
    let payload = stop(dialect, &session, &transcript, false);

    let ran = hook(&env, &["Stop"], &payload, &[]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let out: Value =
        serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{dialect:?}: {e}: {ran:?}"));
    assert_eq!(out["decision"], "block", "{out}");
    assert_eq!(
        out.as_object().map(|o| o.len()),
        Some(2),
        "only decision and reason: {out}"
    );
    let reason = out["reason"].as_str().expect("a reason");
    for part in [
        "`cargo build` failed",
        "serde_yaml",
        "Cargo.toml",
        "Then passed: `cargo build`",
    ] {
        assert!(
            reason.contains(part),
            "{dialect:?}: names the event ({part}): {reason}"
        );
    }
    assert!(
        reason.contains("\nsk learn --mistake --source agent \"<title"),
        "{reason}"
    );
    let last = audit(&env).pop().expect("audit");
    assert_eq!(last["decision"], "continue");
    assert_eq!(rule_result(&last, "reflect").as_deref(), Some("continue"));

    // The next stop goes through: asked once per session.
    assert_let_stop(&hook(&env, &["Stop"], &payload, &[]));
    assert_eq!(
        reflect_result(&env),
        ("pass".into(), "already asked in this session".into())
    );

    // The agent records the lesson (plain `sk learn`: the `--source` flag lands elsewhere).
    env.sk()
        .args([
            "learn",
            "--mistake",
            "Add serde_yaml to Cargo.toml before importing it",
            "cargo build failed with E0432 on `use serde_yaml`: the crate was not a dependency. Adding serde_yaml = \"0.9\" fixed it.",
        ])
        .assert()
        .success();
    assert_let_stop(&hook(&env, &["Stop"], &payload, &[]));
    let (result, note) = reflect_result(&env);
    assert_eq!(result, "pass");
    assert_eq!(
        note, "1 lesson(s), each covered: a lesson was recorded with `sk learn` since",
        "resolved by the lesson"
    );
}

#[test]
fn claude_code_is_asked_once_and_sk_learn_resolves_it() {
    asked_once_then_resolved_by_sk_learn(Dialect::Claude);
}

#[test]
fn codex_is_asked_once_and_sk_learn_resolves_it() {
    asked_once_then_resolved_by_sk_learn(Dialect::Codex);
}

#[test]
fn a_users_correction_is_a_lesson_too() {
    let env = TestEnv::new();
    let transcript = claude_transcript(
        &env,
        CLAUDE_SESSION,
        &[
            json!({"model": "claude-opus-4-7", "id": "m-t4", "type": "message", "role": "assistant",
                   "content": [{"type": "tool_use", "id": "t4", "name": "Bash", "input": {"command": "npm install left-pad"}}]}),
            json!({"role": "user", "content": [{"type": "tool_result", "content": "added 1 package", "is_error": false, "tool_use_id": "t4"}]}),
            json!({"model": "claude-opus-4-7", "id": "m-a5", "type": "message", "role": "assistant",
                   "content": [{"type": "text", "text": "Installed left-pad with npm."}]}),
            json!({"role": "user", "content": "No, don't use npm in this repository: we always use pnpm, the lockfile is pnpm-lock.yaml."}),
        ],
    );
    env.sk().arg("index").assert().success();
    without_capture(&env);
    env.sk().args(["hooks", "enable", "reflect"]).assert().success();
    let ran = hook(
        &env,
        &["Stop"],
        &stop(Dialect::Claude, CLAUDE_SESSION, &transcript, false),
        &[],
    );
    let out: Value = serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {ran:?}"));
    let reason = out["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("covers yet: the user corrected you (") && reason.contains("pnpm"),
        "the latest lesson is named: {reason}"
    );
    assert!(
        reason.contains("(1 more like it)"),
        "and the failure → fix counted: {reason}"
    );
    assert!(
        reason.contains("\nIf it holds beyond this task, record it"),
        "{reason}"
    );
}

#[test]
fn an_active_stop_hook_is_never_blocked_and_does_not_use_up_the_ask() {
    for dialect in [Dialect::Claude, Dialect::Codex] {
        let (env, session, transcript) = home_with(dialect);
        assert_let_stop(&hook(
            &env,
            &["Stop"],
            &stop(dialect, &session, &transcript, true),
            &[],
        ));
        assert_eq!(
            reflect_result(&env),
            (
                "pass".into(),
                "the agent is already continuing for a stop hook".into()
            )
        );
        let ran = hook(&env, &["Stop"], &stop(dialect, &session, &transcript, false), &[]);
        assert!(
            ran.stdout.contains("\"decision\":\"block\""),
            "{dialect:?}: {ran:?}"
        );
    }
}

#[test]
fn off_by_default_bypassable_and_silent_in_sub_agents() {
    let env = TestEnv::new();
    let transcript = claude_transcript(&env, CLAUDE_SESSION, &[]);
    env.sk().arg("index").assert().success();
    without_capture(&env);
    let payload = stop(Dialect::Claude, CLAUDE_SESSION, &transcript, false);
    assert_let_stop(&hook(&env, &["Stop"], &payload, &[]));
    assert_eq!(reflect_result(&env).0, "not run", "off by default");

    env.sk().args(["hooks", "enable", "reflect"]).assert().success();
    env.sk()
        .args(["hooks", "disable", "reflect", "--reason", "too chatty today"])
        .assert()
        .success();
    assert_let_stop(&hook(&env, &["Stop"], &payload, &[]));
    assert_eq!(reflect_result(&env).0, "bypassed");
    env.sk().args(["hooks", "enable", "reflect"]).assert().success();

    // A payload from inside a sub-agent (Claude Code names the agent) is never blocked.
    let mut sub: Value = serde_json::from_str(&payload).expect("json");
    sub["agent_id"] = json!("a7f3");
    sub["agent_type"] = json!("Explore");
    assert_let_stop(&hook(&env, &["Stop"], &sub.to_string(), &[]));
    assert_eq!(reflect_result(&env), ("pass".into(), "a sub-agent".into()));
    // SubagentStop is not an event the rule answers.
    assert_let_stop(&hook(
        &env,
        &["SubagentStop"],
        &payload.replace("\"Stop\"", "\"SubagentStop\""),
        &[],
    ));
    assert_eq!(reflect_result(&env).0, "not run");
    // The main agent is still asked.
    assert!(hook(&env, &["Stop"], &payload, &[]).stdout.contains("block"));
}

#[test]
fn a_lesson_already_recorded_or_known_is_not_asked_about() {
    // The agent ran `sk learn` itself after the fix (it is in the transcript).
    let env = TestEnv::new();
    let learn = "sk learn --mistake \"Add serde_yaml before importing it\" \"E0432 until Cargo.toml had it\"";
    let transcript = claude_transcript(
        &env,
        CLAUDE_SESSION,
        &[
            json!({"model": "claude-opus-4-7", "id": "m-t4", "type": "message", "role": "assistant",
                   "content": [{"type": "tool_use", "id": "t4", "name": "Bash", "input": {"command": learn}}]}),
            json!({"role": "user", "content": [{"type": "tool_result", "content": "Learned #2 [mistake] Add serde_yaml before importing it", "is_error": false, "tool_use_id": "t4"}]}),
        ],
    );
    env.sk().arg("index").assert().success();
    without_capture(&env);
    env.sk().args(["hooks", "enable", "reflect"]).assert().success();
    assert_let_stop(&hook(
        &env,
        &["Stop"],
        &stop(Dialect::Claude, CLAUDE_SESSION, &transcript, false),
        &[],
    ));
    assert_eq!(
        reflect_result(&env),
        (
            "pass".into(),
            "1 lesson(s), each covered: the agent ran `sk learn` after it".into()
        )
    );

    // The same failure → fix was already extracted from an earlier session.
    let env = TestEnv::new();
    claude_transcript(&env, "0a0a0a0a-0000-4000-8000-000000000001", &[]);
    let transcript = claude_transcript(&env, CLAUDE_SESSION, &[]);
    env.sk().arg("index").assert().success();
    without_capture(&env);
    env.sk().args(["hooks", "enable", "reflect"]).assert().success();
    assert_let_stop(&hook(
        &env,
        &["Stop"],
        &stop(Dialect::Claude, CLAUDE_SESSION, &transcript, false),
        &[],
    ));
    assert_eq!(
        reflect_result(&env),
        (
            "pass".into(),
            "1 lesson(s), each covered: an entry from another session has it".into()
        )
    );
}

#[test]
fn reflect_fails_open() {
    for dialect in [Dialect::Claude, Dialect::Codex] {
        let (env, session, transcript) = home_with(dialect);
        // A transcript that is not there.
        let gone = transcript.with_file_name("missing.jsonl");
        assert_let_stop(&hook(
            &env,
            &["Stop"],
            &stop(dialect, &session, &gone, false),
            &[],
        ));
        assert_eq!(reflect_result(&env).0, "error", "{dialect:?}");
        // A panic and an overrun.
        let payload = stop(dialect, &session, &transcript, false);
        assert_let_stop(&hook(
            &env,
            &["Stop"],
            &payload,
            &[("SK_HOOK_TEST_FAULT", "reflect")],
        ));
        assert_eq!(reflect_result(&env).0, "panic");
        env.write(
            ".copilot/markers/hooks-config.json",
            r#"{"rules": {"capture": {"enabled": false}, "reflect": {"enabled": true, "budget_ms": 200}}}"#,
        );
        assert_let_stop(&hook(
            &env,
            &["Stop"],
            &payload,
            &[("SK_HOOK_TEST_FAULT", "reflect:slow")],
        ));
        assert_eq!(reflect_result(&env).0, "over-budget");
        // A database that is not one.
        std::fs::write(env.db(), b"this is not a database").expect("corrupt the database");
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", env.db().display()));
        }
        assert_let_stop(&hook(&env, &["Stop"], &payload, &[]));
        assert_eq!(reflect_result(&env).0, "error", "{dialect:?}");
    }
}
