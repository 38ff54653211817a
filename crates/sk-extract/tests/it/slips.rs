//! Slips, repaired: source that did not parse, fixed by editing source, is a typo and not a
//! lesson for the next session; a parse error fixed in a manifest is one. A type error in
//! the agent's own edit stays, marked as its own slip.

use sk_core::Category;

use crate::support::{Session, show};

fn mistakes(s: &Session) -> Vec<sk_extract::Candidate> {
    s.extract()
        .into_iter()
        .filter(|c| c.category == Category::Mistake)
        .collect()
}

const PY_INDENT: &str = "Traceback (most recent call last):\n  File \"/work/app/app/cli.py\", line 12\n    return run(args)\nIndentationError: unexpected indent";

#[test]
fn an_indentation_error_in_a_file_the_agent_just_edited_is_not_kept() {
    let mut s = Session::new();
    s.edit(
        "/work/app/app/cli.py",
        "def main():\n    pass",
        "def main():\n        return run(args)",
    )
    .bash("cd /work/app && python -m pytest -q", false, PY_INDENT)
    .edit(
        "/work/app/app/cli.py",
        "        return run(args)",
        "    return run(args)",
    )
    .bash("cd /work/app && python -m pytest -q", true, "3 passed in 0.10s");
    let m = mistakes(&s);
    assert!(m.is_empty(), "{}", show(&m));
}

#[test]
fn a_type_error_in_the_agents_own_edit_is_kept_but_marked() {
    // Not a parse error: the message can teach something (an API misused), so the entry
    // stays, with the own-edit penalty.
    let mut s = Session::new();
    s.edit(
        "/work/app/app/cli.py",
        "def main():\n    pass",
        "def main():\n    return run(args, retries='3')",
    )
    .bash(
        "cd /work/app && python -m pytest -q",
        false,
        "E   TypeError: run() got an unexpected keyword argument 'retries'",
    )
    .edit("/work/app/app/cli.py", "run(args, retries='3')", "run(args)")
    .bash("cd /work/app && python -m pytest -q", true, "3 passed in 0.10s");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(m[0].cues.iter().any(|c| c == "fixes-own-edit"), "{:?}", m[0].cues);
}

#[test]
fn a_syntax_error_repaired_in_a_file_the_agent_never_touched_is_not_kept_either() {
    let mut s = Session::new();
    s.bash("cd /work/app && python -m pytest -q", false, PY_INDENT)
        .edit(
            "/work/app/app/cli.py",
            "        return run(args)",
            "    return run(args)",
        )
        .bash("cd /work/app && python -m pytest -q", true, "3 passed in 0.10s");
    let m = mistakes(&s);
    assert!(m.is_empty(), "{}", show(&m));
}

#[test]
fn a_syntax_error_fixed_in_a_manifest_is_a_lesson() {
    // The file parses in the right mode: the fix (declaring ES modules) is worth knowing.
    let mut s = Session::new();
    s.bash(
        "cd /work/app && node src/index.js",
        false,
        "/work/app/src/index.js:1\nimport { run } from './run.js';\n^^^^^^\nSyntaxError: Cannot use import statement outside a module",
    )
    .edit("/work/app/package.json", "\"name\": \"app\",", "\"name\": \"app\",\n  \"type\": \"module\",")
    .bash("cd /work/app && node src/index.js", true, "ok");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
}

#[test]
fn a_patch_applied_from_codexs_shell_is_an_edit() {
    // Codex edits files by running `apply_patch` in its shell: the repair is an edit of
    // the file the patch names, so the typo rule sees it as one.
    let patch = "apply_patch << 'PATCH'\n*** Begin Patch\n*** Update File: app/cli.py\n@@\n-        return run(args)\n+    return run(args)\n*** End Patch\nPATCH";
    let mut s = Session::new();
    s.tool(
        "shell",
        "cd /work/app && python -m pytest -q",
        &[],
        false,
        PY_INDENT,
    )
    .tool(
        "shell",
        patch,
        &[],
        true,
        "Success. Updated the following files:\nM app/cli.py",
    )
    .tool(
        "shell",
        "cd /work/app && python -m pytest -q",
        &[],
        true,
        "3 passed in 0.10s",
    );
    let m = mistakes(&s);
    assert!(m.is_empty(), "{}", show(&m));
}

#[test]
fn a_retry_passing_after_many_edits_does_not_claim_to_know_its_fix() {
    // Five files changed before the same test passed: naming one of them as "the fix"
    // is a guess, so the entry is marked and ranked below the floor.
    let failing =
        "Error: Invalid server environment variables: POSTGRES_URL expected string, received undefined";
    let mut few = Session::new();
    few.bash("cd /work/app && pnpm test:rbac", false, failing)
        .edit(
            "/work/app/src/lib/rbac.ts",
            "import { db } from './db'",
            "const db = () => import('./db')",
        )
        .bash("cd /work/app && pnpm test:rbac", true, "12 passed");
    let mut many = Session::new();
    many.bash("cd /work/app && pnpm test:rbac", false, failing);
    for f in [
        "docs/plan.md",
        "docs/notes.md",
        "drizzle/0003.sql",
        "src/lib/schema.ts",
        "src/lib/rbac.ts",
    ] {
        many.edit(&format!("/work/app/{f}"), "a", "b");
    }
    many.bash("cd /work/app && pnpm test:rbac", true, "12 passed");
    let clear = mistakes(&few);
    let unclear = mistakes(&many);
    assert_eq!(clear.len(), 1, "{}", show(&clear));
    assert_eq!(unclear.len(), 1, "{}", show(&unclear));
    assert!(
        !clear[0].cues.iter().any(|c| c == "fix-unclear"),
        "{:?}",
        clear[0].cues
    );
    assert!(
        unclear[0].cues.iter().any(|c| c == "fix-unclear"),
        "{:?}",
        unclear[0].cues
    );
    assert!(unclear[0].confidence < clear[0].confidence);
}
