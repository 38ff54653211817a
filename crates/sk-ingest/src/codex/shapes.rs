//! One-pass decoders for the rollout fields whose JSON shape varies between Codex releases
//! (a string here, a list of parts there, an object in older builds). Serde's untagged enums
//! would do the same job by buffering the whole value and retrying each variant, which
//! copies every message and tool output once more; these visitors look at the first token
//! and stream the value into the right variant. Shapes nobody expects become the catch-all
//! variant instead of failing the line.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::wire::{Content, Instructions, OutputObject, Part, ToolOutput};

/// A list of message parts, each element decoded leniently.
fn parts<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<Part<'de>>, A::Error> {
    let mut parts = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
    while let Some(part) = seq.next_element::<Part>()? {
        parts.push(part);
    }
    Ok(parts)
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Generates the scalar arms every visitor here shares: strings become `$text`, other
/// scalars `$other`.
macro_rules! scalar_arms {
    ($value:ty, $text:expr, $other:expr) => {
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<$value, E> {
            Ok($text(Cow::Borrowed(v)))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<$value, E> {
            Ok($text(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<$value, E> {
            Ok($text(Cow::Owned(v)))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok($other)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok($other)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok($other)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok($other)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok($other)
        }
    };
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Content<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("message content")
            }
            scalar_arms!(Content<'de>, Content::Text, Content::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Content<'de>, A::Error> {
                parts(seq).map(Content::Parts)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Content<'de>, A::Error> {
                drain_map(map)?;
                Ok(Content::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Part<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Part<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Part<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a content part")
            }
            scalar_arms!(Part<'de>, |t| Part { text: Some(t) }, Part::default());
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Part<'de>, A::Error> {
                drain_seq(seq)?;
                Ok(Part::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part<'de>, A::Error> {
                let mut part = Part::default();
                while let Some(key) = map.next_key::<Cow<str>>()? {
                    if key == "text" {
                        part.text = map.next_value::<Content>()?.into_text();
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(part)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Content<'de> {
    /// The value as a single string, when it was one.
    fn into_text(self) -> Option<Cow<'de, str>> {
        match self {
            Content::Text(t) => Some(t),
            Content::Parts(_) | Content::Other => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ToolOutput<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ToolOutput<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ToolOutput<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tool output")
            }
            scalar_arms!(ToolOutput<'de>, ToolOutput::Text, ToolOutput::Other);
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ToolOutput<'de>, A::Error> {
                parts(seq).map(ToolOutput::Parts)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ToolOutput<'de>, A::Error> {
                OutputObject::deserialize(MapAccessDeserializer::new(map)).map(ToolOutput::Object)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Instructions<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Instructions<'a>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Instructions<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("instructions")
            }
            scalar_arms!(
                Instructions<'de>,
                |t| Instructions { text: Some(t) },
                Instructions { text: None }
            );
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Instructions<'de>, A::Error> {
                drain_seq(seq)?;
                Ok(Instructions { text: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Instructions<'de>, A::Error> {
                let mut text = None;
                while let Some(key) = map.next_key::<Cow<str>>()? {
                    if key == "text" {
                        text = map.next_value::<Content>()?.into_text();
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Instructions { text })
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_of_every_shape() {
        let c: Content = serde_json::from_str(
            r#"[{"type":"input_text","text":"a"},{"type":"input_image","image_url":"data:x"},"b",7,[1],{"text":5}]"#,
        )
        .expect("parts");
        assert_eq!(c.texts().collect::<Vec<_>>(), ["a", "b"]);
        let c: Content = serde_json::from_str(r#""plain \"quoted\"""#).expect("text");
        assert_eq!(c.texts().collect::<Vec<_>>(), [r#"plain "quoted""#]);
        for other in ["{}", "true", "3.5", r#"{"a":[1,{"b":2}]}"#] {
            let c: Content = serde_json::from_str(other).expect(other);
            assert!(matches!(c, Content::Other), "{other}");
        }
    }

    #[test]
    fn strings_borrow_from_the_line_when_unescaped() {
        let c: Content = serde_json::from_str(r#"[{"text":"no escapes"}]"#).expect("parts");
        let Content::Parts(p) = c else { panic!("parts") };
        assert!(matches!(p[0].text, Some(Cow::Borrowed(_))));
    }

    #[test]
    fn instructions_and_outputs() {
        let i: Instructions = serde_json::from_str(r#"{"text":"be brief","extra":[1]}"#).expect("object");
        assert_eq!(i.text.as_deref(), Some("be brief"));
        let i: Instructions = serde_json::from_str(r#""be brief""#).expect("string");
        assert_eq!(i.text.as_deref(), Some("be brief"));
        let i: Instructions = serde_json::from_str("[1]").expect("list");
        assert!(i.text.is_none());
        let o: ToolOutput =
            serde_json::from_str(r#"{"content":[{"type":"text","text":"t"}],"metadata":{"exit_code":3}}"#)
                .expect("object");
        let ToolOutput::Object(o) = o else {
            panic!("object")
        };
        assert_eq!(o.metadata.and_then(|m| m.exit_code), Some(3));
        assert!(matches!(o.content, Some(Content::Parts(_))));
    }
}
