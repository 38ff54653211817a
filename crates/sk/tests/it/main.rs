//! End-to-end tests of the `sk` binary, each in its own temporary HOME.

mod brief;
mod cli;
mod database;
mod eval;
mod failure_modes;
mod ingest;
mod knowledge;
mod query;
mod recall;
mod runbook;
mod sessions;
