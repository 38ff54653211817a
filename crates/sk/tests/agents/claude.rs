//! Claude Code (the pinned `@anthropic-ai/claude-code`), headless: `claude -p PROMPT
//! --output-format json` with `ANTHROPIC_BASE_URL` at the scripted model.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use super::model::{ModelServer, Reply, Wire, shown_text};
use super::{Sandbox, agent_bin, briefing_in, jsonl, run_with_deadline, text};

/// Runs `claude -p PROMPT` in `cwd` against `model`; the JSON result it printed.
fn claude(sb: &Sandbox, model: &ModelServer, cwd: &Path, prompt: &str) -> (Output, Value) {
    let bin = agent_bin("claude").expect("checked by the caller");
    let mut cmd = Command::new(bin);
    sb.env(&mut cmd);
    cmd.args(["-p", prompt, "--output-format", "json", "--allowedTools", "Bash"])
        .current_dir(cwd)
        .env("ANTHROPIC_BASE_URL", model.base_url())
        .env("ANTHROPIC_API_KEY", "sk-ant-harness-not-a-key")
        // Offline and headless: nothing but the model requests leaves the process.
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1")
        .env("CLAUDE_CODE_DISABLE_TERMINAL_TITLE", "1")
        .env_remove("CLAUDE_CONFIG_DIR");
    let (out, killed) = run_with_deadline(&mut cmd, 90);
    if killed {
        let seen: Vec<String> = model
            .all()
            .iter()
            .map(|r| {
                format!(
                    "{} messages={}",
                    r.path,
                    r.body["messages"].as_array().map_or(0, Vec::len)
                )
            })
            .collect();
        panic!(
            "claude -p did not finish in 90 s; the model saw {seen:#?}\n{}",
            text(&out)
        );
    }
    let result: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert!(
        out.status.success() && result["is_error"] == json!(false),
        "claude -p failed: {}",
        text(&out)
    );
    (out, result)
}

/// The tool results the model received in `request`, as (text, is_error).
fn tool_results(request: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for m in request["messages"].as_array().into_iter().flatten() {
        for b in m["content"].as_array().into_iter().flatten() {
            if b["type"] == "tool_result" {
                let mut t = String::new();
                match &b["content"] {
                    Value::String(s) => t.push_str(s),
                    other => t.push_str(&shown_text(&json!({ "messages": other }))),
                }
                out.push((t, b["is_error"] == json!(true)));
            }
        }
    }
    out
}

#[test]
fn briefing_carries_this_repository_only_and_nothing_without_history() {
    let Some(_) = agent_bin("claude") else { return };
    let sb = Sandbox::new("claude");
    let alpha = sb.repo("alpha", Some("https://github.com/acme/alpha.git"));
    // Alpha's current work shares words with beta's history: only the scope keeps beta out.
    std::fs::write(alpha.join("queue.rs"), "// job queue workers\n").expect("queue.rs");
    super::git(&alpha, &["add", "queue.rs"]);
    super::git(&alpha, &["commit", "-q", "-m", "Add the job queue workers"]);
    let beta = sb.repo("beta", None);
    let fresh = sb.repo("fresh", None);
    // Beta's own history: a session in which the user states a decision, which sk extracts
    // when the session-end hook ingests it.
    let model = ModelServer::start(Wire::Anthropic, vec![Reply::text("Noted.")]);
    claude(
        &sb,
        &model,
        &beta,
        "We decided to keep the job queue in Redis streams because RabbitMQ was one more service to run.",
    );
    let extracted = sb.sk_until(&["query", "Redis", "--kind", "knowledge"], &beta, |s| {
        s.contains("Redis streams")
    });
    assert!(
        extracted.contains("Redis streams"),
        "beta's decision was extracted: {extracted}"
    );
    // Alpha's own knowledge, recorded inside it (sk learn ties it to the repository it
    // runs in).
    sb.alpha_decision(&alpha);
    // A repository with no history of its own, while two others have theirs: nothing
    // injected at all (not their knowledge, not the learn hint alone).
    let model = ModelServer::start(Wire::Anthropic, vec![Reply::text("hello")]);
    claude(&sb, &model, &fresh, "Hello");
    let shown = shown_text(&model.turns()[0]);
    assert!(
        briefing_in(&shown).is_none(),
        "briefing injected in a fresh repository:\n{shown}"
    );
    assert!(
        !shown.contains("sk learn"),
        "the learn hint alone was injected:\n{shown}"
    );
    assert!(!shown.contains("Redis") && !shown.contains("integer cents"));

    // One lesson explicitly for every repository.
    sb.sk_ok(
        &[
            "learn",
            "--pattern",
            "--global",
            "Commit messages say why",
            "A commit message explains the reason for the change, not only what changed.",
        ],
        &beta,
    );

    let model = ModelServer::start(Wire::Anthropic, vec![Reply::text("noted")]);
    claude(&sb, &model, &alpha, "What should I know before working here?");
    let turns = model.turns();
    assert_eq!(turns.len(), 1, "one model request");
    let shown = shown_text(&turns[0]);
    assert!(
        shown.contains("SessionStart hook additional context"),
        "the SessionStart context reached the model:\n{shown}"
    );
    let briefing = briefing_in(&shown).expect("a briefing in the model request");
    assert!(briefing.contains("integer cents"), "alpha's decision: {briefing}");
    assert!(
        briefing.contains("Commit messages say why"),
        "the global lesson: {briefing}"
    );
    assert!(
        !briefing.contains("Redis"),
        "beta's decision leaked into alpha: {briefing}"
    );
    // The whole injected text (briefing and the learn hint) is within the default budget.
    let injected = shown
        .split("SessionStart hook additional context:")
        .nth(1)
        .expect("context");
    let end = injected
        .find("sk learn --mistake")
        .expect("the learn hint follows the briefing");
    assert!(end < 4000, "injected {end} characters, over the 4000 budget");
}

