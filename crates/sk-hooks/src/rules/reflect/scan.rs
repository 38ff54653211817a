//! What `reflect` reads at a stop: the end of the session's transcript, through the agent's
//! own connector, and the lessons the pure extractor finds there — the same code `sk index`
//! runs, so "a failure → fix" means the same thing in both places. Only the last
//! [`TAIL_BYTES`] are read: the cost stays bounded however long the session grew, and the
//! lesson worth asking about is the recent one.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use sk_core::{Agent, Record, RecordKind, SessionMeta, Sink, SinkError, SourceFile, SourceKind};
use sk_extract::{Candidate, SessionContext};

use crate::HookError;
use crate::rules::shell;

/// How much of the transcript's end is read.
pub const TAIL_BYTES: u64 = 8 << 20;
/// Longest first partial line skipped to reach a line start in the tail.
const MAX_SKIP: u64 = 4 << 20;
/// Lessons weaker than this are not worth interrupting the agent for. Lower than the
/// floor for showing entries on purpose: a fix after a vague error ("exit code 1", then an
/// edit, then a pass: 0.40) is where the extractor cannot say why and the agent can. A
/// long, rambling correction (0.35) falls below.
pub const MIN_CONFIDENCE: f32 = 0.40;
/// The extractor rules whose lessons `reflect` asks about.
const RULES: &[&str] = &["rule:failure-fix", "rule:user-correction"];
/// Lessons the extractor states whole — a tool's rule with its fix (read before editing,
/// re-read before patching, the patch format, hidden folders in searches): `sk index`
/// records them as they are and the agent has nothing to add, so they are not worth
/// keeping it from stopping.
const STATED_WHOLE: &[&str] = &[
    "match:read-before-edit",
    "match:stale-context",
    "match:patch-format",
    "match:hidden-search",
];

/// Whether a lesson is one to ask the agent about.
fn worth_asking(c: &Candidate) -> bool {
    c.confidence >= MIN_CONFIDENCE
        && c.cues.iter().any(|q| RULES.contains(&q.as_str()))
        && !c.cues.iter().any(|q| STATED_WHOLE.contains(&q.as_str()))
}

/// What the tail of a transcript holds.
#[derive(Debug, Default)]
pub struct Scan {
    /// Failure → fix and correction lessons, in file order.
    pub lessons: Vec<Candidate>,
    /// Offsets of the `sk learn` calls the agent ran that did not fail.
    pub learned_at: Vec<u64>,
    /// Bytes of transcript read.
    pub bytes: u64,
}

/// Reads the end of `transcript` as `agent`'s log of `session` and extracts from it.
/// `cwd` (the payload's) keeps paths in the lessons relative, as `sk index` stores them.
pub fn scan(agent: Agent, session: &str, transcript: &Path, cwd: Option<&str>) -> Result<Scan, HookError> {
    let io = HookError::io(transcript);
    let len = std::fs::metadata(transcript).map_err(io)?.len();
    let from = line_start(transcript, len.saturating_sub(TAIL_BYTES))?;
    let src = SourceFile {
        agent,
        path: transcript.to_path_buf(),
        kind: SourceKind::Jsonl,
        session: session.to_string(),
        parent_session: None,
    };
    let mut sink = Tail::default();
    sk_ingest::connector(agent)
        .read(&src, from, &mut sink)
        .map_err(|e| HookError::BadFile {
            path: transcript.to_path_buf(),
            detail: e.to_string(),
        })?;
    let ctx = SessionContext {
        agent,
        session,
        repo: None,
        cwd: cwd.or(sink.cwd.as_deref()),
    };
    let lessons = sk_extract::extract(&ctx, &sink.records)
        .into_iter()
        .filter(worth_asking)
        .collect();
    Ok(Scan {
        lessons,
        learned_at: learn_calls(&sink.records),
        bytes: len - from,
    })
}

/// The first line start at or after `at`: a tail that begins inside a line skips that line.
fn line_start(path: &Path, at: u64) -> Result<u64, HookError> {
    if at == 0 {
        return Ok(0);
    }
    let mut file = File::open(path).map_err(HookError::io(path))?;
    // The byte before `at` tells whether `at` already starts a line.
    file.seek(SeekFrom::Start(at - 1)).map_err(HookError::io(path))?;
    let mut skipped = Vec::new();
    BufReader::new(file.take(MAX_SKIP))
        .read_until(b'\n', &mut skipped)
        .map_err(HookError::io(path))?;
    Ok(at - 1 + skipped.len() as u64)
}

