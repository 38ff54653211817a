//! The hook rules through the real binary: the known-mistake loop end to end (a session
//! with a failure → fix is indexed, then a similar failure comes back with the fix in each
//! agent's channel), briefings, the emergency bypass, the sub-agent marker and capture.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sk_test::TestEnv;

use crate::hooks::{audit, claude_build_fix, hook, rule_result, without_capture};

const SESSION: &str = "7d1f0e2a-1111-4222-8333-944455556666";

/// A Claude Code session in which `cargo build` fails on a missing crate, Cargo.toml is
/// edited, and the build passes: the failure → fix the extractor turns into a mistake.
fn plant_failure_fix(env: &TestEnv, cwd: &str) {
    let text = claude_build_fix(SESSION, cwd, |n| format!("2026-11-20T10:00:{n:02}.000Z"), &[]);
    env.write(&format!(".claude/projects/-work-server/{SESSION}.jsonl"), text);
}

/// An indexed home with the planted mistake; returns the project folder (a git repo).
fn indexed(env: &TestEnv) -> PathBuf {
    let project = env.home().join("server");
    std::fs::create_dir_all(&project).expect("project dir");
    git(&project, &["init", "-q", "-b", "main"]);
    plant_failure_fix(env, &project.to_string_lossy());
    env.sk().arg("index").assert().success();
    without_capture(env);
    project
}

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("run git")
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn a_similar_failure_gets_the_known_fix_back_in_each_agents_channel() {
    let env = TestEnv::new();
    let project = indexed(&env);
    let cwd = project.to_string_lossy().into_owned();
    // Another day, another file, the same missing crate.
    let error = "error[E0432]: unresolved import `serde_yaml`\n --> src/settings.rs:1:5\n  |\n1 | use serde_yaml;\n  |     ^^^^^^^^^^ use of undeclared crate or module `serde_yaml`";
    let fix_is_there = |text: &str| {
        text.contains("serde_yaml")
            && text.contains("In between: edited Cargo.toml")
            && text.contains("Then passed: `cargo build`")
            && text.contains("sk show 1")
    };

    // Copilot: exit 2, the guidance on stderr.
    let copilot = json!({"sessionId": "c1", "timestamp": 1, "cwd": cwd, "toolName": "bash",
        "toolArgs": {"command": "cargo build --release"}, "error": error});
    let ran = hook(&env, &["postToolUseFailure"], &copilot.to_string(), &[]);
    assert_eq!(ran.code, 2, "{ran:?}");
    assert_eq!(ran.stdout, "");
    assert!(fix_is_there(&ran.stderr), "{}", ran.stderr);

    // Claude Code: PostToolUseFailure and PostToolUse with an error → additionalContext.
    for (event, extra) in [
        ("PostToolUseFailure", json!({"error": error})),
        (
            "PostToolUse",
            json!({"tool_response": {"stdout": "", "stderr": error, "exit_code": 101}}),
        ),
    ] {
        let mut payload = json!({"session_id": "s", "cwd": cwd, "hook_event_name": event,
            "transcript_path": "/x/.claude/projects/p/s.jsonl", "tool_name": "Bash",
            "tool_input": {"command": "cargo build"}});
        payload
            .as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        let ran = hook(&env, &[event], &payload.to_string(), &[]);
        assert_eq!(ran.code, 0);
        let out: Value = serde_json::from_str(&ran.stdout).expect("JSON answer");
        assert_eq!(out["hookSpecificOutput"]["hookEventName"], event);
        let context = out["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .expect("context");
        assert!(fix_is_there(context), "{context}");
    }

    // Codex: PostToolUse whose text output ends in a non-zero exit code.
    let codex = json!({"session_id": "x", "turn_id": "t", "cwd": cwd, "hook_event_name": "PostToolUse",
        "tool_name": "shell", "tool_input": {"command": ["bash", "-lc", "cargo build"]},
        "tool_response": format!("Exit code: 101\nOutput:\n{error}")});
    let ran = hook(&env, &["PostToolUse"], &codex.to_string(), &[]);
    let out: Value = serde_json::from_str(&ran.stdout).expect("JSON answer");
    assert!(fix_is_there(
        out["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .expect("context")
    ));

    // An unrelated failure gets nothing.
    let other = json!({"sessionId": "c1", "timestamp": 1, "cwd": cwd, "toolName": "bash",
        "toolArgs": {"command": "npm test"}, "error": "TypeError: undefined is not a function at render (app.js:10)"});
    let ran = hook(&env, &["postToolUseFailure"], &other.to_string(), &[]);
    assert_eq!((ran.code, ran.stdout.as_str(), ran.stderr.as_str()), (0, "", ""));
    let last = audit(&env).pop().expect("audit");
    assert_eq!(rule_result(&last, "mistake_lookup").as_deref(), Some("pass"));
}

#[test]
fn a_forgotten_mistake_is_never_looked_up_again() {
    let env = TestEnv::new();
    let project = indexed(&env);
    let failure = json!({"sessionId": "c1", "timestamp": 1, "cwd": project.to_string_lossy(),
        "toolName": "bash", "toolArgs": {"command": "cargo build"},
        "error": "error[E0432]: unresolved import `serde_yaml`"});
    assert_eq!(
        hook(&env, &["postToolUseFailure"], &failure.to_string(), &[]).code,
        2
    );
    env.sk().args(["knowledge", "forget", "1"]).assert().success();
    for rebuild in [None, Some("extract"), Some("index")] {
        if let Some(command) = rebuild {
            env.sk().args([command, "--full"]).assert().success();
        }
        let ran = hook(&env, &["postToolUseFailure"], &failure.to_string(), &[]);
        assert_eq!((ran.code, ran.stderr.as_str()), (0, ""), "after {rebuild:?}");
    }
}

#[test]
fn session_start_briefs_claude_and_codex_and_writes_copilots_instructions() {
    let env = TestEnv::new();
    let project = indexed(&env);
    let cwd = project.to_string_lossy().into_owned();
    std::fs::create_dir_all(project.join("src")).expect("src");
    std::fs::write(project.join("src/config.rs"), "use serde_yaml;\n").expect("changed file");
    for (agent, payload) in [
        (
            "claude",
            json!({"session_id": "s", "cwd": cwd, "hook_event_name": "SessionStart", "source": "startup"}),
        ),
        (
            "codex",
            json!({"session_id": "s", "turn_id": "t", "cwd": cwd, "hook_event_name": "SessionStart"}),
        ),
    ] {
        let ran = hook(&env, &["SessionStart"], &payload.to_string(), &[]);
        let out: Value =
            serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{agent}: {e}: {ran:?}"));
        let context = out["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .expect("context");
        assert!(context.starts_with("<sk-briefing"), "{agent}: {context}");
        assert!(
            context.contains("serde_yaml"),
            "{agent}: the mistake on the changed file is briefed: {context}"
        );
        assert!(
            context.chars().count() <= 4000,
            "{agent}: within the default budget"
        );
        assert!(
            context.ends_with(sk_hooks::rules::LEARN_HINT),
            "{agent}: ends asking the agent to record its lessons: {context}"
        );
    }

    // Copilot: nothing printed; the marked section of its instructions file holds it, and
    // the user's own text around it is kept byte for byte.
    let instructions = env.copilot_home().join("copilot-instructions.md");
    std::fs::write(&instructions, "# My rules\n\nPrefer small commits.\n").expect("user instructions");
    let payload = json!({"sessionId": "c", "timestamp": 1, "cwd": cwd, "source": "startup"});
    let ran = hook(&env, &["sessionStart"], &payload.to_string(), &[]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, ""));
    let text = std::fs::read_to_string(&instructions).expect("instructions");
    assert!(
        text.starts_with("# My rules\n\nPrefer small commits.\n\n<!-- sk:briefing:begin"),
        "{text}"
    );
    assert!(
        text.contains("serde_yaml") && text.trim_end().ends_with("<!-- sk:briefing:end -->"),
        "{text}"
    );
    assert!(text.contains(sk_hooks::rules::LEARN_HINT), "{text}");
    let backup = env.copilot_home().join("copilot-instructions.md.sk-backup");
    assert_eq!(
        std::fs::read_to_string(backup).expect("backup"),
        "# My rules\n\nPrefer small commits.\n"
    );
    // A second session start replaces the section instead of adding another.
    hook(&env, &["sessionStart"], &payload.to_string(), &[]);
    let again = std::fs::read_to_string(&instructions).expect("instructions");
    assert_eq!(again.matches("sk:briefing:begin").count(), 1);
}

#[test]
fn a_corrected_command_warns_before_it_is_repeated() {
    let env = TestEnv::new();
    let payload = |cmd: &str| {
        json!({"session_id": "s", "cwd": "/work/demo", "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": cmd}})
        .to_string()
    };
    env.sk()
        .args([
            "learn",
            "--mistake",
            "`python`: command not found; `python3` worked",
            "Failed: `python manage.py test` (Bash)\nError: bash: python: command not found\nThen passed: `python3 manage.py test`",
        ])
        .assert()
        .success();
    // Off by default: it would open the database before every tool call.
    let ran = hook(&env, &["PreToolUse"], &payload("python manage.py test"), &[]);
    assert_eq!(ran.stdout, "");
    assert_eq!(
        rule_result(&audit(&env).pop().expect("audit"), "mistake_warn"),
        None,
        "not run"
    );
    env.write(
        ".copilot/markers/hooks-config.json",
        r#"{"rules": {"mistake_warn": {"enabled": true}}}"#,
    );
    let ran = hook(&env, &["PreToolUse"], &payload("python manage.py test"), &[]);
    let out: Value = serde_json::from_str(&ran.stdout).expect("an answer");
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "ask");
    assert!(
        out["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .is_some_and(|r| r.contains("`python3 manage.py test`"))
    );
    let ran = hook(&env, &["PreToolUse"], &payload("python3 manage.py test"), &[]);
    assert_eq!(ran.stdout, "", "the command that worked is not questioned");
}

const DANGEROUS: &str = r#"{"session_id":"s","cwd":"/work/demo","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"}}"#;

#[test]
fn the_emergency_bypass_is_audited_shown_and_expires() {
    let env = TestEnv::new();
    assert!(
        hook(&env, &["PreToolUse"], DANGEROUS, &[])
            .stdout
            .contains("deny")
    );
    env.sk()
        .args([
            "hooks",
            "disable",
            "guard",
            "--reason",
            "INC-42 false positive",
            "--for",
            "30m",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains("Rule guard is bypassed until"));
    assert_eq!(hook(&env, &["PreToolUse"], DANGEROUS, &[]).stdout, "", "bypassed");
    let last = audit(&env).pop().expect("audit");
    assert_eq!(rule_result(&last, "guard").as_deref(), Some("bypassed"));
    let rules: Value = serde_json::from_slice(
        &env.sk()
            .args(["hooks", "rules", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .expect("json");
    let guard = rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["rule"] == "guard")
        .cloned()
        .expect("guard");
    assert!(
        guard["state"]
            .as_str()
            .is_some_and(|s| s.starts_with("bypassed until")),
        "{guard}"
    );
    assert_eq!(guard["bypass"]["reason"], "INC-42 false positive");
    let changes: Vec<Value> = audit(&env)
        .into_iter()
        .filter(|l| l["event"] == "hooks disable")
        .collect();
    assert_eq!(changes.len(), 1);
    assert!(
        changes[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("INC-42"))
    );

    env.sk().args(["hooks", "enable", "guard"]).assert().success();
    assert!(
        hook(&env, &["PreToolUse"], DANGEROUS, &[])
            .stdout
            .contains("deny"),
        "enabled again"
    );
    assert!(audit(&env).iter().any(|l| l["event"] == "hooks enable"));

    // --all, then expiry: a bypass whose time is up no longer applies.
    env.sk()
        .args(["hooks", "disable", "--all", "--reason", "incident"])
        .assert()
        .success();
    assert_eq!(hook(&env, &["PreToolUse"], DANGEROUS, &[]).stdout, "");
    let path = env.copilot_home().join("markers/hooks-bypass.json");
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("bypass file")).expect("json");
    file["bypasses"][0]["until_ms"] = json!(1000);
    std::fs::write(&path, file.to_string()).expect("expire it");
    assert!(
        hook(&env, &["PreToolUse"], DANGEROUS, &[])
            .stdout
            .contains("deny"),
        "expired"
    );

    // Bad requests are usage errors and change nothing.
    for args in [
        &["hooks", "disable", "gaurd", "--reason", "x"][..],
        &["hooks", "disable", "guard", "--reason", "x", "--for", "30d"],
        &["hooks", "disable", "guard", "--reason", "  "],
        &["hooks", "disable", "guard"],
    ] {
        env.sk().args(args).assert().code(2);
    }
}

#[test]
fn the_sub_agent_marker_blocks_commits_until_cleared() {
    let env = TestEnv::new();
    let repo = env.home().join("repo");
    std::fs::create_dir_all(repo.join("src")).expect("repo");
    git(&repo, &["init", "-q", "-b", "main"]);
    let commit = json!({"session_id": "s", "cwd": repo.join("src"), "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": "git add -A && git commit -m wip"}})
    .to_string();
    assert_eq!(
        hook(&env, &["PreToolUse"], &commit, &[]).stdout,
        "",
        "no marker, no guard"
    );

    env.sk()
        .args(["hooks", "marker", "set", "--repo"])
        .arg(repo.join("src"))
        .assert()
        .success();
    let secret = env.copilot_home().join("markers/sk.secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret).expect("secret").permissions().mode() & 0o777,
            0o600
        );
    }
    let ran = hook(&env, &["PreToolUse"], &commit, &[]);
    let out: Value = serde_json::from_str(&ran.stdout).expect("deny");
    let reason = out["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .expect("reason");
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
    let root = std::fs::canonicalize(&repo).expect("canonical");
    assert!(
        reason.contains(&format!("sk hooks marker clear --repo {}", root.display())),
        "{reason}"
    );
    // Other repositories and other git commands are not affected.
    let status = json!({"session_id": "s", "cwd": repo, "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": "git status"}})
    .to_string();
    assert_eq!(hook(&env, &["PreToolUse"], &status, &[]).stdout, "");
    env.sk()
        .args(["hooks", "marker", "status", "--json", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stdout(predicates::str::contains("\"state\": \"active\""));

    // A marker edited by hand (to last longer) does not verify and blocks nothing.
    let markers: Vec<PathBuf> = std::fs::read_dir(env.copilot_home().join("markers"))
        .expect("markers")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("subagent-"))
        })
        .collect();
    assert_eq!(markers.len(), 1);
    let original = std::fs::read_to_string(&markers[0]).expect("marker");
    let mut forged: Value = serde_json::from_str(&original).expect("json");
    forged["until_ms"] = json!(forged["until_ms"].as_i64().expect("until") + 1);
    std::fs::write(&markers[0], forged.to_string()).expect("forge");
    assert_eq!(
        hook(&env, &["PreToolUse"], &commit, &[]).stdout,
        "",
        "forged marker ignored"
    );
    std::fs::write(&markers[0], original).expect("restore");

    env.sk()
        .args(["hooks", "marker", "clear", "--repo"])
        .arg(&repo)
        .assert()
        .success();
    assert_eq!(hook(&env, &["PreToolUse"], &commit, &[]).stdout, "", "cleared");
    env.sk()
        .args(["hooks", "marker", "set", "--repo"])
        .arg(env.home())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("not inside a git repository"));
}

