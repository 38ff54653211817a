//! What a tool call did, across the three agents' tool names, and the shapes of a shell
//! command the failure→fix rule compares: the normalized command (a retry of the same
//! thing), its key (`cargo test`: the same task with other flags), and a short form for
//! titles.

mod segments;
mod shell_script;

use std::sync::LazyLock;

use regex::Regex;

pub(crate) use self::segments::segments;
use self::shell_script::shell_script;
use crate::text::file_name;

/// What a tool does, whatever the agent calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ToolKind {
    Shell,
    /// Writes a whole file (Write, create).
    Write,
    /// Changes part of a file (Edit, apply_patch).
    Edit,
    Read,
    Search,
    /// Asks the human something: its failures are the human's answers.
    Ask,
    Other,
}

impl ToolKind {
    pub(crate) fn changes_files(self) -> bool {
        matches!(self, ToolKind::Write | ToolKind::Edit)
    }
}

/// Classifies a tool by name (and, for Copilot's `str_replace_editor`, by its sub-command).
pub(crate) fn tool_kind(tool: &str, call_text: &str) -> ToolKind {
    let t = tool.to_ascii_lowercase();
    let t = t.rsplit(['.', '/']).next().unwrap_or(&t);
    match t {
        "bash" | "shell" | "sh" | "zsh" | "powershell" | "pwsh" | "cmd" | "exec_command" | "local_shell"
        | "shell_command" | "run_in_terminal" | "terminal" | "exec" | "run_command" | "execute_command" => {
            ToolKind::Shell
        }
        "write" | "create" | "create_file" | "write_file" | "writefile" => ToolKind::Write,
        "edit"
        | "multiedit"
        | "notebookedit"
        | "apply_patch"
        | "str_replace"
        | "replace_string_in_file"
        | "edit_file"
        | "insert_edit_into_file"
        | "insert"
        | "patch" => ToolKind::Edit,
        "read" | "view" | "read_file" | "cat" | "open_file" | "notebookread" => ToolKind::Read,
        "grep" | "glob" | "grep_search" | "file_search" | "list_dir" | "ls" | "find" | "search"
        | "codebase_search" | "semantic_search" | "websearch" | "webfetch" => ToolKind::Search,
        "askuserquestion" | "ask_user" | "ask_followup_question" | "request_user_input" => ToolKind::Ask,
        "str_replace_editor" | "str_replace_based_edit_tool" => {
            match call_text.split_whitespace().next().unwrap_or("") {
                "view" => ToolKind::Read,
                "create" => ToolKind::Write,
                _ => ToolKind::Edit,
            }
        }
        _ if t.contains("shell") || t.contains("bash") || t.contains("terminal") => ToolKind::Shell,
        _ => ToolKind::Other,
    }
}

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

/// Prefixes that wrap the real program.
const WRAPPERS: [&str; 7] = ["sudo", "time", "env", "nice", "nohup", "command", "exec"];

/// Leading segments that only set up the shell.
const SETUP: [&str; 8] = ["cd", "export", "set", "source", ".", "pushd", "popd", "unset"];

/// The command as the user would retype it: heredoc bodies dropped, `cd … &&` prefixes and
/// output filters (`| tail -n 20`, `2>&1`) removed, whitespace collapsed.
pub fn normalize_command(command: &str) -> String {
    let head = command_head(command);
    let mut segments: Vec<&str> = Vec::new();
    for (i, segment) in head.split("&&").enumerate() {
        let segment = segment.trim();
        let program = segment.split_whitespace().next().unwrap_or("");
        if i == 0 && SETUP.contains(&program) && head.contains("&&") {
            continue;
        }
        segments.push(segment);
    }
    let mut joined = segments.join(" && ");
    // Output filters change what is shown, not what runs.
    loop {
        let before = joined.len();
        for filter in ["| tail", "| head", "| less", "| cat", "|tail", "|head"] {
            if let Some((kept, after)) = joined.rsplit_once(filter)
                && !after.contains(['|', ';', '&'])
            {
                let cut = kept.len();
                joined.truncate(cut);
            }
        }
        for redirect in ["2>&1", "2> /dev/null", "2>/dev/null"] {
            joined = joined.replace(redirect, " ");
        }
        joined = joined.split_whitespace().collect::<Vec<_>>().join(" ");
        if joined.len() == before {
            break;
        }
    }
    joined
}

