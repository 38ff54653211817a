//! Integration tests of sk-ingest: connectors on the real corpus, damage, append equivalence.

// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

mod claude;
mod codex;
mod copilot;
mod reader;
mod redact;
mod support;
