//! Turns Claude Code tool calls and tool results into short searchable text. A `tool_use`
//! input can hold a whole file (Write) and a `tool_result` a whole build log, so what gets
//! indexed is a readable summary: the command, the path with heads of the change, the
//! search pattern; and for results the error message or a capped excerpt.

use serde_json::Value;
use sk_core::record::{MAX_TEXT_BYTES, MAX_TOOL_OUTPUT_BYTES, cap_text, capped};

use crate::edit_text::{change_heads, head};

/// Longest head of a sub-agent prompt quoted in a call summary.
const PROMPT_HEAD_CHARS: usize = 200;
/// Cap on the compact JSON used for tools without a dedicated summary.
const JSON_SUMMARY_BYTES: usize = 500;

/// The searchable form of one tool call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallSummary {
    pub text: String,
    pub files: Vec<String>,
}

/// Summarises the arguments of a call to `tool`.
pub fn summarize_call(tool: &str, input: Option<&Value>) -> CallSummary {
    let null = Value::Null;
    let input = input.unwrap_or(&null);
    let s = |key: &str| input.get(key).and_then(Value::as_str).filter(|v| !v.is_empty());
    let path = s("file_path").or_else(|| s("notebook_path"));

    let text = match tool {
        "Bash" => s("command").map(str::to_owned),
        "Read" => path.map(|p| {
            let range = [("offset", "from line"), ("limit", "limit")]
                .iter()
                .filter_map(|(k, label)| {
                    input
                        .get(*k)
                        .and_then(Value::as_u64)
                        .map(|n| format!("{label} {n}"))
                })
                .collect::<Vec<_>>();
            if range.is_empty() {
                p.to_owned()
            } else {
                format!("{p} ({})", range.join(", "))
            }
        }),
        "Edit" => path.map(|p| {
            let all = if input.get("replace_all").and_then(Value::as_bool) == Some(true) {
                " (all)"
            } else {
                ""
            };
            format!("{p}{all}{}", change_heads(s("old_string"), s("new_string")))
        }),
        "MultiEdit" => path.map(|p| {
            let edits = input.get("edits").and_then(Value::as_array);
            let first = edits.and_then(|e| e.first());
            let field = |k: &str| first.and_then(|e| e.get(k)).and_then(Value::as_str);
            let n = edits.map_or(0, Vec::len);
            format!(
                "{p} ({n} edits){}",
                change_heads(field("old_string"), field("new_string"))
            )
        }),
        "Write" => path.map(|p| format!("{p}{}", change_heads(None, s("content")))),
        "NotebookEdit" => path.map(|p| format!("{p}{}", change_heads(None, s("new_source")))),
        "Grep" | "Glob" => s("pattern").map(|pattern| {
            let mut out = pattern.to_owned();
            if let Some(dir) = s("path") {
                out.push_str(" in ");
                out.push_str(dir);
            }
            if let Some(glob) = s("glob").or_else(|| s("type")) {
                out.push_str(&format!(" ({glob})"));
            }
            out
        }),
        "Task" | "Agent" => {
            let mut out = String::new();
            if let Some(kind) = s("subagent_type") {
                out.push_str(&format!("[{kind}] "));
            }
            if let Some(desc) = s("description") {
                out.push_str(desc);
            }
            if let Some(prompt) = s("prompt") {
                if !out.is_empty() {
                    out.push_str(": ");
                }
                out.push_str(&head(prompt, PROMPT_HEAD_CHARS));
            }
            (!out.is_empty()).then_some(out)
        }
        "WebFetch" => s("url").map(str::to_owned),
        "WebSearch" => s("query").map(str::to_owned),
        _ => None,
    };
    let mut text = text.unwrap_or_else(|| compact_json(input));
    cap_text(&mut text, MAX_TEXT_BYTES);

    let mut files: Vec<String> = Vec::new();
    for key in ["file_path", "notebook_path", "path"] {
        if let Some(p) = s(key).filter(|p| !files.iter().any(|f| f == p)) {
            files.push(p.to_owned());
        }
    }
    CallSummary { text, files }
}

/// Arguments of tools without a dedicated summary (MCP tools, TodoWrite, …) as compact JSON.
fn compact_json(input: &Value) -> String {
    if input.is_null() {
        return String::new();
    }
    let mut text = input.to_string();
    cap_text(&mut text, JSON_SUMMARY_BYTES);
    text
}

/// What a tool result says about its call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultSummary {
    pub success: bool,
    pub text: String,
}

/// Judges a tool result from its `is_error` flag and its text. Claude Code does not always
/// set the flag, so the markers it writes into failed results also count as failure.
pub fn summarize_result(is_error: bool, output: &str) -> ResultSummary {
    let trimmed = output.trim();
    let tagged_error = trimmed.starts_with("<tool_use_error>");
    let failed = is_error || tagged_error || nonzero_exit_code(trimmed);
    let text = if tagged_error {
        let inner = trimmed.trim_start_matches("<tool_use_error>");
        inner.trim_end().trim_end_matches("</tool_use_error>").trim()
    } else {
        trimmed
    };
    ResultSummary {
        success: !failed,
        text: capped(text, MAX_TOOL_OUTPUT_BYTES),
    }
}

