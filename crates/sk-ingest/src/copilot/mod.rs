//! The GitHub Copilot CLI connector (formats.md §1). A session lives in
//! `session-state/<id>/`: the append-only `events.jsonl` is the source of truth and is read
//! incrementally; `workspace.yaml`, checkpoints and markdown artifacts are small files
//! re-read whole. Two older layouts are read too: flat `session-state/<id>.jsonl` and
//! `history-session-state/<id>.json`.

mod artifacts;
mod events;
mod legacy;
mod lenient;
mod tools;
mod wire;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sk_core::{Agent, Paths, Sink, SourceFile, SourceKind};
use walkdir::WalkDir;

use crate::reader::read_jsonl;
use crate::{Connector, IngestError, ReadOutcome};

use events::Out;

/// Folders under a session that hold nothing sk reads and may be large.
const SKIPPED_DIRS: &[&str] = &["rewind-snapshots"];
/// Folder of the current layout, and of the flat legacy `<id>.jsonl` files.
const SESSION_STATE: &str = "session-state";
/// Folder of the legacy one-JSON-per-session layout.
const HISTORY_STATE: &str = "history-session-state";
/// Session subfolders whose `*.md` files are artifacts.
const ARTIFACT_DIRS: &[&str] = &["files", "research"];

/// The Copilot connector.
#[derive(Debug, Clone, Copy)]
pub struct Copilot;

/// What a Copilot file holds, told by its path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileShape {
    /// `events.jsonl` or a flat legacy `<id>.jsonl`.
    Events,
    Workspace,
    Checkpoint,
    /// `plan.md`, `files/*.md`, `research/*.md`.
    Note,
    /// `history-session-state/<id>.json`.
    History,
}

impl Connector for Copilot {
    fn agent(&self) -> Agent {
        Agent::Copilot
    }

    fn default_roots(&self, paths: &Paths) -> Vec<PathBuf> {
        vec![paths.copilot_session_state(), paths.copilot_history_state()]
    }

    fn discover(&self, root: &Path, out: &mut dyn FnMut(SourceFile)) {
        let walker = WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| !(e.file_type().is_dir() && SKIPPED_DIRS.iter().any(|d| e.file_name() == *d)));
        // Unreadable entries are skipped: one locked folder must not hide the others.
        for entry in walker.filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            if let Some((kind, session)) = discovered(entry.path()) {
                out(SourceFile {
                    agent: Agent::Copilot,
                    path: entry.into_path(),
                    kind,
                    session,
                    parent_session: None,
                });
            }
        }
    }

    fn read(&self, src: &SourceFile, from: u64, sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
        match shape_of(&src.path) {
            Some(FileShape::Events) => read_events(&src.path, from, sink),
            Some(shape) => read_whole(&src.path, shape, sink),
            None => Ok(ReadOutcome {
                consumed: from,
                ..ReadOutcome::default()
            }),
        }
    }
}

/// The source kind and session of a file discovery should report, or `None` to ignore it.
fn discovered(path: &Path) -> Option<(SourceKind, String)> {
    let name = path.file_name()?.to_str()?;
    let parent = path.parent()?;
    let parent_name = file_name(parent)?;
    let stem = || Some(path.file_stem()?.to_string_lossy().into_owned());
    let ext = path.extension().and_then(|e| e.to_str());
    match (name, ext) {
        ("events.jsonl", _) => Some((SourceKind::Jsonl, parent_name)),
        (_, Some("jsonl")) if parent_name == SESSION_STATE => Some((SourceKind::Jsonl, stem()?)),
        ("workspace.yaml", _) => Some((SourceKind::Whole, parent_name)),
        (_, Some("json")) if parent_name == HISTORY_STATE => Some((SourceKind::Whole, stem()?)),
        ("plan.md", _) if is_session_dir(parent) => Some((SourceKind::Whole, parent_name)),
        (_, Some("md")) => {
            let session_dir = parent.parent()?;
            let in_artifacts = ARTIFACT_DIRS.contains(&parent_name.as_str());
            let is_checkpoint = parent_name == "checkpoints" && is_checkpoint_file(name);
            ((in_artifacts || is_checkpoint) && is_session_dir(session_dir))
                .then(|| Some((SourceKind::Whole, file_name(session_dir)?)))
                .flatten()
        }
        _ => None,
    }
}

/// `NNN-<slug>.md`; `index.md` only repeats the titles.
fn is_checkpoint_file(name: &str) -> bool {
    let rest = name.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < name.len() && rest.starts_with('-') && name.ends_with(".md")
}

/// A Copilot session folder: it holds the event log or the workspace file, or it sits in
/// `session-state/`. Keeps stray markdown in unrelated folders out of the index.
fn is_session_dir(dir: &Path) -> bool {
    dir.join("events.jsonl").is_file()
        || dir.join("workspace.yaml").is_file()
        || dir
            .parent()
            .and_then(file_name)
            .is_some_and(|n| n == SESSION_STATE)
}

fn file_name(path: &Path) -> Option<String> {
    Some(path.file_name()?.to_string_lossy().into_owned())
}

