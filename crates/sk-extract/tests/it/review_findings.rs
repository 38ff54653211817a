//! Defects a review found in session 18's change, each kept as the test that proved it:
//! a branch read as a file's stem, an interpreter taken for the program that needs
//! escalation, a path read as matched text, a stale file's cause told wrongly, and a keyed
//! lesson merging into a keyless near-duplicate.

use sk_core::{Agent, Category};
use sk_extract::Candidate;

use crate::support::{Session, mistakes_as, patch, patch_not_found, show};

fn hidden_lessons(s: &Session) -> Vec<Candidate> {
    s.extract_as(Agent::Codex)
        .into_iter()
        .filter(|c| c.category == Category::Mistake && c.cues.iter().any(|x| x == "match:hidden-search"))
        .collect()
}

/// A retry that changed the pattern's case must show the text as the first search would
/// have matched it. Here "mcp" appears only in the output's *file path*, which rg's
/// content search never matched: the lesson is the same misattribution the change meant
/// to stop.
#[test]
fn hidden_search_case_check_is_fooled_by_the_path() {
    let mut s = Session::new();
    s.prompt("where is the MCP server configured?")
        .tool("shell", "rg \"mcp\"", &[], false, "Exit code: 1\nOutput:\n")
        .tool(
            "shell",
            "rg \"MCP\" -g\"*\"",
            &[],
            true,
            "Exit code: 0\nOutput:\ndocs/mcp.md:3:Configure the MCP server",
        );
    let m = hidden_lessons(&s);
    assert!(m.is_empty(), "{}", show(&m));
}

/// `git push origin main` is rejected; `git pull --rebase origin main` is what fixed it.
/// An unrelated edit of src/main.rs in between now wins because the branch name `main`
/// is the stem of `main.rs`.
#[test]
fn stem_of_a_branch_name_is_not_a_file() {
    let mut s = Session::new();
    s.bash(
        "git push origin main",
        false,
        "To github.com:me/app.git\n ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs to 'github.com:me/app.git'\nhint: Updates were rejected because the remote contains work that you do\nhint: not have locally.",
    )
    .bash(
        "git pull --rebase origin main",
        true,
        "Successfully rebased and updated refs/heads/main.",
    )
    .edit("/work/app/src/main.rs", "let port = 80;", "let port = 8080;")
    .bash("git push origin main", true, "To github.com:me/app.git\n   1a2b3c..4d5e6f  main -> main");
    let m: Vec<Candidate> = s
        .extract()
        .into_iter()
        .filter(|c| c.category == Category::Mistake)
        .collect();
    assert!(
        m.iter()
            .all(|c| !c.title.contains("fixed by editing src/main.rs")),
        "{}",
        show(&m)
    );
}

fn escalated(command: &str, justification: Option<&str>) -> String {
    sk_core::escalation::mark(command, justification)
}

/// Two unrelated Python scripts refused the network are not one lesson "`python` needs
/// sandbox escalation": the interpreter is not what needs it.
#[test]
fn an_interpreter_is_not_the_lesson_s_program() {
    let mut s = Session::new();
    s.prompt("refresh the data and install the client");
    for (command, out) in [
        (
            "python scripts/fetch_prices.py",
            "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>",
        ),
        (
            "python -m pip install requests",
            "WARNING: Retrying ... Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/requests/",
        ),
    ] {
        s.tool("shell", command, &[], false, out).tool(
            "shell",
            &escalated(command, Some("needs network")),
            &[],
            true,
            "ok",
        );
    }
    let m = mistakes_as(&s, Agent::Codex);
    let esc: Vec<&Candidate> = m
        .iter()
        .filter(|c| c.tags.iter().any(|t| t == "sandbox-escalation"))
        .collect();
    assert!(
        esc.iter().all(|c| !c.title.starts_with("`python` needs")),
        "{}",
        show(&m)
    );
    assert!(
        esc.iter()
            .all(|c| !c.cues.iter().any(|q| q.starts_with("lesson:escalation:python |"))),
        "{}",
        show(&m)
    );
}

