//! Synthetic sessions with planted knowledge: failure→fix sequences, user corrections in
//! several languages, decision and pattern statements, summary sections. Each must give
//! the expected category, title and files; the noise planted beside them must give
//! nothing. The last test pools every expectation into a precision/recall figure.

use sk_core::Category;
use sk_extract::Candidate;

use crate::support::{Session, show};

fn only(cands: &[Candidate], category: Category) -> &Candidate {
    let of: Vec<&Candidate> = cands.iter().filter(|c| c.category == category).collect();
    assert_eq!(of.len(), 1, "expected one {category}:\n{}", show(cands));
    of[0]
}

/// A compiler error, an edit to the file it names, the same build passing.
pub fn compile_error_session() -> Session {
    let mut s = Session::new();
    s.prompt("Make the token expiry configurable")
        .answer("I'll add a field to the config.")
        .edit("/work/app/src/auth.rs", "expiry: Duration,", "expiry: Duration, expiry_secs: u64,")
        .bash(
            "cargo build",
            false,
            "exit code 101\n   Compiling app v0.1.0 (/work/app)\nerror[E0308]: mismatched types\n  --> src/auth.rs:42:9\n   |\n42 |     expiry_secs: \"3600\",\n   |                  ^^^^^^ expected `u64`, found `&str`\n\nerror: could not compile `app` (lib) due to 1 previous error",
        )
        .edit("/work/app/src/auth.rs", "expiry_secs: \"3600\",", "expiry_secs: 3600,")
        .bash("cargo build", true, "Finished `dev` profile [unoptimized + debuginfo] target(s) in 2.31s");
    s
}

#[test]
fn compiler_error_then_edit_then_passing_build() {
    let cands = compile_error_session().extract();
    let m = only(&cands, Category::Mistake);
    assert_eq!(
        m.title,
        "`cargo build` failed: mismatched types in src/auth.rs; fixed by editing src/auth.rs"
    );
    assert_eq!(m.files, vec!["src/auth.rs"]);
    assert!(m.body.contains("error[E0308]: mismatched types"), "{}", m.body);
    assert!(
        m.body
            .contains("In between: edited src/auth.rs (- expiry_secs: \"3600\", / + expiry_secs: 3600,)"),
        "{}",
        m.body
    );
    assert!(m.body.contains("Then passed: `cargo build`"), "{}", m.body);
    for cue in [
        "rule:failure-fix",
        "match:exact-retry",
        "edit-between",
        "edit-touches-error-file",
        "error:compile-error",
    ] {
        assert!(m.cues.iter().any(|c| c == cue), "missing cue {cue}: {:?}", m.cues);
    }
    // 0.45 retry after changes + 0.10 specific (compiler) error + 0.05 edit + 0.05 edit of
    // the named file − 0.10: the fix repairs the agent's own edit of that file.
    assert!(m.cues.contains(&"fixes-own-edit".to_string()), "{:?}", m.cues);
    assert_eq!(m.confidence, 0.55);
    assert!(
        m.tags.contains(&"rust".to_string()) && m.tags.contains(&"cargo".to_string()),
        "{:?}",
        m.tags
    );
    assert_eq!(m.evidence.len(), 4, "failed call+result, fixing call+result");
}

#[test]
fn failing_test_then_fix() {
    let mut s = Session::new();
    s.bash(
        "cd /work/app && cargo test -p auth 2>&1 | tail -n 30",
        false,
        "running 3 tests\ntest tests::login_accepts_valid ... ok\ntest tests::login_rejects_expired ... FAILED\n\nfailures:\n\n---- tests::login_rejects_expired stdout ----\n\nthread 'tests::login_rejects_expired' panicked at src/login.rs:88:9:\nassertion `left == right` failed\n  left: Ok(())\n right: Err(Expired)\n\ntest result: FAILED. 2 passed; 1 failed; 0 ignored",
    )
    .tool("Read", "/work/app/src/login.rs", &["/work/app/src/login.rs"], true, "fn check(now: u64, exp: u64) …")
    .edit("/work/app/src/login.rs", "if now > exp {", "if now >= exp {")
    .bash("cargo test -p auth", true, "test result: ok. 3 passed; 0 failed");
    let cands = s.extract();
    let m = only(&cands, Category::Mistake);
    assert_eq!(
        m.title,
        "`cargo test` failed: failing test tests::login_rejects_expired; fixed by editing src/login.rs"
    );
    assert!(m.files.contains(&"src/login.rs".to_string()), "{:?}", m.files);
    assert!(m.cues.contains(&"match:exact-retry".to_string()), "{:?}", m.cues);
    assert!(m.body.contains("edited src/login.rs"), "{}", m.body);
    // A named failing test is specific: shown by default.
    assert!(
        f64::from(m.confidence) >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE,
        "{}",
        m.confidence
    );
}

