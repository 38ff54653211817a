//! Turns Codex tool calls and their outputs into searchable text: the command line of a
//! shell call, the files an `apply_patch` touches, an output excerpt without the exec
//! preamble, and whether the call failed. Kept apart from the line mapping because these
//! heuristics follow Codex's tool set, which changes faster than the rollout envelope.

use std::borrow::Cow;

use serde::Deserialize;
use sk_core::record::{MAX_TOOL_OUTPUT_BYTES, capped};

use super::wire::{Action, Arguments, CommandLine, Content, OutputObject, ToolOutput};

/// Most bytes kept of a command line, patch or script in a tool call's text.
const COMMAND_SUMMARY_BYTES: usize = 1024;
/// Most bytes kept of other tools' arguments (compact JSON).
const JSON_SUMMARY_BYTES: usize = 512;
/// How far into an output the exec preamble (`Exit code: 1`, `Wall time: …`) can reach.
const PREAMBLE_LINES: usize = 8;

/// The readable side of a tool call.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct CallSummary {
    pub text: String,
    pub files: Vec<String>,
}

/// The readable side of a tool result.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ResultSummary {
    pub success: bool,
    pub text: String,
}

/// The argument fields sk understands, across `shell` (`command` argv), `shell_command`
/// (`command` string), `exec_command` (`cmd`), function-style `apply_patch` (`input`) and
/// file tools (`path`), and whether the call asked to run outside the sandbox
/// (`with_escalated_permissions: true`, or `sandbox_permissions: "require_escalated"` in
/// newer releases, each with a `justification`). Those three are read as any JSON value, so
/// an unexpected type never costs the call its command.
#[derive(Debug, Default, Deserialize)]
struct ToolArgs<'a> {
    #[serde(borrow, default)]
    command: Option<CommandLine<'a>>,
    #[serde(borrow, default)]
    cmd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    input: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    patch: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    path: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    file_path: Option<Cow<'a, str>>,
    #[serde(default)]
    with_escalated_permissions: Option<serde_json::Value>,
    #[serde(default)]
    sandbox_permissions: Option<serde_json::Value>,
    #[serde(default)]
    justification: Option<serde_json::Value>,
}

impl ToolArgs<'_> {
    /// `Some(justification)` when the call ran with escalated sandbox permissions.
    fn escalation(&self) -> Option<Option<&str>> {
        let flagged = matches!(
            self.with_escalated_permissions,
            Some(serde_json::Value::Bool(true))
        ) || self
            .sandbox_permissions
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .is_some_and(|p| p == "require_escalated");
        flagged.then(|| self.justification.as_ref().and_then(serde_json::Value::as_str))
    }
}

/// `function_call {name, arguments}`. Arguments that are not valid JSON are kept as raw
/// text, so a damaged call is still findable. A call that ran with escalated sandbox
/// permissions ends with the marker line of [`sk_core::escalation`].
pub(super) fn function_call(arguments: Option<&Arguments>) -> CallSummary {
    let raw: Cow<str> = match arguments {
        None => return CallSummary::default(),
        Some(Arguments::Encoded(s)) => Cow::Borrowed(s),
        Some(Arguments::Object(v)) => Cow::Owned(v.to_string()),
    };
    let Ok(args) = serde_json::from_str::<ToolArgs>(&raw) else {
        return CallSummary {
            text: capped(raw.trim(), JSON_SUMMARY_BYTES),
            files: Vec::new(),
        };
    };
    let mut call = parsed_call(&args, &raw);
    if let Some(justification) = args.escalation() {
        call.text = sk_core::escalation::mark(&call.text, justification);
    }
    call
}

