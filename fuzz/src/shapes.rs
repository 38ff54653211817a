//! Structure-aware inputs: valid JSON events in each agent's shape (the keys of real events,
//! formats.md §1–3), built with `arbitrary` from the fuzzer's bytes, so that mutations land
//! in the connectors' logic instead of dying in `serde_json`. Every string field is a
//! [`Text`]: arbitrary Unicode, biased towards multi-byte characters sitting exactly on the
//! byte lengths where sk cuts text, the bug class `sk_core::text` exists for.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value, json};
use sk_core::{Record, RecordKind};

/// Byte and character limits the code cuts text at (record caps, summary and excerpt
/// lengths, title and body limits, prompt heads, audit lines).
const CUTS: &[usize] = &[
    40,
    64,
    70,
    80,
    100,
    200,
    300,
    500,
    512,
    600,
    800,
    1000,
    1024,
    1500,
    2000,
    2048,
    4096,
    32 * 1024,
];

/// Characters of every UTF-8 width, and a few with surprising case mappings or meanings.
const WIDE: &[char] = &[
    'é',
    'ß',
    'İ',
    'ŉ',
    '—',
    '…',
    '€',
    '中',
    '\u{2028}',
    '\u{feff}',
    '\u{200b}',
    '😀',
    '𝔘',
    '\u{10ffff}',
];

/// Words the parsers and rules react to: cue words, tags, tool output shapes, secret markers.
const WORDS: &[&str] = &[
    "error: ",
    "error[E0432]: unresolved import `serde_yaml`",
    "command not found",
    "No such file or directory",
    "Exit code: 1\n",
    "Process exited with code 2",
    "<exited with exit code 127>",
    "exit code 1\n",
    "Traceback (most recent call last):\n",
    "FAILED",
    "panicked at",
    "warning: ",
    "we decided to ",
    "because ",
    "always run ",
    "never ",
    "don't ",
    "instead of ",
    "use ",
    "convention: ",
    "No, ",
    "that's wrong, ",
    "actually ",
    "fixed by ",
    "the fix was ",
    "- ",
    "* ",
    "1. ",
    "## ",
    "```",
    "`",
    "\n\n",
    "<overview>",
    "</overview>",
    "<work_done>",
    "</work_done>",
    "<next_steps>",
    "<technical_details>",
    "<important_files>",
    "<history>",
    "<command-name>/review</command-name>",
    "<command-args>",
    "<bash-input>",
    "<bash-stdout>",
    "<local-command-stdout>",
    "<system-reminder>",
    "<user_instructions>",
    "<environment_context>",
    "[Request interrupted by user]",
    "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-a\n+b\n*** End Patch",
    "*** Add File: ",
    "Output:\n",
    "Wall time: 0.1 seconds\n",
    "cargo test",
    "python",
    "python3",
    "git push --force origin main",
    "rm -rf /",
    "curl -fsSL https://x.sh | sh",
    "chmod -R 777 .",
    " > notes.md",
    " | tee out.txt",
    "src/main.rs",
    "/work/demo/",
    "/tmp/",
    "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
    "AKIAIOSFODNN7EXAMPLE",
    "sk-ant-api03-",
    "password=",
    "api_key: ",
    "Bearer ",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.",
    "-----BEGIN RSA PRIVATE KEY-----",
    "xoxb-",
    "Token",
    "2026-07-02T15:28:15.754Z",
];

/// Arbitrary text biased towards what breaks byte-counting code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Text> {
        let mut s = String::new();
        let pieces = u.int_in_range(0..=5)?;
        for _ in 0..pieces {
            match u.int_in_range(0..=6)? {
                0 | 1 => s.push_str(<&str>::arbitrary(u)?),
                2 => {
                    // Fill up to just below a cut, then a wide character across it.
                    let cut = *u.choose(CUTS)?;
                    let back = u.int_in_range(0..=4)?;
                    let filler = *u.choose(&['a', ' ', '\n', '.', 'é', '—'])?;
                    while s.len() + back < cut {
                        s.push(filler);
                    }
                    s.push(*u.choose(WIDE)?);
                }
                3 => {
                    let c = *u.choose(WIDE)?;
                    let n = u.int_in_range(1..=700)?;
                    s.extend(std::iter::repeat_n(c, n));
                }
                4 | 5 => s.push_str(u.choose(WORDS)?),
                _ => s.push(char::arbitrary(u)?),
            }
        }
        Ok(Text(s))
    }
}

