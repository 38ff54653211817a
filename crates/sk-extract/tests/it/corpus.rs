//! Extraction on the real corpus logs, read through the real connectors, checked against
//! a hand-made list. The lists were written by reading every log line by line (every tool
//! result with `is_error`/`success: false`, every summary section, every prompt after the
//! first); most of the corpus is a scripted tool exercise, so most of what it says is
//! noise, and the must-not list is long on purpose.
//!
//! Failure→fix pairs looked for by hand: none of the corpus failures is ever fixed.
//! - claude/convo.jsonl: six Write calls end in "requested permissions … haven't granted
//!   it yet" and two `tee` calls in "requires approval" (permission prompts: not
//!   knowledge, by decision); two heredoc redirections into notes.md (call lines at byte
//!   offsets 28440 and 42584, results at 29887 and 44151, counted with python3 over the
//!   raw file) end in "Output redirection … was blocked" (a sandbox policy: kept, unfixed);
//!   reads of notes.md and does-not-exist.txt end in "File does not exist" (probing, and
//!   the second was announced as a demonstration); the `AskUserQuestion` call failed with
//!   "Answer questions?" (the human's answer). The `bash -c … | tee /dev/stderr` pipeline
//!   needed approval and a different `printf` passed: not the same command, not a fix.
//! - claude/convo-compacted.jsonl: the announced read of does-not-exist.txt; its compact
//!   summary says so ("Intentional error … No fix needed").
//! - copilot/real-session.jsonl: `view` of does-not-exist.txt → "Path does not exist"
//!   (announced, probing). copilot/convo.jsonl and sample-session.jsonl: `read_file
//!   missing.txt` → "no such file or directory" (probing, never fixed).
//! - codex: no failed call.

use sk_core::Category;
use sk_extract::Candidate;

use crate::support::{CORPUS, extract_corpus, show};

/// Knowledge a reader would want kept from the corpus.
struct MustFind {
    file: &'static str,
    category: Category,
    /// Words the title must contain.
    title_has: &'static [&'static str],
    /// Evidence offsets that must be present (when the entry's origin is known exactly).
    offsets: &'static [u64],
}

const MUST_FIND: [MustFind; 3] = [
    // Bash heredoc redirection into notes.md refused twice by the sandbox policy.
    MustFind {
        file: "claude/convo.jsonl",
        category: Category::Mistake,
        title_has: &["cat > notes.md", "redirection", "blocked"],
        offsets: &[28440, 29887, 42584, 44151],
    },
    // Compact summary, "Problem Solving": no dedicated LS/Glob/Grep at the top level.
    MustFind {
        file: "claude/convo-compacted.jsonl",
        category: Category::Discovery,
        title_has: &["no dedicated LS, Glob, or Grep tools"],
        offsets: &[],
    },
    // Copilot compaction, technical_details: "Environment context relevant for future
    // tasks: … not initialized as a git repository; OS reported as Darwin".
    MustFind {
        file: "copilot/compacted-real.jsonl",
        category: Category::Discovery,
        title_has: &["Environment context relevant for future tasks"],
        offsets: &[],
    },
];

/// Sentences of the logs (fragments, case-insensitive) that must not become an entry:
/// no candidate title may contain them.
const MUST_NOT: [(&str, &str); 40] = [
    // Chit-chat and acknowledgements.
    ("copilot/real-session.jsonl", "Good."),
    (
        "copilot/real-session.jsonl",
        "Perfect—exactly five lines of output",
    ),
    ("copilot/real-session.jsonl", "Confirmed—both lines are present"),
    ("copilot/real-session.jsonl", "Now run it"),
    ("claude/convo-compacted.jsonl", "Both lines are present"),
    ("claude/convo-compacted.jsonl", "The directory contains only"),
    ("copilot/convo.jsonl", "Done. Created src/main.rs"),
    (
        "codex/compacted-real.jsonl",
        "It contains facts about terminals and compilers",
    ),
    ("claude/convo-compacted.jsonl", "The sub-agent reported that"),
    // Meta-narration.
    ("claude/convo.jsonl", "I'll work through the tasks in order"),
    (
        "claude/convo-compacted.jsonl",
        "Now I'll run it and count the output lines",
    ),
    ("claude/convo.jsonl", "Let me retry"),
    ("claude/convo.jsonl", "Falling back to a heredoc"),
    ("claude/convo.jsonl", "Let me ask the user how to proceed"),
    (
        "copilot/compacted-real.jsonl",
        "Creating notes.md in the current directory",
    ),
    ("codex/convo.jsonl", "I’ll read the local `notes.md` word count"),
    (
        "claude/convo-compacted.jsonl",
        "so I'll use `bash find` and `bash grep`",
    ),
    // Tool noise and status lines.
    ("copilot/real-session.jsonl", "Files modified"),
    (
        "copilot/real-session.jsonl",
        "Created file /tmp/elicit-scratch/notes.md",
    ),
    ("claude/convo-compacted.jsonl", "File created successfully"),
    ("claude/convo.jsonl", "No files found"),
    ("claude/convo.jsonl", "No matches found"),
    ("claude/convo.jsonl", "was never written"),
    ("copilot/real-session.jsonl", "Step 7"),
    // Permission prompts and the human's answers.
    ("claude/convo.jsonl", "requested permissions"),
    ("claude/convo.jsonl", "permission not granted"),
    ("claude/convo.jsonl", "requires approval"),
    ("claude/convo.jsonl", "Answer questions"),
    // Announced or probing failures.
    ("claude/convo.jsonl", "does-not-exist.txt"),
    ("copilot/real-session.jsonl", "Path does not exist"),
    ("copilot/convo.jsonl", "missing.txt"),
    ("claude/convo-compacted.jsonl", "Intentional error"),
    // Summary items without knowledge, or negating failure.
    ("claude/convo-compacted.jsonl", "No other errors"),
    (
        "claude/convo-compacted.jsonl",
        "Verified count.sh output line count",
    ),
    ("copilot/compacted-real.jsonl", "No errors occurred"),
    (
        "copilot/compacted-real.jsonl",
        "Created notes.md with exactly two lines",
    ),
    (
        "copilot/compacted-real.jsonl",
        "because conversation history will be removed",
    ),
    (
        "copilot/compacted-real.jsonl",
        "Approach: perform the requested file write",
    ),
    // next_steps are plans, not knowledge.
    ("copilot/compacted-real.jsonl", "Initialize version control"),
    // The opening task prompt is a task, not a rule or a correction.
    ("claude/convo.jsonl", "Stay inside the current working directory"),
];

