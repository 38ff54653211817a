//! GitHub Copilot CLI (the pinned `@github/copilot`), headless: `copilot -p PROMPT
//! --allow-all-tools` with its bring-your-own-model settings pointing at the scripted model
//! (`COPILOT_PROVIDER_TYPE=anthropic`: the Messages wire the Claude Code scenarios use). No
//! GitHub login is involved. Copilot ignores what a sessionStart hook prints: sk's briefing
//! reaches it through the marked section of `~/.copilot/copilot-instructions.md`.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use super::model::{ModelServer, Reply, Wire, shown_text};
use super::{Sandbox, agent_bin, run_agent};

/// Runs `copilot -p PROMPT` in `cwd` against `model`; the session id it printed.
fn copilot(sb: &Sandbox, model: &ModelServer, cwd: &Path, prompt: &str) -> String {
    let bin = agent_bin("copilot").expect("checked by the caller");
    let mut cmd = Command::new(bin);
    sb.env(&mut cmd);
    for var in [
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "COPILOT_GITHUB_TOKEN",
        "COPILOT_MODEL",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(["-p", prompt, "--allow-all-tools"])
        .current_dir(cwd)
        .env("COPILOT_PROVIDER_BASE_URL", model.base_url())
        .env("COPILOT_PROVIDER_TYPE", "anthropic")
        .env("COPILOT_PROVIDER_API_KEY", "harness-not-a-key")
        .env("COPILOT_MODEL", "claude-sonnet-4")
        .env("COPILOT_AUTO_UPDATE", "false");
    let all = run_agent(&mut cmd, "copilot -p");
    all.split("--resume=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("copilot printed how to resume its session: {all}"))
        .to_string()
}

#[test]
fn copilot_briefing_carries_this_repository_only_and_nothing_without_history() {
    let Some(_) = agent_bin("copilot") else { return };
    let sb = Sandbox::new("copilot");
    let alpha = sb.repo("alpha", Some("https://github.com/acme/alpha.git"));
    let beta = sb.repo("beta", Some("https://github.com/acme/beta.git"));
    let fresh = sb.repo("fresh", None);
    sb.alpha_decision(&alpha);
    sb.beta_decision(&beta);
    let instructions = sb.home().join(".copilot/copilot-instructions.md");
    let model = ModelServer::start(Wire::Anthropic, vec![Reply::text("hello")]);
    copilot(&sb, &model, &fresh, "Hello");
    let shown = shown_text(&model.turns()[0]);
    assert!(
        !shown.contains("sk:briefing") && !shown.contains("sk learn"),
        "sk text in a fresh repository:\n{shown}"
    );
    assert!(!instructions.exists(), "no instructions file written for nothing");

    // Alpha: the section is written at session start; the model sees it in that session
    // or, when Copilot read its instructions before the hook ran, in the next one.
    let mut seen = Vec::new();
    for _ in 0..2 {
        let model = ModelServer::start(Wire::Anthropic, vec![Reply::text("noted")]);
        copilot(&sb, &model, &alpha, "What should I know before working here?");
        seen.push(shown_text(&model.turns()[0]));
    }
    println!(
        "copilot: the briefing reached the model in the session that wrote it: {}",
        seen[0].contains("integer cents")
    );
    assert!(
        seen[1].contains("integer cents"),
        "alpha's decision reached the model:\n{}",
        seen[1]
    );
    assert!(
        seen.iter().all(|s| !s.contains("Redis")),
        "beta's decision leaked into alpha"
    );

    // Back in the fresh repository: alpha's section is emptied, not left behind.
    let model = ModelServer::start(Wire::Anthropic, vec![Reply::text("hello")]);
    copilot(&sb, &model, &fresh, "Hello again");
    // Known limit of the instructions-file channel: Copilot read the file before this
    // session's hook emptied it, so this one session still saw alpha's briefing.
    println!(
        "copilot: the previous repository's briefing reached the next session elsewhere: {}",
        shown_text(&model.turns()[0]).contains("integer cents")
    );
    let text = std::fs::read_to_string(&instructions).expect("instructions");
    assert!(
        !text.contains("integer cents"),
        "alpha's briefing left behind: {text}"
    );
}

#[test]
fn copilot_dangerous_command_is_denied_harmless_runs_and_the_session_is_ingested() {
    let Some(_) = agent_bin("copilot") else { return };
    let sb = Sandbox::new("copilot");
    let repo = sb.repo("gamma", Some("https://github.com/acme/gamma.git"));
    let canary = sb.home().join("canary.txt");
    std::fs::write(&canary, "still here").expect("canary");
    let model = ModelServer::start(
        Wire::Anthropic,
        vec![
            Reply::tool("bash", json!({"command": "rm -rf ~/", "description": "Clean up"})),
            Reply::tool(
                "bash",
                json!({"command": "echo harness-proof > proof.txt && cat proof.txt", "description": "Write proof"}),
            ),
            Reply::text("Cleaned nothing; wrote the proof file."),
        ],
    );
    let session_id = copilot(&sb, &model, &repo, "Tidy the workspace zanzibar");
    let turns = model.turns();
    assert_eq!(turns.len(), 3, "three model requests");
    assert!(
        shown_text(&turns[1]).contains("sk guard"),
        "sk's reason reached the model"
    );
    assert!(canary.exists(), "nothing was deleted");
    assert!(
        shown_text(&turns[2]).contains("harness-proof"),
        "the harmless command ran"
    );
    assert!(repo.join("proof.txt").is_file());
    let events = sb
        .home()
        .join(".copilot/session-state")
        .join(&session_id)
        .join("events.jsonl");
    assert!(events.is_file(), "Copilot wrote {}", events.display());
    let sessions = sb.sk_until(&["sessions", "--json"], &repo, |s| s.contains(&session_id));
    assert!(
        sessions.contains(&session_id),
        "ingested after sessionEnd: {sessions}"
    );
    sb.assert_session_in_sk(&session_id, &repo);
}
