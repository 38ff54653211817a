//! Format drift: every kind of line the pinned agent versions write, as the ingest
//! connectors treat it. A transcript line of a kind in neither list fails the harness, so a
//! version bump that brings a new kind is noticed and decided (teach the connector, or list
//! it as ignored here), never silently dropped. The counts are printed with the test output.

use std::collections::BTreeMap;

use serde_json::Value;

/// Claude Code entry `type`s the connector reads (`sk_ingest::claude::wire::EntryType`).
const CLAUDE_UNDERSTOOD: &[&str] = &[
    "user",
    "assistant",
    "system",
    "summary",
    "ai-title",
    "custom-title",
];
/// Claude Code entry types that carry nothing sk indexes: queue bookkeeping, attachments
/// (hook output, skill and agent listings: sk's own briefing is one), the last prompt
/// pointer, file snapshots, progress, PR links.
const CLAUDE_IGNORED: &[&str] = &[
    "queue-operation",
    "attachment",
    "last-prompt",
    "file-history-snapshot",
    "progress",
    "pr-link",
];

/// Codex rollout line kinds (`type`, with `payload.type` for the two envelopes).
const CODEX_UNDERSTOOD: &[&str] = &[
    "session_meta",
    "turn_context",
    "compacted",
    "response_item/message",
    "response_item/reasoning",
    "response_item/function_call",
    "response_item/function_call_output",
    "response_item/custom_tool_call",
    "response_item/custom_tool_call_output",
    "response_item/local_shell_call",
    "response_item/web_search_call",
    "event_msg/task_complete",
    "event_msg/error",
];
/// Codex kinds sk leaves alone: usage and state snapshots (new in 0.171: `token_usage_record`,
/// `world_state`), and event messages that repeat what the response items already hold.
const CODEX_IGNORED: &[&str] = &[
    "token_usage_record",
    "world_state",
    "event_msg/user_message",
    "event_msg/agent_message",
    "event_msg/token_count",
    "event_msg/task_started",
    "event_msg/item_completed",
    "event_msg/thread_settings_applied",
    "event_msg/exec_command_end",
    "event_msg/patch_apply_end",
];

fn kind(agent: &str, line: &Value) -> String {
    let t = line["type"].as_str().unwrap_or("(no type)");
    match (agent, t) {
        ("codex", "response_item" | "event_msg") => {
            format!("{t}/{}", line["payload"]["type"].as_str().unwrap_or("(no type)"))
        }
        _ => t.to_string(),
    }
}

/// Counts the kinds in `lines` and fails on one the tables do not know.
pub fn check(agent: &str, lines: &[Value]) {
    let (understood, ignored) = match agent {
        "claude" => (CLAUDE_UNDERSTOOD, CLAUDE_IGNORED),
        _ => (CODEX_UNDERSTOOD, CODEX_IGNORED),
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in lines {
        *counts.entry(kind(agent, line)).or_default() += 1;
    }
    let unknown: Vec<&String> = counts
        .keys()
        .filter(|k| !understood.contains(&k.as_str()) && !ignored.contains(&k.as_str()))
        .collect();
    let summary: Vec<String> = counts
        .iter()
        .map(|(k, n)| {
            format!(
                "{k}×{n}{}",
                if ignored.contains(&k.as_str()) {
                    " (ignored)"
                } else {
                    ""
                }
            )
        })
        .collect();
    println!("drift: {agent}: {}", summary.join(", "));
    assert!(
        unknown.is_empty(),
        "{agent} wrote line kinds sk does not know: {unknown:?}. Teach the connector \
         (crates/sk-ingest/src/{agent}/) or list them as ignored in crates/sk/tests/agents/drift.rs \
         (docs/RUNBOOK.md: bumping the pinned agents)"
    );
}
