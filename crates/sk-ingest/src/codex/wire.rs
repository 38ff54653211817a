//! Serde mirrors of the Codex rollout JSON, kept apart from the mapping logic so that the
//! format (which drifts with every Codex release) is readable in one place. Every field is
//! optional and unknown fields are skipped without being built, because a rollout line can
//! hold megabytes of tool output or encrypted blobs that sk never indexes. Fields whose
//! shape changed between releases end in a catch-all variant, so one odd field never costs
//! the whole line; the large ones (message content, tool output) are decoded by hand in
//! `shapes`, because an untagged enum would first buffer a copy of the whole value.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// One rollout line: `{"timestamp", "type", "payload"}`.
#[derive(Debug)]
pub(super) struct Line<'a> {
    pub timestamp: Option<Timestamp<'a>>,
    pub payload: Payload<'a>,
    /// The line had a `type` key (used to recognise the pre-envelope format).
    pub had_type: bool,
    /// The line had a `payload` key. Rollouts written before mid-2025 had no envelope:
    /// each line was a bare response item (or the session header), see [`LegacyHeader`].
    pub had_payload: bool,
}

/// What a line's `payload` is, chosen by the line's `type`.
#[derive(Debug)]
pub(super) enum Payload<'a> {
    SessionMeta(SessionMetaWire<'a>),
    TurnContext(TurnContextWire<'a>),
    // Boxed: the largest variant by far (its free-form `arguments` map).
    ResponseItem(Box<ResponseItemWire<'a>>),
    EventMsg(EventMsgWire<'a>),
    Compacted(CompactedWire<'a>),
    /// `world_state`, unknown line types, or no payload at all.
    Other,
}

/// Timestamps are ISO strings in every Codex release seen so far; numbers are accepted too.
#[derive(Debug, Clone)]
pub(super) enum Timestamp<'a> {
    Iso(Cow<'a, str>),
    Number(f64),
}

impl Timestamp<'_> {
    pub fn millis(&self) -> Option<i64> {
        match self {
            Timestamp::Iso(s) => sk_core::time::parse_iso(s),
            Timestamp::Number(n) => sk_core::time::from_number(*n),
        }
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum EnvelopeField {
    Timestamp,
    Type,
    Payload,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LineType {
    SessionMeta,
    TurnContext,
    ResponseItem,
    EventMsg,
    Compacted,
    #[serde(other)]
    Other,
}

/// Decodes a payload once the line type is known, so the payload streams straight into
/// its typed struct instead of being buffered.
struct PayloadSeed(LineType);

impl<'de> DeserializeSeed<'de> for PayloadSeed {
    type Value = Payload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Payload<'de>, D::Error> {
        Ok(match self.0 {
            LineType::SessionMeta => Payload::SessionMeta(SessionMetaWire::deserialize(d)?),
            LineType::TurnContext => Payload::TurnContext(TurnContextWire::deserialize(d)?),
            LineType::ResponseItem => Payload::ResponseItem(Box::new(ResponseItemWire::deserialize(d)?)),
            LineType::EventMsg => Payload::EventMsg(EventMsgWire::deserialize(d)?),
            LineType::Compacted => Payload::Compacted(CompactedWire::deserialize(d)?),
            LineType::Other => {
                IgnoredAny::deserialize(d)?;
                Payload::Other
            }
        })
    }
}

impl<'de> Deserialize<'de> for Line<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Line<'de>, D::Error> {
        d.deserialize_map(LineVisitor)
    }
}

struct LineVisitor;

impl<'de> Visitor<'de> for LineVisitor {
    type Value = Line<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Codex rollout line object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line<'de>, A::Error> {
        let mut timestamp = None;
        let mut line_type = None;
        let mut item = None;
        // Codex writes `type` before `payload`; any other order costs one buffered Value.
        let mut early_payload: Option<serde_json::Value> = None;
        let mut had_payload = false;
        while let Some(key) = map.next_key::<EnvelopeField>()? {
            match key {
                EnvelopeField::Timestamp => timestamp = map.next_value::<Option<Timestamp>>()?,
                EnvelopeField::Type => line_type = Some(map.next_value::<LineType>()?),
                EnvelopeField::Payload => {
                    had_payload = true;
                    match line_type {
                        Some(t) => item = Some(map.next_value_seed(PayloadSeed(t))?),
                        None => early_payload = Some(map.next_value()?),
                    }
                }
                EnvelopeField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let (None, Some(payload), Some(t)) = (&item, early_payload, line_type) {
            item = Some(PayloadSeed(t).deserialize(payload).map_err(de::Error::custom)?);
        }
        Ok(Line {
            timestamp,
            payload: item.unwrap_or(Payload::Other),
            had_type: line_type.is_some(),
            had_payload,
        })
    }
}

impl<'de> Deserialize<'de> for Timestamp<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp<'de>, D::Error> {
        struct TimestampVisitor;
        impl<'de> Visitor<'de> for TimestampVisitor {
            type Value = Timestamp<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO timestamp or a number")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Timestamp::Iso(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Timestamp::Iso(Cow::Owned(v.to_owned())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Timestamp::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Timestamp::Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Timestamp::Number(v as f64))
            }
        }
        d.deserialize_any(TimestampVisitor)
    }
}

/// The session header before the envelope existed: `{"id", "timestamp", "instructions", "git"}`.
#[derive(Debug, Deserialize)]
pub(super) struct LegacyHeader<'a> {
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub git: Option<GitWire<'a>>,
}

