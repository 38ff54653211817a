//! The Claude Code connector: finds transcripts under `~/.claude/projects` and streams each
//! line into normalized records (formats.md §2).
//!
//! Decisions worth knowing:
//! - Session identity comes from the path. `projects/<p>/<sessionId>.jsonl` is session
//!   `<sessionId>`; a sub-agent transcript `<sessionId>/subagents/[…/]agent-<id>.jsonl` is
//!   session `<sessionId>/agent-<id>` with parent `<sessionId>`. Old-layout `agent-*.jsonl`
//!   files beside the sessions name their parent only inside, through `sessionId`.
//! - Prompts are what a human typed. Tool results, `isMeta` lines, command output and
//!   caveats, hook text and interruption markers are not prompts. A slash command is kept as
//!   a short prompt `/name args` and a `!` shell command as `! command`, because they are
//!   typed intent; their wrappers and output are dropped. The first user line of a
//!   sub-agent transcript is the task its parent wrote; it stays a prompt, flagged `subagent`.
//! - Compaction summaries (`isCompactSummary`) become a Summary record, section `compact`;
//!   `summary` entries become a Summary with `refers_to = leafUuid`, section `summary`.
//! - Messages Claude Code makes up itself (model `<synthetic>`, e.g. "No response
//!   requested.") are not answers; when flagged `isApiErrorMessage` they are errors.
//! - Every line is handled alone (`emit.rs`); only metadata patches are de-duplicated
//!   within one read, which leaves the merged result unchanged (`MetaTracker`).

mod emit;
mod tools;
mod user_text;
mod wire;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use sk_core::{Agent, Paths, SessionMeta, Sink, SinkError, SourceFile, SourceKind};
use walkdir::WalkDir;

use crate::reader::{Verdict, read_jsonl};
use crate::{Connector, IngestError, ReadOutcome};

pub use emit::{SECTION_COMPACT, SECTION_SUMMARY};
use emit::{SYNTHETIC_MODEL, emit};
use wire::Entry;

/// The Claude connector.
#[derive(Debug, Clone, Copy)]
pub struct Claude;

impl Connector for Claude {
    fn agent(&self) -> Agent {
        Agent::Claude
    }

    fn default_roots(&self, paths: &Paths) -> Vec<PathBuf> {
        vec![paths.claude_projects()]
    }

    fn discover(&self, root: &Path, out: &mut dyn FnMut(SourceFile)) {
        let files = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        // Unreadable folders are skipped: discovery reports what it can see.
        for file in files.filter_map(Result::ok).filter(|f| f.file_type().is_file()) {
            if let Some((session, parent_session)) = identity(file.path()) {
                out(SourceFile {
                    agent: Agent::Claude,
                    path: file.path().to_path_buf(),
                    kind: SourceKind::Jsonl,
                    session,
                    parent_session,
                });
            }
        }
    }

    fn read(&self, src: &SourceFile, from: u64, sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
        let sink_error = |source| IngestError::Sink {
            path: src.path.clone(),
            source,
        };
        // The reader calls its decode and damage callbacks one at a time; both need the sink.
        let sink = RefCell::new(sink);
        let mut meta = MetaTracker::new(src);
        meta.start(src, &mut **sink.borrow_mut()).map_err(sink_error)?;
        let mut records = 0u64;
        let stats = read_jsonl(
            &src.path,
            from,
            &mut |offset, bytes| {
                let mut sink = sink.borrow_mut();
                let (verdict, pushed) = decode_line(offset, bytes, &mut meta, &mut **sink)?;
                records += pushed;
                Ok(verdict)
            },
            &mut |offset, len, reason| sink.borrow_mut().damage(offset, len, reason),
        )?;
        meta.finish(&mut **sink.borrow_mut()).map_err(sink_error)?;
        Ok(ReadOutcome {
            consumed: stats.consumed,
            lines: stats.lines,
            records,
            damaged_spans: stats.damaged_spans,
            skipped_bytes: stats.skipped_bytes,
        })
    }
}

