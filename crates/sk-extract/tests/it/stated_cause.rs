//! The agent's own words for why something failed, quoted in the entry (`cause`): what
//! turns "X failed; fixed by editing Y" into a lesson a reader understands alone.

use sk_core::Agent;

use crate::support::{Session, corrections_as, has_cue, mistakes_as, show, vm_login_correction, why_line};

const WHY: &str = "Why, in the agent's words: ";

#[test]
fn a_failure_fixed_by_an_edit_quotes_the_cause_the_agent_stated() {
    let mut s = Session::new();
    s.prompt("run the parser tests")
        .bash(
            "cargo test -p parser",
            false,
            "error[E0308]: mismatched types\n --> src/lexer.rs:40:9\nerror: could not compile `parser`",
        )
        .answer("Let me look at the lexer. I will check the signature first.")
        .answer("The problem was that `next_token` returns `Option<Token>` since the last change, but the caller still expects a bare `Token`.")
        .edit("/work/app/src/lexer.rs", "let t = next_token();", "let Some(t) = next_token() else { break };")
        .bash("cargo test -p parser", true, "test result: ok. 12 passed");
    let found = mistakes_as(&s, Agent::Claude);
    let c = found
        .iter()
        .find(|c| has_cue(c, "rule:failure-fix"))
        .unwrap_or_else(|| panic!("{}", show(&found)));
    assert!(has_cue(c, "cause-stated"), "{}", show(&found));
    assert_eq!(
        why_line(&c.body),
        Some(
            "The problem was that `next_token` returns `Option<Token>` since the last change, but the caller still expects a bare `Token`."
        ),
        "{}",
        c.body
    );
    // The cause comes right after the error: failed, why, then what fixed it.
    let error_at = c.body.find("Error: ").expect("error line");
    let why_at = c.body.find(WHY).expect("why line");
    let fixed_at = c.body.find("Fixed by: ").expect("fixed-by line");
    assert!(error_at < why_at && why_at < fixed_at, "{}", c.body);
}

#[test]
fn plans_announcements_and_a_later_turn_are_no_stated_cause() {
    let mut s = Session::new();
    s.prompt("run the parser tests")
        .bash(
            "cargo test -p parser",
            false,
            "error[E0308]: mismatched types\n --> src/lexer.rs:40:9",
        )
        .answer("I found the root cause of the failure. Let me fix this by using a match instead.")
        .edit(
            "/work/app/src/lexer.rs",
            "let t = next_token();",
            "let Some(t) = next_token() else { break };",
        )
        .bash("cargo test -p parser", true, "test result: ok. 12 passed")
        .prompt("now update the changelog")
        // Said after the human moved on: about the changelog, not the failure.
        .answer("The changelog was missing because the release script skips it.");
    let found = mistakes_as(&s, Agent::Claude);
    let c = found
        .iter()
        .find(|c| has_cue(c, "rule:failure-fix"))
        .unwrap_or_else(|| panic!("{}", show(&found)));
    assert!(!has_cue(c, "cause-stated"), "{}", show(&found));
    assert_eq!(why_line(&c.body), None, "{}", c.body);
}

#[test]
fn a_correction_quotes_the_cause_the_agent_stated_once() {
    let mut s = Session::new();
    s.prompt("add an inflation toggle to the chart")
        .edit("/work/app/chart.js", "draw(data)", "draw(adjust(data))")
        .answer("Added the toggle.")
        .prompt("that's wrong, the toggle doesn't change anything")
        .answer("The issue is that the handler is bound before render, so it reads the stale checkbox state.")
        .tool(
            "Read",
            "/work/app/chart.js",
            &["/work/app/chart.js"],
            true,
            "bind(); render();",
        )
        .answer("Rebinding the handler after render.")
        .edit("/work/app/chart.js", "bind(); render();", "render(); bind();")
        .answer("The toggle now redraws the chart.");
    let found = corrections_as(&s, Agent::Claude);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let body = &found[0].body;
    assert_eq!(
        why_line(body),
        Some("The issue is that the handler is bound before render, so it reads the stale checkbox state."),
        "{body}"
    );
    // Said in the answer right before the change, it is quoted there and not repeated.
    let mut s = Session::new();
    s.prompt("add an inflation toggle to the chart")
        .edit("/work/app/chart.js", "draw(data)", "draw(adjust(data))")
        .answer("Added the toggle.")
        .prompt("that's wrong, the toggle doesn't change anything")
        .answer("The issue is that the handler is bound before render, so it reads the stale checkbox state.")
        .edit("/work/app/chart.js", "bind(); render();", "render(); bind();");
    let found = corrections_as(&s, Agent::Claude);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let body = &found[0].body;
    assert_eq!(why_line(body), None, "{body}");
    assert_eq!(
        body.matches("the handler is bound before render").count(),
        1,
        "{body}"
    );
}

#[test]
fn a_correction_is_titled_by_what_the_agent_said_right_before_its_change() {
    // The first answer states something else; the one right before the change says why.
    let found = corrections_as(
        &vm_login_correction(&[
            "The registry changes need a Windows reboot to kick in.",
            "xfreerdp is prompting in the terminal since no username was specified.",
        ]),
        Agent::Claude,
    );
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert_eq!(
        found[0].title,
        // (Titles open with a capital, whatever the word.)
        "Xfreerdp is prompting in the terminal since no username was specified",
        "{}",
        show(&found)
    );

    // A status or a plan says nothing of what was wrong: the user's words stay the title.
    for answer in [
        "Container is running and Windows is up.",
        "Let me check the launcher script first.",
    ] {
        let found = corrections_as(&vm_login_correction(&[answer]), Agent::Claude);
        assert_eq!(found.len(), 1, "{}", show(&found));
        assert!(
            found[0].title.starts_with("Corrected by user: "),
            "{answer}: {}",
            show(&found)
        );
        assert!(!has_cue(&found[0], "restated-by-agent"), "{}", show(&found));
    }
}
