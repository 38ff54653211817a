//! Codex's `apply_patch` refusing a malformed patch (its parser's "invalid hunk at line N"),
//! then applying the same change resent well-formed: the lesson is the format rule the
//! agent broke, once per session however often it broke it. Stale context ("Failed to find
//! expected lines") is not a format slip (it is `stale_edit`'s), and slips never fixed
//! teach nothing.

use sk_core::{Agent, Category};
use sk_extract::Candidate;

use crate::support::{Session, show};

fn mistakes(s: &Session) -> Vec<Candidate> {
    s.extract_as(Agent::Codex)
        .into_iter()
        .filter(|c| c.category == Category::Mistake)
        .collect()
}

fn patch(body: &str) -> String {
    format!("apply_patch *** Begin Patch\n{body}\n*** End Patch")
}

const NOT_A_HEADER: &str = "invalid hunk at line 4, '' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'";

#[test]
fn added_files_with_unprefixed_lines_teach_the_rule_once() {
    let mut s = Session::new();
    s.prompt("write the research notes and the quickstart")
        .tool(
            "shell",
            &patch("*** Add File: specs/research.md\n+# Research\n\nOAuth first."),
            &[],
            false,
            NOT_A_HEADER,
        )
        .tool(
            "shell",
            &patch("*** Add File: specs/research.md\n+# Research\n+\n+OAuth first."),
            &[],
            true,
            "Success. Updated the following files:\nA specs/research.md",
        )
        // The same slip again on another file, fixed the same way: counted, not repeated.
        .tool(
            "shell",
            &patch("*** Add File: specs/quickstart.md\n+# Quickstart\n\nRun it."),
            &[],
            false,
            NOT_A_HEADER,
        )
        .tool(
            "shell",
            &patch("*** Add File: specs/quickstart.md\n+# Quickstart\n+\n+Run it."),
            &[],
            true,
            "Success. Updated the following files:\nA specs/quickstart.md",
        );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    let m = &m[0];
    assert_eq!(
        m.title,
        "`apply_patch`: in an `Add File` section start every line with `+`, blank lines too"
    );
    assert!(m.title.chars().count() <= sk_extract::MAX_TITLE_CHARS);
    for line in [
        "Failed: `apply_patch` adding `specs/research.md`",
        "Error: invalid hunk at line 4, '' is not a valid hunk header.",
        "Fixed by: the same patch resent with `+` before every line, blank ones included.",
        "The same slip happened 2 times in the session.",
    ] {
        assert!(m.body.contains(line), "missing {line:?} in:\n{}", m.body);
    }
    assert_eq!(m.files, ["specs/research.md"]);
    assert!(
        f64::from(m.confidence) >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE,
        "{}",
        m.confidence
    );
    assert!(
        m.cues.iter().any(|c| c == "patch:add-file-prefix"),
        "{:?}",
        m.cues
    );
    // Both calls and results of the first slip and its fix.
    assert_eq!(m.evidence.len(), 4);
}

#[test]
fn an_unprefixed_line_in_an_update_hunk_is_its_own_rule() {
    let mut s = Session::new();
    let bad = patch("*** Update File: plan.md\n@@\n-# Plan\n+# Plan: mail notifier\nios/ or android/");
    let good = patch("*** Update File: plan.md\n@@\n-# Plan\n+# Plan: mail notifier\n+ios/ or android/");
    s.prompt("fill in the plan")
        .tool("shell", &bad, &[], false, "invalid hunk at line 6, Expected update hunk to start with a @@ context marker, got: 'ios/ or android/'")
        .tool("shell", &good, &[], true, "Success. Updated the following files:\nM plan.md");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "`apply_patch`: in an `Update File` hunk start every line with a space, `-` or `+`"
    );
    assert!(
        m[0].body.contains("Failed: `apply_patch` updating `plan.md`"),
        "{}",
        m[0].body
    );
}

#[test]
fn a_patch_sent_again_is_not_a_revised_command() {
    // The parser points at a line that is well formed (its numbering differs from the
    // text's), so no slip is told; the patch that then applied is not a command whose
    // "arguments" (the file's text, with its tables' `|`) were revised.
    let mut s = Session::new();
    // Codex's argv form, as ingest writes it: the patch is one quoted argument.
    let quoted = |body: &str| format!("apply_patch '*** Begin Patch\n{body}\n*** End Patch'");
    let bad = quoted("*** Update File: plan.md\n@@\n-| a | b |\n+| a | c |\n ios/ or android/");
    let good = quoted("*** Update File: plan.md\n@@\n-| a | b |\n+| a | d |");
    s.prompt("fill in the plan")
        .tool("shell", &bad, &[], false, "invalid hunk at line 5, Expected update hunk to start with a @@ context marker, got: 'ios/ or android/'")
        .tool("shell", &good, &[], true, "Success. Updated the following files:\nM plan.md");
    let m = mistakes(&s);
    assert!(!m.iter().any(|c| c.title.contains("passed with")), "{}", show(&m));
}

#[test]
fn stale_context_is_no_format_rule_and_unfixed_slips_teach_nothing() {
    let mut s = Session::new();
    s.prompt("update the docs")
        // Stale context: the file changed under the agent; not a format rule.
        .tool(
            "shell",
            &patch("*** Update File: a.md\n@@\n-old line\n+new line"),
            &[],
            false,
            "apply_patch verification failed: Failed to find expected lines in a.md",
        )
        .tool(
            "shell",
            &patch("*** Update File: a.md\n@@\n-current line\n+new line"),
            &[],
            true,
            "Success.",
        )
        // A format slip never fixed in the session.
        .tool(
            "shell",
            &patch("*** Add File: b.md\n+# B\n\ntext"),
            &[],
            false,
            NOT_A_HEADER,
        )
        .answer("I'll leave b.md for later.");
    let m = mistakes(&s);
    assert!(
        !m.iter().any(|c| c.title.starts_with("`apply_patch`:")),
        "{}",
        show(&m)
    );
    assert!(!m.iter().any(|c| c.body.contains("b.md")), "{}", show(&m));
}