/// Decodes one candidate document and pushes what it holds.
fn decode_line(
    offset: u64,
    bytes: &[u8],
    meta: &mut MetaTracker,
    sink: &mut dyn Sink,
) -> Result<(Verdict, u64), SinkError> {
    if let Ok(entry) = serde_json::from_slice::<Entry>(bytes) {
        meta.observe(&entry, sink)?;
        return Ok((Verdict::Parsed, emit(&entry, offset, sink)?));
    }
    // Valid JSON of a shape this connector does not know (not an object, an unknown type
    // with a field clash) is ignored like any unknown entry type; only non-JSON is damage.
    if serde_json::from_slice::<IgnoredAny>(bytes).is_ok() {
        return Ok((Verdict::Parsed, 0));
    }
    Ok((Verdict::Malformed, 0))
}

/// Claude Code's other JSONL files, which are not transcripts, and other agents' logs that
/// a `--path` discovery over a mixed folder would otherwise pick up.
fn is_foreign(file_name: &str) -> bool {
    file_name == "history.jsonl" || file_name == "events.jsonl" || file_name.starts_with("rollout-")
}

/// Session id and parent session of a transcript, from its path alone.
fn identity(path: &Path) -> Option<(String, Option<String>)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".jsonl")?;
    if stem.is_empty() || is_foreign(name) {
        return None;
    }
    match parent_session_dir(path) {
        Some(parent) => Some((format!("{parent}/{stem}"), Some(parent))),
        None => Some((stem.to_owned(), None)),
    }
}

/// The `<sessionId>` folder a sub-agent transcript sits under: the nearest UUID-named
/// folder above a `subagents`/`workflows` folder, else the folder holding the nearest
/// `subagents`. The search stops at `projects`, so a UUID-named folder higher up (a
/// temporary `CLAUDE_CONFIG_DIR`) never turns a top-level transcript into a sub-agent.
fn parent_session_dir(path: &Path) -> Option<String> {
    let mut past_marker = false;
    let mut previous_was_subagents = false;
    let mut subagents_holder: Option<&str> = None;
    for name in path.ancestors().skip(1).map_while(|a| a.file_name()?.to_str()) {
        if name == "projects" {
            break;
        }
        if previous_was_subagents && subagents_holder.is_none() {
            subagents_holder = Some(name);
        }
        previous_was_subagents = name == "subagents";
        if name == "subagents" || name == "workflows" {
            past_marker = true;
        } else if past_marker && looks_like_uuid(name) {
            return Some(name.to_owned());
        }
    }
    subagents_holder.map(str::to_owned)
}

/// `8-4-4-4-12` hex digits, the shape of every Claude Code session id.
fn looks_like_uuid(name: &str) -> bool {
    let groups: Vec<&str> = name.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Pushes session metadata without a patch per line. Within one read, a patch goes out only
/// when a value differs from the last one pushed, and the time span goes out once at the
/// end. The store merges patches by "later wins" and min/max, so the merged result equals
/// pushing every line's values, whether the file is read whole or in pieces.
#[derive(Debug, Default)]
struct MetaTracker {
    /// The string values last pushed in this read.
    pushed: SessionMeta,
    /// Old-layout `agent-*.jsonl` beside the sessions: its lines' `sessionId` is the parent.
    parent_from_lines: bool,
    session: String,
    started_at: Option<i64>,
    ended_at: Option<i64>,
}

impl MetaTracker {
    fn new(src: &SourceFile) -> MetaTracker {
        let old_layout_agent = src.parent_session.is_none()
            && src
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("agent-"));
        MetaTracker {
            parent_from_lines: old_layout_agent,
            session: src.session.clone(),
            ..MetaTracker::default()
        }
    }

    /// The parent a sub-agent's path names, pushed at the start of every read.
    fn start(&mut self, src: &SourceFile, sink: &mut dyn Sink) -> Result<(), SinkError> {
        let mut patch = SessionMeta::default();
        if remember(
            &mut self.pushed.parent_session,
            src.parent_session.as_deref(),
            &mut patch.parent_session,
        ) {
            sink.meta(&patch)?;
        }
        Ok(())
    }

    fn observe(&mut self, entry: &Entry<'_>, sink: &mut dyn Sink) -> Result<(), SinkError> {
        if let Some(ts) = entry.timestamp.0 {
            self.started_at = Some(self.started_at.map_or(ts, |t| t.min(ts)));
            self.ended_at = Some(self.ended_at.map_or(ts, |t| t.max(ts)));
        }
        let model = entry
            .message
            .0
            .as_ref()
            .and_then(|m| m.model.non_blank())
            .filter(|m| *m != SYNTHETIC_MODEL);
        let title = entry
            .custom_title
            .non_blank()
            .or_else(|| entry.ai_title.non_blank())
            .map(str::trim);
        let parent = if self.parent_from_lines {
            entry.session_id.non_blank().filter(|id| *id != self.session)
        } else {
            None
        };
        let mut patch = SessionMeta::default();
        let pushed = &mut self.pushed;
        let changes = [
            remember(&mut pushed.cwd, entry.cwd.non_blank(), &mut patch.cwd),
            remember(
                &mut pushed.branch,
                entry.git_branch.non_blank(),
                &mut patch.branch,
            ),
            remember(
                &mut pushed.agent_version,
                entry.version.non_blank(),
                &mut patch.agent_version,
            ),
            remember(&mut pushed.model, model, &mut patch.model),
            remember(&mut pushed.title, title, &mut patch.title),
            remember(&mut pushed.parent_session, parent, &mut patch.parent_session),
        ];
        if changes.contains(&true) {
            sink.meta(&patch)?;
        }
        Ok(())
    }

    fn finish(self, sink: &mut dyn Sink) -> Result<(), SinkError> {
        if self.started_at.is_some() {
            sink.meta(&SessionMeta {
                started_at: self.started_at,
                ended_at: self.ended_at,
                ..SessionMeta::default()
            })?;
        }
        Ok(())
    }
}

