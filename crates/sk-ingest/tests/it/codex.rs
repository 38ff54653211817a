//! Codex connector on the real rollouts of the corpus (laid out as Codex lays them out, so
//! discovery is exercised too), on hand-written lines for what the corpus lacks (failed
//! commands, git metadata, malformed arguments, the pre-envelope format), and the append
//! equivalence every connector owes the incremental reader.
//!
//! Golden numbers were counted with python3 over the raw files, not taken from this code:
//! ```text
//! python3 -c 'import json,sys
//! L=[json.loads(l) for l in open(sys.argv[1])]
//! ri=[d["payload"] for d in L if d["type"]=="response_item"]
//! t=lambda p:"\n\n".join(c["text"].strip() for c in p["content"] if c.get("text"))
//! print("prompts",[t(p)[:40] for p in ri if p["type"]=="message" and p["role"]=="user" and not t(p).startswith(("<","# AGENTS"))])
//! print("answers",sum(p["type"]=="message" and p["role"]=="assistant" for p in ri))
//! print("calls",[(p["name"],p["call_id"]) for p in ri if p["type"] in ("function_call","custom_tool_call")])
//! print("outputs",[p["call_id"] for p in ri if p["type"] in ("function_call_output","custom_tool_call_output")])
//! print("reasoning with text",sum(p["type"]=="reasoning" and bool(p.get("summary") or p.get("content")) for p in ri))
//! print("task_complete with text",sum(d["type"]=="event_msg" and d["payload"]["type"]=="task_complete" and bool(d["payload"].get("last_agent_message")) for d in L))
//! print("compacted messages",sum(x["type"]=="message" for d in L if d["type"]=="compacted" for x in d["payload"].get("replacement_history",[])))
//! print("event_msg user/agent",sum(d["type"]=="event_msg" and d["payload"]["type"]=="user_message" for d in L),sum(d["type"]=="event_msg" and d["payload"]["type"]=="agent_message" for d in L))' FILE
//! ```
//! convo.jsonl: prompts 2 (the parent's replayed task, then "Count the words…"), answers 2,
//! calls [exec_command call_YrsZZmJxxRTadsHqQUDeG7KT], outputs 1, reasoning 0 (its only
//! reasoning item is encrypted), task_complete 1, event_msg user 2 / agent 13 (11 of them
//! are the parent's replayed answers, which exist only in that form).
//! compacted-real.jsonl: prompts 2, answers 3, calls [exec call_JwzvgicZi6tUUJag1tdBTqoJ],
//! outputs 1, reasoning 0, task_complete 2, compacted messages 1 (plus one encrypted
//! `compaction` item), event_msg user 2 / agent 3.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sk_core::env::MapEnv;
use sk_core::{Paths, RecordKind, SourceFile, SourceKind};
use sk_ingest::Connector;
use sk_ingest::codex::Codex;
use sk_ingest::memory_sink::MemorySink;

use crate::support::{corpus, read_all};

const CONVO_ID: &str = "019e03b2-11a2-7320-9098-5d831813e66c";
const CONVO_PARENT: &str = "019e03b1-6422-7510-b349-b4d4765a28a8";
const COMPACTED_ID: &str = "019f86c9-2b8a-7651-bff3-79039535009a";

/// Copies `bytes` to `<root>/<rel>` and returns the one source discovery finds for it.
fn lay_out(root: &Path, rel: &str, bytes: &[u8]) -> SourceFile {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    fs::write(&path, bytes).expect("write");
    let found = discover(root);
    found.into_iter().find(|s| s.path == path).expect("discovered")
}

