//! One batch of files, parsed on a second thread while this one writes: the connectors
//! (and redaction) push into a bounded channel, the writer drains it into SQLite. Parsing
//! and writing each take about half of an ingest, so the two cores overlap them. Memory
//! stays bounded by the channel, whatever the size of a file.

use std::collections::{BTreeMap, HashSet};
use std::sync::mpsc::{SyncSender, sync_channel};

use sk_core::{Agent, Record, SessionMeta, Sink, SinkError, SourceKind, SourceState};
use sk_ingest::ReadOutcome;
use sk_ingest::plan::{self, Action, HEAD_BYTES};
use sk_ingest::redact::RedactingSink;
use sk_store::write::{self, FileIds, SourceWriter};

use crate::discover::Discovered;
use crate::run::{FileRead, from_of};

/// Events in flight between the parser and the writer.
const CHANNEL_DEPTH: usize = 4096;

enum Event {
    Begin(usize),
    Meta(SessionMeta),
    Record(Record),
    Rewind(String),
    SystemPrompt(String, String),
    Damage(u64, u64, String),
    End(Result<(ReadOutcome, BTreeMap<&'static str, u64>), String>),
}

/// What writing one batch achieved: the files written, or the first file that failed
/// (the caller rolls the batch back and redoes it without that file).
#[derive(Debug, Default)]
pub(crate) struct BatchOutcome {
    pub done: Vec<(usize, FileRead)>,
    pub failed: Option<(usize, String)>,
}

/// Parses and writes every file of `batch` not in `excluded`, inside the caller's
/// transaction. An `Err` is the database failing.
pub(crate) fn ingest_batch(
    conn: &rusqlite::Connection,
    files: &mut FileIds,
    batch: &[(Discovered, Action)],
    excluded: &[usize],
    rebuilt: &HashSet<(Agent, String)>,
) -> Result<BatchOutcome, String> {
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Event>(CHANNEL_DEPTH);
        scope.spawn(move || parse(batch, excluded, &tx));
        let mut out = BatchOutcome::default();
        let mut reset = HashSet::new();
        let mut events = rx.iter();
        while let Some(event) = events.next() {
            let Event::Begin(i) = event else {
                return Err("internal error: the parser sent an event outside a file".into());
            };
            let (d, action) = &batch[i];
            let key = (d.source.agent, d.source.session.clone());
            if rebuilt.contains(&key) && reset.insert(key) {
                write::reset_session_meta(conn, d.source.agent, &d.source.session)
                    .map_err(|e| e.to_string())?;
            }
            let mut w = SourceWriter::begin(conn, files, &d.source, *action == Action::Reingest)
                .map_err(|e| e.to_string())?;
            let end = loop {
                let applied = match events.next() {
                    Some(Event::Meta(m)) => w.meta(&m),
                    Some(Event::Record(r)) => w.record(&r),
                    Some(Event::Rewind(id)) => w.rewind(&id),
                    Some(Event::SystemPrompt(hash, text)) => w.system_prompt(&hash, &text),
                    Some(Event::Damage(offset, len, reason)) => w.damage(offset, len, &reason),
                    Some(Event::End(result)) => break result,
                    Some(Event::Begin(_)) | None => {
                        break Err("internal error: the parser stopped mid-file".into());
                    }
                };
                applied.map_err(|e| e.0)?;
            };
            match end {
                Ok((outcome, redactions)) => {
                    let read = finish(w, d, *action, &outcome, redactions).map_err(|e| e.to_string())?;
                    out.done.push((i, read));
                }
                Err(error) => {
                    out.failed = Some((i, error));
                    // Dropping the receiver stops the parser at its next send.
                    break;
                }
            }
        }
        Ok(out)
    })
}

/// Records the file's new state and what reading it produced.
fn finish(
    w: SourceWriter<'_>,
    d: &Discovered,
    action: Action,
    outcome: &ReadOutcome,
    redactions: BTreeMap<&'static str, u64>,
) -> rusqlite::Result<FileRead> {
    let src = &d.source;
    let consumed = outcome.consumed;
    let head_len = match src.kind {
        SourceKind::Jsonl => consumed.min(HEAD_BYTES),
        SourceKind::Whole => d.stat.size.min(HEAD_BYTES),
    };
    let state = SourceState {
        size: d.stat.size,
        mtime_ns: d.stat.mtime_ns,
        consumed,
        head_len,
        head_hash: if head_len > 0 {
            plan::hash_head(&src.path, head_len)
        } else {
            None
        },
    };
    let redacted: u64 = redactions.values().sum();
    let counts = w.finish(&state, outcome.lines, redacted)?;
    Ok(FileRead {
        bytes: consumed.saturating_sub(from_of(action)),
        records: counts.records,
        damaged_spans: outcome.damaged_spans,
        skipped_bytes: outcome.skipped_bytes,
        redactions,
    })
}

/// The parser thread: reads each file through redaction into the channel.
fn parse(batch: &[(Discovered, Action)], excluded: &[usize], tx: &SyncSender<Event>) {
    use sk_core::env::{ProcessEnv, SK_INGEST_TEST_FAULT, Source};
    let fault = ProcessEnv.get(SK_INGEST_TEST_FAULT);
    for (i, (d, action)) in batch.iter().enumerate() {
        if excluded.contains(&i) {
            continue;
        }
        if tx.send(Event::Begin(i)).is_err() {
            return;
        }
        let src = &d.source;
        let mut chan = ChannelSink { tx };
        let (result, redactions) = {
            let mut sink = RedactingSink::new(&mut chan);
            // Panics inside one event are contained by the reader; this catches the rest
            // (whole-file sources, the reader itself) and fails only this file.
            let result = sk_core::panic::catch(|| {
                if let Some(f) = &fault
                    && src.path.to_string_lossy().contains(&*f.to_string_lossy())
                {
                    panic!(
                        "SK_INGEST_TEST_FAULT: injected panic reading {}",
                        src.path.display()
                    );
                }
                sk_ingest::connector(src.agent).read(src, from_of(*action), &mut sink)
            });
            (result, sink.counts().clone())
        };
        let end = match result {
            Ok(Ok(outcome)) => Ok((outcome, redactions)),
            Ok(Err(e)) => Err(e.to_string()),
            Err(panic) => Err(format!("internal error while parsing (please report): {panic}")),
        };
        if tx.send(Event::End(end)).is_err() {
            return;
        }
    }
}

/// The sink the connectors see on the parser thread.
struct ChannelSink<'a> {
    tx: &'a SyncSender<Event>,
}

impl ChannelSink<'_> {
    fn send(&self, event: Event) -> Result<(), SinkError> {
        self.tx
            .send(event)
            .map_err(|_| SinkError("the database writer stopped".into()))
    }
}

impl Sink for ChannelSink<'_> {
    fn meta(&mut self, meta: &SessionMeta) -> Result<(), SinkError> {
        self.send(Event::Meta(meta.clone()))
    }
    fn record(&mut self, record: &Record) -> Result<(), SinkError> {
        self.send(Event::Record(record.clone()))
    }
    fn rewind(&mut self, up_to_event_id: &str) -> Result<(), SinkError> {
        self.send(Event::Rewind(up_to_event_id.to_string()))
    }
    fn system_prompt(&mut self, hash: &str, text: &str) -> Result<(), SinkError> {
        self.send(Event::SystemPrompt(hash.to_string(), text.to_string()))
    }
    fn damage(&mut self, offset: u64, len: u64, reason: &str) -> Result<(), SinkError> {
        self.send(Event::Damage(offset, len, reason.to_string()))
    }
}
