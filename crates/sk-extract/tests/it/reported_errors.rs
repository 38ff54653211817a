//! Errors the user pastes (a CI log, a browser console, "there was an error: …") and the
//! agent then fixes.

use sk_core::Agent;
use sk_core::knowledge::SHOWN_MIN_CONFIDENCE;
use sk_extract::Candidate;

use crate::support::{Session, has_cue, show};

fn reported(s: &Session) -> Vec<Candidate> {
    s.extract_as(Agent::Claude)
        .into_iter()
        .filter(|c| has_cue(c, "rule:reported-error"))
        .collect()
}

fn shown(c: &Candidate) -> bool {
    f64::from(c.confidence) >= SHOWN_MIN_CONFIDENCE
}

#[test]
fn an_error_pasted_in_the_first_prompt_and_fixed_by_an_edit_is_a_lesson() {
    let mut s = Session::new();
    s.prompt("There was an error during the homebrew step: \"Error: invalid option: --no-lock\"")
        .tool(
            "Grep",
            "brew.*--no-lock",
            &[],
            true,
            "install/homebrew.sh:50: brew bundle --no-lock",
        )
        .answer("The `--no-lock` option was removed from newer Homebrew versions.")
        .edit(
            "/work/app/install/homebrew.sh",
            "brew bundle --no-lock",
            "brew bundle",
        )
        .answer("Removed the deprecated --no-lock option from install/homebrew.sh.")
        .prompt("Great, now add a README section about the install script");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert_eq!(
        c.title,
        "Error: invalid option: --no-lock: fixed by editing install/homebrew.sh"
    );
    assert!(
        c.body.starts_with("The user reported this error:\n"),
        "{}",
        c.body
    );
    assert!(
        c.body
            .contains("First change, in install/homebrew.sh: - brew bundle --no-lock + brew bundle"),
        "{}",
        c.body
    );
    assert!(
        c.body
            .contains("The agent said: The `--no-lock` option was removed"),
        "{}",
        c.body
    );
    assert!(
        c.files.contains(&"install/homebrew.sh".to_string()),
        "{:?}",
        c.files
    );
    // Specific error, fix held: shown by default.
    assert!(shown(c), "{}", c.confidence);
}

#[test]
fn a_pasted_test_failure_is_named_by_the_exception_it_hit() {
    let mut s = Session::new();
    s.prompt("Add a headless smoke test for the main window")
        .answer("Added tests/test_gui_import.py.")
        .prompt(
            "Run python -m pytest -q\n..F...\n=== FAILURES ===\n___ test_import_main_window ___\n\
             E   ImportError: libEGL.so.1: cannot open shared object file: No such file or directory\n\
             FAILED tests/test_gui_import.py::test_import_main_window - ImportError: libEGL.so.1\n\
             Error: Process completed with exit code 1.",
        )
        .edit(
            "/work/app/app/ui/dialog.py",
            "from PySide6.QtWidgets import QDialog",
            "from ._qt_compat import QDialog",
        )
        .answer("Routed the dialog's Qt import through the headless-safe stubs.")
        .prompt("CI is green now, thanks");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(
        found[0]
            .title
            .starts_with("ImportError: libEGL.so.1: cannot open shared object file"),
        "{}",
        found[0].title
    );
    assert!(
        found[0].title.ends_with("fixed by editing app/ui/dialog.py"),
        "{}",
        found[0].title
    );
}

