//! Copilot CLI connector on the real corpus (each file laid out as Copilot stores it,
//! `session-state/<id>/events.jsonl`, then discovered and read end to end), the session
//! artifacts (workspace.yaml, checkpoints, markdown), the legacy layouts, rewinds, and
//! append-equivalence: reading a growing file in pieces pushes what one read pushes.
//!
//! Golden numbers were counted independently of the connector with python3 over the raw
//! files (`json.loads` per line, skipping `ephemeral`): `user.message` with non-blank
//! `content`; `assistant.message` with non-blank `content` (answers) and non-blank
//! `reasoningText` (reasoning); every `tool.execution_start` / `tool.execution_complete`;
//! failures = completions with `success: false` or a trailing `exit code N>` with N != 0;
//! summaries = `^<tag>` lines of `summaryContent` other than `checkpoint_title`; sub-agent
//! records = records of lines with an `agentId` or `data.parentToolCallId`; model = the last
//! of `selectedModel`, `newModel`, shutdown `currentModel` (or the single object-valued key
//! of `modelMetrics`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sk_core::time::parse_iso;
use sk_core::{Agent, Paths, Record, RecordKind, SourceFile, SourceKind};
use sk_ingest::Connector;
use sk_ingest::copilot::Copilot;
use sk_ingest::memory_sink::MemorySink;

use crate::support::{corpus, read_all};

/// Session ids the corpus files carry in `session.start`.
const COMPACTED_SID: &str = "52caac9f-099a-4057-9867-6e4bd35a2c0d";
const REAL_SID: &str = "7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe";

/// Copies `copilot/<file>` to `<tmp>/session-state/<sid>/events.jsonl`.
fn lay_out(tmp: &Path, file: &str, sid: &str) -> PathBuf {
    let dir = tmp.join("session-state").join(sid);
    fs::create_dir_all(&dir).expect("mkdir");
    let dest = dir.join("events.jsonl");
    fs::copy(corpus(&format!("copilot/{file}")), &dest).expect("copy corpus file");
    dest
}

