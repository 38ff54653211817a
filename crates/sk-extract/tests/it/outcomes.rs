//! What counts as a failed call and as getting past it, beyond the outcome the log
//! recorded: a shell refusing the command line, and a retry that got past what kept a
//! command from starting.

use sk_core::Agent;

use crate::support::{NO_USERNAME, Session, has_cue, mistakes_as, show};

/// The session's entry closed by getting past an error; panics showing what was found.
fn got_past(s: &Session) -> sk_extract::Candidate {
    let found = mistakes_as(s, Agent::Claude);
    found
        .iter()
        .find(|c| has_cue(c, "match:got-past-error"))
        .cloned()
        .unwrap_or_else(|| panic!("{}", show(&found)))
}

#[test]
fn a_shell_refusing_a_glob_is_a_failure_even_when_the_log_says_success() {
    // Claude Code reads the exit status 1 of zsh's "no matches found" as grep finding
    // nothing and records success; the quoted retry is the fix.
    let mut s = Session::new();
    s.prompt("find where complete is set")
        .bash(
            "grep -rn complete --include=*.py .",
            true,
            "(eval):1: no matches found: --include=*.py",
        )
        .bash(
            "grep -rn complete '--include=*.py' .",
            true,
            "src/plan.py:12: complete = True",
        );
    let found = mistakes_as(&s, Agent::Claude);
    assert!(
        found
            .iter()
            .any(|c| c.title.contains("zsh: no match for `--include=*.py`") && c.title.contains("quoted")),
        "{}",
        show(&found)
    );
    // The glob dropped instead of quoted is the fix as well, whatever else changed: the
    // shell refused a word, and the same program without it bare ran.
    let mut s = Session::new();
    s.prompt("find where complete is set")
        .bash(
            "grep -rn complete --include=*.py . | grep -v cache",
            true,
            "(eval):1: no matches found: --include=*.py",
        )
        .bash(
            "grep -rn complete src tests",
            true,
            "src/plan.py:12: complete = True",
        )
        .answer("Found it. The plan is incomplete because the loader never reads the second page.");
    let found = mistakes_as(&s, Agent::Claude);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert_eq!(
        found[0].title,
        "`grep -rn complete…` failed: zsh: no match for `--include=*.py`; passed without it"
    );
    assert!(
        has_cue(&found[0], "match:quoted-arguments"),
        "{:?}",
        found[0].cues
    );
    // The answer after the fix goes on with the task: its "because" is about the plan,
    // not the refused glob, and is no cause of this failure.
    assert!(
        !found[0].body.contains("in the agent's words"),
        "{}",
        found[0].body
    );
    // Another program afterwards is no fix of the refused grep.
    let mut s = Session::new();
    s.prompt("find where complete is set")
        .bash(
            "grep -rn complete --include=*.py .",
            true,
            "(eval):1: no matches found: --include=*.py",
        )
        .bash("rg -n complete src", true, "src/plan.py:12: complete = True");
    assert!(
        mistakes_as(&s, Agent::Claude)
            .iter()
            .all(|c| !c.title.contains("passed")),
        "{}",
        show(&mistakes_as(&s, Agent::Claude))
    );
    // A search that found nothing printed nothing: no failure.
    let mut s = Session::new();
    s.prompt("find where complete is set")
        .bash("grep -rn complete src", true, "")
        .bash("grep -rn 'complete' src", true, "src/plan.py:12: complete = True");
    assert!(mistakes_as(&s, Agent::Claude).is_empty());
}

