//! The JSONL reader against every kind of damage in formats.md §4, one named test each, plus
//! properties: random bytes never break it, damage never costs an intact line, and reading a
//! growing file in pieces sees exactly what one read of the final file sees.

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use sk_core::SinkError;
use sk_ingest::reader::{ReadLimits, ReadStats, Verdict, read_jsonl, read_jsonl_with, reason};

use super::support::corpus;

/// Everything one read reported.
#[derive(Debug, Default, Clone, PartialEq)]
struct Seen {
    docs: Vec<(u64, Value)>,
    damage: Vec<(u64, u64, String)>,
    stats: ReadStats,
}

fn read_limited(path: &Path, from: u64, limits: &ReadLimits) -> Seen {
    let mut docs = Vec::new();
    let mut damage = Vec::new();
    let mut decode = |offset: u64, bytes: &[u8]| -> Result<Verdict, SinkError> {
        assert!(!bytes.contains(&0), "NUL bytes reached the decoder at {offset}");
        Ok(match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => {
                docs.push((offset, value));
                Verdict::Parsed
            }
            Err(_) => Verdict::Malformed,
        })
    };
    let mut report = |offset: u64, len: u64, why: &str| -> Result<(), SinkError> {
        damage.push((offset, len, why.to_string()));
        Ok(())
    };
    let stats = read_jsonl_with(path, from, limits, &mut decode, &mut report).expect("read succeeds");
    Seen { docs, damage, stats }
}

fn read(path: &Path, from: u64) -> Seen {
    read_limited(path, from, &ReadLimits::default())
}

fn file_with(dir: &tempfile::TempDir, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn append(path: &Path, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open for append");
    file.write_all(bytes).expect("append");
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON")
}

#[test]
fn a_clean_corpus_file_decodes_every_line_at_its_offset() {
    let path = corpus("copilot/real-session.jsonl");
    let bytes = std::fs::read(&path).expect("corpus");
    let seen = read(&path, 0);
    // 64 lines: python3 -c "print(open('fixtures/corpus/copilot/real-session.jsonl','rb').read().count(b'\n'))"
    assert_eq!(seen.docs.len(), 64);
    assert_eq!(
        seen.stats,
        ReadStats {
            consumed: bytes.len() as u64,
            lines: 64,
            damaged_spans: 0,
            skipped_bytes: 0
        }
    );
    let mut offset = 0u64;
    for ((at, doc), line) in seen.docs.iter().zip(bytes.split(|&b| b == b'\n')) {
        assert_eq!(*at, offset);
        assert_eq!(*doc, serde_json::from_slice::<Value>(line).expect("corpus line"));
        offset += line.len() as u64 + 1;
    }
    assert!(seen.damage.is_empty());
}

#[test]
fn the_reader_api_keeps_its_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_with(&dir, b"{\"a\":1}\n");
    let mut count = 0;
    let stats = read_jsonl(
        &path,
        0,
        &mut |_, _| {
            count += 1;
            Ok(Verdict::Parsed)
        },
        &mut |_, _, _| Ok(()),
    )
    .expect("read");
    assert_eq!((count, stats.consumed, stats.lines), (1, 8, 1));
}

/// A decoder that panics on one event (a parser bug) costs that event only: it is reported
/// as damage naming the panic, at its offset, and the events after it are decoded.
#[test]
fn a_panic_in_the_decoder_costs_one_event_not_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_with(&dir, b"{\"a\":1}\n{\"boom\":2}\n{\"c\":3}\n");
    let mut decoded = Vec::new();
    let mut damage = Vec::new();
    let stats = read_jsonl(
        &path,
        0,
        &mut |offset, bytes| {
            assert!(
                !bytes.windows(4).any(|w| w == b"boom"),
                "a panicking decoder: line at {offset}"
            );
            decoded.push(offset);
            Ok(Verdict::Parsed)
        },
        &mut |offset, len, why| {
            damage.push((offset, len, why.to_string()));
            Ok(())
        },
    )
    .expect("the file reads on past the panic");
    assert_eq!(decoded, vec![0, 19]);
    assert_eq!(damage.len(), 1, "{damage:?}");
    assert_eq!((damage[0].0, damage[0].1), (8, 10));
    assert!(
        damage[0].2.starts_with(reason::PARSER_PANIC) && damage[0].2.contains("a panicking decoder"),
        "{damage:?}"
    );
    assert_eq!((stats.consumed, stats.lines, stats.damaged_spans), (27, 3, 1));
}

