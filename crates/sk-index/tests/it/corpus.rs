//! `sk index` over a home holding all three agents' real logs: what lands in the store.

use sk_index::IndexOptions;
use sk_store::lock::WriterLock;

use crate::support::{Home, count};

const COPILOT_REAL: &str = ".copilot/session-state/7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe/events.jsonl";
const CLAUDE_CONVO: &str = ".claude/projects/-tmp-demo/89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl";
const CLAUDE_SUB: &str =
    ".claude/projects/-tmp-demo/89f4d66a-510b-48b3-94b8-d6a8f981b143/subagents/agent-a1b2c3.jsonl";
const CODEX_FORK: &str =
    ".codex/sessions/2026/05/07/rollout-2026-05-07T18-27-42-019e03b2-11a2-7320-9098-5d831813e66c.jsonl";

fn full_home() -> Home {
    let h = Home::new();
    h.seed("copilot/real-session.jsonl", COPILOT_REAL);
    h.seed(
        "copilot/compacted-real.jsonl",
        ".copilot/session-state/52caac9f-aaaa-bbbb-cccc-000000000001/events.jsonl",
    );
    h.seed("claude/convo.jsonl", CLAUDE_CONVO);
    h.seed(
        "claude/convo-compacted.jsonl",
        ".claude/projects/-tmp-demo/0f1e2d3c-0000-4000-8000-000000000002.jsonl",
    );
    h.seed("claude/convo.jsonl", CLAUDE_SUB);
    h.seed("codex/convo.jsonl", CODEX_FORK);
    h.seed(
        "codex/compacted-real.jsonl",
        ".codex/archived_sessions/rollout-2026-07-21T10-00-00-019e0000-0000-7000-8000-000000000003.jsonl",
    );
    h
}

#[test]
fn every_agent_lands_with_its_sessions_tool_calls_and_failures() {
    let h = full_home();
    let s = h.index();
    assert_eq!(s.files_seen, 7);
    assert_eq!(s.files_read, 7);
    assert_eq!(s.sessions_new, 7);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let store = h.store();
    // Counted with python3 over the raw file (see sk-ingest's copilot golden test):
    // 1 prompt, 12 answers, 11 tool starts, 11 completions of which 1 failed.
    let copilot = "(SELECT id FROM sessions WHERE external_id = '7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe')";
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM records WHERE session_id = {copilot} AND kind = 'prompt'")
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM records WHERE session_id = {copilot} AND kind = 'tool_call'")
        ),
        11
    );
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM records WHERE session_id = {copilot} AND kind = 'tool_result' AND success = 0"
            )
        ),
        1
    );
    // Every tool result pairs with a call of the same session.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM records r WHERE kind = 'tool_result' AND call_id IS NOT NULL AND NOT EXISTS
             (SELECT 1 FROM records c WHERE c.session_id = r.session_id AND c.call_id = r.call_id AND c.kind = 'tool_call')"
        ),
        0
    );
    // The Claude sub-agent transcript is its own session, linked to its parent.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sessions WHERE agent = 'claude' AND parent_external_id = '89f4d66a-510b-48b3-94b8-d6a8f981b143'"
        ),
        1
    );
    // The Codex fork names its parent thread; its replayed parent metadata did not win.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sessions WHERE agent = 'codex' AND parent_external_id = '019e03b1-6422-7510-b349-b4d4765a28a8'"
        ),
        1
    );
    // The compaction summary is searchable, system prompts are stored once and not indexed.
    assert!(count(&store, "SELECT count(*) FROM records WHERE kind = 'summary'") >= 6);
    assert!(count(&store, "SELECT count(*) FROM system_prompts") >= 3);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM records_fts WHERE records_fts MATCH '\"You are the GitHub Copilot CLI\"'"
        ),
        0
    );
    assert!(
        count(
            &store,
            "SELECT count(*) FROM records_fts WHERE records_fts MATCH 'notes'"
        ) > 0
    );
    // Files touched are interned once and linked.
    assert!(count(&store, "SELECT count(*) FROM files WHERE path LIKE '%notes.md'") >= 1);
}

#[test]
fn an_unchanged_home_is_skipped_without_reading() {
    let h = full_home();
    h.index();
    let again = h.index();
    assert_eq!(again.files_unchanged, 7);
    assert_eq!(again.files_read, 0);
    assert_eq!(again.bytes_read, 0);
}

