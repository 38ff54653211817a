//! Claude Code connector on the real corpus transcripts (laid out as Claude Code stores
//! them, with a sub-agent copy), plus hand-written lines for the shapes the corpus lacks,
//! and append-equivalence: reading a growing file in pieces pushes what one read pushes.
//!
//! Golden numbers were counted independently of the connector, with python3 over the raw
//! files (json.loads per line, then counting blocks by type: `text` blocks with non-blank
//! text in assistant lines, `tool_use` blocks, `tool_result` blocks, results with
//! `is_error: true`, distinct `message.id` of assistant lines that hold text or tool_use,
//! user lines with string content that are not `isMeta`/`isCompactSummary`/harness tags,
//! min/max of every `timestamp`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sk_core::time::parse_iso;
use sk_core::{Agent, Paths, RecordKind, SourceFile, SourceKind};
use sk_ingest::Connector;
use sk_ingest::claude::{Claude, SECTION_COMPACT, SECTION_SUMMARY};
use sk_ingest::memory_sink::MemorySink;

use crate::support::{corpus, read_all};

/// `sessionId` of `claude/convo.jsonl`.
const CONVO_SID: &str = "89f4d66a-510b-48b3-94b8-d6a8f981b143";
/// `sessionId` of `claude/convo-compacted.jsonl`.
const COMPACTED_SID: &str = "c07efcc2-c931-4e4e-bc2c-b14ded596469";

/// Copies a corpus transcript into `<tmp>/projects/-tmp-x/<sid>.jsonl` and, as its
/// sub-agent, `<tmp>/projects/-tmp-x/<sid>/subagents/agent-abc.jsonl`; returns what
/// discovery finds under `projects`, in discovery order.
fn lay_out(tmp: &Path, rel: &str, sid: &str) -> Vec<SourceFile> {
    let project = tmp.join("projects").join("-tmp-x");
    let subagents = project.join(sid).join("subagents");
    fs::create_dir_all(&subagents).expect("mkdir");
    fs::copy(corpus(rel), project.join(format!("{sid}.jsonl"))).expect("copy transcript");
    fs::copy(corpus(rel), subagents.join("agent-abc.jsonl")).expect("copy sub-agent");
    // Not transcripts: ignored by discovery.
    fs::write(project.join(sid).join("notes.txt"), "x").expect("write");
    let mut found = Vec::new();
    Claude.discover(&tmp.join("projects"), &mut |src| found.push(src));
    found
}

fn top_level(found: &[SourceFile], sid: &str) -> SourceFile {
    found
        .iter()
        .find(|s| s.session == sid)
        .cloned()
        .expect("top-level transcript discovered")
}

fn texts(sink: &MemorySink, kind: RecordKind) -> Vec<&str> {
    sink.of(kind).map(|r| r.text.as_str()).collect()
}

#[test]
fn default_root_is_the_projects_folder() {
    let paths = Paths {
        home: "/h".into(),
        copilot_home: "/h/.copilot".into(),
        claude_home: "/cl".into(),
        codex_home: "/h/.codex".into(),
        claude_config_file: "/cl/.claude.json".into(),
        db: "/h/k.db".into(),
    };
    assert_eq!(Claude.default_roots(&paths), vec![PathBuf::from("/cl/projects")]);
    assert_eq!(Claude.agent(), Agent::Claude);
}

#[test]
fn discovery_names_sessions_from_the_path_and_links_sub_agents() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let found = lay_out(tmp.path(), "claude/convo.jsonl", CONVO_SID);
    let mut ids: Vec<(&str, Option<&str>)> = found
        .iter()
        .map(|s| (s.session.as_str(), s.parent_session.as_deref()))
        .collect();
    ids.sort_unstable();
    let sub = format!("{CONVO_SID}/agent-abc");
    assert_eq!(ids, vec![(CONVO_SID, None), (sub.as_str(), Some(CONVO_SID))]);
    assert!(
        found
            .iter()
            .all(|s| s.agent == Agent::Claude && s.kind == SourceKind::Jsonl)
    );

    // The sub-agent's parent reaches the store as metadata too.
    for src in &found {
        let (sink, _) = read_all(&Claude, src, 0);
        assert_eq!(sink.meta.parent_session, src.parent_session);
    }
}

