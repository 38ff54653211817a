//! What the fuzz targets share: a scratch folder for the files the connectors read, the
//! production ingest chain (connector → redaction → sink) with invariants checked on the way,
//! the incremental-read property, and the extractor run over what a connector produced.
//!
//! The targets call sk through its public API only. Panics are what libFuzzer reports: its
//! panic hook aborts the process even inside the reader's `catch_unwind`, so a connector
//! panic that production would contain (and report as damage) is still a finding here.

pub mod shapes;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sk_core::record::{MAX_TEXT_BYTES, TRUNCATED_MARK};
use sk_core::{Agent, Record, SessionMeta, Sink, SinkError, SourceFile, SourceKind};
use sk_ingest::memory_sink::MemorySink;
use sk_ingest::redact::RedactingSink;
use sk_ingest::{ReadOutcome, connector};

/// This process's scratch folder: `$TMPDIR/sk-fuzz/<pid>` (under `/dev/shm` when it exists,
/// so the per-input file writes stay in memory). Folders of processes that are gone are
/// removed when the next process starts.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        }
        .join("sk-fuzz");
        if let Ok(entries) = std::fs::read_dir(&base) {
            for entry in entries.flatten() {
                let alive = entry
                    .file_name()
                    .to_str()
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| Path::new("/proc").join(pid.to_string()).exists());
                if !alive {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch folder");
        dir
    })
}

/// Writes `bytes` to `rel` inside the scratch folder (creating its folders) and returns the path.
pub fn put(rel: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create scratch subfolder");
    }
    std::fs::write(&path, bytes).expect("write scratch file");
    path
}

/// A source file at `rel` in the scratch folder, shaped as discovery would report it.
pub fn source(agent: Agent, rel: &str, kind: SourceKind, session: &str, parent: Option<&str>) -> SourceFile {
    SourceFile {
        agent,
        path: scratch().join(rel),
        kind,
        session: session.to_string(),
        parent_session: parent.map(str::to_string),
    }
}

/// A cheap, stable hash of the input (FNV-1a), to derive choices such as a split point
/// from the bytes alone, so a saved input always replays the same way.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Longest record text a connector may push: its cap, the cut mark, and room for the short
/// headers some records put in front of a capped part (`$ cmd`, `exit 1`).
const MAX_RECORD_TEXT: usize = MAX_TEXT_BYTES + TRUNCATED_MARK.len() + 4096;

/// Checks what a connector pushes against the file it read, then passes it on.
pub struct Checked<'a> {
    pub inner: &'a mut dyn Sink,
    pub file_len: u64,
    /// `(offset, part)` of every record pushed so far: a record's identity in its file.
    /// The store inserts with `OR IGNORE` on that key, so a repeat would be lost silently.
    pub seen: HashSet<(u64, u32)>,
}

impl Sink for Checked<'_> {
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        self.inner.meta(meta)
    }
    fn record(&mut self, record: &Record) -> Result<(), SinkError> {
        assert!(record.kind.is_some(), "a record without a kind: {record:?}");
        assert!(
            record.offset <= self.file_len,
            "record offset {} past the end of a {}-byte file",
            record.offset,
            self.file_len
        );
        assert!(
            self.seen.insert((record.offset, record.part)),
            "two records at offset {} part {}: the store would keep only the first",
            record.offset,
            record.part
        );
        assert!(
            record.text.len() <= MAX_RECORD_TEXT,
            "a {:?} record of {} bytes escaped the text cap",
            record.kind,
            record.text.len()
        );
        self.inner.record(record)
    }
    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError> {
        self.inner.rewind(up_to_event_id)
    }
    fn system_prompt(&mut self, hash: &str, text: &str) -> Result<(), SinkError> {
        self.inner.system_prompt(hash, text)
    }
    fn damage(&mut self, offset: u64, len: u64, reason: &str) -> Result<(), SinkError> {
        assert!(len > 0, "an empty damage span at {offset} ({reason})");
        assert!(
            offset.checked_add(len).is_some_and(|end| end <= self.file_len),
            "damage {offset}+{len} past the end of a {}-byte file ({reason})",
            self.file_len
        );
        self.inner.damage(offset, len, reason)
    }
}

/// Reads `src` from `from` the way `sk index` does (connector → redaction → sink), with the
/// invariants above checked before redaction.
pub fn read_into(src: &SourceFile, from: u64, sink: &mut MemorySink) -> ReadOutcome {
    let file_len = std::fs::metadata(&src.path).map_or(0, |m| m.len());
    let mut redacting = RedactingSink::new(sink);
    let mut checked = Checked {
        inner: &mut redacting,
        file_len,
        seen: HashSet::new(),
    };
    let outcome = connector(src.agent)
        .read(src, from, &mut checked)
        .expect("a readable file and an infallible sink cannot fail");
    assert!(
        outcome.consumed <= file_len,
        "consumed {} of a {file_len}-byte file",
        outcome.consumed
    );
    outcome
}

