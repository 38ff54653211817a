//! Codex CLI rollout lines, valid JSON with arbitrary text in every string field.

#[allow(clippy::wildcard_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Codex CLI rollouts (formats.md §3)

#[derive(Debug, Clone, Arbitrary)]
pub enum CodexPart {
    Input(Text),
    Output(Text),
    Image,
    Bare(Text),
}

impl CodexPart {
    fn value(&self) -> Value {
        match self {
            CodexPart::Input(t) => json!({"type": "input_text", "text": t.0}),
            CodexPart::Output(t) => json!({"type": "output_text", "text": t.0}),
            CodexPart::Image => json!({"type": "input_image", "image_url": "data:image/png;base64,AAAA"}),
            CodexPart::Bare(t) => Value::from(t),
        }
    }
}

#[derive(Debug, Clone, Arbitrary)]
pub enum CodexOutput {
    Text(Text),
    /// The JSON document `{"output", "metadata": {"exit_code"}}` encoded as a string.
    Encoded {
        output: Text,
        exit_code: i64,
    },
    /// `Exit code: N\nWall time: …\nOutput:\n…`
    Shell {
        output: Text,
        exit_code: i64,
    },
    Parts(Vec<CodexPart>),
    Object {
        content: Text,
        success: Option<bool>,
    },
}

impl CodexOutput {
    fn value(&self) -> Value {
        match self {
            CodexOutput::Text(t) => Value::from(t),
            CodexOutput::Encoded { output, exit_code } => Value::String(
                json!({"output": output.0, "metadata": {"exit_code": exit_code, "duration_seconds": 0.1}})
                    .to_string(),
            ),
            CodexOutput::Shell { output, exit_code } => Value::String(format!(
                "Exit code: {exit_code}\nWall time: 0.1 seconds\nOutput:\n{}",
                output.0
            )),
            CodexOutput::Parts(p) => Value::Array(p.iter().map(CodexPart::value).collect()),
            CodexOutput::Object { content, success } => json!({"content": content.0, "success": success}),
        }
    }
}

#[derive(Debug, Clone, Arbitrary)]
pub enum CodexItem {
    Message {
        role: u8,
        parts: Vec<CodexPart>,
    },
    Reasoning {
        summary: Vec<CodexPart>,
        content: Option<Text>,
    },
    FunctionCall {
        name: ToolName,
        args: Args,
        call: Id,
        object: bool,
    },
    FunctionOutput {
        call: Id,
        output: CodexOutput,
    },
    CustomCall {
        name: ToolName,
        input: Text,
        call: Id,
    },
    CustomOutput {
        call: Id,
        output: CodexOutput,
    },
    LocalShell {
        call: Id,
        argv: Vec<Text>,
    },
    WebSearch {
        query: Text,
    },
    Other {
        kind: Text,
        extra: AnyJson,
    },
}

impl CodexItem {
    fn value(&self) -> Value {
        match self {
            CodexItem::Message { role, parts } => {
                let role = ["user", "assistant", "developer", "system"][*role as usize % 4];
                json!({"type": "message", "role": role,
                    "content": parts.iter().map(CodexPart::value).collect::<Vec<_>>()})
            }
            CodexItem::Reasoning { summary, content } => {
                let mut v = json!({"type": "reasoning", "summary": summary.iter().map(CodexPart::value).collect::<Vec<_>>(),
                    "encrypted_content": "gAAAA"});
                if let Some(c) = content {
                    v["content"] = json!([{"type": "reasoning_text", "text": c.0}]);
                }
                v
            }
            CodexItem::FunctionCall {
                name,
                args,
                call,
                object,
            } => {
                let args = args.value();
                json!({"type": "function_call", "name": name.0, "call_id": call.0,
                    "arguments": if *object { args } else { Value::String(args.to_string()) }})
            }
            CodexItem::FunctionOutput { call, output } => {
                json!({"type": "function_call_output", "call_id": call.0, "output": output.value()})
            }
            CodexItem::CustomCall { name, input, call } => {
                json!({"type": "custom_tool_call", "status": "completed", "call_id": call.0, "name": name.0, "input": input.0})
            }
            CodexItem::CustomOutput { call, output } => {
                json!({"type": "custom_tool_call_output", "call_id": call.0, "output": output.value()})
            }
            CodexItem::LocalShell { call, argv } => json!({"type": "local_shell_call", "call_id": call.0,
                "status": "completed", "action": {"type": "exec", "command": texts(argv)}}),
            CodexItem::WebSearch { query } => {
                json!({"type": "web_search_call", "status": "completed", "action": {"type": "search", "query": query.0}})
            }
            CodexItem::Other { kind, extra } => json!({"type": kind.0, "extra": extra.0}),
        }
    }
}