#[test]
fn convo_golden() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = top_level(&lay_out(tmp.path(), "claude/convo.jsonl", CONVO_SID), CONVO_SID);
    let (sink, out) = read_all(&Claude, &src, 0);

    // 80 lines, all valid JSON (corpus README), 106,194 bytes.
    assert_eq!(out.lines, 80);
    assert_eq!(out.consumed, 106_194);
    assert_eq!(out.damaged_spans, 0);
    assert!(sink.damage.is_empty());
    assert_eq!(out.records, sink.records.len() as u64);

    // One human prompt; the 19 user lines holding tool results are not prompts.
    let prompts = texts(&sink, RecordKind::Prompt);
    assert_eq!(prompts.len(), 1);
    assert!(prompts[0].starts_with("You're going to walk through a small set of tasks"));

    assert_eq!(sink.count(RecordKind::Answer), 14);
    // Every thinking block in this file is empty on disk (only its signature is kept).
    assert_eq!(sink.count(RecordKind::Reasoning), 0);

    let calls: Vec<_> = sink.of(RecordKind::ToolCall).collect();
    assert_eq!(calls.len(), 19);
    let mut per_tool: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &calls {
        *per_tool.entry(c.tool.as_deref().expect("tool name")).or_default() += 1;
    }
    let expected: BTreeMap<&str, usize> = [
        ("Agent", 1),
        ("AskUserQuestion", 1),
        ("Bash", 8),
        ("Glob", 1),
        ("Grep", 1),
        ("Read", 2),
        ("Write", 5),
    ]
    .into();
    assert_eq!(per_tool, expected);
    let call_ids: BTreeSet<&str> = calls.iter().filter_map(|c| c.call_id.as_deref()).collect();
    assert_eq!(call_ids.len(), 19);
    let ls = calls
        .iter()
        .find(|c| c.call_id.as_deref() == Some("toolu_01CmEGCECW3kbLoLaGoBrWbp"))
        .expect("ls");
    assert_eq!(ls.text, "ls -la");
    let agent = calls
        .iter()
        .find(|c| c.tool.as_deref() == Some("Agent"))
        .expect("Agent call");
    assert!(agent.text.contains("Count words in notes.md"), "{}", agent.text);
    assert!(
        agent.text.contains("Count the words in `notes.md`"),
        "{}",
        agent.text
    );
    let write = calls
        .iter()
        .find(|c| c.tool.as_deref() == Some("Write"))
        .expect("Write call");
    assert_eq!(write.files.len(), 1);
    assert!(write.files[0].ends_with("/notes.md"));

    // 19 results answer the 19 calls; 13 carry is_error: true, 5 of them permission denials.
    let results: Vec<_> = sink.of(RecordKind::ToolResult).collect();
    assert_eq!(results.len(), 19);
    let result_ids: BTreeSet<&str> = results.iter().filter_map(|r| r.call_id.as_deref()).collect();
    assert_eq!(result_ids, call_ids);
    let failed: Vec<_> = results.iter().filter(|r| r.success == Some(false)).collect();
    assert_eq!(failed.len(), 13);
    assert!(results.iter().all(|r| r.success.is_some()));
    assert!(failed.iter().all(|r| !r.text.is_empty()));
    let denied = failed
        .iter()
        .filter(|r| r.text.contains("requested permissions"))
        .count();
    assert_eq!(denied, 5);
    let ls_out = results
        .iter()
        .find(|r| r.call_id.as_deref() == Some("toolu_01CmEGCECW3kbLoLaGoBrWbp"))
        .expect("ls");
    assert_eq!(ls_out.success, Some(true));
    assert!(ls_out.text.starts_with("total 0"));

    assert_eq!(sink.count(RecordKind::Summary), 0);
    assert_eq!(sink.count(RecordKind::Error), 0);

    // Provenance: every record knows its line, event and time; none is a sub-agent's.
    assert!(
        sink.records
            .iter()
            .all(|r| r.event_id.is_some() && r.ts.is_some() && !r.subagent)
    );

    // Message grouping: 20 API responses hold text or tool calls, 13 of them over 2 lines.
    let mut lines_per_message: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for r in sink
        .records
        .iter()
        .filter(|r| matches!(r.kind(), RecordKind::Answer | RecordKind::ToolCall))
    {
        let id = r
            .message_id
            .as_deref()
            .expect("assistant records carry message_id");
        lines_per_message.entry(id).or_default().insert(r.offset);
    }
    assert_eq!(lines_per_message.len(), 20);
    assert_eq!(lines_per_message.values().filter(|l| l.len() > 1).count(), 13);
    assert_eq!(lines_per_message.values().map(BTreeSet::len).max(), Some(2));
    assert!(sink.of(RecordKind::ToolResult).all(|r| r.message_id.is_none()));

    let m = &sink.meta;
    assert_eq!(m.title.as_deref(), Some("Exercise common coding tool categories"));
    assert_eq!(
        m.cwd.as_deref(),
        Some("/private/var/folders/jk/4rycn96j1rdbj2mz275yv11m0000gn/T/toolpath-elicit.nu6ZWB/claude")
    );
    assert_eq!(m.branch.as_deref(), Some("HEAD"));
    assert_eq!(m.agent_version.as_deref(), Some("2.1.132"));
    assert_eq!(m.model.as_deref(), Some("claude-opus-4-7"));
    assert_eq!(m.started_at, parse_iso("2026-05-07T18:25:10.095Z"));
    assert_eq!(m.ended_at, parse_iso("2026-05-07T18:26:55.400Z"));
}