fn parsed_call(args: &ToolArgs, raw: &str) -> CallSummary {
    let mut files = Vec::new();
    for path in [&args.path, &args.file_path].into_iter().flatten() {
        push_unique(&mut files, path);
    }
    if let Some(command) = args
        .cmd
        .as_deref()
        .map(Cow::Borrowed)
        .or_else(|| args.command.as_ref().and_then(command_line))
    {
        return CallSummary {
            text: capped(command, COMMAND_SUMMARY_BYTES),
            files,
        };
    }
    if let Some(patch) = [&args.input, &args.patch]
        .into_iter()
        .flatten()
        .find(|p| p.contains("*** Begin Patch"))
    {
        let mut call = patch_call(patch);
        for f in files {
            push_unique(&mut call.files, &f);
        }
        return call;
    }
    CallSummary {
        text: capped(compact_json(raw), JSON_SUMMARY_BYTES),
        files,
    }
}

/// `custom_tool_call {name, input}`: free-form input, `apply_patch` patches and code-mode
/// `exec` scripts (which may embed a patch in a string literal).
pub(super) fn custom_call(input: &str) -> CallSummary {
    if input.contains("*** Begin Patch") && input.trim_start().starts_with("*** Begin Patch") {
        return patch_call(input);
    }
    CallSummary {
        text: capped(input.trim(), COMMAND_SUMMARY_BYTES),
        files: patch_files(input),
    }
}

/// `local_shell_call.action` and `web_search_call.action`.
pub(super) fn action_call(action: Option<&Action>) -> CallSummary {
    let Some(action) = action else {
        return CallSummary::default();
    };
    let text = action
        .command
        .as_ref()
        .and_then(command_line)
        .or_else(|| action.query.as_deref().map(Cow::Borrowed))
        .or_else(|| action.url.as_deref().map(Cow::Borrowed))
        .or_else(|| action.pattern.as_deref().map(Cow::Borrowed))
        .unwrap_or_default();
    CallSummary {
        text: capped(text, COMMAND_SUMMARY_BYTES),
        files: Vec::new(),
    }
}

fn patch_call(patch: &str) -> CallSummary {
    let body = patch.trim();
    let body = body.strip_prefix("*** Begin Patch").unwrap_or(body);
    let body = body.strip_suffix("*** End Patch").unwrap_or(body);
    CallSummary {
        text: capped(body.trim(), COMMAND_SUMMARY_BYTES),
        files: patch_files(patch),
    }
}

/// `["bash", "-lc", "script"]` reads best as the script itself; other argv are joined,
/// quoting the words that need it.
fn command_line<'c>(command: &'c CommandLine) -> Option<Cow<'c, str>> {
    match command {
        CommandLine::Line(line) => Some(Cow::Borrowed(line)),
        CommandLine::Argv(argv) => {
            if let [shell, flag, script] = argv.as_slice() {
                let is_shell = ["bash", "sh", "zsh", "powershell", "pwsh"]
                    .iter()
                    .any(|s| shell.ends_with(s));
                if is_shell && matches!(flag.as_ref(), "-lc" | "-c" | "-Command") {
                    return Some(Cow::Borrowed(script));
                }
            }
            let words: Vec<Cow<str>> = argv
                .iter()
                .map(|w| {
                    if !w.is_empty() && !w.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                        Cow::Borrowed(w.as_ref())
                    } else {
                        Cow::Owned(format!("'{}'", w.replace('\'', r"'\''")))
                    }
                })
                .collect();
            Some(Cow::Owned(words.join(" ")))
        }
        CommandLine::Other(_) => None,
    }
}

/// Every path named by a `*** Update File:` / `*** Add File:` / `*** Delete File:` /
/// `*** Move to:` header. A patch inside a code-mode script is still JavaScript source, so
/// its lines end with a literal `\n` escape rather than a newline.
pub(super) fn patch_files(patch: &str) -> Vec<String> {
    const HEADERS: [&str; 4] = ["Update File: ", "Add File: ", "Delete File: ", "Move to: "];
    let mut files = Vec::new();
    for (at, marker) in patch.match_indices("*** ") {
        let Some(rest) = patch.get(at + marker.len()..) else {
            continue;
        };
        let Some(path) = HEADERS.iter().find_map(|h| rest.strip_prefix(h)) else {
            continue;
        };
        // The path ends at the line's end, a closing quote or a literal `\n` escape.
        let path = path.split(['\n', '\r', '"']).next().unwrap_or_default();
        let path = path.split("\\n").next().unwrap_or_default().trim();
        if !path.is_empty() {
            push_unique(&mut files, path);
        }
    }
    files
}

