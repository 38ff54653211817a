//! `sk hooks deploy|undeploy|lock|unlock|verify` and `sk git-hooks`: the real binary in a
//! temporary home, checking the files it writes, keeps and restores.

use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;
use sk_test::TestEnv;

const USER_SETTINGS: &str = r#"{
  "model": "opus",
  "env": {"FOO": "1"},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/my-guard"}]}
    ]
  }
}
"#;

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read json")).expect("valid json")
}

fn stdout(env: &TestEnv, args: &[&str]) -> String {
    let out = env.sk().args(args).output().expect("run sk");
    assert!(
        out.status.success(),
        "sk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sk_commands(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for groups in doc["hooks"].as_object().into_iter().flat_map(|m| m.values()) {
        for group in groups.as_array().into_iter().flatten() {
            for hook in group["hooks"].as_array().into_iter().flatten() {
                if let Some(c) = hook["command"].as_str().filter(|c| c.contains(" hooks run ")) {
                    found.push(c.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn deploy_merges_into_user_settings_is_idempotent_and_undeploy_removes_only_sks_entries() {
    let env = TestEnv::new();
    let settings = env.write(".claude/settings.json", USER_SETTINGS);
    let out = stdout(&env, &["hooks", "deploy"]);
    assert!(out.contains("sk hooks deployed"), "{out}");

    let doc = json(&settings);
    assert_eq!(doc["model"], "opus");
    assert_eq!(doc["env"]["FOO"], "1");
    assert_eq!(
        doc["hooks"]["PreToolUse"][0]["hooks"][0]["command"], "~/bin/my-guard",
        "the user's hook stays"
    );
    let commands = sk_commands(&doc);
    for event in ["SessionStart", "PreToolUse", "PostToolUse"] {
        assert!(
            commands
                .iter()
                .any(|c| c.ends_with(&format!("hooks run --agent claude {event}"))),
            "{event}: {commands:?}"
        );
    }
    let backup = env.home().join(".claude/settings.json.sk-backup");
    assert_eq!(
        std::fs::read_to_string(&backup).expect("backup"),
        USER_SETTINGS,
        "backup is the previous file"
    );

    let copilot = json(&env.copilot_home().join("hooks/sk.json"));
    assert_eq!(copilot["version"], 1);
    assert!(
        copilot["hooks"]["preToolUse"][0]["bash"]
            .as_str()
            .is_some_and(|c| c.contains("hooks run --agent copilot preToolUse"))
    );
    assert!(copilot["hooks"]["preToolUse"][0]["powershell"].as_str().is_some());
    let codex = json(&env.codex_home().join("hooks.json"));
    assert!(
        sk_commands(&codex)
            .iter()
            .any(|c| c.ends_with("hooks run --agent codex SessionStart"))
    );

    let before: Vec<Vec<u8>> = [
        &settings,
        &env.codex_home().join("hooks.json"),
        &env.copilot_home().join("hooks/sk.json"),
    ]
    .iter()
    .map(|p| std::fs::read(p).expect("read"))
    .collect();
    let again = stdout(&env, &["hooks", "deploy"]);
    assert!(again.contains("already up to date"), "{again}");
    let after: Vec<Vec<u8>> = [
        &settings,
        &env.codex_home().join("hooks.json"),
        &env.copilot_home().join("hooks/sk.json"),
    ]
    .iter()
    .map(|p| std::fs::read(p).expect("read"))
    .collect();
    assert_eq!(before, after, "deploying twice changes no byte");

    stdout(&env, &["hooks", "undeploy"]);
    assert_eq!(
        json(&settings),
        serde_json::from_str::<Value>(USER_SETTINGS).expect("fixture")
    );
    assert!(!env.copilot_home().join("hooks/sk.json").exists());
    assert!(
        !env.codex_home().join("hooks.json").exists(),
        "a file only sk wrote goes away entirely"
    );
    assert!(backup.exists(), "the backup is kept");
    let twice = stdout(&env, &["hooks", "undeploy"]);
    assert!(twice.contains("already up to date"), "{twice}");
}

/// Codex CLI runs no hook from hooks.json until the user approves it in its /hooks screen
/// (found by the agent harness): a deploy that changes Codex's hooks says so, in text and
/// in JSON; one that changes nothing, or no Codex hook, does not.
#[test]
fn a_deploy_that_changes_codex_hooks_says_they_need_approving() {
    let env = TestEnv::new();
    let claude = stdout(&env, &["hooks", "deploy", "--agent", "claude"]);
    assert!(!claude.contains("/hooks"), "{claude}");
    let codex = stdout(&env, &["hooks", "deploy", "--agent", "codex"]);
    assert!(
        codex.contains("note: Codex CLI runs new or changed hooks only after you approve them"),
        "{codex}"
    );
    let again = stdout(&env, &["hooks", "deploy", "--agent", "codex"]);
    assert!(
        again.contains("already up to date") && !again.contains("note:"),
        "{again}"
    );
    stdout(&env, &["hooks", "undeploy", "--agent", "codex"]);
    let doc: Value = serde_json::from_str(&stdout(&env, &["hooks", "deploy", "--agent", "codex", "--json"]))
        .expect("json");
    assert!(
        doc["notes"][0].as_str().is_some_and(|n| n.contains("/hooks")),
        "{doc}"
    );
}

#[test]
fn invalid_user_json_is_refused_and_nothing_changes() {
    let env = TestEnv::new();
    let settings = env.write(".claude/settings.json", "{ \"model\": \"opus\", }\n");
    let out = env.sk().args(["hooks", "deploy"]).output().expect("run sk");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("settings.json") && err.contains("not valid JSON") && err.contains("changed nothing"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&settings).expect("read"),
        "{ \"model\": \"opus\", }\n"
    );
    assert!(
        !env.copilot_home().join("hooks/sk.json").exists(),
        "no agent is half-deployed"
    );
    assert!(!env.home().join(".claude/settings.json.sk-backup").exists());
}

#[test]
fn dry_run_plans_without_writing() {
    let env = TestEnv::new();
    let out = stdout(
        &env,
        &["hooks", "deploy", "--agent", "codex", "--dry-run", "--json"],
    );
    let plan: Value = serde_json::from_str(&out).expect("json plan");
    assert_eq!(plan["dry_run"], true);
    // hooks.json and, for the MCP server, config.toml.
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(2));
    assert_eq!(plan["changes"][0]["action"]["action"], "write");
    assert_eq!(plan["changes"][1]["action"]["action"], "write");
    assert!(!env.codex_home().join("hooks.json").exists());
    assert!(!env.codex_home().join("config.toml").exists());
    let out = stdout(
        &env,
        &[
            "hooks",
            "deploy",
            "--agent",
            "codex",
            "--no-mcp",
            "--dry-run",
            "--json",
        ],
    );
    let plan: Value = serde_json::from_str(&out).expect("json plan");
    assert_eq!(
        plan["changes"].as_array().map(Vec::len),
        Some(1),
        "--no-mcp: hooks only"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn lock_makes_files_read_only_refuses_redeploy_and_verify_names_every_change() {
    let env = TestEnv::new();
    env.write(".claude/settings.json", USER_SETTINGS);
    stdout(&env, &["hooks", "deploy"]);
    let out = env.sk().args(["hooks", "verify"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "nothing is verified before locking");

    let locked = stdout(&env, &["hooks", "lock"]);
    assert!(locked.contains("hooks locked"), "{locked}");
    let settings = env.home().join(".claude/settings.json");
    let copilot = env.copilot_home().join("hooks/sk.json");
    assert_eq!(mode(&settings) & 0o222, 0, "read-only");
    assert_eq!(mode(&copilot) & 0o222, 0, "read-only");
    let secret = env.copilot_home().join("markers/sk.secret");
    assert_eq!(mode(&secret), 0o600);
    assert!(stdout(&env, &["hooks", "lock"]).contains("already locked"));

    let refused = env.sk().args(["hooks", "deploy"]).output().expect("run");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("hooks are locked; run `sk hooks unlock` first")
    );
    let refused = env.sk().args(["hooks", "undeploy"]).output().expect("run");
    assert_eq!(refused.status.code(), Some(1));

    assert!(stdout(&env, &["hooks", "verify"]).contains("hooks verified"));

    // Tamper with one file, remove another.
    let mut perms = std::fs::metadata(&settings).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&settings, perms).expect("chmod");
    std::fs::write(&settings, "{\"hooks\": {}}\n").expect("tamper");
    std::fs::remove_file(&copilot).expect("remove");
    let out = env
        .sk()
        .args(["hooks", "verify", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let issues: Vec<(String, String)> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or("").to_string(),
                p["issue"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        issues.contains(&(settings.display().to_string(), "changed".into())),
        "{issues:?}"
    );
    assert!(
        issues.contains(&(copilot.display().to_string(), "removed".into())),
        "{issues:?}"
    );
    assert_eq!(issues.len(), 2, "{issues:?}");

    // A manifest edited by hand no longer verifies.
    let manifest = env.copilot_home().join("markers/hooks-lock.json");
    let edited = std::fs::read_to_string(&manifest)
        .expect("manifest")
        .replace("hook registrations", "hook registration");
    std::fs::write(&manifest, edited).expect("edit manifest");
    let out = env.sk().args(["hooks", "verify"]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature does not match"));

    let unlocked = stdout(&env, &["hooks", "unlock"]);
    assert!(
        unlocked.contains("DRIFT") && unlocked.contains("hooks unlocked"),
        "{unlocked}"
    );
    assert!(
        mode(&env.codex_home().join("hooks.json")) & 0o200 != 0,
        "writable again"
    );
    assert!(!manifest.exists());
    assert!(
        stdout(&env, &["hooks", "deploy"]).contains("sk hooks deployed"),
        "deploy works again after unlock"
    );
}

/// A repository inside the test home; git and the hooks it runs see only that home.
fn repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.home().join("work/app");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let out = git_in(env, &repo, &["init", "-q", "-b", "main"]);
    assert!(out.status.success());
    repo
}

fn git_in(env: &TestEnv, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Process::new("git");
    cmd.args([
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "-c",
        "commit.gpgsign=false",
    ])
    .args(args)
    .current_dir(dir)
    .env("HOME", env.home())
    .env("GIT_CONFIG_NOSYSTEM", "1")
    .env_remove("COPILOT_HOME")
    .env_remove("SK_DB");
    cmd.output().expect("run git")
}

#[cfg(unix)]
fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write hook");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(unix)]
#[test]
fn git_hooks_chain_the_users_hook_block_secrets_and_uninstall_restores_it() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let hooks = repo.join(".git/hooks");
    let user_hook =
        "#!/bin/sh\necho ran >> \"$(git rev-parse --show-toplevel)/.git/user-hook-ran\"\nexit 0\n";
    write_executable(&hooks.join("pre-commit"), user_hook);

    let out = env
        .sk()
        .args(["git-hooks", "install", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit.backup")).expect("backup"),
        user_hook
    );
    assert!(
        std::fs::read_to_string(hooks.join("pre-commit"))
            .expect("hook")
            .contains("sk-managed git hook")
    );
    assert!(hooks.join("pre-push").exists());
    let again = env
        .sk()
        .args(["git-hooks", "install", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("already up to date"),
        "idempotent"
    );

    // A clean commit goes through, and the user's hook still runs.
    std::fs::write(repo.join("main.rs"), "fn main() {}\n").expect("write");
    git_in(&env, &repo, &["add", "main.rs"]);
    let commit = git_in(&env, &repo, &["commit", "-q", "-m", "clean"]);
    assert!(
        commit.status.success(),
        "{}",
        String::from_utf8_lossy(&commit.stderr)
    );
    assert!(repo.join(".git/user-hook-ran").exists(), "the chained hook ran");

    // A staged secret is refused, with the file and line.
    std::fs::write(
        repo.join("config.env"),
        "A=1\nGITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n",
    )
    .expect("write");
    git_in(&env, &repo, &["add", "config.env"]);
    let refused = git_in(&env, &repo, &["commit", "-q", "-m", "leak"]);
    assert!(!refused.status.success(), "the commit must be refused");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("config.env:2") && err.contains("--no-verify"),
        "{err}"
    );
    git_in(&env, &repo, &["rm", "-q", "--cached", "config.env"]);

    // The user's hook's own verdict is respected.
    write_executable(
        &hooks.join("pre-commit.backup"),
        "#!/bin/sh\necho 'user hook says no' >&2\nexit 7\n",
    );
    std::fs::write(repo.join("b.rs"), "fn b() {}\n").expect("write");
    git_in(&env, &repo, &["add", "b.rs"]);
    let blocked = git_in(&env, &repo, &["commit", "-q", "-m", "blocked by user hook"]);
    assert!(!blocked.status.success());
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("user hook says no"));
    write_executable(&hooks.join("pre-commit.backup"), user_hook);

    let out = env
        .sk()
        .args(["git-hooks", "uninstall", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).expect("restored"),
        user_hook,
        "byte for byte"
    );
    assert!(!hooks.join("pre-commit.backup").exists());
    assert!(
        !hooks.join("pre-push").exists(),
        "sk's own hook removed, nothing put in its place"
    );
    let twice = env
        .sk()
        .args(["git-hooks", "uninstall", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(twice.status.success() && String::from_utf8_lossy(&twice.stdout).contains("already up to date"));
}

#[cfg(unix)]
#[test]
fn git_hooks_honour_core_hooks_path() {
    let env = TestEnv::new();
    let repo = repo(&env);
    git_in(&env, &repo, &["config", "core.hooksPath", ".githooks"]);
    let out = env
        .sk()
        .args(["git-hooks", "install", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(repo.join(".githooks/pre-commit").exists());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
}

#[test]
fn git_hooks_outside_a_repository_say_so() {
    let env = TestEnv::new();
    let out = env
        .sk()
        .args(["git-hooks", "install", "--repo"])
        .arg(env.home())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

#[test]
fn doctor_reports_hook_state_and_uninstall_removes_only_sks_registrations() {
    let env = TestEnv::new();
    let settings = env.write(".claude/settings.json", USER_SETTINGS);
    let doctor = |env: &TestEnv| {
        String::from_utf8_lossy(&env.sk().arg("doctor").output().expect("run").stdout).into_owned()
    };
    assert!(
        doctor(&env).contains("no agent hooks deployed"),
        "before deploying"
    );
    stdout(&env, &["hooks", "deploy"]);
    let report = doctor(&env);
    assert!(report.contains("deployed for copilot, claude, codex"), "{report}");
    assert!(report.contains("fix: sk hooks lock"), "{report}");
    stdout(&env, &["hooks", "lock"]);
    assert!(doctor(&env).contains("file(s) match the signed manifest"));

    let out = stdout(&env, &["uninstall"]);
    assert!(
        out.contains("Unlocked sk's hooks") && out.contains("Removed sk's hooks from"),
        "{out}"
    );
    assert_eq!(
        json(&settings),
        serde_json::from_str::<Value>(USER_SETTINGS).expect("fixture"),
        "the user's settings survive"
    );
    assert!(!env.copilot_home().join("hooks/sk.json").exists());
    assert!(!env.copilot_home().join("markers/hooks-lock.json").exists());
    #[cfg(unix)]
    assert!(mode(&settings) & 0o200 != 0, "writable again");
}

#[test]
fn doctor_shows_an_active_bypass_with_the_command_that_ends_it() {
    let env = TestEnv::new();
    let doctor =
        || String::from_utf8_lossy(&env.sk().arg("doctor").output().expect("run").stdout).into_owned();
    assert!(doctor().contains("no hook rule is bypassed"));
    stdout(
        &env,
        &[
            "hooks",
            "disable",
            "guard",
            "--reason",
            "INC-77 false positive",
            "--for",
            "2h",
        ],
    );
    let report = doctor();
    assert!(report.contains("bypass active: guard off until"), "{report}");
    assert!(
        report.contains("INC-77 false positive") && report.contains("fix: sk hooks enable guard"),
        "{report}"
    );
    stdout(&env, &["hooks", "enable", "guard"]);
    assert!(doctor().contains("no hook rule is bypassed"));
}

#[cfg(unix)]
#[test]
fn git_hooks_refuse_commits_and_pushes_while_a_subagent_marker_is_active() {
    let env = TestEnv::new();
    let repo = repo(&env);
    let out = env
        .sk()
        .args(["git-hooks", "install", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(repo.join("a.rs"), "fn a() {}\n").expect("write");
    git_in(&env, &repo, &["add", "a.rs"]);

    let set = env
        .sk()
        .args(["hooks", "marker", "set", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let refused = git_in(&env, &repo, &["commit", "-q", "-m", "by the sub-agent"]);
    assert!(
        !refused.status.success(),
        "a commit during a sub-agent's dispatch is refused"
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("sub-agent") && err.contains("sk hooks marker clear --repo"),
        "{err}"
    );

    // A forged marker (edited by hand) is ignored: it cannot block anyone.
    let markers = env.copilot_home().join("markers");
    let marker = std::fs::read_dir(&markers)
        .expect("markers")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("subagent-"))
        })
        .expect("marker file");
    let original = std::fs::read_to_string(&marker).expect("read marker");
    std::fs::write(
        &marker,
        original
            .replace("\"until_ms\":", "\"until_ms\":1")
            .replace("\"until_ms\": ", "\"until_ms\": 1"),
    )
    .expect("forge");
    let forged = git_in(&env, &repo, &["commit", "-q", "-m", "forged marker"]);
    assert!(
        forged.status.success(),
        "{}",
        String::from_utf8_lossy(&forged.stderr)
    );

    std::fs::write(&marker, original).expect("restore marker");
    std::fs::write(repo.join("b.rs"), "fn b() {}\n").expect("write");
    git_in(&env, &repo, &["add", "b.rs"]);
    assert!(
        !git_in(&env, &repo, &["commit", "-q", "-m", "again"])
            .status
            .success()
    );
    let clear = env
        .sk()
        .args(["hooks", "marker", "clear", "--repo"])
        .arg(&repo)
        .output()
        .expect("run");
    assert!(clear.status.success());
    let allowed = git_in(&env, &repo, &["commit", "-q", "-m", "after review"]);
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
}

#[cfg(unix)]
#[test]
fn session_start_audits_tampered_locked_hook_files() {
    let env = TestEnv::new();
    stdout(&env, &["hooks", "deploy"]);
    stdout(&env, &["hooks", "lock"]);
    let payload = r#"{"session_id":"s1","hook_event_name":"SessionStart","source":"startup","cwd":"/tmp"}"#;
    let start = |env: &TestEnv| {
        let out = env
            .sk()
            .args(["hooks", "run", "--agent", "claude", "SessionStart"])
            .write_stdin(payload)
            .output()
            .expect("run hook");
        assert_eq!(out.status.code(), Some(0), "hooks fail open whatever they find");
    };
    start(&env);
    let audit = env.copilot_home().join("markers/hooks-audit.jsonl");
    assert!(
        !std::fs::read_to_string(&audit).expect("audit").contains("TAMPER"),
        "intact files: no note"
    );

    let codex = env.codex_home().join("hooks.json");
    let mut perms = std::fs::metadata(&codex).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&codex, perms).expect("chmod");
    std::fs::write(&codex, "{}\n").expect("tamper");
    start(&env);
    let log = std::fs::read_to_string(&audit).expect("audit");
    let last = log.lines().last().expect("a line per invocation");
    assert!(last.contains("TAMPER") && last.contains("hooks.json"), "{last}");
    assert!(
        env.copilot_home().join("markers/hooks-lock.json").exists(),
        "the manifest is never regenerated"
    );
}

/// The deployed registrations and the rules table agree: every event sk registers is
/// answered by a rule, and every event a default-on rule answers is registered with each
/// agent that has such an event (Codex has no session end: capture runs on its Stop).
#[test]
fn deployed_events_match_the_rules_that_answer_them() {
    use sk_core::Agent;
    use sk_hooks::rules::RULES;
    use sk_hooks::wire::Event;
    for agent in Agent::ALL {
        let registered: Vec<Event> = sk_provision::agents::events(agent)
            .iter()
            .map(|e| Event::parse(e.name))
            .collect();
        for (e, name) in registered.iter().zip(sk_provision::agents::events(agent)) {
            assert_ne!(
                *e,
                Event::Other,
                "{agent}: {} is not an event sk knows",
                name.name
            );
            assert!(
                RULES.iter().any(|r| r.events.contains(e)),
                "{agent}: no rule answers {e:?}"
            );
        }
        for rule in RULES.iter().filter(|r| r.default_enabled) {
            let missing: Vec<&Event> = rule.events.iter().filter(|e| !registered.contains(e)).collect();
            let covered = missing.is_empty()
                || rule.events.iter().any(|e| registered.contains(e))
                || (agent == Agent::Codex && missing.iter().all(|e| **e == Event::SessionEnd));
            assert!(
                covered,
                "{agent}: rule {} answers {missing:?}, none registered",
                rule.id
            );
        }
    }
}

#[test]
fn a_round_trip_leaves_every_byte_of_the_users_configuration_as_it_was() {
    let env = TestEnv::new();
    // Files as the agents write them (two-space JSON, final newline), plus a user's own
    // Copilot hook file beside sk's.
    let claude: Value = serde_json::from_str(USER_SETTINGS).expect("fixture");
    let mut claude_bytes = serde_json::to_vec_pretty(&claude).expect("render");
    claude_bytes.push(b'\n');
    let settings = env.write(".claude/settings.json", &claude_bytes);
    let codex_bytes = b"{\n  \"hooks\": {\n    \"Stop\": [\n      {\n        \"hooks\": [\n          {\n            \"type\": \"command\",\n            \"command\": \"notify-send done\"\n          }\n        ]\n      }\n    ]\n  }\n}\n";
    let codex = env.write(".codex/hooks.json", codex_bytes);
    let mine = env.write(".copilot/hooks/team.json", "{\"version\":1,\"hooks\":{}}");
    stdout(&env, &["hooks", "deploy"]);
    assert_ne!(
        std::fs::read(&codex).expect("read"),
        codex_bytes.to_vec(),
        "deploy added sk's hooks"
    );
    stdout(&env, &["hooks", "undeploy"]);
    assert_eq!(std::fs::read(&settings).expect("read"), claude_bytes);
    assert_eq!(std::fs::read(&codex).expect("read"), codex_bytes.to_vec());
    assert_eq!(
        std::fs::read_to_string(&mine).expect("read"),
        "{\"version\":1,\"hooks\":{}}"
    );
}