#[test]
fn the_file_a_script_names_is_the_fix_not_the_last_edit() {
    // `pnpm test:rbac` runs rbac.ts's tests; the error names neither edit, so the script's
    // name decides. A message's own words ("git config") name nothing: see the next test.
    let mut s = Session::new();
    s.bash(
        "pnpm test:rbac",
        false,
        "Error: Invalid server environment variables\n    at getServerEnv (/work/app/src/lib/env.ts:56:11)",
    )
    .edit(
        "/work/app/src/lib/rbac.ts",
        "import { db } from './db';",
        "const db = () => import('./db');",
    )
    .edit("/work/app/drizzle/0003_fix.sql", "NOT NULL", "NULL")
    .bash("pnpm test:rbac", true, "12 passed");
    let m = only(&s.extract(), Category::Mistake).clone();
    assert!(
        m.title.ends_with("fixed by editing src/lib/rbac.ts"),
        "{}",
        m.title
    );

    let mut s = Session::new();
    s.bash(
        "git remote -v",
        false,
        "fatal: detected dubious ownership in repository at '/work/app'\nTo add an exception for this directory, call:\n\tgit config --global --add safe.directory /work/app",
    )
    .bash("git config --global --add safe.directory /work/app", true, "")
    .edit("/work/app/config.yaml", "mode: explicit", "mode: auto")
    .bash("git remote -v", true, "origin https://example.com/app.git");
    let m = only(&s.extract(), Category::Mistake).clone();
    assert!(m.title.contains("fixed by `git config --global"), "{}", m.title);
}