fn push_unique(files: &mut Vec<String>, path: &str) {
    if !files.iter().any(|f| f == path) {
        files.push(path.to_string());
    }
}

/// Re-serialises pretty-printed JSON compactly; already-compact input is kept as is.
fn compact_json(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\n') {
        return Cow::Borrowed(raw.trim());
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => Cow::Owned(v.to_string()),
        Err(_) => Cow::Borrowed(raw.trim()),
    }
}

/// The output of an exec-style tool, possibly wrapped as `{"output", "metadata":
/// {"exit_code"}}` (the `shell` tool) or as an MCP result `{"content", "isError"}`.
#[derive(Debug, Default, Deserialize)]
struct EncodedOutput<'a> {
    #[serde(borrow, default)]
    output: Option<Cow<'a, str>>,
    #[serde(default)]
    metadata: Option<super::wire::ExecMetadata>,
    #[serde(borrow, default)]
    content: Option<Content<'a>>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(rename = "isError", default)]
    is_error: Option<bool>,
}

/// What the output says about the call, before choosing the excerpt.
#[derive(Debug, Default)]
struct Verdicts {
    exit_code: Option<i64>,
    success: Option<bool>,
}

/// `function_call_output.output` / `custom_tool_call_output.output` to a verdict and an
/// excerpt. Success comes from an exit code when the output exposes one, then from an
/// explicit success flag, then from an error-looking first line; otherwise the call is
/// taken to have succeeded.
pub(super) fn tool_result(output: Option<&ToolOutput>) -> ResultSummary {
    let mut verdicts = Verdicts::default();
    let joined: Cow<str> = match output {
        None | Some(ToolOutput::Other) => Cow::Borrowed(""),
        Some(ToolOutput::Text(t)) => Cow::Borrowed(t),
        Some(ToolOutput::Parts(parts)) => join_lines(parts.iter().filter_map(|p| p.text.as_deref())),
        Some(ToolOutput::Object(OutputObject {
            content,
            output,
            success,
            metadata,
        })) => {
            verdicts.success = *success;
            verdicts.exit_code = metadata.as_ref().and_then(|m| m.exit_code);
            match (content, output) {
                (Some(content), _) => join_lines(content.texts()),
                (None, Some(output)) => Cow::Borrowed(output),
                (None, None) => Cow::Borrowed(""),
            }
        }
    };
    let decoded = decode_encoded_output(&joined, &mut verdicts);
    let text: &str = decoded.as_deref().unwrap_or(&joined);
    let (preamble_exit, body) = split_preamble(text);
    let exit_code = verdicts.exit_code.or(preamble_exit);
    let success = match (exit_code, verdicts.success) {
        (Some(code), _) => code == 0,
        (None, Some(flag)) => flag,
        (None, None) => !looks_failed(body),
    };
    let body = body.trim_matches('\n');
    let text = match exit_code {
        Some(code) if code != 0 => {
            let mut s = format!("exit code {code}\n");
            s.push_str(&capped(body, MAX_TOOL_OUTPUT_BYTES.saturating_sub(s.len())));
            s
        }
        _ => capped(body, MAX_TOOL_OUTPUT_BYTES),
    };
    ResultSummary { success, text }
}