fn discover(root: &Path) -> Vec<SourceFile> {
    let mut found = Vec::new();
    Codex.discover(root, &mut |s| found.push(s));
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

fn corpus_source(tmp: &Path, file: &str, session: &str) -> SourceFile {
    let bytes = fs::read(corpus(&format!("codex/{file}"))).expect("corpus file");
    let rel = format!("sessions/2026/05/07/rollout-2026-05-07T18-27-42-{session}.jsonl");
    lay_out(&tmp.join(".codex"), &rel, &bytes)
}

fn texts(sink: &MemorySink, kind: RecordKind) -> Vec<&str> {
    sink.of(kind).map(|r| r.text.as_str()).collect()
}

/// Checks that hold for every Codex read: no system prompt, injected context or encrypted
/// blob in any record, and every record stamped with its line's time.
fn assert_no_noise(sink: &MemorySink) {
    assert!(
        !sink.system_prompts.is_empty(),
        "base_instructions go to system_prompt"
    );
    for r in &sink.records {
        assert!(!r.text.contains("You are Codex,"), "system prompt text in {r:?}");
        assert!(
            !r.text.contains("<environment_context>"),
            "injected context in {r:?}"
        );
        assert!(
            !r.text.contains("<permissions instructions>"),
            "developer message in {r:?}"
        );
        assert!(!r.text.contains("gAAAAA"), "encrypted blob in {r:?}");
        assert!(r.ts.is_some(), "no timestamp on {r:?}");
    }
}

#[test]
fn convo_sub_agent_thread_golden() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = corpus_source(tmp.path(), "convo.jsonl", CONVO_ID);
    assert_eq!(src.session, CONVO_ID);
    assert_eq!(src.kind, SourceKind::Jsonl);
    let (sink, out) = read_all(&Codex, &src, 0);

    assert_eq!(out.lines, 45);
    assert_eq!(out.damaged_spans, 0);
    assert_eq!(out.records as usize, sink.records.len());
    assert_no_noise(&sink);

    let prompts = texts(&sink, RecordKind::Prompt);
    assert_eq!(prompts.len(), 2, "{prompts:#?}");
    assert!(prompts[0].starts_with("You're going to walk through a small set of tasks"));
    assert_eq!(prompts[1], "Count the words in `notes.md` and report the number.");
    assert_eq!(
        texts(&sink, RecordKind::Answer),
        [
            "I’ll read the local `notes.md` word count directly with `wc -w`, staying in the current directory.",
            "`notes.md` contains 11 words."
        ]
    );
    assert_eq!(sink.count(RecordKind::Reasoning), 0);

    let calls: Vec<_> = sink.of(RecordKind::ToolCall).collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool.as_deref(), Some("exec_command"));
    assert_eq!(calls[0].text, "wc -w notes.md");
    assert_eq!(calls[0].call_id.as_deref(), Some("call_YrsZZmJxxRTadsHqQUDeG7KT"));
    let results: Vec<_> = sink.of(RecordKind::ToolResult).collect();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].call_id, calls[0].call_id);
    assert_eq!(results[0].success, Some(true), "Process exited with code 0");
    assert_eq!(results[0].text.trim(), "11 notes.md");
    assert_eq!(
        texts(&sink, RecordKind::TaskSummary),
        ["`notes.md` contains 11 words."]
    );

    // The parent's replayed session_meta (line 2) must not overwrite the child's: the
    // child started at 18:27:42.115, the parent at 18:26:57.706 (start keeps the minimum).
    let meta = &sink.meta;
    assert_eq!(meta.parent_session.as_deref(), Some(CONVO_PARENT));
    assert_eq!(
        meta.started_at,
        sk_core::time::parse_iso("2026-05-07T18:27:42.115Z")
    );
    assert_eq!(
        meta.ended_at,
        sk_core::time::parse_iso("2026-05-07T18:27:55.158Z")
    );
    assert_eq!(meta.model.as_deref(), Some("gpt-5.5"));
    assert_eq!(meta.agent_version.as_deref(), Some("0.128.0"));
    assert_eq!(
        meta.cwd.as_deref(),
        Some("/var/folders/jk/4rycn96j1rdbj2mz275yv11m0000gn/T/toolpath-elicit.nu6ZWB/codex")
    );
}

