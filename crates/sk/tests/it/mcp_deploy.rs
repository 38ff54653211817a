//! `sk hooks deploy` registering `sk mcp` with each agent, in the user's own file: the
//! deployed entries (snapshots), the user's other servers, comments and order kept,
//! idempotence, `--no-mcp`, an invalid file refused with nothing changed, undeploy giving
//! the user's file back byte for byte, `CLAUDE_CONFIG_DIR`, and the lock, verify, doctor
//! and uninstall that cover it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sk_test::TestEnv;

/// Claude Code's state file as it might be, not in serde's formatting (4-space indents):
/// undeploy must give these exact bytes back.
const CLAUDE_JSON: &str = "{\n    \"numStartups\": 12,\n    \"mcpServers\": {\n        \"docs\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"-y\", \"docs-mcp\"]}\n    },\n    \"projects\": {}\n}";
const CODEX_TOML: &str = "# Codex settings\nmodel = \"o3\"   # keep\n\n[mcp_servers.docs]\n# the docs server\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n\n[profiles.fast]\nmodel = \"mini\"\n";
const COPILOT_JSON: &str = "{\n  \"mcpServers\": {\n    \"playwright\": {\n      \"type\": \"local\",\n      \"command\": \"npx\",\n      \"args\": [\"@playwright/mcp@latest\"],\n      \"tools\": [\"*\"]\n    }\n  }\n}\n";

struct Files {
    claude: PathBuf,
    codex: PathBuf,
    copilot: PathBuf,
}

fn user_files(env: &TestEnv) -> Files {
    Files {
        claude: env.write(".claude.json", CLAUDE_JSON),
        codex: env.write(".codex/config.toml", CODEX_TOML),
        copilot: env.write(".copilot/mcp-config.json", COPILOT_JSON),
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(env: &TestEnv, args: &[&str]) -> String {
    env.stdout(args)
}

#[test]
fn deploy_registers_sk_mcp_with_every_agent_and_undeploy_gives_the_files_back_byte_for_byte() {
    let env = TestEnv::new();
    let f = user_files(&env);
    let out = run(&env, &["hooks", "deploy"]);
    assert!(out.contains("and the MCP server `sk mcp`"), "{out}");

    let home = env.home().display().to_string();
    let deployed = format!(
        "===== .claude.json\n{}\n===== .codex/config.toml\n{}===== .copilot/mcp-config.json\n{}",
        read(&f.claude),
        read(&f.codex),
        read(&f.copilot)
    )
    .replace(&home, "[HOME]");
    // The binary registered is the one running the test (no `sk install` in this home).
    let sk = sk_test::sk_bin()
        .canonicalize()
        .expect("sk path")
        .display()
        .to_string();
    insta::assert_snapshot!("deployed", deployed.replace(&sk, "[SK]"));

    // Backups of the user's files, once.
    for p in [&f.claude, &f.codex, &f.copilot] {
        assert!(
            sk_core::paths::sidecar(p, ".sk-backup").exists(),
            "{}",
            p.display()
        );
    }
    // Idempotent.
    let before = [read(&f.claude), read(&f.codex), read(&f.copilot)];
    assert!(run(&env, &["hooks", "deploy"]).contains("already up to date"));
    assert_eq!(before, [read(&f.claude), read(&f.codex), read(&f.copilot)]);

    // Hooks only: the MCP entries stay.
    run(&env, &["hooks", "undeploy", "--no-mcp"]);
    assert!(read(&f.claude).contains("\"sk\""));
    run(&env, &["hooks", "undeploy"]);
    assert_eq!(read(&f.claude), CLAUDE_JSON, "byte for byte");
    assert_eq!(read(&f.codex), CODEX_TOML, "byte for byte");
    assert_eq!(read(&f.copilot), COPILOT_JSON, "byte for byte");
}

#[test]
fn files_sk_created_are_removed_again_and_no_mcp_deploys_hooks_only() {
    let env = TestEnv::new();
    run(&env, &["hooks", "deploy", "--no-mcp"]);
    assert!(!env.home().join(".claude.json").exists());
    assert!(!env.codex_home().join("config.toml").exists());
    assert!(!env.copilot_home().join("mcp-config.json").exists());
    assert!(env.codex_home().join("hooks.json").exists());

    run(&env, &["hooks", "deploy"]);
    let claude: Value = serde_json::from_str(&read(&env.home().join(".claude.json"))).expect("json");
    assert_eq!(claude["mcpServers"]["sk"]["args"][0], "mcp");
    run(&env, &["hooks", "undeploy"]);
    assert!(!env.home().join(".claude.json").exists());
    assert!(!env.codex_home().join("config.toml").exists());
    assert!(!env.copilot_home().join("mcp-config.json").exists());
}

#[test]
fn an_invalid_config_is_refused_with_nothing_changed() {
    let env = TestEnv::new();
    let bad = env.write(".codex/config.toml", "model = \"o3\"\n[[[broken\n");
    let out = env.sk().args(["hooks", "deploy"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not valid TOML"),
        "{out:?}"
    );
    assert_eq!(read(&bad), "model = \"o3\"\n[[[broken\n");
    assert!(
        !env.codex_home().join("hooks.json").exists(),
        "nothing at all was written"
    );
    assert!(!env.home().join(".claude.json").exists());
}

#[test]
fn claude_config_dir_moves_the_claude_json() {
    let env = TestEnv::new();
    let dir = env.home().join("cc");
    env.sk()
        .env("CLAUDE_CONFIG_DIR", &dir)
        .args(["hooks", "deploy", "--agent", "claude"])
        .assert()
        .success();
    assert!(dir.join(".claude.json").exists());
    assert!(!env.home().join(".claude.json").exists());
}

#[test]
fn lock_covers_the_entry_verify_sees_it_changed_and_doctor_and_uninstall_list_it() {
    let env = TestEnv::new();
    let f = user_files(&env);
    run(&env, &["hooks", "deploy"]);
    let doctor = env.sk().arg("doctor").output().expect("doctor");
    let doctor = String::from_utf8_lossy(&doctor.stdout).into_owned();
    assert!(
        doctor.contains("server registered for copilot, claude, codex"),
        "{doctor}"
    );

    run(&env, &["hooks", "lock"]);
    assert!(run(&env, &["hooks", "verify"]).contains("hooks verified"));
    // The agent rewrites the rest of its file as it runs: not drift, and never read-only.
    let mut claude: Value = serde_json::from_str(&read(&f.claude)).expect("json");
    claude["numStartups"] = 13.into();
    std::fs::write(&f.claude, serde_json::to_string(&claude).expect("json")).expect("write");
    assert!(run(&env, &["hooks", "verify"]).contains("hooks verified"));
    // sk's entry changed: drift.
    claude["mcpServers"]["sk"]["command"] = "/tmp/evil".into();
    std::fs::write(&f.claude, serde_json::to_string(&claude).expect("json")).expect("write");
    let out = env
        .sk()
        .args(["hooks", "verify", "--json"])
        .output()
        .expect("verify");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["problems"][0]["path"],
        f.claude.display().to_string(),
        "{report}"
    );
    assert_eq!(report["problems"][0]["issue"], "changed");
    let doctor = env.sk().arg("doctor").output().expect("doctor");
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("/tmp/evil, which does not exist"));

    let plan = run(&env, &["uninstall", "--dry-run"]);
    for p in [&f.claude, &f.codex, &f.copilot] {
        assert!(plan.contains(&p.display().to_string()), "{plan}");
    }
}
