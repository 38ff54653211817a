//! Scanning stored text again with this build's redaction detectors: `sk redact`, and
//! `sk index` on its own when the database was last scanned by an older detector set
//! (`sk_ingest::redact::DETECTORS_VERSION` above `meta.redaction_version`).

use sk_ingest::redact::{DETECTORS_VERSION, redact};
use sk_store::rescrub::{self, Redaction, Scrubbed};

/// The detectors, in the shape the store's rewriting takes.
fn detectors(text: &str) -> Option<Redaction> {
    redact(text).map(|r| (r.text, r.counts))
}

/// Whether stored text was scanned by an older detector set than this build's.
pub fn needed(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    Ok(rescrub::stored_version(conn)?.is_some_and(|v| v < DETECTORS_VERSION))
}

/// Scans every stored text; with `apply`, rewrites what it finds, queues the search
/// documents of the sessions it touched and records this detector set's version. The
/// caller holds the writer lock when applying, and then builds the queued documents
/// (`sk_store::session_docs::drain`, with progress of its own): until it does, search
/// still finds the old text in them.
pub fn run(
    conn: &rusqlite::Connection,
    apply: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> rusqlite::Result<Scrubbed> {
    let scrubbed = rescrub::run(conn, &detectors, apply, progress)?;
    if apply {
        rescrub::set_version(conn, DETECTORS_VERSION)?;
    }
    Ok(scrubbed)
}

/// Records that everything stored was written by this build's detectors (a database
/// that was empty before this run).
pub fn mark_current(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    rescrub::set_version(conn, DETECTORS_VERSION)
}
