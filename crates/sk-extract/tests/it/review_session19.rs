//! Review of session 19's change (3f85172..57a0e3b): each test failed before its fix.

use sk_core::Agent;

use crate::support::{Session, corrections_as, has_cue, mistakes_as, show, vm_login_correction, why_line};

/// Claude's most common answer to a correction opens "You're absolutely right!", often
/// stacked ("Ah, you're right."): the acknowledgement regex only knew "You're right", so
/// the short opening was judged instead of the statement after it.
#[test]
fn r1_common_and_stacked_acknowledgements_are_read_past() {
    for opening in ["You're absolutely right!", "Ah, you're right."] {
        let answer = format!("{opening} The registry changes need a Windows reboot to kick in.");
        let found = corrections_as(&vm_login_correction(&[&answer]), Agent::Claude);
        assert_eq!(found.len(), 1, "{}", show(&found));
        assert_eq!(
            found[0].title,
            "The registry changes need a Windows reboot to kick in",
            "{opening}: {}",
            show(&found)
        );
    }
}

/// A got-past entry reads the agent's answers up to 8 records after the *new* failing
/// result: the agent's diagnosis of the new error is quoted as why the old one happened.
#[test]
fn r2_got_past_entry_does_not_quote_the_cause_of_the_next_error() {
    let mut s = Session::new();
    s.prompt("run the report")
        .bash(
            "python3 report.py",
            false,
            "Traceback (most recent call last):\n  File \"/work/app/report.py\", line 1, in <module>\n    import pandas\nModuleNotFoundError: No module named 'pandas'",
        )
        .bash("pip install pandas", true, "Successfully installed pandas-2.2.0")
        .bash(
            "python3 report.py",
            false,
            "Traceback (most recent call last):\n  File \"/work/app/report.py\", line 9, in <module>\n    total = rows + 1\nTypeError: can only concatenate list (not \"int\") to list",
        )
        .answer("The TypeError is caused by `load_rows` returning a list where the caller expects a count.");
    let found = mistakes_as(&s, Agent::Claude);
    let c = found
        .iter()
        .find(|c| has_cue(c, "match:got-past-error"))
        .unwrap_or_else(|| panic!("{}", show(&found)));
    assert!(c.title.contains("ModuleNotFoundError"), "{}", c.title);
    assert_eq!(why_line(&c.body), None, "{}", c.body);
}

/// `stated_cause` says "its own turn only: a human prompt ends it", but only prompts
/// after the passing call stop it: a failure left open across a later user request picks
/// up whatever the agent explained about that request.
#[test]
fn r3_cause_is_not_read_from_another_user_turn_before_the_fix() {
    let mut s = Session::new();
    s.prompt("run the linter")
        .bash(
            "npm run lint",
            false,
            "/work/app/src/a.ts\n  3:1  error  'x' is assigned a value but never used  no-unused-vars\n\n1 problem (1 error, 0 warnings)",
        )
        .prompt("forget the lint for now; why is the dashboard blank?")
        .answer("The dashboard is blank because the API base URL points at the staging host.")
        .edit("/work/app/src/config.ts", "staging", "prod")
        .prompt("ok now the lint")
        .edit("/work/app/src/a.ts", "const x = 1;", "")
        .bash("npm run lint", true, "");
    let found = mistakes_as(&s, Agent::Claude);
    let c = found
        .iter()
        .find(|c| has_cue(c, "rule:failure-fix"))
        .unwrap_or_else(|| panic!("{}", show(&found)));
    assert_eq!(why_line(&c.body), None, "{}", c.body);
}

/// pytest joined the task runners, and its "subcommand" is a path almost always: every
/// `pytest <file>` and `pytest --flag` has the key `pytest`. A run that executes no test
/// at all (`--collect-only`, `--version`) or another test file then "fixes" a failing run
/// with nothing changed (SameTask needs no change in between).
#[test]
fn r4_a_pytest_run_of_another_file_or_collect_only_is_no_fix() {
    for passing in ["pytest --collect-only -q", "pytest tests/test_other.py -q"] {
        let mut s = Session::new();
        s.prompt("run the parser tests")
            .bash(
                "pytest tests/test_parser.py -q",
                false,
                "F\n=================================== FAILURES ===================================\n___ test_parse ___\n    assert parse('1+') == None\nE   AssertionError: assert Node(1) == None\nFAILED tests/test_parser.py::test_parse - AssertionError\n1 failed in 0.10s",
            )
            .bash(passing, true, "3 passed in 0.05s");
        let found = mistakes_as(&s, Agent::Claude);
        assert!(
            !found.iter().any(|c| has_cue(c, "rule:failure-fix")),
            "{passing}: {}",
            show(&found)
        );
    }
}

/// `command_words` stops at the first flag and knows no `timeout` wrapper: the title of a
/// fixed failure names `timeout 120`, bare `python3` or bare `git` where it used to show
/// the command.
#[test]
fn r5_fixed_titles_name_the_command_not_its_wrapper_or_interpreter() {
    let mut bad = Vec::new();
    for (command, error, fix, want) in [
        (
            "timeout 120 npm test",
            "Error: Cannot find module 'vitest/config'\nRequire stack:\n- /work/app/vitest.config.ts",
            "npm install -D vitest",
            "npm test",
        ),
        (
            "python3 -m pytest tests/test_db.py",
            "ImportError while loading conftest '/work/app/tests/conftest.py'.\nModuleNotFoundError: No module named 'sqlalchemy'",
            "pip install sqlalchemy",
            "pytest",
        ),
        (
            "git -C /work/app/web push origin main",
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "gh auth setup-git",
            "push",
        ),
    ] {
        let mut s = Session::new();
        s.prompt("go on")
            .bash(command, false, error)
            .bash(fix, true, "done")
            .bash(command, true, "ok");
        let found = mistakes_as(&s, Agent::Claude);
        let Some(c) = found.iter().find(|c| has_cue(c, "rule:failure-fix")) else {
            bad.push(format!("{command}: no entry: {}", show(&found)));
            continue;
        };
        if !c.title.contains(want) {
            bad.push(format!("{command}: {}", c.title));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// A retry that "got past" an auth prompt only to fail authenticating another way did not
/// get anywhere: the entry teaches a fix (switching the remote to SSH) that did not work.
#[test]
fn r8_got_past_is_not_another_way_of_failing_the_same_step() {
    let mut s = Session::new();
    s.prompt("push the branch")
        .bash(
            "git push origin main",
            false,
            "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
        )
        .bash("git config --global url.\"git@github.com:\".insteadOf https://github.com/", true, "")
        .bash(
            "git push origin main",
            false,
            "git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.",
        );
    let found = mistakes_as(&s, Agent::Claude);
    assert!(
        !found.iter().any(|c| has_cue(c, "match:got-past-error")),
        "{}",
        show(&found)
    );
}