/// Joins output pieces with newlines, borrowing when there is only one.
fn join_lines<'p>(mut texts: impl Iterator<Item = &'p str>) -> Cow<'p, str> {
    match (texts.next(), texts.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(only), None) => Cow::Borrowed(only),
        (Some(first), Some(second)) => {
            let mut s = String::with_capacity(first.len() + second.len() + 1);
            s.push_str(first);
            for t in std::iter::once(second).chain(texts) {
                if !s.is_empty() && !s.ends_with('\n') {
                    s.push('\n');
                }
                s.push_str(t);
            }
            Cow::Owned(s)
        }
    }
}

/// Unwraps a JSON-encoded output document; `None` when the text is just output.
fn decode_encoded_output(text: &str, verdicts: &mut Verdicts) -> Option<String> {
    let trimmed = text.trim();
    if !(trimmed.starts_with('{') && trimmed.ends_with('}')) {
        return None;
    }
    let doc: EncodedOutput = serde_json::from_str(trimmed).ok()?;
    let exit_code = doc.metadata.as_ref().and_then(|m| m.exit_code);
    let flag = doc.success.or(doc.is_error.map(|e| !e));
    let inner = match (doc.output, doc.content) {
        (Some(out), _) => out.into_owned(),
        (None, Some(content)) => join_lines(content.texts()).into_owned(),
        // A command that printed some other JSON object.
        (None, None) if exit_code.is_none() && flag.is_none() => return None,
        (None, None) => String::new(),
    };
    verdicts.exit_code = verdicts.exit_code.or(exit_code);
    verdicts.success = verdicts.success.or(flag);
    Some(inner)
}

/// Splits the exec preamble Codex puts before command output (`Exit code: 0`, `Wall time:
/// 0.1 seconds`, `Process exited with code 1`, `Chunk ID: …`, `Script completed`, then
/// `Output:`), returning the exit code it names and the output after it. Text without a
/// recognisable preamble is returned whole. Newer `exec_command` outputs open with the
/// command echoed (`Command: /bin/zsh -lc "…"`), over as many lines as a heredoc takes:
/// the preamble starts at the first of its own lines after it.
fn split_preamble(text: &str) -> (Option<i64>, &str) {
    let mut exit_code = None;
    let mut rest = skip_echoed_command(text);
    for _ in 0..PREAMBLE_LINES {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let line = line.trim();
        if line == "Output:" || line == "Final output:" {
            return (exit_code, after);
        }
        if let Some(code) = line
            .strip_prefix("Exit code: ")
            .or_else(|| line.strip_prefix("Process exited with code "))
        {
            exit_code = code.trim().parse().ok();
        } else if !is_preamble_line(line) {
            break;
        }
        if after.is_empty() {
            rest = "";
            break;
        }
        rest = after;
    }
    (exit_code, if exit_code.is_some() { rest } else { text })
}

/// The text from the preamble after a leading `Command: …` echo; the text itself when it
/// has no such echo, or no preamble follows it. The preamble is the run of preamble lines
/// that ends at an `Output:` line: an echoed heredoc may hold lines that look like one
/// (`Exit code: 1` written to a fixture), never followed by `Output:` within that run.
fn skip_echoed_command(text: &str) -> &str {
    if !text.starts_with("Command: ") {
        return text;
    }
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|t| t.find("\nOutput:")) {
        let output_at = from + found;
        if let Some(start) = preamble_run_before(text, output_at) {
            return text.get(start..).unwrap_or(text);
        }
        from = output_at + 1;
    }
    text
}

/// Where the run of preamble lines that ends at byte `end` (a line break) starts, if any.
fn preamble_run_before(text: &str, end: usize) -> Option<usize> {
    let mut end = end;
    let mut start = None;
    loop {
        let line_start = text.get(..end)?.rfind('\n').map_or(0, |i| i + 1);
        let line = text.get(line_start..end)?.trim();
        let preamble = is_preamble_line(line)
            || line.starts_with("Exit code: ")
            || line.starts_with("Process exited with code ");
        if !preamble || line_start == 0 {
            return start;
        }
        start = Some(line_start);
        end = line_start - 1;
    }
}

