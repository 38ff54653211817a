//! The small files Copilot keeps next to `events.jsonl`: `workspace.yaml` (session
//! metadata), `checkpoints/NNN-*.md` (compaction summaries in tagged sections) and markdown
//! artifacts (plans, notes, research). Each is re-read whole when it changes.

use std::borrow::Cow;

use sk_core::record::{MAX_TEXT_BYTES, capped};
use sk_core::{Record, RecordKind, SessionMeta, SinkError};

use super::events::Out;

/// The tag Copilot puts the checkpoint's title in; a title, not a section worth a record.
const TITLE_TAG: &str = "checkpoint_title";
/// Section name of a checkpoint file without tagged sections.
const UNTAGGED_CHECKPOINT: &str = "checkpoint";
/// Longest tag name accepted, so prose like `<this is not a tag>` is not mistaken for one.
const MAX_TAG_LEN: usize = 40;

/// One `<name>…</name>` section of a compaction summary or checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section<'a> {
    /// Byte offset of the opening tag in the text.
    pub offset: usize,
    pub name: &'a str,
    /// The trimmed text between the tags.
    pub body: &'a str,
}

/// The tagged sections of `text`, in order. An opening tag counts only at the start of a
/// line; tags inside a section are part of its body. A section whose closing tag is missing
/// (a truncated summary) runs to the next opening tag or the end.
pub(crate) fn tagged_sections(text: &str) -> Vec<Section<'_>> {
    let mut sections = Vec::new();
    let mut from = 0;
    while let Some((offset, name, body_start)) = next_open_tag(text, from) {
        let close = format!("</{name}>");
        let after = text.get(body_start..).unwrap_or_default();
        let (body, next) = match after.split_once(close.as_str()) {
            Some((body, _)) => (body, body_start + body.len() + close.len()),
            None => {
                let end = next_open_tag(text, body_start).map_or(text.len(), |(start, _, _)| start);
                (sk_core::text::window(text, body_start, end), end)
            }
        };
        let body = body.trim();
        if name != TITLE_TAG && !body.is_empty() {
            sections.push(Section { offset, name, body });
        }
        from = next;
    }
    sections
}

/// The next `<name>` at a line start from byte `from`: (tag offset, name, offset after `>`).
fn next_open_tag(text: &str, from: usize) -> Option<(usize, &str, usize)> {
    let bytes = text.as_bytes();
    let mut search = from;
    while let Some(i) = memchr::memchr(b'<', bytes.get(search..).unwrap_or_default()) {
        let at = search + i;
        search = at + 1;
        // Only blanks may stand between the line start and the tag.
        let line_head = bytes.get(..at).unwrap_or_default();
        let preceding = line_head.iter().rev().find(|b| !matches!(b, b' ' | b'\t'));
        if preceding.is_some_and(|&b| b != b'\n') {
            continue;
        }
        let name_len = bytes
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'_')
            .count();
        let starts_with_letter = bytes.get(at + 1).is_some_and(u8::is_ascii_lowercase);
        if starts_with_letter && name_len <= MAX_TAG_LEN && bytes.get(at + 1 + name_len) == Some(&b'>') {
            // The name is ASCII between '<' and '>', so `get` always succeeds.
            if let Some(name) = text.get(at + 1..at + 1 + name_len) {
                return Some((at, name, at + name_len + 2));
            }
        }
    }
    None
}

/// Session metadata from `workspace.yaml`: flat `key: value` lines whose values may be
/// plain, quoted, `null`, or block scalars (`summary: |-`).
pub(crate) fn parse_workspace(text: &str) -> SessionMeta {
    let values = workspace_values(text);
    let get = |key: &str| {
        values
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.clone())
    };
    let time = |key: &str| {
        get(key).and_then(|v| {
            sk_core::time::parse_iso(&v)
                .or_else(|| v.parse::<f64>().ok().and_then(sk_core::time::from_number))
        })
    };
    SessionMeta {
        cwd: get("cwd").or_else(|| get("git_root")),
        repo: get("repository"),
        branch: get("branch"),
        // A name the user gave wins over the generated summary.
        title: get("name").or_else(|| get("summary")),
        started_at: time("created_at"),
        ended_at: time("updated_at"),
        ..SessionMeta::default()
    }
}

