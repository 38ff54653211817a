//! Integration tests of the ingest pipeline against real corpus logs in temporary homes.

// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

mod corpus;
mod incremental;
mod support;
