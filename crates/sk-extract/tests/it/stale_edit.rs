//! Edits refused because the agent's picture of the file was not the file: Claude Code's
//! `Edit`/`Write` on a file not `Read` first, and a patch or `Edit` whose context is not
//! the file's current text. Each becomes one lesson per session, saying how the edit then
//! passed; a refusal never followed by a passing edit of the file teaches nothing.

use sk_core::Agent;
use sk_core::knowledge::SHOWN_MIN_CONFIDENCE;
use sk_extract::Candidate;

use crate::support::{Session, mistakes_as, patch, patch_not_found, show};

#[test]
fn stale_patches_teach_to_read_the_lines_again_and_say_what_the_file_held() {
    let mut s = Session::new();
    s.prompt("add the generate-profiles entry to the overview and fix the button")
        // The patch typed an ASCII hyphen; the file has U+2011.
        .tool(
            "shell",
            &patch("*** Update File: docs/overview.md\n@@\n- Tools: G-code Preview, Validate Hook Variables\n+- Tools: G-code Preview, Validate Hook Variables, Generate Profiles"),
            &[],
            false,
            &patch_not_found("/work/app/docs/overview.md", "- Tools: G-code Preview, Validate Hook Variables"),
        )
        .tool("shell", "sed -n '1,80p' docs/overview.md", &[], true, "…")
        .tool(
            "shell",
            &patch("*** Update File: docs/overview.md\n@@\n-- Tools: G\u{2011}code Preview, Validate Hook Variables\n+- Tools: G\u{2011}code Preview, Validate Hook Variables, Generate Profiles"),
            &[],
            true,
            "Success. Updated the following files:\nM docs/overview.md",
        )
        // A second file: a long patch refused, then a smaller one passes.
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n const a = 1;\n const b = 2;\n const c = 3;\n-const d = 4;\n+const d = 5;\n const e = 6;"),
            &[],
            false,
            &patch_not_found("/work/app/app.js", " const a = 1;"),
        )
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n-const d = 4;\n+const d = 5;"),
            &[],
            true,
            "Success. Updated the following files:\nM app.js",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    let m = &m[0];
    assert_eq!(
        m.title,
        "Re-read a file right before patching it: `apply_patch` fails on stale context"
    );
    assert!(m.title.chars().count() <= sk_extract::MAX_TITLE_CHARS);
    for line in [
        "Failed: `apply_patch` on `docs/overview.md`, `app.js`, refused 2 times in the session",
        "Error: apply_patch verification failed: Failed to find expected lines in docs/overview.md:",
        "Expected: `- Tools: G-code Preview, Validate Hook Variables`",
        "Here the file has `- Tools: G\u{2011}code Preview, Validate Hook Variables` where the edit assumed `- Tools: G-code Preview, Validate Hook Variables` (the file's dashes, quotes or spaces are not the plain ASCII ones).",
        "Fixed by: reading the lines again (`sed -n '1,80p' docs/overview.md`), then an edit with them as they are; or a smaller patch (2 hunk lines instead of 6).",
    ] {
        assert!(m.body.contains(line), "missing {line:?} in:\n{}", m.body);
    }
    assert_eq!(m.files, ["docs/overview.md", "app.js"]);
    assert!(
        f64::from(m.confidence) >= SHOWN_MIN_CONFIDENCE,
        "{}",
        m.confidence
    );
    assert!(m.tags.iter().any(|t| t == "stale-context"), "{:?}", m.tags);
    // Both refusals, the read is not evidence, both passing patches.
    assert_eq!(m.evidence.len(), 8);
}

#[test]
fn a_windows_path_in_the_error_is_the_patch_s_relative_file_and_a_rewrite_is_told() {
    let mut s = Session::new();
    s.prompt("fill in the spec")
        .tool(
            "shell",
            &patch("*** Update File: specs/001/spec.md\n@@\n-# Feature Specification: [FEATURE NAME]\n+# Feature Specification: Mail notifier"),
            &[],
            false,
            "apply_patch verification failed: Failed to find expected lines in C:\\project\\mail-agent\\specs/001/spec.md:\n# Feature Specification: [FEATURE NAME]",
        )
        // Deleted, then added whole.
        .tool(
            "shell",
            &patch("*** Delete File: specs/001/spec.md"),
            &[],
            true,
            "Success. Updated the following files:\nD specs/001/spec.md",
        );
    let ctx = sk_extract::SessionContext {
        agent: Agent::Codex,
        session: "s",
        repo: None,
        cwd: Some("C:\\project\\mail-agent"),
    };
    let m: Vec<Candidate> = sk_extract::extract(&ctx, &s.records);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "Re-read a file right before patching it: `apply_patch` fails on stale context"
    );
    assert!(
        m[0].body.contains("Fixed by: rewriting the whole file."),
        "{}",
        m[0].body
    );
    assert_eq!(m[0].files, ["specs/001/spec.md"]);
}

