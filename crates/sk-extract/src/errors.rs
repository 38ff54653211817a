//! Reads a failed tool result and says what kind of failure it is, in words short enough
//! for a title ("mismatched types in src/auth.rs", "command not found"), with the lines
//! worth keeping as evidence and the files the message names. The kind decides whether a
//! failure is worth remembering at all: a permission prompt the user has not answered says
//! nothing about the code, a compiler error does.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{collapse_whitespace, excerpt, path_tokens};

mod shell;

use self::shell::refusal_phrase;
pub(crate) use self::shell::{
    expanded_to_nothing, is_exit_status_line, shell_refusal_why, shell_refused, unmatched_glob,
};

/// What kind of failure a tool result reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ErrorClass {
    /// A permission prompt not (yet) granted, or the user declining a call: the user's
    /// choice in that moment, not a fact about the project.
    Approval,
    /// An edit whose old text no longer matched, or a write before a read: the agent's view
    /// of the file was stale. Tool bookkeeping, not a lesson.
    StaleEdit,
    /// The agent harness refused or dropped the call itself (a parallel call cancelled
    /// because a sibling failed, a tool input that did not fit the tool's schema): about
    /// the agent's plumbing, not the project.
    Harness,
    CommandNotFound,
    Compile,
    Test,
    Panic,
    Exception,
    Permission,
    Sandbox,
    NotFound,
    Timeout,
    ExitCode,
    Other,
}

impl ErrorClass {
    /// Worth a `mistake` even when the session never fixed it.
    pub(crate) fn informative(self) -> bool {
        matches!(
            self,
            ErrorClass::CommandNotFound
                | ErrorClass::Compile
                | ErrorClass::Test
                | ErrorClass::Panic
                | ErrorClass::Exception
                | ErrorClass::Permission
                | ErrorClass::Sandbox
        )
    }

    /// Never worth a `mistake`, fixed or not.
    pub(crate) fn is_noise(self) -> bool {
        matches!(
            self,
            ErrorClass::Approval | ErrorClass::StaleEdit | ErrorClass::Harness
        )
    }

    pub(crate) fn tag(self) -> &'static str {
        match self {
            ErrorClass::Approval => "approval",
            ErrorClass::StaleEdit => "stale-edit",
            ErrorClass::Harness => "harness",
            ErrorClass::CommandNotFound => "command-not-found",
            ErrorClass::Compile => "compile-error",
            ErrorClass::Test => "test-failure",
            ErrorClass::Panic => "panic",
            ErrorClass::Exception => "exception",
            ErrorClass::Permission => "permission-denied",
            ErrorClass::Sandbox => "sandbox-blocked",
            ErrorClass::NotFound => "not-found",
            ErrorClass::Timeout => "timeout",
            ErrorClass::ExitCode => "exit-code",
            ErrorClass::Other => "error",
        }
    }
}

/// A classified failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorInfo {
    pub class: ErrorClass,
    /// A few words for the title: "mismatched types" (at most [`PHRASE_CHARS`]).
    pub phrase: String,
    /// The file the message points at, said after the phrase: "… in src/auth.rs".
    pub location: Option<String>,
    /// The lines worth keeping in the body.
    pub excerpt: String,
    /// Files the message names (source locations), outside toolchains and dependencies.
    pub files: Vec<String>,
    /// For [`ErrorClass::CommandNotFound`]: the missing program.
    pub program: Option<String>,
}

/// Longest phrase put into a title.
const PHRASE_CHARS: usize = 70;
/// Longest error excerpt kept in a body.
const EXCERPT_CHARS: usize = 600;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

static APPROVAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)haven't granted|has not been granted|not been granted|requires? approval|user (?:denied|rejected|declined)|doesn'?t want to (?:proceed|take this action)|does not want to (?:proceed|take this action)|permission request (?:was )?denied|tool use was rejected|was rejected by the user|^answer questions\?$|interrupted by (?:the )?user|\[request interrupted|user cancell?ed|cancell?ed by (?:the )?user",
    )
});
static STALE_EDIT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)string to replace not found|old_str(?:ing)? (?:was )?not found|no match found for|has not been read yet|read it first before|modified since (?:it was )?(?:last )?read|found \d+ matches of the string to replace|no replacement was performed|did not appear verbatim|not unique in the file|failed to find expected lines",
    )
});
static HARNESS: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)sibling tool call errored|inputvalidationerror"));
/// Windows' `cmd` says it in the system's language ("vite" no se reconoce como un comando
/// interno o externo): the program is quoted before the message, or after it in German.
static COMMAND_NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)([\w.+-]+): command not found|(?-u:\b)sh: \d+: ([\w.+-]+): not found|['"“«]([\w.+-]+)['"”»] ?(?:is not recognized as an internal or external command|no se reconoce como un comando interno o externo|n'est pas reconnu en tant que commande interne|não é reconhecido como um comando interno|non è riconosciuto come comando interno|не является внутренней или внешней|不是内部或外部命令|は、内部コマンドまたは外部コマンド|은\(는\) 내부 또는 외부 명령)|the term '([\w.+-]+)' is not recognized|der befehl ['"„“]([\w.+-]+)['"“”] ist entweder falsch geschrieben"#,
    )
});
/// zsh names the program after the message; checked first because the other shells'
/// pattern would take the shell's own name ("zsh: command not found").
static COMMAND_NOT_FOUND_AFTER: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)command not found: ([\w.+-]+)"));
static RUST_ERROR: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)^error\[(E\d{4})\]: ([^\n]+)"));
static RUST_LOCATION: LazyLock<Regex> = LazyLock::new(|| re(r"-->\s+([^\s:]+):(\d+)"));
static GENERIC_COMPILE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^(?:([^\s:()]+\.(?:c|cc|cpp|cxx|h|hpp|go|java|kt|swift|cs|ts|tsx|m|mm|zig|hs|scala))[:(]\d+(?:[:,]\d+)?\)?:? (?:(?:fatal )?error(?: [A-Z]+\d+)?:? )?|error(?:\[[\w-]+\])?: )([^\n]+)",
    )
});
static CARGO_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:could not compile|aborting due to|for more information|process didn't exit successfully|test failed, to rerun|\d+ previous errors?)",
    )
});
static TEST_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^test (\S+) \.\.\. FAILED|^FAILED (\S+?)(?: - |$)|^--- FAIL: (\S+)|^\s*(?:FAIL|✕)\s+(\S+)")
});
static TEST_SUMMARY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?im)test result: FAILED|(?-u:\b)\d+ (?:tests? )?failed(?-u:\b)|(?-i:^FAILED(?-u:\b))|^failures:$|(?-u:\b)Tests?:\s+\d+ failed|AssertionError|assertion (?:`[^`]*` )?failed",
    )
});
static PANIC: LazyLock<Regex> =
    LazyLock::new(|| re(r"panicked at (?:'([^'\n]*)',? )?([^\n]*)(?:\n([^\n]+))?"));
static EXCEPTION_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^(?:E {2,})?((?:\w+\.)*[A-Z]\w*?(?:Error|Exception|Exit|Interrupt|Failure)): ?([^\n]*)$")
});
static PERMISSION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)permission denied|(?-u:\b)eacces(?-u:\b)|access is denied|operation not permitted")
});
static SANDBOX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)was blocked(?-u:\b)|blocked by (?:the )?(?:sandbox|policy)|outside (?:of )?the allowed|not allowed to (?:write|read|access|run)|(?-u:\b)sandbox(?:ed)?(?-u:\b)",
    )
});
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)no such file or directory|does not exist|(?-u:\b)not found(?-u:\b)|(?-u:\b)enoent(?-u:\b)|cannot find (?:the )?(?:file|path)|could not find",
    )
});
/// What says a file or folder is missing, as opposed to something else not found (an
/// image tag, a package version, a remote branch): reading a path that is not there is
/// how an agent probes, asking for a version that does not exist is a mistake.
static FILE_MISSING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)no such file|(?-u:\b)enoent(?-u:\b)|cannot find (?:the )?(?:file|path)|cannot access|(?:file|path|directory|folder)(?-u:\b)[^\n]{0,120}(?:does not exist|doesn't exist|not found)|(?:does not exist|doesn't exist|not found)[^\n]{0,12}(?:file|path|directory|folder)|[\w~.-]*/[\w.-]+['\x22`]?:? (?:does not exist|not found)",
    )
});