fn is_preamble_line(line: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "Chunk ID:",
        "Wall time",
        "Original token count:",
        "Total output lines:",
        "Process running with session ID",
        "Script completed",
        "Script running with cell ID",
        "Script failed",
    ];
    PREFIXES.iter().any(|p| line.starts_with(p))
}

/// Failure markers of tool outputs that carry no exit code (custom tools, apply_patch,
/// sandbox refusals, code-mode scripts).
fn looks_failed(body: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "error:",
        "error ",
        "execution error",
        "failed",
        "apply_patch verification failed",
        "script failed",
        "script error",
        "aborted",
        "invalid patch",
    ];
    // Compared as bytes: the markers are ASCII, and the output's first bytes may cut a
    // multi-byte character anywhere (a real log had '—' across byte 64).
    let head = body.trim_start().as_bytes();
    MARKERS.iter().any(|m| {
        head.get(..m.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(m.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codex::wire::Part;

    fn args(json: &str) -> Arguments<'_> {
        Arguments::Encoded(Cow::Borrowed(json))
    }

    #[test]
    fn shell_calls_read_as_their_command_line() {
        let c = function_call(Some(&args(
            r#"{"command":["bash","-lc","ls -la"],"workdir":"/w"}"#,
        )));
        assert_eq!(c.text, "ls -la");
        let c = function_call(Some(&args(r#"{"command":["rg","foo bar","src"]}"#)));
        assert_eq!(c.text, "rg 'foo bar' src");
        let c = function_call(Some(&args(r#"{"cmd":"wc -w notes.md","yield_time_ms":1000}"#)));
        assert_eq!(c.text, "wc -w notes.md");
        let c = function_call(Some(&args(r#"{"command":"git status"}"#)));
        assert_eq!(c.text, "git status");
    }

    #[test]
    fn escalated_calls_end_with_the_marker_line() {
        let c = function_call(Some(&args(
            r#"{"command":["bash","-lc","git fetch --all"],"with_escalated_permissions":true,"justification":"Need to update refs"}"#,
        )));
        assert_eq!(
            c.text,
            "git fetch --all\n[escalated permissions: Need to update refs]"
        );
        let c = function_call(Some(&args(
            r#"{"command":"pnpm run db:migrate","sandbox_permissions":"require_escalated","justification":"needs network"}"#,
        )));
        assert_eq!(
            c.text,
            "pnpm run db:migrate\n[escalated permissions: needs network]"
        );
        let c = function_call(Some(&args(r#"{"cmd":"ls","with_escalated_permissions":true}"#)));
        assert_eq!(c.text, "ls\n[escalated permissions]");
        // Not escalated: false, another policy, an odd type — and the command is still read.
        for raw in [
            r#"{"cmd":"ls","with_escalated_permissions":false,"justification":"x"}"#,
            r#"{"cmd":"ls","sandbox_permissions":"use_default"}"#,
            r#"{"cmd":"ls","with_escalated_permissions":"yes","sandbox_permissions":7,"justification":[1]}"#,
        ] {
            assert_eq!(function_call(Some(&args(raw))).text, "ls", "{raw}");
        }
        // A justification of another type still marks the call, without one.
        let c = function_call(Some(&args(
            r#"{"cmd":"ls","with_escalated_permissions":true,"justification":{}}"#,
        )));
        assert_eq!(c.text, "ls\n[escalated permissions]");
        let (cmd, e) = sk_core::escalation::split(&c.text);
        assert_eq!((cmd, e.map(|e| e.justification)), ("ls", Some("")));
    }

    #[test]
    fn malformed_arguments_are_kept_raw() {
        let c = function_call(Some(&args(r#"{"cmd": "ls -la"#)));
        assert_eq!(c.text, r#"{"cmd": "ls -la"#);
        assert!(c.files.is_empty());
    }

    #[test]
    fn other_tools_get_compact_json_and_their_paths() {
        let c = function_call(Some(&args("{\n  \"path\": \"img.png\"\n}")));
        assert_eq!(c.text, r#"{"path":"img.png"}"#);
        assert_eq!(c.files, ["img.png"]);
        let big = format!(r#"{{"plan":"{}"}}"#, "x".repeat(5000));
        assert!(function_call(Some(&args(&big))).text.len() <= JSON_SUMMARY_BYTES + 20);
    }

    #[test]
    fn patches_name_their_files() {
        let patch = "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-old\n+new\n*** Add File: b.md\n+hi\n*** Delete File: c.txt\n*** Update File: d.rs\n*** Move to: e.rs\n*** End Patch";
        let c = custom_call(patch);
        assert_eq!(c.files, ["src/a.rs", "b.md", "c.txt", "d.rs", "e.rs"]);
        assert!(c.text.starts_with("*** Update File: src/a.rs"));
        assert!(!c.text.contains("End Patch"));
        let encoded = serde_json::json!({ "input": patch }).to_string();
        assert_eq!(function_call(Some(&args(&encoded))).files.len(), 5);
    }

    #[test]
    fn a_patch_inside_a_script_still_names_its_files() {
        let js = r#"const patch = "*** Begin Patch\n*** Add File: notes.md\n+x\n*** End Patch";
text(await tools.apply_patch(patch));"#;
        let c = custom_call(js);
        assert_eq!(c.files, ["notes.md"]);
        assert!(c.text.starts_with("const patch"));
    }

    fn text(s: &str) -> ToolOutput<'_> {
        ToolOutput::Text(Cow::Borrowed(s))
    }

    #[test]
    fn exit_codes_decide_success_and_the_preamble_is_dropped() {
        let r = tool_result(Some(&text(
            "Chunk ID: 7aa77b\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: 5\nOutput:\n      11 notes.md\n",
        )));
        assert_eq!(
            r,
            ResultSummary {
                success: true,
                text: "      11 notes.md".into()
            }
        );
        let r = tool_result(Some(&text(
            "Exit code: 2\nWall time: 0.1 seconds\nOutput:\nls: x: No such file\n",
        )));
        assert!(!r.success);
        assert_eq!(r.text, "exit code 2\nls: x: No such file");
        let r = tool_result(Some(&text(
            r#"{"output":"boom\n","metadata":{"exit_code":1,"duration_seconds":0.1}}"#,
        )));
        assert!(!r.success);
        assert_eq!(r.text, "exit code 1\nboom");
    }

    #[test]
    fn an_echoed_command_before_the_preamble_is_dropped_and_its_exit_code_read() {
        // As a real macOS rollout had it: the command (a heredoc, over several lines)
        // echoed before the preamble, and a non-zero exit further down.
        let r = tool_result(Some(&text(
            "Command: /bin/zsh -lc \"python - <<'PY'\nfrom app import app\nprint(app)\nPY\"\nChunk ID: 145b35\nWall time: 0.2301 seconds\nProcess exited with code 1\nOriginal token count: 63\nOutput:\nModuleNotFoundError: No module named 'dotenv'\n",
        )));
        assert!(!r.success);
        assert_eq!(
            r.text,
            "exit code 1\nModuleNotFoundError: No module named 'dotenv'"
        );
        let ok = tool_result(Some(&text(
            "Command: /bin/zsh -lc 'git diff'\nChunk ID: 71d7ac\nWall time: 0.0000 seconds\nProcess exited with code 0\nOutput:\ndiff --git a/x b/x\n",
        )));
        assert!(ok.success);
        assert_eq!(ok.text, "diff --git a/x b/x");
        // An echo with no preamble after it is output like any other.
        let bare = tool_result(Some(&text("Command: not a preamble\nhello")));
        assert_eq!(bare.text, "Command: not a preamble\nhello");
    }

    #[test]
    fn a_preamble_line_inside_the_echoed_heredoc_is_not_the_preamble() {
        // The command writes a fixture whose lines look like Codex's preamble: the first
        // "\nExit code: " in the text is inside the echoed command, not after it.
        let r = tool_result(Some(&text(
            "Command: /bin/zsh -lc \"cat > fixture.txt <<'EOF'\nExit code: 1\nboom\nEOF\"\nChunk ID: 1a2b\nWall time: 0.0100 seconds\nProcess exited with code 0\nOriginal token count: 0\nOutput:\n",
        )));
        assert!(r.success, "{}", r.text);
        assert_eq!(r.text, "");
    }

    #[test]
    fn a_wall_time_line_inside_the_echoed_heredoc_does_not_hide_the_exit_code() {
        let r = tool_result(Some(&text(
            "Command: /bin/zsh -lc \"cat > notes.md <<'EOF'\nWall time matters\nEOF\nfalse\"\nChunk ID: 1a2b\nWall time: 0.0100 seconds\nProcess exited with code 1\nOriginal token count: 0\nOutput:\n",
        )));
        assert!(!r.success, "{}", r.text);
    }

    #[test]
    fn outputs_without_exit_codes_use_flags_then_markers() {
        assert!(tool_result(Some(&text("Success. Updated the following files:\nM a.rs"))).success);
        assert!(!tool_result(Some(&text("apply_patch verification failed: no such file"))).success);
        assert!(
            !tool_result(Some(&text(
                r#"{"content":[{"type":"text","text":"nope"}],"isError":true}"#
            )))
            .success
        );
        let obj = ToolOutput::Object(OutputObject {
            content: Some(Content::Text("x".into())),
            success: Some(false),
            ..OutputObject::default()
        });
        assert!(!tool_result(Some(&obj)).success);
        // Some command printed JSON: not an envelope.
        let r = tool_result(Some(&text(r#"{"name":"pkg"}"#)));
        assert_eq!(
            r,
            ResultSummary {
                success: true,
                text: r#"{"name":"pkg"}"#.into()
            }
        );
    }

    #[test]
    fn failure_markers_ignore_case_and_multibyte_text_anywhere() {
        // Issue 17: '—' across byte 64 of the output panicked the old check.
        assert!(!looks_failed(&format!("{}— done", "x".repeat(63))));
        assert!(looks_failed(&format!("  ERROR: {}— details", "y".repeat(56))));
        assert!(looks_failed("Script failed — see above"));
        assert!(!looks_failed("é"));
        assert!(!looks_failed("—"));
        assert!(!looks_failed(""));
        assert!(!looks_failed("erro"));
    }

    #[test]
    fn patch_headers_with_multibyte_paths() {
        assert_eq!(
            patch_files("*** Begin Patch\n*** Add File: é—ü.md\n+x\n*** Move to: 目录/文件.rs\r\n*** "),
            ["é—ü.md", "目录/文件.rs"]
        );
        assert_eq!(
            patch_files(r#"{"input":"*** Update File: naïve.rs\n@@"}"#),
            ["naïve.rs"]
        );
    }

    #[test]
    fn part_lists_are_joined_and_outputs_capped() {
        let parts = vec![
            Part {
                text: Some("Script completed\nWall time 0.2 seconds\nOutput:\n".into()),
            },
            Part { text: None },
            Part {
                text: Some("2 notes.md".into()),
            },
        ];
        let r = tool_result(Some(&ToolOutput::Parts(parts)));
        assert_eq!(
            r,
            ResultSummary {
                success: true,
                text: "2 notes.md".into()
            }
        );
        let long = "y".repeat(10 * MAX_TOOL_OUTPUT_BYTES);
        assert!(tool_result(Some(&text(&long))).text.len() < MAX_TOOL_OUTPUT_BYTES + 32);
    }
}