/// The agent changed app.js itself with `sed -i` (never reading it with a tool), then
/// patched it from the old text: "Why here" says the file was never read or changed and
/// its lines came from memory, when its own edit is the cause.
#[test]
fn a_shell_edit_is_an_own_edit_not_never_read() {
    let mut s = Session::new();
    s.prompt("bump d")
        .tool(
            "shell",
            "sed -i 's/const d = 4;/const d = 6;/' app.js",
            &[],
            true,
            "",
        )
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n const c = 3;\n-const d = 4;\n+const d = 5;"),
            &[],
            false,
            &patch_not_found("/work/app/app.js", "const d = 4;"),
        )
        .tool("shell", "cat app.js", &[], true, "const c = 3;\nconst d = 6;")
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n-const d = 6;\n+const d = 5;"),
            &[],
            true,
            "Success.",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        !m[0].body.contains("had not been read in the session"),
        "{}",
        m[0].body
    );
}

/// `ls -l app.js` after the agent's own patch does not read the file, yet it is recorded
/// as a read and hides the cause.
#[test]
fn listing_a_file_is_not_reading_it() {
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
        .tool(
            "shell",
            "ls -l app.js",
            &[],
            true,
            "-rw-r--r-- 1 u u 28 Jan 1 app.js",
        )
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n const c = 3;\n-const d = 4;\n+const d = 5;"),
            &[],
            false,
            &patch_not_found("/work/app/app.js", "const d = 4;"),
        )
        .tool(
            "shell",
            &patch("*** Update File: app.js\n@@\n-const d = 6;\n+const d = 5;"),
            &[],
            true,
            "Success.",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        m[0].body
            .contains("had been edited in the session since the agent last read it"),
        "{}",
        m[0].body
    );
}

/// The refused patch's context is the very line the agent's own earlier patch wrote
/// (`cargo fmt` reformatted it since): it was not "written against the text before that
/// change", yet the cause says so.
#[test]
fn own_edit_cause_when_the_context_is_the_edit_s_own_text() {
    let mut s = Session::new();
    s.prompt("make b take an argument, then format")
        .tool("shell", "sed -n '1,40p' src/lib.rs", &[], true, "fn a() {}\nfn b() {}")
        .tool(
            "shell",
            &patch("*** Update File: src/lib.rs\n@@\n-fn b() {}\n+fn b(x: u32) -> u32 { x }"),
            &[],
            true,
            "Success.",
        )
        .tool("shell", "cargo fmt", &[], true, "")
        .tool(
            "shell",
            &patch("*** Update File: src/lib.rs\n@@\n fn a() {}\n-fn b(x: u32) -> u32 { x }\n+fn b(x: u32) -> u32 { x + 1 }"),
            &[],
            false,
            &patch_not_found("/work/app/src/lib.rs", "fn a() {}\nfn b(x: u32) -> u32 { x }"),
        )
        .tool(
            "shell",
            &patch("*** Update File: src/lib.rs\n@@\n-fn b(x: u32) -> u32 {\n-    x\n-}\n+fn b(x: u32) -> u32 {\n+    x + 1\n+}"),
            &[],
            true,
            "Success.",
        );
    let m = mistakes_as(&s, Agent::Codex);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        !m[0].body.contains("written against the text before that change"),
        "{}",
        m[0].body
    );
}

/// An escalation entry stored before lesson keys (no `lesson:` cue) and a keyed candidate
/// of another program: a129d2c meant these apart ("npm ci merged into git's"), but the
/// key check needs both keys, so the near-duplicate path in sk-index still merges them.
#[test]
fn a_keyed_candidate_does_not_merge_into_a_keyless_entry_of_another_lesson() {
    let npm_cues: Vec<String> = [
        "rule:failure-fix",
        "match:escalated-retry",
        "sandbox:sandbox",
        "lesson:escalation:npm:operation not permitted",
    ]
    .map(String::from)
    .to_vec();
    let git_cues: Vec<String> = ["rule:failure-fix", "match:escalated-retry", "sandbox:sandbox"]
        .map(String::from)
        .to_vec();
    assert!(!sk_extract::may_merge(
        (
            "`npm ci` needs sandbox escalation in Codex (operation not permitted)",
            &npm_cues
        ),
        (
            "`git add app.js` needs sandbox escalation in Codex (operation not permitted)",
            &git_cues
        ),
    ));
}