#[test]
fn compacted_golden() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = top_level(
        &lay_out(tmp.path(), "claude/convo-compacted.jsonl", COMPACTED_SID),
        COMPACTED_SID,
    );
    let (sink, out) = read_all(&Claude, &src, 0);

    assert_eq!(out.lines, 71);
    assert_eq!(out.consumed, 93_352);
    assert_eq!(out.damaged_spans, 0);

    // The typed prompt and the `/compact` the human typed; the caveat (isMeta), the command
    // output and the compaction summary are not prompts.
    assert_eq!(texts(&sink, RecordKind::Prompt).len(), 2);
    assert!(texts(&sink, RecordKind::Prompt)[0].starts_with("You're going to walk through"));
    assert_eq!(texts(&sink, RecordKind::Prompt)[1], "/compact");

    let summaries: Vec<_> = sink.of(RecordKind::Summary).collect();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].section.as_deref(), Some(SECTION_COMPACT));
    assert_eq!(
        summaries[0].event_id.as_deref(),
        Some("0c5bb4cc-5f7a-4dca-bbcc-bb2e4c333016")
    );
    assert!(summaries[0].text.starts_with("This session is being continued"));
    assert!(summaries[0].text.contains("Primary Request and Intent"));

    assert_eq!(sink.count(RecordKind::Answer), 10);
    assert_eq!(sink.count(RecordKind::Reasoning), 0);
    assert_eq!(sink.count(RecordKind::ToolCall), 10);
    assert_eq!(sink.count(RecordKind::ToolResult), 10);
    let failed: Vec<_> = sink
        .of(RecordKind::ToolResult)
        .filter(|r| r.success == Some(false))
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].text.starts_with("File does not exist."));

    let edit = sink
        .of(RecordKind::ToolCall)
        .find(|r| r.tool.as_deref() == Some("Edit"))
        .expect("Edit call");
    assert!(
        edit.text.contains("\n- scratch — feature elicitation"),
        "{}",
        edit.text
    );
    assert!(
        edit.text.contains("\n+ fixture — feature elicitation"),
        "{}",
        edit.text
    );
    assert!(edit.files[0].ends_with("/notes.md"));

    // 10 responses hold text or tool calls, 9 over several lines, one over 3 lines
    // (text, Bash, Bash: its second Bash comes after the first one's result).
    let mut lines_per_message: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for r in sink.records.iter().filter(|r| r.message_id.is_some()) {
        lines_per_message
            .entry(r.message_id.as_deref().unwrap_or_default())
            .or_default()
            .insert(r.offset);
    }
    assert_eq!(lines_per_message.len(), 10);
    assert_eq!(lines_per_message.values().filter(|l| l.len() > 1).count(), 9);
    assert_eq!(lines_per_message.values().map(BTreeSet::len).max(), Some(3));

    let m = &sink.meta;
    assert_eq!(m.title.as_deref(), Some("Execute coding tool exercise tasks"));
    assert_eq!(m.agent_version.as_deref(), Some("2.1.170"));
    assert_eq!(m.model.as_deref(), Some("claude-opus-4-8"));
    // Timestamps are not monotonic around the compaction; the span still covers them all.
    assert_eq!(m.started_at, parse_iso("2026-06-10T18:40:50.720Z"));
    assert_eq!(m.ended_at, parse_iso("2026-06-10T18:42:48.535Z"));
}

