// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

mod corpus;
mod corrections;
mod corrections_limits;
mod cue_tables;
mod decisions;
mod detours;
mod edit_search_limits;
mod escalation;
mod hashing;
mod hidden_exits;
mod hidden_search;
mod outcomes;
mod own_change_limits;
mod patch_format;
mod props;
mod reported_errors;
mod review_findings;
mod review_session19;
mod review_session20;
mod revisions;
mod slips;
mod stale_edit;
mod stated_cause;
mod support;
mod synthetic;
mod wide_limits;
