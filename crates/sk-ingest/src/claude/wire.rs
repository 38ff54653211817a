//! Serde mirror of one Claude Code transcript line. Claude Code adds fields and entry types
//! with nearly every release, and the same field name carries different shapes on different
//! entry types (`content` is a string on `system` lines, a block array in messages; `error`
//! is a string on assistant lines and an object on `system` retries). So every field here is
//! decoded leniently: a value of an unexpected shape becomes "absent" instead of failing the
//! whole line, and everything the connector does not need is skipped without allocating.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One line of a transcript: the envelope fields shared by every entry type, plus the
/// payload fields of the types the connector reads (the rest are ignored).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Entry<'a> {
    #[serde(rename = "type")]
    pub kind: EntryType,
    #[serde(borrow)]
    pub subtype: Str<'a>,
    #[serde(borrow)]
    pub uuid: Str<'a>,
    pub timestamp: Stamp,
    #[serde(borrow)]
    pub session_id: Str<'a>,
    #[serde(borrow)]
    pub cwd: Str<'a>,
    #[serde(borrow)]
    pub git_branch: Str<'a>,
    #[serde(borrow)]
    pub version: Str<'a>,
    pub is_sidechain: Flag,
    #[serde(borrow)]
    pub agent_id: Str<'a>,
    pub is_meta: Flag,
    pub is_compact_summary: Flag,
    /// Set on the synthetic assistant message Claude Code writes when an API call finally fails.
    pub is_api_error_message: Flag,
    #[serde(borrow)]
    pub message: Object<Message<'a>>,
    /// `summary` entries: the summary text and the last message it covers.
    #[serde(borrow)]
    pub summary: Str<'a>,
    #[serde(borrow)]
    pub leaf_uuid: Str<'a>,
    /// `ai-title` / `custom-title` entries.
    #[serde(borrow)]
    pub ai_title: Str<'a>,
    #[serde(borrow)]
    pub custom_title: Str<'a>,
    /// `system` entries: their text and severity.
    #[serde(borrow)]
    pub content: Str<'a>,
    #[serde(borrow)]
    pub level: Str<'a>,
    /// `system`/`api_error` entries: an object (`status`, `message`, nested `error`);
    /// assistant API-error messages: a short code string. Free-form, so kept as a value.
    pub error: Option<serde_json::Value>,
}

/// The entry types the connector acts on; every other type is [`EntryType::Other`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryType {
    User,
    Assistant,
    System,
    Summary,
    AiTitle,
    CustomTitle,
    #[default]
    #[serde(other)]
    Other,
}

/// `message`, in the Anthropic Messages API shape.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Message<'a> {
    /// Shared by every line of one API response (the response is split per content block).
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(borrow)]
    pub model: Str<'a>,
    #[serde(borrow)]
    pub content: Content<'a>,
}

/// `content`: a plain string or an array of blocks.
#[derive(Debug, Default)]
pub enum Content<'a> {
    #[default]
    Missing,
    Text(Cow<'a, str>),
    Blocks(Vec<Block<'a>>),
}

/// One content block. Flat rather than a tagged enum so that nothing is buffered: the
/// fields of every block type the connector reads live side by side, `kind` says which apply.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Block<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Str<'a>,
    /// `text` blocks.
    #[serde(borrow)]
    pub text: Str<'a>,
    /// `thinking` blocks (their `signature` is ignored).
    #[serde(borrow)]
    pub thinking: Str<'a>,
    /// `tool_use` blocks: call id, tool name and free-form arguments.
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(borrow)]
    pub name: Str<'a>,
    pub input: Option<serde_json::Value>,
    /// `tool_result` blocks: the call they answer, their output, and the failure flag.
    #[serde(borrow)]
    pub tool_use_id: Str<'a>,
    #[serde(borrow)]
    pub content: Content<'a>,
    pub is_error: Flag,
}

impl Block<'_> {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.get() == Some(kind)
    }
}

/// A string field that may be absent, null, or of another shape (then treated as absent).
/// Borrows from the line when the JSON string has no escapes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
    /// The value when it has visible content.
    pub fn non_blank(&self) -> Option<&str> {
        self.get().filter(|s| !s.trim().is_empty())
    }
}

/// A boolean field that may be absent or of another shape.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub Option<bool>);

impl Flag {
    pub fn is_true(self) -> bool {
        self.0 == Some(true)
    }
}

/// A timestamp given as an ISO-8601 string or as seconds/milliseconds since the epoch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub Option<i64>);

/// A nested object that is sometimes missing or replaced by another shape.
#[derive(Debug)]
pub struct Object<T>(pub Option<T>);

impl<T> Default for Object<T> {
    fn default() -> Self {
        Object(None)
    }
}

