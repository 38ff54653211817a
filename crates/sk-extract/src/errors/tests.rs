//! The classifier against real error texts of every kind it tells apart.

use super::*;

#[test]
fn the_shell_s_start_up_noise_names_no_file_of_the_error() {
    let e = classify(
        "/opt/homebrew/Library/Homebrew/cmd/shellenv.sh: line 18: /bin/ps: Operation not permitted\n\
         error: cannot open '.git/FETCH_HEAD': Operation not permitted",
    );
    assert!(!e.files.iter().any(|f| f.contains("shellenv")), "{:?}", e.files);
    let e = classify(
        "/home/u/.zshrc:12: command not found: compdef\nsrc/app.ts(3,1): error TS2304: Cannot find name 'x'.",
    );
    assert!(!e.files.iter().any(|f| f.ends_with(".zshrc")), "{:?}", e.files);
}

#[test]
fn the_shell_s_start_up_noise_is_not_the_error() {
    // As a macOS Codex sandbox prints it before a network refusal: the refusal is the
    // error, not the start-up script's "Operation not permitted".
    let e = classify(
        "/opt/homebrew/Library/Homebrew/cmd/shellenv.sh: line 18: /bin/ps: Operation not permitted
         fatal: unable to access 'https://github.com/o/r.git/': Could not resolve host: github.com",
    );
    assert_ne!(e.class, ErrorClass::Permission);
    assert!(!e.excerpt.contains("shellenv"), "{}", e.excerpt);
    assert!(e.phrase.contains("unable to access"), "{}", e.phrase);
    // Only noise: what is left is the exit code.
    let e = classify(
        "/home/u/.bashrc: line 3: /bin/ps: Operation not permitted
exit code 1",
    );
    assert_eq!(e.class, ErrorClass::ExitCode);
}

#[test]
fn a_lowercase_failed_is_not_a_test_failure() {
    // Codex's sandbox wrapper starts with "failed in sandbox": not a test result.
    let e = classify("failed in sandbox LinuxSeccomp with execution error: command timed out");
    assert_ne!(e.class, ErrorClass::Test);
    assert_eq!(
        classify("FAILED tests/test_x.py::test_parse - assert 1 == 2").class,
        ErrorClass::Test
    );
    assert_eq!(
        classify("running 3 tests\nfailures:\n    a::b\n").class,
        ErrorClass::Test
    );
}

#[test]
fn harness_refusals_and_cancellations_are_noise() {
    for text in [
        "<tool_use_error>Sibling tool call errored</tool_use_error>",
        "InputValidationError: [ { \"expected\": \"string\" } ]",
        "User cancelled the edit",
        "The user doesn't want to take this action right now.",
        "apply_patch verification failed: Failed to find expected lines in /w/app.js",
    ] {
        assert!(
            classify(text).class.is_noise(),
            "{text}: {:?}",
            classify(text).class
        );
    }
    // A malformed patch is the agent's own repeated mistake, not the harness's.
    let hunk =
        classify("apply_patch verification failed: invalid hunk at line 4, '' is not a valid hunk header");
    assert!(!hunk.class.is_noise(), "{:?}", hunk.class);
}

#[test]
fn a_missing_program_from_a_startup_file_is_not_the_commands() {
    let text = "/home/u/.profile: line 6: compdef: command not found\nexit code 1";
    assert_ne!(classify(text).class, ErrorClass::CommandNotFound);
    let both = "/home/u/.zshrc: line 2: compdef: command not found\nbash: pnpm: command not found";
    let e = classify(both);
    assert_eq!(
        (e.class, e.program.as_deref()),
        (ErrorClass::CommandNotFound, Some("pnpm"))
    );
}

#[test]
fn pytest_error_lines_name_the_exception() {
    let text =
        "_ ERROR collecting tests/test_db.py _\nE   ModuleNotFoundError: No module named 'sqlalchemy'\n";
    let e = classify(text);
    assert_eq!(e.class, ErrorClass::Exception);
    assert!(e.phrase.contains("No module named 'sqlalchemy'"), "{}", e.phrase);
    assert!(e.specific());
}