#[test]
fn a_change_made_from_the_shell_is_named_by_what_it_does() {
    let mut s = Session::new();
    s.prompt("update the constitution")
        .tool(
            "shell",
            &patch("*** Update File: memory/constitution.md\n@@\n-Compliance Reviews: yearly\n+Compliance Reviews: quarterly"),
            &[],
            false,
            &patch_not_found("memory/constitution.md", "Compliance Reviews: yearly"),
        )
        .tool(
            "shell",
            "pwsh -NoLogo -NoProfile -Command '$p = \"memory/constitution.md\"; (Get-Content -Raw $p) -replace \"yearly\", \"quarterly\" | Set-Content $p'",
            &[],
            true,
            "",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        m[0].body
            .contains("Fixed by: changing the file from the shell (`…"),
        "{}",
        m[0].body
    );
    assert!(m[0].body.contains("-replace"), "{}", m[0].body);
}

#[test]
fn edits_refused_on_files_not_read_teach_claude_code_s_rule_once() {
    let mut s = Session::new();
    s.prompt("add Stuart to every admin binding")
        .tool(
            "Edit",
            "/work/app/dev/01-auth.yaml\n- - kind: User\n+ - kind: User",
            &["/work/app/dev/01-auth.yaml"],
            false,
            "File has not been read yet. Read it first before writing to it.",
        )
        .tool(
            "Edit",
            "/work/app/prod/01-auth.yaml\n- - kind: User\n+ - kind: User",
            &["/work/app/prod/01-auth.yaml"],
            false,
            "File has not been read yet. Read it first before writing to it.",
        )
        .answer("Need to read them first.")
        .tool(
            "Read",
            "/work/app/dev/01-auth.yaml",
            &["/work/app/dev/01-auth.yaml"],
            true,
            "1\tkind: RoleBinding",
        )
        .tool(
            "Read",
            "/work/app/prod/01-auth.yaml",
            &["/work/app/prod/01-auth.yaml"],
            true,
            "1\tkind: RoleBinding",
        )
        .edit(
            "/work/app/dev/01-auth.yaml",
            "- kind: User",
            "- kind: User\n  name: stuart",
        )
        .edit(
            "/work/app/prod/01-auth.yaml",
            "- kind: User",
            "- kind: User\n  name: stuart",
        );
    let m = mistakes_as(&s, Agent::Claude);
    assert_eq!(m.len(), 1, "{}", show(&m));
    let m = &m[0];
    assert_eq!(
        m.title,
        "Claude Code's `Edit` and `Write` refuse a file not yet `Read` in the session: `Read` it first"
    );
    for line in [
        "Failed: `Edit` on `dev/01-auth.yaml`, `prod/01-auth.yaml`, refused 2 times in the session",
        "Error: File has not been read yet. Read it first before writing to it.",
        "Fixed by: `Read` of the file, then the same change.",
    ] {
        assert!(m.body.contains(line), "missing {line:?} in:\n{}", m.body);
    }
    assert!(
        f64::from(m.confidence) >= SHOWN_MIN_CONFIDENCE,
        "{}",
        m.confidence
    );
}

#[test]
fn refusals_never_fixed_or_papered_over_by_a_write_teach_nothing() {
    let mut s = Session::new();
    s.prompt("extend the tests")
        // Refused, then the whole file overwritten with `Write`: no fix to teach.
        .tool(
            "Edit",
            "/work/app/tests/t.rs\n- fn old() {}\n+ fn new() {}",
            &["/work/app/tests/t.rs"],
            false,
            "String to replace not found in file.\nString: fn old() {}",
        )
        .tool(
            "Write",
            "/work/app/tests/t.rs\nfn new() {}",
            &["/work/app/tests/t.rs"],
            true,
            "File created successfully",
        )
        // Refused and left alone.
        .tool(
            "shell",
            &patch("*** Update File: b.md\n@@\n-old\n+new"),
            &[],
            false,
            &patch_not_found("b.md", "old"),
        )
        .answer("I'll leave b.md as it is.");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(m.is_empty(), "{}", show(&m));
}

#[test]
fn only_a_call_that_looks_at_the_file_counts_as_reading_it_again() {
    let mut s = Session::new();
    s.prompt("fix the heading")
        .tool(
            "shell",
            &patch("*** Update File: docs/a.md\n@@\n-# Old heading\n+# New heading"),
            &[],
            false,
            &patch_not_found("docs/a.md", "# Old heading"),
        )
        // Names the file, but stages it: no reading.
        .tool("shell", "git add docs/a.md", &[], true, "")
        .tool(
            "shell",
            &patch("*** Update File: docs/a.md\n@@\n-Intro text\n+# New heading\n+Intro text"),
            &[],
            true,
            "Success. Updated the following files:\nM docs/a.md",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        m[0].body
            .contains("Fixed by: the edit sent again with other context."),
        "{}",
        m[0].body
    );
    assert!(!m[0].body.contains("Here the file has"), "{}", m[0].body);
    // Resent blind, with nothing found to say what differed: under the shown floor.
    assert!(
        f64::from(m[0].confidence) < SHOWN_MIN_CONFIDENCE,
        "{}",
        m[0].confidence
    );
}

