//! The lesson of a shell that cannot start: on a Windows host without WSL's bash, every
//! command an agent sends through `bash` fails before it runs ("execvpe /bin/bash
//! failed"), whatever the command; the agent then runs its commands through PowerShell.
//! The next session on that host should start there instead of failing first.
//!
//! Decided (precision first):
//! - The failure is the shell's own: its error says the shell could not be executed
//!   (`execvpe /bin/bash failed`, `/bin/sh: not found` as the whole message, cmd's
//!   "'bash' is not recognized as an internal or external command"). What the command
//!   asked for does not matter: it never ran.
//! - The proof is a call written for another shell (`pwsh`, `powershell`, `cmd`) that
//!   passed within [`WINDOW`] tool calls. Without it the error is an event of the moment.
//! - One lesson per session.
//!
//! Confidence 0.65: the error names the shell that is missing and the passing call the one
//! that works, so the lesson can be stated whole.

use std::sync::LazyLock;

use regex::Regex;
use sk_core::{Category, Record};

use crate::commands::short_command;
use crate::text::excerpt;
use crate::{Candidate, Evidence};

/// Tool calls after the failure in which the other shell must pass.
const WINDOW: usize = 6;
const CONFIDENCE: f32 = 0.65;
const ERROR_CHARS: usize = 300;

/// The shell could not be executed: Linux's `execvpe`, a missing interpreter, Windows' cmd.
static SHELL_FAILED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?im)execvpe?\(?\s*/(?:usr/)?bin/(bash|zsh|sh)(?-u:\b)[^\n]*(?-u:\b)failed|^/(?:usr/)?bin/(bash|zsh|sh): (?:not found|no such file or directory)\s*$|['"](bash|zsh|sh)(?:\.exe)?['"] is not recognized as an internal or external command"#,
    )
    .expect("static regex")
});

/// Shells an agent turns to when `bash` cannot start.
const OTHER_SHELLS: [&str; 3] = ["pwsh", "powershell", "cmd"];

/// The session's watch: a shell that could not start, waiting for another shell to pass,
/// and the lesson once one did.
#[derive(Debug, Default)]
pub(super) struct ShellWatch {
    waiting: Option<MissingShell>,
    lesson: Option<Candidate>,
}

impl ShellWatch {
    /// A tool call: the window of a waiting failure runs out.
    pub(super) fn called(&mut self) {
        if self.waiting.as_mut().is_some_and(|m| !m.counts()) {
            self.waiting = None;
        }
    }

    /// A shell call failed with `output`: it may be the shell itself that could not start.
    pub(super) fn failed(&mut self, output: &str, call: usize, result: usize) {
        if self.lesson.is_none() && self.waiting.is_none() {
            self.waiting = MissingShell::from_failure(output, call, result);
        }
    }

    /// The call at `ok.0` passed: through another shell, it proves the lesson.
    pub(super) fn passed(&mut self, records: &[Record], ok: (usize, usize)) {
        if let Some(m) = &self.waiting
            && let Some(other) = m.other_shell(&records[ok.0].text)
        {
            self.lesson = Some(m.lesson(records, &other, ok));
            self.waiting = None;
        }
    }

    pub(super) fn lesson(self) -> Option<Candidate> {
        self.lesson
    }
}

/// A shell that could not start, waiting for another shell to pass.
#[derive(Debug)]
struct MissingShell {
    shell: String,
    call: usize,
    result: usize,
    calls_since: usize,
}

impl MissingShell {
    /// The shell a failed call's error says could not start.
    fn from_failure(output: &str, call: usize, result: usize) -> Option<MissingShell> {
        let c = SHELL_FAILED.captures(output)?;
        let shell = (1..=3).find_map(|i| c.get(i))?.as_str().to_ascii_lowercase();
        Some(MissingShell {
            shell,
            call,
            result,
            calls_since: 0,
        })
    }

    /// Counts a tool call; `false` once the window is over.
    fn counts(&mut self) -> bool {
        self.calls_since += 1;
        self.calls_since <= WINDOW
    }

    /// The other shell a passing call was written for, if any.
    fn other_shell(&self, command: &str) -> Option<String> {
        let first = command.split_whitespace().next()?;
        let name = first
            .trim_matches(['"', '\''])
            .rsplit(['/', '\\'])
            .next()?
            .to_ascii_lowercase();
        let name = name.strip_suffix(".exe").unwrap_or(&name).to_string();
        (OTHER_SHELLS.contains(&name.as_str()) && name != self.shell).then_some(name)
    }

    /// The lesson, proven by the passing call `ok` through `other`.
    fn lesson(&self, records: &[Record], other: &str, ok: (usize, usize)) -> Candidate {
        let failed = &records[self.call];
        let error = excerpt(records[self.result].text.trim(), ERROR_CHARS);
        let passed = &records[ok.0];
        let shell = &self.shell;
        Candidate {
            category: Category::Mistake,
            title: format!("`{shell}` cannot start on this host: run commands through `{other}`"),
            body: format!(
                "Failed before it ran (the shell itself): `{}`\nError: {error}\nThen passed through `{other}`: `{}`",
                short_command(&failed.text, 120),
                short_command(&passed.text, 160)
            ),
            tags: vec![
                "failure-fix".to_string(),
                "missing-shell".to_string(),
                shell.clone(),
                other.to_string(),
            ],
            files: Vec::new(),
            confidence: CONFIDENCE,
            evidence: [self.call, self.result, ok.0, ok.1]
                .iter()
                .map(|&k| Evidence::of(&records[k]))
                .collect(),
            cues: vec!["rule:failure-fix".to_string(), "match:other-shell".to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MissingShell;

    #[test]
    fn only_the_shell_s_own_failure_counts() {
        let wsl = "exit code 1\n<3>WSL (9) ERROR: CreateProcessEntryCommon:505: execvpe /bin/bash failed 2";
        assert_eq!(
            MissingShell::from_failure(wsl, 0, 1).map(|m| m.shell),
            Some("bash".to_string())
        );
        let cmd =
            "'bash' is not recognized as an internal or external command,\noperable program or batch file.";
        assert!(MissingShell::from_failure(cmd, 0, 1).is_some());
        // A script the shell ran that failed is the script's failure.
        assert!(MissingShell::from_failure("/bin/bash: line 1: foo: command not found", 0, 1).is_none());
        assert!(MissingShell::from_failure("bash: ./run.sh: No such file or directory", 0, 1).is_none());
    }

    #[test]
    fn another_shell_is_read_from_the_call_as_written() {
        let m = MissingShell::from_failure("execvpe /bin/bash failed 2", 0, 1);
        let m = m.expect("a missing shell");
        assert_eq!(
            m.other_shell("pwsh -NoLogo -Command 'Get-ChildItem'"),
            Some("pwsh".to_string())
        );
        assert_eq!(
            m.other_shell("C:\\Windows\\powershell.exe -c dir"),
            Some("powershell".to_string())
        );
        assert_eq!(m.other_shell("ls -la"), None);
        assert_eq!(m.other_shell("bash -lc ls"), None);
    }
}