/// The command up to its first heredoc body: `cat > f <<'EOF'` keeps its first line,
/// without the `<<'EOF'` marker. Multi-line scripts keep their lines joined by `; `. The
/// line that says a Codex call ran with escalated permissions
/// ([`sk_core::escalation`]) is not part of the command: the same command run escalated
/// normalizes to the same text.
fn command_head(command: &str) -> String {
    let (command, _) = sk_core::escalation::split(command);
    let unwrapped = shell_script(command);
    let command = unwrapped.as_deref().unwrap_or(command);
    let mut out: Vec<String> = Vec::new();
    for line in command.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some((before, after)) = line.split_once("<<") {
            let before = before.trim_end();
            let after = after.trim_start_matches(['-', '~']).trim_start();
            let (_marker, rest) = after
                .char_indices()
                .find(|(j, c)| {
                    *j > 0
                        && (c.is_whitespace() || *c == '|' || *c == ';')
                        && !sk_core::text::prefix(after, *j).ends_with('\\')
                })
                .map_or((after, ""), |(j, _)| sk_core::text::split_at(after, j));
            let rest = rest.trim();
            out.push(if rest.is_empty() {
                before.to_string()
            } else {
                format!("{before} {rest}")
            });
            break;
        }
        out.push(line.to_string());
    }
    out.join("; ")
}

/// Tokens of the first segment that does real work: setup (`cd`, `export`, `FOO=1`) and
/// wrappers (`sudo`, `time`) skipped, the program reduced to its file name.
pub(crate) fn main_tokens(command: &str) -> Vec<String> {
    let mut out = work_tokens(command);
    if let Some(program) = out.first_mut() {
        *program = file_name(program).to_string();
    }
    out
}

/// [`main_tokens`] with the program as written (`./.venv/bin/python`, not `python`).
fn work_tokens(command: &str) -> Vec<String> {
    let head = command_head(command);
    for segment in segments(&head) {
        let mut tokens: Vec<&str> = segment.split_whitespace().collect();
        while let Some(first) = tokens.first() {
            let is_assignment = first.contains('=') && !first.starts_with('-') && !first.starts_with('=');
            if WRAPPERS.contains(first) || is_assignment {
                tokens.remove(0);
            } else {
                break;
            }
        }
        let Some(first) = tokens.first() else { continue };
        if SETUP.contains(first) {
            continue;
        }
        return tokens
            .iter()
            .map(|t| t.trim_matches(['"', '\'']).to_string())
            .collect();
    }
    Vec::new()
}

/// Programs that end a pipeline with their own exit status: `cmd | tail -5` succeeds
/// whatever `cmd` did, and so does `cmd || true`.
const STATUS_MASKS: [&str; 12] = [
    "tail", "head", "grep", "cat", "less", "tee", "true", ":", "echo", "sort", "uniq", "wc",
];

/// Whether the command's last stage after a pipe (`| tail -5`) or a fallback (`|| true`)
/// decides its exit status instead of the program that did the work: reported
/// successful, it may still have failed.
pub(crate) fn hides_exit_status(command: &str) -> bool {
    let head = command_head(command);
    let Some((_, last)) = head.rsplit_once('|') else {
        return false;
    };
    // `cmd |& tail` pipes stderr too.
    last.trim_start_matches('&')
        .split_whitespace()
        .next()
        .is_some_and(|program| STATUS_MASKS.contains(&program))
}

/// The folder a command first changes to (`cd app && npm test` → `app`), as written, when
/// it then runs something there.
pub(crate) fn cd_folder(command: &str) -> Option<String> {
    let head = command_head(command);
    cd_in(&head).filter(|_| head.contains("&&"))
}

/// The folder a command's first step changes to: `cd app && npm test`, `cd app; ls`, or a
/// bare `cd app`.
pub(crate) fn leading_cd(command: &str) -> Option<String> {
    cd_in(&command_head(command))
}

/// [`leading_cd`] of a command's head.
fn cd_in(head: &str) -> Option<String> {
    let first = segments(head).into_iter().next()?.trim();
    let mut words = first.split_whitespace();
    if words.next()? != "cd" {
        return None;
    }
    let folder = words.collect::<Vec<_>>().join(" ");
    let folder = folder.trim_matches(['"', '\'']);
    (!folder.is_empty()).then(|| folder.to_string())
}

/// A redirect that writes no file: `2>&1`, `>&2`, `2>/dev/null`, `&> /dev/null`.
pub(crate) static HARMLESS_REDIRECT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)(?:[&\d]?>>?\s*/dev/null|\d?>&\d)(?:\s|$)").expect("static regex"));

/// Programs that only look: reading, listing, searching, printing.
const INSPECTORS: [&str; 27] = [
    "ls", "cat", "head", "tail", "grep", "rg", "find", "fd", "wc", "pwd", "echo", "which", "type", "file",
    "stat", "tree", "nl", "less", "more", "jq", "printenv", "env", "uname", "whoami", "date", "du", "df",
];
/// git subcommands that only look.
const GIT_INSPECTORS: [&str; 9] = [
    "status",
    "diff",
    "log",
    "show",
    "branch",
    "remote",
    "rev-parse",
    "grep",
    "blame",
];