/// The top-level `key: value` pairs, in file order; `None` for null or empty values.
fn workspace_values(text: &str) -> Vec<(&str, Option<String>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut values = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let line = line.trim_start_matches('\u{feff}');
        i += 1;
        if line.trim().is_empty() || line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some((key, raw)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || key.contains([' ', '"', '\'']) {
            continue;
        }
        let raw = raw.trim();
        let value = if raw.starts_with(['|', '>']) {
            let start = i;
            while lines
                .get(i)
                .is_some_and(|l| l.starts_with([' ', '\t']) || l.trim().is_empty())
            {
                i += 1;
            }
            block_scalar(lines.get(start..i).unwrap_or_default(), raw.starts_with('>'))
        } else {
            scalar(raw)
        };
        values.push((key, value));
    }
    values
}

/// An indented block after `key: |` (kept lines) or `key: >` (folded into one line).
fn block_scalar(lines: &[&str], folded: bool) -> Option<String> {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let kept: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    let joined = kept.join(if folded { " " } else { "\n" });
    let joined = joined.trim();
    (!joined.is_empty()).then(|| joined.to_owned())
}

/// A one-line YAML scalar: `"double"` (with escapes), `'single'` (`''` is a quote), or
/// plain (a ` #` starts a comment). `null`, `~` and empty are `None`.
fn scalar(raw: &str) -> Option<String> {
    if let Some(rest) = raw.strip_prefix('"') {
        return Some(unescape_double_quoted(rest));
    }
    if let Some(rest) = raw.strip_prefix('\'') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(c);
        }
        return Some(out);
    }
    let plain = raw.split_once(" #").map_or(raw, |(value, _comment)| value).trim();
    match plain {
        "" | "null" | "Null" | "NULL" | "~" => None,
        v => Some(v.to_owned()),
    }
}

