//! The extractor alone, on generated records: any kinds, tools, call ids, outcomes and
//! sections, with text biased towards cue words, error shapes and multi-byte characters on
//! the cut lengths. Also checks that extraction is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sk_core::Agent;
use sk_fuzz::extract_records;
use sk_fuzz::shapes::{FuzzRecord, Text, records};

fuzz_target!(|input: (u8, Option<Text>, Vec<FuzzRecord>)| {
    let (agent, cwd, generated) = input;
    let agent = Agent::ALL[agent as usize % Agent::ALL.len()];
    let records = records(&generated);
    let cwd = cwd.map(|c| c.0);
    let first = extract_records(agent, "s", Some("owner/repo"), cwd.as_deref(), &records);
    let again = extract_records(agent, "s", Some("owner/repo"), cwd.as_deref(), &records);
    assert_eq!(first, again, "extraction is not deterministic");
});