fn discover_all(root: &Path) -> Vec<SourceFile> {
    let mut found = Vec::new();
    Copilot.discover(root, &mut |src| found.push(src));
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Lays out one corpus file, discovers it and reads it whole.
fn ingest(file: &str, sid: &str) -> MemorySink {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = lay_out(tmp.path(), file, sid);
    let found = discover_all(&tmp.path().join("session-state"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path, path);
    assert_eq!(found[0].kind, SourceKind::Jsonl);
    assert_eq!(found[0].session, sid);
    assert_eq!(found[0].agent, Agent::Copilot);
    let (sink, out) = read_all(&Copilot, &found[0], 0);
    assert_eq!(out.consumed, fs::metadata(&path).expect("stat").len());
    assert_eq!(out.damaged_spans, 0);
    assert_eq!(out.records, sink.records.len() as u64);
    sink
}

/// The counts each golden test checks, in one comparable value.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    prompts: usize,
    answers: usize,
    reasoning: usize,
    tool_calls: usize,
    tool_results: usize,
    failures: usize,
    summaries: usize,
    task_summaries: usize,
    subagent: usize,
    system_prompts: usize,
}

fn counts(sink: &MemorySink) -> Counts {
    Counts {
        prompts: sink.count(RecordKind::Prompt),
        answers: sink.count(RecordKind::Answer),
        reasoning: sink.count(RecordKind::Reasoning),
        tool_calls: sink.count(RecordKind::ToolCall),
        tool_results: sink.count(RecordKind::ToolResult),
        failures: sink
            .of(RecordKind::ToolResult)
            .filter(|r| r.success == Some(false))
            .count(),
        summaries: sink.count(RecordKind::Summary),
        task_summaries: sink.count(RecordKind::TaskSummary),
        subagent: sink.records.iter().filter(|r| r.subagent).count(),
        system_prompts: sink.system_prompts.len(),
    }
}

#[test]
fn real_session_golden() {
    let sink = ingest("real-session.jsonl", REAL_SID);
    let expected = Counts {
        prompts: 1,
        answers: 12,
        reasoning: 13,
        tool_calls: 11,
        tool_results: 11,
        failures: 1,
        summaries: 0,
        task_summaries: 0,
        subagent: 5,
        system_prompts: 1,
    };
    assert_eq!(counts(&sink), expected);
    assert_eq!(sink.meta.cwd.as_deref(), Some("/tmp/elicit-scratch"));
    assert_eq!(sink.meta.agent_version.as_deref(), Some("1.0.68"));
    assert_eq!(sink.meta.model.as_deref(), Some("claude-haiku-4.5"));
    assert_eq!(sink.meta.started_at, parse_iso("2026-07-02T15:28:15.745Z"));
    assert_eq!(sink.meta.ended_at, parse_iso("2026-07-02T15:28:57.144Z"));

    // The failing read: its call names the missing file, its result carries the error.
    let failed = sink
        .of(RecordKind::ToolResult)
        .find(|r| r.success == Some(false))
        .expect("failure");
    assert_eq!(failed.text, "Path does not exist");
    let call = sink
        .of(RecordKind::ToolCall)
        .find(|r| r.call_id == failed.call_id)
        .expect("the failed result pairs with a call");
    assert_eq!(call.tool.as_deref(), Some("view"));
    assert_eq!(call.files, vec!["/tmp/elicit-scratch/does-not-exist.txt"]);

    // Shell calls read as their command line and name the files the CLI saw in it.
    let bash = sink
        .of(RecordKind::ToolCall)
        .find(|r| r.tool.as_deref() == Some("bash"))
        .expect("bash");
    assert_eq!(bash.text, "bash /tmp/elicit-scratch/count.sh");
    assert_eq!(bash.files, vec!["/tmp/elicit-scratch/count.sh"]);

    // Every record keeps its event id and time; parts number records within a line.
    assert!(
        sink.records
            .iter()
            .all(|r| r.event_id.is_some() && r.ts.is_some())
    );
    let mut keys: Vec<(u64, u32)> = sink.records.iter().map(|r| (r.offset, r.part)).collect();
    keys.dedup();
    assert_eq!(keys.len(), sink.records.len(), "offset+part identify each record");

    // Shutdown lists the two modified files as one note.
    let note = sink.of(RecordKind::Note).next().expect("files-modified note");
    assert_eq!(
        note.files,
        vec!["/tmp/elicit-scratch/notes.md", "/tmp/elicit-scratch/count.sh"]
    );
}

#[test]
fn compacted_real_golden() {
    let sink = ingest("compacted-real.jsonl", COMPACTED_SID);
    let expected = Counts {
        prompts: 2,
        answers: 3,
        reasoning: 0,
        tool_calls: 2,
        tool_results: 2,
        failures: 0,
        summaries: 6,
        task_summaries: 0,
        subagent: 0,
        system_prompts: 2,
    };
    assert_eq!(counts(&sink), expected);
    assert_eq!(
        sink.meta.cwd.as_deref(),
        Some("/Users/ben/.claude/jobs/37c36311/tmp/tui-copilot")
    );
    assert_eq!(sink.meta.agent_version.as_deref(), Some("1.0.68"));
    // `auto` resolved to the model the shutdown reports.
    assert_eq!(sink.meta.model.as_deref(), Some("gpt-5-mini"));

    let summaries: Vec<&Record> = sink.of(RecordKind::Summary).collect();
    let sections: Vec<&str> = summaries.iter().filter_map(|r| r.section.as_deref()).collect();
    assert_eq!(
        sections,
        [
            "overview",
            "history",
            "work_done",
            "technical_details",
            "important_files",
            "next_steps"
        ]
    );
    // All six come from the compaction line (byte 51069, measured with python3) as parts 0..6.
    assert!(summaries.iter().all(|r| r.offset == 51069));
    assert_eq!(
        summaries.iter().map(|r| r.part).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    assert!(
        summaries[0]
            .text
            .starts_with("The user requested a simple file creation")
    );
    assert!(!summaries.iter().any(|r| r.text.contains("<overview>")));

    // Tool telemetry's JSON-encoded filePaths lands in the result's files.
    let created = sink.of(RecordKind::ToolResult).next().expect("result");
    assert_eq!(
        created.files,
        vec!["/Users/ben/.claude/jobs/37c36311/tmp/tui-copilot/notes.md"]
    );
    // Opaque reasoning and encrypted content are never indexed.
    assert!(sink.records.iter().all(|r| r.text.len() < 8000));
}

#[test]
fn synthetic_convo_golden() {
    let sink = ingest("convo.jsonl", "demo");
    let expected = Counts {
        prompts: 1,
        answers: 3,
        reasoning: 1,
        tool_calls: 5,
        tool_results: 5,
        failures: 1,
        summaries: 0,
        task_summaries: 1,
        subagent: 0,
        system_prompts: 1,
    };
    assert_eq!(counts(&sink), expected);
    assert_eq!(sink.meta.cwd.as_deref(), Some("/tmp/demo"));
    assert_eq!(sink.meta.repo.as_deref(), Some("acme/demo"));
    assert_eq!(sink.meta.branch.as_deref(), Some("main"));
    assert_eq!(sink.meta.head_commit.as_deref(), Some("abc123"));
    assert_eq!(sink.meta.agent_version.as_deref(), Some("1.0.67"));
    assert_eq!(sink.meta.model.as_deref(), Some("auto"));
    assert_eq!(sink.meta.ended_at, None, "no shutdown in this file");
    // A failure without an `error` object keeps the output as its text.
    let failed = sink
        .of(RecordKind::ToolResult)
        .find(|r| r.success == Some(false))
        .expect("failure");
    assert_eq!(failed.text, "Error: no such file or directory (os error 2)");
    let task = sink.of(RecordKind::TaskSummary).next().expect("task summary");
    assert_eq!(task.text, "Created a tiny Rust project; scanned for TODOs.");
}

#[test]
fn synthetic_sample_session_golden() {
    let sink = ingest("sample-session.jsonl", "demo");
    let expected = Counts {
        prompts: 1,
        answers: 3,
        reasoning: 1,
        tool_calls: 5,
        tool_results: 5,
        failures: 1,
        summaries: 0,
        task_summaries: 1,
        subagent: 0,
        system_prompts: 1,
    };
    assert_eq!(counts(&sink), expected);
    assert_eq!(sink.meta.agent_version.as_deref(), Some("1.0.67"));
    // `modelMetrics` here is `{"model": "<name>"}`, not a per-model map: the choice stays.
    assert_eq!(sink.meta.model.as_deref(), Some("auto"));
    assert_eq!(sink.meta.ended_at, parse_iso("2026-06-30T10:00:23.000Z"));
}

/// Reads `bytes` as a file that grows: each cut is written, read from where the last read
/// stopped, into one sink; then the rest. Returns that sink and a single read's sink.
fn piecewise_and_whole(bytes: &[u8], cuts: &[usize]) -> (MemorySink, MemorySink) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("session-state").join("s");
    fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("events.jsonl");
    let src = SourceFile {
        agent: Agent::Copilot,
        path: path.clone(),
        kind: SourceKind::Jsonl,
        session: "s".into(),
        parent_session: None,
    };
    let mut file = fs::File::create(&path).expect("create");
    let mut pieces = MemorySink::default();
    let mut written = 0;
    let mut consumed = 0;
    for &cut in cuts.iter().chain([bytes.len()].iter()) {
        file.write_all(&bytes[written..cut]).expect("append");
        file.flush().expect("flush");
        written = cut;
        consumed = Copilot.read(&src, consumed, &mut pieces).expect("read").consumed;
    }
    assert_eq!(consumed, bytes.len() as u64);
    let (whole, _) = read_all(&Copilot, &src, 0);
    (pieces, whole)
}

fn line_ends(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn reading_in_pieces_equals_one_read(
        file in prop::sample::select(vec![
            "real-session.jsonl", "compacted-real.jsonl", "convo.jsonl", "sample-session.jsonl",
        ]),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        let bytes = fs::read(corpus(&format!("copilot/{file}"))).expect("corpus");
        let ends = line_ends(&bytes);
        let mut cuts: Vec<usize> = picks.iter().map(|i| ends[i.index(ends.len())]).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let (pieces, whole) = piecewise_and_whole(&bytes, &cuts);
        prop_assert!(!whole.records.is_empty());
        prop_assert_eq!(&pieces.records, &whole.records);
        prop_assert_eq!(&pieces.meta, &whole.meta);
        prop_assert_eq!(&pieces.system_prompts, &whole.system_prompts);
    }
}

#[test]
fn a_cut_inside_a_line_waits_for_the_rest_of_it() {
    let bytes = fs::read(corpus("copilot/real-session.jsonl")).expect("corpus");
    let ends = line_ends(&bytes);
    // Mid-line cuts, as a live session is caught while the CLI writes an event.
    let cuts = [ends[3] + 10, ends[20] - 1, ends[40] + 1];
    let (pieces, whole) = piecewise_and_whole(&bytes, &cuts);
    assert_eq!(pieces.records, whole.records);
    assert!(pieces.damage.is_empty());
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn read_lines(lines: &[&str]) -> MemorySink {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("session-state").join("r").join("events.jsonl");
    write(&path, &(lines.join("\n") + "\n"));
    let src = discover_all(tmp.path()).pop().expect("discovered");
    read_all(&Copilot, &src, 0).0
}

#[test]
fn snapshot_rewind_withdraws_later_records() {
    let sink = read_lines(&[
        r#"{"type":"user.message","id":"u1","timestamp":"2026-07-01T10:00:00Z","data":{"content":"first"}}"#,
        r#"{"type":"assistant.message","id":"a1","timestamp":"2026-07-01T10:00:01Z","data":{"messageId":"m1","content":"one"}}"#,
        r#"{"type":"user.message","id":"u2","timestamp":"2026-07-01T10:00:02Z","data":{"content":"second"}}"#,
        r#"{"type":"tool.execution_start","id":"t1","data":{"toolCallId":"c1","toolName":"bash","arguments":{"command":"rm -rf build"}}}"#,
        r#"{"type":"tool.execution_complete","id":"t2","data":{"toolCallId":"c1","success":true,"result":{"content":""}}}"#,
        r#"{"type":"session.snapshot_rewind","id":"r1","data":{"upToEventId":"a1","eventsRemoved":3}}"#,
        r#"{"type":"user.message","id":"u3","timestamp":"2026-07-01T10:00:09Z","data":{"content":"instead"}}"#,
    ]);
    assert_eq!(sink.rewinds, 1);
    let texts: Vec<&str> = sink.records.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["first", "one", "instead"]);
}

/// Issue 17: the caps of messages and tool results (the head of a successful output, the
/// tail of a failed one) and the exit-code marker at an output's end, with multi-byte text
/// at every cut.
#[test]
fn multibyte_text_at_the_caps_is_ingested() {
    use serde_json::json;
    let long = format!("a{}", "—".repeat(1000)); // 3001 bytes; the 2 KB caps fall inside '—'
    let lines = [
        json!({"type": "user.message", "id": "u1", "data": {"content": "—".repeat(11_000)}}),
        json!({"type": "tool.execution_complete", "id": "t1",
               "data": {"toolCallId": "c1", "success": true, "result": {"content": long}}}),
        json!({"type": "tool.execution_complete", "id": "t2",
               "data": {"toolCallId": "c2", "success": false, "result": {"content": long}}}),
        json!({"type": "tool.execution_complete", "id": "t3",
               "data": {"toolCallId": "c3", "success": false, "result": {"content": ""},
                        "error": {"message": long}}}),
        json!({"type": "tool.execution_complete", "id": "t4",
               "data": {"toolCallId": "c4", "success": true,
                        "result": {"content": "naïve — ü\n<shellId: é— completed with exit code 2>"}}}),
    ]
    .map(|v| v.to_string());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let sink = read_lines(&lines);
    assert!(sink.damage.is_empty(), "{:?}", sink.damage);
    let mark = " …[truncated]";
    let texts: Vec<(Option<bool>, &str)> = sink
        .records
        .iter()
        .map(|r| (r.success, r.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (None, format!("{}{mark}", "—".repeat(10_922)).as_str()),
            (Some(true), format!("a{}{mark}", "—".repeat(682)).as_str()),
            // A failed output keeps its end: 3001 - 2048 = 953 moves forward to 955.
            (Some(false), format!("[truncated]… {}", "—".repeat(682)).as_str()),
            (Some(false), format!("a{}{mark}", "—".repeat(682)).as_str()),
            (Some(false), "naïve — ü\n<shellId: é— completed with exit code 2>"),
        ]
    );
}

#[test]
fn damaged_and_unknown_lines() {
    let sink = read_lines(&[
        r#"{"type":"user.message","id":"u1","data":{"content":"kept"}}"#,
        r#"{"type":"user.mess"#,
        r#"{"type":"brand.new_event","id":"x","data":{"anything":[1,2,3]}}"#,
        r#"{"type":"user.message","id":"u2","data":{"content":{"parts":["x"]}}}"#,
        r#"["not","an","event"]"#,
        r#"{"type":"assistant.message","id":"a","agentId":"sub-1","data":{"content":"inside"}}"#,
    ]);
    // Only the line that is not JSON is damage; odd but valid lines are skipped quietly.
    assert_eq!(sink.damage.len(), 1);
    let texts: Vec<(&str, bool)> = sink
        .records
        .iter()
        .map(|r| (r.text.as_str(), r.subagent))
        .collect();
    assert_eq!(texts, [("kept", false), ("inside", true)]);
}

#[test]
fn workspace_yaml_is_session_metadata() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("session-state").join("ee3a2643-f9cc");
    write(
        &dir.join("workspace.yaml"),
        "id: ee3a2643-f9cc\n\
         cwd: \"/Users/me/my project\"\n\
         git_root: /Users/me/my project\n\
         repository: 'acme/widgets'\n\
         host_type: github\n\
         branch: \"feature/x\"  \n\
         name: null\n\
         user_named: false\n\
         summary: \"Build the \\\"auth\\\" module\"\n\
         summary_count: 2\n\
         created_at: 2026-03-05T01:25:21.817Z\n\
         updated_at: '2026-03-05T01:28:18.455Z'\n",
    );
    let found = discover_all(tmp.path());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, SourceKind::Whole);
    assert_eq!(found[0].session, "ee3a2643-f9cc");
    let (sink, out) = read_all(&Copilot, &found[0], 0);
    assert!(sink.records.is_empty());
    assert_eq!(out.consumed, fs::metadata(&found[0].path).expect("stat").len());
    assert_eq!(sink.meta.cwd.as_deref(), Some("/Users/me/my project"));
    assert_eq!(sink.meta.repo.as_deref(), Some("acme/widgets"));
    assert_eq!(sink.meta.branch.as_deref(), Some("feature/x"));
    // `name: null` leaves the generated summary as the title.
    assert_eq!(sink.meta.title.as_deref(), Some("Build the \"auth\" module"));
    assert_eq!(sink.meta.started_at, parse_iso("2026-03-05T01:25:21.817Z"));
    assert_eq!(sink.meta.ended_at, parse_iso("2026-03-05T01:28:18.455Z"));

    // A user-given name wins; an all-null file yields nothing.
    write(
        &dir.join("workspace.yaml"),
        "name: My session\nsummary: generated\ncwd: null\n",
    );
    let (sink, _) = read_all(&Copilot, &found[0], 0);
    assert_eq!(sink.meta.title.as_deref(), Some("My session"));
    assert_eq!(sink.meta.cwd, None);
}