/// Whether a not-found error says that what a command asked for does not exist: a line
/// that says something was not found names one of the `asked` words (`docker pull
/// node:1-24-trixie` → "node:1-24-trixie: not found"), and the error is not about a file
/// or folder. A warning that a helper package was not found and will be installed names
/// none of them.
pub(crate) fn asked_for_is_missing(text: &str, asked: &[String]) -> bool {
    !FILE_MISSING.is_match(text)
        && text
            .lines()
            .filter(|l| NOT_FOUND.is_match(l))
            .any(|l| asked.iter().any(|w| w.chars().count() >= 4 && names_whole(l, w)))
}

/// Whether `word` stands whole in `line`: not inside a longer name (`create` in
/// `create-tauri-app`).
fn names_whole(line: &str, word: &str) -> bool {
    let joins = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '@' | '/' | '.');
    line.match_indices(word).any(|(at, _)| {
        let before = sk_core::text::window(line, 0, at).chars().next_back();
        let after = sk_core::text::from(line, at + word.len()).chars().next();
        !before.is_some_and(joins) && !after.is_some_and(joins)
    })
}

/// Not `--timeout`: a usage text listing the flag is not a run that timed out.
static TIMEOUT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(?-u:\b)timed out(?-u:\b)|(?:^|[^-\w])timeout(?-u:\b)"));
static EXIT_CODE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)exit(?:ed)? (?:with )?(?:code|status)[: ]+(-?\d+)|exit code[: ]+(-?\d+)"));
/// "no matches found" is zsh refusing a glob that matched nothing (`app/(auth)/x`): the
/// line says what went wrong, where the exit code would not. Programs speak the system's
/// language (Windows' `net` says "No existe el usuario"), so the words are also matched in
/// the languages of the cue tables. Words are delimited by `\W` rather than `\b`: a
/// Unicode word boundary on a line with any non-ASCII character (a `✓`, a `—`) sends the
/// regex crate to a matcher about a hundred times slower, and this runs on every line of
/// a failed output that names no other kind of error.
static ERROR_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:^|\W)(?:error|failed|failure|fatal|cannot|can't|unable|could not|no matches found",
        r"|fehler|fehlgeschlagen|existiert nicht|verweigert|erreur|[ée]chec|n'existe pas|refusée?|acc[eè]s refuse|no existe|denegado|fall[óo]|errore|non esiste|negato|erro|n[ãa]o existe|falhou|ошибка|не удалось|не существует|отказано)(?:\W|$)",
        r"|错误|失败|不存在|拒绝|エラー|失敗|存在しません|오류|실패|존재하지 않",
    ))
});
/// Markers that make an output a failure even when the log kept no success flag.
static FAILURE_MARKERS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^error(?:\[E\d{4}\])?: |test result: FAILED|^FAILED(?-u:\b)|Traceback \(most recent call last\)|panicked at|command not found|No such file or directory|Permission denied|^exit code [1-9]\d*$|completed with exit code [1-9]",
    )
});

/// Whether an output carries an unmistakable failure marker (used when the log has no
/// success flag for the call).
pub(crate) fn looks_failed(text: &str) -> bool {
    FAILURE_MARKERS.is_match(text)
}

/// What says a command failed although its pipeline reported success: a line that opens
/// with an error (`error:`, git's `fatal:`, npm's `npm ERR!` / `npm error`, bundler's
/// "Could not locate Gemfile", pytest's `FAILED`, jest's `FAIL`, go's `--- FAIL`), a failed
/// test run, a traceback, a missing program.
/// Stricter than [`FAILURE_MARKERS`]: a passing run may print "panicked at" (a
/// `should_panic` test) or "No such file or directory" (a log it shows).
static HIDDEN_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^(?:error(?:\[E\d{4}\])?: |fatal: |npm (?:ERR!|error) |FAILED(?-u:\b)|\s*(?:--- )?FAIL(?-u:\b)|Could not (?:locate|find|open|read|resolve) )|test result: FAILED|Traceback \(most recent call last\)|command not found",
    )
});

