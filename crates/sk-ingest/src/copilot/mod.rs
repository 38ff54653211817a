//! (being written)
use std::path::{Path, PathBuf};

use sk_core::{Agent, Paths, Sink, SourceFile};

use crate::{Connector, IngestError, ReadOutcome};

/// The Copilot connector.
#[derive(Debug, Clone, Copy)]
pub struct Copilot;

impl Connector for Copilot {
    fn agent(&self) -> Agent {
        Agent::Copilot
    }
    fn default_roots(&self, _paths: &Paths) -> Vec<PathBuf> {
        Vec::new()
    }
    fn discover(&self, _root: &Path, _out: &mut dyn FnMut(SourceFile)) {}
    fn read(&self, _src: &SourceFile, from: u64, _sink: &mut dyn Sink) -> Result<ReadOutcome, IngestError> {
        Ok(ReadOutcome { consumed: from, ..ReadOutcome::default() })
    }
}