#[test]
fn talk_about_errors_instructions_and_explanations_are_not_reported_errors() {
    let mut s = Session::new();
    // A task about error handling.
    s.prompt("Add error handling to the upload form")
        .edit(
            "/work/app/upload.js",
            "send()",
            "try { send() } catch (e) { show(e) }",
        )
        .answer("Done.")
        // An instruction that quotes the error to print.
        .prompt("If the spec file is missing, respond with `Error: spec file not found` and stop")
        .edit("/work/app/run.js", "load()", "load() || fail()")
        .answer("Done.")
        // A pasted error the agent only explains: no fix that can be stated.
        .prompt("I get this: TypeError: x.map is not a function")
        .answer("That means `x` is not an array when the page loads; it is fetched later.")
        .prompt("ok");
    let found = reported(&s);
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn the_same_error_reported_again_means_the_fix_did_not_hold() {
    let mut s = Session::new();
    s.prompt("Fix this: Uncaught TypeError: d3.easeElastic.out is not a function")
        .edit("/work/app/chart.js", "d3.easeElastic.out(1)", "d3.easeElastic(1)")
        .answer("Changed the easing call.")
        .prompt("Still: Uncaught TypeError: d3.easeElastic.out is not a function")
        .edit(
            "/work/app/chart.js",
            "d3.easeElastic(1)",
            "d3.easeElastic.period(0.3)",
        )
        .answer("Used period(), which D3 v7 has.")
        .prompt("works now");
    // One lesson, told by the fix that held; it recurred, so it is shown.
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert!(c.body.contains("d3.easeElastic.period(0.3)"), "{}", c.body);
    assert!(!c.body.contains("+ d3.easeElastic(1)"), "{}", c.body);
    assert!(!has_cue(c, "fix-did-not-hold"), "{:?}", c.cues);
    assert!(shown(c), "{}", c.confidence);

    // Alone, the attempt that did not hold stays under the threshold.
    let mut s = Session::new();
    s.prompt("Fix this: Uncaught TypeError: d3.easeElastic.out is not a function")
        .edit("/work/app/chart.js", "d3.easeElastic.out(1)", "d3.easeElastic(1)")
        .answer("Changed the easing call.")
        .prompt("Still: Uncaught TypeError: d3.easeElastic.out is not a function");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(has_cue(&found[0], "fix-did-not-hold"), "{:?}", found[0].cues);
    assert!(!shown(&found[0]), "{}", found[0].confidence);
}

#[test]
fn the_first_pasted_error_is_read_up_to_its_paragraph() {
    // Two logs pasted one after the other: the title and the quote are the first one's.
    let mut s = Session::new();
    s.prompt(
        "1. Fix this error:\n\nUncaught (in promise) TypeError: d3.easeElastic.out is not a function\n\
         \n2. Also the tests fail:\n\nE   ImportError: cannot import name 'init_workspace' from 'app.scaffold'\n\
         FAILED tests/test_cli.py::test_init - ImportError",
    )
    .edit("/work/app/chart.js", "d3.easeElastic.out(1)", "d3.easeElastic.period(0.3)")
    .answer("Fixed the easing call.")
    .prompt("thanks");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert!(
        c.title
            .starts_with("Uncaught (in promise) TypeError: d3.easeElastic.out"),
        "{}",
        c.title
    );
    assert!(!c.body.contains("init_workspace"), "{}", c.body);
}

#[test]
fn a_task_that_names_an_error_is_not_a_reported_error() {
    // The words a program prints, said in a sentence about what to build: no error was
    // pasted, and the agent's edit is the task done, not a fix.
    for said in [
        "Uncaught exceptions in the worker should be reported to Sentry with the job id",
        "Make the install script exit with code 2 instead of exit code 1 when the config is missing",
        "When git is missing, print a friendly hint instead of the shell's command not found message",
        "Handle a missing config gracefully instead of crashing with No such file or directory",
    ] {
        let mut s = Session::new();
        s.prompt("Set up the worker")
            .edit("/work/app/worker.js", "run()", "run(); report()")
            .answer("The worker is set up.")
            .prompt(said)
            .edit("/work/app/worker.js", "report()", "report(); hint()")
            .answer("Done.")
            .prompt("thanks");
        let found = reported(&s);
        assert!(found.is_empty(), "{said}: {}", show(&found));
    }
}

#[test]
fn the_user_saying_it_still_fails_means_the_fix_did_not_hold() {
    // The module's rule: the fix held unless the next prompt reports the same error or
    // says it still fails; most users say so without pasting the error again.
    for next in ["Still the same error", "It still fails on the page"] {
        let mut s = Session::new();
        s.prompt("Fix this: Uncaught TypeError: d3.easeElastic.out is not a function")
            .edit("/work/app/chart.js", "d3.easeElastic.out(1)", "d3.easeElastic(1)")
            .answer("Changed the easing call.")
            .prompt(next)
            .answer("Let me look again.");
        let found = reported(&s);
        assert_eq!(found.len(), 1, "{next}: {}", show(&found));
        assert!(
            has_cue(&found[0], "fix-did-not-hold"),
            "{next}: {:?}",
            found[0].cues
        );
        assert!(!shown(&found[0]), "{next}: {}", found[0].confidence);
    }
    // Moving on is no report.
    let mut s = Session::new();
    s.prompt("Fix this: Uncaught TypeError: d3.easeElastic.out is not a function")
        .edit("/work/app/chart.js", "d3.easeElastic.out(1)", "d3.easeElastic(1)")
        .answer("Changed the easing call.")
        .prompt("Works now, thanks. Next add a legend to the chart")
        .answer("Added.");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(!has_cue(&found[0], "fix-did-not-hold"), "{:?}", found[0].cues);
}

#[test]
fn a_fix_made_after_the_user_answered_the_agent_s_question_is_the_fix() {
    let wsl_error = "When I open a new terminal I see this\n\n/home/d/.fzf.zsh:7: command not found: fzf";
    let mut s = Session::new();
    s.prompt(wsl_error)
        .tool(
            "Read",
            "/home/d/.fzf.zsh",
            &["/home/d/.fzf.zsh"],
            true,
            "PATH=/Users/d/.fzf/bin",
        )
        .answer("Where is fzf installed on this machine?")
        .prompt("No, I have a ~/.fzf folder there, I thought that sets it up")
        .edit("/home/d/.fzf.zsh", "/Users/d/.fzf/bin", "$HOME/.fzf/bin")
        .answer("`.fzf.zsh` hardcoded the macOS home; it now uses $HOME.");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert_eq!(
        found[0].title,
        "`fzf`: command not found: fixed by editing /home/d/.fzf.zsh"
    );
    assert!(
        found[0]
            .body
            .contains("Asked, the user answered: No, I have a ~/.fzf folder there"),
        "{}",
        found[0].body
    );
    // The answer's turn is the report's fix: it is not a correction entry of its own too.
    let all = s.extract_as(Agent::Claude);
    assert_eq!(all.len(), 1, "{}", show(&all));

    // Only one turn further: two answers in a row without a change is no fix.
    let mut s = Session::new();
    s.prompt(wsl_error)
        .answer("Where is fzf installed on this machine?")
        .prompt("in ~/.fzf I think")
        .answer("Then check that ~/.fzf/bin is on your PATH.")
        .prompt("ok, thanks. Now add a README section")
        .edit("/home/d/README.md", "# dotfiles", "# dotfiles\n\n## Install");
    assert!(reported(&s).is_empty(), "{}", show(&reported(&s)));

    // A new error in the answer is its own report, not the first one's fix.
    let mut s = Session::new();
    s.prompt(wsl_error)
        .answer("Where is fzf installed on this machine?")
        .prompt("Now I also get this:\n\nError: GREP_OPTIONS is deprecated")
        .edit("/home/d/.zprofile", "export GREP_OPTIONS=--color", "");
    let found = reported(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(
        found[0].title.starts_with("Error: GREP_OPTIONS"),
        "{}",
        found[0].title
    );
}

#[test]
fn the_user_answering_with_another_task_is_not_the_fix() {
    let mut s = Session::new();
    s.prompt(
        "CI says this:\n\nError: Cannot find module 'left-pad'\n    at Function.Module._resolveFilename",
    )
    .tool(
        "Read",
        "/work/app/package.json",
        &["/work/app/package.json"],
        true,
        "{}",
    )
    .answer("Is CI running `npm ci` before the tests, or should I add the dependency?")
    .prompt("Never mind, CI is being replaced anyway. Please update the README title to 'Pad tools'.")
    .edit("/work/app/README.md", "# app", "# Pad tools");
    let found = reported(&s);
    assert!(found.is_empty(), "{}", show(&found));
}
