//! Turns a tool call's free-form `arguments` into what sk indexes: a short readable summary
//! (the command line, the path and snippet heads, or compact JSON) and the file paths the
//! call touches. Shared by `events.jsonl` and the legacy history JSON.

use serde_json::Value;
use sk_core::record::cap_text;

use crate::edit_text::change_heads;

/// Most bytes of a tool call summary: enough to recognise the call, not a whole file.
pub(crate) const MAX_CALL_SUMMARY_BYTES: usize = 500;
/// Most chars kept of one argument value inside a summary.
const SNIPPET_CHARS: usize = 100;

/// Keys whose string value is a path the call touches.
const PATH_KEYS: &[&str] = &[
    "path",
    "file_path",
    "filePath",
    "filename",
    "file",
    "target_file",
    "notebook_path",
    "old_path",
    "new_path",
];
/// Keys whose array value lists paths.
const PATH_LIST_KEYS: &[&str] = &["paths", "files", "filePaths", "file_paths"];
/// Argument keys shown first in a file call's summary, in this order.
const SNIPPET_ORDER: &[&str] = &[
    "old_str",
    "old_string",
    "new_str",
    "new_string",
    "file_text",
    "content",
];
/// The two sides of a replacement, rendered by [`change_heads`] when both are there.
const REPLACEMENT_KEYS: &[&str] = &["old_str", "old_string", "new_str", "new_string"];
/// Keys holding the command line of a shell tool.
const COMMAND_KEYS: &[&str] = &["command", "cmd", "script"];

/// Summary text and touched files of one tool call.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CallSummary {
    pub text: String,
    pub files: Vec<String>,
}

/// Summarises `arguments` of tool `tool`. Arguments given as a JSON-encoded string (older
/// formats) are decoded first; a non-JSON string is kept as the summary.
pub(crate) fn summarize_call(tool: &str, arguments: Option<&Value>) -> CallSummary {
    let decoded;
    let args = match arguments {
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v) => {
                decoded = v;
                &decoded
            }
            Err(_) => {
                let mut text = s.clone();
                cap_text(&mut text, MAX_CALL_SUMMARY_BYTES);
                return CallSummary {
                    text,
                    files: Vec::new(),
                };
            }
        },
        Some(v) => v,
        None => return CallSummary::default(),
    };
    let files = files_in(args);
    let mut text = match (is_shell_tool(tool), shell_command(args)) {
        (true, Some(command)) => command,
        _ => match files.first() {
            Some(path) => file_call_text(path, args),
            None => compact_json(args),
        },
    };
    cap_text(&mut text, MAX_CALL_SUMMARY_BYTES);
    CallSummary { text, files }
}

/// Whether `tool` runs shell commands (so `command` is a command line, not an editor
/// sub-command as in `str_replace_editor`).
fn is_shell_tool(tool: &str) -> bool {
    let t = tool.to_ascii_lowercase();
    ["bash", "shell", "powershell", "pwsh", "terminal", "exec"]
        .iter()
        .any(|k| t.contains(k))
        || matches!(t.as_str(), "sh" | "zsh" | "cmd")
}

fn shell_command(args: &Value) -> Option<String> {
    COMMAND_KEYS.iter().find_map(|k| match args.get(*k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Array(parts) => {
            let words: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            (!words.is_empty()).then(|| words.join(" "))
        }
        _ => None,
    })
}

/// Every path named by the arguments, in key order, without duplicates or `.`.
pub(crate) fn files_in(args: &Value) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    let Some(map) = args.as_object() else {
        return files;
    };
    let mut add = |p: &str| {
        let p = p.trim();
        if !p.is_empty() && p != "." && !files.iter().any(|f| f == p) {
            files.push(p.to_owned());
        }
    };
    for key in PATH_KEYS {
        if let Some(p) = map.get(*key).and_then(Value::as_str) {
            add(p);
        }
    }
    for key in PATH_LIST_KEYS {
        if let Some(list) = map.get(*key).and_then(Value::as_array) {
            list.iter().filter_map(Value::as_str).for_each(&mut add);
        }
    }
    files
}

/// `path` on the first line, then one `key: head` line per other short argument, so an
/// edit reads as the file plus the heads of its old and new text.
fn file_call_text(path: &str, args: &Value) -> String {
    let mut text = String::new();
    if let Some(sub) = args.get("command").and_then(Value::as_str) {
        text.push_str(sub);
        text.push(' ');
    }
    text.push_str(path);
    let Some(map) = args.as_object() else {
        return text;
    };
    // A replacement reads as every agent's edit does: the lines that changed.
    let side = |keys: [&str; 2]| keys.iter().find_map(|k| map.get(*k).and_then(Value::as_str));
    let replaced = match (side(["old_str", "old_string"]), side(["new_str", "new_string"])) {
        (Some(old), Some(new)) => {
            text.push_str(&change_heads(Some(old), Some(new)));
            true
        }
        _ => false,
    };
    // Old text before new text reads naturally whatever order the JSON map keeps.
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| {
        (
            SNIPPET_ORDER.iter().position(|p| p == k).unwrap_or(usize::MAX),
            *k,
        )
    });
    for key in keys {
        let skip = key == "command"
            || PATH_KEYS.contains(&key.as_str())
            || PATH_LIST_KEYS.contains(&key.as_str())
            || (replaced && REPLACEMENT_KEYS.contains(&key.as_str()));
        let Some(value) = map.get(key).filter(|_| !skip) else {
            continue;
        };
        let rendered = match value {
            Value::String(s) if s.trim().is_empty() => continue,
            Value::String(s) => snippet(s),
            Value::Null => continue,
            Value::Bool(_) | Value::Number(_) => value.to_string(),
            Value::Array(_) | Value::Object(_) => compact_json(value),
        };
        text.push('\n');
        text.push_str(key);
        text.push_str(": ");
        text.push_str(&rendered);
        if text.len() > MAX_CALL_SUMMARY_BYTES {
            break;
        }
    }
    text
}