/// A transcript written from hand-made lines, as session `s1`.
fn transcript(dir: &Path, lines: &[&str]) -> SourceFile {
    let path = dir.join("s1.jsonl");
    let mut body = lines.join("\n");
    body.push('\n');
    fs::write(&path, body).expect("write transcript");
    SourceFile {
        agent: Agent::Claude,
        path,
        kind: SourceKind::Jsonl,
        session: "s1".into(),
        parent_session: None,
    }
}

#[test]
fn summary_entries_refer_to_their_leaf() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = transcript(
        tmp.path(),
        &[r#"{"type":"summary","summary":"Fixed the flaky login test","leafUuid":"leaf-1"}"#],
    );
    let (sink, out) = read_all(&Claude, &src, 0);
    assert_eq!(out.records, 1);
    let r = &sink.records[0];
    assert_eq!(r.kind(), RecordKind::Summary);
    assert_eq!(r.section.as_deref(), Some(SECTION_SUMMARY));
    assert_eq!(r.refers_to.as_deref(), Some("leaf-1"));
    assert_eq!(r.text, "Fixed the flaky login test");
    assert_eq!(r.event_id, None);
    // A summary names another thread's leaf: it is not this session's title.
    assert_eq!(sink.meta.title, None);
}

#[test]
fn string_and_block_content_read_alike() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = transcript(
        tmp.path(),
        &[
            r#"{"type":"user","uuid":"u1","timestamp":"2026-01-01T00:00:00Z","message":{"role":"user","content":"add a cache"}}"#,
            r#"{"type":"user","uuid":"u2","message":{"role":"user","content":[{"type":"image","source":{"data":"AAAA"}},{"type":"text","text":"add a cache"}]}}"#,
            r#"{"type":"assistant","uuid":"a1","message":{"id":"msg_1","model":"m","content":"Done."}}"#,
            r#"{"type":"assistant","uuid":"a2","message":{"id":"msg_2","model":"m","content":[{"type":"thinking","thinking":"cache where?","signature":"c2ln"},{"type":"redacted_thinking","data":"ZW5j"},{"type":"text","text":"Done."}]}}"#,
            r#"{"type":"user","uuid":"u3","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"plain"},{"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"in"},{"type":"text","text":"blocks"}]}]}}"#,
        ],
    );
    let (sink, _) = read_all(&Claude, &src, 0);
    let prompts: Vec<_> = sink
        .of(RecordKind::Prompt)
        .map(|r| (r.event_id.as_deref(), r.part, r.text.as_str()))
        .collect();
    assert_eq!(
        prompts,
        vec![(Some("u1"), 0, "add a cache"), (Some("u2"), 1, "add a cache")]
    );
    let answers: Vec<_> = sink
        .of(RecordKind::Answer)
        .map(|r| (r.message_id.as_deref(), r.part, r.text.as_str()))
        .collect();
    assert_eq!(
        answers,
        vec![(Some("msg_1"), 0, "Done."), (Some("msg_2"), 2, "Done.")]
    );
    assert_eq!(texts(&sink, RecordKind::Reasoning), vec!["cache where?"]);
    assert_eq!(texts(&sink, RecordKind::ToolResult), vec!["plain", "in\nblocks"]);
    // Neither the signature nor the redacted blob nor the image reaches any record.
    assert!(
        sink.records
            .iter()
            .all(|r| !r.text.contains("c2ln") && !r.text.contains("ZW5j") && !r.text.contains("AAAA"))
    );
}

