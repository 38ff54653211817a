//! Maps one decoded Codex rollout line to records and metadata patches. Every decision here
//! looks at the current line only (plus the session id known from the path), so reading a
//! file in pieces pushes exactly what one read pushes.
//!
//! Prompts and answers are taken from `response_item` messages only; the `event_msg`
//! `user_message` / `agent_message` / `agent_reasoning` copies are ignored. Both corpus
//! files carry every live turn in both forms, so either source is complete there; the
//! response items win because they are what the model saw, they are the only form in
//! rollouts written before `event_msg` was persisted, and they sit next to the reasoning and
//! tool calls of the same turn. The price is that Codex's injected context (environment,
//! AGENTS.md, permissions) arrives as user-role messages and has to be recognised
//! ([`is_injected_context`]). A rollout holding only the `event_msg` form would lose its
//! prompts; no such file has been seen, and choosing per file would need state.
//!
//! A forked sub-agent rollout replays its parent's history after the parent's own
//! `session_meta`: the replayed user prompt is kept (it is the task the sub-agent was
//! forked with), the replayed answers exist only as `event_msg` and are therefore skipped,
//! and the parent's metadata never overwrites the child's (see [`session_meta`]).

use sha2::{Digest, Sha256};
use sk_core::record::{MAX_TEXT_BYTES, cap_text};
use sk_core::{Record, RecordKind, SessionMeta, Sink, SinkError};

use super::tools;
use super::wire::{
    CompactedWire, Content, EventKind, EventMsgWire, ResponseItemWire, ResponseKind, SessionMetaWire,
    TurnContextWire,
};

/// Pushes the records of one line, numbering them and stamping the line's offset and time.
pub(super) struct Emitter<'s> {
    sink: &'s mut dyn Sink,
    offset: u64,
    ts: Option<i64>,
    parts: u32,
}