/// Skips whatever collection a lenient visitor was handed, so that an unexpected shape is
/// consumed without building anything.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the scalar `visit_*` methods of a lenient visitor as "not what we want".
macro_rules! other_scalars_are_absent {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method<E: de::Error>(self, _: $ty) -> Result<Self::Value, E> {
            Ok(Default::default())
        })*
    };
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(v))))
            }
            other_scalars_are_absent!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Str(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map).map(|()| Str(None))
            }
        }
        deserializer.deserialize_any(StrVisitor)
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;
        impl<'de> Visitor<'de> for FlagVisitor {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Flag(Some(v)))
            }
            other_scalars_are_absent!(visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Flag(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Flag(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| Flag(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map).map(|()| Flag(None))
            }
        }
        deserializer.deserialize_any(FlagVisitor)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StampVisitor;
        impl<'de> Visitor<'de> for StampVisitor {
            type Value = Stamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO-8601 string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Stamp(sk_core::time::parse_iso(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Stamp(sk_core::time::from_number(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Stamp(sk_core::time::from_number(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Stamp(sk_core::time::from_number(v as f64)))
            }
            other_scalars_are_absent!(visit_bool: bool);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Stamp(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Stamp(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| Stamp(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map).map(|()| Stamp(None))
            }
        }
        deserializer.deserialize_any(StampVisitor)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|v| Object(Some(v)))
            }
            other_scalars_are_absent!(
                visit_bool: bool,
                visit_i64: i64,
                visit_u64: u64,
                visit_f64: f64,
                visit_str: &str
            );
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Object(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Object(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| Object(None))
            }
        }
        deserializer.deserialize_any(ObjectVisitor(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = Content<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of content blocks")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Content::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Content::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Content::Text(Cow::Owned(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut blocks = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
                // A stray non-object element is skipped; the others keep their order.
                while let Some(Object(block)) = seq.next_element::<Object<Block<'de>>>()? {
                    blocks.extend(block);
                }
                Ok(Content::Blocks(blocks))
            }
            other_scalars_are_absent!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Content::Missing)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Content::Missing)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map).map(|()| Content::Missing)
            }
        }
        deserializer.deserialize_any(ContentVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> Entry<'_> {
        serde_json::from_str(json).expect("decodes")
    }

    #[test]
    fn unescaped_strings_are_borrowed_from_the_line() {
        let e = entry(r#"{"type":"user","cwd":"/w","gitBranch":"a\"b"}"#);
        assert!(matches!(e.cwd.0, Some(Cow::Borrowed("/w"))));
        assert!(matches!(e.git_branch.0, Some(Cow::Owned(ref s)) if s == "a\"b"));
        assert_eq!(e.kind, EntryType::User);
    }

    #[test]
    fn unexpected_shapes_become_absent_instead_of_failing() {
        let e = entry(
            r#"{"type":"assistant","uuid":7,"cwd":{"a":[1]},"isSidechain":"yes","timestamp":[1],
               "message":"not an object","content":[{"x":1}],"error":"rate_limit"}"#,
        );
        assert_eq!(e.uuid, Str(None));
        assert_eq!(e.cwd, Str(None));
        assert_eq!(e.is_sidechain, Flag(None));
        assert_eq!(e.timestamp, Stamp(None));
        assert!(e.message.0.is_none());
        assert_eq!(e.content, Str(None));
        assert!(e.error.is_some());
    }

    #[test]
    fn unknown_entry_types_and_fields_are_accepted() {
        let e = entry(r#"{"type":"brand-new-thing","whatever":{"deep":[1,2,{"x":null}]}}"#);
        assert_eq!(e.kind, EntryType::Other);
        let e = entry(r#"{"no_type":true}"#);
        assert_eq!(e.kind, EntryType::Other);
    }

    #[test]
    fn content_is_a_string_or_blocks_and_stray_elements_are_skipped() {
        let e = entry(r#"{"type":"user","message":{"content":"hi"}}"#);
        let m = e.message.0.expect("message");
        assert!(matches!(m.content, Content::Text(ref t) if t == "hi"));

        let e = entry(
            r#"{"type":"user","message":{"content":["stray",{"type":"tool_result","tool_use_id":"t1",
               "content":[{"type":"text","text":"out"},{"type":"image","source":{"data":"AAAA"}}],
               "is_error":true}]}}"#,
        );
        let m = e.message.0.expect("message");
        let Content::Blocks(blocks) = m.content else {
            panic!("blocks expected")
        };
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].is("tool_result"));
        assert!(blocks[0].is_error.is_true());
        let Content::Blocks(inner) = &blocks[0].content else {
            panic!("inner blocks")
        };
        assert_eq!(inner.len(), 2);
        assert_eq!(inner[0].text.get(), Some("out"));
    }

    #[test]
    fn timestamps_accept_iso_strings_and_numbers() {
        let iso = entry(r#"{"timestamp":"2026-05-07T18:25:10.095Z"}"#).timestamp.0;
        assert_eq!(iso, sk_core::time::parse_iso("2026-05-07T18:25:10.095Z"));
        assert_eq!(
            entry(r#"{"timestamp":1700000000}"#).timestamp.0,
            Some(1_700_000_000_000)
        );
        assert_eq!(
            entry(r#"{"timestamp":1700000000123}"#).timestamp.0,
            Some(1_700_000_000_123)
        );
        assert_eq!(entry(r#"{"timestamp":null}"#).timestamp.0, None);
    }
}
