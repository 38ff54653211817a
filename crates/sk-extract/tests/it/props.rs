//! Properties over arbitrary sessions: extraction never panics, keeps its limits, only
//! cites records it was given, and is deterministic. Plus a scale check that it stays
//! linear and cheap next to ingest.

use std::time::Instant;

use proptest::prelude::*;
use sk_core::{Agent, Record, RecordKind};
use sk_extract::{MAX_BODY_CHARS, MAX_TITLE_CHARS, SessionContext, extract};

/// Pieces that steer the rules: cue words in several languages, error shapes, markup.
const FRAGMENTS: [&str; 32] = [
    "No, ",
    "don't ",
    "always run `cargo fmt` before committing",
    "we decided to ",
    "because ",
    "instead of ",
    "error[E0308]: mismatched types\n --> src/a.rs:1:1\n",
    "bash: rg: command not found\n",
    "Traceback (most recent call last)\nValueError: x\n",
    "- Fixed the bug in src/x.rs\n",
    "```\ncode\n```\n",
    "Nein, stattdessen ",
    "toujours ",
    "é",
    "`",
    "\n",
    ". ",
    "thread 'main' panicked at src/a.rs:1:1:\nboom\n",
    "test result: FAILED",
    "Found that ",
    "Refactored ",
    "Added a new command ",
    "1. Errors and fixes:\n",
    "   - ",
    "Summary:\n",
    "/private/var/folders/x/T/a/notes.md ",
    "<analysis>",
    "exit code 1\n",
    "haven't granted it yet",
    "🦀",
    "cd /x && cargo test -p a 2>&1 | tail",
    "Let me ",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 0..24).prop_map(|v| v.concat()),
        any::<String>(),
        "[a-zA-Zé `.,;:!?\n-]{0,300}",
    ]
}

fn record() -> impl Strategy<Value = Record> {
    (
        0..RecordKind::ALL.len(),
        text(),
        prop::option::of(any::<bool>()),
        prop::option::of(0..4u8),
        prop::sample::select(vec![
            "Bash",
            "Edit",
            "Write",
            "Read",
            "view",
            "exec_command",
            "apply_patch",
            "AskUserQuestion",
            "task",
            "",
        ]),
        any::<bool>(),
        prop::sample::select(vec![
            "work_done",
            "next_steps",
            "compact",
            "technical_details",
            "other",
        ]),
        prop::collection::vec(
            prop::sample::select(vec![
                "src/a.rs",
                "/x/notes.md",
                "",
                "/private/var/folders/x/T/a/b.md",
            ]),
            0..3,
        ),
    )
        .prop_map(
            |(kind, text, success, call, tool, subagent, section, files)| Record {
                kind: Some(RecordKind::ALL[kind]),
                text,
                success,
                call_id: call.map(|c| format!("c{c}")),
                tool: Some(tool.to_string()).filter(|t| !t.is_empty()),
                subagent,
                section: Some(section.to_string()),
                files: files.into_iter().map(str::to_string).collect(),
                ..Record::default()
            },
        )
}

fn ctx() -> SessionContext<'static> {
    SessionContext {
        agent: Agent::Copilot,
        session: "p",
        repo: None,
        cwd: Some("/x"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn extract_never_panics_and_keeps_its_limits(records in prop::collection::vec(record(), 0..40)) {
        let mut records = records;
        for (i, r) in records.iter_mut().enumerate() {
            r.offset = i as u64 * 10;
            r.event_id = Some(format!("e{i}"));
        }
        let out = extract(&ctx(), &records);
        for c in &out {
            prop_assert!(!c.title.is_empty());
            prop_assert!(c.title.chars().count() <= MAX_TITLE_CHARS, "{}", c.title);
            prop_assert!(!c.title.ends_with(['.', ',', ';', ':', ' ']), "{}", c.title);
            prop_assert!(c.body.chars().count() <= MAX_BODY_CHARS + 1);
            prop_assert!((0.0..=1.0).contains(&c.confidence));
            prop_assert!(!c.evidence.is_empty());
            prop_assert!(c.evidence.iter().all(|e| records.iter().any(|r| r.offset == e.offset)));
            prop_assert!(c.evidence.windows(2).all(|w| w[0] < w[1]), "evidence sorted and unique");
        }
        prop_assert_eq!(&out, &extract(&ctx(), &records));
        // The texts `TextNeeds` says are never read can be left out without changing
        // anything: extraction loads records that way.
        let blanked = crate::support::as_loaded(&records);
        prop_assert_eq!(&out, &extract(&ctx(), &blanked));
    }
}

#[test]
fn huge_texts_are_capped() {
    let sentence = format!("We decided to use {} because it is fast.", "x".repeat(200_000));
    let mut prompt = Record::new(RecordKind::Answer, 0, sentence);
    prompt.event_id = Some("e".into());
    let summary = Record::new(
        RecordKind::TaskSummary,
        10,
        format!("- Fixed the {} bug in the login flow", "ö".repeat(50_000)),
    );
    let out = extract(&ctx(), &[prompt, summary]);
    assert!(!out.is_empty());
    for c in &out {
        assert!(c.title.chars().count() <= MAX_TITLE_CHARS);
        assert!(c.body.chars().count() <= MAX_BODY_CHARS + 1);
    }
}

/// A long session of realistic records: extraction must stay linear. Prints throughput;
/// timing targets belong to the benchmarks, so only a very loose bound is asserted.
#[test]
fn extraction_scales_linearly() {
    let block = crate::synthetic::compile_error_session().records;
    let chat = [
        Record::new(
            RecordKind::Answer,
            0,
            "Let me look at the file. I'll now read notes.md and then run the tests. ".repeat(20),
        ),
        Record::new(RecordKind::Reasoning, 0, "thinking ".repeat(300)),
        Record::new(
            RecordKind::Prompt,
            0,
            "please continue with the next step of the plan",
        ),
    ];
    let build = |n: usize| -> Vec<Record> {
        let mut out = Vec::new();
        for k in 0..n {
            for r in block.iter().chain(chat.iter()) {
                let mut r = r.clone();
                r.call_id = r.call_id.map(|c| format!("{c}-{k}"));
                r.offset = out.len() as u64 * 100;
                out.push(r);
            }
        }
        out
    };
    // The faster of two runs, so a busy machine does not decide the test.
    let measure = |records: &[Record]| {
        let bytes: usize = records.iter().map(|r| r.text.len()).sum();
        let mut best = f64::MAX;
        let mut found = 0;
        for _ in 0..2 {
            let start = Instant::now();
            found = extract(&ctx(), records).len();
            best = best.min(start.elapsed().as_secs_f64());
        }
        (best, bytes, found)
    };
    let (t1, b1, n1) = measure(&build(100));
    let (t4, b4, n4) = measure(&build(400));
    println!(
        "extract: {:.1} MB in {t1:.3}s ({:.1} MB/s), {:.1} MB in {t4:.3}s ({:.1} MB/s); {n1} candidate(s) each (repeats merge)",
        b1 as f64 / 1e6,
        b1 as f64 / 1e6 / t1,
        b4 as f64 / 1e6,
        b4 as f64 / 1e6 / t4,
    );
    assert_eq!(n1, n4);
    // Quadratic work would take 16 times as long for 4 times the records.
    assert!(t4 < t1 * 8.0 + 0.2, "4x the records took {t4:.3}s vs {t1:.3}s");
}
