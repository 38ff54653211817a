//! Where a command's own change is not the fix, and where a hidden pipeline did not fail:
//! inputs a review found wrong answers on (reading the script that failed, a `cd` to
//! the folder the shell was in, an install in between, an escalated retry with a `cd`,
//! start-up noise and `should_panic` output behind a pipe, a command substitution
//! before the program).

use sk_core::Agent;

use crate::support::{Session, as_loaded, has_cue, mistakes_as, mistakes_in, show};

/// Reading the script that failed (`cat x.py`) has its arguments but runs nothing: not
/// "passed with `cat`, not `python3`".
#[test]
fn reading_the_failed_script_is_not_another_program() {
    let mut s = Session::new();
    s.bash(
        "python3 scripts/report.py",
        false,
        "Exit code 1\nTraceback (most recent call last):\n  File \"scripts/report.py\", line 3\nValueError: bad input",
    )
    .bash("cat scripts/report.py", true, "import sys\nraise ValueError('bad input')");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(
        m.iter().all(|c| !has_cue(c, "match:other-program")),
        "{}",
        show(&m)
    );
}

/// Nor is `cat` put before a script that failed an interpreter.
#[test]
fn listing_the_failed_script_is_not_running_it_with_another_program() {
    let mut s = Session::new();
    s.bash(
        "./scripts/deploy.sh",
        false,
        "Exit code 1\nError: DEPLOY_TOKEN is not set",
    )
    .bash(
        "cat ./scripts/deploy.sh",
        true,
        "#!/bin/sh\n: \"${DEPLOY_TOKEN:?}\"",
    );
    let m = mistakes_as(&s, Agent::Claude);
    assert!(
        m.iter().all(|c| !has_cue(c, "match:other-program")),
        "{}",
        show(&m)
    );
}

/// A flaky failure retried with the usual `cd <project root> &&` prefix: Codex runs
/// every command in a fresh shell at the session's folder, so the folder did not change
/// and nothing was learned.
#[test]
fn a_cd_to_the_folder_it_already_ran_in_is_not_a_relocation() {
    let mut s = Session::new();
    s.tool(
        "shell",
        "npm test",
        &[],
        false,
        "Exit code 1\nTests: 1 failed, 40 passed\nFAIL src/net.test.ts",
    )
    .tool("shell", "cd /work/app && npm test", &[], true, "Tests: 41 passed");
    let m = mistakes_as(&s, Agent::Codex);
    assert!(m.is_empty(), "{}", show(&m));
}

/// A command run between the failure and the retry from another folder (`pip install`)
/// is the fix, not the folder.
#[test]
fn an_install_between_is_the_fix_not_the_folder() {
    let mut s = Session::new();
    s.bash(
        "pytest -q",
        false,
        "Exit code 2\nE   ModuleNotFoundError: No module named 'requests'",
    )
    .bash(
        "pip install requests",
        true,
        "Successfully installed requests-2.32.3",
    )
    .bash("cd /work/app && pytest -q", true, "3 passed");
    let m = mistakes_as(&s, Agent::Claude);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(!has_cue(&m[0], "match:other-folder"), "{}", show(&m));
    assert!(m[0].title.contains("pip install"), "{}", m[0].title);
}

/// A sandbox refusal retried escalated with a `cd` prefix is still the escalation lesson,
/// not a folder lesson.
#[test]
fn an_escalated_retry_with_a_cd_is_still_an_escalation() {
    let mut s = Session::new();
    s.tool(
        "shell",
        "git fetch --all --prune",
        &[],
        false,
        "failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
    )
    .tool(
        "shell",
        &sk_core::escalation::mark("cd /work/app && git fetch --all --prune", Some("refs")),
        &[],
        true,
        "Fetching origin",
    );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(has_cue(&m[0], "match:escalated-retry"), "{}", show(&m));
}

/// Start-up noise (`.zshrc: command not found: compdef`, printed before every command)
/// at the top of a hidden pipeline's successful output does not make it a failure.
#[test]
fn start_up_noise_does_not_make_a_hidden_pipeline_fail() {
    let mut s = Session::new();
    s.bash(
        "npm run build 2>&1 | head -20",
        true,
        "/home/u/.zshrc:12: command not found: compdef\n> app@1.0.0 build\n> vite build\nvite v5.2.0 building for production...\n✓ built in 2.10s",
    )
    .edit("/work/app/src/main.ts", "a", "b")
    .bash("npm run build", true, "built");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(m.is_empty(), "{}", show(&m));
    let m = mistakes_in(&as_loaded(&s.records), Agent::Claude, "/work/app");
    assert!(m.is_empty(), "{}", show(&m));
}

/// A passing run behind a pipe is not a failure although `--nocapture` prints a
/// `#[should_panic]` test's "panicked at".
#[test]
fn a_passing_test_run_behind_a_pipe_is_not_a_failure() {
    let mut s = Session::new();
    s.bash(
        "cargo test parse -- --nocapture 2>&1 | tail -20",
        true,
        "running 2 tests\nthread 'tests::rejects_empty' panicked at src/lib.rs:40:9:\nempty input\ntest tests::rejects_empty - should panic ... ok\ntest tests::parses ... ok\n\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out",
    )
    .edit("/work/app/src/lib.rs", "a", "b")
    .bash("cargo test parse", true, "test result: ok. 2 passed");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(m.is_empty(), "{}", show(&m));
}