#[test]
fn full_rebuild_gives_the_same_content_and_keeps_manual_knowledge() {
    let h = full_home();
    h.index();
    let before = crate::support::dump(&h.paths.db);
    h.store()
        .conn()
        .execute(
            "INSERT INTO entries (category, title, body, origin, first_seen, last_seen, content_hash, created_at, updated_at)
             VALUES ('pattern', 'run cargo fmt first', 'always', 'manual', 1, 1, 'manual-1', 1, 1)",
            [],
        )
        .expect("manual entry");
    let s = h.index_with(&IndexOptions {
        full: true,
        ..IndexOptions::default()
    });
    assert_eq!(s.files_read, 7);
    assert_eq!(crate::support::dump(&h.paths.db), before);
    assert_eq!(
        count(&h.store(), "SELECT count(*) FROM entries WHERE origin = 'manual'"),
        1
    );
}

#[test]
fn a_second_indexer_is_told_who_holds_the_database() {
    let h = full_home();
    std::fs::create_dir_all(h.paths.db.parent().expect("parent")).expect("mkdir");
    let store = h.store();
    let _held = WriterLock::acquire(&h.paths.db, "sk watch", std::time::Duration::ZERO).expect("lock");
    let opts = IndexOptions {
        lock_wait: std::time::Duration::from_millis(100),
        ..IndexOptions::default()
    };
    let err = sk_index::run(&store, &h.paths, &opts, &mut sk_index::SilentProgress).expect_err("busy");
    let msg = err.to_string();
    assert!(msg.contains("sk watch") && msg.contains("busy"), "{msg}");
}

#[test]
fn damaged_files_are_counted_and_never_stop_the_run() {
    let h = full_home();
    let good = std::fs::read(sk_test::corpus("claude/convo.jsonl")).expect("read");
    // A BOM, a truncated event glued to the next complete one, trailing NULs.
    let cut = good[..good.len() / 3]
        .iter()
        .rposition(|b| *b == b'\n')
        .expect("a line break")
        + 1;
    let mut bad = Vec::new();
    bad.extend_from_slice(b"\xEF\xBB\xBF");
    bad.extend_from_slice(&good[..cut]);
    bad.extend_from_slice(b"{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"cut off mid");
    bad.extend_from_slice(&good[cut..]);
    bad.extend_from_slice(&[0u8; 64]);
    std::fs::create_dir_all(h.path(".claude/projects/-tmp-bad")).expect("mkdir");
    std::fs::write(
        h.path(".claude/projects/-tmp-bad/11111111-2222-4333-8444-555555555555.jsonl"),
        &bad,
    )
    .expect("write");
    std::fs::create_dir_all(h.path(".codex/sessions/2026/01/01")).expect("mkdir");
    std::fs::write(
        h.path(".codex/sessions/2026/01/01/rollout-2026-01-01T00-00-00-11111111-2222-4333-8444-666666666666.jsonl"),
        b"\x00\x00not json at all\n\xff\xfe\n{\"type\":\"event_msg\"",
    )
    .expect("write");
    let s = h.index();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.files_read, 9);
    assert!(s.damaged_spans >= 2, "{s:?}");
    let store = h.store();
    let st = sk_store::status::status(&store).expect("status");
    let claude = st
        .agents
        .iter()
        .find(|a| a.agent == "claude")
        .expect("claude coverage");
    assert!(
        claude.damaged_spans >= 1 && claude.files_with_damage >= 1,
        "{claude:?}"
    );
    // The damaged copy still yields the same prompts and tool calls as the clean file.
    let per_session = |id: &str, kind: &str| {
        count(
            &store,
            &format!(
                "SELECT count(*) FROM records WHERE kind = '{kind}' AND session_id = (SELECT id FROM sessions WHERE external_id = '{id}')"
            ),
        )
    };
    for kind in ["tool_call", "tool_result", "answer"] {
        assert_eq!(
            per_session("11111111-2222-4333-8444-555555555555", kind),
            per_session("89f4d66a-510b-48b3-94b8-d6a8f981b143", kind),
            "{kind}"
        );
    }
}