#[test]
fn a_command_that_got_past_a_missing_module_after_a_change_closes_that_failure() {
    let mut s = Session::new();
    s.prompt("generate the import map")
        .bash(
            "pnpm exec payload generate:importmap",
            false,
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/w/src/collections/Articles' imported from /w/src/payload.config.ts",
        )
        .edit(
            "/work/app/src/payload.config.ts",
            "import { Articles } from './collections/Articles'",
            "import { Articles } from './collections/Articles.ts'",
        )
        .bash(
            "pnpm exec payload generate:importmap",
            false,
            "Error [ERR_REQUIRE_ASYNC_MODULE]: require() cannot be used on an ESM graph with top-level await",
        );
    let c = &got_past(&s);
    assert!(c.title.contains("ERR_MODULE_NOT_FOUND"), "{}", c.title);
    assert!(
        c.title.contains("fixed by editing src/payload.config.ts"),
        "{}",
        c.title
    );
    assert!(
        c.body
            .contains("got past that error (it failed next on: Error [ERR_REQUIRE_ASYNC_MODULE]"),
        "{}",
        c.body
    );

    // Nothing done in between, or a test run going from one failing test to the next:
    // no lesson from the change of error.
    let mut s = Session::new();
    s.prompt("generate the import map")
        .bash(
            "pnpm exec payload generate:importmap",
            false,
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/w/src/collections/Articles'",
        )
        .bash(
            "pnpm exec payload generate:importmap",
            false,
            "Error [ERR_REQUIRE_ASYNC_MODULE]: require() cannot be used on an ESM graph",
        );
    assert!(
        !mistakes_as(&s, Agent::Claude)
            .iter()
            .any(|c| has_cue(c, "match:got-past-error"))
    );
    let mut s = Session::new();
    s.prompt("fix the tests")
        .bash(
            "cargo test",
            false,
            "test tests::a ... FAILED\nfailures:\n    tests::a\ntest result: FAILED. 1 passed; 1 failed",
        )
        .edit("/work/app/src/a.rs", "1", "2")
        .bash(
            "cargo test",
            false,
            "test tests::b ... FAILED\nfailures:\n    tests::b\ntest result: FAILED. 1 passed; 1 failed",
        );
    assert!(
        !mistakes_as(&s, Agent::Claude)
            .iter()
            .any(|c| has_cue(c, "match:got-past-error"))
    );
}

#[test]
fn a_test_runner_run_again_with_an_environment_assignment_is_the_same_task() {
    let mut s = Session::new();
    s.prompt("run the tests")
        .bash(
            "pytest -q",
            false,
            "E   ModuleNotFoundError: No module named 'opk'\nERROR collecting tests/test_cli.py",
        )
        .tool(
            "Write",
            "/work/app/opk/__init__.py",
            &["/work/app/opk/__init__.py"],
            true,
            "File created",
        )
        .bash("PYTHONPATH=. pytest -q", true, "12 passed in 0.4s");
    let found = mistakes_as(&s, Agent::Claude);
    let c = found
        .iter()
        .find(|c| has_cue(c, "match:same-task"))
        .unwrap_or_else(|| panic!("{}", show(&found)));
    assert!(
        c.title.starts_with("`pytest -q` failed: ModuleNotFoundError"),
        "{}",
        c.title
    );
    assert!(
        c.body.contains("Then passed: `PYTHONPATH=. pytest -q`"),
        "{}",
        c.body
    );
}

#[test]
fn a_push_that_got_past_its_missing_credential_closes_that_failure() {
    // The push could not ask for a user name; with the token put in the remote's URL it
    // reached the server, which refused the commits for their content: the credential
    // was fixed, and the refusal is a failure of its own.
    let mut s = Session::new();
    s.prompt("push the branch")
        .bash(
            "cd /work/app && git push -u origin master",
            false,
            NO_USERNAME,
        )
        .bash(
            "cd /work/app && git remote set-url origin https://$(cat .github-token)@github.com/me/app.git 2>&1",
            true,
            "",
        )
        .bash(
            "cd /work/app && git push -u origin master",
            false,
            "Exit code 1\nremote: error: GH013: Repository rule violations found for refs/heads/master.\nremote: - GITHUB PUSH PROTECTION",
        );
    let past = got_past(&s);
    assert!(past.title.contains("could not read Username"), "{}", past.title);
    assert!(
        past.title.contains("fixed by `git remote set-url origin"),
        "{}",
        past.title
    );
}
