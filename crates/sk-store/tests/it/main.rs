//! Integration tests of sk-store: migrations (rehearsal, failure, refusal), backups, restores.

mod backup;
mod common_words;
mod knowledge;
mod migrations;
mod recall_lookups;
mod support;