#[test]
fn only_messages_that_say_what_went_wrong_are_specific() {
    assert!(!classify("exit code 1").specific());
    assert!(!classify("1 failed, 3 passed").specific());
    assert!(!classify("Operation timed out").specific());
    assert!(classify("error[E0308]: mismatched types\n --> src/a.rs:1:1").specific());
    assert!(classify("fatal: detected dubious ownership in repository at '/w'").specific());
    assert!(classify("test auth::expired ... FAILED").specific());
}

#[test]
fn excerpts_start_and_end_between_chars() {
    let text = "é\n—x\nline two";
    assert_eq!(line_start(text, 4), 3);
    assert_eq!(lines_excerpt(text, 1, 5), text);
    assert_eq!(lines_excerpt(text, 99, 5), "");
    let long = "—".repeat(EXCERPT_CHARS + 3);
    assert_eq!(
        lines_excerpt(&long, 0, 1),
        format!("{}…", "—".repeat(EXCERPT_CHARS))
    );
}

#[test]
fn rust_compile_errors_name_the_message_and_file() {
    let e = classify(
        "   Compiling x v0.1.0\nerror[E0308]: mismatched types\n  --> src/auth.rs:42:9\n   |\n42 |     let x: u32 = \"a\";\n\nerror: could not compile `x`",
    );
    assert_eq!(e.class, ErrorClass::Compile);
    assert_eq!(e.phrase_within(60), "mismatched types in src/auth.rs");
    assert_eq!(
        e.phrase_within(30),
        "mismatched types in src/auth.rs",
        "messages keep 20 characters"
    );
    let long = classify(
        "error[E0277]: the `?` operator can only be used in a function that returns `Result`\n --> src/handlers/login.rs:31:60",
    );
    assert_eq!(
        long.phrase_within(60),
        "the `?` operator can only be used… in src/handlers/login.rs"
    );
    assert_eq!(
        long.phrase_within(80),
        "the `?` operator can only be used in a function that… in src/handlers/login.rs"
    );
    assert!(e.files.contains(&"src/auth.rs".to_string()));
}

#[test]
fn tool_errors_without_a_source_location_are_not_compiler_errors() {
    let e = classify(
        "exit code 1\n ! [rejected] main -> main (fetch first)\nerror: failed to push some refs to 'x'",
    );
    assert_eq!(
        (e.class, e.phrase.as_str()),
        (ErrorClass::Other, "failed to push some refs to 'x'")
    );
    let e = classify("error: expected one of `,` or `}`, found `x`\n --> src/lib.rs:3:9");
    assert_eq!(
        (e.class, e.location.as_deref()),
        (ErrorClass::Compile, Some("src/lib.rs"))
    );
}

#[test]
fn test_failures_name_the_test() {
    let e = classify(
        "running 2 tests\ntest tests::login ... FAILED\n\nfailures:\n\n---- tests::login stdout ----\nthread 'tests::login' panicked at src/login.rs:9:5:\nassertion failed\n\ntest result: FAILED. 1 passed; 1 failed",
    );
    assert_eq!(e.class, ErrorClass::Test);
    assert_eq!(e.phrase, "failing test tests::login");
}

#[test]
fn command_not_found_names_the_program() {
    let e = classify("exit code 127\nbash: line 1: pytest: command not found");
    assert_eq!(e.class, ErrorClass::CommandNotFound);
    assert_eq!(e.program.as_deref(), Some("pytest"));
    assert_eq!(
        classify("zsh: command not found: rg").program.as_deref(),
        Some("rg")
    );
    // Windows' cmd, in English and in the system's language.
    for (text, program) in [
        (
            "'vite' is not recognized as an internal or external command,",
            "vite",
        ),
        (
            "\"vite\" no se reconoce como un comando interno o externo,\nprograma o archivo por lotes ejecutable.",
            "vite",
        ),
        (
            "'npm' n'est pas reconnu en tant que commande interne\nou externe, un programme exécutable ou un fichier de commandes.",
            "npm",
        ),
        (
            "Der Befehl \"pnpm\" ist entweder falsch geschrieben oder\nkonnte nicht gefunden werden.",
            "pnpm",
        ),
        ("'python3' 不是内部或外部命令，也不是可运行的程序", "python3"),
    ] {
        let e = classify(text);
        assert_eq!(e.class, ErrorClass::CommandNotFound, "{text}");
        assert_eq!(e.program.as_deref(), Some(program), "{text}");
    }
}