#[test]
fn copilot_s_editor_refusal_is_stale_context_and_an_ambiguous_match_is_not() {
    let mut s = Session::new();
    s.prompt("rename the flag")
        .tool(
            "str_replace_editor",
            "str_replace /work/app/src/cli.ts\n- --dry\n+ --dry-run",
            &["/work/app/src/cli.ts"],
            false,
            "No replacement was performed, old_str `--dry` did not appear verbatim in /work/app/src/cli.ts.",
        )
        .tool(
            "view",
            "view /work/app/src/cli.ts",
            &["/work/app/src/cli.ts"],
            true,
            "1\tconst DRY = '--dry';",
        )
        .tool(
            "str_replace_editor",
            "str_replace /work/app/src/cli.ts\n- const DRY = '--dry';\n+ const DRY = '--dry-run';",
            &["/work/app/src/cli.ts"],
            true,
            "The file /work/app/src/cli.ts has been edited.",
        )
        // Found twice: a matter of more context, not of a stale view.
        .tool(
            "Edit",
            "/work/app/src/io.ts\n- return x;\n+ return y;",
            &["/work/app/src/io.ts"],
            false,
            "Found 2 matches of the string to replace, but replace_all is false.",
        )
        .edit("/work/app/src/io.ts", "  return x;\n}", "  return y;\n}");
    let m = mistakes_as(&s, Agent::Copilot);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "Re-read a file right before editing it: `str_replace_editor` fails on stale context"
    );
    assert!(
        m[0].body
            .contains("Fixed by: reading the lines again (`view`), then an edit with them as they are."),
        "{}",
        m[0].body
    );
}

#[test]
fn a_refusal_logged_before_its_own_call_is_read_after_it() {
    // Claude Code sometimes writes a tool's result line before the line of its call (a
    // sibling call was streaming): the refusal still belongs to that call.
    let mut s = Session::new();
    s.prompt("fix the parser")
        .tool(
            "Edit",
            "/work/app/src/parse.rs\n- let c = transpile(source);\n+ let c = transpile(&source);",
            &["/work/app/src/parse.rs"],
            false,
            "<tool_use_error>String to replace not found in file.\nString: let c = transpile(source);</tool_use_error>",
        )
        .tool("Read", "/work/app/src/parse.rs", &["/work/app/src/parse.rs"], true, "1\tfn main() {}")
        .edit("/work/app/src/parse.rs", "let c = transpile_to_c(source);", "let c = transpile_to_c(&source);");
    // The refused Edit's result first, then its call; offsets follow the file order.
    s.records.swap(1, 2);
    for (k, r) in s.records.iter_mut().enumerate() {
        r.offset = (k as u64 + 1) * 100;
    }
    let m = mistakes_as(&s, Agent::Claude);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "Re-read a file right before editing it: `Edit` fails on stale context"
    );
}

#[test]
fn a_stale_patch_says_why_the_file_differed_when_the_session_shows_it() {
    let refused = |file: &str| patch_not_found(&format!("/work/app/{file}"), "const d = 4;");
    let stale = |file: &str| {
        patch(&format!(
            "*** Update File: {file}\n@@\n const c = 3;\n-const d = 4;\n+const d = 5;"
        ))
    };
    let fresh = |file: &str| {
        patch(&format!(
            "*** Update File: {file}\n@@\n-const d = 6;\n+const d = 5;"
        ))
    };
    let body = |s: &Session| {
        let m = mistakes_as(s, Agent::Codex);
        assert_eq!(m.len(), 1, "{}", show(&m));
        m[0].body.clone()
    };

    // Read, then changed by the agent's own patch, then patched again from the old text.
    let mut s = Session::new();
    s.prompt("bump d")
        .tool(
            "shell",
            "sed -n '1,40p' app.js",
            &[],
            true,
            "const c = 3;\nconst d = 4;",
        )
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n-const d = 4;\n+const d = 6;"),
            &[],
            true,
            "Success.",
        )
        .tool("shell", &stale("app.js"), &[], false, &refused("app.js"))
        .tool("shell", &fresh("app.js"), &[], true, "Success.");
    let b = body(&s);
    assert!(
        b.contains("Why here: `app.js` had been edited in the session since the agent last read it"),
        "{b}"
    );

    // Never read nor changed before: the lines were guessed.
    let mut s = Session::new();
    s.prompt("bump d")
        .tool("shell", &stale("app.js"), &[], false, &refused("app.js"))
        .tool("shell", "cat app.js", &[], true, "const d = 6;")
        .tool("shell", &fresh("app.js"), &[], true, "Success.");
    let b = body(&s);
    assert!(
        b.contains("Why here: `app.js` had not been read in the session before the edit"),
        "{b}"
    );

    // Read and not changed by the agent since: the session does not say why.
    let mut s = Session::new();
    s.prompt("bump d")
        .tool("shell", "cat app.js", &[], true, "const d = 6;")
        .tool("shell", &stale("app.js"), &[], false, &refused("app.js"))
        .tool("shell", &fresh("app.js"), &[], true, "Success.");
    let b = body(&s);
    assert!(!b.contains("Why here"), "{b}");
}
