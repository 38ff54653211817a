//! The Copilot CLI connector on raw bytes: `events.jsonl` by default, or another file of a
//! session folder (workspace.yaml, a checkpoint, a note, the legacy history JSON) when the
//! input starts with a `//NAME` line. Then redaction and the extractor, as `sk index` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sk_core::{Agent, SourceKind};
use sk_fuzz::{extract, header, ingest, source};

const SESSION: &str = "0c5e6f3a-1111-4222-8333-444455556666";

/// `//NAME` first lines and the file each selects.
const SHAPES: &[(&str, &str, SourceKind)] = &[
    ("events.jsonl", "session-state/S/events.jsonl", SourceKind::Jsonl),
    (
        "workspace.yaml",
        "session-state/S/workspace.yaml",
        SourceKind::Whole,
    ),
    (
        "checkpoint",
        "session-state/S/checkpoints/001-checkpoint.md",
        SourceKind::Whole,
    ),
    ("plan.md", "session-state/S/plan.md", SourceKind::Whole),
    ("files", "session-state/S/files/notes.md", SourceKind::Whole),
    ("research", "session-state/S/research/topic.md", SourceKind::Whole),
    ("history", "history-session-state/S.json", SourceKind::Whole),
    ("flat", "session-state/S.jsonl", SourceKind::Jsonl),
];

fuzz_target!(|data: &[u8]| {
    let names: Vec<&str> = SHAPES.iter().map(|s| s.0).collect();
    let (shape, body) = header(data, &names);
    let (_, rel, kind) = SHAPES[shape.unwrap_or(0)];
    let src = source(Agent::Copilot, rel, kind, SESSION, None);
    let sink = ingest(&src, rel, body);
    extract(Agent::Copilot, SESSION, &sink);
});
