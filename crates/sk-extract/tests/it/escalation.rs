//! A command the agent's sandbox refused, run again unchanged with escalated permissions
//! (the call text's last line, `sk_core::escalation`): the lesson is that the command needs
//! them there, and why. The same retry without escalation, or an escalated retry after a
//! failure that was not the sandbox's, teaches nothing new.

use sk_core::{Agent, Category};
use sk_extract::Candidate;

use crate::support::{Session, has_cue, show};

fn mistakes(s: &Session) -> Vec<Candidate> {
    s.extract_as(Agent::Codex)
        .into_iter()
        .filter(|c| c.category == Category::Mistake)
        .collect()
}

fn escalated(command: &str, justification: Option<&str>) -> String {
    sk_core::escalation::mark(command, justification)
}

#[test]
fn a_git_write_refused_then_passing_escalated_is_a_lesson_with_its_fix() {
    let mut s = Session::new();
    s.prompt("create the next feature branch")
        .tool(
            "shell",
            "cd /work/app && git fetch --all --prune",
            &[],
            false,
            "failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
        )
        .tool(
            "shell",
            &escalated(
                "cd /work/app && git fetch --all --prune",
                Some("Need to update the refs"),
            ),
            &[],
            true,
            "Fetching origin",
        );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    let m = &m[0];
    assert_eq!(
        m.title,
        "`git fetch --all --prune` needs sandbox escalation in Codex (cannot write .git/FETCH_HEAD)"
    );
    assert!(m.title.chars().count() <= sk_extract::MAX_TITLE_CHARS);
    for line in [
        "Failed in Codex's sandbox: `git fetch --all --prune` (shell)",
        "Error: failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
        "Why: the sandbox does not let commands write .git/FETCH_HEAD.",
        "Fixed by: the same command, run with escalated sandbox permissions, passed (justification: Need to update the refs).",
        "Next time: run `git fetch` with escalated permissions (`with_escalated_permissions: true`, or `sandbox_permissions: \"require_escalated\"`, with a justification) rather than in the sandbox first.",
    ] {
        assert!(m.body.contains(line), "missing {line:?} in:\n{}", m.body);
    }
    for cue in [
        "rule:failure-fix",
        "match:escalated-retry",
        "sandbox:git",
        "justified",
    ] {
        assert!(has_cue(m, cue), "missing cue {cue}: {:?}", m.cues);
    }
    assert!(m.tags.iter().any(|t| t == "sandbox-escalation"), "{:?}", m.tags);
    // 0.60 + 0.05 (names the path) + 0.05 (justified): shown by default.
    assert!((m.confidence - 0.70).abs() < 1e-4, "{}", m.confidence);
    assert!(f64::from(m.confidence) >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE);
    // The evidence names both calls and both results.
    assert_eq!(m.evidence.len(), 4);
}

#[test]
fn one_program_refused_the_same_way_twice_is_one_lesson() {
    let mut s = Session::new();
    s.prompt("commit the game files");
    for command in ["git add app.js styles.css", "git restore --source HEAD -- app.js"] {
        s.tool(
            "shell",
            command,
            &[],
            false,
            "fatal: Unable to write index: Operation not permitted",
        )
        .tool(
            "shell",
            &escalated(command, Some("git writes .git")),
            &[],
            true,
            "",
        );
    }
    // Another program refused the same way is another lesson.
    s.tool(
        "shell",
        "npm ci",
        &[],
        false,
        "npm ERR! EPERM: operation not permitted",
    )
    .tool(
        "shell",
        &escalated("npm ci", None),
        &[],
        true,
        "added 12 packages",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 2, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "`git` needs sandbox escalation in Codex (operation not permitted)"
    );
    assert!(
        m[0].body.contains(
            "Also refused the same way, and passed escalated: `git restore --source HEAD -- app.js`."
        ),
        "{}",
        m[0].body
    );
    assert_eq!(m[0].evidence.len(), 8, "both occurrences are its evidence");
    // The lesson's key, by which other sessions' occurrences join the same entry.
    assert!(
        has_cue(&m[0], "lesson:escalation:git | operation not permitted"),
        "{:?}",
        m[0].cues
    );
    assert!(m[1].title.starts_with("`npm ci`"), "{}", m[1].title);
}