#[test]
fn capture_starts_an_index_in_the_background() {
    let env = TestEnv::new();
    plant_failure_fix(&env, "/work/server");
    // Claude Code's Stop ends every turn; its SessionEnd is when the session is captured.
    let stop = r#"{"session_id":"7d1f","transcript_path":"/x/.claude/projects/-work-server/7d1f.jsonl","cwd":"/work/server","hook_event_name":"Stop","stop_hook_active":false}"#;
    let ran = hook(&env, &["Stop"], stop, &[]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, ""));
    let last = audit(&env).pop().expect("audit");
    assert!(last.to_string().contains("captured at SessionEnd"), "{last}");
    let end = r#"{"session_id":"7d1f","transcript_path":"/x/.claude/projects/-work-server/7d1f.jsonl","cwd":"/work/server","hook_event_name":"SessionEnd","reason":"exit"}"#;
    let ran = hook(&env, &["SessionEnd"], end, &[]);
    assert_eq!((ran.code, ran.stdout.as_str()), (0, ""));
    let last = audit(&env).pop().expect("audit");
    assert_eq!(rule_result(&last, "capture").as_deref(), Some("pass"));
    assert!(last.to_string().contains("started sk index"), "{last}");
    // The detached run ingests the session: poll with a deadline.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let indexed = env.db().exists()
            && env
                .sk()
                .args(["sessions", "--json"])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("7d1f0e2a"));
        if indexed && sk_store::lock::holder(&env.db()).is_none() {
            break;
        }
        assert!(Instant::now() < deadline, "the background index did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
}