fn matches(c: &Candidate, m: &MustFind) -> bool {
    c.category == m.category
        && m.title_has.iter().all(|w| c.title.contains(w))
        && m.offsets
            .iter()
            .all(|o| c.evidence.iter().any(|e| e.offset == *o))
}

#[test]
fn corpus_precision_and_recall() {
    let mut total = 0;
    let mut true_positives = 0;
    let mut found = 0;
    let mut unexpected = Vec::new();
    let mut forbidden = Vec::new();
    for (agent, file) in CORPUS {
        let cands = extract_corpus(agent, file);
        let musts: Vec<&MustFind> = MUST_FIND.iter().filter(|m| m.file == file).collect();
        found += musts
            .iter()
            .filter(|m| cands.iter().any(|c| matches(c, m)))
            .count();
        for c in &cands {
            total += 1;
            if musts.iter().any(|m| matches(c, m)) {
                true_positives += 1;
            } else {
                unexpected.push(format!("{file}: [{}] {}", c.category, c.title));
            }
        }
        for (f, sentence) in MUST_NOT.iter().filter(|(f, _)| *f == file) {
            let needle = sentence.to_lowercase();
            for c in cands.iter().filter(|c| c.title.to_lowercase().contains(&needle)) {
                forbidden.push(format!("{f}: `{sentence}` became [{}] {}", c.category, c.title));
            }
        }
    }
    let precision = true_positives as f64 / total.max(1) as f64;
    let recall = found as f64 / MUST_FIND.len() as f64;
    println!(
        "corpus: {total} candidates, {true_positives} expected; must-find {found}/{}; must-not violations {}; precision {precision:.2}, recall {recall:.2}",
        MUST_FIND.len(),
        forbidden.len()
    );
    for u in &unexpected {
        println!("  unexpected: {u}");
    }
    assert!(
        forbidden.is_empty(),
        "must-not sentences became entries:\n{}",
        forbidden.join("\n")
    );
    assert!(recall >= 1.0, "recall {recall:.2}");
    assert!(
        precision >= 0.75,
        "precision {precision:.2}:\n{}",
        unexpected.join("\n")
    );
}

#[test]
fn corpus_candidates_are_well_formed() {
    for (agent, file) in CORPUS {
        for c in extract_corpus(agent, file) {
            assert!(
                !c.title.is_empty() && c.title.chars().count() <= sk_extract::MAX_TITLE_CHARS,
                "{file}: {}",
                c.title
            );
            assert!(
                c.body.chars().count() <= sk_extract::MAX_BODY_CHARS + 1,
                "{file}: body too long"
            );
            assert!(
                !c.evidence.is_empty() && !c.cues.is_empty(),
                "{file}: {}",
                c.title
            );
            assert!((0.0..=1.0).contains(&c.confidence));
            assert!(
                c.files.iter().all(|f| !f.starts_with("/private/var/folders")),
                "{file}: {:?}",
                c.files
            );
        }
    }
}

#[test]
fn the_sandbox_mistake_says_what_failed_and_that_it_was_never_fixed() {
    let cands = extract_corpus(sk_core::Agent::Claude, "claude/convo.jsonl");
    let m = cands
        .iter()
        .find(|c| matches(c, &MUST_FIND[0]))
        .unwrap_or_else(|| panic!("{}", show(&cands)));
    assert_eq!(
        m.title,
        "`cat > notes.md` failed: output redirection to notes.md was blocked"
    );
    assert_eq!(m.files, vec!["notes.md"], "relative to the session's cwd");
    assert!(
        m.body
            .contains("may only write to files in the allowed working directories"),
        "{}",
        m.body
    );
    assert!(
        m.body.contains("No later attempt passed in this session."),
        "{}",
        m.body
    );
    assert!(
        m.cues.contains(&"recurring:2".to_string()),
        "two refusals, merged: {:?}",
        m.cues
    );
    assert!(m.confidence < 0.5, "never fixed: {}", m.confidence);
}

#[test]
fn corpus_extraction_is_deterministic() {
    for (agent, file) in CORPUS {
        let a = extract_corpus(agent, file);
        let b = extract_corpus(agent, file);
        assert_eq!(a, b, "{file}");
        let hashes: Vec<String> = a.iter().map(Candidate::content_hash).collect();
        assert_eq!(hashes, b.iter().map(Candidate::content_hash).collect::<Vec<_>>());
    }
}