/// Without an id in the file name, the file's first `session_meta` still wins over the
/// parent's replayed one.
#[test]
fn a_file_name_without_an_id_keeps_the_first_session_meta() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bytes = fs::read(corpus("codex/convo.jsonl")).expect("corpus");
    let src = lay_out(tmp.path(), "archived_sessions/rollout-handmade.jsonl", &bytes);
    assert_eq!(src.session, "rollout-handmade");
    let (sink, _) = read_all(&Codex, &src, 0);
    assert_eq!(sink.meta.parent_session.as_deref(), Some(CONVO_PARENT));
    assert_eq!(
        sink.meta.started_at,
        sk_core::time::parse_iso("2026-05-07T18:27:42.115Z")
    );
}

#[test]
fn compacted_real_golden() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = corpus_source(tmp.path(), "compacted-real.jsonl", COMPACTED_ID);
    let (sink, out) = read_all(&Codex, &src, 0);

    assert_eq!(out.lines, 39);
    assert_eq!(out.damaged_spans, 0);
    assert_no_noise(&sink);

    let first_prompt = "Create a file notes.md with exactly two lines: a fact about terminals, and a fact about compilers. Then read it back.";
    assert_eq!(
        texts(&sink, RecordKind::Prompt),
        [first_prompt, "In one short sentence, what is in notes.md?"]
    );
    assert_eq!(sink.count(RecordKind::Answer), 3);
    assert_eq!(
        texts(&sink, RecordKind::Answer).last().copied(),
        Some("It contains facts about terminals and compilers.")
    );

    // A code-mode `exec` script that embeds an apply_patch: the patched file is named.
    let calls: Vec<_> = sink.of(RecordKind::ToolCall).collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool.as_deref(), Some("exec"));
    assert_eq!(calls[0].files, ["notes.md"]);
    assert!(calls[0].text.contains("tools.apply_patch"));
    let results: Vec<_> = sink.of(RecordKind::ToolResult).collect();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].call_id.as_deref(),
        Some("call_JwzvgicZi6tUUJag1tdBTqoJ")
    );
    assert_eq!(results[0].success, Some(true));
    assert!(results[0].text.contains("2 notes.md"), "{:?}", results[0].text);
    assert!(
        !results[0].text.contains("Wall time"),
        "preamble kept: {:?}",
        results[0].text
    );

    // The compaction keeps its readable message; its encrypted item is not indexed.
    let summaries: Vec<_> = sink.of(RecordKind::Summary).collect();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].section.as_deref(), Some("compacted"));
    assert_eq!(summaries[0].text, first_prompt);
    assert_eq!(sink.count(RecordKind::TaskSummary), 2);

    let meta = &sink.meta;
    assert_eq!(meta.parent_session, None);
    assert_eq!(meta.model.as_deref(), Some("gpt-5.6-sol"));
    assert_eq!(meta.agent_version.as_deref(), Some("0.144.4"));
    assert_eq!(
        meta.cwd.as_deref(),
        Some("/Users/ben/.claude/jobs/37c36311/tmp/tui-codex")
    );
    assert_eq!(
        meta.started_at,
        sk_core::time::parse_iso("2026-07-21T22:25:58.667Z")
    );
}

#[test]
fn default_roots_cover_sessions_and_archived_sessions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("cx");
    let env = MapEnv(vec![
        ("HOME", tmp.path().into()),
        ("CODEX_HOME", home.clone().into()),
    ]);
    let paths = Paths::resolve(&env, None).expect("home set");
    let roots = Codex.default_roots(&paths);
    assert_eq!(roots, [home.join("sessions"), home.join("archived_sessions")]);

    let live = format!("rollout-2026-05-07T18-27-42-{CONVO_ID}.jsonl");
    let archived = format!("rollout-2026-07-21T18-25-58-{COMPACTED_ID}.jsonl");
    for (rel, body) in [
        (format!("sessions/2026/05/07/{live}"), "{}\n"),
        (format!("archived_sessions/{archived}"), "{}\n"),
        ("sessions/2026/05/07/notes.jsonl".to_owned(), "{}\n"),
        ("sessions/2026/05/07/rollout-x.json".to_owned(), "{}\n"),
        ("archived_sessions/rollout-handmade.jsonl".to_owned(), "{}\n"),
    ] {
        let path = home.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, body).expect("write");
    }
    let mut sessions: Vec<String> = roots
        .iter()
        .flat_map(|r| discover(r))
        .map(|s| s.session)
        .collect();
    sessions.sort();
    assert_eq!(sessions, [CONVO_ID, COMPACTED_ID, "rollout-handmade"]);
    assert!(discover(&tmp.path().join("missing")).is_empty());
}

