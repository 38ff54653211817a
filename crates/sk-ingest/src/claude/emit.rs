//! Maps one decoded transcript line to normalized records. Works on a single line and
//! nothing else, so reading a file in pieces pushes exactly what one read pushes: tool calls
//! and results are emitted apart (paired later by `call_id`), and the pieces of an API
//! response split over several lines are tied together only by `message_id`.

use std::borrow::Cow;

use sk_core::record::{MAX_TEXT_BYTES, cap_text, capped};
use sk_core::{Record, RecordKind, Sink, SinkError};

use super::tools::{summarize_call, summarize_result};
use super::user_text::{UserText, classify};
use super::wire::{Block, Content, Entry, EntryType, Message};

/// Section name of the summary Claude Code injects after compaction.
pub const SECTION_COMPACT: &str = "compact";
/// Section name of `summary` entries (a summary of the thread ending at `leafUuid`).
pub const SECTION_SUMMARY: &str = "summary";
/// `message.model` of messages Claude Code makes up itself (API errors, interruptions).
pub const SYNTHETIC_MODEL: &str = "<synthetic>";

/// What every record of one line shares.
struct Line<'s> {
    offset: u64,
    event_id: Option<&'s str>,
    message_id: Option<&'s str>,
    ts: Option<i64>,
    subagent: bool,
}

impl Line<'_> {
    fn record(&self, kind: RecordKind, part: usize, text: String) -> Record {
        Record {
            kind: Some(kind),
            offset: self.offset,
            part: u32::try_from(part).unwrap_or(u32::MAX),
            event_id: self.event_id.map(str::to_owned),
            message_id: self.message_id.map(str::to_owned),
            ts: self.ts,
            subagent: self.subagent,
            text,
            ..Record::default()
        }
    }
}

/// Pushes the records of `entry` (the line at `offset`); returns how many.
pub fn emit(entry: &Entry<'_>, offset: u64, sink: &mut dyn Sink) -> Result<u64, SinkError> {
    let message = entry.message.0.as_ref();
    let line = Line {
        offset,
        event_id: entry.uuid.non_blank(),
        message_id: message.and_then(|m| m.id.non_blank()),
        ts: entry.timestamp.0,
        subagent: entry.is_sidechain.is_true() || entry.agent_id.non_blank().is_some(),
    };
    let mut out = Pushed { sink, count: 0 };
    match entry.kind {
        EntryType::User => {
            if let Some(m) = message {
                user(entry, &m.content, &line, &mut out)?;
            }
        }
        EntryType::Assistant => {
            if let Some(m) = message {
                assistant(entry, m, &line, &mut out)?;
            }
        }
        EntryType::System => system(entry, &line, &mut out)?,
        EntryType::Summary => {
            if let Some(text) = entry.summary.non_blank() {
                let mut r = line.record(RecordKind::Summary, 0, capped(text.trim(), MAX_TEXT_BYTES));
                r.section = Some(SECTION_SUMMARY.to_owned());
                r.refers_to = entry.leaf_uuid.non_blank().map(str::to_owned);
                out.push(r)?;
            }
        }
        // Titles are metadata; everything else (attachments, snapshots, queue operations,
        // progress, prompts echoed by `last-prompt`, …) is not worth indexing.
        EntryType::AiTitle | EntryType::CustomTitle | EntryType::Other => {}
    }
    Ok(out.count)
}

/// Counts what reaches the sink, for [`crate::ReadOutcome::records`].
struct Pushed<'k> {
    sink: &'k mut dyn Sink,
    count: u64,
}

impl Pushed<'_> {
    fn push(&mut self, record: Record) -> Result<(), SinkError> {
        self.sink.record(&record)?;
        self.count += 1;
        Ok(())
    }
}

fn user(
    entry: &Entry<'_>,
    content: &Content<'_>,
    line: &Line<'_>,
    out: &mut Pushed<'_>,
) -> Result<(), SinkError> {
    if entry.is_compact_summary.is_true() {
        let text = joined_text(content);
        if !text.trim().is_empty() {
            return out.push(compact_summary(line, text.trim()));
        }
        return Ok(());
    }
    match content {
        Content::Text(text) => {
            if !entry.is_meta.is_true() {
                user_text(text, 0, line, out)?;
            }
        }
        Content::Blocks(blocks) => {
            for (part, block) in blocks.iter().enumerate() {
                if block.is("tool_result") {
                    out.push(tool_result(block, part, line))?;
                } else if block.is("text")
                    && !entry.is_meta.is_true()
                    && let Some(text) = block.text.get()
                {
                    user_text(text, part, line, out)?;
                }
                // Images and other blocks carry nothing to index.
            }
        }
        Content::Missing => {}
    }
    Ok(())
}

fn user_text(text: &str, part: usize, line: &Line<'_>, out: &mut Pushed<'_>) -> Result<(), SinkError> {
    let record = match classify(text) {
        UserText::Typed(typed) => line.record(RecordKind::Prompt, part, capped(typed, MAX_TEXT_BYTES)),
        UserText::SlashCommand(mut cmd) | UserText::ShellCommand(mut cmd) => {
            cap_text(&mut cmd, MAX_TEXT_BYTES);
            line.record(RecordKind::Prompt, part, cmd)
        }
        UserText::CompactSummary => {
            let mut r = compact_summary(line, text.trim());
            r.part = u32::try_from(part).unwrap_or(u32::MAX);
            r
        }
        UserText::Noise => return Ok(()),
    };
    out.push(record)
}

