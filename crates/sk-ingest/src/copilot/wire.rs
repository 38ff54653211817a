//! Serde mirror of Copilot CLI `events.jsonl` lines (formats.md §1.2). Only the fields sk
//! indexes are declared; everything else (token usage, opaque reasoning, encrypted content,
//! telemetry) is skipped by the parser without being allocated. Field types come from
//! `lenient`: the format drifts with every release, and one odd field must not cost a prompt.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

pub(crate) use super::lenient::{Flag, List, ModelNames, Number, Payload, StrList, Text, Time};

/// The event types sk reads; every other type is [`EventType::Other`] and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum EventType {
    #[serde(rename = "session.start")]
    SessionStart,
    #[serde(rename = "session.resume")]
    SessionResume,
    #[serde(rename = "session.context_changed")]
    ContextChanged,
    #[serde(rename = "session.title_changed")]
    TitleChanged,
    #[serde(rename = "session.model_change")]
    ModelChange,
    #[serde(rename = "session.shutdown")]
    Shutdown,
    #[serde(rename = "session.compaction_complete")]
    CompactionComplete,
    #[serde(rename = "session.task_complete")]
    TaskComplete,
    #[serde(rename = "session.snapshot_rewind")]
    SnapshotRewind,
    #[serde(rename = "session.error")]
    SessionError,
    #[serde(rename = "user.message")]
    UserMessage,
    #[serde(rename = "assistant.message")]
    AssistantMessage,
    #[serde(rename = "assistant.reasoning")]
    AssistantReasoning,
    #[serde(rename = "tool.execution_start")]
    ToolStart,
    #[serde(rename = "tool.execution_complete")]
    ToolComplete,
    #[serde(rename = "subagent.failed")]
    SubagentFailed,
    #[serde(rename = "system.message")]
    SystemMessage,
    #[serde(other)]
    Other,
}

/// One decoded line: the envelope plus the typed `data` of the types sk reads.
#[derive(Debug)]
pub(crate) struct Event<'a> {
    pub kind: EventType,
    pub id: Text<'a>,
    pub timestamp: Option<i64>,
    pub ephemeral: bool,
    pub agent_id: Text<'a>,
    pub data: EventData<'a>,
}