/// Bash results of failed commands start with `Exit code N`.
fn nonzero_exit_code(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("Exit code ") else {
        return false;
    };
    let digits: &str = rest.split(|c: char| !c.is_ascii_digit()).next().unwrap_or("");
    !digits.is_empty() && digits.bytes().any(|b| b != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(tool: &str, input: Value) -> CallSummary {
        summarize_call(tool, Some(&input))
    }

    #[test]
    fn shell_calls_show_the_command_line() {
        let c = call("Bash", json!({"command": "ls -la", "description": "List files"}));
        assert_eq!(c.text, "ls -la");
        assert!(c.files.is_empty());
    }

    #[test]
    fn file_tools_show_the_path_and_change_heads() {
        let c = call(
            "Edit",
            json!({"file_path": "/w/notes.md", "old_string": "scratch — x\nmore", "new_string": "fixture — x"}),
        );
        assert_eq!(c.text, "/w/notes.md\n- scratch — x\n+ fixture — x");
        assert_eq!(c.files, vec!["/w/notes.md"]);

        // The line that changed, not the line both sides open on.
        let c = call(
            "Edit",
            json!({"file_path": "/w/t.py", "old_string": "if res.exit_code == 0:\n    assert 'Usage' in out\nreturn",
                   "new_string": "if res.exit_code == 0:\n  assert res.exception\nreturn"}),
        );
        assert_eq!(c.text, "/w/t.py\n- assert 'Usage' in out\n+ assert res.exception");
        // Lines only added, or only removed: the other side says nothing.
        let c = call(
            "Edit",
            json!({"file_path": "/w/t.py", "old_string": "a = 1\nb = 2", "new_string": "a = 1\nc = 3\nb = 2"}),
        );
        assert_eq!(c.text, "/w/t.py\n+ c = 3");
        let c = call(
            "Edit",
            json!({"file_path": "/w/t.py", "old_string": "a = 1\nsub.add('x')\nb = 2", "new_string": "a = 1\nb = 2"}),
        );
        assert_eq!(c.text, "/w/t.py\n- sub.add('x')");

        let c = call(
            "Write",
            json!({"file_path": "/w/a.sh", "content": "#!/bin/sh\necho 1\n"}),
        );
        assert_eq!(c.text, "/w/a.sh\n+ #!/bin/sh");
        let c = call("Read", json!({"file_path": "/w/a.rs", "offset": 10, "limit": 5}));
        assert_eq!(c.text, "/w/a.rs (from line 10, limit 5)");
        let c = call(
            "NotebookEdit",
            json!({"notebook_path": "/w/n.ipynb", "new_source": "x = 1"}),
        );
        assert_eq!(c.files, vec!["/w/n.ipynb"]);
        let c = call(
            "MultiEdit",
            json!({"file_path": "/w/m.rs", "edits": [{"old_string": "a", "new_string": "b"}, {}]}),
        );
        assert_eq!(c.text, "/w/m.rs (2 edits)\n- a\n+ b");
    }

    #[test]
    fn search_tools_show_pattern_and_path() {
        let c = call(
            "Grep",
            json!({"pattern": "fixture", "path": "/w", "glob": "*.md"}),
        );
        assert_eq!(c.text, "fixture in /w (*.md)");
        assert_eq!(c.files, vec!["/w"]);
        assert_eq!(call("Glob", json!({"pattern": "note*"})).text, "note*");
    }

    #[test]
    fn subagent_calls_show_type_description_and_prompt_head() {
        let long = "word ".repeat(100);
        let c = call(
            "Agent",
            json!({"description": "Count words", "subagent_type": "Explore", "prompt": long}),
        );
        assert!(c.text.starts_with("[Explore] Count words: word word"));
        assert!(c.text.ends_with('…'));
        assert!(c.text.chars().count() < 260);
    }

    #[test]
    fn other_tools_fall_back_to_capped_compact_json() {
        let c = call("mcp__github__get_issue", json!({"owner": "o", "issue": 5}));
        // Keys keep the agent's own order (serde_json's preserve_order).
        assert_eq!(c.text, r#"{"owner":"o","issue":5}"#);
        let c = call("mcp__x__y", json!({"blob": "x".repeat(2000)}));
        assert!(c.text.len() < JSON_SUMMARY_BYTES + 20);
        assert!(c.text.ends_with("[truncated]"));
        assert_eq!(summarize_call("Bash", None).text, "");
    }

    #[test]
    fn results_fail_on_flag_error_tag_or_nonzero_exit() {
        assert!(summarize_result(false, "total 0").success);
        assert!(!summarize_result(true, "permission denied").success);
        let tagged = summarize_result(false, "<tool_use_error>File does not exist.</tool_use_error>");
        assert_eq!(
            tagged,
            ResultSummary {
                success: false,
                text: "File does not exist.".into()
            }
        );
        assert!(!summarize_result(false, "Exit code 1\nboom").success);
        assert!(summarize_result(false, "Exit code 0").success);
        assert!(summarize_result(false, "Exit codes are fine").success);
    }

    #[test]
    fn result_text_is_capped_on_a_char_boundary() {
        let out = "é".repeat(MAX_TOOL_OUTPUT_BYTES);
        let r = summarize_result(false, &out);
        assert!(r.text.len() <= MAX_TOOL_OUTPUT_BYTES + " …[truncated]".len());
        let mut reference = out.clone();
        cap_text(&mut reference, MAX_TOOL_OUTPUT_BYTES);
        assert_eq!(r.text, reference);
    }
}
