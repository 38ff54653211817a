//! The streaming JSONL reader on raw bytes, with a decoder that accepts any JSON document.
//! Checks what its property tests check (offsets inside what was consumed, totals that add
//! up, no NUL reaching the decoder) with the default limits and with tiny ones that every
//! input can exceed, and that reading the file in two pieces equals reading it once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use sk_core::SinkError;
use sk_fuzz::{fnv, put};
use sk_ingest::reader::{ReadLimits, ReadStats, Verdict, read_jsonl_with};

const REL: &str = "reader/events.jsonl";

#[derive(Debug, Default, PartialEq)]
struct Seen {
    docs: Vec<(u64, Vec<u8>)>,
    damage: Vec<(u64, u64, String)>,
    stats: ReadStats,
}

fn read(from: u64, limits: &ReadLimits) -> Seen {
    let mut docs = Vec::new();
    let mut damage = Vec::new();
    let mut decode = |offset: u64, bytes: &[u8]| -> Result<Verdict, SinkError> {
        assert!(!bytes.contains(&0), "NUL bytes reached the decoder at {offset}");
        Ok(match serde_json::from_slice::<IgnoredAny>(bytes) {
            Ok(_) => {
                docs.push((offset, bytes.to_vec()));
                Verdict::Parsed
            }
            Err(_) => Verdict::Malformed,
        })
    };
    let mut report = |offset: u64, len: u64, why: &str| -> Result<(), SinkError> {
        damage.push((offset, len, why.to_string()));
        Ok(())
    };
    let path = sk_fuzz::scratch().join(REL);
    let stats = read_jsonl_with(&path, from, limits, &mut decode, &mut report).expect("read succeeds");
    Seen { docs, damage, stats }
}

fn check(bytes: &[u8], from: u64, seen: &Seen) {
    let consumed = seen.stats.consumed;
    assert!(
        consumed >= from && consumed <= bytes.len() as u64,
        "consumed {consumed}"
    );
    assert!(
        consumed == from || bytes[consumed as usize - 1] == b'\n',
        "consumed stops mid-line"
    );
    for (offset, doc) in &seen.docs {
        assert!(
            *offset >= from && offset + doc.len() as u64 <= consumed,
            "document at {offset}"
        );
    }
    let mut last_end = from;
    for (offset, len, why) in &seen.damage {
        assert!(*len > 0, "empty damage at {offset}");
        assert!(
            *offset >= from && offset + len <= consumed,
            "damage {offset}+{len} ({why})"
        );
        assert!(
            *offset >= last_end,
            "damage spans overlap or go backwards at {offset} ({why})"
        );
        last_end = offset + len;
    }
    assert_eq!(seen.stats.damaged_spans, seen.damage.len() as u64);
    assert_eq!(
        seen.stats.skipped_bytes,
        seen.damage.iter().map(|d| d.1).sum::<u64>()
    );
    let newlines = bytes[from as usize..consumed as usize]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    assert_eq!(seen.stats.lines, newlines, "line count");
}

fuzz_target!(|bytes: &[u8]| {
    put(REL, bytes);
    let whole = read(0, &ReadLimits::default());
    check(bytes, 0, &whole);

    let tiny = ReadLimits {
        max_line_bytes: 48,
        max_multiline_bytes: 96,
        max_multiline_lines: 6,
    };
    let whole = read(0, &tiny);
    check(bytes, 0, &whole);

    // A growing file: the first part, then the rest read from where the first read stopped.
    let split = (fnv(bytes) % (bytes.len() as u64 + 1)) as usize;
    put(REL, &bytes[..split]);
    let first = read(0, &tiny);
    check(&bytes[..split], 0, &first);
    put(REL, bytes);
    let second = read(first.stats.consumed, &tiny);
    check(bytes, first.stats.consumed, &second);
    let mut pieces = first;
    pieces.docs.extend(second.docs);
    pieces.damage.extend(second.damage);
    pieces.stats = ReadStats {
        consumed: second.stats.consumed,
        lines: pieces.stats.lines + second.stats.lines,
        damaged_spans: pieces.stats.damaged_spans + second.stats.damaged_spans,
        skipped_bytes: pieces.stats.skipped_bytes + second.stats.skipped_bytes,
    };
    assert_eq!(
        pieces, whole,
        "reading in two pieces (split at {split}) differs from one read"
    );
});