#[test]
fn python_tracebacks_use_the_last_exception() {
    let e = classify(
        "Traceback (most recent call last):\n  File \"app/main.py\", line 3, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'",
    );
    assert_eq!(e.class, ErrorClass::Exception);
    assert_eq!(e.phrase, "ModuleNotFoundError: No module named 'yaml'");
    assert_eq!(e.files, vec!["app/main.py"]);
}

#[test]
fn approvals_and_policies_are_told_apart() {
    let approval =
        classify("Claude requested permissions to write to /tmp/x/notes.md, but you haven't granted it yet.");
    assert_eq!(approval.class, ErrorClass::Approval);
    assert!(approval.class.is_noise());
    let blocked = classify(
        "Output redirection to '/private/var/folders/x/notes.md' was blocked. For security, Claude Code may only write to files in the allowed working directories.",
    );
    assert_eq!(blocked.class, ErrorClass::Sandbox);
    assert_eq!(blocked.phrase, "output redirection to notes.md was blocked");
    assert_eq!(
        classify("cat: notes.md: Permission denied").class,
        ErrorClass::Permission
    );
    assert_eq!(classify("Path does not exist").class, ErrorClass::NotFound);
    // A usage text describing a timeout flag is not a timeout: the "Error:" line is.
    let usage = classify("Error: unknown flag: --purge\nUsage:\n  --wait secs   give up after this timeout");
    assert_eq!(usage.class, ErrorClass::Other);
    assert!(usage.phrase.starts_with("unknown flag"), "{}", usage.phrase);
    assert_eq!(
        classify("curl: (28) Connection timed out").class,
        ErrorClass::Timeout
    );
    // zsh's glob refusal says what went wrong; the exit code would not.
    let glob = classify("Exit code: 1\nzsh:1: no matches found: src/app/(auth)/page.tsx");
    assert_eq!(glob.phrase, "zsh: no match for `src/app/(auth)/page.tsx`");
    assert!(glob.specific());
    // A long word is shown by its end, where the glob characters usually are.
    let glob = classify("(eval):1: no matches found: apps/portfolio/src/app/(payload)/layout.tsx");
    assert_eq!(glob.phrase, "zsh: no match for `…app/(payload)/layout.tsx`");
    assert_eq!(unmatched_glob("zsh: no matches found: *.md"), Some("*.md"));
    assert_eq!(unmatched_glob("grep: no matches found in notes"), None);
    assert_eq!(
        classify("String to replace not found in file.").class,
        ErrorClass::StaleEdit
    );
}

#[test]
fn failure_markers_without_a_flag() {
    assert!(looks_failed("error[E0425]: cannot find value `x`"));
    assert!(looks_failed("<shellId: 0 completed with exit code 2>"));
    assert!(!looks_failed("all good\n3 passed"));
}

#[test]
fn korean_cmd_names_the_program() {
    // Korean cmd writes the particle right after the quote, with no space.
    let text = "'virtualenv'은(는) 내부 또는 외부 명령, 실행할 수 있는 프로그램, 또는\n배치 파일이 아닙니다.";
    let e = classify(text);
    assert_eq!(e.class, ErrorClass::CommandNotFound, "{text}");
    assert_eq!(e.program.as_deref(), Some("virtualenv"));
}

#[test]
fn a_bashrc_syntax_error_is_the_error() {
    // `bash -n ~/.bashrc` after editing a dotfile: its own syntax error is the error.
    let e = classify(
        "exit code 2\n/home/u/.bashrc: line 57: syntax error near unexpected token `fi'\n/home/u/.bashrc: line 57: `fi'",
    );
    assert!(e.phrase.contains("syntax error"), "{:?} {}", e.class, e.phrase);
}

