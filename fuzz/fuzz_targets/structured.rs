//! Structure-aware: a session of valid JSON events in one agent's shape (`sk_fuzz::shapes`),
//! every string field arbitrary Unicode biased towards multi-byte characters on the byte
//! lengths sk cuts at, written as JSONL and put through connector, redaction and extractor.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sk_core::{Agent, SourceKind};
use sk_fuzz::shapes::{ClaudeEntry, CodexLine, CopilotEvent, jsonl};
use sk_fuzz::{extract, ingest, source};

#[derive(Debug, Arbitrary)]
enum Session {
    Copilot(Vec<CopilotEvent>),
    Claude {
        subagent: bool,
        entries: Vec<ClaudeEntry>,
    },
    Codex(Vec<CodexLine>),
}

const COPILOT: &str = "0c5e6f3a-1111-4222-8333-444455556666";
const CLAUDE: &str = "5f0c0000-aaaa-4bbb-8ccc-000000000001";
const CODEX: &str = "019a0000-0000-7000-8000-000000000001";
const MAX_SESSION_BYTES: usize = 4 << 20;

fuzz_target!(|session: Session| {
    let (agent, rel, id, parent, bytes) = match &session {
        Session::Copilot(events) => (
            Agent::Copilot,
            "session-state/S/events.jsonl".to_string(),
            COPILOT.to_string(),
            None,
            jsonl(events.iter().map(CopilotEvent::line)),
        ),
        Session::Claude {
            subagent: true,
            entries,
        } => (
            Agent::Claude,
            format!("projects/-work-demo/{CLAUDE}/subagents/agent-a1.jsonl"),
            format!("{CLAUDE}/agent-a1"),
            Some(CLAUDE),
            jsonl(entries.iter().map(ClaudeEntry::line)),
        ),
        Session::Claude { entries, .. } => (
            Agent::Claude,
            format!("projects/-work-demo/{CLAUDE}.jsonl"),
            CLAUDE.to_string(),
            None,
            jsonl(entries.iter().map(ClaudeEntry::line)),
        ),
        Session::Codex(lines) => (
            Agent::Codex,
            format!("sessions/2026/05/07/rollout-2026-05-07T18-27-42-{CODEX}.jsonl"),
            CODEX.to_string(),
            None,
            jsonl(lines.iter().map(CodexLine::line)),
        ),
    };
    // Long texts are the point, but a session of many megabytes only slows the search down.
    if bytes.len() > MAX_SESSION_BYTES {
        return;
    }
    let src = source(agent, &rel, SourceKind::Jsonl, &id, parent);
    let sink = ingest(&src, &rel, &bytes);
    // Every generated line is valid JSON: none of it may be reported as damage.
    assert!(
        sink.damage.is_empty(),
        "valid JSON reported as damage: {:?}",
        sink.damage
    );
    extract(agent, &id, &sink);
});
