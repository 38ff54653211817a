//! How a passing command relates to a failed one: the same task with other flags
//! ([`command_key`]), the missing program run another way ([`corrects_missing_program`]),
//! another program for the same arguments ([`program_change`]), or the same command
//! revised ([`revises`]).

use super::{command_head, main_tokens, only_inspects, work_tokens};
use crate::text::file_name;

/// Programs whose first word argument names the task (`cargo test`, `npm run`), so that a
/// retry with other flags is the same attempt.
const TASK_RUNNERS: [&str; 40] = [
    "cargo",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "deno",
    "go",
    "make",
    "just",
    "git",
    "docker",
    "kubectl",
    "mvn",
    "gradle",
    "gradlew",
    "dotnet",
    "swift",
    "xcodebuild",
    "cmake",
    "ninja",
    "bazel",
    "tox",
    "nox",
    "uv",
    "poetry",
    "pip",
    "pip3",
    "bundle",
    "rake",
    "mix",
    "npx",
    "pnpx",
    "terraform",
    "helm",
    "rustup",
    "flutter",
    "dart",
    "composer",
    "sbt",
    "zig",
];

/// Test runners: the task is what they select (files, test ids, `-k` words), whatever
/// their flags — `PYTHONPATH=. pytest -q` retries `pytest -q` (the assignment is no word),
/// `pytest tests/b.py` is another task than `pytest tests/a.py`.
const TEST_RUNNERS: [&str; 3] = ["pytest", "jest", "vitest"];
/// Flags with which a test runner runs no test: such a run passing fixes nothing.
const LISTING_FLAGS: [&str; 7] = [
    "--collect-only",
    "--co",
    "--version",
    "--help",
    "-h",
    "--listTests",
    "--list",
];

/// `cargo test`, `npm run`, `python -m pytest`, `pytest tests/a.py`: what task a command
/// runs, for task and test runners only (for other programs the whole command is the
/// task).
pub(crate) fn command_key(command: &str) -> Option<String> {
    let tokens = main_tokens(command);
    let program = tokens.first()?;
    if program.starts_with("python") && tokens.get(1).is_some_and(|t| t == "-m") {
        return tokens.get(2).map(|m| format!("python -m {m}"));
    }
    if TEST_RUNNERS.contains(&program.as_str()) {
        if tokens.iter().any(|t| LISTING_FLAGS.contains(&t.as_str())) {
            return None;
        }
        let mut selected: Vec<&str> = tokens
            .iter()
            .skip(1)
            .filter(|t| !t.starts_with('-'))
            .map(String::as_str)
            .collect();
        selected.sort_unstable();
        return Some(
            std::iter::once(program.as_str())
                .chain(selected)
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if !TASK_RUNNERS.contains(&program.as_str()) {
        return None;
    }
    let sub = tokens[1..]
        .iter()
        .find(|t| !t.starts_with('-') && !t.starts_with('+'));
    Some(match sub {
        Some(sub)
            if sub
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == ':') =>
        {
            format!("{program} {sub}")
        }
        _ => program.clone(),
    })
}

/// Whether `ok` is a corrected form of `failed`, whose program was not found: it runs the
/// missing program another way (`python -m pytest` for `pytest`), or keeps most of its
/// arguments with another program (`grep -rn TODO src` for `rg TODO src`), or the same
/// flags (`python3 -` for `python -`, a script on stdin).
pub(crate) fn corrects_missing_program(failed: &str, missing: Option<&str>, ok: &str) -> bool {
    let failed_tokens = main_tokens(failed);
    let ok_tokens = main_tokens(ok);
    let (Some(failed_program), Some(ok_program)) = (failed_tokens.first(), ok_tokens.first()) else {
        return false;
    };
    let missing = missing.unwrap_or(failed_program);
    if ok_program == missing {
        return false;
    }
    // A program the command never names was missing from the shell's start-up files
    // (`compdef` in a zsh rc): the environment's noise, not what the command got wrong.
    let names = |t: &str| {
        let t = t.trim_matches(|c: char| c == '(' || c == ')' || c == '"' || c == '\'' || c == '`');
        t == missing || t.ends_with(&format!("/{missing}"))
    };
    if !failed.split_whitespace().any(names) {
        return false;
    }
    if ok_tokens[1..]
        .iter()
        .any(|t| t == missing || t.ends_with(&format!("/{missing}")))
    {
        return true;
    }
    let args = |tokens: &[String]| -> Vec<String> {
        tokens[1..]
            .iter()
            .filter(|t| !t.starts_with('-'))
            .cloned()
            .collect()
    };
    let (a, b) = (args(&failed_tokens), args(&ok_tokens));
    if a.is_empty() {
        // Only flags, or a script on stdin (`python - <<'PY'`, whose body the head
        // drops): the same flags after another program is the same run.
        return failed_tokens.len() > 1 && failed_tokens[1..] == ok_tokens[1..];
    }
    let shared = a.iter().filter(|t| b.contains(t)).count();
    let union = a.len() + b.iter().filter(|t| !a.contains(t)).count();
    shared * 2 >= union
}

/// How a passing command revises a failed one of the same program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revision {
    /// Only quoting or escaping differs: `sed -n 1p 'app/(auth)/page.tsx'` after zsh
    /// took the parentheses for a glob.
    Quoted,
    /// The same program and subcommand with some arguments changed: `cargo add serde
    /// --features derive` after `--feature` was refused, `npm ci --omit=dev` after an
    /// unknown option.
    Arguments,
    /// The same arguments run by another program: `python` where `python3` is the Windows
    /// store alias, the project's `./.venv/bin/python` where the system one lacks its
    /// packages, or an interpreter put before a script that could not be executed
    /// (`python3 scripts/x.py` after `scripts/x.py`: permission denied).
    Program,
}

