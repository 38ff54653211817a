//! Logging one use of a recall surface into the local telemetry table. Best-effort by
//! design: a busy or read-only database, or any other failure, is silently skipped — the
//! user asked for results, not for a log entry.

use std::time::Instant;

use sk_core::Paths;
use sk_store::telemetry::{self, Event};

pub fn record(
    paths: &Paths,
    surface: &str,
    query: Option<&str>,
    hits: usize,
    selected: &[String],
    output_bytes: usize,
    started: Instant,
) {
    let event = Event {
        at: sk_core::time::now_ms(),
        surface,
        query,
        hits: i64::try_from(hits).unwrap_or(i64::MAX),
        selected,
        output_bytes: i64::try_from(output_bytes).unwrap_or(i64::MAX),
        duration_us: i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX),
    };
    let _ = telemetry::record(&paths.db, &event);
}