#[test]
fn dangerous_command_is_denied_harmless_runs_and_the_session_is_ingested() {
    let Some(_) = agent_bin("claude") else { return };
    let sb = Sandbox::new("claude");
    let repo = sb.repo("gamma", Some("https://github.com/acme/gamma.git"));
    let canary = sb.home().join("canary.txt");
    std::fs::write(&canary, "still here").expect("canary");
    let model = ModelServer::start(
        Wire::Anthropic,
        vec![
            Reply::tool("Bash", json!({"command": "rm -rf ~/", "description": "Clean up"})),
            Reply::tool(
                "Bash",
                json!({"command": "echo harness-proof > proof.txt && cat proof.txt", "description": "Write proof"}),
            ),
            Reply::text("Cleaned nothing; wrote the proof file."),
        ],
    );
    let (_, result) = claude(&sb, &model, &repo, "Tidy the workspace zanzibar");
    let turns = model.turns();
    assert_eq!(turns.len(), 3, "three model requests: {:#?}", model.all().len());
    // The deny, with sk's reason, came back to the model as an error tool_result.
    let after_rm = tool_results(&turns[1]);
    assert!(
        after_rm.iter().any(|(t, err)| *err && t.contains("sk guard")),
        "sk's reason as an error tool_result: {after_rm:?}"
    );
    assert!(canary.exists(), "nothing was deleted");
    // The harmless command ran.
    let after_echo = tool_results(&turns[2]);
    assert!(
        after_echo
            .iter()
            .any(|(t, err)| !*err && t.contains("harness-proof")),
        "the harmless command's output reached the model: {after_echo:?}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("proof.txt")).expect("proof written"),
        "harness-proof\n"
    );
    // The transcript Claude Code wrote.
    let session_id = result["session_id"].as_str().expect("session id").to_string();
    let transcripts = sb.transcripts();
    let transcript = transcripts
        .iter()
        .find(|p| p.to_string_lossy().contains(&session_id))
        .unwrap_or_else(|| panic!("a transcript for {session_id} in {transcripts:?}"));
    let lines = jsonl(transcript);
    assert!(lines.iter().any(|l| l["type"] == "assistant"));
    super::drift::check("claude", &lines);
    // SessionEnd handed it to `sk index`; wait for it to land.
    let sessions = sb.sk_until(&["sessions", "--json"], &repo, |s| s.contains(&session_id));
    assert!(
        sessions.contains(&session_id),
        "ingested after SessionEnd: {sessions}"
    );
    sb.assert_session_in_sk(&session_id, &repo);
}

#[test]
fn known_fix_reaches_the_model_after_the_failure() {
    let Some(_) = agent_bin("claude") else { return };
    let sb = Sandbox::new("claude");
    let repo = sb.known_fix_repo();
    let model = ModelServer::start(
        Wire::Anthropic,
        vec![
            Reply::tool("Bash", json!({"command": "sh build.sh", "description": "Build"})),
            Reply::text("I will reconfigure."),
        ],
    );
    claude(&sb, &model, &repo, "Build the project");
    let turns = model.turns();
    assert_eq!(turns.len(), 2);
    let results = tool_results(&turns[1]);
    assert!(
        results
            .iter()
            .any(|(t, err)| *err && t.contains("frobnicator version mismatch")),
        "the failure reached the model: {results:?}"
    );
    let shown = shown_text(&turns[1]);
    assert!(
        shown.contains("./configure --frobnicator=3"),
        "the known fix reached the model after the failure:\n{shown}"
    );
}

#[test]
fn tampering_with_the_locked_hook_file_is_reported() {
    let Some(_) = agent_bin("claude") else { return };
    let sb = Sandbox::new("claude");
    let home = sb.home();
    sb.sk_ok(&["hooks", "lock"], &home);
    sb.sk_ok(&["hooks", "verify"], &home);
    let settings = home.join(".claude/settings.json");
    let mut perms = std::fs::metadata(&settings).expect("settings").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&settings, perms).expect("make writable");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&settings).expect("read")).expect("json");
    doc["hooks"]["PreToolUse"] = json!([]);
    std::fs::write(&settings, serde_json::to_vec(&doc).expect("json")).expect("tamper");
    let out = sb.sk(&["hooks", "verify"], &home);
    assert_eq!(out.status.code(), Some(1), "verify reports drift: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("settings.json")
            || String::from_utf8_lossy(&out.stderr).contains("settings.json"),
        "the tampered file is named: {}",
        text(&out)
    );
}