/// A rollout made of hand-written lines, one JSON document each.
fn synthetic(tmp: &Path, lines: &[&str]) -> SourceFile {
    let mut body = lines.join("\n");
    body.push('\n');
    lay_out(
        tmp,
        "sessions/2026/01/02/rollout-2026-01-02T03-04-05-aaaaaaaa-0000-4000-8000-000000000001.jsonl",
        body.as_bytes(),
    )
}

const SYNTHETIC_META: &str = r#"{"timestamp":"2026-01-02T03:04:05.000Z","type":"session_meta","payload":{"id":"aaaaaaaa-0000-4000-8000-000000000001","timestamp":"2026-01-02T03:04:04.000Z","cwd":"/w","cli_version":"0.50.0","git":{"commit_hash":"abc123","branch":"main","repository_url":"git@github.com:o/r.git"},"base_instructions":{"text":"You are Codex, synthetic."}}}"#;

#[test]
fn failed_commands_are_failed_results() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = synthetic(
        tmp.path(),
        &[
            SYNTHETIC_META,
            r#"{"timestamp":"2026-01-02T03:04:06Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"bash\",\"-lc\",\"cat nope.txt\"]}","call_id":"c1"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:07Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c1","output":"{\"output\":\"cat: nope.txt: No such file or directory\\n\",\"metadata\":{\"exit_code\":1,\"duration_seconds\":0.0}}"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:08Z","type":"event_msg","payload":{"type":"exec_command_end","call_id":"c1","exit_code":1,"stdout":"","stderr":"cat: nope.txt"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:09Z","type":"response_item","payload":{"type":"function_call","name":"exec_command","arguments":"{\"cmd\":\"false\"}","call_id":"c2"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:10Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c2","output":"Chunk ID: 1\nWall time: 0.0 seconds\nProcess exited with code 127\nOutput:\nbash: nosuch: command not found\n"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:11Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c3","output":"Exit code: 0\nWall time: 0.1 seconds\nOutput:\nok\n"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:12Z","type":"response_item","payload":{"type":"custom_tool_call","name":"apply_patch","input":"*** Begin Patch\n*** Update File: src/x.rs\n@@\n-a\n+b\n*** End Patch","call_id":"c4"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:13Z","type":"response_item","payload":{"type":"custom_tool_call_output","call_id":"c4","output":"apply_patch verification failed: Failed to find expected lines in src/x.rs"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:14Z","type":"event_msg","payload":{"type":"patch_apply_end","call_id":"c4","success":false}}"#,
            r#"{"timestamp":"2026-01-02T03:04:15Z","type":"event_msg","payload":{"type":"error","message":"stream disconnected before completion"}}"#,
        ],
    );
    let (sink, out) = read_all(&Codex, &src, 0);
    assert_eq!(out.damaged_spans, 0);
    let results: Vec<_> = sink
        .of(RecordKind::ToolResult)
        .map(|r| (r.call_id.as_deref(), r.success))
        .collect();
    // exec_command_end and patch_apply_end add no second result for c1 / c4.
    assert_eq!(
        results,
        [
            (Some("c1"), Some(false)),
            (Some("c2"), Some(false)),
            (Some("c3"), Some(true)),
            (Some("c4"), Some(false))
        ]
    );
    let failed = sink
        .of(RecordKind::ToolResult)
        .find(|r| r.call_id.as_deref() == Some("c1"))
        .expect("c1");
    assert_eq!(
        failed.text,
        "exit code 1\ncat: nope.txt: No such file or directory"
    );
    let calls: Vec<_> = sink
        .of(RecordKind::ToolCall)
        .map(|r| (r.text.as_str(), r.files.clone()))
        .collect();
    assert_eq!(calls[0], ("cat nope.txt", vec![]));
    assert_eq!(calls[2].1, ["src/x.rs"]);
    assert_eq!(
        texts(&sink, RecordKind::Error),
        ["stream disconnected before completion"]
    );

    assert_eq!(sink.meta.repo.as_deref(), Some("git@github.com:o/r.git"));
    assert_eq!(sink.meta.branch.as_deref(), Some("main"));
    assert_eq!(sink.meta.head_commit.as_deref(), Some("abc123"));
    assert_eq!(sink.system_prompts, ["You are Codex, synthetic."]);
}