/// The first line of `s`, at most [`SNIPPET_CHARS`] chars, marked when cut.
fn snippet(s: &str) -> String {
    let trimmed = s.trim_start();
    let line = trimmed.lines().next().unwrap_or("");
    let mut out: String = line.chars().take(SNIPPET_CHARS).collect();
    if out.len() < trimmed.trim_end().len() {
        out.push('…');
    }
    out
}

/// Compact JSON with long strings cut to snippets, so a 1 MB `content` argument costs
/// nothing to summarise.
fn compact_json(value: &Value) -> String {
    let mut out = String::new();
    write_compact(value, &mut out);
    out
}

fn write_compact(value: &Value, out: &mut String) {
    if out.len() > MAX_CALL_SUMMARY_BYTES {
        return;
    }
    match value {
        Value::String(s) => {
            let cut: String = s.chars().take(SNIPPET_CHARS).collect();
            let cut = if cut.len() < s.len() {
                format!("{cut}…")
            } else {
                cut
            };
            out.push_str(&Value::String(cut).to_string());
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_compact(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The exit code a shell tool reports at the end of its output, as Copilot writes it
/// (`<shellId: 0 completed with exit code 2>`, older `<exited with exit code 2>`).
pub(crate) fn trailing_exit_code(output: &str) -> Option<i64> {
    let tail = output.trim_end();
    let tail = tail.strip_suffix('>')?;
    let (_, marker) = tail.rsplit_once('<')?;
    let (_, code) = marker.rsplit_once("exit code ")?;
    code.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shell_calls_read_as_their_command_line() {
        let s = summarize_call(
            "bash",
            Some(&json!({"command": "cargo test -p x", "description": "Run"})),
        );
        assert_eq!(s.text, "cargo test -p x");
        assert!(s.files.is_empty());
    }

    #[test]
    fn editor_sub_command_is_not_a_shell_command() {
        let args = json!({"command": "str_replace", "path": "/src/a.rs", "old_str": "fn a() {\n}", "new_str": "fn b() {}"});
        let s = summarize_call("str_replace_editor", Some(&args));
        assert_eq!(s.files, vec!["/src/a.rs"]);
        assert_eq!(s.text, "str_replace /src/a.rs\n- fn a() {\n+ fn b() {}");
        // The line that changed, as in a Claude Code edit.
        let args = json!({"command": "str_replace", "path": "/src/a.rs",
                          "old_str": "fn a() {\n    1\n}", "new_str": "fn a() {\n    2\n}"});
        let s = summarize_call("str_replace_editor", Some(&args));
        assert_eq!(s.text, "str_replace /src/a.rs\n- 1\n+ 2");
    }

    #[test]
    fn other_tools_are_compact_json_with_long_strings_cut() {
        let long = "x".repeat(5000);
        let s = summarize_call("task", Some(&json!({"prompt": long, "name": "w"})));
        // Keys keep the agent's own order (serde_json's preserve_order).
        assert!(s.text.starts_with("{\"prompt\":\"xxx"), "{}", s.text);
        assert!(s.text.contains("\"name\":\"w\""), "{}", s.text);
        assert!(s.text.len() <= MAX_CALL_SUMMARY_BYTES + 20);
        let s = summarize_call("glob", Some(&json!({"pattern": "note*"})));
        assert_eq!(s.text, "{\"pattern\":\"note*\"}");
    }

    #[test]
    fn paths_come_from_every_path_key_and_encoded_arguments() {
        let args = json!(r#"{"paths":["a.rs","b.rs","a.rs"],"file_path":"c.rs","path":"."}"#);
        let s = summarize_call("read_many", Some(&args));
        assert_eq!(s.files, vec!["c.rs", "a.rs", "b.rs"]);
        let s = summarize_call("x", Some(&json!("not json")));
        assert_eq!(s.text, "not json");
    }

    #[test]
    fn exit_codes_are_read_from_the_trailing_marker_only() {
        assert_eq!(
            trailing_exit_code("1\n2\n<shellId: 0 completed with exit code 0>"),
            Some(0)
        );
        assert_eq!(
            trailing_exit_code("boom\n<exited with exit code 127>\n"),
            Some(127)
        );
        assert_eq!(trailing_exit_code("the exit code 3 was printed"), None);
        assert_eq!(trailing_exit_code("<b>bold</b>"), None);
    }
}
