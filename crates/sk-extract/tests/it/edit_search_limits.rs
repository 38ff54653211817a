//! What the stale-edit and empty-search lessons must not claim: a difference the file does
//! not have, a re-read of another file, a read taken for a write, a fix that overwrote what
//! the agent had not read, a search of another folder; and what extraction reads of
//! successful outputs stays within `TextNeeds` (output unchanged when unread texts are
//! blanked).

use sk_core::Agent;
use sk_extract::{SessionContext, extract};

use crate::support::{Session, as_loaded, mistakes_as, patch, patch_not_found, show};

// A line the file does hold is never reported as "what the file has instead".
#[test]
fn difference_is_not_invented_from_a_smaller_patch() {
    let mut s = Session::new();
    s.prompt("bump d")
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n const a = 1;\n const b = 2;\n const c = 3;\n-const d = 4;\n+const d = 5;\n const e = 6;"),
            &[],
            false,
            &patch_not_found("/work/app/app.js", "const a = 1;\nconst b = 2;\nconst c = 3;\nconst d = 4;\nconst e = 6;"),
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
    // The file holds both lines: the refused patch expected `const d = 4;` too.
    assert!(
        !m[0]
            .body
            .contains("the file has `const d = 4;` where the edit assumed `const a = 1;`"),
        "{}",
        m[0].body
    );
}

