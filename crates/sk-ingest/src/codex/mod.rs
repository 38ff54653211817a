//! (being written)
use std::path::{Path, PathBuf};

use sk_core::{Agent, Paths, Sink, SourceFile};

use crate::{Connector, IngestError, ReadOutcome};

/// The Codex connector.
#[derive(Debug, Clone, Copy)]
pub struct Codex;

impl Connector for Codex {
    fn agent(&self) -> Agent {
        Agent::Codex
    }
    fn default_roots(&self, _paths: &Paths) -> Vec<PathBuf> {
        Vec::new()
    }
    fn discover(&self, _root: &Path, _out: &mut dyn FnMut(SourceFile)) {}
    fn read(&self, _src: &SourceFile, from: u64, _sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
        Ok(ReadOutcome { consumed: from, ..ReadOutcome::default() })
    }
}