#[derive(Debug, Clone, Arbitrary)]
pub enum CodexPayload {
    SessionMeta {
        id: Id,
        cwd: Text,
        version: Text,
        commit: Option<Text>,
        branch: Option<Text>,
        repo: Option<Text>,
        forked: Option<Id>,
        parent: Option<Id>,
        instructions: Option<Text>,
    },
    TurnContext {
        cwd: Text,
        model: Text,
    },
    Item(CodexItem),
    UserMessage(Text),
    AgentMessage(Text),
    TaskComplete(Option<Text>),
    Error(Text),
    OtherEvent {
        kind: Text,
        extra: AnyJson,
    },
    Compacted {
        message: Text,
        history: Vec<CodexItem>,
    },
    /// A pre-envelope line: a bare response item, or the old header.
    Legacy(CodexItem),
    LegacyHeader {
        id: Id,
        branch: Option<Text>,
    },
}

#[derive(Debug, Clone, Arbitrary)]
pub struct CodexLine {
    stamp: Stamp,
    /// `payload` written before `type` (the buffered path).
    payload_first: bool,
    payload: CodexPayload,
}

impl CodexLine {
    pub fn line(&self) -> Value {
        let (kind, payload) = match &self.payload {
            CodexPayload::SessionMeta {
                id,
                cwd,
                version,
                commit,
                branch,
                repo,
                forked,
                parent,
                instructions,
            } => {
                let mut git = json!({});
                put_opt(&mut git, "commit_hash", commit);
                put_opt(&mut git, "branch", branch);
                put_opt(&mut git, "repository_url", repo);
                let mut p = json!({"id": id.0, "timestamp": "2026-05-07T18:27:42.000Z", "cwd": cwd.0,
                "originator": "codex_cli_rs", "cli_version": version.0, "git": git,
                "source": match parent {
                    Some(p) => json!({"subagent": {"thread_spawn": {"parent_thread_id": p.0, "depth": 1}}}),
                    None => json!("cli"),
                }});
                put_id(&mut p, "forked_from_id", forked);
                if let Some(i) = instructions {
                    p["base_instructions"] = json!({"text": i.0});
                }
                ("session_meta", p)
            }
            CodexPayload::TurnContext { cwd, model } => (
                "turn_context",
                json!({"cwd": cwd.0, "model": model.0,
                "approval_policy": "on-request", "sandbox_policy": {"mode": "workspace-write"}}),
            ),
            CodexPayload::Item(item) => ("response_item", item.value()),
            CodexPayload::UserMessage(t) => (
                "event_msg",
                json!({"type": "user_message", "message": t.0, "images": []}),
            ),
            CodexPayload::AgentMessage(t) => ("event_msg", json!({"type": "agent_message", "message": t.0})),
            CodexPayload::TaskComplete(t) => (
                "event_msg",
                json!({"type": "task_complete", "last_agent_message": t.as_ref().map(|t| t.0.clone())}),
            ),
            CodexPayload::Error(t) => ("event_msg", json!({"type": "error", "message": t.0})),
            CodexPayload::OtherEvent { kind, extra } => {
                ("event_msg", json!({"type": kind.0, "info": extra.0}))
            }
            CodexPayload::Compacted { message, history } => (
                "compacted",
                json!({"message": message.0, "replacement_history": history.iter().map(CodexItem::value).collect::<Vec<_>>()}),
            ),
            CodexPayload::Legacy(item) => return item.value(),
            CodexPayload::LegacyHeader { id, branch } => {
                let mut git = json!({});
                put_opt(&mut git, "branch", branch);
                return json!({"id": id.0, "timestamp": "2025-05-07T18:27:42.000Z", "instructions": null, "git": git});
            }
        };
        let mut line = Map::new();
        if let Some(ts) = self.stamp.value() {
            line.insert("timestamp".into(), ts);
        }
        if self.payload_first {
            line.insert("payload".into(), payload.clone());
        }
        line.insert("type".into(), json!(kind));
        if !self.payload_first {
            line.insert("payload".into(), payload);
        }
        Value::Object(line)
    }
}