/// How to read a file, from its name and folder (read must not depend on discovery state).
fn shape_of(path: &Path) -> Option<FileShape> {
    let name = path.file_name()?.to_str()?;
    let parent_name = path.parent().and_then(file_name);
    match path.extension().and_then(|e| e.to_str())? {
        "jsonl" => Some(FileShape::Events),
        "yaml" if name == "workspace.yaml" => Some(FileShape::Workspace),
        "json" => Some(FileShape::History),
        "md" if parent_name.as_deref() == Some("checkpoints") => {
            is_checkpoint_file(name).then_some(FileShape::Checkpoint)
        }
        "md" => Some(FileShape::Note),
        _ => None,
    }
}

/// The note's name: its path inside the session folder (`plan.md`, `files/notes.md`).
fn note_section(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match path.parent().and_then(file_name) {
        Some(dir) if ARTIFACT_DIRS.contains(&dir.as_str()) => format!("{dir}/{name}"),
        _ => name,
    }
}

fn read_events(path: &Path, from: u64, sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
    // Both callbacks need the sink; the reader never calls them at the same time.
    let out = RefCell::new(Out::new(sink));
    let stats = read_jsonl(
        path,
        from,
        &mut |offset, line| events::decode_line(&mut out.borrow_mut(), offset, line),
        &mut |offset, len, reason| out.borrow_mut().sink.damage(offset, len, reason),
    )?;
    Ok(ReadOutcome {
        consumed: stats.consumed,
        lines: stats.lines,
        records: out.into_inner().records,
        damaged_spans: stats.damaged_spans,
        skipped_bytes: stats.skipped_bytes,
    })
}

fn read_whole(path: &Path, shape: FileShape, sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let len = bytes.len() as u64;
    let (body, base) = match bytes.strip_prefix("\u{feff}".as_bytes()) {
        Some(rest) => (rest, 3),
        None => (&bytes[..], 0),
    };
    let mut outcome = ReadOutcome {
        consumed: len,
        lines: u64::from(len > 0),
        ..ReadOutcome::default()
    };
    let mut out = Out::new(sink);
    let pushed = match shape {
        FileShape::Workspace => out.meta(&artifacts::parse_workspace(&String::from_utf8_lossy(body))),
        FileShape::Checkpoint => artifacts::push_checkpoint(body, base, &mut out),
        FileShape::Note => artifacts::push_note(
            &String::from_utf8_lossy(body),
            &note_section(path),
            base,
            &mut out,
        ),
        FileShape::History => match first_json_document(body) {
            Some(doc) => legacy::push_history(&doc, &mut out),
            None if body.iter().all(|b| b.is_ascii_whitespace() || *b == 0) => Ok(()),
            None => {
                outcome.damaged_spans = 1;
                outcome.skipped_bytes = len;
                out.sink.damage(0, len, "malformed JSON document")
            }
        },
        FileShape::Events => Ok(()),
    };
    pushed.map_err(|source| IngestError::Sink {
        path: path.to_path_buf(),
        source,
    })?;
    outcome.records = out.records;
    Ok(outcome)
}

/// The document at the start of `body`, ignoring whatever follows it (NUL padding after a
/// crash, a second partial write).
fn first_json_document(body: &[u8]) -> Option<Value> {
    serde_json::Deserializer::from_slice(body)
        .into_iter::<Value>()
        .next()?
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_shapes_follow_file_names() {
        assert_eq!(
            shape_of(Path::new("/s/abc/events.jsonl")),
            Some(FileShape::Events)
        );
        assert_eq!(
            shape_of(Path::new("/s/session-state/abc.jsonl")),
            Some(FileShape::Events)
        );
        assert_eq!(
            shape_of(Path::new("/s/abc/workspace.yaml")),
            Some(FileShape::Workspace)
        );
        assert_eq!(
            shape_of(Path::new("/s/abc/checkpoints/001-x.md")),
            Some(FileShape::Checkpoint)
        );
        assert_eq!(shape_of(Path::new("/s/abc/checkpoints/index.md")), None);
        assert_eq!(shape_of(Path::new("/s/abc/files/plan.md")), Some(FileShape::Note));
        assert_eq!(
            shape_of(Path::new("/h/history-session-state/x.json")),
            Some(FileShape::History)
        );
        assert_eq!(shape_of(Path::new("/s/knowledge.db")), None);
    }

    #[test]
    fn notes_are_named_by_their_path_in_the_session() {
        assert_eq!(note_section(Path::new("/s/abc/plan.md")), "plan.md");
        assert_eq!(note_section(Path::new("/s/abc/files/notes.md")), "files/notes.md");
        assert_eq!(note_section(Path::new("/s/abc/research/r.md")), "research/r.md");
    }

    #[test]
    fn checkpoint_file_names() {
        assert!(is_checkpoint_file("001-created-notes-md-checkpoint.md"));
        assert!(!is_checkpoint_file("index.md"));
        assert!(!is_checkpoint_file("001.md"));
    }
}