fn unescape_double_quoted(rest: &str) -> String {
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some(e @ ('x' | 'u' | 'U')) => {
                    let len = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = chars.by_ref().take(len).collect();
                    let decoded = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    out.push(decoded.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

/// Pushes one Summary per tagged section of a checkpoint file, each at its tag's offset in
/// the file. `body` is the file after any byte-order mark, which starts at `base`.
pub(crate) fn push_checkpoint(body: &[u8], base: u64, out: &mut Out) -> Result<(), SinkError> {
    let text = String::from_utf8_lossy(body);
    let sections = tagged_sections(&text);
    if sections.is_empty() {
        return push_whole(&text, RecordKind::Summary, UNTAGGED_CHECKPOINT, base, out);
    }
    for section in sections {
        let offset = match &text {
            Cow::Borrowed(_) => section.offset,
            Cow::Owned(_) => offset_in_source(body, section.offset),
        };
        out.at(base + offset as u64);
        let mut record = Record::new(RecordKind::Summary, 0, capped(section.body, MAX_TEXT_BYTES));
        record.section = Some(section.name.to_owned());
        out.push(record)?;
    }
    Ok(())
}

/// Where byte `at` of `String::from_utf8_lossy(bytes)` comes from in `bytes`. Each run of
/// invalid bytes became one U+FFFD, three bytes long whatever the run's length, so offsets
/// taken in the repaired text drift from the file's (past its end, after enough of them);
/// a record's offset must name a place in the file.
fn offset_in_source(bytes: &[u8], at: usize) -> usize {
    let (mut repaired, mut source) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid().len();
        if at < repaired + valid {
            return source + (at - repaired);
        }
        repaired += valid;
        source += valid;
        if !chunk.invalid().is_empty() {
            if at < repaired + char::REPLACEMENT_CHARACTER.len_utf8() {
                return source;
            }
            repaired += char::REPLACEMENT_CHARACTER.len_utf8();
            source += chunk.invalid().len();
        }
    }
    source
}

/// Pushes a markdown artifact as one Note named `section` (its path in the session folder).
pub(crate) fn push_note(text: &str, section: &str, base: u64, out: &mut Out) -> Result<(), SinkError> {
    push_whole(text, RecordKind::Note, section, base, out)
}

fn push_whole(
    text: &str,
    kind: RecordKind,
    section: &str,
    base: u64,
    out: &mut Out,
) -> Result<(), SinkError> {
    let body = text.trim();
    if body.is_empty() {
        return Ok(());
    }
    out.at(base);
    let mut record = Record::new(kind, 0, capped(body, MAX_TEXT_BYTES));
    record.section = Some(section.to_owned());
    out.push(record)
}

#[cfg(test)]
#[allow(clippy::string_slice)] // tests may slice: a panic fails the test
mod tests {
    use super::*;

    #[test]
    fn sections_are_found_at_line_starts_only() {
        let text = "# Checkpoint\n<overview>\nAll good, see <history> below\n</overview>\n\n  <work_done>\n- a\n</work_done>\n<checkpoint_title>T</checkpoint_title>\n";
        let sections = tagged_sections(text);
        let names: Vec<_> = sections.iter().map(|s| (s.name, s.body)).collect();
        assert_eq!(
            names,
            vec![
                ("overview", "All good, see <history> below"),
                ("work_done", "- a")
            ]
        );
        assert_eq!(&text[sections[0].offset..sections[0].offset + 10], "<overview>");
    }

    #[test]
    fn an_unclosed_section_runs_to_the_next_tag() {
        let sections = tagged_sections("<overview>\ncut off\n<next_steps>\n- go\n</next_steps>");
        let names: Vec<_> = sections.iter().map(|s| (s.name, s.body)).collect();
        assert_eq!(names, vec![("overview", "cut off"), ("next_steps", "- go")]);
        assert!(tagged_sections("plain text, a < b and <Tag> and <x y>").is_empty());
    }

    #[test]
    fn multibyte_text_around_tags_and_comments() {
        let text = "— é\n\u{3000}<overview>\nnaïve — ü\n</overview>— after\n<next_steps>\n目录—";
        let sections = tagged_sections(text);
        let names: Vec<_> = sections.iter().map(|s| (s.name, s.body)).collect();
        // An ideographic space is not a blank: that tag is not at a line start.
        assert_eq!(names, vec![("next_steps", "目录—")]);
        let names: Vec<_> = tagged_sections("é\n<overview>\n—ü</overview>\n")
            .iter()
            .map(|s| (s.name, s.body))
            .collect();
        assert_eq!(names, vec![("overview", "—ü")]);
        assert_eq!(scalar("naïve — ü #— comment"), Some("naïve — ü".to_owned()));
        let values = workspace_values("summary: |\n  —é\n\n  ü\ncwd: /tmp/é\n");
        assert_eq!(values[0], ("summary", Some("—é\n\nü".to_owned())));
        assert_eq!(values[1], ("cwd", Some("/tmp/é".to_owned())));
    }

    #[test]
    fn yaml_scalars() {
        assert_eq!(
            scalar("\"a \\\"b\\\" \\u00e9\\n\""),
            Some("a \"b\" é\n".to_owned())
        );
        assert_eq!(scalar("'it''s'"), Some("it's".to_owned()));
        assert_eq!(scalar("plain value # comment"), Some("plain value".to_owned()));
        assert_eq!(scalar("null"), None);
        assert_eq!(scalar("~"), None);
        assert_eq!(scalar(""), None);
    }

    #[test]
    fn block_scalars_and_nested_keys() {
        let values =
            workspace_values("summary: |-\n  line one\n  line two\nnested:\n  child: x\nbranch: main\n");
        assert_eq!(values[0], ("summary", Some("line one\nline two".to_owned())));
        assert_eq!(values[1], ("nested", None));
        assert_eq!(values[2], ("branch", Some("main".to_owned())));
    }
    #[test]
    fn offsets_in_repaired_text_map_back_to_the_file() {
        // "a" + 5 invalid bytes (one U+FFFD each run) + "bc" + 1 invalid byte + "d".
        let bytes = b"a\xff\xff\xc0\xff\xffbc\x80d";
        let text = String::from_utf8_lossy(bytes);
        let in_source: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| offset_in_source(bytes, i))
            .collect();
        let expected_chars: Vec<char> = text.chars().collect();
        assert_eq!(expected_chars.len(), in_source.len());
        for (c, at) in expected_chars.iter().zip(&in_source) {
            if *c != char::REPLACEMENT_CHARACTER {
                assert_eq!(bytes[*at], *c as u8, "{c} at {at}");
            }
        }
        assert_eq!(offset_in_source(bytes, text.len()), bytes.len());
        assert_eq!(offset_in_source(b"plain", 3), 3);
    }
}