#[test]
fn a_lock_file_and_the_network_say_why_in_the_title() {
    let mut s = Session::new();
    s.tool(
        "shell",
        ".specify/scripts/bash/create-new-feature.sh --json --number 3",
        &[],
        false,
        "exit code 128\nfatal: cannot lock ref 'refs/heads/003-x': Unable to create '/work/app/.git/refs/heads/003-x.lock': Operation not permitted",
    )
    .tool(
        "shell",
        &escalated(".specify/scripts/bash/create-new-feature.sh --json --number 3", None),
        &[],
        true,
        "{\"BRANCH_NAME\":\"003-x\"}",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(m[0].title.starts_with("`create-new-feature.sh"), "{}", m[0].title);
    assert!(
        m[0].title
            .ends_with("needs sandbox escalation in Codex (cannot create a .git lock file)"),
        "{}",
        m[0].title
    );
    has(
        &m[0].body,
        "Fixed by: the same command, run with escalated sandbox permissions, passed.\n",
    );
    has(
        &m[0].body,
        "Error: fatal: cannot lock ref 'refs/heads/003-x': Unable to create '.git/refs/heads/003-x.lock': Operation not permitted\n",
    );
    has(
        &m[0].body,
        "Next time: run `create-new-feature.sh` with escalated permissions",
    );
    assert!(!has_cue(&m[0], "justified"));

    let mut s = Session::new();
    s.tool(
        "shell_command",
        "pnpm run db:migrate",
        &[],
        false,
        "exit code 1\nDrizzleQueryError: Failed query\n  cause: Error: getaddrinfo ENOTFOUND db.internal.example\n",
    )
    .answer("The sandbox blocks the network; running it again with network access.")
    .tool(
        "shell_command",
        &escalated("pnpm run db:migrate", Some("needs network access to reach the database")),
        &[],
        true,
        "migrations applied",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "`pnpm run db:migrate` needs sandbox escalation in Codex (no network: host not resolved)"
    );
    has(&m[0].title, "(no network");
    has(
        &m[0].body,
        "Error: cause: Error: getaddrinfo ENOTFOUND db.internal.example\n",
    );
    has(
        &m[0].body,
        "Why: the sandbox has no network access, so host names do not resolve.",
    );
    has(&m[0].body, "Next time: run `pnpm run db:migrate` with");
    assert!(
        m[0].title.chars().count() <= sk_extract::MAX_TITLE_CHARS,
        "{}",
        m[0].title
    );
}

#[test]
fn the_same_command_passing_without_escalation_still_teaches_nothing() {
    let mut s = Session::new();
    s.tool(
        "shell",
        "git fetch --all",
        &[],
        false,
        "failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
    )
    .tool("shell", "git fetch --all", &[], true, "From github.com:o/r");
    assert!(mistakes(&s).is_empty(), "{}", show(&mistakes(&s)));
}

#[test]
fn an_escalated_pass_after_another_kind_of_failure_is_not_a_sandbox_lesson() {
    // A test run that failed, then passed escalated with nothing changed: the error says
    // nothing about the sandbox, so this is the flaky retry it was before.
    let mut s = Session::new();
    s.tool(
        "shell",
        "npm test",
        &[],
        false,
        "exit code 1\nTests: 1 failed, 9 passed",
    )
    .tool(
        "shell",
        &escalated("npm test", Some("run the tests")),
        &[],
        true,
        "Tests: 10 passed",
    );
    let m = mistakes(&s);
    assert!(
        m.iter().all(|c| !has_cue(c, "match:escalated-retry")),
        "{}",
        show(&m)
    );
    assert!(m.is_empty(), "{}", show(&m));
}

#[test]
fn a_failure_already_escalated_is_not_fixed_by_escalating() {
    let mut s = Session::new();
    s.tool(
        "shell",
        &escalated("git push origin main", Some("push")),
        &[],
        false,
        "ssh: Could not resolve hostname github.com",
    )
    .tool(
        "shell",
        &escalated("git push origin main", Some("push")),
        &[],
        true,
        "ok",
    );
    let m = mistakes(&s);
    assert!(
        m.iter().all(|c| !has_cue(c, "match:escalated-retry")),
        "{}",
        show(&m)
    );
}

#[test]
fn another_command_passing_escalated_does_not_close_the_failure() {
    let mut s = Session::new();
    s.tool(
        "shell",
        "git fetch --all",
        &[],
        false,
        "failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
    )
    .tool("shell", &escalated("git status", None), &[], true, "clean");
    let m = mistakes(&s);
    assert!(
        m.iter().all(|c| !has_cue(c, "match:escalated-retry")),
        "{}",
        show(&m)
    );
}

/// Asserts that `text` holds `part`, showing the whole text when it does not.
fn has(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}
