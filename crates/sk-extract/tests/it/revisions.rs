//! Failure → fix where the fix is the command itself, revised: the same program run again
//! with its arguments quoted, or with a flag or argument changed, right after the failure.
//! And what must stay out: a search retried with other words, a revision far from the
//! failure, the identical retry with nothing in between.

use sk_core::{Agent, Category};

use crate::support::{Session, has_cue, mistakes_as, show};

fn assert_cue(c: &sk_extract::Candidate, cue: &str) {
    assert!(has_cue(c, cue), "no {cue} in {:?}", c.cues);
}

/// That no mistake of `s` was closed as fixed by any matching rule.
fn assert_no_fix(s: &Session) {
    let m = mistakes(s);
    assert!(
        m.iter().all(|c| !c.cues.iter().any(|q| q.starts_with("match:"))),
        "{}",
        show(&m)
    );
}

fn mistakes(s: &Session) -> Vec<sk_extract::Candidate> {
    s.extract()
        .into_iter()
        .filter(|c| c.category == Category::Mistake)
        .collect()
}

#[test]
fn a_path_quoted_after_the_shell_took_it_for_a_glob_is_the_fix() {
    let mut s = Session::new();
    s.bash(
        "sed -n '1,80p' src/app/(auth)/page.tsx",
        false,
        "Exit code: 1\nzsh:1: no matches found: src/app/(auth)/page.tsx",
    )
    .bash(
        "sed -n '1,80p' 'src/app/(auth)/page.tsx'",
        true,
        "export default function Page() {}",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:quoted-arguments");
    assert!(m[0].title.ends_with("; passed once quoted"), "{}", m[0].title);
    assert!(
        m[0].title.contains("zsh: no match for `src/app/(auth)/page.tsx`"),
        "{}",
        m[0].title
    );
    assert!(
        m[0].body.contains("Why: zsh reads an unquoted word with `*`"),
        "{}",
        m[0].body
    );
    assert!(
        m[0].body
            .contains("Then passed: `sed -n '1,80p' 'src/app/(auth)/page.tsx'`"),
        "{}",
        m[0].body
    );
    // A specific message and a revision that states the fix: shown.
    assert!(m[0].confidence >= 0.55, "{}", m[0].confidence);
}

#[test]
fn a_changed_flag_of_the_same_program_is_the_fix() {
    let mut s = Session::new();
    s.bash(
        "cd /work/app && FOO=1 bundler build --target web src/main.ts",
        false,
        "Exit code: 1\nError: unknown option --target, did you mean --platform?",
    )
    .tool(
        "Read",
        "/work/app/package.json",
        &["/work/app/package.json"],
        true,
        "{}",
    )
    .bash(
        "cd /work/app && FOO=1 bundler build --platform web src/main.ts",
        true,
        "built dist/main.js",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:revised-arguments");
    assert!(
        m[0].title.ends_with("; passed with `--platform`, not `--target`"),
        "{}",
        m[0].title
    );
    assert!(m[0].confidence >= 0.55, "{}", m[0].confidence);
}

#[test]
fn an_unknown_flag_replaced_by_the_right_one_is_the_fix() {
    let mut s = Session::new();
    s.bash(
        "tool compact --purge-all",
        false,
        "Exit code 1\nError: unknown flag: --purge-all\nUsage:\n  tool compact [flags]",
    )
    .bash("tool compact --prune", true, "compacted 12 items");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:revised-arguments");
}

#[test]
fn a_search_retried_with_other_words_is_not_a_fix() {
    let mut s = Session::new();
    s.bash("grep -rn oldName src", false, "Exit code 1").bash(
        "grep -rn newName src",
        true,
        "src/a.rs:3: newName",
    );
    assert_no_fix(&s);
}

#[test]
fn another_subcommand_or_a_revision_long_after_is_not_a_fix() {
    let mut s = Session::new();
    s.bash("tool deploy --env prod", false, "Error: unknown flag: --env")
        .bash("tool status --env prod", true, "idle");
    assert_no_fix(&s);

    let mut s = Session::new();
    s.bash(
        "tool compact --purge-all",
        false,
        "Error: unknown flag: --purge-all",
    );
    for i in 0..4 {
        s.bash(&format!("make step{i}"), true, "done");
    }
    s.bash("tool compact --prune", true, "compacted");
    assert_no_fix(&s);
}

#[test]
fn the_identical_retry_with_nothing_between_still_teaches_nothing() {
    let mut s = Session::new();
    s.bash(
        "git fetch --all",
        false,
        "failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted",
    )
    .bash("git fetch --all", true, "From github.com:o/r");
    assert!(mistakes(&s).is_empty(), "{}", show(&mistakes(&s)));
}

#[test]
fn a_script_on_stdin_rerun_with_another_interpreter_is_a_corrected_command() {
    let mut s = Session::new();
    s.bash(
        "python - <<'PY'\nprint(1)\nPY",
        false,
        "bash: python: command not found",
    )
    .bash("python3 - <<'PY'\nprint(1)\nPY", true, "1");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:corrected-command");
}

#[test]
fn dropping_what_the_command_acts_on_is_another_operation_not_a_fix() {
    let mut s = Session::new();
    s.bash(
        "net localgroup builders alice /add",
        false,
        "Error: the specified local group does not exist on this machine",
    )
    .bash(
        "net localgroup builders /add",
        true,
        "The command completed successfully.",
    );
    assert_no_fix(&s);
}

#[test]
fn a_second_quoting_fix_in_the_session_is_the_same_lesson() {
    let mut s = Session::new();
    for file in ["src/app/(auth)/page.tsx", "src/app/(admin)/layout.tsx"] {
        s.bash(
            &format!("ls -l {file}"),
            false,
            &format!("Exit code: 1\nzsh:1: no matches found: {file}"),
        )
        .bash(&format!("ls -l '{file}'"), true, "-rw-r--r-- 1 u u 10 page");
    }
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(m[0].title.contains("(auth)"), "{}", m[0].title);
}

#[test]
fn the_same_arguments_passing_under_another_program_is_the_fix() {
    // The Windows store alias: `python3` exits 49 with no output, `python` works. The
    // error says nothing, the program that passed says it all: shown anyway.
    let mut s = Session::new();
    s.bash(
        "PYTHONPATH=\"E:/p/hookify\" python3 -c \"import core; print('OK')\"",
        false,
        "Exit code 49",
    )
    .bash(
        "PYTHONPATH=\"E:/p/hookify\" python -c \"import core; print('OK')\"",
        true,
        "OK",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:other-program");
    assert_eq!(
        m[0].title,
        "`python3` failed: exit code 49; passed with `python`, not `python3`"
    );
    assert!(m[0].confidence >= 0.55, "{}", m[0].confidence);

    // The project's own interpreter, where the system one lacks its packages: named by
    // the end of its path.
    let mut s = Session::new();
    s.bash(
        "python -m pytest -q",
        false,
        "Exit code: 1\nE   ModuleNotFoundError: No module named 'dotenv'",
    )
    .bash(
        "/home/u/projects/shop/.venv/bin/python -m pytest -q",
        true,
        "3 passed",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:other-program");
    assert!(
        m[0].title
            .ends_with("; passed with `…/.venv/bin/python`, not `python`"),
        "{}",
        m[0].title
    );

    // A script without its execute bit, run through an interpreter.
    let mut s = Session::new();
    s.bash(
        "scripts/list-skills.py --all",
        false,
        "Exit code: 126\n/bin/bash: line 1: scripts/list-skills.py: Permission denied",
    )
    .bash("python3 scripts/list-skills.py --all", true, "a\nb");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        m[0].title.ends_with("; passed run with `python3`"),
        "{}",
        m[0].title
    );
}

#[test]
fn another_program_far_from_the_failure_or_with_other_arguments_is_not_the_fix() {
    // Other arguments: another command, not the failed one run differently.
    let mut s = Session::new();
    s.bash("python3 build.py", false, "Exit code 49")
        .bash("python build.py --release", true, "built");
    assert!(
        mistakes(&s)
            .iter()
            .all(|c| !c.cues.iter().any(|q| q == "match:other-program"))
    );
    // Four other commands in between: the agent moved on.
    let mut s = Session::new();
    s.bash("python3 build.py", false, "Exit code 49");
    for i in 0..4 {
        s.bash(&format!("make step{i}"), true, "ok");
    }
    s.bash("python build.py", true, "built");
    assert!(
        mistakes(&s)
            .iter()
            .all(|c| !c.cues.iter().any(|q| q == "match:other-program"))
    );
}

#[test]
fn a_revision_after_several_failed_retries_answers_the_last_error() {
    // As an agent on Windows runs it through PowerShell, and Windows answers in Spanish:
    // three refusals of the same command, then the account name looked up and used.
    let mut s = Session::new();
    s.prompt("add me to docker-users")
        .bash(
            "powershell -Command \"net localgroup docker-users \\\"acodu\\\" /add\"",
            false,
            "Exit code 1\nError de sistema 5.\n\nAcceso denegado.",
        )
        .prompt("I relaunched it as administrator, continue")
        .bash(
            "powershell -Command \"net localgroup docker-users \\\"acodu\\\" /add\"",
            false,
            "Exit code 1\nError de sistema 1376.\n\nEl grupo local especificado no existe.",
        )
        .bash(
            "powershell -Command \"net localgroup docker-users /add\"",
            true,
            "Se ha completado el comando correctamente.",
        )
        .bash(
            "powershell -Command \"net localgroup docker-users \\\"acodu\\\" /add\"",
            false,
            "Exit code 1\nNo existe el usuario o grupo global: acodu.\n\nPuede obtener más ayuda con el comando NET HELPMSG 3783.",
        )
        .bash("whoami", true, "Fabien Lessirard")
        .bash(
            "powershell -Command \"net localgroup docker-users \\\"Fabien Lessirard\\\" /add\"",
            true,
            "Se ha completado el comando correctamente.",
        );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    let c = &m[0];
    assert_cue(c, "match:revised-arguments");
    assert_cue(c, "attempts:3");
    // The script, not the PowerShell wrapper; the error the revision answered.
    assert!(c.title.starts_with("`net localgroup"), "{}", c.title);
    assert!(c.title.contains("No existe el usuario"), "{}", c.title);
    assert!(c.title.contains("`Fabien Lessirard`, not `acodu`"), "{}", c.title);
}

#[test]
fn a_shell_that_cannot_start_and_another_that_passes_is_one_lesson() {
    let wsl = "exit code 1\n<3>WSL (9) ERROR: CreateProcessEntryCommon:505: execvpe /bin/bash failed 2";
    let mut s = Session::new();
    s.prompt("list the spec folder")
        .bash("ls -la && rg --files .specify", false, wsl)
        .bash("cat .specify/memory/constitution.md", false, wsl)
        .bash(
            "pwsh -NoLogo -NoProfile -Command 'Get-ChildItem -Force -Recurse .specify'",
            true,
            "C:\\project\\.specify\\memory",
        )
        .bash(
            "pwsh -NoLogo -NoProfile -Command 'Get-Content -Raw AGENTS.md'",
            true,
            "# Agents",
        );
    let lessons: Vec<_> = mistakes(&s)
        .into_iter()
        .filter(|c| has_cue(c, "match:other-shell"))
        .collect();
    assert_eq!(lessons.len(), 1, "{}", show(&mistakes(&s)));
    let c = &lessons[0];
    assert_eq!(
        c.title,
        "`bash` cannot start on this host: run commands through `pwsh`"
    );
    assert!(c.body.contains("execvpe /bin/bash failed"), "{}", c.body);
    assert!(f64::from(c.confidence) >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE);

    // Without another shell passing, the failure teaches nothing about the host.
    let mut s = Session::new();
    s.prompt("list the spec folder")
        .bash("ls -la", false, wsl)
        .answer("The shell is not available here.");
    assert!(
        mistakes(&s).iter().all(|c| !has_cue(c, "match:other-shell")),
        "{}",
        show(&mistakes(&s))
    );
}

#[test]
fn a_command_line_the_shell_refused_is_fixed_by_its_rewrite_even_when_it_only_looks() {
    // Git Bash: the trailing `\` of a Windows path escapes the closing quote, and the
    // command never runs. Written with `/`, the listing ran: the rewrite is the lesson,
    // though listing is only looking.
    let mut s = Session::new();
    s.bash(
        "ls -la \"E:\\CC-test\\.claude\\plugins\\\" 2>/dev/null || echo \"No plugins dir\"",
        false,
        "Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `\"'",
    )
    .bash(
        "ls -la \"E:/CC-test/.claude/plugins/\" 2>/dev/null",
        true,
        "marketplaces",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:revised-arguments");
    assert!(m[0].title.contains("failed: bash: unexpected"), "{}", m[0].title);
    assert!(m[0].title.contains("passed with `E:/CC-test/"), "{}", m[0].title);
    assert!(
        m[0].body
            .contains("Why: In bash a `\\` right before a closing quote escapes it"),
        "{}",
        m[0].body
    );
    // A listing that ran and failed, then another listing, is the agent looking around.
    let mut s = Session::new();
    s.bash(
        "ls -la docs/old",
        false,
        "Exit code 2\nls: cannot access 'docs/old': Permission denied",
    )
    .bash("ls -la docs", true, "new");
    assert!(
        mistakes(&s).iter().all(|c| !c.title.contains("passed")),
        "{}",
        show(&mistakes(&s))
    );
}

#[test]
fn a_variable_that_expanded_to_nothing_is_fixed_by_the_line_written_out() {
    // `$APPDATA` is not set in this shell: `ls` was asked for '' and said so. The path
    // written out is the fix, not a folder the agent went looking in.
    let mut s = Session::new();
    s.bash(
        "ls -la \"$APPDATA\" | grep -i claude",
        false,
        "ls: cannot access '': No such file or directory",
    )
    .bash(
        "ls -la \"C:/Users/ana/AppData/Roaming\" | grep -i claude",
        true,
        "Claude",
    );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_cue(&m[0], "match:revised-arguments");
    assert!(
        m[0].title
            .contains("failed: `$APPDATA` was empty; passed with `C:/Users/"),
        "{}",
        m[0].title
    );
    // Piped into grep, the log may keep grep's status (success, "no matches"): the
    // output alone says the line was not run as written.
    let mut s = Session::new();
    s.bash(
        "ls -la \"$APPDATA\" | grep -i claude",
        true,
        "ls: cannot access '': No such file or directory",
    )
    .bash(
        "ls -la \"C:/Users/ana/AppData/Roaming\" | grep -i claude",
        true,
        "",
    );
    let m = mistakes_as(&s, Agent::Claude);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(m[0].title.contains("`$APPDATA` was empty"), "{}", m[0].title);
    assert!(
        m[0].body.contains("Why: `$APPDATA` is not set in this shell"),
        "{}",
        m[0].body
    );
    assert!(
        m[0].confidence >= 0.55,
        "the error says what was wrong: {}",
        m[0].confidence
    );
    // A file that is not there, named as written, is the agent probing.
    let mut s = Session::new();
    s.bash(
        "ls -la \"$HOME/notes\"",
        false,
        "ls: cannot access '/home/ana/notes': No such file or directory",
    )
    .bash("ls -la \"$HOME/docs\"", true, "a.md");
    assert!(mistakes(&s).is_empty(), "{}", show(&mistakes(&s)));
}