/// `session_meta.payload`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SessionMetaWire<'a> {
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub cwd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub cli_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub git: Option<GitWire<'a>>,
    #[serde(borrow, default)]
    pub forked_from_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub source: Option<SessionSource<'a>>,
    #[serde(borrow, default)]
    pub base_instructions: Option<Instructions<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct GitWire<'a> {
    #[serde(borrow, default)]
    pub commit_hash: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub branch: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub repository_url: Option<Cow<'a, str>>,
}

/// `"cli"`, `"exec"`, `{"subagent": "review"}` or
/// `{"subagent": {"thread_spawn": {"parent_thread_id", "depth", …}}}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum SessionSource<'a> {
    Structured {
        #[serde(borrow, default)]
        subagent: Option<Subagent<'a>>,
    },
    /// A plain name such as `"cli"`, or a shape not seen yet.
    Other(#[allow(dead_code)] IgnoredAny),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Subagent<'a> {
    Spawned {
        #[serde(borrow)]
        thread_spawn: ThreadSpawn<'a>,
    },
    Other(#[allow(dead_code)] IgnoredAny),
}

#[derive(Debug, Deserialize)]
pub(super) struct ThreadSpawn<'a> {
    #[serde(borrow, default)]
    pub parent_thread_id: Option<Cow<'a, str>>,
}

impl SessionSource<'_> {
    pub fn parent_thread_id(&self) -> Option<&str> {
        match self {
            SessionSource::Structured {
                subagent: Some(Subagent::Spawned { thread_spawn }),
            } => thread_spawn.parent_thread_id.as_deref(),
            _ => None,
        }
    }
}

/// `base_instructions`: `{"text": "..."}` in current releases, a bare string in some.
/// Decoded by hand in `shapes`, like every field below whose shape varies.
#[derive(Debug)]
pub(super) struct Instructions<'a> {
    pub text: Option<Cow<'a, str>>,
}

/// `turn_context.payload`: only what names the session's setting.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TurnContextWire<'a> {
    #[serde(borrow, default)]
    pub cwd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub model: Option<Cow<'a, str>>,
}

/// `response_item.payload.type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ResponseKind {
    Message,
    Reasoning,
    FunctionCall,
    FunctionCallOutput,
    CustomToolCall,
    CustomToolCallOutput,
    LocalShellCall,
    WebSearchCall,
    /// `compaction` (encrypted), `ghost_snapshot`, and whatever comes next.
    #[default]
    #[serde(other)]
    Other,
}

/// `response_item.payload`, flattened over all its variants so that it decodes in one pass.
/// `encrypted_content` is deliberately absent: it is skipped, never materialised.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ResponseItemWire<'a> {
    #[serde(rename = "type", default)]
    pub kind: ResponseKind,
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub content: Option<Content<'a>>,
    #[serde(borrow, default)]
    pub summary: Option<Content<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub arguments: Option<Arguments<'a>>,
    #[serde(borrow, default)]
    pub call_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub input: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub output: Option<ToolOutput<'a>>,
    #[serde(borrow, default)]
    pub action: Option<Action<'a>>,
}

/// Message content or reasoning summary: a list of typed parts (a plain string in some builds).
#[derive(Debug)]
pub(super) enum Content<'a> {
    Parts(Vec<Part<'a>>),
    Text(Cow<'a, str>),
    Other,
}

/// `{"type": "input_text" | "output_text" | "summary_text" | "reasoning_text", "text"}`.
/// Image parts carry `image_url` (often a base64 data URL) instead of `text`: skipped.
/// A bare string in a part list counts as text; anything else as an empty part.
#[derive(Debug, Default)]
pub(super) struct Part<'a> {
    pub text: Option<Cow<'a, str>>,
}

impl Content<'_> {
    /// The readable text pieces, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let (parts, single): (&[Part], Option<&str>) = match self {
            Content::Parts(p) => (p, None),
            Content::Text(t) => (&[], Some(t)),
            Content::Other => (&[], None),
        };
        single
            .into_iter()
            .chain(parts.iter().filter_map(|p| p.text.as_deref()))
    }
}

/// `function_call.arguments`: a JSON document encoded as a string; an object in some forks.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Arguments<'a> {
    Encoded(#[serde(borrow)] Cow<'a, str>),
    Object(serde_json::Value),
}

