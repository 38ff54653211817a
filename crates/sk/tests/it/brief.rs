//! `sk brief` through the real binary: a knowledge base built with `sk learn` (and, for
//! scale, `sk index` over a generated corpus), then briefings for matching tasks, budgets,
//! the JSON and XML shapes, `--auto` inside a temporary git repository, determinism.

use std::path::Path;
use std::process::Command as Process;

use predicates::prelude::*;
use serde_json::Value;
use sk_test::TestEnv;
use sk_test::transcript::ClaudeTranscript;

const SESSION_VARS: [&str; 3] = ["COPILOT_SESSION_ID", "CLAUDE_SESSION_ID", "CODEX_SESSION_ID"];

fn sk(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.sk();
    for var in SESSION_VARS {
        cmd.env_remove(var);
    }
    cmd
}

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("utf8 stdout")
}

/// A mistake about src/auth.rs, an unrelated mistake, a pattern with markup characters in
/// it and a decision.
fn learned(env: &TestEnv) {
    for args in [
        &[
            "--mistake",
            "cargo test fails on auth timeout",
            "raise the timeout in src/auth.rs to 30s",
            "--file",
            "src/auth.rs",
        ][..],
        &[
            "--mistake",
            "clippy rejects unwrap in library code",
            "use ? with a context instead",
            "--file",
            "src/store.rs",
        ],
        &[
            "--pattern",
            "errors are thiserror enums",
            "every <crate> error type is an enum & \"derives\" thiserror",
        ],
        &[
            "--decision",
            "SQLite is the only store",
            "one file with WAL, no server database",
        ],
    ] {
        sk(env).arg("learn").args(args).assert().success();
    }
}

fn brief(env: &TestEnv, args: &[&str]) -> String {
    stdout(sk(env).arg("brief").args(args))
}