#[test]
fn checkpoint_sections_and_markdown_artifacts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let session = tmp.path().join("session-state").join("abc");
    write(&session.join("events.jsonl"), "");
    let checkpoint = "# Checkpoint 1\n\n<overview>\nBuilding auth.\n</overview>\n\n<history>\n1. Added JWT\n</history>\n\n<work_done>\n- src/jwt.ts\n</work_done>\n\n<technical_details>\nbcrypt\n</technical_details>\n\n<important_files>\n- src/jwt.ts\n</important_files>\n\n<next_steps>\n- logout\n</next_steps>\n";
    write(&session.join("checkpoints/001-auth-module.md"), checkpoint);
    write(
        &session.join("checkpoints/index.md"),
        "| # | Title | File |\n|---|---|---|\n| 1 | Auth | 001-auth-module.md |\n",
    );
    write(&session.join("plan.md"), "# Plan\n- [ ] logout\n");
    write(&session.join("files/notes.md"), "Decided on bcrypt.\n");
    write(&session.join("research/jwt.md"), "JWT libraries compared.\n");
    write(&session.join("files/empty.md"), "  \n");

    let found = discover_all(tmp.path());
    let names: Vec<String> = found
        .iter()
        .map(|s| {
            s.path
                .strip_prefix(&session)
                .expect("in session")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "checkpoints/001-auth-module.md",
            "events.jsonl",
            "files/empty.md",
            "files/notes.md",
            "plan.md",
            "research/jwt.md"
        ]
    );
    assert!(found.iter().all(|s| s.session == "abc"));

    let (sink, _) = read_all(&Copilot, &found[0], 0);
    let sections: Vec<(&str, &str)> = sink
        .records
        .iter()
        .map(|r| (r.section.as_deref().unwrap_or(""), r.text.as_str()))
        .collect();
    assert_eq!(
        sections,
        [
            ("overview", "Building auth."),
            ("history", "1. Added JWT"),
            ("work_done", "- src/jwt.ts"),
            ("technical_details", "bcrypt"),
            ("important_files", "- src/jwt.ts"),
            ("next_steps", "- logout"),
        ]
    );
    assert!(sink.records.iter().all(|r| r.kind() == RecordKind::Summary));
    for r in &sink.records {
        let tag = format!("<{}>", r.section.as_deref().unwrap_or(""));
        assert_eq!(
            &checkpoint[r.offset as usize..r.offset as usize + tag.len()],
            tag,
            "offset points at the tag"
        );
    }

    let notes: Vec<(String, String)> = found[2..]
        .iter()
        .flat_map(|s| read_all(&Copilot, s, 0).0.records)
        .map(|r| {
            assert_eq!(r.kind(), RecordKind::Note);
            (r.section.unwrap_or_default(), r.text)
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("files/notes.md".to_owned(), "Decided on bcrypt.".to_owned()),
            ("plan.md".to_owned(), "# Plan\n- [ ] logout".to_owned()),
            ("research/jwt.md".to_owned(), "JWT libraries compared.".to_owned()),
        ]
    );
}