/// Issue 17: a real rollout had an output whose byte 64 fell inside '—', and the failure
/// check sliced the output's first 64 bytes. Every cut of an output (the failure check, the
/// 2 KB cap with and without the exit-code line, patch headers) must land between chars.
#[test]
fn multibyte_text_at_every_cut_is_ingested() {
    use serde_json::json;
    let item = |ts: &str, payload: serde_json::Value| {
        json!({"timestamp": ts, "type": "response_item", "payload": payload}).to_string()
    };
    let at_64 = format!("{}— done", "x".repeat(63)); // '—' is bytes 63..66
    let failed_at_64 = format!("error: {}— details", "y".repeat(56));
    let long = format!("a{}", "—".repeat(1000)); // the 2 KB cap falls inside a '—'
    let long_failed = json!({"output": "—".repeat(1000), "metadata": {"exit_code": 1}}).to_string();
    let lines = [
        SYNTHETIC_META.to_string(),
        item(
            "2026-01-02T03:04:06Z",
            json!({"type": "function_call_output", "call_id": "c1", "output": at_64}),
        ),
        item(
            "2026-01-02T03:04:07Z",
            json!({"type": "function_call_output", "call_id": "c2", "output": failed_at_64}),
        ),
        item(
            "2026-01-02T03:04:08Z",
            json!({"type": "function_call_output", "call_id": "c3", "output": long}),
        ),
        item(
            "2026-01-02T03:04:09Z",
            json!({"type": "function_call_output", "call_id": "c4", "output": long_failed}),
        ),
        item(
            "2026-01-02T03:04:10Z",
            json!({"type": "custom_tool_call", "name": "apply_patch", "call_id": "c5",
                   "input": "*** Begin Patch\n*** Update File: docs/naïve—notes.md\n@@\n-é\n+—\n*** End Patch"}),
        ),
        item(
            "2026-01-02T03:04:11Z",
            json!({"type": "custom_tool_call_output", "call_id": "c5", "output": "Success. Updated — 1 file"}),
        ),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = synthetic(tmp.path(), &lines);
    let (sink, out) = read_all(&Codex, &src, 0);
    assert_eq!(out.damaged_spans, 0, "{:?}", sink.damage);
    let results: Vec<_> = sink
        .of(RecordKind::ToolResult)
        .map(|r| (r.call_id.as_deref(), r.success, r.text.as_str()))
        .collect();
    let cut_long = format!("a{} …[truncated]", "—".repeat(682)); // 1 + 682 × 3 = 2047 bytes
    let cut_failed = format!("exit code 1\n{} …[truncated]", "—".repeat(678)); // 12 + 2034
    assert_eq!(
        results,
        [
            (Some("c1"), Some(true), at_64.as_str()),
            (Some("c2"), Some(false), failed_at_64.as_str()),
            (Some("c3"), Some(true), cut_long.as_str()),
            (Some("c4"), Some(false), cut_failed.as_str()),
            (Some("c5"), Some(true), "Success. Updated — 1 file"),
        ]
    );
    let call = sink.of(RecordKind::ToolCall).next().expect("the patch call");
    assert_eq!(call.files, ["docs/naïve—notes.md"]);
}

#[test]
fn malformed_arguments_keep_the_call_with_its_raw_text() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = synthetic(
        tmp.path(),
        &[
            r#"{"timestamp":"2026-01-02T03:04:06Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\": [\"bash\", \"-lc\", \"ls","call_id":"c1"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:07Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"not json at all","call_id":"c2"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:08Z","type":"response_item","payload":{"type":"function_call","name":"shell","call_id":"c3"}}"#,
        ],
    );
    let (sink, out) = read_all(&Codex, &src, 0);
    assert_eq!(
        out.damaged_spans, 0,
        "the lines are valid JSON; only the arguments are not"
    );
    assert_eq!(
        texts(&sink, RecordKind::ToolCall),
        [r#"{"command": ["bash", "-lc", "ls"#, "not json at all", ""]
    );
    assert!(
        sink.of(RecordKind::ToolCall)
            .all(|r| r.tool.as_deref() == Some("shell"))
    );
}

#[test]
fn damage_unknown_lines_and_foreign_metadata() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = synthetic(
        tmp.path(),
        &[
            SYNTHETIC_META,
            r#"{"timestamp":"2026-01-02T03:04:06Z","type":"some_future_line","payload":{"anything":[1,2,3]}}"#,
            r#"{"timestamp":"2026-01-02T03:04:06Z","type":"response_item","payload":{"type":"message","role":"user","content":"unexpected shape"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:06Z","type":"response_item","payload":{"type":"message","role":7}}"#,
            r#"{"timestamp": "2026-01-02T03:04:07Z", "type": "response_item", "payl"#,
            // A replayed parent header: its metadata must not overwrite this session's.
            r#"{"timestamp":"2026-01-02T03:04:08Z","type":"session_meta","payload":{"id":"bbbbbbbb-0000-4000-8000-000000000002","timestamp":"2025-01-01T00:00:00Z","cwd":"/parent","cli_version":"0.1.0","base_instructions":{"text":"You are Codex, parent."}}}"#,
            r#"{"timestamp":"2026-01-02T03:04:09Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>\n<cwd>/w</cwd>\n</environment_context>"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="},{"type":"input_text","text":"what is in this picture?"}]}}"#,
            r#"{"timestamp":"2026-01-02T03:04:10Z","type":"response_item","payload":{"type":"reasoning","summary":[{"type":"summary_text","text":"**Looking** at the image"}],"encrypted_content":"gAAAAABsecret"}}"#,
            r#"{"timestamp":"2026-01-02T03:04:11Z","type":"event_msg","payload":{"type":"user_message","message":"what is in this picture?"}}"#,
        ],
    );
    let (sink, out) = read_all(&Codex, &src, 0);
    assert_eq!(out.damaged_spans, 1, "only the truncated line is damage");
    assert_eq!(sink.damage.len(), 1);
    assert_eq!(
        texts(&sink, RecordKind::Prompt),
        ["unexpected shape", "what is in this picture?"]
    );
    assert_eq!(texts(&sink, RecordKind::Reasoning), ["**Looking** at the image"]);
    assert_eq!(sink.meta.cwd.as_deref(), Some("/w"));
    assert_eq!(sink.meta.agent_version.as_deref(), Some("0.50.0"));
    assert_eq!(
        sink.meta.started_at,
        sk_core::time::parse_iso("2026-01-02T03:04:04Z")
    );
    assert!(
        sink.records
            .iter()
            .all(|r| !r.text.contains("base64") && !r.text.contains("gAAAA"))
    );
}

