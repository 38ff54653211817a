//! Claude Code transcripts written line by line for end-to-end tests, in the shape its
//! `projects/<folder>/<session>.jsonl` files have (a chain of `uuid`s, a timestamp, the
//! session id and working folder on every line).

use serde_json::{Value, json};

/// A transcript being written; [`ClaudeTranscript::text`] gives the file's content.
pub struct ClaudeTranscript {
    session: String,
    cwd: String,
    lines: Vec<Value>,
}

impl ClaudeTranscript {
    pub fn new(session: &str, cwd: &str) -> ClaudeTranscript {
        ClaudeTranscript {
            session: session.to_string(),
            cwd: cwd.to_string(),
            lines: Vec::new(),
        }
    }

    fn line(&mut self, kind: &str, message: Value) -> &mut ClaudeTranscript {
        let n = self.lines.len() + 1;
        self.lines.push(json!({
            "parentUuid": if n == 1 { Value::Null } else { json!(format!("u{}", n - 1)) },
            "isSidechain": false, "type": kind, "message": message, "uuid": format!("u{n}"),
            "timestamp": format!("2026-12-01T10:{:02}:{:02}.000Z", n / 60, n % 60),
            "sessionId": self.session, "cwd": self.cwd, "version": "2.1.132", "userType": "external",
        }));
        self
    }

    /// The user's prompt.
    pub fn prompt(&mut self, text: &str) -> &mut ClaudeTranscript {
        self.line("user", json!({"role": "user", "content": text}))
    }

    /// The assistant answering in words.
    pub fn answer(&mut self, text: &str) -> &mut ClaudeTranscript {
        let n = self.lines.len() + 1;
        self.line(
            "assistant",
            json!({"model": "claude-opus-4-7", "id": format!("m-a{n}"), "type": "message", "role": "assistant",
                   "content": [{"type": "text", "text": text}]}),
        )
    }

    /// The assistant calling tool `name` with `input`, as call `id`.
    pub fn tool_use(&mut self, id: &str, name: &str, input: Value) -> &mut ClaudeTranscript {
        self.line(
            "assistant",
            json!({"model": "claude-opus-4-7", "id": format!("m-{id}"), "type": "message", "role": "assistant",
                   "content": [{"type": "tool_use", "id": id, "name": name, "input": input}]}),
        )
    }

    /// The assistant running `command` with the `Bash` tool, as call `id`.
    pub fn bash(&mut self, id: &str, command: &str) -> &mut ClaudeTranscript {
        self.tool_use(id, "Bash", json!({ "command": command }))
    }

    /// The result of call `id`.
    pub fn tool_result(&mut self, id: &str, text: &str) -> &mut ClaudeTranscript {
        self.line(
            "user",
            json!({"role": "user", "content": [{"type": "tool_result", "content": text, "tool_use_id": id}]}),
        )
    }

    /// Where Claude Code keeps this transcript under the home: its projects folder names
    /// the working folder with every character but a letter or digit as `-`.
    pub fn home_path(&self) -> String {
        let folder: String = self
            .cwd
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!(".claude/projects/{folder}/{}.jsonl", self.session)
    }

    /// The JSON lines, each ended by a newline.
    pub fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }
}
