//! Integration tests of sk-store: migrations (rehearsal, failure, refusal), backups, restores.

// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

mod backup;
mod brief_scope;
mod common_words;
mod curation;
mod knowledge;
mod migrations;
mod query_text;
mod recall_lookups;
mod support;
mod sync;