fn compact_summary(line: &Line<'_>, text: &str) -> Record {
    let mut r = line.record(RecordKind::Summary, 0, capped(text, MAX_TEXT_BYTES));
    r.section = Some(SECTION_COMPACT.to_owned());
    r
}

fn tool_result(block: &Block<'_>, part: usize, line: &Line<'_>) -> Record {
    let output = joined_text(&block.content);
    let summary = summarize_result(block.is_error.is_true(), &output);
    let mut r = line.record(RecordKind::ToolResult, part, summary.text);
    r.call_id = block.tool_use_id.non_blank().map(str::to_owned);
    r.success = Some(summary.success);
    r
}

fn assistant(
    entry: &Entry<'_>,
    message: &Message<'_>,
    line: &Line<'_>,
    out: &mut Pushed<'_>,
) -> Result<(), SinkError> {
    // The final failure of an API call is written as an assistant message whose text is the
    // error ("API Error: 529 …"): an error, not something the agent said.
    let synthetic = message.model.get() == Some(SYNTHETIC_MODEL);
    let text_kind = if entry.is_api_error_message.is_true() {
        Some(RecordKind::Error)
    } else if synthetic {
        // Placeholders the harness writes in the agent's name ("No response requested.").
        None
    } else {
        Some(RecordKind::Answer)
    };
    match &message.content {
        Content::Text(text) => {
            if let Some(kind) = text_kind.filter(|_| !text.trim().is_empty()) {
                out.push(line.record(kind, 0, capped(text.trim(), MAX_TEXT_BYTES)))?;
            }
        }
        Content::Blocks(blocks) => {
            for (part, block) in blocks.iter().enumerate() {
                let record = if block.is("text") {
                    let text = text_kind.zip(block.text.non_blank());
                    text.map(|(kind, t)| line.record(kind, part, capped(t.trim(), MAX_TEXT_BYTES)))
                } else if block.is("thinking") {
                    // Recent versions keep only the signature on disk: the text is empty.
                    block
                        .thinking
                        .non_blank()
                        .map(|t| line.record(RecordKind::Reasoning, part, capped(t.trim(), MAX_TEXT_BYTES)))
                } else if block.is("tool_use") {
                    Some(tool_call(block, part, line))
                } else {
                    // redacted_thinking (an encrypted blob), images, server tool blocks.
                    None
                };
                if let Some(r) = record {
                    out.push(r)?;
                }
            }
        }
        Content::Missing => {}
    }
    Ok(())
}

fn tool_call(block: &Block<'_>, part: usize, line: &Line<'_>) -> Record {
    let tool = block.name.non_blank().unwrap_or("unknown");
    let summary = summarize_call(tool, block.input.as_ref());
    let mut r = line.record(RecordKind::ToolCall, part, summary.text);
    r.call_id = block.id.non_blank().map(str::to_owned);
    r.tool = Some(tool.to_owned());
    r.files = summary.files;
    r
}

/// `system` lines are mostly bookkeeping (compact boundaries, turn durations, hook
/// summaries, local command echoes); only errors are worth a record.
fn system(entry: &Entry<'_>, line: &Line<'_>, out: &mut Pushed<'_>) -> Result<(), SinkError> {
    let subtype = entry.subtype.get().unwrap_or("");
    let is_error = subtype == "api_error" || entry.level.get() == Some("error");
    if !is_error {
        return Ok(());
    }
    let text = match entry.content.non_blank() {
        Some(text) => text.trim().to_owned(),
        None => api_error_text(entry),
    };
    let mut text = text;
    cap_text(&mut text, MAX_TEXT_BYTES);
    out.push(line.record(RecordKind::Error, 0, text))
}

/// Describes an `api_error` retry from its `error` object: `API error 529: overloaded`.
fn api_error_text(entry: &Entry<'_>) -> String {
    use serde_json::Value;
    let error = entry.error.as_ref();
    let field = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).cloned();
    let status = field(error, "status").and_then(|s| s.as_u64());
    let message = error
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| field(error, "message").and_then(|m| m.as_str().map(str::to_owned)))
        .or_else(|| {
            let inner = error.and_then(|e| e.get("error"));
            let inner = inner.and_then(|i| i.get("error")).or(inner);
            field(inner, "message").and_then(|m| m.as_str().map(str::to_owned))
        })
        .or_else(|| {
            let cause = error.and_then(|e| e.get("cause"));
            field(cause, "code").and_then(|m| m.as_str().map(str::to_owned))
        });
    let mut text = String::from("API error");
    if let Some(status) = status {
        text.push_str(&format!(" {status}"));
    }
    if let Some(message) = message.filter(|m| !m.trim().is_empty()) {
        text.push_str(": ");
        text.push_str(message.trim());
    }
    text
}

/// The text of a string content, or the `text` blocks of a block array joined by newlines.
/// Borrows when there is a single piece, since tool outputs can be megabytes.
fn joined_text<'c>(content: &'c Content<'_>) -> Cow<'c, str> {
    match content {
        Content::Missing => Cow::Borrowed(""),
        Content::Text(text) => Cow::Borrowed(text),
        Content::Blocks(blocks) => {
            let mut texts = blocks
                .iter()
                .filter(|b| b.is("text"))
                .filter_map(|b| b.text.get());
            let Some(first) = texts.next() else {
                return Cow::Borrowed("");
            };
            let mut out = Cow::Borrowed(first);
            for text in texts {
                let joined = out.to_mut();
                joined.push('\n');
                joined.push_str(text);
            }
            out
        }
    }
}