/// What a tool says when it was run from the wrong folder: bundler's "Could not locate
/// Gemfile", git's "not a git repository", npm's "Missing script", make's "No targets
/// specified and no makefile found".
static WRONG_FOLDER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)could not locate (?:Gemfile|\.bundle)|not a git repository|missing script|no targets specified and no makefile found|could not find (?:`?Cargo\.toml`?|a package\.json)|could not read package\.json|couldn't find a package\.json",
    )
});

/// Whether an error says the command ran in the wrong folder.
pub(crate) fn says_wrong_folder(text: &str) -> bool {
    WRONG_FOLDER.is_match(text)
}

/// Whether the output of a call whose exit status a pipe hid shows that it failed; the
/// shell's start-up noise does not count.
pub(crate) fn shows_hidden_failure(text: &str) -> bool {
    HIDDEN_FAILURE.is_match(&STARTUP_NOISE.replace_all(text, ""))
}

/// A complaint a shell start-up file printed before the command's own output (Homebrew's
/// `shellenv.sh: line 18: /bin/ps: Operation not permitted` in a macOS sandbox, a
/// `.zshrc:12: command not found: compdef`): it is printed whatever the command did. Only
/// such complaints: a syntax error in a `.bashrc` the agent edited is the error.
static STARTUP_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    let files: Vec<String> = STARTUP_FILES.iter().map(|f| regex::escape(f)).collect();
    re(&format!(
        r"(?m)^[^\s:]*(?:/Homebrew/[^\s:]*shellenv\.sh|(?:^|/)(?:{})):(?: line)? ?\d+: [^\n]*(?:command not found|Operation not permitted|Permission denied|No such file or directory)[^\n]*\n?",
        files.join("|")
    ))
});

/// Lines of output an error's excerpt shows.
const EXCERPT_LINES: usize = 8;