#[test]
fn unknown_entry_types_are_ignored_and_only_non_json_is_damage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = transcript(
        tmp.path(),
        &[
            r#"{"type":"file-history-snapshot","messageId":"x","snapshot":{"trackedFileBackups":{}}}"#,
            r#"{"type":"progress","data":{"type":"hook_progress"},"uuid":"p1"}"#,
            r#"{"type":"queue-operation","operation":"enqueue","content":"queued text"}"#,
            r#"{"type":"last-prompt","lastPrompt":"echoed prompt","leafUuid":"l"}"#,
            r#"{"type":"attachment","attachment":{"type":"file","content":{"file":{"content":"secret file"}}}}"#,
            r#"{"type":"pr-link","url":"https://example.invalid/pr/1"}"#,
            r#"{"type":"a-type-from-the-future","content":{"nested":[1,2,3]},"message":[1]}"#,
            r#"[1,2,3]"#,
            r#""just a string""#,
            r#"{"type":"user","message": this is not json}"#,
        ],
    );
    let (sink, out) = read_all(&Claude, &src, 0);
    assert!(sink.records.is_empty(), "{:?}", sink.records);
    assert_eq!(out.lines, 10);
    assert_eq!(out.damaged_spans, 1);
    assert_eq!(sink.damage.len(), 1);
}

#[test]
fn harness_user_lines_are_not_prompts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = transcript(
        tmp.path(),
        &[
            r#"{"type":"user","uuid":"m1","isMeta":true,"message":{"role":"user","content":"Base directory for this skill: /p/skills/x"}}"#,
            r#"{"type":"user","uuid":"m2","isMeta":true,"message":{"role":"user","content":[{"type":"text","text":"expanded command body"}]}}"#,
            r#"{"type":"user","uuid":"c1","message":{"role":"user","content":"<command-message>review</command-message>\n<command-name>/review</command-name>\n<command-args>PR 12</command-args>"}}"#,
            r#"{"type":"user","uuid":"c2","message":{"role":"user","content":"<local-command-stdout>done</local-command-stdout>"}}"#,
            r#"{"type":"user","uuid":"c3","message":{"role":"user","content":[{"type":"text","text":"[Request interrupted by user for tool use]"}]}}"#,
            r#"{"type":"user","uuid":"c4","message":{"role":"user","content":"<bash-input>git status</bash-input>"}}"#,
            r#"{"type":"user","uuid":"h1","message":{"role":"user","content":"and now the real question"}}"#,
            r#"{"type":"assistant","uuid":"n1","message":{"id":"msg_n","model":"<synthetic>","content":[{"type":"text","text":"No response requested."}]}}"#,
        ],
    );
    let (sink, _) = read_all(&Claude, &src, 0);
    let prompts: Vec<_> = sink
        .of(RecordKind::Prompt)
        .map(|r| (r.event_id.as_deref(), r.text.as_str()))
        .collect();
    assert_eq!(
        prompts,
        vec![
            (Some("c1"), "/review PR 12"),
            (Some("c4"), "! git status"),
            (Some("h1"), "and now the real question")
        ]
    );
    assert_eq!(sink.records.len(), 3);
}