/// Writes `bytes` at `rel`, reads it whole, and returns what the sink got. For append-only
/// (`Jsonl`) sources also checks the property incremental ingest rests on: the file read
/// in two pieces — a prefix first, then the rest from where that read stopped — gives the
/// same records, metadata and damage as one read.
pub fn ingest(src: &SourceFile, rel: &str, bytes: &[u8]) -> MemorySink {
    put(rel, bytes);
    let mut whole = MemorySink::default();
    let outcome = read_into(src, 0, &mut whole);
    if src.kind == SourceKind::Jsonl && !bytes.is_empty() {
        let split = (fnv(bytes) % (bytes.len() as u64 + 1)) as usize;
        let (head, _) = bytes.split_at(split);
        put(rel, head);
        let mut pieces = MemorySink::default();
        let first = read_into(src, 0, &mut pieces);
        put(rel, bytes);
        let second = read_into(src, first.consumed, &mut pieces);
        assert_eq!(
            second.consumed, outcome.consumed,
            "pieces consumed a different length"
        );
        assert_eq!(
            first.lines + second.lines,
            outcome.lines,
            "pieces counted different lines"
        );
        assert_eq!(
            pieces.records, whole.records,
            "records differ when read in pieces (split at {split})"
        );
        assert_eq!(
            pieces.meta, whole.meta,
            "metadata differs when read in pieces (split at {split})"
        );
        assert_eq!(
            pieces.damage, whole.damage,
            "damage differs when read in pieces (split at {split})"
        );
        assert_eq!(
            pieces.system_prompts, whole.system_prompts,
            "system prompts differ when read in pieces (split at {split})"
        );
    }
    whole
}

/// Runs the extractor over what a connector produced, in file order as the store hands it
/// over, and checks the documented limits of its output.
pub fn extract(agent: Agent, session: &str, sink: &MemorySink) -> Vec<sk_extract::Candidate> {
    let mut records = sink.records.clone();
    records.sort_by_key(|r| (r.offset, r.part));
    extract_records(
        agent,
        session,
        sink.meta.repo.as_deref(),
        sink.meta.cwd.as_deref(),
        &records,
    )
}

/// [`extract`] over records given directly.
pub fn extract_records(
    agent: Agent,
    session: &str,
    repo: Option<&str>,
    cwd: Option<&str>,
    records: &[Record],
) -> Vec<sk_extract::Candidate> {
    let ctx = sk_extract::SessionContext {
        agent,
        session,
        repo,
        cwd,
    };
    let found = sk_extract::extract(&ctx, records);
    let identities: HashSet<(u64, u32)> = records.iter().map(|r| (r.offset, r.part)).collect();
    for c in &found {
        assert!(!c.evidence.is_empty(), "a candidate without evidence: {c:?}");
        for e in &c.evidence {
            assert!(
                identities.contains(&(e.offset, e.part)),
                "evidence at offset {} part {} names no input record",
                e.offset,
                e.part
            );
        }
        assert!(!c.title.is_empty(), "an empty title: {c:?}");
        // `capitalize` may turn the first character into two or three (ß → SS).
        assert!(
            c.title.chars().count() <= sk_extract::MAX_TITLE_CHARS + 2,
            "a title of {} characters: {:?}",
            c.title.chars().count(),
            c.title
        );
        assert!(
            c.body.chars().count() <= sk_extract::MAX_BODY_CHARS + 1,
            "a body of {} characters",
            c.body.chars().count()
        );
        assert!(
            (0.0..=sk_extract::MAX_CONFIDENCE).contains(&c.confidence),
            "confidence {} out of range",
            c.confidence
        );
        // What the store does with every candidate: hash it and compare it.
        let _ = c.content_hash();
        let _ = c.similarity(c);
    }
    found
}

/// Splits off a first line `//NAME` that selects a layout; anything else is all content.
/// Lets one target cover several file shapes while a raw log line stays a valid input.
pub fn header<'a>(data: &'a [u8], names: &[&str]) -> (Option<usize>, &'a [u8]) {
    let Some(rest) = data.strip_prefix(b"//") else {
        return (None, data);
    };
    let (name, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => rest.split_at(i),
        None => (rest, &[][..]),
    };
    let body = body.strip_prefix(b"\n").unwrap_or(body);
    match names.iter().position(|n| n.as_bytes() == name) {
        Some(i) => (Some(i), body),
        None => (None, data),
    }
}
