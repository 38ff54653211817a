//! A tiny streaming JSON builder for one line at a time.
//!
//! The generator writes hundreds of millions of fields; building `serde_json::Value` trees
//! would allocate per field and sort keys alphabetically, while the real agent logs keep a
//! fixed field order. Writing straight into a reused byte buffer keeps the field order of
//! the real files and costs nothing but the bytes themselves.

use std::fmt::Display;
use std::io::Write as _;

/// Appends `s` as a JSON string literal (with quotes) to `out`.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped(out, s);
    out.push(b'"');
}

/// Appends the escaped body of a JSON string (no quotes), so callers can splice pieces.
pub fn push_escaped(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = write!(out, "\\u{b:04x}");
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Writes one JSON object into `out` through `f`.
pub fn object(out: &mut Vec<u8>, f: impl FnOnce(&mut Obj<'_>)) {
    out.push(b'{');
    let mut o = Obj { out, first: true };
    f(&mut o);
    o.out.push(b'}');
}

/// Renders an object to a `String`, for JSON that travels inside a JSON string
/// (Codex `function_call.arguments`).
pub fn object_string(f: impl FnOnce(&mut Obj<'_>)) -> String {
    let mut v = Vec::with_capacity(128);
    object(&mut v, f);
    String::from_utf8(v).unwrap_or_default()
}

/// One piece of a string value assembled from parts.
pub enum Piece<'a> {
    /// Text that still needs escaping.
    Text(&'a str),
    /// Bytes already escaped (the body of a JSON string without quotes).
    Escaped(&'a [u8]),
}

/// An object being written; keys are trusted literals from this crate (no escaping).
pub struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Obj<'_> {
    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// A key that comes from generated data (file paths as map keys), so it is escaped.
    fn dyn_key(&mut self, k: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        push_str(self.out, k);
        self.out.push(b':');
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        push_str(self.out, v);
        self
    }

    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        match v {
            Some(s) => self.str(k, s),
            None => self.null(k),
        }
    }

    /// A string value assembled from pieces, some of them pre-escaped.
    pub fn pieces(&mut self, k: &str, parts: &[Piece<'_>]) -> &mut Self {
        self.key(k);
        self.out.push(b'"');
        for p in parts {
            match p {
                Piece::Text(s) => push_escaped(self.out, s),
                Piece::Escaped(b) => self.out.extend_from_slice(b),
            }
        }
        self.out.push(b'"');
        self
    }

    /// A value that is already a complete JSON literal.
    pub fn raw(&mut self, k: &str, json: &[u8]) -> &mut Self {
        self.key(k);
        self.out.extend_from_slice(json);
        self
    }

    pub fn num(&mut self, k: &str, v: impl Display) -> &mut Self {
        self.key(k);
        let _ = write!(self.out, "{v}");
        self
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.raw(k, if v { b"true" } else { b"false" })
    }

    pub fn null(&mut self, k: &str) -> &mut Self {
        self.raw(k, b"null")
    }

    pub fn obj(&mut self, k: &str, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.key(k);
        object(self.out, f);
        self
    }

    /// An object under a key taken from data.
    pub fn dyn_obj(&mut self, k: &str, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.dyn_key(k);
        object(self.out, f);
        self
    }

    pub fn arr(&mut self, k: &str, f: impl FnOnce(&mut Arr<'_>)) -> &mut Self {
        self.key(k);
        self.out.push(b'[');
        let mut a = Arr {
            out: &mut *self.out,
            first: true,
        };
        f(&mut a);
        self.out.push(b']');
        self
    }

    pub fn empty_arr(&mut self, k: &str) -> &mut Self {
        self.raw(k, b"[]")
    }

    pub fn empty_obj(&mut self, k: &str) -> &mut Self {
        self.raw(k, b"{}")
    }
}

/// An array being written.
pub struct Arr<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Arr<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    pub fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        push_str(self.out, v);
        self
    }

    pub fn obj(&mut self, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.sep();
        object(self.out, f);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_quote_characters() {
        let mut v = Vec::new();
        object(&mut v, |o| {
            o.str("a", "x\"y\\z\n\t\u{1}é—")
                .num("n", 3)
                .bool("b", true)
                .null("z")
                .arr("l", |a| {
                    a.str("p").obj(|o| {
                        o.num("f", 1.5);
                    });
                })
                .obj("o", |o| {
                    o.pieces("s", &[Piece::Text("a\"b"), Piece::Escaped(b"\\n")]);
                });
        });
        let s = String::from_utf8(v).expect("test");
        assert_eq!(
            s,
            r#"{"a":"x\"y\\z\n\t\u0001é—","n":3,"b":true,"z":null,"l":["p",{"f":1.5}],"o":{"s":"a\"b\n"}}"#
        );
    }
}