#[test]
fn pre_envelope_rollouts_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = synthetic(
        tmp.path(),
        &[
            r#"{"id":"aaaaaaaa-0000-4000-8000-000000000001","timestamp":"2025-05-01T10:00:00.000Z","instructions":null,"git":{"commit_hash":"c0ffee","branch":"dev"}}"#,
            r#"{"record_type":"state"}"#,
            r#"{"type":"message","role":"user","content":[{"type":"input_text","text":"fix the build"}]}"#,
            r#"{"type":"function_call","name":"shell","arguments":"{\"command\":[\"cargo\",\"build\"]}","call_id":"c1"}"#,
            r#"{"type":"function_call_output","call_id":"c1","output":"{\"output\":\"error[E0308]\",\"metadata\":{\"exit_code\":101}}"}"#,
        ],
    );
    let (sink, _) = read_all(&Codex, &src, 0);
    assert_eq!(texts(&sink, RecordKind::Prompt), ["fix the build"]);
    assert_eq!(texts(&sink, RecordKind::ToolCall), ["cargo build"]);
    assert_eq!(
        sink.of(RecordKind::ToolResult)
            .map(|r| r.success)
            .collect::<Vec<_>>(),
        [Some(false)]
    );
    assert_eq!(sink.meta.branch.as_deref(), Some("dev"));
    assert_eq!(
        sink.meta.started_at,
        sk_core::time::parse_iso("2025-05-01T10:00:00Z")
    );
}

