//! Maps one decoded Copilot event to what it means for sk: records, session metadata
//! patches, system prompts and rewinds. Each line is handled on its own (no state carried
//! between lines), so reading a file in pieces pushes exactly what one read would.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use sha2::{Digest, Sha256};
use sk_core::record::{MAX_TEXT_BYTES, MAX_TOOL_OUTPUT_BYTES, capped, tail_capped};
use sk_core::{Record, RecordKind, SessionMeta, Sink, SinkError};

use super::artifacts::tagged_sections;
use super::tools::{summarize_call, trailing_exit_code};
use super::wire::{self, Context, Event, EventData, EventType, Text};
use crate::reader::Verdict;

/// Section name of a compaction summary that has no tagged sections.
const UNTAGGED_SUMMARY: &str = "summary";
/// Section name of the files-modified note pushed at shutdown.
const FILES_MODIFIED: &str = "files_modified";

/// Where decoded records go, stamping each with its position in the source file.
pub(crate) struct Out<'s> {
    pub sink: &'s mut dyn Sink,
    offset: u64,
    part: u32,
    /// Records pushed so far.
    pub records: u64,
}

impl<'s> Out<'s> {
    pub fn new(sink: &'s mut dyn Sink) -> Out<'s> {
        Out {
            sink,
            offset: 0,
            part: 0,
            records: 0,
        }
    }

    /// Starts a new line (or document section) at `offset`: parts count from 0 again.
    pub fn at(&mut self, offset: u64) {
        self.offset = offset;
        self.part = 0;
    }

    pub fn push(&mut self, mut record: Record) -> Result<(), SinkError> {
        record.offset = self.offset;
        record.part = self.part;
        self.part += 1;
        self.records += 1;
        self.sink.record(&record)
    }

    pub fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        if *meta == SessionMeta::default() {
            return Ok(());
        }
        self.sink.meta(meta)
    }

    /// Stores a system prompt once by content hash, never as a record.
    pub fn system_prompt(&mut self, text: &str) -> Result<(), SinkError> {
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        self.sink.system_prompt(&hash, text)
    }
}

/// Decodes the `events.jsonl` line at `offset`. Valid JSON that is not a readable event
/// (unknown shape, not an object) is ignored; only non-JSON is malformed.
pub(crate) fn decode_line(out: &mut Out, offset: u64, line: &[u8]) -> Result<Verdict, SinkError> {
    out.at(offset);
    match wire::parse_event(line) {
        Ok(event) => {
            handle(event, out)?;
            Ok(Verdict::Parsed)
        }
        Err(_) if serde_json::from_slice::<IgnoredAny>(line).is_ok() => Ok(Verdict::Parsed),
        Err(_) => Ok(Verdict::Malformed),
    }
}

/// What every record of one event shares.
struct Envelope {
    event_id: Option<String>,
    ts: Option<i64>,
    in_agent: bool,
}

impl Envelope {
    fn record(&self, kind: RecordKind, text: String, parent_tool_call: &Text) -> Record {
        Record {
            kind: Some(kind),
            event_id: self.event_id.clone(),
            ts: self.ts,
            subagent: self.in_agent || parent_tool_call.get().is_some(),
            text,
            ..Record::default()
        }
    }
}