#[test]
fn same_task_with_other_flags_counts_as_the_retry() {
    let mut s = Session::new();
    s.bash(
        "npm run build",
        false,
        "exit code 2\nsrc/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    )
    .edit(
        "/work/app/src/app.ts",
        "const n: number = \"1\"",
        "const n: number = 1",
    )
    .bash("npm run build -- --verbose", true, "built in 1.2s");
    let m = only(&s.extract(), Category::Mistake).clone();
    assert_eq!(
        m.title,
        "`npm run build` failed: Type 'string' is not assignable… in src/app.ts; fixed by editing src/app.ts"
    );
    assert!(m.cues.contains(&"match:same-task".to_string()));
    assert_eq!(m.files, vec!["src/app.ts"]);
}

#[test]
fn command_not_found_then_corrected_command() {
    let mut s = Session::new();
    s.bash(
        "pytest -q tests/test_api.py",
        false,
        "exit code 127\nbash: line 1: pytest: command not found",
    )
    .bash(
        "python3 -m pytest -q tests/test_api.py",
        true,
        "3 passed in 0.12s",
    );
    let cands = s.extract();
    let m = only(&cands, Category::Mistake);
    assert_eq!(
        m.title,
        "`pytest`: command not found; `python3 -m pytest -q tests/test_api.py` worked"
    );
    assert!(m.cues.contains(&"match:corrected-command".to_string()));
    assert!(
        m.body
            .contains("Then passed: `python3 -m pytest -q tests/test_api.py`"),
        "{}",
        m.body
    );
    assert!(
        m.files.contains(&"tests/test_api.py".to_string()) || m.files.is_empty(),
        "{:?}",
        m.files
    );
}

#[test]
fn traceback_then_install_then_passing_run() {
    let mut s = Session::new();
    s.bash(
        "python3 scripts/report.py",
        false,
        "Traceback (most recent call last):\n  File \"/work/app/scripts/report.py\", line 3, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'",
    )
    .bash("pip install pyyaml", true, "Successfully installed PyYAML-6.0.1")
    .bash("python3 scripts/report.py", true, "report written to out/report.html");
    let m = only(&s.extract(), Category::Mistake).clone();
    assert_eq!(
        m.title,
        "`python3 report.py` failed: ModuleNotFoundError: No module named…; fixed by `pip install pyyaml`"
    );
    assert!(
        m.body.contains("In between: ran `pip install pyyaml`"),
        "{}",
        m.body
    );
    assert_eq!(m.files, vec!["scripts/report.py"]);
    // 0.45 retry after changes + 0.10 specific error (an exception); nothing was edited.
    assert_eq!(m.confidence, 0.55);
}

#[test]
fn permission_denied_read_then_fixed() {
    let mut s = Session::new();
    s.tool(
        "view",
        "/work/app/notes.md",
        &["/work/app/notes.md"],
        false,
        "Permission denied: /work/app/notes.md",
    )
    .bash("chmod u+r notes.md", true, "")
    .tool(
        "view",
        "/work/app/notes.md",
        &["/work/app/notes.md"],
        true,
        "1. notes",
    );
    let m = only(&s.extract(), Category::Mistake).clone();
    assert_eq!(
        m.title,
        "Reading notes.md failed: permission denied; fixed by `chmod u+r notes.md`"
    );
    assert_eq!(m.files, vec!["notes.md"]);
    assert!(m.cues.contains(&"match:same-file".to_string()));
    assert!(m.body.contains("ran `chmod u+r notes.md`"), "{}", m.body);
}

#[test]
fn unfixed_informative_failures_are_kept_at_low_confidence_and_noise_is_not() {
    let mut s = Session::new();
    s.bash(
        "cargo clippy",
        false,
        "error: this `if` has identical blocks\n --> src/lib.rs:10:5\nexit code 101",
    )
    // A permission prompt the user never answered: the user's choice, not a lesson.
    .tool(
        "Write",
        "/work/app/a.md\n+ x",
        &["/work/app/a.md"],
        false,
        "Claude requested permissions to write to /work/app/a.md, but you haven't granted it yet.",
    )
    // Stale edit bookkeeping.
    .tool(
        "Edit",
        "/work/app/b.rs\n- x\n+ y",
        &["/work/app/b.rs"],
        false,
        "String to replace not found in file.",
    )
    // A read of a missing file is probing; creating it and reading again is sequencing.
    .tool(
        "Read",
        "/work/app/missing.txt",
        &["/work/app/missing.txt"],
        false,
        "File does not exist.",
    )
    .bash(
        "cat build.sh",
        false,
        "cat: build.sh: No such file or directory\nexit code 1",
    )
    .tool(
        "Write",
        "/work/app/build.sh\n+ #!/bin/sh",
        &["/work/app/build.sh"],
        true,
        "File created",
    )
    .bash("cat build.sh", true, "#!/bin/sh")
    // An announced failure.
    .answer("Now a command that must fail, to demonstrate error reporting.")
    .bash(
        "cat nope.txt",
        false,
        "cat: nope.txt: No such file or directory\nexit code 1",
    )
    // A failure with nothing to learn and no fix.
    .bash("false", false, "exit code 1");
    let cands = s.extract();
    assert_eq!(cands.len(), 1, "{}", show(&cands));
    let m = &cands[0];
    assert_eq!(
        m.title,
        "`cargo clippy` failed: this `if` has identical blocks in src/lib.rs"
    );
    assert!(m.confidence <= 0.4, "{}", m.confidence);
    assert!(m.tags.contains(&"unfixed".to_string()));
    assert!(m.body.contains("No later attempt passed"), "{}", m.body);
}

#[test]
fn repeated_failures_before_the_fix_raise_confidence_and_are_all_evidence() {
    let mut s = Session::new();
    s.bash(
        "make test",
        false,
        "FAILED tests/test_x.py::test_parse - AssertionError: 1 != 2\nexit code 2",
    )
    .edit("/work/app/x.py", "return 1", "return 3")
    .bash(
        "make test",
        false,
        "FAILED tests/test_x.py::test_parse - AssertionError: 3 != 2\nexit code 2",
    )
    .edit("/work/app/x.py", "return 3", "return 2")
    .bash("make test", true, "4 passed");
    let m = only(&s.extract(), Category::Mistake).clone();
    assert_eq!(
        m.title,
        "`make test` failed: failing test tests/test_x.py::test_parse; fixed by editing x.py"
    );
    assert_eq!(m.evidence.len(), 6);
    assert!(m.cues.contains(&"attempts:2".to_string()));
    assert!(m.body.contains("Failed 2 times"), "{}", m.body);
    // 0.45 retry after changes + 0.10 specific error (a named test) + 0.05 edit + 0.05 one
    // repeated failure (the edited x.py is not the test file the error names, so no bonus
    // for that).
    assert_eq!(m.confidence, 0.65);
}

/// A correction needs an agent action before it, and its context goes into the body.
pub fn corrections_session() -> Session {
    let mut s = Session::new();
    s.prompt("Add lodash to the web app")
        .bash("npm install lodash", true, "added 1 package")
        .prompt("No, don't use npm here — we use pnpm in this repo.")
        .edit("/work/app/src/auth.rs", "fn login()", "fn login(token: &str)")
        .prompt("That's wrong, you broke the login test. Revert the change to src/auth.rs.")
        .bash("npm install", true, "up to date")
        .prompt("Nein, benutze stattdessen pnpm install.")
        .bash("grep -rn TODO .", true, "src/a.rs:1: TODO")
        .prompt("Non, pas comme ça : utilise plutôt rg au lieu de grep.")
        .answer("He actualizado el puerto a 3000.")
        .prompt("No, eso está mal; el puerto debe ser 8080 en lugar de 3000.")
        .answer("Soll ich auch die Doku anpassen?")
        .prompt("Nein danke")
        .answer("Ich habe die Datei gelöscht.")
        .prompt("Nein, wir verwenden immer git rm, niemals rm.")
        .answer("Sure, I'll do that.")
        .prompt("Thanks, looks good!");
    s
}

#[test]
fn user_corrections_in_several_languages() {
    let cands = corrections_session().extract();
    let titles: Vec<(Category, &str)> = cands.iter().map(|c| (c.category, c.title.as_str())).collect();
    let expected = [
        (Category::Pattern, "Don't use npm here — we use pnpm in this repo"),
        (
            Category::Mistake,
            "User rejected the change to src/auth.rs: that's wrong, you broke the login test. Revert the change",
        ),
        (
            Category::Mistake,
            "Corrected by user: benutze stattdessen pnpm install",
        ),
        (
            Category::Mistake,
            "Corrected by user: pas comme ça : utilise plutôt rg au lieu de grep",
        ),
        (
            Category::Mistake,
            "User rejected the answer: eso está mal; el puerto debe ser 8080 en lugar de 3000",
        ),
        (Category::Pattern, "Wir verwenden immer git rm, niemals rm"),
    ];
    assert_eq!(titles, expected, "\n{}", show(&cands));
    let npm = &cands[0];
    assert!(
        npm.body
            .contains("After the agent ran a command:\nnpm install lodash"),
        "{}",
        npm.body
    );
    assert!(
        npm.cues.contains(&"mistake.en.no".to_string())
            && npm.cues.contains(&"pattern.en.we_use_here".to_string())
    );
    assert!(npm.tags.contains(&"npm".to_string()));
    assert_eq!(cands[1].files, vec!["src/auth.rs"]);
    assert!(
        cands.iter().all(|c| c.evidence.len() == 2),
        "the action and the prompt"
    );
}

#[test]
fn the_opening_prompt_is_a_task_not_a_correction() {
    let mut s = Session::new();
    s.prompt("Don't touch the generated files; fix the parser instead.");
    assert!(
        s.extract()
            .iter()
            .all(|c| !c.cues.contains(&"rule:user-correction".to_string())),
        "{}",
        show(&s.extract())
    );
}

pub fn statements_session() -> Session {
    let mut s = Session::new();
    s.prompt("Always run `cargo fmt` before committing. Set up the store.")
        .answer("We decided to store timestamps as UTC milliseconds because SQLite has no native datetime type. Let me write the migration.")
        .answer("The convention here is to keep integration tests under tests/it.")
        .prompt("Wir haben uns entschieden, SQLite statt Postgres zu verwenden, weil es lokal laufen muss.")
        .answer("On part sur le parseur en streaming parce que les logs font des centaines de Mo.")
        // Noise with cue words in it.
        .answer("I'll use ripgrep instead of grep because it is faster.")
        .answer("Let's check whether the convention holds. Never mind, found it.")
        .answer("The tests should pass now. Done.")
        .answer("Running tests...")
        .answer("No matches (expected — `notes.md` was never written).");
    s
}

/// A rule line inside a pasted template (a spec-kit command, a role-play setup) is not the
/// user's rule and gives no entry; the same kind of sentence said by a person does, and
/// its reason lifts it over the floor.
#[test]
fn statements_from_templates_give_nothing_and_reasons_raise_a_persons() {
    let template = "# Plan command\n\n## Rules\n\n- Always keep edits confined to the declared target file.\n\
                    - Read the spec first.\n- Write the plan.\n";
    let mut s = Session::new();
    s.prompt("Set up the repository.")
        .answer("Done.")
        .prompt(template)
        .answer("Understood.")
        .prompt("Always keep secrets in the .env file so we don't leak keys into git.");
    let cands = s.extract();
    let by_title = |needle: &str| {
        cands
            .iter()
            .find(|c| c.title.contains(needle))
            .unwrap_or_else(|| panic!("no {needle}: {}", show(&cands)))
    };
    assert!(
        !cands
            .iter()
            .any(|c| c.title.contains("confined to the declared target file")),
        "{}",
        show(&cands)
    );
    let reasoned = by_title("keep secrets in the .env file");
    assert!(
        reasoned.cues.iter().any(|c| c.starts_with("reason:")),
        "{:?}",
        reasoned.cues
    );
    assert!(f64::from(reasoned.confidence) >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE);
}

#[test]
fn decision_and_pattern_statements() {
    let cands = statements_session().extract();
    let titles: Vec<(Category, &str)> = cands.iter().map(|c| (c.category, c.title.as_str())).collect();
    assert_eq!(
        titles,
        vec![
            (Category::Pattern, "Always run `cargo fmt` before committing"),
            (
                Category::Decision,
                "We decided to store timestamps as UTC milliseconds because SQLite has no native datetime type"
            ),
            (
                Category::Pattern,
                "The convention here is to keep integration tests under tests/it"
            ),
            (
                Category::Decision,
                "Wir haben uns entschieden, SQLite statt Postgres zu verwenden, weil es lokal laufen muss"
            ),
            (
                Category::Decision,
                "On part sur le parseur en streaming parce que les logs font des centaines de Mo"
            ),
        ],
        "\n{}",
        show(&cands)
    );
    assert!(cands[0].body.ends_with("(stated by the user)"));
    assert!(
        cands[0].confidence > cands[2].confidence,
        "a human's word weighs more"
    );
}

pub fn summary_session() -> Session {
    let mut s = Session::new();
    s.summary(
        "work_done",
        "Work completed:\n- Fixed the flaky login test: the root cause was a timezone-dependent fixture in `tests/login.rs`\n- Refactored `src/db.rs` into `src/db/mod.rs` and `src/db/migrate.rs`\n- Added a new `sk brief` command that prints a token-budgeted briefing\n- Decided to use WAL mode instead of the rollback journal because readers must not block the writer\n- Use `cargo nextest run` to run the test suite faster\n- Found that the Copilot CLI writes events.jsonl lazily, so the last line can be partial\n- Let me look at the file\n- Done.\n- Running tests...\n- [x] Created notes.md with exactly two lines as requested\n- No errors occurred; no additional changes were made.",
    )
    .summary("next_steps", "- Add retries to the sync client\n- Fix the remaining flaky test in tests/sync.rs")
    .summary(
        "compact",
        "This session is being continued from a previous conversation that ran out of context.\n\nSummary:\n1. Primary Request and Intent:\n   - Always keep the fixtures byte-identical\n4. Errors and fixes:\n   - Intentional error (Step 7): reading `missing.txt` failed as expected. No fix needed.\n   - The build failed because `serde` lacked the derive feature; fixed by enabling it in Cargo.toml\n7. Pending Tasks:\n   - Fix the parser bug",
    )
    .task_summary("Implemented incremental ingest: the reader now resumes from the last consumed byte offset.");
    s
}

#[test]
fn summary_items_are_classified_and_noise_dropped() {
    // One record yields several items: they come in category order (mistake, pattern,
    // decision, tool, feature, refactor, discovery), then by title. "Added a new `sk brief`
    // command …" only reports work done, without saying how or where: a session fact, not
    // an entry.
    let cands = summary_session().extract();
    let got: Vec<(Category, &str, Vec<&str>)> = cands
        .iter()
        .map(|c| {
            (
                c.category,
                c.title.as_str(),
                c.files.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let expected: Vec<(Category, &str, Vec<&str>)> = vec![
        (
            Category::Mistake,
            "Fixed the flaky login test: the root cause was a timezone-dependent fixture in `tests/login.rs`",
            vec!["tests/login.rs"],
        ),
        (
            Category::Decision,
            "Decided to use WAL mode instead of the rollback journal because readers must not block the writer",
            vec![],
        ),
        (
            Category::Tool,
            "Use `cargo nextest run` to run the test suite faster",
            vec![],
        ),
        (
            Category::Refactor,
            "Refactored `src/db.rs` into `src/db/mod.rs` and `src/db/migrate.rs`",
            vec!["src/db.rs", "src/db/mod.rs", "src/db/migrate.rs"],
        ),
        (
            Category::Discovery,
            "Found that the Copilot CLI writes events.jsonl lazily, so the last line can be partial",
            vec!["events.jsonl"],
        ),
        (
            Category::Mistake,
            "The build failed because `serde` lacked the derive feature; fixed by enabling it in Cargo.toml",
            vec!["Cargo.toml"],
        ),
        (
            Category::Feature,
            "Implemented incremental ingest: the reader now resumes from the last consumed byte offset",
            vec![],
        ),
    ];
    assert_eq!(got, expected, "\n{}", show(&cands));
    let serde = &cands[5];
    assert!(
        serde
            .body
            .ends_with("(from the compact summary, under “Errors and fixes”)"),
        "{}",
        serde.body
    );
    assert!(serde.cues.contains(&"heading-bias".to_string()));
}

/// Chit-chat, narration, status lines and tool noise, with cue words sprinkled in: none of
/// it is knowledge.
pub fn noise_session() -> Session {
    let mut s = Session::new();
    s.prompt("Please tidy up the logging in the worker.")
        .answer("Sure, I'll do that.")
        .answer("Let me look at the file.")
        .tool(
            "Read",
            "/work/app/src/worker.rs",
            &["/work/app/src/worker.rs"],
            true,
            "fn run() { log::info!(\"start\"); }",
        )
        .answer("I'll now read notes.md and then fix the error handling.")
        .bash(
            "ls -la",
            true,
            "total 8\ndrwxr-xr-x 2 u u 4096 .\n-rw-r--r-- 1 u u 10 notes.md",
        )
        .answer("Running tests...")
        .bash(
            "cargo test",
            true,
            "running 12 tests\ntest result: ok. 12 passed; 0 failed",
        )
        .answer("Done.")
        .answer("Perfect—everything passes now, and the error messages are clearer.")
        .answer("Next, I will always double-check the output.")
        .answer("**Step 3:** Fixed.")
        .prompt("Great, thanks!")
        .answer("You're welcome! Let me know if you need anything else.")
        .task_summary("Tidied the worker logging.");
    s
}

#[test]
fn noise_gives_nothing() {
    let cands = noise_session().extract();
    assert!(cands.is_empty(), "{}", show(&cands));
}

/// Every planted expectation of this file, pooled: precision is the share of candidates
/// that match a planted (category, title), recall the share of planted ones found.
#[test]
fn synthetic_precision_and_recall() {
    let planted: Vec<(Session, Vec<(Category, &str)>)> = vec![
        (
            compile_error_session(),
            vec![(
                Category::Mistake,
                "`cargo build` failed: mismatched types in src/auth.rs; fixed by editing src/auth.rs",
            )],
        ),
        (
            corrections_session(),
            vec![
                (Category::Pattern, "Don't use npm here — we use pnpm in this repo"),
                (
                    Category::Mistake,
                    "User rejected the change to src/auth.rs: that's wrong, you broke the login test. Revert the change",
                ),
                (
                    Category::Mistake,
                    "Corrected by user: benutze stattdessen pnpm install",
                ),
                (
                    Category::Mistake,
                    "Corrected by user: pas comme ça : utilise plutôt rg au lieu de grep",
                ),
                (
                    Category::Mistake,
                    "User rejected the answer: eso está mal; el puerto debe ser 8080 en lugar de 3000",
                ),
                (Category::Pattern, "Wir verwenden immer git rm, niemals rm"),
            ],
        ),
        (
            statements_session(),
            vec![
                (Category::Pattern, "Always run `cargo fmt` before committing"),
                (
                    Category::Decision,
                    "We decided to store timestamps as UTC milliseconds because SQLite has no native datetime type",
                ),
                (
                    Category::Pattern,
                    "The convention here is to keep integration tests under tests/it",
                ),
                (
                    Category::Decision,
                    "Wir haben uns entschieden, SQLite statt Postgres zu verwenden, weil es lokal laufen muss",
                ),
                (
                    Category::Decision,
                    "On part sur le parseur en streaming parce que les logs font des centaines de Mo",
                ),
            ],
        ),
        (
            summary_session(),
            vec![
                (
                    Category::Mistake,
                    "Fixed the flaky login test: the root cause was a timezone-dependent fixture in `tests/login.rs`",
                ),
                (
                    Category::Decision,
                    "Decided to use WAL mode instead of the rollback journal because readers must not block the writer",
                ),
                (
                    Category::Tool,
                    "Use `cargo nextest run` to run the test suite faster",
                ),
                (
                    Category::Feature,
                    "Added a new `sk brief` command that prints a token-budgeted briefing",
                ),
                (
                    Category::Refactor,
                    "Refactored `src/db.rs` into `src/db/mod.rs` and `src/db/migrate.rs`",
                ),
                (
                    Category::Discovery,
                    "Found that the Copilot CLI writes events.jsonl lazily, so the last line can be partial",
                ),
                (
                    Category::Mistake,
                    "The build failed because `serde` lacked the derive feature; fixed by enabling it in Cargo.toml",
                ),
                (
                    Category::Feature,
                    "Implemented incremental ingest: the reader now resumes from the last consumed byte offset",
                ),
            ],
        ),
        (noise_session(), vec![]),
    ];
    let (mut found, mut true_positives, mut expected, mut recalled) = (0, 0, 0, 0);
    for (session, want) in &planted {
        let got = session.extract();
        found += got.len();
        expected += want.len();
        true_positives += got
            .iter()
            .filter(|c| want.contains(&(c.category, c.title.as_str())))
            .count();
        recalled += want
            .iter()
            .filter(|(cat, t)| got.iter().any(|c| c.category == *cat && c.title == *t))
            .count();
    }
    let precision = true_positives as f64 / found.max(1) as f64;
    let recall = recalled as f64 / expected.max(1) as f64;
    println!(
        "synthetic: {found} candidates, {expected} planted; precision {precision:.2}, recall {recall:.2}"
    );
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.2}, recall {recall:.2}"
    );
}

#[test]
fn the_same_call_passing_with_nothing_done_in_between_is_not_a_mistake() {
    let mut s = Session::new();
    s.bash(
        "git push origin main",
        false,
        "fatal: unable to access 'https://example.invalid/repo.git/': Could not resolve host\nexit code 128",
    )
    .answer("The network was blocked; retrying.")
    .bash("git push origin main", true, "main -> main");
    let cands = s.extract();
    assert!(
        cands.iter().all(|c| c.category != Category::Mistake),
        "{}",
        show(&cands)
    );
    // With a change in between, the same retry is a lesson.
    let mut fixed = Session::new();
    fixed
        .bash(
            "git push origin main",
            false,
            "fatal: unable to access 'https://example.invalid/repo.git/': Could not resolve host\nexit code 128",
        )
        .bash("git remote set-url origin git@example.invalid:repo.git", true, "")
        .bash("git push origin main", true, "main -> main");
    let m = only(&fixed.extract(), Category::Mistake).clone();
    assert!(m.body.contains("git remote set-url"), "{}", m.body);
}