#[test]
fn matching_task_lists_the_mistake_first_with_its_fix() {
    let env = TestEnv::new();
    learned(&env);
    let text = brief(&env, &["fix", "the", "auth", "timeout", "in", "tests"]);
    let mistakes = text.find("## Known mistakes").expect("mistakes section");
    let first_item = text[mistakes..].lines().nth(1).expect("an item");
    assert!(first_item.contains("cargo test fails on auth timeout"), "{text}");
    assert!(
        first_item.contains("raise the timeout in src/auth.rs to 30s"),
        "{text}"
    );
    assert!(
        !text.contains("clippy rejects unwrap"),
        "an unrelated mistake stays out: {text}"
    );
    // Sections come in their fixed order.
    let order: Vec<usize> = ["## Known mistakes", "## Patterns", "## Decisions", "## Hot files"]
        .iter()
        .map(|h| text.find(h).unwrap_or_else(|| panic!("{h} missing: {text}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn budgets_are_never_exceeded() {
    let env = TestEnv::new();
    learned(&env);
    for (budget, limit) in [("200", 200), ("50t", 200), ("400", 400)] {
        for format in [None, Some("--xml")] {
            let mut args = vec!["auth", "timeout", "--budget", budget];
            args.extend(format);
            let text = brief(&env, &args);
            assert!(
                text.chars().count() <= limit,
                "{budget} {format:?}: {} chars\n{text}",
                text.chars().count()
            );
        }
    }
    let small = brief(&env, &["auth", "timeout", "--budget", "200"]);
    assert!(
        small.contains("cargo test fails on auth timeout"),
        "the best item fits: {small}"
    );
    let full = brief(&env, &["auth", "timeout", "--full"]);
    assert!(
        full.chars().count() > 200 && full.contains("SQLite is the only store"),
        "{full}"
    );
    sk(&env)
        .args(["brief", "x", "--budget", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid budget"));
}

#[test]
fn json_has_the_stable_schema() {
    let env = TestEnv::new();
    learned(&env);
    let doc: Value = serde_json::from_str(&brief(&env, &["auth", "timeout", "--json"])).expect("json");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["task"], "auth timeout");
    let names: Vec<&str> = doc["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        ["mistakes", "patterns", "decisions", "sessions", "hot_files"]
    );
    let mistake = &doc["sections"][0]["items"][0];
    assert_eq!(mistake["category"], "mistake");
    assert_eq!(mistake["title"], "cargo test fails on auth timeout");
    assert_eq!(mistake["files"][0], "src/auth.rs");
    for key in ["id", "body_excerpt", "confidence", "last_seen"] {
        assert!(!mistake[key].is_null(), "{key} missing: {mistake}");
    }
    // A tight budget still yields valid JSON.
    let tight = brief(&env, &["auth", "timeout", "--json", "--budget", "900"]);
    assert!(tight.chars().count() <= 900, "{tight}");
    let tight: Value = serde_json::from_str(&tight).expect("json under a budget");
    assert_eq!(tight["sections"].as_array().map(Vec::len), Some(5));
}

/// Checks that tags balance and that no raw `<`, `&` or `"` hides in text or attributes.
/// A knowledge base of one entry: every word of it is in "half the documents", so no
/// word tells related from unrelated and the floor keeps what matched (the agent harness's
/// known-fix repository is such a base).
#[test]
fn a_single_entry_still_reaches_a_matching_task() {
    let env = TestEnv::new();
    sk(&env)
        .args([
            "learn",
            "--mistake",
            "build.sh fails with frobnicator version mismatch",
            "run ./configure --frobnicator=3, then build.sh passes",
        ])
        .assert()
        .success();
    let text = brief(&env, &["build the project with build.sh"]);
    assert!(text.contains("./configure --frobnicator=3"), "{text}");
}

/// The sections of a `--json` briefing: (section name, item ids as text).
fn section_ids(doc: &Value) -> Vec<(String, Vec<String>)> {
    doc["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| {
            let ids = s["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| match &i["id"] {
                    Value::String(key) => key.clone(),
                    other => other.to_string(),
                })
                .collect();
            (s["name"].as_str().expect("name").to_string(), ids)
        })
        .collect()
}

/// A briefing shows nothing rather than an entry or a session that shares only an
/// everyday word of the history with the task: here every session mentions GitHub, so
/// "github" says nothing about which one a GitHub Pages task is about.
#[test]
fn items_sharing_only_a_common_word_with_the_task_stay_out() {
    let env = TestEnv::new();
    let sessions = [
        (
            "0a1b2c3d-0000-4000-8000-000000000001",
            "publish the project documentation with mkdocs on github pages",
            "mkdocs gh-deploy --force",
            "INFO - Your documentation should shortly be available at https://acme.github.io/widgets/",
        ),
        (
            "0a1b2c3d-0000-4000-8000-000000000002",
            "push the release branch to github",
            "git push origin release",
            "remote: error: GH013: Repository rule violations found for refs/heads/release.\nremote: - GITHUB PUSH PROTECTION\n ! [remote rejected] release -> release (push declined due to repository rule violations)",
        ),
        (
            "0a1b2c3d-0000-4000-8000-000000000003",
            "open a pull request on github for the login fix",
            "gh pr create --fill",
            "https://github.com/acme/widgets/pull/12",
        ),
        (
            "0a1b2c3d-0000-4000-8000-000000000004",
            "check why the github actions linter job is red",
            "gh run view --log-failed",
            "ruff: E501 line too long",
        ),
    ];
    for (id, prompt, command, output) in sessions {
        let mut t = ClaudeTranscript::new(id, "/work/widgets");
        t.prompt(prompt).bash("t1", command).tool_result("t1", output);
        env.write(&t.home_path(), t.text());
    }
    sk(&env).arg("index").assert().success();
    for args in [
        &[
            "--mistake",
            "mkdocs build fails in CI: mkdocs is not installed",
            "add mkdocs to the docs requirements and install them in the workflow",
            "--file",
            ".github/workflows/docs.yml",
        ][..],
        &[
            "--mistake",
            "git push to github rejected by push protection",
            "remove the token from the commit, then push again",
            "--file",
            "config/deploy_token.env",
        ],
    ] {
        sk(&env).arg("learn").args(args).assert().success();
    }

    let doc: Value = serde_json::from_str(&brief(
        &env,
        &[
            "add a docs site with mkdocs and deploy it to github pages",
            "--json",
            "--full",
        ],
    ))
    .expect("json");
    let sections = section_ids(&doc);
    let items = |name: &str| {
        sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, ids)| ids.clone())
            .unwrap_or_default()
    };
    let text = doc.to_string();
    assert_eq!(items("mistakes").len(), 1, "only the mkdocs mistake: {text}");
    assert!(
        text.contains("mkdocs is not installed") && !text.contains("push protection"),
        "{text}"
    );
    assert_eq!(
        items("sessions"),
        vec![format!("claude:{}", sessions[0].0)],
        "only the mkdocs session: {text}"
    );
    // Hot files of a briefing asked for by a person: the shown mistake's, not every
    // mistake-prone file of the history.
    assert_eq!(items("hot_files"), vec![".github/workflows/docs.yml"], "{text}");

    // Knowledge written by hand about what no session mentions is weighed among the
    // entries, not dropped for want of a weight.
    sk(&env)
        .args([
            "learn",
            "--mistake",
            "the websocket reconnect loop is flaky in the chat server",
            "wait for the pong before reconnecting",
        ])
        .assert()
        .success();
    let flaky = brief(&env, &["fix the flaky websocket reconnect"]);
    assert!(flaky.contains("wait for the pong"), "{flaky}");

    // The floor is relative to the task: a push task still gets the push mistake and
    // the push session.
    let push = brief(&env, &["git push rejected by push protection", "--full"]);
    assert!(push.contains("remove the token from the commit"), "{push}");
    assert!(
        push.contains(&sessions[1].0[..8]) || push.contains(sessions[1].0),
        "{push}"
    );
}

