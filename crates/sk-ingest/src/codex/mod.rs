//! The Codex CLI connector: finds `rollout-*.jsonl` files under `$CODEX_HOME/sessions` and
//! `archived_sessions`, and turns their `{timestamp, type, payload}` lines into records
//! (formats.md §3). The session id is the one the first `session_meta` line declares
//! (`payload.id`), else the file name's: both are known before reading, so an incremental
//! read that starts mid-file still knows its session; see `items` for how each line is mapped.

mod items;
mod shapes;
mod tools;
mod wire;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use sk_core::{Agent, Paths, Sink, SinkError, SourceFile, SourceKind};

use crate::reader::{Verdict, read_jsonl};
use crate::{Connector, IngestError, ReadOutcome};

use items::Emitter;
use wire::{LegacyHeader, Line, Payload, ResponseItemWire, SessionMetaWire};

/// The Codex connector.
#[derive(Debug, Clone, Copy)]
pub struct Codex;

impl Connector for Codex {
    fn agent(&self) -> Agent {
        Agent::Codex
    }

    fn default_roots(&self, paths: &Paths) -> Vec<PathBuf> {
        vec![paths.codex_sessions(), paths.codex_archived()]
    }

    fn discover(&self, root: &Path, out: &mut dyn FnMut(SourceFile)) {
        // Unreadable folders are skipped: discovery must not stop at one permission error.
        for entry in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(session) = entry.file_name().to_str().and_then(session_id_from_file_name) else {
                continue;
            };
            let session = session.to_owned();
            out(SourceFile {
                agent: Agent::Codex,
                path: entry.into_path(),
                kind: SourceKind::Jsonl,
                session,
                // A sub-agent's parent is named inside the file (`forked_from_id`), not by its path.
                parent_session: None,
            });
        }
    }

    fn declared_session(&self, path: &Path) -> Option<String> {
        declared_session(path)
    }

    fn read(&self, src: &SourceFile, from: u64, sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
        // Both callbacks need the sink; the reader never calls them at the same time.
        let sink = RefCell::new(sink);
        let mut records = 0;
        let stats = read_jsonl(
            &src.path,
            from,
            &mut |offset, bytes| {
                let mut sink = sink.borrow_mut();
                let (verdict, pushed) = decode_line(&src.session, offset, bytes, &mut **sink)?;
                records += pushed;
                Ok(verdict)
            },
            &mut |offset, len, reason| sink.borrow_mut().damage(offset, len, reason),
        )?;
        Ok(ReadOutcome {
            consumed: stats.consumed,
            lines: stats.lines,
            records,
            damaged_spans: stats.damaged_spans,
            skipped_bytes: stats.skipped_bytes,
        })
    }
}

/// The `payload.id` of the rollout's first line when it is a `session_meta` (a resumed
/// rollout may hold a second one, naming the session it resumed: only the first counts).
/// Reads at most the first 256 KiB: a first line longer than that keeps the file name's id.
pub fn declared_session(path: &Path) -> Option<String> {
    use std::io::{BufRead, BufReader, Read};
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "type")]
        kind: String,
        payload: HeadPayload,
    }
    #[derive(serde::Deserialize)]
    struct HeadPayload {
        id: Option<String>,
    }
    let file = std::fs::File::open(path).ok()?;
    let mut line = Vec::new();
    BufReader::new(file.take(256 * 1024))
        .read_until(b'\n', &mut line)
        .ok()?;
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line);
    let head: Head = serde_json::from_slice(line.trim_ascii()).ok()?;
    let id = head
        .payload
        .id
        .filter(|id| head.kind == "session_meta" && !id.trim().is_empty())?;
    // An id is a path component and a display handle: keep it to printable, short text.
    (id.len() <= 128 && !id.chars().any(|c| c.is_control() || c == '/' || c == '\\')).then_some(id)
}

/// `rollout-2026-05-07T18-27-42-<uuid>.jsonl` -> the UUID; another `rollout-*.jsonl` -> its
/// stem; anything else is not a Codex rollout.
pub fn session_id_from_file_name(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".jsonl")?;
    if !stem.starts_with("rollout-") {
        return None;
    }
    if stem.len() > 36 && stem.is_char_boundary(stem.len() - 36) {
        let (head, uuid) = stem.split_at(stem.len() - 36);
        if head.ends_with('-') && is_uuid(uuid) {
            return Some(uuid);
        }
    }
    Some(stem)
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Decodes one line and pushes what it holds. Returns the verdict and the records pushed.
/// A valid JSON line that does not have the expected shape is ignored, not damage: only
/// text that is not JSON at all is reported as malformed.
fn decode_line(
    session: &str,
    offset: u64,
    bytes: &[u8],
    sink: &mut dyn Sink,
) -> Result<(Verdict, u64), SinkError> {
    let line: Line = match serde_json::from_slice(bytes) {
        Ok(line) => line,
        Err(_) => return Ok((json_verdict(bytes), 0)),
    };
    let ts = line.timestamp.as_ref().and_then(|t| t.millis());
    let mut out = Emitter::new(sink, offset, ts);
    match &line.payload {
        Payload::SessionMeta(meta) => items::session_meta(&mut out, session, meta)?,
        Payload::TurnContext(ctx) => items::turn_context(&mut out, ctx)?,
        Payload::ResponseItem(item) => items::response_item(&mut out, item)?,
        Payload::EventMsg(event) => items::event_msg(&mut out, event)?,
        Payload::Compacted(compacted) => items::compacted(&mut out, compacted)?,
        Payload::Other if !line.had_payload => legacy_line(&mut out, session, &line, bytes)?,
        Payload::Other => {}
    }
    Ok((Verdict::Parsed, out.records()))
}

/// Rollouts written before the `{timestamp, type, payload}` envelope (Codex up to mid-2025)
/// hold a header `{id, timestamp, git}` then one bare response item per line.
fn legacy_line(out: &mut Emitter, session: &str, line: &Line, bytes: &[u8]) -> Result<(), SinkError> {
    if line.had_type {
        if let Ok(item) = serde_json::from_slice::<ResponseItemWire>(bytes) {
            items::response_item(out, &item)?;
        }
    } else if let Ok(header) = serde_json::from_slice::<LegacyHeader>(bytes)
        && header.id.is_some()
    {
        let meta = SessionMetaWire {
            id: header.id,
            timestamp: header.timestamp,
            git: header.git,
            ..SessionMetaWire::default()
        };
        items::session_meta(out, session, &meta)?;
    }
    Ok(())
}

fn json_verdict(bytes: &[u8]) -> Verdict {
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Ok(_) => Verdict::Parsed,
        Err(_) => Verdict::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_come_from_rollout_file_names() {
        assert_eq!(
            session_id_from_file_name(
                "rollout-2026-05-07T18-27-42-019e03b2-11a2-7320-9098-5d831813e66c.jsonl"
            ),
            Some("019e03b2-11a2-7320-9098-5d831813e66c")
        );
        assert_eq!(
            session_id_from_file_name("rollout-2026-05-07-custom.jsonl"),
            Some("rollout-2026-05-07-custom")
        );
        assert_eq!(session_id_from_file_name("rollout-x.json"), None);
        assert_eq!(session_id_from_file_name("events.jsonl"), None);
        assert!(!is_uuid("019e03b2-11a2-7320-9098-5d831813e66g"));
    }
}
