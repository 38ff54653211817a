//! The ingest pipeline behind `sk index` and `sk watch`: discover every agent's source
//! files, decide per file what changed since the last run, and stream the new content
//! through redaction into the store, one transaction per batch of files. A file that
//! cannot be read is counted and skipped; only a failing database stops the run.

pub mod consolidate;
mod discover;
pub mod extract;
pub mod learn;
mod near;
mod pipeline;
pub mod rescrub;
mod run;
pub mod usage;
pub mod watch;

pub use discover::{Discovered, discover};
pub use run::{IndexError, IndexOptions, IndexSummary, Progress, SilentProgress, run};
