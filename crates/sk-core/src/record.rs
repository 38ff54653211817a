//! The normalized shape every connector produces and every writer consumes. Connectors
//! push into a [`Sink`] one record at a time (ripgrep's Sink idea), so nobody ever holds a
//! whole session in memory and the store never sees an agent's wire format.

use std::borrow::Cow;
use std::path::PathBuf;

use crate::Agent;

/// Most text kept (and indexed) for one record. Larger texts are cut at a char boundary;
/// the record itself is kept, so provenance survives a 2 MB event.
pub const MAX_TEXT_BYTES: usize = 32 * 1024;
/// Most tool output kept per tool result: enough to recognise an error, not a whole build log.
pub const MAX_TOOL_OUTPUT_BYTES: usize = 2 * 1024;

/// What a record is. Stored as [`RecordKind::as_str`]; the ranking and the extractors key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Text a human typed.
    Prompt,
    /// Text the agent said to the human.
    Answer,
    /// The agent's visible reasoning (when the log keeps it in clear text).
    Reasoning,
    /// A tool invocation: `tool` is the tool's name, `text` summarises the arguments.
    ToolCall,
    /// The outcome of a tool invocation, paired with its call by `call_id`.
    ToolResult,
    /// A compaction or checkpoint summary section (`section` names it).
    Summary,
    /// The agent's own recap when a task completes.
    TaskSummary,
    /// An error the agent or its runtime reported.
    Error,
    /// A session artifact such as a plan or research note.
    Note,
}

impl RecordKind {
    pub const ALL: [RecordKind; 9] = [
        RecordKind::Prompt,
        RecordKind::Answer,
        RecordKind::Reasoning,
        RecordKind::ToolCall,
        RecordKind::ToolResult,
        RecordKind::Summary,
        RecordKind::TaskSummary,
        RecordKind::Error,
        RecordKind::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Prompt => "prompt",
            RecordKind::Answer => "answer",
            RecordKind::Reasoning => "reasoning",
            RecordKind::ToolCall => "tool_call",
            RecordKind::ToolResult => "tool_result",
            RecordKind::Summary => "summary",
            RecordKind::TaskSummary => "task_summary",
            RecordKind::Error => "error",
            RecordKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One normalized piece of a session. `offset` + `part` identify it inside its source file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub kind: Option<RecordKind>,
    /// Byte offset of the line (or file section) this record came from.
    pub offset: u64,
    /// Index of this record among those produced by the same line (a Claude line can hold
    /// a text block and a tool call).
    pub part: u32,
    /// The agent's own id of the event (Copilot `id`, Claude `uuid`, …), for provenance.
    pub event_id: Option<String>,
    /// Groups the pieces of one assistant message (Claude `message.id`, Copilot `messageId`).
    pub message_id: Option<String>,
    /// Milliseconds since the Unix epoch, UTC.
    pub ts: Option<i64>,
    /// Pairs a tool call with its result.
    pub call_id: Option<String>,
    /// Tool name for tool calls and results.
    pub tool: Option<String>,
    /// For tool results: did the call succeed.
    pub success: Option<bool>,
    /// Emitted inside a sub-agent (Copilot `agentId`/`parentToolCallId`, Claude sidechain).
    pub subagent: bool,
    /// For summaries: the section name (`work_done`, `next_steps`, …) or artifact name.
    pub section: Option<String>,
    /// An event id this record refers to: a Claude `summary`'s `leafUuid`.
    pub refers_to: Option<String>,
    /// The text to store and index, already redacted and capped.
    pub text: String,
    /// Files this record touched or names (tool arguments, attachments).
    pub files: Vec<String>,
}

impl Record {
    pub fn new(kind: RecordKind, offset: u64, text: impl Into<String>) -> Record {
        Record {
            kind: Some(kind),
            offset,
            text: text.into(),
            ..Record::default()
        }
    }

    /// The record's kind; connectors always set it, `Default` exists only for struct update syntax.
    pub fn kind(&self) -> RecordKind {
        self.kind.unwrap_or(RecordKind::Note)
    }
}

/// Session-level facts. Every field is optional because they arrive piecemeal (start,
/// title change, context change, shutdown); the writer merges each patch into what it has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionMeta {
    pub cwd: Option<String>,
    /// `owner/name` or a remote URL, as the agent reports it.
    pub repo: Option<String>,
    pub branch: Option<String>,
    pub head_commit: Option<String>,
    pub title: Option<String>,
    pub model: Option<String>,
    pub agent_version: Option<String>,
    /// The parent session of a sub-agent thread, when the log names it.
    pub parent_session: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
}