#[test]
fn a_zshrc_parse_error_is_the_error() {
    let e = classify("/Users/u/.zshrc:42: parse error near `fi'");
    assert!(e.phrase.contains("parse error"), "{:?} {}", e.class, e.phrase);
}

#[test]
fn a_ruby_error_in_a_homebrew_checkout_is_the_error() {
    let e = classify("/Users/u/brew/Library/Homebrew/formula.rb:12: syntax error, unexpected end-of-input");
    assert!(e.phrase.contains("syntax error"), "{:?} {}", e.class, e.phrase);
}

#[test]
fn npm10_and_yarn_say_failure_and_wrong_folder() {
    assert!(shows_hidden_failure(
        "npm error code ERESOLVE\nnpm error ERESOLVE unable to resolve dependency tree"
    ));
    assert!(says_wrong_folder(
        "npm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '/work/app/package.json'"
    ));
    assert!(says_wrong_folder(
        "error Couldn't find a package.json file in \"/work/app\""
    ));
}

#[test]
fn a_message_in_the_system_s_language_is_the_phrase_not_the_exit_code() {
    // Claude Code puts the exit code first; Windows' `net` answers in Spanish here.
    let e = classify(
        "Exit code 1\nNo existe el usuario o grupo global: acodu.\nPuede obtener más ayuda con el comando NET HELPMSG 3783.",
    );
    assert_eq!(e.class, ErrorClass::Other);
    assert_eq!(e.phrase, "No existe el usuario o grupo global: acodu");
    assert!(e.specific(), "{e:?}");
    let e = classify("exit code 1\nОшибка: файл конфигурации не найден");
    assert!(e.phrase.starts_with("Ошибка"), "{e:?}");
    // Output in another language that names no error stays a bare exit code.
    let e = classify("Exit code 1\nSe ha completado el comando correctamente.");
    assert_eq!(e.class, ErrorClass::ExitCode);
}

#[test]
fn error_words_are_matched_without_a_unicode_word_boundary() {
    // `classify` tries every line of a failed output that named no other error (a build
    // log with `✓` and `—`, messages in the system's language): a Unicode `\b` on such a
    // line leaves the regex crate's fast automata (about 150× slower, measured in review).
    // The same holds for every pattern read over a tool's output.
    for pattern in [
        &*APPROVAL,
        &*STALE_EDIT,
        &*HARNESS,
        &*COMMAND_NOT_FOUND,
        &*COMMAND_NOT_FOUND_AFTER,
        &*GENERIC_COMPILE,
        &*TEST_NAME,
        &*TEST_SUMMARY,
        &*PANIC,
        &*EXCEPTION_LINE,
        &*PERMISSION,
        &*SANDBOX,
        &*NOT_FOUND,
        &*TIMEOUT,
        &*EXIT_CODE,
        &*ERROR_WORD,
        &*FAILURE_MARKERS,
        &*HIDDEN_FAILURE,
        &*WRONG_FOLDER,
        &*SYNTAX_SLIP,
    ] {
        let ascii_only = pattern.as_str().replace(r"(?-u:\b)", "");
        assert!(!ascii_only.contains(r"\b"), "{}", pattern.as_str());
    }
    // The boundaries it uses instead still keep words whole.
    assert!(!ERROR_WORD.is_match("terror alerts were raised"));
    assert!(ERROR_WORD.is_match("build failed."));
    assert!(ERROR_WORD.is_match("Error de sistema 5"));
    // French "refusé", also written without its accent after "accès"; never English "refuse".
    assert!(ERROR_WORD.is_match("Accès refusé."));
    assert!(ERROR_WORD.is_match("Acces refuse"));
    assert!(!ERROR_WORD.is_match("the server may refuse large uploads"));
}