#[test]
fn discovery_ignores_what_read_cannot_handle() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join(".copilot").join("session-state");
    let session = state.join("abc");
    write(&session.join("events.jsonl"), "");
    for ignored in [
        "knowledge.db",
        "knowledge.db-wal",
        "abc/session.db",
        "abc/inuse.4242.lock",
        "abc/rewind-snapshots/001/plan.md",
        "abc/rewind-snapshots/index.json",
        "abc/checkpoints/index.md",
        "abc/checkpoints/notes.txt",
        "abc/files/data.csv",
        "abc/files/deeper/nested.md",
        "abc/events.jsonl.bak",
        "abc/README.md",
    ] {
        write(&state.join(ignored), "x");
    }
    // Markdown outside any session folder is not an artifact.
    write(&tmp.path().join("elsewhere/files/notes.md"), "x");
    write(&tmp.path().join("elsewhere/plan.md"), "x");
    // An empty session folder left behind by a resume holds nothing to read.
    fs::create_dir_all(state.join("empty-session")).expect("mkdir");

    let found = discover_all(tmp.path());
    let paths: Vec<&Path> = found.iter().map(|s| s.path.as_path()).collect();
    assert_eq!(paths, [session.join("events.jsonl").as_path()]);
}

#[test]
fn legacy_flat_jsonl_reads_like_events() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("session-state").join("demo-flat.jsonl");
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::copy(corpus("copilot/convo.jsonl"), &path).expect("copy");
    // A stray .jsonl elsewhere is not a Copilot session.
    write(&tmp.path().join("other/demo.jsonl"), "{}\n");
    let found = discover_all(tmp.path());
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].kind, found[0].session.as_str()),
        (SourceKind::Jsonl, "demo-flat")
    );
    let (sink, _) = read_all(&Copilot, &found[0], 0);
    // Same counts as convo.jsonl in its own folder (synthetic_convo_golden).
    assert_eq!(
        (sink.count(RecordKind::Prompt), sink.count(RecordKind::ToolCall)),
        (1, 5)
    );
}