impl SessionMeta {
    /// Merges a later patch: non-empty values win, except that the start time keeps the
    /// earliest and the end time the latest. Every writer merges the same way, so reading
    /// a file in pieces yields the same session as reading it once.
    pub fn merge(&mut self, patch: &SessionMeta) {
        fn set(dst: &mut Option<String>, src: &Option<String>) {
            if let Some(v) = src.as_ref().filter(|v| !v.is_empty()) {
                *dst = Some(v.clone());
            }
        }
        set(&mut self.cwd, &patch.cwd);
        set(&mut self.repo, &patch.repo);
        set(&mut self.branch, &patch.branch);
        set(&mut self.head_commit, &patch.head_commit);
        set(&mut self.title, &patch.title);
        set(&mut self.model, &patch.model);
        set(&mut self.agent_version, &patch.agent_version);
        set(&mut self.parent_session, &patch.parent_session);
        self.started_at = match (self.started_at, patch.started_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.ended_at = match (self.ended_at, patch.ended_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// What ingest knows about one source file: its size and mtime when last read, how far it
/// was consumed, and a hash of its head to detect a rewrite. The store keeps it, the
/// planner compares it with the file on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceState {
    pub size: u64,
    pub mtime_ns: i64,
    /// Offset just past the last complete line read.
    pub consumed: u64,
    /// How many leading bytes `head_hash` covers.
    pub head_len: u64,
    pub head_hash: Option<String>,
}

/// How a source file grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Append-only JSON lines: read from the last consumed byte offset.
    Jsonl,
    /// A small file rewritten in place (workspace.yaml, checkpoints, plans, legacy JSON):
    /// re-read whole whenever it changes.
    Whole,
}

/// One file that belongs to one session, as found by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub agent: Agent,
    pub path: PathBuf,
    pub kind: SourceKind,
    /// The session this file belongs to, known from its path alone so that an incremental
    /// read starting mid-file still knows where its records go.
    pub session: String,
    /// The parent session when the path says this is a sub-agent transcript.
    pub parent_session: Option<String>,
}

/// A writer refused a record (database error, full disk). Connectors stop and propagate it:
/// unlike malformed input, this is not the file's fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// Where connectors push what they read. Implemented by the store's writer, by counting
/// sinks in tests and benchmarks, and by the redaction wrapper.
pub trait Sink {
    /// Merge session facts into the current file's session.
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError>;
    /// Add one record to the current file's session.
    fn record(&mut self, record: &Record) -> Result<(), SinkError>;
    /// Withdraw every record of the current file that came after the event `up_to_event_id`
    /// (Copilot `session.snapshot_rewind`).
    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError>;
    /// A large text repeated across sessions (a system prompt): stored once by hash, never
    /// indexed per event.
    fn system_prompt(&mut self, hash: &str, text: &str) -> Result<(), SinkError>;
    /// A span of the file that could not be parsed and was skipped.
    fn damage(&mut self, offset: u64, len: u64, reason: &str) -> Result<(), SinkError>;
}

/// What [`cap_text`] and [`capped`] append where they cut a text.
pub const TRUNCATED_MARK: &str = " …[truncated]";

/// How far a cut moves back (or forward, for a tail) to fall between words. Redaction runs
/// on the kept text, and a secret cut in half no longer looks like one: its kept part would
/// be stored. Cutting where whitespace is drops a token that straddles the cut instead
/// (tokens, keys and JWTs are runs without whitespace, rarely longer than 1 KiB; a longer
/// run is cut where the cap falls rather than lost whole).
const CUT_AT_WORD_WITHIN: usize = 1024;

/// The end of the longest prefix of `s` of at most `max` bytes that does not end inside a
/// word: moved back to the last whitespace within [`CUT_AT_WORD_WITHIN`] bytes, else the
/// plain char-boundary cut.
fn head_cut(s: &str, max: usize) -> usize {
    let end = crate::text::prefix(s, max).len();
    if crate::text::from(s, end)
        .chars()
        .next()
        .is_none_or(char::is_whitespace)
    {
        return end;
    }
    let reach = CUT_AT_WORD_WITHIN.min(end);
    let from = s.floor_char_boundary(end - reach);
    match crate::text::window(s, from, end).rfind(char::is_whitespace) {
        Some(i) => from + i,
        None => end,
    }
}

/// The start of the longest suffix of `s` of at most `max` bytes that does not start
/// inside a word (the mirror of [`head_cut`]).
fn tail_cut(s: &str, max: usize) -> usize {
    let start = s.len() - crate::text::suffix(s, max).len();
    if crate::text::until(s, start)
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace)
    {
        return start;
    }
    let reach = CUT_AT_WORD_WITHIN.min(s.len() - start);
    let to = s.ceil_char_boundary(start + reach);
    match crate::text::window(s, start, to).find(char::is_whitespace) {
        Some(i) => start + i,
        None => start,
    }
}

/// Cuts `text` to at most `max` bytes, between words when one ends near the limit (see
/// [`CUT_AT_WORD_WITHIN`]), marking the cut.
pub fn cap_text(text: &mut String, max: usize) {
    if text.len() > max {
        let end = head_cut(text, max);
        text.truncate(end);
        text.push_str(TRUNCATED_MARK);
    }
}