/// `function_call_output.output` / `custom_tool_call_output.output`: a string (sometimes a
/// JSON document `{"output", "metadata": {"exit_code"}}`), a list of content parts, or an
/// object `{"content", "success"}` in older releases.
#[derive(Debug)]
pub(super) enum ToolOutput<'a> {
    Text(Cow<'a, str>),
    Parts(Vec<Part<'a>>),
    Object(OutputObject<'a>),
    Other,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct OutputObject<'a> {
    #[serde(borrow, default)]
    pub content: Option<Content<'a>>,
    #[serde(borrow, default)]
    pub output: Option<Cow<'a, str>>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub metadata: Option<ExecMetadata>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ExecMetadata {
    #[serde(default)]
    pub exit_code: Option<i64>,
}

/// `local_shell_call.action` (`{"type": "exec", "command": [...]}`) and
/// `web_search_call.action` (`{"type": "search", "query"}`, `open_page {url}`, …).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Action<'a> {
    #[serde(borrow, default)]
    pub command: Option<CommandLine<'a>>,
    #[serde(borrow, default)]
    pub query: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub url: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub pattern: Option<Cow<'a, str>>,
}

/// A command as an argv array (`shell`, `local_shell`) or one string (`shell_command`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum CommandLine<'a> {
    Argv(#[serde(borrow)] Vec<Cow<'a, str>>),
    Line(#[serde(borrow)] Cow<'a, str>),
    Other(#[allow(dead_code)] IgnoredAny),
}

/// `event_msg.payload.type`: only the variants sk maps; the ~70 others are ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum EventKind {
    TaskComplete,
    Error,
    #[default]
    #[serde(other)]
    Other,
}

/// `event_msg.payload`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EventMsgWire<'a> {
    #[serde(rename = "type", default)]
    pub kind: EventKind,
    #[serde(borrow, default)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub last_agent_message: Option<Cow<'a, str>>,
}

/// `compacted.payload`: a summary message (often empty) and the history that replaces the
/// compacted turns, which may hold an encrypted `compaction` item.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CompactedWire<'a> {
    #[serde(borrow, default)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub replacement_history: Option<Vec<ResponseItemWire<'a>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: &str) -> Line<'_> {
        serde_json::from_str(json).expect("decodes")
    }

    #[test]
    fn payload_decodes_by_line_type_even_when_it_comes_first() {
        let l = line(r#"{"payload":{"cwd":"/w","model":"m"},"type":"turn_context","timestamp":1700000000}"#);
        match l.payload {
            Payload::TurnContext(t) => assert_eq!(t.model.as_deref(), Some("m")),
            other => panic!("{other:?}"),
        }
        assert_eq!(l.timestamp.and_then(|t| t.millis()), Some(1_700_000_000_000));
    }

    #[test]
    fn unknown_line_types_and_unknown_variants_are_other() {
        assert!(matches!(
            line(r#"{"type":"world_state","payload":{"x":[1]}}"#).payload,
            Payload::Other
        ));
        match line(r#"{"type":"response_item","payload":{"type":"ghost_snapshot","x":1}}"#).payload {
            Payload::ResponseItem(r) => assert_eq!(r.kind, ResponseKind::Other),
            other => panic!("{other:?}"),
        }
        match line(r#"{"type":"event_msg","payload":{"type":"token_count","info":null}}"#).payload {
            Payload::EventMsg(e) => assert_eq!(e.kind, EventKind::Other),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn source_shapes_all_decode() {
        let cases = [
            (r#""exec""#, None),
            (r#"{"subagent":"review"}"#, None),
            (
                r#"{"subagent":{"thread_spawn":{"parent_thread_id":"p","depth":1}}}"#,
                Some("p"),
            ),
            (r#"{"weird":[1,2]}"#, None),
            (r#"42"#, None),
        ];
        for (json, parent) in cases {
            let s: SessionSource = serde_json::from_str(json).expect(json);
            assert_eq!(s.parent_thread_id(), parent, "{json}");
        }
    }

    #[test]
    fn outputs_of_every_shape_decode() {
        let o: ToolOutput = serde_json::from_str(r#""plain""#).expect("text");
        assert!(matches!(o, ToolOutput::Text(_)));
        let o: ToolOutput = serde_json::from_str(
            r#"[{"type":"input_text","text":"a"},{"type":"input_image","image_url":"data:"}]"#,
        )
        .expect("parts");
        assert!(matches!(o, ToolOutput::Parts(ref p) if p.len() == 2));
        let o: ToolOutput = serde_json::from_str(r#"{"content":"c","success":false}"#).expect("object");
        assert!(matches!(
            o,
            ToolOutput::Object(OutputObject {
                success: Some(false),
                ..
            })
        ));
        let o: ToolOutput = serde_json::from_str(r#"true"#).expect("other");
        assert!(matches!(o, ToolOutput::Other));
    }
}