impl From<&Text> for Value {
    fn from(t: &Text) -> Value {
        Value::String(t.0.clone())
    }
}

/// An identifier from a small pool, so calls meet their results and rewinds find their
/// event; sometimes arbitrary text.
#[derive(Debug, Clone)]
pub struct Id(pub String);

impl<'a> Arbitrary<'a> for Id {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Id> {
        Ok(Id(if u.ratio(1, 8)? {
            Text::arbitrary(u)?.0
        } else {
            format!("id{}", u.int_in_range(0..=5)?)
        }))
    }
}

/// A tool name every connector or rule knows, or arbitrary text.
#[derive(Debug, Clone)]
pub struct ToolName(pub String);

const TOOLS: &[&str] = &[
    "bash",
    "Bash",
    "shell",
    "shell_command",
    "exec_command",
    "local_shell",
    "powershell",
    "edit",
    "Edit",
    "MultiEdit",
    "create",
    "view",
    "Read",
    "Write",
    "NotebookEdit",
    "str_replace_editor",
    "str_replace",
    "read_file",
    "glob",
    "Glob",
    "Grep",
    "rg",
    "Task",
    "Agent",
    "task",
    "WebFetch",
    "WebSearch",
    "apply_patch",
    "update_plan",
    "read_many",
    "mcp__github__get_issue",
];

impl<'a> Arbitrary<'a> for ToolName {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<ToolName> {
        Ok(ToolName(if u.ratio(1, 10)? {
            Text::arbitrary(u)?.0
        } else {
            (*u.choose(TOOLS)?).to_string()
        }))
    }
}

/// A timestamp in one of the shapes logs use, or junk.
#[derive(Debug, Clone, Arbitrary)]
pub enum Stamp {
    Iso(u32),
    Millis(i64),
    Seconds(f64),
    Junk(Text),
    Absent,
}