/// Found by the `copilot` fuzz target (fuzz/regressions/copilot/): a checkpoint whose
/// bytes are not all UTF-8 is read with the bad bytes replaced, and each replacement is
/// three bytes long whatever it stands for, so section offsets taken in the repaired text
/// ran past the end of the file. They must name the tag's place in the file itself.
#[test]
fn checkpoint_sections_with_invalid_utf8_keep_file_offsets() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let session = tmp.path().join("session-state").join("abc");
    write(&session.join("events.jsonl"), "");
    let mut checkpoint = b"# Checkpoint\n<overview>\nsrc/jwt.".to_vec();
    checkpoint.extend([0xff; 100]);
    checkpoint.extend(b"ts \xc0\x80 ok\n</overview>\n<next_steps>\n- logout \x80\n</next_steps>\n");
    let path = session.join("checkpoints/001-auth.md");
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, &checkpoint).expect("write");

    let found: Vec<SourceFile> = discover_all(tmp.path())
        .into_iter()
        .filter(|s| s.path == path)
        .collect();
    let (sink, _) = read_all(&Copilot, &found[0], 0);
    let sections: Vec<&str> = sink.records.iter().filter_map(|r| r.section.as_deref()).collect();
    assert_eq!(sections, ["overview", "next_steps"]);
    for r in &sink.records {
        let tag = format!("<{}>", r.section.as_deref().unwrap_or(""));
        let at = r.offset as usize;
        assert!(at + tag.len() <= checkpoint.len(), "offset {at} past the end");
        assert_eq!(
            &checkpoint[at..at + tag.len()],
            tag.as_bytes(),
            "offset points at the tag"
        );
    }
    assert!(sink.records[0].text.contains('\u{fffd}'));
}