/// Pushes what one event means.
pub(crate) fn handle(event: Event<'_>, out: &mut Out) -> Result<(), SinkError> {
    if event.ephemeral {
        return Ok(());
    }
    let env = Envelope {
        event_id: event.id.to_owned_string(),
        ts: event.timestamp,
        in_agent: event.agent_id.get().is_some(),
    };
    let none = Text::default();
    match event.data {
        EventData::Start(start) => {
            let mut meta = SessionMeta {
                agent_version: start.copilot_version.into_owned(),
                model: start.selected_model.into_owned(),
                ..SessionMeta::default()
            };
            if event.kind == EventType::SessionStart {
                meta.started_at = start.start_time.0.or(env.ts);
            }
            if let Some(context) = start.context {
                apply_context(&mut meta, context);
            }
            out.meta(&meta)?;
        }
        EventData::ContextChanged(context) => {
            let mut meta = SessionMeta::default();
            apply_context(&mut meta, context);
            out.meta(&meta)?;
        }
        EventData::TitleChanged(t) => {
            out.meta(&SessionMeta {
                title: t.title.into_owned(),
                ..SessionMeta::default()
            })?;
        }
        EventData::ModelChange(m) => {
            out.meta(&SessionMeta {
                model: m.new_model.into_owned(),
                ..SessionMeta::default()
            })?;
        }
        EventData::Shutdown(shutdown) => {
            // `currentModel` names the model that really ran when the user picked `auto`;
            // older files only list it as the single key of `modelMetrics`.
            let model = shutdown.current_model.into_owned().or_else(|| {
                let mut names = shutdown.model_metrics.0;
                (names.len() == 1).then(|| names.remove(0))
            });
            out.meta(&SessionMeta {
                model,
                ended_at: env.ts,
                ..SessionMeta::default()
            })?;
            if let Some(changes) = shutdown.code_changes {
                let files: Vec<String> = changes
                    .files_modified
                    .0
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect();
                if !files.is_empty() {
                    let mut text = match (changes.lines_added.0, changes.lines_removed.0) {
                        (Some(a), Some(r)) => format!("Files modified (+{a} -{r} lines):"),
                        _ => "Files modified:".to_owned(),
                    };
                    for file in &files {
                        text.push_str("\n- ");
                        text.push_str(file);
                    }
                    let mut record = env.record(RecordKind::Note, capped(text, MAX_TEXT_BYTES), &none);
                    record.section = Some(FILES_MODIFIED.to_owned());
                    record.files = files;
                    out.push(record)?;
                }
            }
        }
        EventData::CompactionComplete(done) => {
            if done.success.0 == Some(false) {
                return Ok(());
            }
            if let Some(summary) = done.summary_content.non_blank() {
                let stamp = |text| env.record(RecordKind::Summary, text, &none);
                push_summary_sections(summary, &stamp, out)?;
            }
        }
        EventData::TaskComplete(task) => {
            if let Some(summary) = task.summary.0.filter(|s| !s.trim().is_empty()) {
                let text = capped(summary, MAX_TEXT_BYTES);
                out.push(env.record(RecordKind::TaskSummary, text, &none))?;
            }
        }
        EventData::SnapshotRewind(rewind) => {
            if let Some(id) = rewind.up_to_event_id.non_blank() {
                out.sink.rewind(id)?;
            }
        }
        EventData::SessionError(err) => {
            let text = match (err.error_type.non_blank(), err.message.non_blank()) {
                (Some(kind), Some(message)) => format!("{kind}: {message}"),
                (None, Some(message)) => message.to_owned(),
                (Some(kind), None) => kind.to_owned(),
                (None, None) => return Ok(()),
            };
            out.push(env.record(RecordKind::Error, capped(text, MAX_TEXT_BYTES), &none))?;
        }
        EventData::UserMessage(msg) => {
            let mut files: Vec<String> = Vec::new();
            for attachment in &msg.attachments.0 {
                if let Some(p) = attachment.path.non_blank().or(attachment.file_path.non_blank()) {
                    push_unique(&mut files, p);
                }
            }
            let text = msg.content.0.filter(|s| !s.trim().is_empty());
            if text.is_none() && files.is_empty() {
                return Ok(());
            }
            let text = capped(text.unwrap_or_default(), MAX_TEXT_BYTES);
            let mut record = env.record(RecordKind::Prompt, text, &msg.parent_tool_call_id);
            record.files = files;
            out.push(record)?;
        }
        EventData::AssistantMessage(msg) => {
            let message_id = msg.message_id.to_owned_string();
            // The model thought before it spoke: keep that order in the parts.
            for (kind, text) in [
                (RecordKind::Reasoning, msg.reasoning_text),
                (RecordKind::Answer, msg.content),
            ] {
                if let Some(text) = text.0.filter(|s| !s.trim().is_empty()) {
                    let text = capped(text, MAX_TEXT_BYTES);
                    let mut record = env.record(kind, text, &msg.parent_tool_call_id);
                    record.message_id = message_id.clone();
                    out.push(record)?;
                }
            }
            // `toolRequests` are not recorded: `tool.execution_start` is the canonical call.
        }
        EventData::AssistantReasoning(r) => {
            if let Some(text) = r.content.0.filter(|s| !s.trim().is_empty()) {
                let text = capped(text, MAX_TEXT_BYTES);
                out.push(env.record(RecordKind::Reasoning, text, &r.parent_tool_call_id))?;
            }
        }
        EventData::ToolStart(start) => {
            let tool = start.tool_name.to_owned_string();
            let mut summary = summarize_call(tool.as_deref().unwrap_or(""), start.arguments.as_ref());
            if let Some(info) = &start.shell_tool_info {
                for p in &info.possible_paths.0 {
                    push_unique(&mut summary.files, p);
                }
            }
            let mut record = env.record(RecordKind::ToolCall, summary.text, &start.parent_tool_call_id);
            record.tool = tool;
            record.call_id = start.tool_call_id.into_owned();
            record.files = summary.files;
            out.push(record)?;
        }
        EventData::ToolComplete(done) => {
            let output = done.result.content.0.filter(|s| !s.trim().is_empty());
            let error = done.error.message.0.filter(|s| !s.trim().is_empty());
            // A shell command that exited non-zero failed even when the tool call itself
            // "succeeded".
            let exit_failed = output
                .as_deref()
                .and_then(trailing_exit_code)
                .is_some_and(|code| code != 0);
            let success = match done.success.0 {
                Some(reported) => reported && !exit_failed,
                None => error.is_none() && !exit_failed,
            };
            let text = match (success, error) {
                (true, _) => capped(output.unwrap_or_default(), MAX_TOOL_OUTPUT_BYTES),
                (false, Some(error)) => capped(error, MAX_TOOL_OUTPUT_BYTES),
                // A failed command says why at the end of its output, next to the exit code.
                (false, None) => tail_capped(output.as_deref().unwrap_or(""), MAX_TOOL_OUTPUT_BYTES),
            };
            let mut record = env.record(RecordKind::ToolResult, text, &done.parent_tool_call_id);
            record.tool = done.tool_name.into_owned();
            record.call_id = done.tool_call_id.into_owned();
            record.success = Some(success);
            if let Some(telemetry) = &done.tool_telemetry {
                let lists = [
                    Some(&telemetry.file_paths),
                    telemetry.restricted_properties.as_ref().map(|p| &p.file_paths),
                    telemetry.properties.as_ref().map(|p| &p.file_paths),
                ];
                for p in lists.into_iter().flatten().flat_map(|l| l.0.iter()) {
                    push_unique(&mut record.files, p);
                }
            }
            out.push(record)?;
        }
        EventData::SubagentFailed(failed) => {
            let name = failed.agent_name.non_blank().unwrap_or("sub-agent");
            let text = match failed
                .error
                .message
                .non_blank()
                .or(failed.error.content.non_blank())
            {
                Some(reason) => format!("{name} failed: {reason}"),
                None => format!("{name} failed"),
            };
            let mut record = env.record(RecordKind::Error, capped(text, MAX_TEXT_BYTES), &none);
            record.subagent = true;
            out.push(record)?;
        }
        EventData::SystemMessage(system) => {
            if let Some(text) = system.content.non_blank() {
                out.system_prompt(text)?;
            }
        }
        EventData::Ignored | EventData::Deferred => {}
    }
    Ok(())
}