// A read of another file with the same name is not a re-read.
#[test]
fn reading_another_mod_rs_is_not_a_re_read() {
    let mut s = Session::new();
    s.prompt("fix the parser")
        .tool(
            "shell",
            &patch("*** Update File: src/parser/mod.rs\n@@\n-fn parse() {}\n+fn parse() -> u8 { 0 }"),
            &[],
            false,
            &patch_not_found("/work/app/src/parser/mod.rs", "fn parse() {}"),
        )
        .tool("shell", "sed -n '1,40p' src/lexer/mod.rs", &[], true, "…")
        .tool(
            "shell",
            &patch("*** Update File: src/parser/mod.rs\n@@\n-pub fn parse() {}\n+pub fn parse() -> u8 { 0 }"),
            &[],
            true,
            "Success. Updated the following files:\nM src/parser/mod.rs",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(!m[0].body.contains("src/lexer/mod.rs"), "{}", m[0].body);
}

// A read whose pattern holds `-> `, `=> `, `2> ` or `>>` is not a write from the shell.
#[test]
fn a_grep_for_an_arrow_is_not_a_change_from_the_shell() {
    for read in [
        "grep -n 'fn parse() -> ' src/lib.rs",
        "rg -n 'x => ' src/lib.rs",
        "cat src/lib.rs 2> /dev/null",
        "rg -n 'Vec<Vec<u8>>' src/lib.rs",
    ] {
        let mut s = Session::new();
        s.prompt("fix the parser")
            .tool(
                "shell",
                &patch("*** Update File: src/lib.rs\n@@\n-fn parse() {}\n+fn parse() -> u8 { 0 }"),
                &[],
                false,
                &patch_not_found("/work/app/src/lib.rs", "fn parse() {}"),
            )
            .tool("shell", read, &[], true, "12:pub fn parse() -> u8 {")
            .tool(
                "shell",
                &patch("*** Update File: src/lib.rs\n@@\n-pub fn parse() {}\n+pub fn parse() -> u8 { 0 }"),
                &[],
                true,
                "Success. Updated the following files:\nM src/lib.rs",
            );
        let m = mistakes_as(&s, Agent::Codex);
        assert_eq!(m.len(), 1, "{}", show(&m));
        assert!(
            !m[0].body.contains("changing the file from the shell"),
            "{read}: {}",
            m[0].body
        );
    }
}

// A successful `rg` found something, and its long output is unread: "exit code 1" in it
// says nothing (the `TextNeeds` contract).
#[test]
fn a_long_successful_rg_output_is_not_read() {
    let mut s = Session::new();
    s.prompt("where is the deploy note?")
        .tool(
            "shell",
            "rg deploy-note .",
            &[],
            true,
            "docs/ci.md:3: the deploy-note step fails with exit code 1 when the token is missing\n",
        )
        .tool("shell", "cat .github/deploy-note.md", &[], true, "…");
    let ctx = SessionContext {
        agent: Agent::Codex,
        session: "s",
        repo: None,
        cwd: Some("/work/app"),
    };
    let full = extract(&ctx, &s.records);
    let blanked = as_loaded(&s.records);
    // rg found the run (it exited 0): there is no hidden-folder lesson, and blanking must not matter.
    assert!(full.is_empty(), "{}", show(&full));
    assert_eq!(full, extract(&ctx, &blanked));
}

// A refusal papered over by `Write` is closed: a later edit is not its fix.
#[test]
fn a_write_over_a_refused_edit_closes_it_without_a_lesson() {
    let mut s = Session::new();
    s.prompt("extend the tests")
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
        .edit("/work/app/tests/t.rs", "fn new() {}", "fn newer() {}");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(m.is_empty(), "{}", show(&m));
}

// A `Grep` given a path (a hidden folder, or a sub-folder) did not search the working
// folder: it is not the search the lesson is about.
#[test]
fn a_grep_with_a_path_is_not_a_search_of_the_working_folder() {
    for call in [
        "zellij in src",
        "zellij in .config",
        "zellij in /elsewhere/app (*.kdl)",
    ] {
        let mut s = Session::new();
        s.prompt("turn off pane frames")
            .tool("Grep", call, &[], true, "No matches found")
            .tool(
                "Read",
                "/work/app/.config/zellij/config.kdl",
                &["/work/app/.config/zellij/config.kdl"],
                true,
                "x",
            );
        let out = s.extract_as(Agent::Claude);
        assert!(
            !out.iter().any(|c| c.tags.iter().any(|t| t == "hidden-files")),
            "{call}: {}",
            show(&out)
        );
    }
    // The working folder named as the path is the search the lesson is about.
    let mut s = Session::new();
    s.prompt("turn off pane frames")
        .tool(
            "Grep",
            "zellij in /work/app (*.kdl)",
            &[],
            true,
            "No matches found",
        )
        .tool(
            "Read",
            "/work/app/.config/zellij/config.kdl",
            &["/work/app/.config/zellij/config.kdl"],
            true,
            "x",
        );
    let out = s.extract_as(Agent::Claude);
    assert!(
        out.iter().any(|c| c.tags.iter().any(|t| t == "hidden-files")),
        "{}",
        show(&out)
    );
}

// A Claude Code `Edit` refused as not read, then the file overwritten from the shell: no
// lesson says it was fixed by `Read`.
#[test]
fn a_heredoc_over_an_unread_file_is_not_fixed_by_read() {
    let mut s = Session::new();
    s.prompt("update the notes")
        .tool(
            "Edit",
            "/work/app/notes.md\n- old\n+ new",
            &["/work/app/notes.md"],
            false,
            "File has not been read yet. Read it first before writing to it.",
        )
        .bash("cat > notes.md <<'EOF'\nnew\nEOF", true, "");
    let m = mistakes_as(&s, Agent::Claude);
    assert!(
        !m.iter().any(|c| c.body.contains("Fixed by: `Read` of the file")),
        "{}",
        show(&m)
    );
}

// The same contract for `Glob`: a successful result over 64 bytes is unread, even one
// that trims to "No files found".
#[test]
fn a_padded_glob_result_is_not_read() {
    let mut s = Session::new();
    s.prompt("where is the zellij config?")
        .tool(
            "Glob",
            "**/zellij*",
            &[],
            true,
            &format!("No files found{}", "\n".repeat(60)),
        )
        .tool(
            "Read",
            "/work/app/.config/zellij/config.kdl",
            &["/work/app/.config/zellij/config.kdl"],
            true,
            "x",
        );
    let ctx = SessionContext {
        agent: Agent::Claude,
        session: "s",
        repo: None,
        cwd: Some("/work/app"),
    };
    let blanked = as_loaded(&s.records);
    assert_eq!(extract(&ctx, &s.records), extract(&ctx, &blanked));
}