#[test]
fn codex_s_sandbox_wrapper_is_read_for_the_command_s_own_error() {
    let e = classify(
        "failed in sandbox LinuxSeccomp with execution error: sandbox denied exec error, exit code: 1, stdout: ..F.  [100%]\nE       UnboundLocalError: cannot access local variable 'proc' where it is not associated with a value, stderr: ",
    );
    assert_eq!(e.class, ErrorClass::Exception);
    assert!(
        e.phrase.starts_with("UnboundLocalError: cannot access"),
        "{}",
        e.phrase
    );
    assert!(!e.excerpt.contains("failed in sandbox"), "{}", e.excerpt);
    // Nothing printed: the wrapper is the message.
    let e = classify(
        "failed in sandbox LinuxSeccomp with execution error: sandbox denied exec error, exit code: 1, stdout: , stderr: ",
    );
    assert_eq!(e.class, ErrorClass::Sandbox);
}

#[test]
fn a_shell_refusing_the_command_line_is_told_from_a_search_that_found_nothing() {
    assert!(shell_refused("(eval):1: no matches found: --include=*.py"));
    assert!(shell_refused(
        "zsh:1: no matches found: src/app/(auth)/page.tsx\n"
    ));
    assert!(shell_refused(
        "bash: line 1: syntax error near unexpected token `('"
    ));
    assert!(shell_refused("/bin/sh: 1: Bad substitution"));
    // Git Bash on Windows names the shell by its path and says `eval`; the log's exit
    // status line before it is no output of the command.
    assert!(shell_refused(
        "Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `\"'"
    ));
    assert!(!shell_refused("Exit code 2"));
    assert_eq!(
        classify("Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `\"'")
            .phrase,
        "bash: unexpected EOF while looking for matching `\"'"
    );
    // A search that matched nothing printed nothing; one that matched printed lines.
    assert!(!shell_refused(""));
    assert!(!shell_refused("No matches found"));
    assert!(!shell_refused("src/a.rs:3: no matches found: handled here"));
    // The command ran and printed more than the complaint.
    assert!(!shell_refused("zsh:1: no matches found: *.log\nsrc/a.rs:1:x"));
}

#[test]
fn a_name_not_found_is_said_by_its_name_and_counts_only_when_asked_for() {
    let pull = "Error response from daemon: failed to resolve reference \"mcr.microsoft.com/devcontainers/typescript-node:1-24-trixie\": mcr.microsoft.com/devcontainers/typescript-node:1-24-trixie: not found";
    assert_eq!(classify(pull).phrase, "`typescript-node:1-24-trixie`: not found");
    let asked = |cmd: &str| -> Vec<String> { cmd.split_whitespace().skip(1).map(str::to_string).collect() };
    assert!(asked_for_is_missing(
        pull,
        &asked("docker pull mcr.microsoft.com/devcontainers/typescript-node:1-24-trixie")
    ));
    // A helper package npm will install is not what was asked for, even if a word of the
    // command is part of its name.
    let warn = "npm warn exec The following package was not found and will be installed: create-tauri-app@4.6.2\nerror: IO error: not a terminal";
    assert!(!asked_for_is_missing(
        warn,
        &asked("npm create tauri-app@latest app")
    ));
    // A missing file is probing, whatever the command asked for.
    assert!(!asked_for_is_missing(
        "cat: notes.md: No such file or directory",
        &asked("cat notes.md")
    ));
}

#[test]
fn an_empty_name_is_blamed_on_the_variable_that_was_a_whole_argument() {
    let error = "ls: cannot access '': No such file or directory";
    assert_eq!(
        expanded_to_nothing("cd $HOME && ls -la \"$APPDATA\"", error).as_deref(),
        Some("APPDATA")
    );
    assert_eq!(expanded_to_nothing("ls ${DIR}", error).as_deref(), Some("DIR"));
    // A variable inside a longer word cannot have made the name empty.
    assert_eq!(expanded_to_nothing("ls \"$HOME/x\"", error), None);
    assert_eq!(
        expanded_to_nothing("ls \"$APPDATA\"", "ls: cannot access 'x': No such file"),
        None
    );
}