/// One Summary record per tagged section (`<overview>`, `<work_done>`, …), or one for the
/// whole text when it has none. `stamp` makes the bare record (event ids, time).
pub(crate) fn push_summary_sections(
    summary: &str,
    stamp: &dyn Fn(String) -> Record,
    out: &mut Out,
) -> Result<(), SinkError> {
    let sections = tagged_sections(summary);
    if sections.is_empty() {
        let mut record = stamp(capped(summary, MAX_TEXT_BYTES));
        record.section = Some(UNTAGGED_SUMMARY.to_owned());
        return out.push(record);
    }
    for section in sections {
        let mut record = stamp(capped(section.body, MAX_TEXT_BYTES));
        record.section = Some(section.name.to_owned());
        out.push(record)?;
    }
    Ok(())
}

fn apply_context(meta: &mut SessionMeta, context: Context<'_>) {
    meta.cwd = context.cwd.into_owned().or_else(|| context.git_root.into_owned());
    meta.repo = context.repository.into_owned();
    meta.branch = context.branch.into_owned();
    meta.head_commit = context.head_commit.into_owned();
}

fn push_unique(files: &mut Vec<String>, path: &str) {
    let path = path.trim();
    if !path.is_empty() && !files.iter().any(|f| f == path) {
        files.push(path.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory_sink::MemorySink;

    fn decode(lines: &[&str]) -> MemorySink {
        let mut sink = MemorySink::default();
        let mut out = Out::new(&mut sink);
        let mut offset = 0;
        for line in lines {
            decode_line(&mut out, offset, line.as_bytes()).expect("sink ok");
            offset += line.len() as u64 + 1;
        }
        sink
    }

    #[test]
    fn ephemeral_and_unknown_events_push_nothing() {
        let sink = decode(&[
            r#"{"type":"user.message","ephemeral":true,"id":"a","data":{"content":"x"}}"#,
            r#"{"type":"assistant.usage","id":"b","data":{"model":"m","inputTokens":3}}"#,
            r#"{"type":"hook.start","id":"c","data":{}}"#,
        ]);
        assert!(sink.records.is_empty());
    }

    #[test]
    fn non_zero_exit_code_fails_a_successful_shell_call() {
        let sink = decode(&[
            r#"{"type":"tool.execution_complete","id":"a","data":{"toolCallId":"c1","success":true,"result":{"content":"error: nope\n<exited with exit code 2>"}}}"#,
        ]);
        let result = &sink.records[0];
        assert_eq!(result.success, Some(false));
        assert!(result.text.starts_with("error: nope"));
    }

    #[test]
    fn a_failed_command_keeps_the_end_of_its_output() {
        let noise = "compiling…\\n".repeat(1000);
        let line = format!(
            r#"{{"type":"tool.execution_complete","id":"a","data":{{"toolCallId":"c1","success":true,"result":{{"content":"{noise}error[E0308]: mismatched types\n<exited with exit code 101>"}}}}}}"#
        );
        let sink = decode(&[&line]);
        let text = &sink.records[0].text;
        assert!(text.starts_with("[truncated]"));
        assert!(text.ends_with("error[E0308]: mismatched types\n<exited with exit code 101>"));
        assert!(text.len() <= MAX_TOOL_OUTPUT_BYTES + 20);
    }

    #[test]
    fn failed_tool_prefers_the_error_message() {
        let sink = decode(&[
            r#"{"type":"tool.execution_complete","id":"a","data":{"toolCallId":"c1","success":false,"error":{"message":"Path does not exist","code":"failure"}}}"#,
        ]);
        assert_eq!(sink.records[0].text, "Path does not exist");
        assert_eq!(sink.records[0].call_id.as_deref(), Some("c1"));
    }

    #[test]
    fn assistant_message_pushes_reasoning_then_answer_sharing_message_id() {
        let sink = decode(&[
            r#"{"type":"assistant.message","id":"e5","data":{"messageId":"m1","content":"Hi","reasoningText":"Think","reasoningOpaque":"AAAA","toolRequests":[{"toolCallId":"t","name":"bash","arguments":{}}]}}"#,
        ]);
        let kinds: Vec<_> = sink.records.iter().map(|r| (r.kind(), r.part)).collect();
        assert_eq!(kinds, vec![(RecordKind::Reasoning, 0), (RecordKind::Answer, 1)]);
        assert!(sink.records.iter().all(|r| r.message_id.as_deref() == Some("m1")));
        assert_eq!(sink.count(RecordKind::ToolCall), 0);
    }

    #[test]
    fn session_error_and_failed_subagent_are_errors() {
        let sink = decode(&[
            r#"{"type":"session.error","id":"a","data":{"errorType":"rate_limit","message":"Too many requests"}}"#,
            r#"{"type":"subagent.failed","id":"b","data":{"agentName":"explore","error":"timeout"}}"#,
        ]);
        assert_eq!(sink.records[0].text, "rate_limit: Too many requests");
        assert_eq!(sink.records[1].text, "explore failed: timeout");
        assert!(sink.records[1].subagent);
    }
}