/// Longest interpreter or runner put before a failed command (`uv run`, `python3`).
const MAX_PREFIX_WORDS: usize = 2;

/// The program that ran `ok` in place of `failed`'s, when everything else is the same:
/// `(failed program, ok program or prefix, prefixed)`. A program of the same name counts
/// only from a `bin/` folder — an environment's own (`.venv/bin/python`,
/// `node_modules/.bin/tsc`) or the system's (`/usr/bin/python` rather than the one on
/// `PATH`): `./x.sh` against `/abs/x.sh` is the same script found from another folder.
/// A program that only looks (`cat x.py`) runs nothing.
pub(crate) fn program_change(failed: &str, ok: &str) -> Option<(String, String, bool)> {
    // `cat x.py` has the arguments of `python3 x.py` but runs nothing.
    if only_inspects(ok) {
        return None;
    }
    let (a, b) = (work_tokens(failed), work_tokens(ok));
    let (pa, pb) = (a.first()?, b.first()?);
    if a.len() >= 2 && a.len() == b.len() && a[1..] == b[1..] && pa != pb {
        let same_name = file_name(pa) == file_name(pb);
        let own_copy = pb.contains("bin/") || pb.contains("bin\\");
        return (!same_name || own_copy).then(|| (pa.clone(), pb.clone(), false));
    }
    let extra = b.len().checked_sub(a.len())?;
    let prefixed = (1..=MAX_PREFIX_WORDS).contains(&extra)
        && b[extra..] == a[..]
        && b[..extra].iter().all(|t| !t.starts_with('-'))
        && file_name(&b[0]) != file_name(pa);
    prefixed.then(|| (pa.clone(), b[..extra].join(" "), true))
}