/// Classifies the text of a failed tool result.
pub(crate) fn classify(text: &str) -> ErrorInfo {
    // Codex's generic sandbox wrapper says nothing of its own: what the command printed is
    // the error.
    let unwrapped = crate::sandbox::own_output(text);
    let text = unwrapped.as_deref().unwrap_or(text);
    let own = STARTUP_NOISE.replace_all(text, "");
    let text = own.trim();
    let files = error_files(text);
    let info = |class, phrase: String, excerpt: String| ErrorInfo {
        class,
        phrase: short(&phrase),
        location: None,
        excerpt,
        files: files.clone(),
        program: None,
    };
    let first_lines = || lines_excerpt(text, 0, EXCERPT_LINES);

    if APPROVAL.is_match(text) {
        return info(
            ErrorClass::Approval,
            "permission not granted".into(),
            first_lines(),
        );
    }
    if STALE_EDIT.is_match(text) {
        return info(
            ErrorClass::StaleEdit,
            "the text to replace was not found".into(),
            first_lines(),
        );
    }
    if HARNESS.is_match(text) {
        return info(
            ErrorClass::Harness,
            "the agent's tool refused the call".into(),
            first_lines(),
        );
    }
    if let Some(phrase) = refusal_phrase(text) {
        return info(ErrorClass::Other, phrase, first_lines());
    }
    if let Some(c) = command_not_found(text) {
        let program = (1..c.len())
            .find_map(|i| c.get(i))
            .map(|m| m.as_str().to_string());
        let mut e = info(
            ErrorClass::CommandNotFound,
            "command not found".into(),
            first_lines(),
        );
        e.program = program;
        return e;
    }
    if let Some(c) = RUST_ERROR.captures(text) {
        let message = c.get(2).map_or("", |m| m.as_str()).trim_end_matches(['.', ':']);
        let start = c.get(0).map_or(0, |m| m.start());
        let location = RUST_LOCATION
            .captures(sk_core::text::from(text, start))
            .and_then(|l| l.get(1))
            .map(|m| m.as_str().to_string());
        let mut e = info(
            ErrorClass::Compile,
            message.to_string(),
            lines_excerpt(text, start, 10),
        );
        e.location = location;
        return e;
    }
    if TEST_SUMMARY.is_match(text) || TEST_NAME.is_match(text) {
        let name = TEST_NAME
            .captures(text)
            .and_then(|c| (1..=4).find_map(|i| c.get(i)))
            .map(|m| m.as_str().trim_end_matches(':').to_string());
        let phrase = match name {
            Some(name) => format!("failing test {name}"),
            None => "tests failed".to_string(),
        };
        let start = text
            .find("panicked at")
            .or_else(|| text.find("failures:"))
            .unwrap_or(0);
        return info(
            ErrorClass::Test,
            phrase,
            lines_excerpt(text, line_start(text, start), 10),
        );
    }
    if let Some(c) = PANIC.captures(text) {
        let old_style = c.get(1).map(|m| m.as_str());
        let location = c.get(2).map_or("", |m| m.as_str()).trim_end_matches(':');
        let message = old_style.or_else(|| c.get(3).map(|m| m.as_str())).unwrap_or("");
        let file = location.split(':').next().filter(|f| f.contains('.'));
        let phrase = match file {
            Some(f) => format!("panicked in {f}: {message}"),
            None => format!("panicked: {message}"),
        };
        let start = c.get(0).map_or(0, |m| m.start());
        return info(
            ErrorClass::Panic,
            phrase,
            lines_excerpt(text, line_start(text, start), 6),
        );
    }
    if let Some((message, location, excerpt)) = other_compile_error(text) {
        // An `error:` line that points at a source file is a compiler's; without one it
        // is some tool's complaint (`git push`, `cargo` itself).
        let class = if location.is_some() {
            ErrorClass::Compile
        } else {
            ErrorClass::Other
        };
        let mut e = info(class, message, excerpt);
        e.location = location;
        return e;
    }
    // Python tracebacks and JS stacks end with the exception that matters.
    if let Some(c) = EXCEPTION_LINE.captures_iter(text).last() {
        let kind = c.get(1).map_or("", |m| m.as_str());
        let message = c.get(2).map_or("", |m| m.as_str());
        let phrase = if message.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}: {message}")
        };
        let start = c.get(0).map_or(0, |m| m.start());
        let tb = text.find("Traceback").filter(|&t| t < start).unwrap_or(start);
        let mut ex = lines_excerpt(text, tb, 4);
        if start > tb {
            ex.push_str("\n…\n");
            ex.push_str(&lines_excerpt(text, start, 3));
        }
        return info(ErrorClass::Exception, phrase, ex);
    }
    if PERMISSION.is_match(text) {
        return info(ErrorClass::Permission, "permission denied".into(), first_lines());
    }
    if SANDBOX.is_match(text) {
        return info(
            ErrorClass::Sandbox,
            first_sentence_with_short_paths(text),
            first_lines(),
        );
    }
    if NOT_FOUND.is_match(text) {
        return info(ErrorClass::NotFound, not_found_phrase(text), first_lines());
    }
    // A usage text under "Error: unknown flag" may describe a timeout option: the line
    // that starts with "Error:" is the failure, not a word further down.
    let error_line = text.lines().any(|l| {
        l.trim_start()
            .get(..7)
            .is_some_and(|h| h.eq_ignore_ascii_case("error: "))
    });
    if TIMEOUT.is_match(text) && !error_line {
        return info(ErrorClass::Timeout, "timed out".into(), first_lines());
    }
    let meaningful = text.lines().map(str::trim).find(|l| {
        let lower = l.to_ascii_lowercase();
        ERROR_WORD.is_match(l) && !lower.starts_with("exit code") && !lower.starts_with("warning")
    });
    if let Some(line) = meaningful {
        // Below the first lines (a pipe's `tail` of a long log), the excerpt starts there.
        let at = text.find(line).unwrap_or(0);
        let excerpt = if sk_core::text::prefix(text, at).lines().count() >= EXCERPT_LINES {
            lines_excerpt(text, line_start(text, at), EXCERPT_LINES)
        } else {
            first_lines()
        };
        return info(
            ErrorClass::Other,
            line.trim_start_matches("Error: ").to_string(),
            excerpt,
        );
    }
    if let Some(c) = EXIT_CODE.captures(text) {
        let code = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        return info(ErrorClass::ExitCode, format!("exit code {code}"), first_lines());
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("failed");
    info(ErrorClass::Other, first.to_string(), first_lines())
}

