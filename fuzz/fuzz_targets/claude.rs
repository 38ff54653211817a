//! The Claude Code connector on raw bytes: a main transcript, or a sub-agent transcript when
//! the input starts with `//subagent`. Then redaction and the extractor, as `sk index` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sk_core::{Agent, SourceKind};
use sk_fuzz::{extract, header, ingest, source};

const SESSION: &str = "5f0c0000-aaaa-4bbb-8ccc-000000000001";

fuzz_target!(|data: &[u8]| {
    let (shape, body) = header(data, &["main", "subagent"]);
    let src = match shape {
        Some(1) => source(
            Agent::Claude,
            &format!("projects/-work-demo/{SESSION}/subagents/agent-a1.jsonl"),
            SourceKind::Jsonl,
            &format!("{SESSION}/agent-a1"),
            Some(SESSION),
        ),
        _ => source(
            Agent::Claude,
            &format!("projects/-work-demo/{SESSION}.jsonl"),
            SourceKind::Jsonl,
            SESSION,
            None,
        ),
    };
    let rel = src
        .path
        .strip_prefix(sk_fuzz::scratch())
        .expect("in scratch")
        .to_string_lossy()
        .into_owned();
    let sink = ingest(&src, &rel, body);
    extract(Agent::Claude, &src.session, &sink);
});
