//! The legacy `history-session-state/<id>.json` layout (Copilot CLI before ~v0.0.342): one
//! pretty-printed JSON document per session. Its shape was never documented, so it is read
//! by searching: arrays of OpenAI-style chat messages (`role`, `content`, `tool_calls`)
//! and arrays of event objects (`type` + `data`, as in `events.jsonl`). Anything else is
//! skipped; nothing in the document can make the read fail.

use serde_json::{Map, Value};
use sk_core::record::{MAX_TEXT_BYTES, MAX_TOOL_OUTPUT_BYTES, capped};
use sk_core::{Record, RecordKind, SessionMeta, SinkError};

use super::events::{self, Out};
use super::tools::summarize_call;
use super::wire;

/// Deepest nesting searched for message arrays: real files keep them near the top.
const MAX_DEPTH: usize = 8;

/// Pushes the session facts and records found in the document. All records sit at offset
/// 0 (the document), numbered by `part` in document order.
pub(crate) fn push_history(doc: &Value, out: &mut Out) -> Result<(), SinkError> {
    out.at(0);
    if let Some(map) = doc.as_object() {
        out.meta(&session_meta(map))?;
    }
    walk(doc, 0, out)
}

fn session_meta(map: &Map<String, Value>) -> SessionMeta {
    let text = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            let s = map.get(*k)?.as_str()?.trim();
            (!s.is_empty()).then(|| s.to_owned())
        })
    };
    let time = |keys: &[&str]| keys.iter().find_map(|k| value_time(map.get(*k)?));
    SessionMeta {
        cwd: text(&["cwd", "workingDirectory", "workspaceFolder"]),
        repo: text(&["repository"]),
        branch: text(&["branch"]),
        title: text(&["title", "name", "summary"]),
        model: text(&["model", "selectedModel"]),
        agent_version: text(&["copilotVersion"]),
        started_at: time(&["startTime", "start_time", "createdAt", "created_at"]),
        ended_at: time(&["endTime", "end_time", "updatedAt", "updated_at"]),
        ..SessionMeta::default()
    }
}

fn value_time(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => sk_core::time::parse_iso(s),
        Value::Number(n) => n.as_f64().and_then(sk_core::time::from_number),
        _ => None,
    }
}