/// `sk learn …` calls whose result did not report a failure (a refused lesson is not one
/// recorded). `sk learn --flush-inbox` records nothing new and does not count.
fn learn_calls(records: &[Record]) -> Vec<u64> {
    let failed: Vec<&str> = records
        .iter()
        .filter(|r| r.kind() == RecordKind::ToolResult && r.success == Some(false))
        .filter_map(|r| r.call_id.as_deref())
        .collect();
    records
        .iter()
        .filter(|r| r.kind() == RecordKind::ToolCall && runs_sk_learn(&r.text))
        .filter(|r| r.call_id.as_deref().is_none_or(|id| !failed.contains(&id)))
        .map(|r| r.offset)
        .collect()
}

fn runs_sk_learn(command: &str) -> bool {
    shell::parse(command).iter().any(|s| {
        s.program() == "sk"
            && s.args().first().is_some_and(|a| a == "learn")
            && !s.args().iter().any(|a| a == "--flush-inbox")
    })
}

/// Keeps what the extractor reads: records (without the text it never looks at) and the
/// session's working directory.
#[derive(Debug, Default)]
struct Tail {
    records: Vec<Record>,
    cwd: Option<String>,
    needs: sk_extract::TextNeeds,
}

impl Sink for Tail {
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        if self.cwd.is_none() {
            self.cwd.clone_from(&meta.cwd);
        }
        Ok(())
    }
    fn record(&mut self, record: &Record) -> Result<(), SinkError> {
        let mut r = record.clone();
        self.needs.note(&mut r);
        self.records.push(r);
        Ok(())
    }
    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError> {
        let cut = self
            .records
            .iter()
            .find(|r| r.event_id.as_deref() == Some(up_to_event_id))
            .map(|r| r.offset);
        if let Some(cut) = cut {
            self.records.retain(|r| r.offset <= cut);
        }
        Ok(())
    }
    fn system_prompt(&mut self, _hash: &str, _text: &str) -> Result<(), SinkError> {
        Ok(())
    }
    fn damage(&mut self, _offset: u64, _len: u64, _reason: &str) -> Result<(), SinkError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sk_learn_is_recognised_in_a_command_line() {
        assert!(runs_sk_learn(r#"sk learn --mistake "t" "b""#));
        assert!(runs_sk_learn(
            r#"cd /r && ~/.local/bin/sk learn --pattern "t" "b""#
        ));
        assert!(!runs_sk_learn("sk learn --flush-inbox"));
        assert!(!runs_sk_learn("echo sk learn"));
        assert!(!runs_sk_learn("sk query learn"));
    }

    #[test]
    fn lessons_the_extractor_states_whole_are_not_asked_about() {
        let lesson = |confidence: f32, cues: &[&str]| Candidate {
            category: sk_core::Category::Mistake,
            title: "t".into(),
            body: "b".into(),
            tags: Vec::new(),
            files: Vec::new(),
            confidence,
            evidence: Vec::new(),
            cues: cues.iter().map(|c| c.to_string()).collect(),
        };
        assert!(worth_asking(&lesson(
            0.45,
            &["rule:failure-fix", "match:same-file"]
        )));
        assert!(worth_asking(&lesson(0.50, &["rule:user-correction"])));
        assert!(!worth_asking(&lesson(
            0.65,
            &["rule:failure-fix", "match:stale-context"]
        )));
        assert!(!worth_asking(&lesson(
            0.75,
            &["rule:failure-fix", "match:read-before-edit"]
        )));
        assert!(!worth_asking(&lesson(
            0.30,
            &["rule:failure-fix", "match:same-file"]
        )));
        assert!(!worth_asking(&lesson(0.60, &["rule:statement"])));
    }

    #[test]
    fn a_tail_starts_at_a_line() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, "aaaa\nbbbb\ncccc\n").expect("write");
        assert_eq!(line_start(&path, 0).expect("start"), 0);
        assert_eq!(line_start(&path, 5).expect("at a line start"), 5);
        assert_eq!(line_start(&path, 6).expect("inside a line"), 10);
        assert_eq!(line_start(&path, 14).expect("last newline"), 15);
    }
}