/// Shell start-up files: a program they name that is missing (`compdef` in a `.profile`
/// read by bash) is printed before every command's output, whatever the command did.
const STARTUP_FILES: [&str; 7] = [
    ".profile",
    ".bashrc",
    ".bash_profile",
    ".zshrc",
    ".zprofile",
    ".zshenv",
    ".bash_login",
];

/// The first "command not found" that is not a shell start-up file's complaint.
fn command_not_found(text: &str) -> Option<regex::Captures<'_>> {
    let own = |c: &regex::Captures<'_>| {
        let at = c.get(0).map_or(0, |m| m.start());
        let line = sk_core::text::from(text, line_start(text, at))
            .lines()
            .next()
            .unwrap_or("");
        !STARTUP_FILES.iter().any(|f| line.contains(&format!("{f}:")))
    };
    COMMAND_NOT_FOUND_AFTER
        .captures_iter(text)
        .find(own)
        .or_else(|| COMMAND_NOT_FOUND.captures_iter(text).find(own))
}

/// Compiler errors other than rustc's coded ones (gcc, clang, go, tsc, cargo `error:`
/// lines), skipping cargo's summary lines.
fn other_compile_error(text: &str) -> Option<(String, Option<String>, String)> {
    for c in GENERIC_COMPILE.captures_iter(text) {
        let message = c
            .get(2)
            .map_or("", |m| m.as_str())
            .trim()
            .trim_end_matches(['.', ':']);
        if message.is_empty() || CARGO_NOISE.is_match(message) {
            continue;
        }
        let start = c.get(0).map_or(0, |m| m.start());
        let next_lines: String = sk_core::text::from(text, start)
            .lines()
            .skip(1)
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        let location = c.get(1).map(|f| f.as_str().to_string()).or_else(|| {
            RUST_LOCATION
                .captures(&next_lines)
                .and_then(|l| l.get(1))
                .map(|m| m.as_str().to_string())
        });
        return Some((message.to_string(), location, lines_excerpt(text, start, 8)));
    }
    None
}

/// Where the line holding byte `at` starts.
pub(crate) fn line_start(text: &str, at: usize) -> usize {
    sk_core::text::until(text, at).rfind('\n').map_or(0, |i| i + 1)
}

/// Up to `max_lines` non-blank lines from byte `start`, capped at [`EXCERPT_CHARS`].
fn lines_excerpt(text: &str, start: usize, max_lines: usize) -> String {
    let lines: Vec<&str> = sk_core::text::from(text, start)
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(max_lines)
        .collect();
    let joined = lines.join("\n");
    match joined.char_indices().nth(EXCERPT_CHARS) {
        None => joined,
        Some((end, _)) => format!("{}…", sk_core::text::prefix(&joined, end)),
    }
}

/// The first sentence of a policy message with absolute paths shortened to file names:
/// "Output redirection to notes.md was blocked".
fn first_sentence_with_short_paths(text: &str) -> String {
    static QUOTED_PATH: LazyLock<Regex> = LazyLock::new(|| re(r#"['"`]?(/[^\s'"`]+)['"`]?"#));
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(text);
    let sentence = first.split(". ").next().unwrap_or(first).trim_end_matches('.');
    let shortened = QUOTED_PATH.replace_all(sentence, |c: &regex::Captures| {
        let path = c.get(1).map_or("", |m| m.as_str());
        path.rsplit('/')
            .find(|p| !p.is_empty())
            .unwrap_or(path)
            .to_string()
    });
    let mut phrase = collapse_whitespace(&shortened);
    if let Some(first) = phrase.chars().next().filter(|c| c.is_uppercase()) {
        let lower: String = first.to_lowercase().collect();
        phrase.replace_range(..first.len_utf8(), &lower);
    }
    phrase
}

fn not_found_phrase(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.contains("no such file") || lower.contains("does not exist") || lower.contains("enoent") {
        "file does not exist".into()
    } else {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| NOT_FOUND.is_match(l))
            .unwrap_or("not found");
        // "Error response from daemon: failed to resolve reference …: registry/org/name:tag:
        // not found" says it last: the name that was not found.
        static NAME_NOT_FOUND: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?:^|[\s"'])([^\s"']+):\s*not found\s*$"#));
        match NAME_NOT_FOUND.captures(line).and_then(|c| c.get(1)) {
            Some(name) => format!(
                "`{}`: not found",
                name.as_str().rsplit('/').next().unwrap_or_default()
            ),
            None => line.trim_start_matches("Error: ").to_string(),
        }
    }
}

/// Messages that say a file does not parse: a slip of whoever last wrote the file (an
/// indentation, a bracket, a stray token), in the languages agents edit most.
static SYNTAX_SLIP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?-u:\b)(?:IndentationError|TabError|SyntaxError)(?-u:\b)|unexpected indent|unindent does not match|unclosed delimiter|unexpected closing delimiter|mismatched closing delimiter|unterminated string literal|(?-u:\b)syntax error:|expected expression, found|(?-u:\b)error TS1\d{3}(?-u:\b)",
    )
});

