//! Integration tests of the ingest pipeline against real corpus logs in temporary homes.

mod corpus;
mod incremental;
mod support;
