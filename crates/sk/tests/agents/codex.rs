//! Codex CLI (the pinned `@openai/codex`), headless: `codex exec PROMPT` with a custom
//! model provider whose `base_url` is the scripted model (OpenAI Responses, streaming).
//!
//! Codex 0.171 runs a hook from `hooks.json` only once the user has reviewed it (`/hooks`
//! in its TUI), which records `[hooks.state."<key>"] trusted_hash` in `config.toml`. The
//! harness does what that review does: it asks `codex app-server` (`hooks/list`) for the
//! hashes of the hooks `sk hooks deploy` wrote and records them as trusted.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::model::{ModelServer, Reply, Wire, shown_text};
use super::{Sandbox, agent_bin, briefing_in, jsonl, run_agent, text};

fn codex_home(sb: &Sandbox) -> std::path::PathBuf {
    sb.home().join(".codex")
}

/// The `[hooks.state]` lines that trust every hook Codex finds for `cwd`.
fn trusted_hooks(sb: &Sandbox, cwd: &Path) -> String {
    let bin = agent_bin("codex").expect("checked by the caller");
    let mut cmd = Command::new(bin);
    sb.env(&mut cmd);
    let mut child = cmd
        .arg("app-server")
        .env("CODEX_HOME", codex_home(sb))
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("codex app-server");
    let mut stdin = child.stdin.take().expect("stdin");
    let cwd_s = cwd.to_string_lossy().into_owned();
    for msg in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"clientInfo": {"name": "sk-harness", "version": "0"}}}),
        json!({"jsonrpc": "2.0", "method": "initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "hooks/list", "params": {"cwds": [cwd_s]}}),
    ] {
        writeln!(stdin, "{msg}").expect("write to app-server");
    }
    // Read in a thread with a deadline: an app-server that never answers (a protocol
    // change, a start-up error) must fail the test, not hang CI.
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if msg["id"] == json!(2) {
                let _ = tx.send(msg);
                break;
            }
        }
    });
    let answer = rx.recv_timeout(Duration::from_secs(60));
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let msg = answer.expect("codex app-server answered hooks/list within 60 s");
    let mut trusted = String::new();
    for hook in msg["result"]["data"][0]["hooks"].as_array().into_iter().flatten() {
        trusted.push_str(&format!(
            "\n[hooks.state.{}]\ntrusted_hash = {}\n",
            hook["key"], hook["currentHash"]
        ));
    }
    assert!(
        trusted.contains("session_start"),
        "codex lists sk's hooks: {trusted}"
    );
    trusted
}

/// Runs `codex exec PROMPT` in `cwd` against `model`; the session id it printed.
fn codex(sb: &Sandbox, model: &ModelServer, cwd: &Path, prompt: &str) -> String {
    let bin = agent_bin("codex").expect("checked by the caller");
    let config = format!(
        "model = \"scripted\"\nmodel_provider = \"scripted\"\ncheck_for_update_on_startup = false\n\n\
         [model_providers.scripted]\nname = \"scripted\"\nbase_url = \"{}/v1\"\nwire_api = \"responses\"\n\
         request_max_retries = 0\nstream_max_retries = 0\n{}",
        model.base_url(),
        trusted_hooks(sb, cwd)
    );
    std::fs::create_dir_all(codex_home(sb)).expect("codex home");
    std::fs::write(codex_home(sb).join("config.toml"), config).expect("config.toml");
    let mut cmd = Command::new(bin);
    sb.env(&mut cmd);
    cmd.args(["exec", "--dangerously-bypass-approvals-and-sandbox", prompt])
        .current_dir(cwd)
        .env("CODEX_HOME", codex_home(sb));
    let all = run_agent(&mut cmd, "codex exec");
    all.lines()
        .find_map(|l| l.strip_prefix("session id: "))
        .unwrap_or_else(|| panic!("codex printed its session id: {all}"))
        .trim()
        .to_string()
}

