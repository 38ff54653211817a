//! Integration tests of sk-ingest: connectors on the real corpus, damage, append equivalence.

mod claude;
mod codex;
mod copilot;
mod reader;
mod redact;
mod support;
