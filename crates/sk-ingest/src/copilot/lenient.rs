//! Lenient field types for the Copilot wire structs. Each accepts any JSON value and keeps
//! only what it understands, so a field that changes type in a new CLI release degrades to
//! "absent" instead of failing the whole event (and losing a prompt with it).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Writes the `visit_*` methods that turn the listed JSON kinds into `$value` (draining
/// arrays and objects), so each visitor spells out only the kinds it understands.
macro_rules! otherwise {
    ($value:expr; $($kind:ident),* $(,)?) => {
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON value")
        }
        $(otherwise!(@visit $kind, $value);)*
    };
    (@visit str, $value:expr) => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> { Ok($value) }
    };
    (@visit u64, $value:expr) => {
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> { Ok($value) }
    };
    (@visit i64, $value:expr) => {
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> { Ok($value) }
    };
    (@visit f64, $value:expr) => {
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> { Ok($value) }
    };
    (@visit bool, $value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> { Ok($value) }
    };
    (@visit unit, $value:expr) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> { Ok($value) }
    };
    (@visit seq, $value:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
    (@visit map, $value:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// A string field, borrowed from the line when it has no escapes. Non-strings become
/// `None`, except integers, which are kept as text (ids are sometimes numeric).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub Option<Cow<'a, str>>);

impl Text<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The text, if it has anything besides whitespace.
    pub fn non_blank(&self) -> Option<&str> {
        self.get().filter(|s| !s.trim().is_empty())
    }

    pub fn into_owned(self) -> Option<String> {
        self.0.map(Cow::into_owned)
    }

    pub fn to_owned_string(&self) -> Option<String> {
        self.get().map(str::to_owned)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            otherwise!(Text(None); f64, bool, unit, seq, map);
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'a>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A boolean; `"true"`/`"false"` strings count, anything else is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flag, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            otherwise!(Flag(None); u64, i64, f64, unit, seq, map);
            fn visit_bool<E>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(Some(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Flag, E> {
                Ok(Flag(match v {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }))
            }
        }
        d.deserialize_any(V)
    }
}

/// A number (as `f64`); anything else is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Number(pub Option<f64>);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        Ok(Number(match Scalar::deserialize(d)? {
            Scalar::Number(n) => Some(n),
            _ => None,
        }))
    }
}

/// A timestamp as ISO-8601 text or epoch seconds/milliseconds, in epoch milliseconds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Time(pub Option<i64>);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        Ok(Time(match Scalar::deserialize(d)? {
            Scalar::Number(n) => sk_core::time::from_number(n),
            Scalar::Text(s) => sk_core::time::parse_iso(&s),
            Scalar::Nothing => None,
        }))
    }
}