impl ErrorInfo {
    /// Whether the message says a source file does not parse (see [`SYNTAX_SLIP`]): repaired
    /// by editing source, a typo, never a lesson for the next session.
    pub(crate) fn syntax_slip(&self) -> bool {
        SYNTAX_SLIP.is_match(&self.phrase) || SYNTAX_SLIP.is_match(&self.excerpt)
    }

    /// The phrase with its location, in at most `max` characters: the message is cut
    /// first, so the file stays ("the `?` operator can only be used… in src/login.rs").
    /// Whether the message says what went wrong ("mismatched types", "API key disabled",
    /// a failing test's name) rather than only that something did ("exit code 1", "tests
    /// failed", "timed out", "permission denied" without the resource). A lesson a reader
    /// can use starts with a specific message; a bare exit code teaches nothing.
    pub(crate) fn specific(&self) -> bool {
        match self.class {
            ErrorClass::Compile | ErrorClass::Panic | ErrorClass::Exception | ErrorClass::CommandNotFound => {
                true
            }
            ErrorClass::Test => self.phrase.starts_with("failing test "),
            ErrorClass::Other => {
                let words = self.phrase.split_whitespace().count();
                words >= 3 && !self.phrase.to_ascii_lowercase().starts_with("exit code")
            }
            ErrorClass::Approval
            | ErrorClass::StaleEdit
            | ErrorClass::Harness
            | ErrorClass::Permission
            | ErrorClass::Sandbox
            | ErrorClass::NotFound
            | ErrorClass::Timeout
            | ErrorClass::ExitCode => false,
        }
    }

    pub(crate) fn phrase_within(&self, max: usize) -> String {
        match &self.location {
            Some(file) => {
                let budget = max.saturating_sub(file.chars().count() + 4).max(20);
                format!("{} in {file}", excerpt(&self.phrase, budget))
            }
            None => excerpt(&self.phrase, max.max(20)),
        }
    }
}

/// A phrase cut to [`PHRASE_CHARS`] characters, on one line.
fn short(phrase: &str) -> String {
    let flat = excerpt(phrase, PHRASE_CHARS);
    flat.trim_end_matches(['.', ':', ',']).to_string()
}

/// Source files named in an error, skipping toolchain and dependency paths.
fn error_files(text: &str) -> Vec<String> {
    // Toolchains' and package managers' own files, and the shell's start-up scripts: a
    // macOS shell in Codex's sandbox prints Homebrew's `shellenv.sh: line 18: /bin/ps:
    // Operation not permitted` before every command's output, whatever the command did.
    const FOREIGN: [&str; 9] = [
        "/rustc/",
        ".cargo/registry",
        "site-packages",
        "node_modules",
        "/usr/lib/",
        "<frozen",
        "/lib/python",
        ".rustup/",
        "/Homebrew/",
    ];
    path_tokens(text)
        .into_iter()
        .filter(|p| !FOREIGN.iter().any(|f| p.contains(f)))
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            !STARTUP_FILES.contains(&name)
        })
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests;