#[test]
fn a_nul_tail_after_a_crash_is_left_unconsumed_without_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = b"{\"a\":1}\n{\"b\":2}\n";
    let mut bytes = good.to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 8192));
    let path = file_with(&dir, &bytes);
    let seen = read(&path, 0);
    assert_eq!(seen.docs, vec![(0, json(r#"{"a":1}"#)), (8, json(r#"{"b":2}"#))]);
    assert!(seen.damage.is_empty());
    assert_eq!(seen.stats.consumed, good.len() as u64);

    // The agent resumes writing after the padding: the padding is damage, the event is not.
    append(&path, b"{\"c\":3}\n");
    let resumed = read(&path, seen.stats.consumed);
    assert_eq!(resumed.docs, vec![(good.len() as u64 + 8192, json(r#"{"c":3}"#))]);
    assert_eq!(
        resumed.damage,
        vec![(good.len() as u64, 8192, reason::NUL_BYTES.to_string())]
    );
    assert_eq!(resumed.stats.consumed, bytes.len() as u64 + 8);
}

#[test]
fn nul_runs_inside_lines_never_reach_the_decoder() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A line of NULs only, an event followed by NULs, and NULs between two events.
    let bytes = b"\0\0\0\n{\"a\":1}\0\0\n{\"b\":2}\0{\"c\":3}\n";
    let path = file_with(&dir, bytes);
    let seen = read(&path, 0);
    assert_eq!(
        seen.docs,
        vec![
            (4, json(r#"{"a":1}"#)),
            (14, json(r#"{"b":2}"#)),
            (22, json(r#"{"c":3}"#))
        ]
    );
    let nul = reason::NUL_BYTES.to_string();
    assert_eq!(
        seen.damage,
        vec![(0, 3, nul.clone()), (11, 2, nul.clone()), (21, 1, nul)]
    );
    assert_eq!(seen.stats.consumed, bytes.len() as u64);
    assert_eq!(seen.stats.lines, 3);
}

#[test]
fn a_truncated_event_glued_to_a_complete_one_is_resynchronised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let truncated = br#"{"type":"assistant.message","data":{"content":"half a {sente"#;
    let complete = br#"{"type":"user.message","data":{"content":"a \"quoted\" {brace}"}}"#;
    let mut bytes = truncated.to_vec();
    bytes.extend_from_slice(complete);
    bytes.extend_from_slice(b"\n{\"type\":\"next\"}\n");
    let path = file_with(&dir, &bytes);
    let seen = read(&path, 0);
    let complete_at = truncated.len() as u64;
    let next_at = complete_at + complete.len() as u64 + 1;
    assert_eq!(
        seen.docs,
        vec![
            (complete_at, serde_json::from_slice(complete).expect("json")),
            (next_at, json(r#"{"type":"next"}"#))
        ]
    );
    assert_eq!(
        seen.damage,
        vec![(
            0,
            truncated.len() as u64,
            reason::TRUNCATED_BEFORE_GLUED.to_string()
        )]
    );
    assert_eq!(seen.stats.consumed, bytes.len() as u64);
}

#[test]
fn events_glued_by_a_lost_newline_are_all_decoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_with(&dir, b"{\"a\":1}{\"b\":{\"c\":2}}\n");
    let seen = read(&path, 0);
    assert_eq!(
        seen.docs,
        vec![(0, json(r#"{"a":1}"#)), (7, json(r#"{"b":{"c":2}}"#))]
    );
    assert!(seen.damage.is_empty());
}

#[test]
fn a_pretty_printed_object_in_a_normal_file_is_one_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pretty_value = json(r#"{"type":"x","data":{"list":[1,{"k":"v {"}],"s":"}"},"n":null}"#);
    let pretty = serde_json::to_string_pretty(&pretty_value).expect("pretty");
    assert!(pretty.lines().count() > 5);
    let before = "{\"type\":\"before\"}\n";
    let after = "{\"type\":\"after\"}\n";
    let text = format!("{before}{pretty}\n{after}");
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    let pretty_at = before.len() as u64;
    let after_at = pretty_at + pretty.len() as u64 + 1;
    assert_eq!(
        seen.docs,
        vec![
            (0, json(r#"{"type":"before"}"#)),
            (pretty_at, pretty_value),
            (after_at, json(r#"{"type":"after"}"#))
        ]
    );
    assert!(seen.damage.is_empty());
    assert_eq!(seen.stats.consumed, text.len() as u64);
    assert_eq!(seen.stats.lines, text.matches('\n').count() as u64);
}

#[test]
fn a_pretty_printed_object_still_being_written_waits_for_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_with(&dir, b"{\"a\":1}\n{\n  \"b\": {\n    \"c\": 2\n");
    let first = read(&path, 0);
    assert_eq!(first.docs, vec![(0, json(r#"{"a":1}"#))]);
    assert!(first.damage.is_empty());
    assert_eq!(first.stats.consumed, 8);

    append(&path, b"  }\n}\n{\"d\":4}\n");
    let second = read(&path, first.stats.consumed);
    assert_eq!(
        second.docs,
        vec![(8, json(r#"{"b":{"c":2}}"#)), (36, json(r#"{"d":4}"#))]
    );
    assert!(second.damage.is_empty());
}

#[test]
fn an_unclosed_object_does_not_swallow_the_lines_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A truncated line that still ends outside a string looks like the start of a
    // pretty-printed object; the complete events after it must survive.
    let text = "{\"a\":{\"b\":1,\n  \"inner\": 2,\n{\"c\":3}\n{\"d\":4}\n";
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    assert_eq!(
        seen.docs,
        vec![(27, json(r#"{"c":3}"#)), (35, json(r#"{"d":4}"#))]
    );
    let malformed = reason::MALFORMED.to_string();
    assert_eq!(seen.damage, vec![(0, 13, malformed.clone()), (13, 14, malformed)]);
    assert_eq!(seen.stats.consumed, text.len() as u64);
    assert_eq!(seen.stats.lines, 4);
}

#[test]
fn a_multiline_object_beyond_the_limits_is_given_up_and_its_lines_reread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("{\n");
    for i in 0..20 {
        text.push_str(&format!("  \"k{i}\": {i},\n"));
    }
    text.push_str("  \"end\": 0\n}\n{\"after\":1}\n");
    let path = file_with(&dir, text.as_bytes());
    let limits = ReadLimits {
        max_multiline_lines: 10,
        ..ReadLimits::default()
    };
    let seen = read_limited(&path, 0, &limits);
    // Every line of the object is damage on its own; the event after it is intact.
    assert_eq!(seen.docs.len(), 1);
    assert_eq!(seen.docs[0].1, json(r#"{"after":1}"#));
    assert_eq!(seen.damage.len(), 23);
    assert_eq!(seen.stats.consumed, text.len() as u64);
    // With the default limits the same object decodes.
    assert_eq!(read(&path, 0).docs.len(), 2);
}

#[test]
fn crlf_line_endings_are_stripped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "{\"a\":1}\r\n\r\n{\"b\":\"x\\r\"}\r\n";
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    assert_eq!(
        seen.docs,
        vec![(0, json(r#"{"a":1}"#)), (11, json(r#"{"b":"x\r"}"#))]
    );
    assert!(seen.damage.is_empty());
    assert_eq!(
        seen.stats,
        ReadStats {
            consumed: text.len() as u64,
            lines: 3,
            damaged_spans: 0,
            skipped_bytes: 0
        }
    );
}

#[test]
fn a_bom_is_dropped_only_at_the_start_of_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "\u{feff}{\"a\":1}\n\u{feff}{\"b\":2}\n{\"c\":3}\n";
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    // A BOM in the middle of the file is not skipped as a BOM: it is damage, and the event
    // after it is recovered like any event glued to garbage.
    assert_eq!(
        seen.docs,
        vec![
            (3, json(r#"{"a":1}"#)),
            (14, json(r#"{"b":2}"#)),
            (22, json(r#"{"c":3}"#))
        ]
    );
    assert_eq!(
        seen.damage,
        vec![(11, 3, reason::TRUNCATED_BEFORE_GLUED.to_string())]
    );
}

#[test]
fn raw_line_separators_inside_strings_do_not_break_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "{\"t\":\"one\u{2028}two\u{2029}three\u{85}\"}\n{\"u\":1}\n";
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    assert_eq!(seen.docs.len(), 2);
    assert_eq!(seen.docs[0].1["t"], "one\u{2028}two\u{2029}three\u{85}");
    assert_eq!(seen.stats.lines, 2);
    assert!(seen.damage.is_empty());
}

#[test]
fn invalid_utf8_inside_a_string_is_replaced_not_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = b"{\"t\":\"caf\xe9 \xff\xfe ok\"}\n{\"u\":1}\n";
    let path = file_with(&dir, bytes);
    let seen = read(&path, 0);
    assert_eq!(seen.docs.len(), 2);
    assert_eq!(
        seen.docs[0],
        (0, json("{\"t\":\"caf\u{fffd} \u{fffd}\u{fffd} ok\"}"))
    );
    assert!(seen.damage.is_empty());
}

#[test]
fn an_incomplete_last_line_is_read_once_it_is_completed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_with(&dir, b"{\"a\":1}\n{\"b\":[1,2");
    let first = read(&path, 0);
    assert_eq!(first.docs, vec![(0, json(r#"{"a":1}"#))]);
    assert_eq!(
        first.stats,
        ReadStats {
            consumed: 8,
            lines: 1,
            damaged_spans: 0,
            skipped_bytes: 0
        }
    );

    append(&path, b",3]}\n");
    let second = read(&path, first.stats.consumed);
    assert_eq!(second.docs, vec![(8, json(r#"{"b":[1,2,3]}"#))]);
    assert_eq!(
        second.stats,
        ReadStats {
            consumed: 22,
            lines: 1,
            damaged_spans: 0,
            skipped_bytes: 0
        }
    );
    assert_eq!(
        read(&path, second.stats.consumed),
        Seen {
            stats: ReadStats {
                consumed: 22,
                ..ReadStats::default()
            },
            ..Seen::default()
        }
    );
}

#[test]
fn blank_and_whitespace_lines_are_not_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "\n   \n\t\r\n{\"a\":1}\n  {\"b\":2}  \n\n";
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    // Offsets and line count: python3 -c "t=b'\n   \n\t\r\n{\"a\":1}\n  {\"b\":2}  \n\n'; print(t.index(b'{\"a'), t.index(b'{\"b'), t.count(b'\n'))"
    assert_eq!(seen.docs, vec![(8, json(r#"{"a":1}"#)), (18, json(r#"{"b":2}"#))]);
    assert_eq!(
        seen.stats,
        ReadStats {
            consumed: text.len() as u64,
            lines: 6,
            damaged_spans: 0,
            skipped_bytes: 0
        }
    );
}

#[test]
fn a_malformed_line_is_reported_whole_and_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "{\"a\":1}\nnot json at all\n{\"b\":2}\n";
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    assert_eq!(seen.docs.len(), 2);
    assert_eq!(seen.damage, vec![(8, 16, reason::MALFORMED.to_string())]);
    assert_eq!(
        seen.stats,
        ReadStats {
            consumed: text.len() as u64,
            lines: 3,
            damaged_spans: 1,
            skipped_bytes: 16
        }
    );
}

#[test]
fn a_multi_megabyte_event_decodes_normally() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = "x".repeat(5 * 1024 * 1024);
    let text = format!("{{\"a\":1}}\n{{\"big\":\"{big}\"}}\n{{\"b\":2}}\n");
    let path = file_with(&dir, text.as_bytes());
    let seen = read(&path, 0);
    assert_eq!(seen.docs.len(), 3);
    assert_eq!(seen.docs[1].1["big"].as_str().map(str::len), Some(big.len()));
    assert!(seen.damage.is_empty());
}

#[test]
fn a_line_beyond_the_cap_is_skipped_as_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = ReadLimits {
        max_line_bytes: 100_000,
        ..ReadLimits::default()
    };
    let huge = format!("{{\"huge\":\"{}\"}}", "y".repeat(3 * 1024 * 1024));
    let text = format!("{{\"a\":1}}\n{huge}\n{{\"b\":2}}\n");
    let path = file_with(&dir, text.as_bytes());
    let seen = read_limited(&path, 0, &limits);
    let after_huge = 8 + huge.len() as u64 + 1;
    assert_eq!(
        seen.docs,
        vec![(0, json(r#"{"a":1}"#)), (after_huge, json(r#"{"b":2}"#))]
    );
    assert_eq!(
        seen.damage,
        vec![(8, huge.len() as u64 + 1, reason::LINE_TOO_LONG.to_string())]
    );
    assert_eq!(seen.stats.consumed, text.len() as u64);

    // Still being written (no newline yet): neither consumed nor damage.
    let path = file_with(&dir, format!("{{\"a\":1}}\n{huge}").as_bytes());
    let seen = read_limited(&path, 0, &limits);
    assert_eq!(
        (seen.docs.len(), seen.damage.len(), seen.stats.consumed),
        (1, 0, 8)
    );
}

#[test]
fn a_line_beyond_the_default_cap_is_streamed_past() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("events.jsonl");
    let huge_len = ReadLimits::default().max_line_bytes + 1;
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        file.write_all(b"{\"a\":1}\n").expect("write");
        let block = vec![b'z'; 1024 * 1024];
        let mut left = huge_len;
        while left > 0 {
            let n = left.min(block.len());
            file.write_all(&block[..n]).expect("write");
            left -= n;
        }
        file.write_all(b"\n{\"b\":2}\n").expect("write");
    }
    let seen = read(&path, 0);
    assert_eq!(
        seen.docs.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
        vec![json(r#"{"a":1}"#), json(r#"{"b":2}"#)]
    );
    assert_eq!(
        seen.damage,
        vec![(8, huge_len as u64 + 1, reason::LINE_TOO_LONG.to_string())]
    );
}

#[test]
fn reading_from_an_offset_past_the_end_reads_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_with(&dir, b"{\"a\":1}\n");
    let seen = read(&path, 100);
    assert_eq!(
        seen.stats,
        ReadStats {
            consumed: 100,
            ..ReadStats::default()
        }
    );
}

// ---------------------------------------------------------------------------------------
// Properties

/// Limits small enough that random inputs reach every cap.
fn tiny_limits() -> ReadLimits {
    ReadLimits {
        max_line_bytes: 48,
        max_multiline_bytes: 96,
        max_multiline_lines: 6,
    }
}

/// Bytes biased towards what the reader reacts to.
fn jsonish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"{}[]\"\\:,\n\r\0 ab1".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..400)
}

/// Every intact corpus line, in file order per file.
fn corpus_lines() -> &'static [Vec<u8>] {
    static LINES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| {
        let mut lines = Vec::new();
        for agent in ["copilot", "claude", "codex"] {
            let mut files: Vec<_> = std::fs::read_dir(corpus(agent))
                .expect("corpus dir")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect();
            files.sort();
            for file in files {
                let bytes = std::fs::read(file).expect("corpus file");
                lines.extend(
                    bytes
                        .split(|&b| b == b'\n')
                        .filter(|l| !l.is_empty())
                        .map(<[u8]>::to_vec),
                );
            }
        }
        lines
    })
}

/// What happens to one corpus line in a generated file.
#[derive(Debug, Clone)]
enum Mangle {
    Intact,
    Crlf,
    /// Re-written as pretty-printed JSON over many lines.
    Pretty,
    /// Cut at a fraction of its length, newline kept.
    Truncate(f64),
    /// Cut and its newline lost, so the next line is glued to it.
    Splice(f64),
    /// NULs inserted at a fraction of its length.
    Nuls(f64, usize),
    /// One byte at a fraction of its length XORed with a mask.
    Flip(f64, u8),
}

impl Mangle {
    fn damages(&self) -> bool {
        !matches!(self, Mangle::Intact | Mangle::Crlf | Mangle::Pretty)
    }
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        10 => Just(Mangle::Intact),
        1 => Just(Mangle::Crlf),
        1 => Just(Mangle::Pretty),
        1 => (0.0..1.0f64).prop_map(Mangle::Truncate),
        1 => (0.0..=1.0f64).prop_map(Mangle::Splice),
        1 => (0.0..=1.0f64, 1..64usize).prop_map(|(at, n)| Mangle::Nuls(at, n)),
        1 => (0.0..1.0f64, 1..=255u8).prop_map(|(at, mask)| Mangle::Flip(at, mask)),
    ]
}

/// A generated file and, for each line expected to survive, its offset and value.
struct Damaged {
    bytes: Vec<u8>,
    expected: Vec<(u64, u64, Value)>,
    nul_tail: usize,
}

fn build_damaged(picks: &[(usize, Mangle)], nul_tail: usize) -> Damaged {
    let lines = corpus_lines();
    let mut bytes = Vec::new();
    let mut expected = Vec::new();
    let mut glued_to_previous = false;
    for (index, how) in picks {
        let line = &lines[index % lines.len()];
        let value: Value = serde_json::from_slice(line).expect("corpus line is JSON");
        let start = bytes.len() as u64;
        let cut = |at: f64| ((line.len() as f64 * at) as usize).min(line.len());
        match how {
            Mangle::Intact => bytes.extend_from_slice(line),
            Mangle::Crlf => {
                bytes.extend_from_slice(line);
                bytes.push(b'\r');
            }
            Mangle::Pretty => {
                bytes.extend_from_slice(serde_json::to_string_pretty(&value).expect("pretty").as_bytes())
            }
            Mangle::Truncate(at) => bytes.extend_from_slice(&line[..cut(*at)]),
            Mangle::Splice(at) => bytes.extend_from_slice(&line[..cut(*at)]),
            Mangle::Nuls(at, n) => {
                let at = cut(*at);
                bytes.extend_from_slice(&line[..at]);
                bytes.extend(std::iter::repeat_n(0u8, *n));
                bytes.extend_from_slice(&line[at..]);
            }
            Mangle::Flip(at, mask) => {
                let at = cut(*at).min(line.len() - 1);
                let mut flipped = line.clone();
                flipped[at] ^= mask;
                bytes.extend_from_slice(&flipped);
            }
        }
        // A pretty-printed document glued after a truncated event loses its first line.
        let loses_first_line = glued_to_previous && matches!(how, Mangle::Pretty);
        let survives = !how.damages() && !loses_first_line;
        if survives {
            expected.push((start, bytes.len() as u64, value));
        }
        glued_to_previous = matches!(how, Mangle::Splice(_));
        if !glued_to_previous {
            bytes.push(b'\n');
        }
    }
    if glued_to_previous {
        bytes.push(b'\n');
    }
    bytes.extend(std::iter::repeat_n(0u8, nul_tail));
    Damaged {
        bytes,
        expected,
        nul_tail,
    }
}

/// Mangled corpus lines, always closed by an intact one: a damaged last line that looks like
/// the start of a pretty-printed object is (rightly) left unconsumed until more arrives.
fn damaged_file() -> impl Strategy<Value = (Vec<(usize, Mangle)>, usize)> {
    let picks = (
        prop::collection::vec((any::<usize>(), mangle()), 1..24),
        any::<usize>(),
    )
        .prop_map(|(mut picks, last)| {
            picks.push((last, Mangle::Intact));
            picks
        });
    (picks, prop_oneof![3 => Just(0usize), 1 => 1..5000usize])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_break_the_reader(bytes in jsonish_bytes(), start in any::<prop::sample::Index>(), tiny in any::<bool>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = file_with(&dir, &bytes);
        let boundaries: Vec<u64> = std::iter::once(0)
            .chain(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i as u64 + 1))
            .collect();
        let from = boundaries[start.index(boundaries.len())];
        let limits = if tiny { tiny_limits() } else { ReadLimits::default() };
        let seen = read_limited(&path, from, &limits);
        let consumed = seen.stats.consumed;
        prop_assert!(consumed <= bytes.len() as u64);
        prop_assert!(consumed == from || bytes[consumed as usize - 1] == b'\n');
        for (offset, _) in &seen.docs {
            prop_assert!(*offset >= from && *offset < consumed);
        }
        for (offset, len, _) in &seen.damage {
            prop_assert!(*offset >= from && offset + len <= consumed && *len > 0);
        }
        prop_assert_eq!(seen.stats.damaged_spans, seen.damage.len() as u64);
        prop_assert_eq!(seen.stats.skipped_bytes, seen.damage.iter().map(|d| d.1).sum::<u64>());
        prop_assert_eq!(seen.stats.lines, bytes[from as usize..consumed as usize].iter().filter(|&&b| b == b'\n').count() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damage_never_costs_an_intact_line((picks, nul_tail) in damaged_file()) {
        let file = build_damaged(&picks, nul_tail);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = file_with(&dir, &file.bytes);
        let seen = read(&path, 0);
        for (start, end, value) in &file.expected {
            let at_start: Vec<&Value> = seen.docs.iter().filter(|(o, _)| o == start).map(|(_, v)| v).collect();
            prop_assert_eq!(at_start, vec![value], "line at {} not decoded exactly once", start);
            prop_assert!(
                !seen.docs.iter().any(|(o, _)| o > start && o < end),
                "a document was decoded from inside the intact line at {}", start
            );
            prop_assert!(!seen.damage.iter().any(|(o, len, _)| o + len > *start && o < end), "damage overlaps the intact line at {}", start);
        }
        prop_assert_eq!(seen.stats.consumed, (file.bytes.len() - file.nul_tail) as u64);
    }

    #[test]
    fn reading_a_growing_file_in_pieces_equals_one_read((picks, nul_tail) in damaged_file(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 1..12)) {
        let file = build_damaged(&picks, nul_tail);
        let dir = tempfile::tempdir().expect("tempdir");
        let whole_path = file_with(&dir, &file.bytes);
        let limits = ReadLimits { max_line_bytes: 16 * 1024, ..ReadLimits::default() };
        let whole = read_limited(&whole_path, 0, &limits);

        let mut cut_points: Vec<usize> = cuts.iter().map(|i| i.index(file.bytes.len() + 1)).collect();
        cut_points.push(file.bytes.len());
        cut_points.sort_unstable();
        let growing = dir.path().join("growing.jsonl");
        std::fs::write(&growing, b"").expect("create");
        let mut pieces = Seen::default();
        let mut written = 0;
        for cut in cut_points {
            append(&growing, &file.bytes[written..cut]);
            written = cut;
            let seen = read_limited(&growing, pieces.stats.consumed, &limits);
            pieces.docs.extend(seen.docs);
            pieces.damage.extend(seen.damage);
            pieces.stats.consumed = seen.stats.consumed;
            pieces.stats.lines += seen.stats.lines;
            pieces.stats.damaged_spans += seen.stats.damaged_spans;
            pieces.stats.skipped_bytes += seen.stats.skipped_bytes;
        }
        prop_assert_eq!(pieces, whole);
    }
}
