//! Logging one use of a recall surface into the local telemetry (a spool next to the
//! database, moved into its table by the next writer). Best-effort by design: any failure
//! is silently skipped — the user asked for results, not for a log entry.

use std::time::Instant;

use anyhow::{Context, bail};
use sk_core::Paths;
use sk_index::usage;
use sk_store::Store;

/// The database for a recall command that reads and then logs its use: one connection
/// for both (`Store::open_for_recall`).
pub fn open_store(paths: &Paths) -> anyhow::Result<Store> {
    if !paths.db.exists() {
        bail!("no knowledge base yet at {}: run `sk index`", paths.db.display());
    }
    Store::open_for_recall(&paths.db).context("opening the knowledge base")
}

/// `store`: the connection the command read with, opened with `Store::open_for_recall`
/// (a spool that has grown is drained on it: one open instead of two).
pub fn record(
    store: &Store,
    surface: &str,
    query: Option<&str>,
    selected: &[String],
    output_bytes: usize,
    started: Instant,
) {
    let used = usage::Use {
        surface,
        query,
        selected,
        output_bytes,
        started,
    };
    usage::record(usage::Sink::Store(store), &used);
}
