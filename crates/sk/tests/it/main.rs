//! End-to-end tests of the `sk` binary, each in its own temporary HOME.

mod brief;
mod cli;
mod database;
mod failure_modes;
mod hooks;
mod hooks_rules;
mod ingest;
mod knowledge;
mod recall;
mod runbook;
mod sessions;
