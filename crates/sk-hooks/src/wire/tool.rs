//! A tool call as the rules need it: a shell command, or a file write with its new text.
//! Each agent names tools and arguments differently (`bash`/`Bash`/`shell`, `command` as a
//! string or an argv array, `path`/`file_path`, `new_str`/`new_string`/`content`, Codex
//! patches); this module is the one place that knows those spellings.

use serde_json::Value;

/// What a tool call does, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Shell {
        command: String,
    },
    /// A file edit or creation: the path and the text it introduces.
    Write {
        path: String,
        text: String,
    },
    Other,
}

/// A tool call: its name as the agent spelled it, and its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub name: String,
    pub action: Action,
    /// Files the call names (for the known-mistake lookup).
    pub files: Vec<String>,
}

const SHELL_TOOLS: &[&str] = &[
    "bash",
    "powershell",
    "shell",
    "exec_command",
    "local_shell",
    "container.exec",
    "run_shell_command",
];
const PATH_KEYS: &[&str] = &["file_path", "path", "filePath", "notebook_path"];
const TEXT_KEYS: &[&str] = &[
    "new_str",
    "new_string",
    "content",
    "file_text",
    "text",
    "new_source",
];

/// `toolArgs` arrives as an object or (older Copilot docs) as a JSON string holding one.
pub fn args_object(v: Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str::<Value>(&s)
            .ok()
            .filter(Value::is_object)
            .unwrap_or(Value::String(s)),
        other => other,
    }
}

impl Tool {
    pub fn new(name: &str, args: Value) -> Tool {
        let lower = name.to_ascii_lowercase();
        let mut files = Vec::new();
        if let Some(p) = first_str(&args, PATH_KEYS) {
            files.push(p.to_string());
        }
        let action = if SHELL_TOOLS.contains(&lower.as_str()) {
            shell_command(&args).map_or(Action::Other, |command| Action::Shell { command })
        } else if lower == "apply_patch" {
            patch_action(&args, &mut files)
        } else if let (Some(path), Some(text)) = (first_str(&args, PATH_KEYS), new_text(&args)) {
            Action::Write {
                path: path.to_string(),
                text,
            }
        } else {
            Action::Other
        };
        Tool {
            name: name.to_string(),
            action,
            files,
        }
    }

    pub fn command(&self) -> Option<&str> {
        match &self.action {
            Action::Shell { command } => Some(command),
            _ => None,
        }
    }
}

fn first_str<'a>(args: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| args.get(*k).and_then(Value::as_str))
}

/// `command` (or Codex's `cmd`) as a string, or an argv array: `["bash", "-lc", X]` is X.
fn shell_command(args: &Value) -> Option<String> {
    let v = args.get("command").or_else(|| args.get("cmd"));
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(items)) => {
            let words: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            match words.as_slice() {
                [sh, flag, script] if is_shell(sh) && flag.starts_with('-') && flag.contains('c') => {
                    Some((*script).to_string())
                }
                _ => Some(words.join(" ")),
            }
        }
        _ => match args {
            Value::String(s) => Some(s.clone()),
            _ => None,
        },
    }
}

fn is_shell(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    matches!(base, "sh" | "bash" | "zsh" | "dash" | "pwsh" | "powershell")
}

/// The text an edit introduces: `new_str`/`content`/…, or every `new_string` of a
/// multi-edit.
fn new_text(args: &Value) -> Option<String> {
    if let Some(t) = first_str(args, TEXT_KEYS) {
        return Some(t.to_string());
    }
    let edits = args.get("edits")?.as_array()?;
    let parts: Vec<&str> = edits.iter().filter_map(|e| first_str(e, TEXT_KEYS)).collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// Codex `apply_patch`: files from `*** Add/Update File:` lines, text from added lines.
fn patch_action(args: &Value, files: &mut Vec<String>) -> Action {
    let Some(patch) = first_str(args, &["input", "patch"]).or_else(|| args.as_str()) else {
        return Action::Other;
    };
    let mut path = None;
    let mut text = String::new();
    for line in patch.lines() {
        if let Some(p) = line
            .strip_prefix("*** Add File: ")
            .or_else(|| line.strip_prefix("*** Update File: "))
        {
            files.push(p.trim().to_string());
            path.get_or_insert_with(|| p.trim().to_string());
        } else if let Some(added) = line.strip_prefix('+') {
            text.push_str(added);
            text.push('\n');
        }
    }
    path.map_or(Action::Other, |path| Action::Write { path, text })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_agent_spelling_maps_to_an_action() {
        let shell = |name, args| Tool::new(name, args).action;
        let cmd = |s: &str| Action::Shell { command: s.into() };
        assert_eq!(shell("bash", json!({"command": "ls -la"})), cmd("ls -la"));
        assert_eq!(
            shell("Bash", json!({"command": "ls", "description": "x"})),
            cmd("ls")
        );
        assert_eq!(
            shell("shell", json!({"command": ["bash", "-lc", "git push"]})),
            cmd("git push")
        );
        assert_eq!(shell("exec_command", json!({"cmd": "make"})), cmd("make"));
        assert_eq!(
            shell("shell", json!({"command": ["git", "status"]})),
            cmd("git status")
        );
        assert_eq!(
            shell("bash", args_object(json!("{\"command\":\"echo hi\"}"))),
            cmd("echo hi")
        );
        let write = |p: &str, t: &str| Action::Write {
            path: p.into(),
            text: t.into(),
        };
        assert_eq!(
            shell("edit", json!({"path": "a.rs", "old_str": "x", "new_str": "y"})),
            write("a.rs", "y")
        );
        assert_eq!(
            shell("Write", json!({"file_path": "/r/a", "content": "c"})),
            write("/r/a", "c")
        );
        assert_eq!(
            shell(
                "MultiEdit",
                json!({"file_path": "m", "edits": [{"old_string": "a", "new_string": "b"}, {"new_string": "c"}]})
            ),
            write("m", "b\nc")
        );
        let patch = "*** Begin Patch\n*** Update File: src/x.rs\n@@\n-old\n+new line\n*** End Patch";
        let t = Tool::new("apply_patch", json!({"input": patch}));
        assert_eq!(t.action, write("src/x.rs", "new line\n"));
        assert_eq!(t.files, vec!["src/x.rs"]);
        assert_eq!(shell("view", json!({"path": "a"})), Action::Other);
    }
}