/// Whether a command only inspects (reads, lists, searches, prints) and changes nothing:
/// such a step between a failure and its fix is how the agent looked, not what fixed it.
/// A redirect or an in-place edit (`sed -i`) changes something.
pub(crate) fn only_inspects(command: &str) -> bool {
    let head = command_head(command);
    // Output thrown away or joined (`2>/dev/null`, `2>&1`) writes nothing.
    let head = HARMLESS_REDIRECT.replace_all(&head, " ");
    if head.contains('>') {
        return false;
    }
    let mut looked = false;
    for segment in segments(&head) {
        let tokens = main_tokens(segment);
        let Some(program) = tokens.first() else {
            continue;
        };
        let inspects = match program.as_str() {
            "sed" | "awk" => !tokens.iter().any(|t| t.starts_with("-i")),
            "git" => tokens
                .get(1)
                .is_some_and(|sub| GIT_INSPECTORS.contains(&sub.as_str())),
            p => INSPECTORS.contains(&p),
        };
        if !inspects {
            return false;
        }
        looked = true;
    }
    looked
}

/// The program a command runs.
pub(crate) fn program(command: &str) -> Option<String> {
    main_tokens(command).into_iter().next()
}

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
/// agent exploring, not a correction.
pub(crate) fn revises(failed: &str, ok: &str) -> Option<Revision> {
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
    if only_inspects(failed) {
        return None;
    }
    if program_change(failed, ok).is_some() {
        return Some(Revision::Program);
    }
    let (a, b) = (main_tokens(failed), main_tokens(ok));
    if a.len() < 2 || a.first() != b.first() {
        return None;
    }
    let subcommand = |t: &[String]| t[1..].iter().find(|w| !w.starts_with('-')).cloned();
    if subcommand(&a) != subcommand(&b) {
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

/// `NAME=value` as one shell word: a quote in the value must close in the same word, or
/// the value runs on past the whitespace split.
fn is_plain_assignment(word: &str) -> bool {
    let Some((name, value)) = word.split_once('=') else {
        return false;
    };
    let balanced = value.matches('"').count() % 2 == 0 && value.matches('\'').count() % 2 == 0;
    // `PID=$(lsof -ti:3000)` runs a command inside: split on spaces, it is not one word.
    let substitutes = value.contains(['(', ')', '`']);
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && balanced
        && !substitutes
}

/// A command short enough for a title: its head, absolute paths reduced to file names,
/// cut at `max` characters on a word boundary.
pub(crate) fn short_command(command: &str, max: usize) -> String {
    let head = normalize_command(command);
    let words: Vec<&str> = head.split_whitespace().collect();
    // `PYTHONPATH="…" python3 -c …` reads as `python3 -c …`: the variables would fill the
    // title before the program shows (the body keeps the whole command).
    let program_at = words.iter().position(|w| !is_plain_assignment(w)).unwrap_or(0);
    let shortened: Vec<String> = words[program_at..]
        .iter()
        .map(|w| {
            let bare = w.trim_matches(['\'', '"']);
            if bare.starts_with('/') && bare.matches('/').count() > 2 {
                bare.rsplit('/')
                    .find(|p| !p.is_empty())
                    .unwrap_or(bare)
                    .to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    let flat = shortened.join(" ").replace('`', "'");
    match flat.char_indices().nth(max) {
        None => flat,
        Some((end, _)) => {
            let head = sk_core::text::prefix(&flat, end);
            let cut = head.rfind(' ').filter(|&i| i > max / 2).unwrap_or(end);
            format!("{}…", sk_core::text::prefix(head, cut).trim_end())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multibyte_text_next_to_filters_heredocs_and_cuts() {
        assert_eq!(normalize_command("echo é— | tail -n 5"), "echo é—");
        assert_eq!(
            normalize_command("echo é— | tail -n 5 | wc"),
            "echo é— | tail -n 5 | wc"
        );
        assert_eq!(
            command_head("cat > f.md <<'EOF' — ü\nbody é\nEOF"),
            "cat > f.md — ü"
        );
        assert_eq!(command_head("cat <<é—\nx"), "cat");
        let short = short_command(&"é— ".repeat(100), 20);
        assert!(short.ends_with('…') && short.chars().count() <= 21, "{short}");
    }

    #[test]
    fn normalization_drops_setup_filters_and_heredocs() {
        assert_eq!(
            normalize_command("cd /repo && cargo test -p x 2>&1 | tail -n 20"),
            "cargo test -p x"
        );
        assert_eq!(
            normalize_command("cat > notes.md <<'EOF'\nbody\nEOF"),
            "cat > notes.md"
        );
        assert_eq!(normalize_command("  cargo   build "), "cargo build");
    }

    #[test]
    fn the_escalation_line_is_not_part_of_the_command() {
        let marked = sk_core::escalation::mark("cd /w && git fetch --all | tail -n 3", Some("refs"));
        assert_eq!(normalize_command(&marked), "git fetch --all");
        assert_eq!(program(&marked).as_deref(), Some("git"));
        assert_eq!(revises("git fetch --all", &marked), None);
        assert_eq!(short_command(&marked, 40), "git fetch --all");
    }

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
    fn short_commands_fit() {
        assert_eq!(
            short_command("cat > /var/folders/x/y/notes.md <<'EOF'\na\nEOF", 40),
            "cat > notes.md"
        );
        assert!(short_command(&"x ".repeat(60), 40).chars().count() <= 41);
        assert_eq!(
            short_command("PYTHONPATH=\"E:/a/b\" RUST_LOG=debug python3 -c 1", 40),
            "python3 -c 1"
        );
        // A quoted value with a space is not one word: nothing is dropped.
        assert_eq!(short_command("MSG=\"a b\" make", 40), "MSG=\"a b\" make");
        assert_eq!(short_command("FOO=1", 40), "FOO=1");
    }

    #[test]
    fn a_command_substitution_is_not_a_plain_assignment() {
        // `PID=$(lsof …)` is split by whitespace into `PID=$(lsof` and `-ti:3000)`: the
        // first word looks like `NAME=value`, and the title starts mid-substitution.
        let t = short_command("PID=$(lsof -ti:3000) && kill -9 $PID", 60);
        assert!(!t.starts_with("-ti"), "{t}");
        let t = short_command("VERSION=$(node -p 'x') npm publish", 60);
        assert!(!t.starts_with("-p"), "{t}");
    }

    #[test]
    fn an_inspector_with_the_same_arguments_is_not_another_program() {
        assert_eq!(
            revises("python3 scripts/report.py", "cat scripts/report.py"),
            None
        );
        assert_eq!(program_change("./deploy.sh", "cat ./deploy.sh"), None);
    }

    #[test]
    fn pipelines_that_hide_the_exit_status() {
        for hides in [
            "bundle install 2>&1 | tail -5",
            "cargo test x -- --nocapture 2>&1 | head -20",
            "git ls-remote --heads origin | grep -E 'refs/heads/[0-9]+-x$' || true",
            "make test || :",
            "npm run build |& tail -20",
        ] {
            assert!(hides_exit_status(hides), "{hides}");
        }
        for shows in [
            "bundle install",
            "rg 'a|b' src",
            "npm test && echo done",
            "ls | xargs rm",
        ] {
            assert!(!hides_exit_status(shows), "{shows}");
        }
        assert_eq!(
            cd_folder("cd /repo/app && npm test").as_deref(),
            Some("/repo/app")
        );
        assert_eq!(cd_folder("cd \"my app\" && npm test").as_deref(), Some("my app"));
        assert_eq!(cd_folder("npm test"), None);
        assert_eq!(cd_folder("cd app"), None);
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
        assert_eq!(revises("python3 -c 1", "python -c 1"), Some(Revision::Program));
    }

    #[test]
    fn inspecting_commands_are_told_from_ones_that_change_something() {
        for looks in [
            "ls -la src",
            "cat README.md | head -20",
            "sed -n '1,80p' src/main.rs",
            "cd app && rg -n foo && git status",
            "git diff HEAD~1",
            "find . -name package.json -not -path '*/node_modules/*' 2>/dev/null",
            "rg -n foo src 2>&1 | head -20",
            "ls missing &> /dev/null",
        ] {
            assert!(only_inspects(looks), "{looks}");
        }
        for does in [
            "npm install -D vite",
            "sed -i 's/a/b/' x.py",
            "echo x > notes.md",
            "cat a 2>/dev/null > b.txt",
            "ls && npm run build",
            "git commit -m fix",
            "",
        ] {
            assert!(!only_inspects(does), "{does}");
        }
    }

    #[test]
    fn tool_kinds() {
        assert_eq!(tool_kind("Bash", ""), ToolKind::Shell);
        assert_eq!(tool_kind("exec_command", ""), ToolKind::Shell);
        assert_eq!(tool_kind("view", ""), ToolKind::Read);
        assert_eq!(tool_kind("str_replace_editor", "create /a.rs"), ToolKind::Write);
        assert_eq!(tool_kind("AskUserQuestion", ""), ToolKind::Ask);
        assert_eq!(tool_kind("apply_patch", ""), ToolKind::Edit);
    }
}
