//! Shared helpers for the ingest tests: where the corpus fixtures live, and reading a
//! source into memory.

use std::path::PathBuf;

use sk_core::SourceFile;
use sk_ingest::memory_sink::MemorySink;
use sk_ingest::{Connector, ReadOutcome};

/// `fixtures/corpus/<rel>` in this repository (real logs, Apache-2.0, see PROVENANCE.md).
pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus")
        .join(rel)
}

/// Reads the whole source from `from` into a fresh memory sink.
pub fn read_all(conn: &dyn Connector, src: &SourceFile, from: u64) -> (MemorySink, ReadOutcome) {
    let mut sink = MemorySink::default();
    let out = conn.read(src, from, &mut sink).expect("read succeeds");
    (sink, out)
}
