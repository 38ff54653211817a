//! Logging one use of a recall surface into the local telemetry (never sent anywhere):
//! what was asked, how many hits, how long it took. One place for every surface — the CLI,
//! `sk mcp`, `sk ui` — so a query is always redacted before it is stored. Best-effort by
//! design: a failure is ignored, since the person asked for results, not for a log entry.

use std::path::Path;
use std::time::Instant;

use sk_store::Store;
use sk_store::telemetry::{self, Event};

/// One use of a recall surface, as the surface saw it.
#[derive(Debug, Clone, Copy)]
pub struct Use<'a> {
    /// `query`, `brief`, `show`, `session`, `mcp`, `ui`.
    pub surface: &'a str,
    pub query: Option<&'a str>,
    /// The ids shown or opened.
    pub selected: &'a [String],
    pub output_bytes: usize,
    pub started: Instant,
}

/// Where the event goes: through the connection the command read with (which moves a
/// grown spool into the table), or, for a server's read-only connection, the spool only.
#[derive(Debug, Clone, Copy)]
pub enum Sink<'a> {
    Store(&'a Store),
    Spool(&'a Path),
}

pub fn record(sink: Sink<'_>, u: &Use<'_>) {
    // A query is stored for `sk status --recall` and `sk ui`: never with a secret someone pasted.
    let redacted = u.query.and_then(sk_ingest::redact::redact);
    let query = redacted.as_ref().map(|r| r.text.as_str()).or(u.query);
    let event = Event {
        at: sk_core::time::now_ms(),
        surface: u.surface,
        query,
        hits: i64::try_from(u.selected.len()).unwrap_or(i64::MAX),
        selected: u.selected,
        output_bytes: i64::try_from(u.output_bytes).unwrap_or(i64::MAX),
        duration_us: i64::try_from(u.started.elapsed().as_micros()).unwrap_or(i64::MAX),
    };
    let _ = match sink {
        Sink::Store(store) => telemetry::record(store, &event),
        Sink::Spool(db) => telemetry::record_spooled(db, &event),
    };
}