#[test]
fn sidechains_errors_and_failed_results() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = transcript(
        tmp.path(),
        &[
            r#"{"type":"assistant","uuid":"s1","isSidechain":true,"message":{"id":"msg_s","content":[{"type":"text","text":"sub-agent speaking"}]}}"#,
            r#"{"type":"assistant","uuid":"s2","agentId":"a8ae","message":{"id":"msg_t","content":[{"type":"tool_use","id":"t9","name":"mcp__github__get_issue","input":{"owner":"o","number":5}}]}}"#,
            r#"{"type":"user","uuid":"r1","message":{"content":[{"type":"tool_result","tool_use_id":"t9","content":"<tool_use_error>Issue not found</tool_use_error>"}]}}"#,
            r#"{"type":"user","uuid":"r2","message":{"content":[{"type":"tool_result","tool_use_id":"t8","content":"Exit code 2\nmake: *** [all] Error 2"}]}}"#,
            r#"{"type":"system","subtype":"api_error","level":"error","uuid":"e1","retryAttempt":1,"error":{"status":529,"message":"overloaded"}}"#,
            r#"{"type":"system","subtype":"turn_duration","uuid":"e2","durationMs":5000}"#,
            r#"{"type":"system","subtype":"compact_boundary","uuid":"e3","content":"Conversation compacted","level":"info"}"#,
            r#"{"type":"assistant","uuid":"e4","isApiErrorMessage":true,"error":"rate_limit","message":{"id":"msg_e","model":"<synthetic>","content":[{"type":"text","text":"API Error: Rate limit reached"}]}}"#,
            r#"{"type":"custom-title","customTitle":"my title","sessionId":"s1"}"#,
        ],
    );
    let (sink, _) = read_all(&Claude, &src, 0);
    let answer = sink.of(RecordKind::Answer).next().expect("answer");
    assert!(answer.subagent);
    let call = sink.of(RecordKind::ToolCall).next().expect("call");
    assert!(call.subagent);
    assert_eq!(call.text, r#"{"owner":"o","number":5}"#, "the agent's key order");
    let results: Vec<_> = sink
        .of(RecordKind::ToolResult)
        .map(|r| (r.success, r.text.as_str()))
        .collect();
    assert_eq!(
        results,
        vec![
            (Some(false), "Issue not found"),
            (Some(false), "Exit code 2\nmake: *** [all] Error 2")
        ]
    );
    assert_eq!(
        texts(&sink, RecordKind::Error),
        vec!["API error 529: overloaded", "API Error: Rate limit reached"]
    );
    assert_eq!(sink.records.len(), 6);
    // The synthetic error message names no real model.
    assert_eq!(sink.meta.model, None);
    assert_eq!(sink.meta.title.as_deref(), Some("my title"));
}