/// Whether `ok` is `failed` revised, and how. Quoting counts for any command; changed
/// arguments only for a command that does more than look and keeps its program, its
/// subcommand and at least half of its words: a search retried with other words is the
/// agent exploring, not a correction — unless the shell did not run the failed line as
/// written (`not_as_written`: it refused it, or a variable in it expanded to nothing):
/// then rewriting it is the fix, whatever the command does (a Windows path whose trailing
/// `\` escaped its closing quote, written with `/`; `"$APPDATA"` written out).
pub(crate) fn revises(failed: &str, ok: &str, not_as_written: bool) -> Option<Revision> {
    let (failed_head, ok_head) = (command_head(failed), command_head(ok));
    if failed_head == ok_head {
        return None;
    }
    let unquoted = |h: &str| -> String {
        h.chars()
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if unquoted(&failed_head) == unquoted(&ok_head) {
        return Some(Revision::Quoted);
    }
    if only_inspects(failed) && !not_as_written {
        return None;
    }
    if program_change(failed, ok).is_some() {
        return Some(Revision::Program);
    }
    // A refused line's quotes may not pair up (that was the error): its words are read
    // as written, up to the first operator, instead of as the shell would join them.
    let (a, b) = if not_as_written {
        (written_words(failed), written_words(ok))
    } else {
        (main_tokens(failed), main_tokens(ok))
    };
    if a.len() < 2 || a.first() != b.first() {
        return None;
    }
    let subcommand = |t: &[String]| t[1..].iter().find(|w| !w.starts_with('-')).cloned();
    // (A line not run as written: its first plain word may be the path the shell choked
    // on, rewritten.)
    if subcommand(&a) != subcommand(&b) && !not_as_written {
        return None;
    }
    let shared = a.iter().filter(|t| b.contains(t)).count();
    let union = a.len() + b.iter().filter(|t| !a.contains(t)).count();
    // Dropping only what the command acts on (a user name, a file) runs another operation
    // (`net localgroup G /add` creates the group the failed call added a user to), not the
    // same one fixed: the change must touch a flag or add an argument.
    let added = b.iter().any(|t| !a.contains(t));
    let flag_changed = a
        .iter()
        .filter(|t| !b.contains(t))
        .chain(b.iter().filter(|t| !a.contains(t)))
        .any(|t| t.starts_with('-'));
    (shared * 2 >= union && shared < union && (flag_changed || added)).then_some(Revision::Arguments)
}

/// The words of a command's first stage as written, quotes taken off their ends.
fn written_words(command: &str) -> Vec<String> {
    command_head(command)
        .split_whitespace()
        .take_while(|w| !matches!(*w, "||" | "&&" | "|" | ";"))
        .map(|w| w.trim_matches(['\'', '"']).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::program;

    #[test]
    fn keys_name_the_task() {
        assert_eq!(
            command_key("cargo test -p auth -- --nocapture").as_deref(),
            Some("cargo test")
        );
        assert_eq!(
            command_key("RUST_LOG=debug cargo +nightly build").as_deref(),
            Some("cargo build")
        );
        assert_eq!(
            command_key("python3 -m pytest -q").as_deref(),
            Some("python -m pytest")
        );
        assert_eq!(command_key("python3 a.py"), None);
        assert_eq!(
            program("cd x && /usr/bin/python3 a.py").as_deref(),
            Some("python3")
        );
    }

    #[test]
    fn corrected_commands() {
        assert!(corrects_missing_program(
            "pytest -q",
            Some("pytest"),
            "python -m pytest -q"
        ));
        assert!(corrects_missing_program(
            "rg TODO src",
            Some("rg"),
            "grep -rn TODO src"
        ));
        assert!(!corrects_missing_program("rg TODO src", Some("rg"), "ls -la"));
        assert!(!corrects_missing_program("pytest", Some("pytest"), "pytest"));
    }

    #[test]
    fn an_inspector_with_the_same_arguments_is_not_another_program() {
        assert_eq!(
            revises("python3 scripts/report.py", "cat scripts/report.py", false),
            None
        );
        assert_eq!(program_change("./deploy.sh", "cat ./deploy.sh"), None);
    }

    #[test]
    fn another_program_running_the_same_arguments_is_a_revision() {
        let swap = |a: &str, b: &str| program_change(a, b);
        assert_eq!(
            swap(
                "PYTHONPATH=x python3 -c 'print(1)'",
                "PYTHONPATH=x python -c 'print(1)'"
            ),
            Some(("python3".into(), "python".into(), false))
        );
        assert_eq!(
            swap(
                "python - <<'PY'\nimport app\nPY",
                "./.venv/bin/python - <<'PY'\nimport app\nPY"
            ),
            Some(("python".into(), "./.venv/bin/python".into(), false))
        );
        assert_eq!(
            swap("scripts/list.py --all", "python3 scripts/list.py --all"),
            Some(("scripts/list.py".into(), "python3".into(), true))
        );
        assert_eq!(
            swap("pytest -q", "uv run pytest -q"),
            Some(("pytest".into(), "uv run".into(), true))
        );
        // The same script found from another folder, other arguments, a flag put first,
        // three words put first: not another program.
        assert_eq!(swap("./x.sh a", "/home/u/x.sh a"), None);
        assert_eq!(swap("python3 a.py", "python a.py --fast"), None);
        assert_eq!(swap("pytest -q", "--x pytest -q"), None);
        assert_eq!(swap("pytest -q", "a b c pytest -q"), None);
        assert_eq!(swap("node", "bun"), None);
        assert_eq!(
            revises("python3 -c 1", "python -c 1", false),
            Some(Revision::Program)
        );
    }
}