/// `data`, decoded according to the envelope's `type`.
#[derive(Debug)]
pub(crate) enum EventData<'a> {
    /// `session.start` and `session.resume`.
    Start(SessionStart<'a>),
    ContextChanged(Context<'a>),
    TitleChanged(TitleChanged<'a>),
    ModelChange(ModelChange<'a>),
    Shutdown(Shutdown<'a>),
    CompactionComplete(CompactionComplete<'a>),
    TaskComplete(TaskComplete<'a>),
    SnapshotRewind(SnapshotRewind<'a>),
    SessionError(SessionError<'a>),
    UserMessage(UserMessage<'a>),
    AssistantMessage(AssistantMessage<'a>),
    AssistantReasoning(AssistantReasoning<'a>),
    ToolStart(ToolStart<'a>),
    ToolComplete(ToolComplete<'a>),
    SubagentFailed(SubagentFailed<'a>),
    SystemMessage(SystemMessage<'a>),
    /// A type sk ignores, or an event without `data`.
    Ignored,
    /// `data` came before `type`, so it could not be typed in one pass.
    Deferred,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SessionStart<'a> {
    #[serde(borrow)]
    pub copilot_version: Text<'a>,
    pub start_time: Time,
    #[serde(borrow)]
    pub selected_model: Text<'a>,
    #[serde(borrow)]
    pub context: Option<Context<'a>>,
}

/// Where the session runs; also the whole `data` of `session.context_changed`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Context<'a> {
    #[serde(borrow)]
    pub cwd: Text<'a>,
    #[serde(borrow)]
    pub git_root: Text<'a>,
    #[serde(borrow)]
    pub branch: Text<'a>,
    #[serde(borrow)]
    pub head_commit: Text<'a>,
    #[serde(borrow)]
    pub repository: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TitleChanged<'a> {
    #[serde(borrow)]
    pub title: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ModelChange<'a> {
    #[serde(borrow)]
    pub new_model: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Shutdown<'a> {
    #[serde(borrow)]
    pub current_model: Text<'a>,
    pub model_metrics: ModelNames,
    #[serde(borrow)]
    pub code_changes: Option<CodeChanges<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct CodeChanges<'a> {
    pub lines_added: Number,
    pub lines_removed: Number,
    #[serde(borrow)]
    pub files_modified: StrList<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct CompactionComplete<'a> {
    pub success: Flag,
    #[serde(borrow)]
    pub summary_content: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TaskComplete<'a> {
    #[serde(borrow)]
    pub summary: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SnapshotRewind<'a> {
    #[serde(borrow)]
    pub up_to_event_id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SessionError<'a> {
    #[serde(borrow)]
    pub error_type: Text<'a>,
    #[serde(borrow)]
    pub message: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct UserMessage<'a> {
    #[serde(borrow)]
    pub content: Text<'a>,
    #[serde(borrow)]
    pub attachments: List<Attachment<'a>>,
    #[serde(borrow)]
    pub parent_tool_call_id: Text<'a>,
}

/// A file, selection or reference attached to a prompt; only its path matters here.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Attachment<'a> {
    #[serde(borrow)]
    pub path: Text<'a>,
    #[serde(borrow)]
    pub file_path: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct AssistantMessage<'a> {
    #[serde(borrow)]
    pub message_id: Text<'a>,
    #[serde(borrow)]
    pub content: Text<'a>,
    #[serde(borrow)]
    pub reasoning_text: Text<'a>,
    #[serde(borrow)]
    pub parent_tool_call_id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct AssistantReasoning<'a> {
    #[serde(borrow)]
    pub content: Text<'a>,
    #[serde(borrow)]
    pub parent_tool_call_id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ToolStart<'a> {
    #[serde(borrow)]
    pub tool_call_id: Text<'a>,
    #[serde(borrow)]
    pub tool_name: Text<'a>,
    /// Free-form per tool; summarised by `tools::summarize_call`.
    pub arguments: Option<Value>,
    #[serde(borrow)]
    pub parent_tool_call_id: Text<'a>,
    #[serde(borrow)]
    pub shell_tool_info: Option<ShellToolInfo<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ShellToolInfo<'a> {
    #[serde(borrow)]
    pub possible_paths: StrList<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ToolComplete<'a> {
    #[serde(borrow)]
    pub tool_call_id: Text<'a>,
    #[serde(borrow)]
    pub tool_name: Text<'a>,
    pub success: Flag,
    #[serde(borrow)]
    pub result: Payload<'a>,
    #[serde(borrow)]
    pub error: Payload<'a>,
    #[serde(borrow)]
    pub tool_telemetry: Option<Telemetry<'a>>,
    #[serde(borrow)]
    pub parent_tool_call_id: Text<'a>,
}

/// Tool telemetry: file paths appear either as an array or as a JSON-encoded string
/// (`restrictedProperties.filePaths` in CLI 1.0.68).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Telemetry<'a> {
    #[serde(borrow)]
    pub file_paths: StrList<'a>,
    #[serde(borrow)]
    pub restricted_properties: Option<TelemetryProperties<'a>>,
    #[serde(borrow)]
    pub properties: Option<TelemetryProperties<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct TelemetryProperties<'a> {
    #[serde(borrow)]
    pub file_paths: StrList<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SubagentFailed<'a> {
    #[serde(borrow)]
    pub agent_name: Text<'a>,
    #[serde(borrow)]
    pub error: Payload<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SystemMessage<'a> {
    #[serde(borrow)]
    pub content: Text<'a>,
}

/// Decodes one line. A line whose `data` precedes its `type` is parsed a second time, now
/// that the type is known; the CLI writes `type` first, so that path is rare.
pub(crate) fn parse_event(line: &[u8]) -> Result<Event<'_>, serde_json::Error> {
    let event = parse_with(line, None)?;
    if matches!(event.data, EventData::Deferred) {
        if event.kind == EventType::Other {
            return Ok(Event {
                data: EventData::Ignored,
                ..event
            });
        }
        return parse_with(line, Some(event.kind));
    }
    Ok(event)
}

fn parse_with(line: &[u8], known: Option<EventType>) -> Result<Event<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(line);
    let event = EventSeed { known }.deserialize(&mut de)?;
    de.end()?;
    Ok(event)
}

/// Types `data` by the `type` seen earlier in the same object, in a single pass.
struct EventSeed {
    known: Option<EventType>,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum EnvelopeField {
    #[serde(rename = "type")]
    Type,
    #[serde(rename = "data")]
    Data,
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "timestamp")]
    Timestamp,
    #[serde(rename = "ephemeral")]
    Ephemeral,
    #[serde(rename = "agentId")]
    AgentId,
    #[serde(other)]
    Other,
}

impl<'de> DeserializeSeed<'de> for EventSeed {
    type Value = Event<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Event<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed {
    type Value = Event<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Copilot event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event<'de>, A::Error> {
        let mut kind = self.known;
        let mut event = Event {
            kind: EventType::Other,
            id: Text::default(),
            timestamp: None,
            ephemeral: false,
            agent_id: Text::default(),
            data: EventData::Ignored,
        };
        let mut saw_kind = false;
        while let Some(field) = map.next_key::<EnvelopeField>()? {
            match field {
                EnvelopeField::Type if self.known.is_some() => {
                    map.next_value::<IgnoredAny>()?;
                    saw_kind = true;
                }
                EnvelopeField::Type => {
                    kind = Some(map.next_value::<EventType>()?);
                    saw_kind = true;
                }
                EnvelopeField::Data => {
                    event.data = match kind {
                        Some(k) => map.next_value_seed(DataSeed(k))?,
                        None => {
                            map.next_value::<IgnoredAny>()?;
                            EventData::Deferred
                        }
                    };
                }
                EnvelopeField::Id => event.id = map.next_value()?,
                EnvelopeField::Timestamp => event.timestamp = map.next_value::<Time>()?.0,
                EnvelopeField::Ephemeral => event.ephemeral = map.next_value::<Flag>()?.0 == Some(true),
                EnvelopeField::AgentId => event.agent_id = map.next_value()?,
                EnvelopeField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !saw_kind {
            return Err(de::Error::missing_field("type"));
        }
        event.kind = kind.unwrap_or(EventType::Other);
        Ok(event)
    }
}

struct DataSeed(EventType);

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = EventData<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<EventData<'de>, D::Error> {
        Ok(match self.0 {
            EventType::SessionStart | EventType::SessionResume => {
                EventData::Start(Deserialize::deserialize(d)?)
            }
            EventType::ContextChanged => EventData::ContextChanged(Deserialize::deserialize(d)?),
            EventType::TitleChanged => EventData::TitleChanged(Deserialize::deserialize(d)?),
            EventType::ModelChange => EventData::ModelChange(Deserialize::deserialize(d)?),
            EventType::Shutdown => EventData::Shutdown(Deserialize::deserialize(d)?),
            EventType::CompactionComplete => EventData::CompactionComplete(Deserialize::deserialize(d)?),
            EventType::TaskComplete => EventData::TaskComplete(Deserialize::deserialize(d)?),
            EventType::SnapshotRewind => EventData::SnapshotRewind(Deserialize::deserialize(d)?),
            EventType::SessionError => EventData::SessionError(Deserialize::deserialize(d)?),
            EventType::UserMessage => EventData::UserMessage(Deserialize::deserialize(d)?),
            EventType::AssistantMessage => EventData::AssistantMessage(Deserialize::deserialize(d)?),
            EventType::AssistantReasoning => EventData::AssistantReasoning(Deserialize::deserialize(d)?),
            EventType::ToolStart => EventData::ToolStart(Deserialize::deserialize(d)?),
            EventType::ToolComplete => EventData::ToolComplete(Deserialize::deserialize(d)?),
            EventType::SubagentFailed => EventData::SubagentFailed(Deserialize::deserialize(d)?),
            EventType::SystemMessage => EventData::SystemMessage(Deserialize::deserialize(d)?),
            EventType::Other => {
                IgnoredAny::deserialize(d)?;
                EventData::Ignored
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn types_data_in_one_pass_and_borrows_plain_strings() {
        let line = br#"{"type":"user.message","data":{"content":"hi there","attachments":[{"type":"file","path":"/a.rs"}]},"id":"e1","timestamp":"2026-07-02T15:28:15.754Z"}"#;
        let event = parse_event(line).expect("parses");
        assert_eq!(event.kind, EventType::UserMessage);
        assert_eq!(event.id.get(), Some("e1"));
        assert!(event.timestamp.is_some());
        let EventData::UserMessage(msg) = event.data else {
            panic!("wrong data")
        };
        assert!(matches!(msg.content.0, Some(Cow::Borrowed("hi there"))));
        assert_eq!(msg.attachments.0[0].path.get(), Some("/a.rs"));
    }

    #[test]
    fn data_before_type_is_typed_by_a_second_pass() {
        let line = br#"{"data":{"title":"Fix CI"},"type":"session.title_changed","id":"x"}"#;
        let event = parse_event(line).expect("parses");
        let EventData::TitleChanged(t) = event.data else {
            panic!("wrong data")
        };
        assert_eq!(t.title.get(), Some("Fix CI"));
    }

    #[test]
    fn odd_field_types_degrade_to_absent() {
        let line = br#"{"type":"tool.execution_complete","timestamp":1783006095745,"ephemeral":"no","data":{"toolCallId":7,"success":"false","result":["x"],"error":"boom","toolTelemetry":{"restrictedProperties":{"filePaths":"[\"/a\",\"/b\"]"}}}}"#;
        let event = parse_event(line).expect("parses");
        assert_eq!(event.timestamp, Some(1_783_006_095_745));
        assert!(!event.ephemeral);
        let EventData::ToolComplete(done) = event.data else {
            panic!("wrong data")
        };
        assert_eq!(done.tool_call_id.get(), Some("7"));
        assert_eq!(done.success.0, Some(false));
        assert_eq!(done.result.content.get(), None);
        assert_eq!(done.error.message.get(), Some("boom"));
        let paths = done
            .tool_telemetry
            .and_then(|t| t.restricted_properties)
            .expect("props");
        assert_eq!(paths.file_paths.0, vec!["/a", "/b"]);
    }

    #[test]
    fn unknown_types_and_missing_type() {
        let event = parse_event(br#"{"type":"assistant.usage","data":{"x":1}}"#).expect("ok");
        assert_eq!(event.kind, EventType::Other);
        assert!(matches!(event.data, EventData::Ignored));
        assert!(parse_event(br#"{"data":{}}"#).is_err());
        assert!(parse_event(br#"[1,2]"#).is_err());
    }
}
