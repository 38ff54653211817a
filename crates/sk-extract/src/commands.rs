//! What a tool call did, across the three agents' tool names, and the shapes of a shell
//! command the failure→fix rule compares: the normalized command (a retry of the same
//! thing), its program and words, and a short form for titles. How a passing command
//! relates to a failed one (the same task, a corrected or revised command) is `compare`.

mod compare;
mod segments;
mod shell_script;

use std::sync::LazyLock;

use regex::Regex;

pub(crate) use self::compare::{Revision, command_key, corrects_missing_program, program_change, revises};
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
            "git" => git_inspects(&tokens),
            p => INSPECTORS.contains(&p),
        };
        if !inspects {
            return false;
        }
        looked = true;
    }
    looked
}

/// Whether a `git` command only looks. `git remote` and `git branch` list, but with
/// more words they change the repository (`git remote set-url`, `git branch -D old`).
fn git_inspects(tokens: &[String]) -> bool {
    let Some(sub) = tokens.get(1).map(String::as_str) else {
        return false;
    };
    let rest = tokens.get(2..).unwrap_or_default();
    match sub {
        "remote" => rest
            .first()
            .is_none_or(|t| matches!(t.as_str(), "-v" | "--verbose" | "show" | "get-url")),
        "branch" => git_branch_lists(rest),
        sub => GIT_INSPECTORS.contains(&sub),
    }
}

/// Whether `git branch` with these words lists branches: no flag that deletes, moves,
/// copies or re-tracks one, and no new branch's name — unless `--list` makes the names
/// patterns. Options that take a value (`--contains main`, `--sort=-date`) only filter.
fn git_branch_lists(words: &[String]) -> bool {
    const CHANGES: [&str; 14] = [
        "-d",
        "-D",
        "--delete",
        "-m",
        "-M",
        "--move",
        "-c",
        "-C",
        "--copy",
        "-u",
        "--set-upstream-to",
        "--unset-upstream",
        "--edit-description",
        "-f",
    ];
    const TAKES_VALUE: [&str; 6] = [
        "--contains",
        "--no-contains",
        "--merged",
        "--no-merged",
        "--points-at",
        "--sort",
    ];
    let (mut listing, mut names) = (false, false);
    let mut words = words.iter();
    while let Some(w) = words.next() {
        let w = w.as_str();
        if CHANGES.contains(&w) || w.starts_with("--set-upstream-to=") || w == "--force" {
            return false;
        }
        if TAKES_VALUE.contains(&w) {
            words.next();
        } else if matches!(w, "--list" | "-l") {
            listing = true;
        } else if !w.starts_with('-') {
            names = true;
        }
    }
    listing || !names
}

/// The program a command runs.
pub(crate) fn program(command: &str) -> Option<String> {
    main_tokens(command).into_iter().next()
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
        assert_eq!(revises("git fetch --all", &marked, false), None);
        assert_eq!(short_command(&marked, 40), "git fetch --all");
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
            "git remote -v",
            "git remote get-url origin",
            "git branch -a",
            "git branch --list 'release/*'",
            "git branch --contains main --sort=-committerdate",
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
            "git remote set-url origin https://example.com/a.git",
            "git branch -D old",
            "git branch feature/x",
            "git branch --set-upstream-to=origin/main",
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