fn assert_well_formed(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(
            !text.contains('>') && !text.contains('"'),
            "raw markup in text: {text:?}"
        );
        assert_entities(text);
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "raw < inside a tag: {tag:?}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "unbalanced </{name}>");
        } else {
            let self_closing = tag.ends_with('/');
            let name = tag
                .split_whitespace()
                .next()
                .expect("tag name")
                .trim_end_matches('/');
            // Attribute values: an even number of quotes, entities only.
            assert_eq!(tag.matches('"').count() % 2, 0, "odd quotes: {tag:?}");
            assert_entities(tag);
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(rest.trim().is_empty());
}

fn assert_entities(s: &str) {
    for (i, _) in s.match_indices('&') {
        let after = &s[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| after.starts_with(e)),
            "bare & in {s:?}"
        );
    }
}

#[test]
fn xml_is_well_formed_and_escaped() {
    let env = TestEnv::new();
    learned(&env);
    let xml = brief(
        &env,
        &[
            "auth",
            "timeout",
            "<crate>",
            "&",
            "\"derives\"",
            "--xml",
            "--full",
        ],
    );
    assert!(xml.starts_with("<sk-briefing task=\""), "{xml}");
    assert!(xml.contains("<mistake id=\"1\""), "{xml}");
    assert!(
        xml.contains("every &lt;crate&gt; error type is an enum &amp; &quot;derives&quot;"),
        "{xml}"
    );
    assert!(
        xml.contains("task=\"auth timeout &lt;crate&gt; &amp; &quot;derives&quot;\""),
        "{xml}"
    );
    assert_well_formed(&xml);
    assert_well_formed(&brief(&env, &["auth", "--xml", "--budget", "150"]));
}

fn git(dir: &Path, args: &[&str]) {
    let status = Process::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn auto_derives_the_task_from_git_and_matches_changed_files() {
    let env = TestEnv::new();
    learned(&env);
    let repo = env.home().join("work");
    std::fs::create_dir_all(repo.join("src")).expect("repo dir");
    git(&repo, &["init", "-q", "-b", "feature/login-flow"]);
    std::fs::write(repo.join("src/auth.rs"), "fn login() {}\n").expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "Add login skeleton"]);
    std::fs::write(repo.join("src/auth.rs"), "fn login() { todo() }\n").expect("modify");

    let text = stdout(sk(&env).args(["brief", "--auto", "--full"]).current_dir(&repo));
    assert!(text.contains("src/auth.rs"), "{text}");
    let mistakes = text.find("## Known mistakes").expect("mistakes");
    assert!(
        text[mistakes..]
            .lines()
            .nth(1)
            .expect("item")
            .contains("cargo test fails on auth timeout"),
        "{text}"
    );
    assert!(!text.contains("clippy rejects unwrap"), "{text}");

    let doc: Value =
        serde_json::from_str(&stdout(sk(&env).args(["brief", "--json"]).current_dir(&repo))).expect("json");
    assert_eq!(doc["task_source"], "git");
    assert_eq!(doc["files"][0], "src/auth.rs");
    let task = doc["task"].as_str().expect("task");
    assert!(
        task.contains("login flow") && task.contains("Add login skeleton"),
        "{task}"
    );
}