/// The function-call outputs the model received in `request`.
fn call_outputs(request: &Value) -> Vec<String> {
    request["input"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["type"] == "function_call_output")
        .map(|i| match &i["output"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[test]
fn codex_briefing_carries_this_repository_only_and_nothing_without_history() {
    let Some(_) = agent_bin("codex") else { return };
    let sb = Sandbox::new("codex");
    let alpha = sb.repo("alpha", Some("https://github.com/acme/alpha.git"));
    let beta = sb.repo("beta", Some("https://github.com/acme/beta.git"));
    let fresh = sb.repo("fresh", None);
    sb.alpha_decision(&alpha);
    sb.beta_decision(&beta);
    let model = ModelServer::start(Wire::Responses, vec![Reply::text("hello")]);
    codex(&sb, &model, &fresh, "Hello");
    let shown = shown_text(&model.turns()[0]);
    assert!(
        briefing_in(&shown).is_none(),
        "briefing injected in a fresh repository:\n{shown}"
    );
    assert!(!shown.contains("sk learn"), "the learn hint alone was injected");
    assert!(!shown.contains("Redis") && !shown.contains("integer cents"));

    let model = ModelServer::start(Wire::Responses, vec![Reply::text("noted")]);
    codex(&sb, &model, &alpha, "What should I know before working here?");
    let turns = model.turns();
    assert_eq!(turns.len(), 1, "one model request");
    let shown = shown_text(&turns[0]);
    let briefing = briefing_in(&shown).expect("a briefing in the model request");
    assert!(briefing.contains("integer cents"), "alpha's decision: {briefing}");
    assert!(
        !briefing.contains("Redis"),
        "beta's decision leaked into alpha: {briefing}"
    );
    assert!(briefing.chars().count() < 4000, "within the default budget");
}

#[test]
fn codex_dangerous_command_is_denied_harmless_runs_and_the_session_is_ingested() {
    let Some(_) = agent_bin("codex") else { return };
    let sb = Sandbox::new("codex");
    let repo = sb.repo("gamma", Some("https://github.com/acme/gamma.git"));
    let canary = sb.home().join("canary.txt");
    std::fs::write(&canary, "still here").expect("canary");
    let model = ModelServer::start(
        Wire::Responses,
        vec![
            Reply::tool("exec_command", json!({"cmd": "rm -rf ~/"})),
            Reply::tool(
                "exec_command",
                json!({"cmd": "echo harness-proof > proof.txt && cat proof.txt"}),
            ),
            Reply::text("Cleaned nothing; wrote the proof file."),
        ],
    );
    let session_id = codex(&sb, &model, &repo, "Tidy the workspace zanzibar");
    let turns = model.turns();
    assert_eq!(turns.len(), 3, "three model requests");
    let after_rm = call_outputs(&turns[1]);
    assert!(
        after_rm.iter().any(|t| t.contains("sk guard")),
        "sk's reason reached the model: {after_rm:?}"
    );
    assert!(canary.exists(), "nothing was deleted");
    let after_echo = call_outputs(&turns[2]);
    assert!(
        after_echo.iter().any(|t| t.contains("harness-proof")),
        "the harmless command's output reached the model: {after_echo:?}"
    );
    assert!(repo.join("proof.txt").is_file());
    // The rollout Codex wrote.
    let transcripts = sb.transcripts();
    let rollout = transcripts
        .iter()
        .find(|p| p.to_string_lossy().contains(&session_id))
        .unwrap_or_else(|| panic!("a rollout for {session_id} in {transcripts:?}"));
    let lines = jsonl(rollout);
    assert!(lines.iter().any(|l| l["type"] == "session_meta"));
    super::drift::check("codex", &lines);
    // Stop handed it to `sk index`; wait for it to land.
    let sessions = sb.sk_until(&["sessions", "--json"], &repo, |s| s.contains(&session_id));
    assert!(sessions.contains(&session_id), "ingested after Stop: {sessions}");
    sb.assert_session_in_sk(&session_id, &repo);
}

#[test]
fn codex_known_fix_reaches_the_model_after_the_failure() {
    let Some(_) = agent_bin("codex") else { return };
    let sb = Sandbox::new("codex");
    let repo = sb.known_fix_repo();
    let model = ModelServer::start(
        Wire::Responses,
        vec![
            Reply::tool("exec_command", json!({"cmd": "sh build.sh"})),
            Reply::text("I will reconfigure."),
        ],
    );
    codex(&sb, &model, &repo, "Build the project");
    let turns = model.turns();
    assert_eq!(turns.len(), 2);
    let shown = shown_text(&turns[1]);
    assert!(
        shown.contains("frobnicator version mismatch"),
        "the failure reached the model"
    );
    assert!(
        shown.contains("./configure --frobnicator=3"),
        "the known fix reached the model after the failure:\n{shown}"
    );
}

#[test]
fn codex_tampering_with_the_locked_hook_file_is_reported() {
    let Some(_) = agent_bin("codex") else { return };
    let sb = Sandbox::new("codex");
    let home = sb.home();
    sb.sk_ok(&["hooks", "lock"], &home);
    sb.sk_ok(&["hooks", "verify"], &home);
    let hooks = codex_home(&sb).join("hooks.json");
    let mut perms = std::fs::metadata(&hooks).expect("hooks.json").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&hooks, perms).expect("make writable");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&hooks).expect("read")).expect("json");
    doc["hooks"]["PreToolUse"] = json!([]);
    std::fs::write(&hooks, serde_json::to_vec(&doc).expect("json")).expect("tamper");
    let out = sb.sk(&["hooks", "verify"], &home);
    assert_eq!(out.status.code(), Some(1), "verify reports drift: {}", text(&out));
    assert!(
        text(&out).contains("hooks.json"),
        "the tampered file is named: {}",
        text(&out)
    );
}