/// `PID=$(lsof -ti:3000)` is not a `NAME=value` word a title may drop: the title never
/// starts inside the command substitution.
#[test]
fn a_title_does_not_start_inside_a_command_substitution() {
    let mut s = Session::new();
    s.bash(
        "PID=$(lsof -ti:3000) && kill -9 $PID",
        false,
        "Exit code 1\nkill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]",
    )
    .bash("npm run dev &", true, "started")
    .bash("PID=$(lsof -ti:3000) && kill -9 $PID", true, "");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(!m.is_empty());
    let m = mistakes_as(&s, Agent::Claude);
    assert!(m.iter().all(|c| !c.title.starts_with("`-ti")), "{}", show(&m));
}

const FLAKY: &str = "Exit code 1\nTests: 1 failed, 40 passed\nFAIL src/net.test.ts";

/// Claude Code moves its shell back into the project after a `cd` that left it: the
/// retry from the project root ran where the failure did.
#[test]
fn a_shell_reset_after_leaving_the_project_is_not_a_relocation() {
    let mut s = Session::new();
    s.bash(
        "cd /tmp && git clone https://github.com/o/r.git scratch",
        true,
        "Cloning into 'scratch'...\n\nShell cwd was reset to /work/app",
    )
    .bash("npm test", false, FLAKY)
    .bash("cd /work/app && npm test", true, "Tests: 41 passed");
    let m = mistakes_in(&s.records, Agent::Claude, "/work/app");
    assert!(m.is_empty(), "{}", show(&m));
}

/// The session's own Windows folder spelled with forward slashes is where it already was.
#[test]
fn a_windows_root_with_forward_slashes_is_not_a_relocation() {
    let mut s = Session::new();
    s.bash("npm test", false, FLAKY)
        .bash("cd C:/Users/me/app && npm test", true, "Tests: 41 passed");
    let m = mistakes_in(&s.records, Agent::Claude, "C:\\Users\\me\\app");
    assert!(m.is_empty(), "{}", show(&m));
}

/// A folder the shell computes is unknown: no lesson names it.
#[test]
fn a_cd_to_a_computed_folder_is_not_a_relocation() {
    let mut s = Session::new();
    s.bash("npm test", false, FLAKY).bash(
        "cd \"$(git rev-parse --show-toplevel)\" && npm test",
        true,
        "Tests: 41 passed",
    );
    let m = mistakes_in(&s.records, Agent::Claude, "/work/app");
    assert!(m.is_empty(), "{}", show(&m));
}

/// A search whose errors are thrown away (`2>/dev/null`) only looked: the folder is
/// still the fix.
#[test]
fn a_search_with_a_redirect_between_keeps_the_folder_lesson() {
    let mut s = Session::new();
    s.bash(
        "npm run build",
        false,
        "Exit code 1\nnpm error Missing script: \"build\"",
    )
    .bash(
        "find . -name package.json -not -path '*/node_modules/*' 2>/dev/null",
        true,
        "./web/package.json",
    )
    .bash("cd web && npm run build", true, "built in 2.1s");
    let m = mistakes_in(&s.records, Agent::Claude, "/work/app");
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(has_cue(&m[0], "match:other-folder"), "{}", show(&m));
}

/// npm 10 writes `npm error`, not `npm ERR!`.
#[test]
fn an_npm10_failure_behind_a_pipe_is_seen() {
    let npm10 = "npm error code ERESOLVE\nnpm error ERESOLVE unable to resolve dependency tree\nnpm error Could not resolve dependency:\nnpm error peer react@\"^18\" from some-lib@2.0.0\nnpm error Fix the upstream dependency conflict, or retry\nnpm error this command with --force or --legacy-peer-deps";
    let mut s = Session::new();
    s.bash("npm install 2>&1 | tail -20", true, npm10).bash(
        "npm install --legacy-peer-deps 2>&1 | tail -5",
        true,
        "added 812 packages in 21s",
    );
    let m = mistakes_in(&as_loaded(&s.records), Agent::Claude, "/work/app");
    assert_eq!(m.len(), 1, "{}", show(&m));
}

/// npm's "Could not read package.json" says the folder was wrong: not a file probe.
#[test]
fn npm_could_not_read_package_json_says_wrong_folder() {
    let mut s = Session::new();
    s.bash("cd /work/app && git status", true, "On branch main")
        .bash(
            "npm ci",
            false,
            "Exit code 254\nnpm error code ENOENT\nnpm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '/work/app/web/package.json'",
        )
        .bash("cd /work/app && npm ci", true, "added 812 packages in 21s");
    let m = mistakes_in(&s.records, Agent::Claude, "/work/app");
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        m[0].title.ends_with("; passed run from the project root"),
        "{}",
        m[0].title
    );
}