fn walk(value: &Value, depth: usize, out: &mut Out) -> Result<(), SinkError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    match value {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(obj) if obj.get("role").is_some_and(Value::is_string) => {
                        chat_message(obj, out)?;
                    }
                    Value::Object(obj)
                        if obj.get("type").is_some_and(Value::is_string)
                            && obj.get("data").is_some_and(Value::is_object) =>
                    {
                        event(item, out)?;
                    }
                    other => walk(other, depth + 1, out)?,
                }
            }
        }
        Value::Object(map) => {
            for child in map.values().filter(|v| v.is_array() || v.is_object()) {
                walk(child, depth + 1, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// An event object in the `events.jsonl` shape, decoded by the same code as a line.
fn event(item: &Value, out: &mut Out) -> Result<(), SinkError> {
    let Ok(bytes) = serde_json::to_vec(item) else {
        return Ok(());
    };
    match wire::parse_event(&bytes) {
        Ok(event) => events::handle(event, out),
        Err(_) => Ok(()),
    }
}

fn chat_message(msg: &Map<String, Value>, out: &mut Out) -> Result<(), SinkError> {
    let role = msg.get("role").and_then(Value::as_str).unwrap_or("");
    let stamp = |kind: RecordKind, text: String| Record {
        kind: Some(kind),
        event_id: msg.get("id").and_then(Value::as_str).map(str::to_owned),
        ts: ["timestamp", "createdAt", "created_at"]
            .iter()
            .find_map(|k| value_time(msg.get(*k)?)),
        text,
        ..Record::default()
    };
    let content = content_text(msg.get("content"));
    match role {
        "user" => {
            if let Some(text) = content {
                out.push(stamp(RecordKind::Prompt, capped(text, MAX_TEXT_BYTES)))?;
            }
        }
        "assistant" => {
            if let Some(text) = content {
                out.push(stamp(RecordKind::Answer, capped(text, MAX_TEXT_BYTES)))?;
            }
            let calls = msg.get("tool_calls").and_then(Value::as_array);
            for call in calls.into_iter().flatten() {
                let function = call.get("function").unwrap_or(call);
                let name = function.get("name").and_then(Value::as_str).unwrap_or("");
                let summary = summarize_call(name, function.get("arguments"));
                let mut record = stamp(RecordKind::ToolCall, summary.text);
                record.tool = (!name.is_empty()).then(|| name.to_owned());
                record.call_id = call.get("id").and_then(Value::as_str).map(str::to_owned);
                record.files = summary.files;
                out.push(record)?;
            }
        }
        "tool" | "function" => {
            let text = content.unwrap_or_default();
            let failed = msg.get("is_error").and_then(Value::as_bool).unwrap_or_else(|| {
                let head = text.trim_start().get(..5).unwrap_or("");
                head.eq_ignore_ascii_case("error")
            });
            let mut record = stamp(RecordKind::ToolResult, capped(text, MAX_TOOL_OUTPUT_BYTES));
            record.success = Some(!failed);
            record.tool = msg.get("name").and_then(Value::as_str).map(str::to_owned);
            record.call_id = msg.get("tool_call_id").and_then(Value::as_str).map(str::to_owned);
            out.push(record)?;
        }
        "system" | "developer" => {
            if let Some(text) = content {
                out.system_prompt(&text)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A message's text: a string, or the `text` of an array of parts; `None` when blank.
fn content_text(content: Option<&Value>) -> Option<String> {
    let text = match content? {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.as_str().or_else(|| p.get("text")?.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory_sink::MemorySink;
    use serde_json::json;

    #[test]
    fn chat_messages_become_records() {
        let doc = json!({
            "sessionId": "hhh",
            "startTime": "2025-10-08T21:10:16.398Z",
            "chatMessages": [
                {"role": "system", "content": "You are Copilot."},
                {"role": "user", "content": "please add mcp servers"},
                {"role": "assistant", "content": "sure", "tool_calls": [
                    {"id": "t1", "type": "function", "function": {"name": "str_replace_editor", "arguments": "{\"command\":\"view\",\"path\":\"/x\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "t1", "name": "str_replace_editor", "content": "Error: no such file"},
                {"role": "user", "content": [{"type": "text", "text": "thanks"}]}
            ]
        });
        let mut sink = MemorySink::default();
        push_history(&doc, &mut Out::new(&mut sink)).expect("sink ok");
        let kinds: Vec<_> = sink.records.iter().map(|r| r.kind()).collect();
        assert_eq!(
            kinds,
            vec![
                RecordKind::Prompt,
                RecordKind::Answer,
                RecordKind::ToolCall,
                RecordKind::ToolResult,
                RecordKind::Prompt
            ]
        );
        assert_eq!(sink.records[2].files, vec!["/x"]);
        assert_eq!(sink.records[3].success, Some(false));
        let parts: Vec<_> = sink.records.iter().map(|r| r.part).collect();
        assert_eq!(parts, vec![0, 1, 2, 3, 4]);
        assert_eq!(sink.system_prompts.len(), 1);
        assert!(sink.meta.started_at.is_some());
    }

    #[test]
    fn odd_shapes_are_skipped() {
        for doc in [
            json!(null),
            json!([1, "two", [3]]),
            json!({"chatMessages": "nope", "timeline": [{"type": "tool_call_completed"}]}),
            json!({"a": {"b": [{"role": 5}, {"role": "user", "content": {"x": 1}}]}}),
        ] {
            let mut sink = MemorySink::default();
            push_history(&doc, &mut Out::new(&mut sink)).expect("sink ok");
            assert!(sink.records.is_empty(), "{doc}");
        }
    }

    #[test]
    fn event_objects_are_read_like_lines() {
        let doc = json!({"events": [
            {"type": "user.message", "id": "u1", "data": {"content": "hello"}},
            {"type": "tool.execution_start", "id": "t", "data": {"toolCallId": "c", "toolName": "bash", "arguments": {"command": "ls"}}}
        ]});
        let mut sink = MemorySink::default();
        push_history(&doc, &mut Out::new(&mut sink)).expect("sink ok");
        assert_eq!(sink.count(RecordKind::Prompt), 1);
        assert_eq!(
            sink.of(RecordKind::ToolCall).next().map(|r| r.text.as_str()),
            Some("ls")
        );
    }
}