/// Issue 17: caps of prompts, answers and tool results cut by bytes; with multi-byte text
/// at every cut the transcript still reads whole, each text cut between chars and marked.
#[test]
fn multibyte_text_at_the_caps_is_ingested() {
    use serde_json::json;
    let prompt = "—".repeat(11_000); // the 32 KB cap falls inside a '—'
    let answer = format!("ok {}", "é".repeat(20_000));
    let output = format!("a{}", "—".repeat(1000)); // the 2 KB cap falls inside a '—'
    let lines = [
        json!({"type": "user", "uuid": "u1", "message": {"role": "user", "content": prompt}}),
        json!({"type": "assistant", "uuid": "a1",
               "message": {"id": "msg_1", "model": "m", "content": [{"type": "text", "text": answer}]}}),
        json!({"type": "user", "uuid": "r1", "message": {"content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": output},
            {"type": "tool_result", "tool_use_id": "t2", "is_error": true, "content": format!("Exit code 1\n{}", "ü".repeat(1500))}
        ]}}),
        json!({"type": "user", "uuid": "c1", "message": {"role": "user",
               "content": "<command-name>/é—</command-name>\n<command-args>naïve — ü</command-args>"}}),
    ]
    .map(|v| v.to_string());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = transcript(tmp.path(), &lines);
    let (sink, out) = read_all(&Claude, &src, 0);
    assert_eq!(out.damaged_spans, 0, "{:?}", sink.damage);
    let mark = " …[truncated]";
    assert_eq!(
        texts(&sink, RecordKind::Prompt),
        [format!("{}{mark}", "—".repeat(10_922)).as_str(), "/é— naïve — ü"]
    );
    let answer_cut = texts(&sink, RecordKind::Answer)[0].to_owned();
    assert_eq!(answer_cut, format!("ok {}{mark}", "é".repeat(16_382)));
    assert_eq!(
        texts(&sink, RecordKind::ToolResult),
        [
            format!("a{}{mark}", "—".repeat(682)),
            format!("Exit code 1\n{}{mark}", "ü".repeat(1018))
        ]
    );
}

#[test]
fn old_layout_sub_agents_take_their_parent_from_the_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("agent-1234.jsonl");
    fs::write(&path, format!("{{\"type\":\"user\",\"isSidechain\":true,\"sessionId\":\"{CONVO_SID}\",\"message\":{{\"content\":\"count words\"}}}}\n"))
        .expect("write");
    let mut found = Vec::new();
    Claude.discover(tmp.path(), &mut |s| found.push(s));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].session, "agent-1234");
    let (sink, _) = read_all(&Claude, &found[0], 0);
    assert_eq!(sink.meta.parent_session.as_deref(), Some(CONVO_SID));
    // The task its parent wrote stays searchable, flagged as a sub-agent's.
    let prompt = sink.of(RecordKind::Prompt).next().expect("prompt");
    assert!(prompt.subagent);
}

/// Writes `bytes[..cut]` for each cut in turn (the file growing as Claude Code appends),
/// reading each time from where the previous read stopped, into one sink.
fn read_growing(dir: &Path, bytes: &[u8], cuts: &[usize]) -> MemorySink {
    let path = dir.join("grow.jsonl");
    let src = SourceFile {
        agent: Agent::Claude,
        path: path.clone(),
        kind: SourceKind::Jsonl,
        session: "g".into(),
        parent_session: None,
    };
    let mut file = fs::File::create(&path).expect("create");
    let mut sink = MemorySink::default();
    let mut written = 0;
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        if cut > written {
            file.write_all(&bytes[written..cut]).expect("append");
            file.flush().expect("flush");
            written = cut;
        }
        from = Claude.read(&src, from, &mut sink).expect("read").consumed;
    }
    assert_eq!(from, bytes.len() as u64);
    sink
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn reading_in_pieces_equals_one_read(
        which in 0usize..2,
        raw_cuts in proptest::collection::vec(0.0f64..1.0, 1..5),
    ) {
        let rel = ["claude/convo.jsonl", "claude/convo-compacted.jsonl"][which];
        let bytes = fs::read(corpus(rel)).expect("corpus");
        let mut cuts: Vec<usize> = raw_cuts.iter().map(|f| (f * bytes.len() as f64) as usize).collect();
        cuts.sort_unstable();
        let tmp = tempfile::tempdir().expect("tempdir");
        let whole = read_growing(tmp.path(), &bytes, &[]);
        let pieces = read_growing(tmp.path(), &bytes, &cuts);
        prop_assert_eq!(&pieces.records, &whole.records);
        prop_assert_eq!(&pieces.meta, &whole.meta);
        prop_assert!(pieces.damage.is_empty());
    }
}