/// Owned text of at most `max` bytes, cut and marked like [`cap_text`]. A borrowed text is
/// copied no further than the kept part: a 1 MB tool output should not be copied whole to
/// keep 16 KB of it. An owned text is cut in place.
pub fn capped<'a>(text: impl Into<Cow<'a, str>>, max: usize) -> String {
    match text.into() {
        Cow::Owned(mut s) => {
            cap_text(&mut s, max);
            s
        }
        Cow::Borrowed(s) if s.len() <= max => s.to_owned(),
        Cow::Borrowed(s) => {
            let kept = crate::text::until(s, head_cut(s, max));
            let mut out = String::with_capacity(kept.len() + TRUNCATED_MARK.len());
            out.push_str(kept);
            out.push_str(TRUNCATED_MARK);
            out
        }
    }
}

/// The last `max` bytes of `text` (starting on a char boundary, between words when one
/// starts near the limit), marked at the front when cut: for failed outputs, whose end
/// says what went wrong.
pub fn tail_capped(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    format!("[truncated]… {}", crate::text::from(text, tail_cut(text, max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_across_the_cut_is_dropped_not_halved() {
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
        let text = format!("{} {token} tail", "word ".repeat(20));
        let at = text.find(token).expect("token") + 10;
        let head = capped(text.as_str(), at);
        assert!(!head.contains("ghp_"), "{head}");
        assert!(
            head.starts_with(&"word ".repeat(20)) && head.ends_with(TRUNCATED_MARK),
            "{head}"
        );
        let mut owned = text.clone();
        cap_text(&mut owned, at);
        assert_eq!(owned, head);
        let tail = tail_capped(&text, text.len() - at);
        assert!(!tail.contains("ABCDEF"), "{tail}");
        assert!(tail.ends_with(" tail"), "{tail}");
        // A cut that already falls between words keeps every word.
        let at_space = text.find(token).expect("token") - 1;
        assert_eq!(
            capped(text.as_str(), at_space),
            format!("{}{TRUNCATED_MARK}", crate::text::until(&text, at_space))
        );
    }

    #[test]
    fn a_text_without_whitespace_is_still_cut_at_the_limit() {
        let text = "é".repeat(100);
        let head = capped(text.as_str(), 51);
        assert_eq!(head, format!("{}{TRUNCATED_MARK}", "é".repeat(25)));
        let tail = tail_capped(&text, 51);
        assert_eq!(tail, format!("[truncated]… {}", "é".repeat(25)));
        // A run longer than the reach is cut where the cap falls, not dropped whole.
        let text = format!("exit 1\n{}", "x".repeat(3000));
        assert_eq!(capped(text.as_str(), 2000).len(), 2000 + TRUNCATED_MARK.len());
        // Multibyte whitespace near the cut is a boundary too.
        let text = format!("{}\u{3000}{}", "a".repeat(40), "b".repeat(40));
        assert_eq!(
            capped(text.as_str(), 60),
            format!("{}{TRUNCATED_MARK}", "a".repeat(40))
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RecordKind::parse("nope"), None);
    }

    #[test]
    fn meta_merge_keeps_earliest_start_and_latest_end() {
        let mut m = SessionMeta {
            title: Some("a".into()),
            started_at: Some(5),
            ended_at: Some(5),
            ..SessionMeta::default()
        };
        m.merge(&SessionMeta {
            title: Some("b".into()),
            cwd: Some(String::new()),
            started_at: Some(3),
            ended_at: Some(4),
            ..SessionMeta::default()
        });
        assert_eq!(m.title.as_deref(), Some("b"));
        assert_eq!(m.cwd, None, "empty values never overwrite");
        assert_eq!((m.started_at, m.ended_at), (Some(3), Some(5)));
    }

    #[test]
    fn cap_text_respects_char_boundaries() {
        let mut s = "é".repeat(10); // 20 bytes
        cap_text(&mut s, 5);
        assert!(s.starts_with("éé"));
        assert!(s.ends_with("[truncated]"));
        let mut short = String::from("abc");
        cap_text(&mut short, 5);
        assert_eq!(short, "abc");
    }

    #[test]
    fn capped_and_cap_text_agree_at_every_cut() {
        let s = "ab—é😀cd".repeat(3);
        for max in 0..=s.len() + 1 {
            let mut owned = s.clone();
            cap_text(&mut owned, max);
            assert_eq!(capped(s.as_str(), max), owned, "max {max}");
            assert_eq!(capped(s.clone(), max), owned, "max {max}");
            let kept = owned.strip_suffix(TRUNCATED_MARK).unwrap_or(&owned);
            assert!(kept.len() <= max && s.starts_with(kept));
            assert_eq!(owned.len() > max, max < s.len());
        }
    }

    #[test]
    fn tail_capped_keeps_whole_chars_of_the_end() {
        let s = "x—y—z"; // '—' is 3 bytes
        assert_eq!(tail_capped(s, 99), s);
        assert_eq!(tail_capped(s, 2), "[truncated]… z");
        assert_eq!(tail_capped(s, 3), "[truncated]… z");
        assert_eq!(tail_capped(s, 4), "[truncated]… —z");
        assert_eq!(tail_capped(s, 0), "[truncated]… ");
    }
}
