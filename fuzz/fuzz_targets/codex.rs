//! The Codex CLI connector on raw bytes (one rollout file), then redaction and the
//! extractor, as `sk index` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sk_core::{Agent, SourceKind};
use sk_fuzz::{extract, ingest, source};

const SESSION: &str = "019a0000-0000-7000-8000-000000000001";
const REL: &str =
    "sessions/2026/05/07/rollout-2026-05-07T18-27-42-019a0000-0000-7000-8000-000000000001.jsonl";

fuzz_target!(|data: &[u8]| {
    let src = source(Agent::Codex, REL, SourceKind::Jsonl, SESSION, None);
    let sink = ingest(&src, REL, data);
    extract(Agent::Codex, SESSION, &sink);
});