#[test]
fn legacy_history_json_survives_odd_shapes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let history = tmp.path().join("history-session-state");
    let good = r#"{
  "sessionId": "s1",
  "startTime": "2025-10-08T21:10:16.398Z",
  "chatMessages": [
    {"role": "user", "content": "please add mcp servers"},
    {"role": "assistant", "content": "sure", "tool_calls": [
      {"id": "t1", "type": "function", "function": {"name": "bash", "arguments": "{\"command\":\"ls -la\"}"}}
    ]},
    {"role": "tool", "tool_call_id": "t1", "name": "bash", "content": "total 0"}
  ],
  "timeline": [{"type": "tool_call_completed", "toolTitle": "bash"}]
}"#;
    write(&history.join("s1.json"), good);
    write(&history.join("padded.json"), &format!("{good}\n\0\0\0"));
    write(&history.join("broken.json"), "{\"sessionId\": \"s3\", \"chatMess");
    write(&history.join("empty.json"), "");
    write(&history.join("array.json"), "[1, \"two\", null, {\"role\": 3}]");
    write(&history.join("scalar.json"), "42");
    write(
        &history.join("deep.json"),
        &format!("{}{}", "[".repeat(100), "]".repeat(100)),
    );
    write(
        &history.join("wrong-types.json"),
        r#"{"chatMessages": {"role": "user"}, "startTime": {}, "cwd": 5}"#,
    );

    let found = discover_all(tmp.path());
    assert_eq!(found.len(), 8);
    assert!(found.iter().all(|s| s.kind == SourceKind::Whole));
    for src in &found {
        let (sink, out) = read_all(&Copilot, src, 0);
        match src.session.as_str() {
            "s1" | "padded" => {
                let kinds: Vec<RecordKind> = sink.records.iter().map(Record::kind).collect();
                let expected = [
                    RecordKind::Prompt,
                    RecordKind::Answer,
                    RecordKind::ToolCall,
                    RecordKind::ToolResult,
                ];
                assert_eq!(kinds, expected, "{}", src.session);
                assert_eq!(sink.records[2].text, "ls -la");
                assert_eq!(sink.records[3].call_id.as_deref(), Some("t1"));
                assert_eq!(sink.meta.started_at, parse_iso("2025-10-08T21:10:16.398Z"));
            }
            "broken" => {
                assert_eq!(out.damaged_spans, 1);
                assert_eq!(sink.damage.len(), 1);
                assert!(sink.records.is_empty());
            }
            other => {
                assert!(sink.records.is_empty(), "{other}");
                assert!(sink.damage.is_empty(), "{other}");
            }
        }
    }
}

#[test]
fn default_roots_are_the_two_state_folders() {
    let home = PathBuf::from("/h");
    let paths = Paths {
        copilot_home: home.join(".copilot"),
        claude_home: home.join(".claude"),
        codex_home: home.join(".codex"),
        claude_config_file: home.join(".claude.json"),
        db: home.join("db"),
        home,
    };
    assert_eq!(
        Copilot.default_roots(&paths),
        [
            PathBuf::from("/h/.copilot/session-state"),
            PathBuf::from("/h/.copilot/history-session-state")
        ]
    );
}