/// Puts `value` into `patch` when it differs from the value last pushed; says whether it did.
fn remember(last: &mut Option<String>, value: Option<&str>, patch: &mut Option<String>) -> bool {
    match value {
        Some(v) if last.as_deref() != Some(v) => {
            *last = Some(v.to_owned());
            *patch = Some(v.to_owned());
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &str) -> Option<(String, Option<String>)> {
        identity(Path::new(path))
    }

    const SID: &str = "89f4d66a-510b-48b3-94b8-d6a8f981b143";

    #[test]
    fn top_level_transcripts_are_named_by_their_stem() {
        assert_eq!(
            id(&format!("/h/.claude/projects/-w-x/{SID}.jsonl")),
            Some((SID.to_owned(), None))
        );
    }

    #[test]
    fn subagent_transcripts_name_their_parent_session() {
        let expected = Some((format!("{SID}/agent-a1"), Some(SID.to_owned())));
        assert_eq!(id(&format!("/p/-w-x/{SID}/subagents/agent-a1.jsonl")), expected);
        assert_eq!(
            id(&format!("/p/-w-x/{SID}/subagents/workflows/run-1/agent-a1.jsonl")),
            expected
        );
        assert_eq!(
            id(&format!("/p/-w-x/{SID}/workflows/run-1/agent-a1.jsonl")),
            expected
        );
        // Without a UUID-shaped folder, the folder holding `subagents` is the session.
        assert_eq!(
            id("/p/-w-x/sess/subagents/agent-b.jsonl"),
            Some(("sess/agent-b".to_owned(), Some("sess".to_owned())))
        );
        // The old layout keeps sub-agents beside the sessions: the parent is only inside.
        assert_eq!(id("/p/-w-x/agent-c.jsonl"), Some(("agent-c".to_owned(), None)));
        // A UUID-named folder above the projects folder is not a parent session.
        let other = "c07efcc2-c931-4e4e-bc2c-b14ded596469";
        assert_eq!(
            id(&format!("/tmp/{SID}/.claude/projects/-w-x/{other}.jsonl")),
            Some((other.to_owned(), None))
        );
        assert_eq!(
            id(&format!("/tmp/{SID}/-w-x/agent-c.jsonl")),
            Some(("agent-c".to_owned(), None))
        );
    }

    #[test]
    fn files_that_are_not_transcripts_are_ignored() {
        assert_eq!(id("/h/.claude/history.jsonl"), None);
        assert_eq!(id("/h/.codex/sessions/2026/01/02/rollout-x.jsonl"), None);
        assert_eq!(id("/h/.copilot/session-state/x/events.jsonl"), None);
        assert_eq!(id("/p/-w-x/notes.json"), None);
        assert_eq!(id("/p/-w-x/.jsonl"), None);
    }

    #[test]
    fn uuid_shape_is_checked_exactly() {
        assert!(looks_like_uuid(SID));
        assert!(!looks_like_uuid("-tmp-x"));
        assert!(!looks_like_uuid("89f4d66a-510b-48b3-94b8-d6a8f981b14"));
        assert!(!looks_like_uuid("89f4d66a-510b-48b3-94b8-d6a8f981b14z"));
    }
}
