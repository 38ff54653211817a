//! Turns agent logs on disk into normalized records pushed into a [`sk_core::Sink`].
//! One connector per agent, all behind [`Connector`]; a streaming line reader that survives
//! damaged files; redaction of secrets before anything leaves this crate. Never touches SQL.

// The connectors and redaction read untrusted log text: no indexing that can panic (use
// `get`, iterators, `sk_core::text`). Test code may index. The reader is not covered: its
// byte offsets into its own buffer are kept valid by construction (see reader/lines.rs).
#[cfg_attr(not(test), deny(clippy::indexing_slicing))]
pub mod claude;
#[cfg_attr(not(test), deny(clippy::indexing_slicing))]
pub mod codex;
#[cfg_attr(not(test), deny(clippy::indexing_slicing))]
pub mod copilot;
mod edit_text;
pub mod memory_sink;
pub mod plan;
pub mod reader;
#[cfg_attr(not(test), deny(clippy::indexing_slicing))]
pub mod redact;

use std::path::{Path, PathBuf};

use sk_core::{Agent, Paths, Sink, SinkError, SourceFile};

/// What reading one source file achieved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOutcome {
    /// Byte offset just past the last complete line consumed: the next read starts here.
    /// For whole-file sources, the file's length.
    pub consumed: u64,
    /// Physical lines (or documents) read.
    pub lines: u64,
    /// Records pushed into the sink.
    pub records: u64,
    /// Spans skipped as unparseable.
    pub damaged_spans: u64,
    /// Bytes in those spans.
    pub skipped_bytes: u64,
}

/// Reading a source failed for a reason that is not the file's content.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing records from {path} failed: {source}")]
    Sink {
        path: PathBuf,
        #[source]
        source: SinkError,
    },
}

/// One agent's log format.
pub trait Connector: Sync {
    fn agent(&self) -> Agent;

    /// The folders this agent writes sessions to, from the resolved paths.
    fn default_roots(&self, paths: &Paths) -> Vec<PathBuf>;

    /// Finds every source file of this agent under `root` (recursively). Files that do not
    /// match the agent's layout are ignored, so discovery can run on any folder (`--path`).
    fn discover(&self, root: &Path, out: &mut dyn FnMut(SourceFile));

    /// Reads `src` starting at byte `from` (0 for whole-file sources) and pushes what it
    /// finds into `sink`. Malformed content is reported through `sink.damage` and skipped;
    /// only I/O and sink failures are errors.
    fn read(&self, src: &SourceFile, from: u64, sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError>;

    /// The session id the log itself declares near its start, when the format has one that
    /// should win over the id taken from the file's name (the id users and other tools
    /// know). Called only for files about to be read; `None` keeps the name's id.
    fn declared_session(&self, _path: &Path) -> Option<String> {
        None
    }
}

/// Every connector, in [`Agent::ALL`] order.
pub fn connectors() -> [&'static dyn Connector; 3] {
    [&copilot::Copilot, &claude::Claude, &codex::Codex]
}

/// The connector for one agent.
pub fn connector(agent: Agent) -> &'static dyn Connector {
    match agent {
        Agent::Copilot => &copilot::Copilot,
        Agent::Claude => &claude::Claude,
        Agent::Codex => &codex::Codex,
    }
}