impl Stamp {
    fn value(&self) -> Option<Value> {
        Some(match self {
            Stamp::Iso(s) => {
                let (d, h, m, sec) = (s % 28 + 1, s / 28 % 24, s / 672 % 60, s / 40320 % 60);
                Value::String(format!("2026-07-{d:02}T{h:02}:{m:02}:{sec:02}.{:03}Z", s % 1000))
            }
            Stamp::Millis(n) => json!(n),
            Stamp::Seconds(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Stamp::Junk(t) => Value::from(t),
            Stamp::Absent => return None,
        })
    }
}

/// A small JSON value of any shape, with [`Text`] strings and keys from the formats.
#[derive(Debug, Clone)]
pub struct AnyJson(pub Value);

const KEYS: &[&str] = &[
    "command",
    "path",
    "file_path",
    "filePath",
    "old_str",
    "new_str",
    "old_string",
    "new_string",
    "content",
    "file_text",
    "pattern",
    "description",
    "prompt",
    "input",
    "edits",
    "paths",
    "url",
    "query",
    "text",
    "type",
    "message",
    "output",
    "stdout",
    "stderr",
    "exit_code",
    "metadata",
    "success",
    "is_error",
    "workdir",
    "cmd",
];

fn any_json(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let pick = if depth >= 3 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => json!(i64::arbitrary(u)?),
        3 | 4 => Value::from(&Text::arbitrary(u)?),
        5 => {
            let n = u.int_in_range(0..=4)?;
            Value::Array((0..n).map(|_| any_json(u, depth + 1)).collect::<Result<_>>()?)
        }
        _ => {
            let n = u.int_in_range(0..=5)?;
            let mut map = Map::new();
            for _ in 0..n {
                let key = if u.ratio(1, 6)? {
                    Text::arbitrary(u)?.0
                } else {
                    (*u.choose(KEYS)?).to_string()
                };
                map.insert(key, any_json(u, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

impl<'a> Arbitrary<'a> for AnyJson {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<AnyJson> {
        Ok(AnyJson(any_json(u, 0)?))
    }
}

/// Tool arguments in the shapes the agents send: a shell command (string or argv), an edit,
/// a file write, a path, a JSON-encoded string, or anything.
#[derive(Debug, Clone, Arbitrary)]
pub enum Args {
    Command(Text),
    Argv(Vec<Text>),
    Edit {
        path: Text,
        old: Text,
        new: Text,
        claude: bool,
    },
    Write {
        path: Text,
        text: Text,
    },
    Path(Text),
    /// The arguments as a JSON-encoded string (older Copilot, Codex `arguments`). One level
    /// only: nested encodings double their escapes at every level and grow exponentially.
    Encoded(Box<Args>),
    Any(AnyJson),
}

impl Args {
    pub fn value(&self) -> Value {
        match self {
            Args::Command(c) => json!({"command": c.0, "description": "run it"}),
            Args::Argv(argv) => json!({"command": argv.iter().map(|a| a.0.as_str()).collect::<Vec<_>>()}),
            Args::Edit {
                path,
                old,
                new,
                claude: true,
            } => {
                json!({"file_path": path.0, "old_string": old.0, "new_string": new.0})
            }
            Args::Edit { path, old, new, .. } => json!({"path": path.0, "old_str": old.0, "new_str": new.0}),
            Args::Write { path, text } => json!({"path": path.0, "file_text": text.0, "content": text.0}),
            Args::Path(p) => json!({"path": p.0}),
            Args::Encoded(inner) => match inner.as_ref() {
                Args::Encoded(_) => inner.value(),
                plain => Value::String(plain.value().to_string()),
            },
            Args::Any(v) => v.0.clone(),
        }
    }
}

/// The tagged sections of a Copilot compaction summary or checkpoint.
#[derive(Debug, Clone, Arbitrary)]
pub struct Sections(pub Vec<(u8, Text, bool)>);

const SECTIONS: &[&str] = &[
    "overview",
    "history",
    "work_done",
    "technical_details",
    "important_files",
    "next_steps",
    "checkpoint_title",
];

impl Sections {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (tag, body, closed) in &self.0 {
            let name = SECTIONS[*tag as usize % SECTIONS.len()];
            out.push_str(&format!("<{name}>\n{}\n", body.0));
            if *closed {
                out.push_str(&format!("</{name}>\n"));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Copilot CLI events.jsonl (formats.md §1.2)

#[derive(Debug, Clone, Arbitrary)]
pub struct CopilotContext {
    cwd: Text,
    git_root: Option<Text>,
    branch: Option<Text>,
    head_commit: Option<Text>,
    repository: Option<Text>,
}

impl CopilotContext {
    fn value(&self) -> Value {
        let mut v = json!({"cwd": self.cwd.0});
        put_opt(&mut v, "gitRoot", &self.git_root);
        put_opt(&mut v, "branch", &self.branch);
        put_opt(&mut v, "headCommit", &self.head_commit);
        put_opt(&mut v, "repository", &self.repository);
        v
    }
}

#[derive(Debug, Clone, Arbitrary)]
pub struct ToolRequest {
    id: Id,
    name: ToolName,
    args: Args,
}

#[derive(Debug, Clone, Arbitrary)]
pub enum CopilotData {
    Start {
        version: Text,
        model: Option<Text>,
        context: Option<CopilotContext>,
        resume: bool,
    },
    ContextChanged(CopilotContext),
    TitleChanged(Text),
    ModelChange(Text),
    Shutdown {
        model: Text,
        files: Vec<Text>,
        added: i64,
        removed: i64,
    },
    Compaction {
        success: bool,
        sections: Sections,
        raw: Option<Text>,
    },
    TaskComplete(Text),
    Rewind(Id),
    Error {
        kind: Text,
        message: Text,
    },
    User {
        content: Text,
        attachments: Vec<Text>,
        parent: Option<Id>,
    },
    Assistant {
        message: Id,
        content: Text,
        reasoning: Option<Text>,
        requests: Vec<ToolRequest>,
        parent: Option<Id>,
    },
    Reasoning(Text),
    ToolStart {
        call: Id,
        tool: ToolName,
        args: Args,
        parent: Option<Id>,
    },
    ToolComplete {
        call: Id,
        tool: ToolName,
        success: bool,
        result: Text,
        detailed: Option<Text>,
        error: Option<(Text, Text)>,
        files: Vec<Text>,
        encoded: bool,
    },
    SubagentFailed {
        name: Text,
        error: Text,
    },
    System(Text),
    Other {
        kind: Text,
        data: AnyJson,
    },
}

#[derive(Debug, Clone, Arbitrary)]
pub struct CopilotEvent {
    id: Id,
    stamp: Stamp,
    agent: Option<Id>,
    ephemeral: Option<bool>,
    /// `data` written before `type` (the second-pass path).
    data_first: bool,
    data: CopilotData,
}

impl CopilotEvent {
    pub fn line(&self) -> Value {
        let (kind, data) = match &self.data {
            CopilotData::Start {
                version,
                model,
                context,
                resume,
            } => {
                let mut d = json!({"sessionId": "s", "copilotVersion": version.0, "startTime": "2026-07-02T15:28:15.754Z"});
                put_opt(&mut d, "selectedModel", model);
                if let Some(c) = context {
                    d["context"] = c.value();
                }
                (
                    if *resume {
                        "session.resume"
                    } else {
                        "session.start"
                    }
                    .to_string(),
                    d,
                )
            }
            CopilotData::ContextChanged(c) => ("session.context_changed".into(), c.value()),
            CopilotData::TitleChanged(t) => ("session.title_changed".into(), json!({"title": t.0})),
            CopilotData::ModelChange(m) => ("session.model_change".into(), json!({"newModel": m.0})),
            CopilotData::Shutdown {
                model,
                files,
                added,
                removed,
            } => (
                "session.shutdown".into(),
                json!({"shutdownType": "routine", "currentModel": model.0,
                       "codeChanges": {"linesAdded": added, "linesRemoved": removed, "filesModified": texts(files)},
                       "modelMetrics": {(model.0.clone()): {"requests": {"count": 1}}}}),
            ),
            CopilotData::Compaction {
                success,
                sections,
                raw,
            } => {
                let summary = raw.as_ref().map_or_else(|| sections.render(), |r| r.0.clone());
                (
                    "session.compaction_complete".into(),
                    json!({"success": success, "summaryContent": summary, "checkpointNumber": 1}),
                )
            }
            CopilotData::TaskComplete(s) => (
                "session.task_complete".into(),
                json!({"summary": s.0, "success": true}),
            ),
            CopilotData::Rewind(id) => (
                "session.snapshot_rewind".into(),
                json!({"upToEventId": id.0, "eventsRemoved": 2}),
            ),
            CopilotData::Error { kind, message } => (
                "session.error".into(),
                json!({"errorType": kind.0, "message": message.0}),
            ),
            CopilotData::User {
                content,
                attachments,
                parent,
            } => {
                let mut d = json!({"content": content.0, "transformedContent": content.0,
                    "attachments": attachments.iter().map(|a| json!({"type": "file", "path": a.0})).collect::<Vec<_>>()});
                put_id(&mut d, "parentToolCallId", parent);
                ("user.message".into(), d)
            }
            CopilotData::Assistant {
                message,
                content,
                reasoning,
                requests,
                parent,
            } => {
                let mut d = json!({"messageId": message.0, "content": content.0,
                    "toolRequests": requests.iter().map(|r| json!({"toolCallId": r.id.0, "name": r.name.0, "arguments": r.args.value()})).collect::<Vec<_>>()});
                put_opt(&mut d, "reasoningText", reasoning);
                put_id(&mut d, "parentToolCallId", parent);
                ("assistant.message".into(), d)
            }
            CopilotData::Reasoning(t) => ("assistant.reasoning".into(), json!({"content": t.0})),
            CopilotData::ToolStart {
                call,
                tool,
                args,
                parent,
            } => {
                let mut d = json!({"toolCallId": call.0, "toolName": tool.0, "arguments": args.value()});
                put_id(&mut d, "parentToolCallId", parent);
                ("tool.execution_start".into(), d)
            }
            CopilotData::ToolComplete {
                call,
                tool,
                success,
                result,
                detailed,
                error,
                files,
                encoded,
            } => {
                let mut d = json!({"toolCallId": call.0, "toolName": tool.0, "success": success,
                    "result": {"content": result.0}});
                if let Some(detail) = detailed {
                    d["result"]["detailedContent"] = Value::from(detail);
                }
                if let Some((code, message)) = error {
                    d["error"] = json!({"code": code.0, "message": message.0});
                }
                let paths = texts(files);
                d["toolTelemetry"] = if *encoded {
                    json!({"restrictedProperties": {"filePaths": Value::Array(paths).to_string()}})
                } else {
                    json!({"filePaths": paths})
                };
                ("tool.execution_complete".into(), d)
            }
            CopilotData::SubagentFailed { name, error } => (
                "subagent.failed".into(),
                json!({"agentName": name.0, "error": error.0}),
            ),
            CopilotData::System(t) => ("system.message".into(), json!({"content": t.0})),
            CopilotData::Other { kind, data } => (kind.0.clone(), data.0.clone()),
        };
        let mut line = Map::new();
        if self.data_first {
            line.insert("data".into(), data.clone());
        }
        line.insert("type".into(), Value::String(kind));
        if !self.data_first {
            line.insert("data".into(), data);
        }
        line.insert("id".into(), Value::String(self.id.0.clone()));
        if let Some(ts) = self.stamp.value() {
            line.insert("timestamp".into(), ts);
        }
        line.insert("parentId".into(), Value::Null);
        if let Some(agent) = &self.agent {
            line.insert("agentId".into(), Value::String(agent.0.clone()));
        }
        if let Some(e) = self.ephemeral {
            line.insert("ephemeral".into(), Value::Bool(e));
        }
        Value::Object(line)
    }
}

// ---------------------------------------------------------------------------------------
// Claude Code transcripts (formats.md §2)

#[derive(Debug, Clone, Arbitrary)]
pub enum ClaudeBlock {
    Text(Text),
    Thinking(Text),
    ToolUse {
        id: Id,
        name: ToolName,
        input: Args,
    },
    ToolResult {
        id: Id,
        content: Text,
        blocks: bool,
        is_error: Option<bool>,
    },
    Image,
    Other(AnyJson),
}

impl ClaudeBlock {
    fn value(&self) -> Value {
        match self {
            ClaudeBlock::Text(t) => json!({"type": "text", "text": t.0}),
            ClaudeBlock::Thinking(t) => json!({"type": "thinking", "thinking": t.0, "signature": "sig"}),
            ClaudeBlock::ToolUse { id, name, input } => {
                json!({"type": "tool_use", "id": id.0, "name": name.0, "input": input.value()})
            }
            ClaudeBlock::ToolResult {
                id,
                content,
                blocks,
                is_error,
            } => {
                let content = if *blocks {
                    json!([{"type": "text", "text": content.0}])
                } else {
                    Value::from(content)
                };
                let mut v = json!({"type": "tool_result", "tool_use_id": id.0, "content": content});
                if let Some(e) = is_error {
                    v["is_error"] = Value::Bool(*e);
                }
                v
            }
            ClaudeBlock::Image => json!({"type": "image", "source": {"type": "base64", "data": "AAAA"}}),
            ClaudeBlock::Other(v) => v.0.clone(),
        }
    }
}

#[derive(Debug, Clone, Arbitrary)]
pub enum ClaudeContent {
    Text(Text),
    Blocks(Vec<ClaudeBlock>),
}

#[derive(Debug, Clone, Arbitrary)]
pub enum ClaudeKind {
    User {
        content: ClaudeContent,
        meta: bool,
        compact_summary: bool,
    },
    Assistant {
        message: Id,
        model: Option<Text>,
        content: ClaudeContent,
        api_error: bool,
        error: Option<Text>,
    },
    System {
        subtype: Text,
        content: Text,
        level: Option<Text>,
        error: Option<AnyJson>,
    },
    Summary {
        summary: Text,
        leaf: Id,
    },
    AiTitle(Text),
    CustomTitle(Text),
    Other {
        kind: Text,
        extra: AnyJson,
    },
}

#[derive(Debug, Clone, Arbitrary)]
pub struct ClaudeEntry {
    uuid: Id,
    stamp: Stamp,
    cwd: Option<Text>,
    branch: Option<Text>,
    version: Option<Text>,
    sidechain: bool,
    agent: Option<Id>,
    kind: ClaudeKind,
}

fn claude_content(c: &ClaudeContent) -> Value {
    match c {
        ClaudeContent::Text(t) => Value::from(t),
        ClaudeContent::Blocks(b) => Value::Array(b.iter().map(ClaudeBlock::value).collect()),
    }
}

impl ClaudeEntry {
    pub fn line(&self) -> Value {
        let mut v = json!({"parentUuid": null, "isSidechain": self.sidechain, "userType": "external",
            "sessionId": "5f0c0000-aaaa-4bbb-8ccc-000000000001", "uuid": self.uuid.0});
        put_opt(&mut v, "cwd", &self.cwd);
        put_opt(&mut v, "gitBranch", &self.branch);
        put_opt(&mut v, "version", &self.version);
        put_id(&mut v, "agentId", &self.agent);
        if let Some(ts) = self.stamp.value() {
            v["timestamp"] = ts;
        }
        match &self.kind {
            ClaudeKind::User {
                content,
                meta,
                compact_summary,
            } => {
                v["type"] = json!("user");
                v["message"] = json!({"role": "user", "content": claude_content(content)});
                v["isMeta"] = json!(meta);
                if *compact_summary {
                    v["isCompactSummary"] = json!(true);
                }
            }
            ClaudeKind::Assistant {
                message,
                model,
                content,
                api_error,
                error,
            } => {
                v["type"] = json!("assistant");
                v["message"] = json!({"id": message.0, "type": "message", "role": "assistant",
                    "model": model.as_ref().map_or("claude-opus-4-7", |m| m.0.as_str()),
                    "content": claude_content(content)});
                if *api_error {
                    v["isApiErrorMessage"] = json!(true);
                }
                put_opt(&mut v, "error", error);
            }
            ClaudeKind::System {
                subtype,
                content,
                level,
                error,
            } => {
                v["type"] = json!("system");
                v["subtype"] = Value::from(subtype);
                v["content"] = Value::from(content);
                put_opt(&mut v, "level", level);
                if let Some(e) = error {
                    v["error"] = e.0.clone();
                }
            }
            ClaudeKind::Summary { summary, leaf } => {
                v["type"] = json!("summary");
                v["summary"] = Value::from(summary);
                v["leafUuid"] = json!(leaf.0);
            }
            ClaudeKind::AiTitle(t) => {
                v["type"] = json!("ai-title");
                v["aiTitle"] = Value::from(t);
            }
            ClaudeKind::CustomTitle(t) => {
                v["type"] = json!("custom-title");
                v["customTitle"] = Value::from(t);
            }
            ClaudeKind::Other { kind, extra } => {
                v["type"] = Value::from(kind);
                v["extra"] = extra.0.clone();
            }
        }
        v
    }
}

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

// ---------------------------------------------------------------------------------------
// Records, for the extractor alone

#[derive(Debug, Clone, Arbitrary)]
pub struct FuzzRecord {
    kind: u8,
    /// Added to the previous record's offset (0 = another part of the same line).
    step: u8,
    event: Option<Id>,
    call: Option<Id>,
    tool: Option<ToolName>,
    success: Option<bool>,
    subagent: bool,
    section: Option<u8>,
    text: Text,
    files: Vec<Text>,
}

const RECORD_SECTIONS: &[&str] = &[
    "overview",
    "history",
    "work_done",
    "technical_details",
    "important_files",
    "next_steps",
    "compact",
    "summary",
    "plan.md",
];

/// Turns generated records into a session in file order (offsets ascending, parts counted
/// within a line), as the store hands them to the extractor.
pub fn records(generated: &[FuzzRecord]) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::with_capacity(generated.len());
    let mut offset = 0u64;
    let mut part = 0u32;
    for g in generated {
        if g.step == 0 && !out.is_empty() {
            part += 1;
        } else {
            offset += u64::from(g.step);
            part = 0;
        }
        out.push(Record {
            kind: Some(RecordKind::ALL[g.kind as usize % RecordKind::ALL.len()]),
            offset,
            part,
            event_id: g.event.as_ref().map(|e| e.0.clone()),
            message_id: None,
            ts: Some(1_783_000_000_000 + offset as i64),
            call_id: g.call.as_ref().map(|c| c.0.clone()),
            tool: g.tool.as_ref().map(|t| t.0.clone()),
            success: g.success,
            subagent: g.subagent,
            section: g
                .section
                .map(|s| RECORD_SECTIONS[s as usize % RECORD_SECTIONS.len()].to_string()),
            refers_to: None,
            text: g.text.0.clone(),
            files: g.files.iter().map(|f| f.0.clone()).collect(),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------

fn texts(items: &[Text]) -> Vec<Value> {
    items.iter().map(Value::from).collect()
}

fn put_opt(v: &mut Value, key: &str, text: &Option<Text>) {
    if let Some(t) = text {
        v[key] = Value::from(t);
    }
}

fn put_id(v: &mut Value, key: &str, id: &Option<Id>) {
    if let Some(id) = id {
        v[key] = Value::String(id.0.clone());
    }
}

/// JSON lines, one per value, each ending in `\n`.
pub fn jsonl(lines: impl IntoIterator<Item = Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}
