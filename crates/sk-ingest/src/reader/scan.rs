//! Cheap structural scans of JSON bytes that the reader's damage recovery needs without a
//! full parse: where a complete object ending at the end of a line must start (to cut a
//! truncated event off the complete event glued to it), and whether a line leaves an object
//! open (a pretty-printed document spanning lines). Both only look at quotes, backslashes
//! and braces, so they run at memchr speed and never allocate.

use std::ops::Range;

use memchr::{memchr2, memchr3, memrchr, memrchr3};

/// JSON whitespace, which is also what surrounds documents on a line (`\r` of CRLF included).
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `bytes` without leading and trailing JSON whitespace, and how many bytes were cut in front.
pub(crate) fn trim_blank(bytes: &[u8]) -> (usize, &[u8]) {
    let start = bytes.iter().position(|&b| !is_blank(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| !is_blank(b)).map_or(start, |i| i + 1);
    (start, &bytes[start..end])
}

/// Is the quote at `i` escaped, i.e. preceded by an odd run of backslashes?
fn is_escaped(bytes: &[u8], i: usize) -> bool {
    let run = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
    run % 2 == 1
}

/// For `bytes` ending with `}`: the index of the `{` that opens the object closed by that
/// final brace, found by scanning backwards. Exact whenever the suffix from that index is
/// valid JSON (inside valid JSON a quote is a delimiter iff an even run of backslashes
/// precedes it), which is the only case recovery cares about: whatever precedes the suffix
/// (a truncated event) is never looked at.
pub(crate) fn object_start_before_end(bytes: &[u8]) -> Option<usize> {
    if bytes.last() != Some(&b'}') {
        return None;
    }
    let mut depth = 0usize;
    let mut end = bytes.len();
    loop {
        let i = memrchr3(b'"', b'{', b'}', &bytes[..end])?;
        match bytes[i] {
            b'}' => depth += 1,
            b'{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {
                // The closing quote of a string: jump to its opening quote.
                let mut j = i;
                loop {
                    j = memrchr(b'"', &bytes[..j])?;
                    if !is_escaped(bytes, j) {
                        break;
                    }
                }
                end = j;
                continue;
            }
        }
        end = i;
    }
}

/// Splits a line that failed to decode into the complete objects glued at its end, in file
/// order. Objects are peeled off from the right; if peeling reaches the start of the line
/// (`{..}{..}`, a lost newline) every object is returned, otherwise only the last one: what
/// precedes it is a truncated event, and any object inside it is a nested fragment, not an event.
pub(crate) fn glued_documents(line: &[u8]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut end = line.len();
    let reached_start = loop {
        let trimmed_end = line[..end]
            .iter()
            .rposition(|&b| !is_blank(b))
            .map_or(0, |i| i + 1);
        if trimmed_end == 0 {
            break true;
        }
        let Some(start) = object_start_before_end(&line[..trimmed_end]) else {
            break false;
        };
        spans.push(start..trimmed_end);
        end = start;
    };
    if !reached_start {
        spans.truncate(1);
    }
    spans.reverse();
    spans
}

/// Brace nesting of a JSON text fed to it piece by piece: tells whether a pretty-printed
/// object that started on an earlier line has been closed yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Nesting {
    pub depth: u64,
    pub in_string: bool,
    escape: bool,
}

impl Nesting {
    /// Feeds the next bytes; false when a brace closes more than was opened (not one object).
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> bool {
        let mut i = 0;
        while i < bytes.len() {
            if self.escape {
                self.escape = false;
                i += 1;
                continue;
            }
            if self.in_string {
                let Some(at) = memchr2(b'"', b'\\', &bytes[i..]) else {
                    return true;
                };
                i += at;
                if bytes[i] == b'\\' {
                    self.escape = true;
                } else {
                    self.in_string = false;
                }
                i += 1;
                continue;
            }
            let Some(at) = memchr3(b'"', b'{', b'}', &bytes[i..]) else {
                return true;
            };
            i += at;
            match bytes[i] {
                b'"' => self.in_string = true,
                b'{' => self.depth += 1,
                _ => {
                    let Some(depth) = self.depth.checked_sub(1) else {
                        return false;
                    };
                    self.depth = depth;
                }
            }
            i += 1;
        }
        true
    }

    /// The state after `bytes` if it is the first line of an object continued on later lines:
    /// it opens more braces than it closes and does not stop inside a string (lines of
    /// pretty-printed JSON never do; a truncated event usually does).
    pub(crate) fn open_after(bytes: &[u8]) -> Option<Nesting> {
        let mut nesting = Nesting::default();
        (nesting.feed(bytes) && nesting.depth > 0 && !nesting.in_string && !nesting.escape).then_some(nesting)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_object_glued_after_a_truncated_one() {
        let line = br#"{"a":"trunc{"b":{"c":"x}\"y"},"d":"\\"}"#;
        let start = object_start_before_end(line);
        assert_eq!(start, Some(11));
        assert_eq!(glued_documents(line), vec![11..line.len()]);
    }

    #[test]
    fn peels_every_object_when_only_a_newline_was_lost() {
        let line = br#"{"a":1} {"b":{"c":2}}{"d":3}"#;
        assert_eq!(glued_documents(line), vec![0..7, 8..21, 21..28]);
    }

    #[test]
    fn keeps_only_the_last_object_after_a_truncated_prefix() {
        let line = br#"{"a":{"x":1}{"b":2}"#;
        assert_eq!(glued_documents(line), vec![12..19]);
        assert!(glued_documents(br#"{"a":1,"b"#).is_empty());
    }

    #[test]
    fn nesting_tracks_strings_and_escapes() {
        assert_eq!(Nesting::open_after(b"{").map(|n| n.depth), Some(1));
        assert_eq!(
            Nesting::open_after(br#"{"a":{"b":"}\"","#).map(|n| n.depth),
            Some(2)
        );
        assert!(Nesting::open_after(br#"{"a":"unfinished"#).is_none());
        assert!(Nesting::open_after(br#"{"a":1}"#).is_none());
        assert!(Nesting::open_after(b"}{").is_none());
        let mut n = Nesting::open_after(b"{").expect("open");
        assert!(n.feed(br#"  "k": "v\\","#));
        assert!(!n.in_string);
        assert!(n.feed(b"}"));
        assert_eq!(n.depth, 0);
    }
}
