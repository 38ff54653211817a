//! Copilot CLI session events, valid JSON with arbitrary text in every string field.

#[allow(clippy::wildcard_imports)]
use super::*;

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