#[test]
fn outside_a_repository_a_task_is_required() {
    let env = TestEnv::new();
    learned(&env);
    let outside = tempfile::tempdir().expect("tempdir");
    sk(&env)
        .arg("brief")
        .current_dir(outside.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            outside.path().parent().expect("parent"),
        )
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not inside a git repository"));
    sk(&env)
        .args(["brief", "auth"])
        .current_dir(outside.path())
        .assert()
        .success();
}

#[test]
fn missing_and_empty_knowledge_bases() {
    let env = TestEnv::new();
    sk(&env).args(["brief", "anything"]).assert().code(1).stderr(
        predicate::str::contains("no knowledge base yet").and(predicate::str::contains("run `sk index`")),
    );
    sk(&env).arg("index").assert().success();
    let text = brief(&env, &["anything"]);
    assert!(text.contains("Nothing is known yet"), "{text}");
    let doc: Value = serde_json::from_str(&brief(&env, &["anything", "--json"])).expect("json");
    assert_eq!(doc["empty"], true);
}

#[test]
fn a_database_older_than_the_briefing_needs_says_to_migrate() {
    let env = TestEnv::new();
    learned(&env);
    // What a v1 build left: the objects and records of v2 and later absent.
    let conn = rusqlite::Connection::open(env.db()).expect("open");
    conn.execute_batch(sk_test::db::UNDO_V8).expect("back to v7");
    conn.execute_batch(
        "DROP TRIGGER records_digest_ad; DROP TABLE digest_fts; DROP INDEX records_digest;
         DROP TRIGGER hot_files_file_added; DROP TRIGGER hot_files_file_removed;
         DROP TRIGGER hot_files_mistake_deleted; DROP TRIGGER hot_files_seen_later;
         DROP TRIGGER hot_files_recount; DROP TABLE hot_files;
         DROP INDEX entry_files_name; DROP INDEX files_name; DROP INDEX entries_standing;
         DROP TABLE failed_sources;
         DROP TRIGGER sessions_search_ad; DROP TABLE session_fts; DROP TABLE session_docs;
         DROP TABLE session_docs_pending;
         DROP TABLE forgotten_evidence; DROP TABLE forgotten; DROP INDEX entries_pinned;
         ALTER TABLE entries DROP COLUMN pinned; ALTER TABLE entries DROP COLUMN edited_at;
         ALTER TABLE entries DROP COLUMN source;
         DELETE FROM schema_version WHERE version >= 2;",
    )
    .expect("back to v1");
    drop(conn);
    sk(&env)
        .args(["brief", "auth timeout"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this needs v").and(predicate::str::contains("run `sk migrate`")));
    sk(&env).arg("migrate").assert().success();
    let text = brief(&env, &["auth timeout"]);
    assert!(text.contains("cargo test fails on auth timeout"), "{text}");
}

#[test]
fn briefings_over_an_indexed_corpus_are_deterministic_and_bounded() {
    let env = TestEnv::new();
    sk_bench::corpus::generate(
        env.home(),
        &sk_bench::corpus::Options {
            total_bytes: 2 << 20,
            ..Default::default()
        },
    )
    .expect("generate corpus");
    sk(&env).arg("index").assert().success();
    learned(&env);
    for args in [
        &["cargo", "test", "fails", "build", "error", "--full"][..],
        &["fix", "the", "failing", "tests", "--json"],
        &["auth", "timeout", "--xml"],
    ] {
        let first = brief(&env, args);
        assert_eq!(first, brief(&env, args), "{args:?} changed between runs");
        if !args.contains(&"--full") {
            assert!(first.chars().count() <= 2000, "{args:?}: default budget exceeded");
        }
    }
    let text = brief(&env, &["auth", "timeout"]);
    assert!(text.find("cargo test fails on auth timeout").is_some(), "{text}");
    let doc: Value =
        serde_json::from_str(&brief(&env, &["cargo", "test", "failure", "--json", "--full"])).expect("json");
    assert!(
        doc["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .any(|s| !s["items"].as_array().expect("items").is_empty()),
        "an indexed corpus yields something: {doc}"
    );
}
