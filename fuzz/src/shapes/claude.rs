//! Claude Code transcript lines, valid JSON with arbitrary text in every string field.

#[allow(clippy::wildcard_imports)]
use super::*;

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