/// Reads `bytes` as if the file had grown through each cut in `cuts`: every read sees a
/// file that ends at the cut and starts where the previous read stopped.
fn read_growing(dir: &Path, bytes: &[u8], cuts: &[usize]) -> MemorySink {
    let path: PathBuf = dir.join(format!("rollout-2026-01-02T03-04-05-{CONVO_ID}.jsonl"));
    let src = SourceFile {
        agent: sk_core::Agent::Codex,
        path: path.clone(),
        kind: SourceKind::Jsonl,
        session: CONVO_ID.to_owned(),
        parent_session: None,
    };
    let mut sink = MemorySink::default();
    let mut from = 0;
    for &cut in cuts.iter().chain([&bytes.len()]) {
        fs::write(&path, &bytes[..cut]).expect("write prefix");
        let out = Codex.read(&src, from, &mut sink).expect("read");
        assert!(out.consumed as usize <= cut);
        from = out.consumed;
    }
    assert_eq!(from as usize, bytes.len());
    sink
}

/// Both corpus rollouts with two damaged lines between them. The damage is complete on its
/// line (balanced braces): an unclosed `{` would make the reader wait for the rest of a
/// pretty-printed object, which is the reader's business, not this connector's.
fn append_equivalence_input() -> Vec<u8> {
    let mut bytes = fs::read(corpus("codex/convo.jsonl")).expect("corpus");
    bytes.extend_from_slice(b"{\"truncated\": }\nnot json at all\n");
    bytes.extend(fs::read(corpus("codex/compacted-real.jsonl")).expect("corpus"));
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any split (on line boundaries or mid-line) pushes what one read pushes.
    #[test]
    fn reading_in_pieces_equals_one_read(raw_cuts in proptest::collection::vec(0.0f64..1.0, 1..5)) {
        let bytes = append_equivalence_input();
        let tmp = tempfile::tempdir().expect("tempdir");
        let whole = read_growing(tmp.path(), &bytes, &[]);
        let mut cuts: Vec<usize> = raw_cuts.iter().map(|f| (f * bytes.len() as f64) as usize).collect();
        cuts.sort_unstable();
        let pieces = read_growing(tmp.path(), &bytes, &cuts);
        prop_assert_eq!(whole.damage.len(), 2);
        prop_assert_eq!(&pieces.records, &whole.records);
        prop_assert_eq!(&pieces.meta, &whole.meta);
        prop_assert_eq!(&pieces.system_prompts, &whole.system_prompts);
        prop_assert_eq!(&pieces.damage, &whole.damage);
    }

    /// Cuts exactly at line ends, the case incremental ingest meets most.
    #[test]
    fn reading_from_any_line_boundary_equals_one_read(picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..4)) {
        let bytes = append_equivalence_input();
        let ends: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect();
        let mut cuts: Vec<usize> = picks.iter().map(|p| ends[p.index(ends.len())]).collect();
        cuts.sort_unstable();
        let tmp = tempfile::tempdir().expect("tempdir");
        let whole = read_growing(tmp.path(), &bytes, &[]);
        let pieces = read_growing(tmp.path(), &bytes, &cuts);
        prop_assert_eq!(&pieces.records, &whole.records);
        prop_assert_eq!(&pieces.meta, &whole.meta);
    }
}