enum Scalar {
    Number(f64),
    Text(String),
    Nothing,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            otherwise!(Scalar::Nothing; bool, unit, seq, map);
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of strings: a JSON array (items that are not text skipped), a JSON-encoded array inside a
/// string (`restrictedProperties.filePaths`), or a single string.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct StrList<'a>(pub Vec<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for StrList<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StrList<'a>, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = StrList<'a>;
            otherwise!(StrList::default(); u64, i64, f64, bool, unit, map);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Text<'a>>()? {
                    out.extend(item.0);
                }
                Ok(StrList(out))
            }
            fn visit_str<E>(self, v: &str) -> Result<StrList<'a>, E> {
                let trimmed = v.trim();
                if trimmed.starts_with('[') {
                    let items: Vec<String> = serde_json::from_str(trimmed).unwrap_or_default();
                    return Ok(StrList(items.into_iter().map(Cow::Owned).collect()));
                }
                Ok(StrList(if trimmed.is_empty() {
                    Vec::new()
                } else {
                    vec![Cow::Owned(v.to_owned())]
                }))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A JSON array; anything that is not an array is an empty list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            otherwise!(List::default(); str, u64, i64, f64, bool, unit, map);
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<T>()? {
                    out.push(item);
                }
                Ok(List(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `result` or `error` of a tool completion: an object with `content`/`message`, or a bare
/// string (kept as both).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Payload<'a> {
    pub content: Text<'a>,
    pub message: Text<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Payload<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Payload<'a>, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Payload<'a>;
            otherwise!(Payload::default(); u64, i64, f64, bool, unit, seq);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload<'a>, A::Error> {
                let mut out = Payload::default();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    match key.get() {
                        Some("content") => out.content = map.next_value()?,
                        Some("message") => out.message = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Payload<'a>, E> {
                let text = Text(Some(Cow::Borrowed(v)));
                Ok(Payload {
                    content: text.clone(),
                    message: text,
                })
            }
            fn visit_str<E>(self, v: &str) -> Result<Payload<'a>, E> {
                let text = Text(Some(Cow::Owned(v.to_owned())));
                Ok(Payload {
                    content: text.clone(),
                    message: text,
                })
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The model names of `session.shutdown.modelMetrics`: the keys whose values are objects
/// (older synthetic files put a plain `{"model": "<name>"}` there instead).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ModelNames(pub Vec<String>);

impl<'de> Deserialize<'de> for ModelNames {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ModelNames, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ModelNames;
            otherwise!(ModelNames::default(); str, u64, i64, f64, bool, unit, seq);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ModelNames, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    let is_object = map.next_value::<IsObject>()?.0;
                    if let (true, Some(name)) = (is_object, key.into_owned()) {
                        out.push(name);
                    }
                }
                Ok(ModelNames(out))
            }
        }
        d.deserialize_any(V)
    }
}

struct IsObject(bool);

impl<'de> Deserialize<'de> for IsObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IsObject, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IsObject;
            otherwise!(IsObject(false); str, u64, i64, f64, bool, unit, seq);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IsObject(true))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_borrows_plain_strings_and_drops_non_text() {
        let t: Text = serde_json::from_str(r#""plain""#).expect("ok");
        assert!(matches!(t.0, Some(Cow::Borrowed("plain"))));
        let t: Text = serde_json::from_str(r#""a\nb""#).expect("ok");
        assert_eq!(t.get(), Some("a\nb"));
        let t: Text = serde_json::from_str("12").expect("ok");
        assert_eq!(t.get(), Some("12"));
        for other in ["1.5", "true", "null", "[1,{}]", r#"{"a":[1]}"#] {
            let t: Text = serde_json::from_str(other).expect("ok");
            assert_eq!(t.get(), None, "{other}");
        }
    }

    #[test]
    fn flags_times_and_lists() {
        let f: Flag = serde_json::from_str(r#""false""#).expect("ok");
        assert_eq!(f.0, Some(false));
        let f: Flag = serde_json::from_str("{}").expect("ok");
        assert_eq!(f.0, None);
        let t: Time = serde_json::from_str("1700000000").expect("ok");
        assert_eq!(t.0, Some(1_700_000_000_000));
        let t: Time = serde_json::from_str(r#""2026-07-02T15:28:15.754Z""#).expect("ok");
        assert!(t.0.is_some());
        let l: StrList = serde_json::from_str(r#"["/a", true, {}, "/b"]"#).expect("ok");
        assert_eq!(l.0, vec!["/a", "/b"]);
        let l: StrList = serde_json::from_str(r#""[\"/a\"]""#).expect("ok");
        assert_eq!(l.0, vec!["/a"]);
        let l: List<Text> = serde_json::from_str(r#"{"not":"a list"}"#).expect("ok");
        assert!(l.0.is_empty());
    }

    #[test]
    fn model_metrics_keeps_object_keys_only() {
        let m: ModelNames = serde_json::from_str(r#"{"gpt-5":{"requests":{}},"model":"x"}"#).expect("ok");
        assert_eq!(m.0, vec!["gpt-5".to_string()]);
    }
}
