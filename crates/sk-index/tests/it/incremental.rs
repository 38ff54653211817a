//! Incremental ingest: appends read only new bytes, rewrites replace, and any sequence of
//! appends converges on exactly the content of one read of the final file.

use proptest::prelude::*;

use crate::support::{Home, dump};

const CLAUDE: &str = ".claude/projects/-tmp-demo/89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl";
const COPILOT: &str = ".copilot/session-state/52caac9f-aaaa-bbbb-cccc-000000000001/events.jsonl";

fn one_shot(corpus: &str, rel: &str) -> Vec<String> {
    let h = Home::new();
    h.seed(corpus, rel);
    h.index();
    dump(&h.paths.db)
}

fn in_pieces(corpus: &str, rel: &str, cuts: &[usize]) -> Vec<String> {
    let bytes = std::fs::read(sk_test::corpus(corpus)).expect("read corpus");
    let h = Home::new();
    let dest = h.path(rel);
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % bytes.len()).collect();
    cuts.sort_unstable();
    cuts.push(bytes.len());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&dest)
        .expect("open");
    let mut written = 0;
    for cut in cuts {
        use std::io::Write;
        file.write_all(&bytes[written..cut]).expect("append");
        file.flush().expect("flush");
        written = cut;
        // Make the size/mtime check see every change even within one clock tick.
        h.index();
    }
    dump(&h.paths.db)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn claude_appends_converge_on_one_read(cuts in proptest::collection::vec(0usize..200_000, 1..5)) {
        prop_assert_eq!(in_pieces("claude/convo.jsonl", CLAUDE, &cuts), one_shot("claude/convo.jsonl", CLAUDE));
    }

    #[test]
    fn copilot_appends_converge_on_one_read(cuts in proptest::collection::vec(0usize..200_000, 1..5)) {
        prop_assert_eq!(
            in_pieces("copilot/compacted-real.jsonl", COPILOT, &cuts),
            one_shot("copilot/compacted-real.jsonl", COPILOT)
        );
    }
}

#[test]
fn growing_reads_only_the_new_bytes() {
    let h = Home::new();
    let bytes = std::fs::read(sk_test::corpus("claude/convo.jsonl")).expect("read");
    let half = bytes[..bytes.len() / 2]
        .iter()
        .rposition(|b| *b == b'\n')
        .expect("a line break")
        + 1;
    let dest = h.path(CLAUDE);
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
    std::fs::write(&dest, &bytes[..half]).expect("write half");
    let first = h.index();
    assert_eq!(first.bytes_read, half as u64);
    std::fs::write(&dest, &bytes).expect("write all");
    let second = h.index();
    assert_eq!(second.bytes_read, (bytes.len() - half) as u64);
    assert_eq!(second.files_reingested, 0);
}

#[test]
fn a_rewritten_shorter_file_replaces_its_records() {
    let h = Home::new();
    let dest = h.seed("claude/convo.jsonl", CLAUDE);
    h.index();
    let bytes = std::fs::read(&dest).expect("read");
    let cut = bytes[..bytes.len() / 4]
        .iter()
        .rposition(|b| *b == b'\n')
        .expect("line")
        + 1;
    std::fs::write(&dest, &bytes[..cut]).expect("rewind the file");
    let s = h.index();
    assert_eq!(s.files_reingested, 1);
    let expected = {
        let other = Home::new();
        let p = other.path(CLAUDE);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, &bytes[..cut]).expect("write");
        other.index();
        dump(&other.paths.db)
    };
    assert_eq!(dump(&h.paths.db), expected);
    crate::support::fts_integrity(h.store().conn());
}

/// Records what a run reports before reading the logs.
#[derive(Default)]
struct Told(Vec<(String, u64, u64)>);

impl sk_index::Progress for Told {
    fn preparing(&mut self, what: &str, done: u64, total: u64) {
        self.0.push((what.to_string(), done, total));
    }
    fn begin(&mut self, _: u64, _: u64) {}
    fn advance(&mut self, _: &std::path::Path, _: u64) {}
    fn finish(&mut self) {}
}

#[test]
fn scanning_stored_text_and_building_documents_report_progress() {
    let h = Home::new();
    h.seed("claude/convo.jsonl", CLAUDE);
    h.index();
    // As after an upgrade: stored text scanned by an older detector set, every session's
    // search document queued for rebuilding.
    let store = h.store();
    store
        .conn()
        .execute_batch(
            "UPDATE meta SET value = '0' WHERE key = 'redaction_version';
             INSERT OR IGNORE INTO session_docs_pending (session_id) SELECT id FROM sessions;",
        )
        .expect("age the database");
    let mut told = Told::default();
    sk_index::run(&store, &h.paths, &sk_index::IndexOptions::default(), &mut told).expect("run");
    for what in ["scanning stored text for secrets", "building search documents"] {
        let steps: Vec<&(String, u64, u64)> = told.0.iter().filter(|(w, _, _)| w == what).collect();
        let last = steps
            .last()
            .unwrap_or_else(|| panic!("no progress for {what}: {:?}", told.0));
        assert!(last.2 > 0 && last.1 == last.2, "{what} ends complete: {last:?}");
    }
}
