//! What the shell did to a command line before it ran: refused it (a zsh glob that
//! matched no file, a quote never closed, a bad substitution), or ran it with a variable
//! that expanded to nothing. The command the agent wrote never ran as written, so the
//! log's outcome says little (Claude Code logs grep's "no matches" as a success) and the
//! line's rewrite is the fix.

use std::sync::LazyLock;

use regex::Regex;

use super::re;

/// The end of a glob zsh refused that an error's phrase shows, in bytes.
const GLOB_BYTES: usize = 24;

/// A shell's own refusal of a command line, printed before anything ran: zsh's "no matches
/// found" for a glob that matched nothing (`grep --include=*.py` read as a file pattern),
/// a parse or syntax error, a bad substitution. Claude Code's interpretation of the exit
/// status (grep's 1: "no matches") can record such a run as a success.
static SHELL_REFUSAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^(?:\(eval\)|-?((?:ba|z|da|k)?sh)|/[\w/]*/((?:ba|z|da|k)?sh))(?:: eval)?(?::(?: line)? ?\d+)?: ((?:no matches found|parse error|syntax error|bad substitution|bad pattern|unmatched|unexpected EOF|event not found).*)",
    )
});

/// Why the shell did not run a command line as written, when the error and the line say
/// it: a glob that matched no file (zsh), a quote a `\` escaped so that it never closed
/// (a Windows path ending in `\`), a variable that expanded to nothing.
pub(crate) fn shell_refusal_why(command: &str, error: &str) -> Option<String> {
    if unmatched_glob(error).is_some() {
        return Some(
            "zsh reads an unquoted word with `*`, `?`, `[` or `(` as a file pattern and stops the \
             command when no file matches; quote the word (or drop it)."
                .to_string(),
        );
    }
    if let Some(variable) = expanded_to_nothing(command, error) {
        return Some(format!(
            "`${variable}` is not set in this shell, so the command ran with an empty name; \
             write the value out."
        ));
    }
    let unclosed = error.contains("unexpected EOF while looking for matching");
    (unclosed && (command.contains("\\\"") || command.contains("\\'"))).then(|| {
        "In bash a `\\` right before a closing quote escapes it, so the quote never closes \
         (a Windows path ending in `\\`); write the path with `/`."
            .to_string()
    })
}

/// The shell's refusal said without where it was printed from: "bash: unexpected EOF
/// while looking for matching `"'" (not "/usr/bin/bash: eval: line 1: …").
fn shell_refusal_phrase(text: &str) -> Option<String> {
    let c = text.lines().find_map(|l| SHELL_REFUSAL.captures(l.trim()))?;
    // zsh names itself "(eval)" when Claude Code runs the command line through eval.
    let shell = c.get(1).or_else(|| c.get(2)).map_or("zsh", |m| m.as_str());
    Some(format!("{shell}: {}", c.get(3)?.as_str()))
}

/// A line that is only an exit status, as Claude Code and Codex write it.
static EXIT_STATUS_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)^exit code:? \d+$"));

/// Whether a line of output is only the exit status the log wrote before it.
pub(crate) fn is_exit_status_line(line: &str) -> bool {
    EXIT_STATUS_LINE.is_match(line.trim())
}

/// Whether every line of an output is the shell refusing the command line: then the
/// command never ran, whatever outcome the log recorded.
pub(crate) fn shell_refused(text: &str) -> bool {
    // The exit status a log writes before the output ("Exit code 2") is no output.
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_exit_status_line(l))
        .peekable();
    lines.peek().is_some() && lines.all(|l| SHELL_REFUSAL.is_match(l))
}

/// The word zsh refused as a glob that matched nothing ("zsh:1: no matches found:
/// --include=*.py"): the command never ran, and that word, unquoted, is why.
static UNMATCHED_GLOB: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?im)^(?:\(eval\)|-?zsh|/[\w/]*/zsh)(?::\d+)?: no matches found: (\S+)\s*$"));

/// The word a zsh refusal names as a glob that matched nothing, if the output is one.
pub(crate) fn unmatched_glob(text: &str) -> Option<&str> {
    UNMATCHED_GLOB
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// A file error about an empty name (`ls: cannot access '': No such file or directory`).
static EMPTY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)cannot (?:access|open|stat) ''|^[\w./-]+: '': No such file|^[\w./-]+: : No such file")
});
/// A word that is one shell variable and nothing else: `$APPDATA`, `"${HOME}"`.
static VARIABLE_WORD: LazyLock<Regex> =
    LazyLock::new(|| re(r#"^["']?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?["']?$"#));

/// The variable that expanded to nothing, when a command with one as a whole argument
/// failed on an empty file name: the shell ran another line than the one written
/// (`ls "$APPDATA"` is `ls ""` where the variable is not set).
pub(crate) fn expanded_to_nothing(command: &str, error: &str) -> Option<String> {
    if !EMPTY_NAME.is_match(error) {
        return None;
    }
    // The program that complained (`ls: cannot access ''`) names the stage it ran in;
    // there, only a variable that is a whole argument can have become that empty name.
    let complained = error
        .lines()
        .find(|l| EMPTY_NAME.is_match(l))
        .and_then(|l| l.split(':').next())
        .map(|p| p.rsplit('/').next().unwrap_or(p).trim());
    command
        .split(['|', '&', ';'])
        .map(str::split_whitespace)
        .filter_map(|mut words| {
            let program = words.next()?;
            (complained.is_none_or(|c| c == program)).then_some(words)
        })
        .flatten()
        .find_map(|w| VARIABLE_WORD.captures(w))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

/// The phrase of a refusal: the glob zsh found no file for, by its end in a long path
/// ("zsh: no match for `…app/(payload)/layout.tsx`"), else the shell's words.
pub(super) fn refusal_phrase(text: &str) -> Option<String> {
    if let Some(glob) = unmatched_glob(text) {
        let tail = sk_core::text::suffix(glob, GLOB_BYTES);
        let cut = if tail.len() < glob.len() { "…" } else { "" };
        return Some(format!("zsh: no match for `{cut}{tail}`"));
    }
    if shell_refused(text) {
        return shell_refusal_phrase(text);
    }
    None
}
