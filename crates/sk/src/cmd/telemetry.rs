//! Logging one use of a recall surface into the local telemetry table. Best-effort by
//! design: a busy or read-only database, or any other failure, is silently skipped — the
//! user asked for results, not for a log entry.

use std::time::Instant;

use sk_store::Store;
use sk_store::telemetry::{self, Event};

/// `store`: the connection the command read with, opened with `Store::open_for_recall`
/// (the line is written on it: one open instead of two).
pub fn record(
    store: &Store,
    surface: &str,
    query: Option<&str>,
    selected: &[String],
    output_bytes: usize,
    started: Instant,
) {
    let event = Event {
        at: sk_core::time::now_ms(),
        surface,
        query,
        hits: i64::try_from(selected.len()).unwrap_or(i64::MAX),
        selected,
        output_bytes: i64::try_from(output_bytes).unwrap_or(i64::MAX),
        duration_us: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
    };
    let _ = telemetry::record_on(store.conn(), store.path(), &event);
}