impl<'s> Emitter<'s> {
    pub fn new(sink: &'s mut dyn Sink, offset: u64, ts: Option<i64>) -> Emitter<'s> {
        Emitter {
            sink,
            offset,
            ts,
            parts: 0,
        }
    }

    /// Records pushed so far for this line.
    pub fn records(&self) -> u64 {
        u64::from(self.parts)
    }

    fn push(&mut self, mut record: Record) -> Result<(), SinkError> {
        record.offset = self.offset;
        record.part = self.parts;
        record.ts = self.ts;
        self.parts += 1;
        self.sink.record(&record)
    }

    fn push_text(
        &mut self,
        kind: RecordKind,
        mut text: String,
        event_id: Option<&str>,
    ) -> Result<(), SinkError> {
        cap_text(&mut text, MAX_TEXT_BYTES);
        let mut record = Record::new(kind, self.offset, text);
        record.event_id = event_id.map(str::to_owned);
        self.push(record)
    }
}

/// `session_meta`. The first one of a file describes the file's session; a later one whose
/// id is not the session's (a fork replaying its parent) only contributes its system prompt.
/// "Ours" is decided statelessly: the id matches the session id taken from the file name,
/// or the line is the file's first (for files whose name carries no id).
pub(super) fn session_meta(
    out: &mut Emitter,
    session: &str,
    meta: &SessionMetaWire,
) -> Result<(), SinkError> {
    if let Some(text) = meta
        .base_instructions
        .as_ref()
        .and_then(|i| i.text.as_deref())
        .filter(|t| !t.is_empty())
    {
        system_prompt(out.sink, text)?;
    }
    // The first document starts at 0, or at 3 when the reader dropped a UTF-8 BOM.
    let first_line = out.offset <= 3;
    let ours = meta.id.as_deref() == Some(session) || first_line;
    if !ours {
        return Ok(());
    }
    let git = meta.git.as_ref();
    let parent = meta
        .forked_from_id
        .as_deref()
        .or_else(|| meta.source.as_ref().and_then(|s| s.parent_thread_id()))
        .filter(|p| *p != session);
    let started = meta
        .timestamp
        .as_deref()
        .and_then(sk_core::time::parse_iso)
        .or(out.ts);
    out.sink.meta(&SessionMeta {
        cwd: owned(meta.cwd.as_deref()),
        repo: owned(git.and_then(|g| g.repository_url.as_deref())),
        branch: owned(git.and_then(|g| g.branch.as_deref())),
        head_commit: owned(git.and_then(|g| g.commit_hash.as_deref())),
        agent_version: owned(meta.cli_version.as_deref()),
        parent_session: owned(parent),
        started_at: started,
        ended_at: out.ts,
        ..SessionMeta::default()
    })
}

fn system_prompt(sink: &mut dyn Sink, text: &str) -> Result<(), SinkError> {
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    sink.system_prompt(&hash, text)
}

fn owned(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `turn_context`: the working folder and model of the turn that starts here.
pub(super) fn turn_context(out: &mut Emitter, ctx: &TurnContextWire) -> Result<(), SinkError> {
    out.sink.meta(&SessionMeta {
        cwd: owned(ctx.cwd.as_deref()),
        model: owned(ctx.model.as_deref()),
        ended_at: out.ts,
        ..SessionMeta::default()
    })
}

/// `response_item`: messages, reasoning, tool calls and tool outputs.
pub(super) fn response_item(out: &mut Emitter, item: &ResponseItemWire) -> Result<(), SinkError> {
    let event_id = item.id.as_deref();
    match item.kind {
        ResponseKind::Message => {
            let Some(content) = &item.content else {
                return Ok(());
            };
            match item.role.as_deref() {
                Some("user") => {
                    let text = prompt_text(content);
                    if !text.is_empty() {
                        out.push_text(RecordKind::Prompt, text, event_id)?;
                    }
                }
                Some("assistant") => {
                    let text = join_texts(content.texts());
                    if !text.is_empty() {
                        out.push_text(RecordKind::Answer, text, event_id)?;
                    }
                }
                // `developer` / `system`: instructions repeated every turn, not conversation.
                _ => {}
            }
        }
        ResponseKind::Reasoning => {
            // The summary is the readable part; `content` holds raw reasoning text only for
            // some models; `encrypted_content` is never decoded.
            let summary = item
                .summary
                .as_ref()
                .map(|s| join_texts(s.texts()))
                .unwrap_or_default();
            let text = if summary.is_empty() {
                item.content
                    .as_ref()
                    .map(|c| join_texts(c.texts()))
                    .unwrap_or_default()
            } else {
                summary
            };
            if !text.is_empty() {
                out.push_text(RecordKind::Reasoning, text, event_id)?;
            }
        }
        ResponseKind::FunctionCall => {
            let call = tools::function_call(item.arguments.as_ref());
            tool_call(out, item, call)?;
        }
        ResponseKind::CustomToolCall => {
            let call = tools::custom_call(item.input.as_deref().unwrap_or(""));
            tool_call(out, item, call)?;
        }
        ResponseKind::LocalShellCall | ResponseKind::WebSearchCall => {
            let call = tools::action_call(item.action.as_ref());
            tool_call(out, item, call)?;
        }
        ResponseKind::FunctionCallOutput | ResponseKind::CustomToolCallOutput => {
            let result = tools::tool_result(item.output.as_ref());
            let mut record = Record::new(RecordKind::ToolResult, out.offset, result.text);
            record.call_id = owned(item.call_id.as_deref());
            record.success = Some(result.success);
            record.event_id = owned(event_id);
            out.push(record)?;
        }
        ResponseKind::Other => {}
    }
    Ok(())
}

fn tool_call(out: &mut Emitter, item: &ResponseItemWire, call: tools::CallSummary) -> Result<(), SinkError> {
    let tool = match item.kind {
        ResponseKind::LocalShellCall => Some("local_shell"),
        ResponseKind::WebSearchCall => Some("web_search"),
        _ => item.name.as_deref(),
    };
    let mut record = Record::new(RecordKind::ToolCall, out.offset, call.text);
    record.tool = owned(tool);
    // Web searches have no call id and no output; their item id keeps them apart.
    record.call_id = owned(item.call_id.as_deref());
    record.event_id = owned(item.id.as_deref());
    record.files = call.files;
    out.push(record)
}

/// `event_msg`: only the turn recap and errors become records. Ignored on purpose:
/// `user_message`/`agent_message`/`agent_reasoning` (copies of response items, see the
/// module doc); `exec_command_end` and `patch_apply_end` (the same call's outcome is the
/// `function_call_output`/`custom_tool_call_output`, whose text carries the exit code in
/// every release seen; whether that output lacked it cannot be known without state, so a
/// second result would double count); `token_count` and the other progress events.
pub(super) fn event_msg(out: &mut Emitter, event: &EventMsgWire) -> Result<(), SinkError> {
    match event.kind {
        EventKind::TaskComplete => {
            if let Some(recap) = event
                .last_agent_message
                .as_deref()
                .filter(|m| !m.trim().is_empty())
            {
                out.push_text(RecordKind::TaskSummary, recap.to_owned(), None)?;
            }
            out.sink.meta(&SessionMeta {
                ended_at: out.ts,
                ..SessionMeta::default()
            })?;
        }
        EventKind::Error => {
            if let Some(message) = event.message.as_deref().filter(|m| !m.trim().is_empty()) {
                out.push_text(RecordKind::Error, message.to_owned(), None)?;
            }
        }
        EventKind::Other => {}
    }
    Ok(())
}

/// `compacted`: the summary message when there is one, and the readable messages of the
/// replacement history. Encrypted `compaction` items and injected context are skipped.
pub(super) fn compacted(out: &mut Emitter, compacted: &CompactedWire) -> Result<(), SinkError> {
    if let Some(message) = compacted.message.as_deref().filter(|m| !m.trim().is_empty()) {
        summary(out, message.to_owned())?;
    }
    for item in compacted.replacement_history.iter().flatten() {
        let (ResponseKind::Message, Some(content)) = (item.kind, &item.content) else {
            continue;
        };
        let text = match item.role.as_deref() {
            Some("user") => prompt_text(content),
            Some("assistant") => join_texts(content.texts()),
            _ => continue,
        };
        if !text.is_empty() {
            summary(out, text)?;
        }
    }
    Ok(())
}

fn summary(out: &mut Emitter, mut text: String) -> Result<(), SinkError> {
    cap_text(&mut text, MAX_TEXT_BYTES);
    let mut record = Record::new(RecordKind::Summary, out.offset, text);
    record.section = Some("compacted".to_owned());
    out.push(record)
}

/// The human-typed text of a user-role message: its text parts minus injected context.
fn prompt_text(content: &Content) -> String {
    join_texts(content.texts().filter(|t| !is_injected_context(t)))
}

fn join_texts<'t>(texts: impl Iterator<Item = &'t str>) -> String {
    let mut joined = String::new();
    for text in texts.map(str::trim).filter(|t| !t.is_empty()) {
        if !joined.is_empty() {
            joined.push_str("\n\n");
        }
        joined.push_str(text);
    }
    joined
}

/// Codex sends context it generates as user-role messages: `<environment_context>`,
/// `<user_instructions>`, `# AGENTS.md instructions for …`, `<permissions instructions>`,
/// `<user_shell_command>`, `<turn_aborted>`, skill bodies, image wrappers. Besides the
/// known openers, any text wholly wrapped in one `<tag>…</tag>` is treated as generated: a
/// person rarely types that, and Codex adds new tags with most releases.
pub(super) fn is_injected_context(text: &str) -> bool {
    const OPENERS: [&str; 12] = [
        "# AGENTS.md instructions",
        "<environment_context",
        "<user_instructions",
        "<permissions instructions",
        "<user_shell_command",
        "<turn_aborted",
        "<subagent_notification",
        "<skill",
        "<INSTRUCTIONS>",
        "<collaboration_mode",
        "<image",
        "</image>",
    ];
    let text = text.trim();
    if OPENERS.iter().any(|o| text.starts_with(o)) {
        return true;
    }
    wrapped_in_one_tag(text)
}

fn wrapped_in_one_tag(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('<') else {
        return false;
    };
    let Some(tag) = rest.split_once('>').map(|(tag, _)| tag) else {
        return false;
    };
    let plain_tag = !tag.is_empty()
        && tag.len() <= 48
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '));
    let Some(before_close) = text.strip_suffix('>').and_then(|t| t.strip_suffix(tag)) else {
        return false;
    };
    plain_tag && before_close.ends_with("</") && before_close.len() > tag.len() + 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_context_is_not_a_prompt() {
        for text in [
            "<environment_context>\n  <cwd>/w</cwd>\n</environment_context>",
            "# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>\nbe nice\n</INSTRUCTIONS>",
            "<user_instructions>\nx\n</user_instructions>",
            "<permissions instructions>\nsandbox\n</permissions instructions>",
            "<turn_aborted>\ninterrupted\n</turn_aborted>",
            "  <some_new_tag attr>\nbody\n</some_new_tag attr>  ",
            "<image name=[Image #1]>",
            "</image>",
        ] {
            assert!(is_injected_context(text), "{text}");
        }
        for text in [
            "Count the words in `notes.md` and report the number.",
            "<b>bold</b> is html, fix the renderer",
            "why does <T> not infer here?",
            "<div>",
        ] {
            assert!(!is_injected_context(text), "{text}");
        }
    }

    #[test]
    fn texts_are_trimmed_and_joined() {
        assert_eq!(join_texts(["  a ", "", "b\n"].into_iter()), "a\n\nb");
    }
}
