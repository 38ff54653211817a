//! The retrieval evaluation: questions written against the real logs in `fixtures/corpus`
//! and a small generated corpus (`eval/questions.txt`), each naming the session or entry
//! that answers it. Prints recall@1, recall@5 and MRR, and fails when any falls below the
//! value recorded in `eval/ratchet.txt` — raise those numbers when ranking improves.

use sk_test::TestEnv;

const QUESTIONS: &str = include_str!("eval/questions.txt");
const RATCHET: &str = include_str!("eval/ratchet.txt");

struct Question<'a> {
    corpus: &'a str,
    expected: Vec<&'a str>,
    text: &'a str,
}

fn questions() -> Vec<Question<'static>> {
    QUESTIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.splitn(3, '|').map(str::trim).collect();
            assert_eq!(parts.len(), 3, "malformed question line: {l}");
            Question {
                corpus: parts[0],
                expected: parts[1].split(" or ").map(str::trim).collect(),
                text: parts[2],
            }
        })
        .collect()
}

/// The seven real sessions, where each agent keeps them, indexed.
pub(crate) fn real_env() -> TestEnv {
    let env = TestEnv::new();
    env.seed_corpus(
        "claude/convo.jsonl",
        ".claude/projects/-tmp-demo/89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl",
    );
    env.seed_corpus(
        "claude/convo-compacted.jsonl",
        ".claude/projects/-tmp-demo/c07efcc2-c931-4e4e-bc2c-b14ded596469.jsonl",
    );
    env.seed_corpus(
        "codex/compacted-real.jsonl",
        ".codex/sessions/2026/07/21/rollout-2026-07-21T22-25-58-019f86c9-2b8a-7651-bff3-79039535009a.jsonl",
    );
    env.seed_corpus(
        "codex/convo.jsonl",
        ".codex/sessions/2026/05/07/rollout-2026-05-07T18-27-42-019e03b2-11a2-7320-9098-5d831813e66c.jsonl",
    );
    env.seed_corpus(
        "copilot/compacted-real.jsonl",
        ".copilot/session-state/52caac9f-099a-4057-9867-6e4bd35a2c0d/events.jsonl",
    );
    env.seed_corpus(
        "copilot/real-session.jsonl",
        ".copilot/session-state/7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe/events.jsonl",
    );
    env.seed_corpus("copilot/convo.jsonl", ".copilot/session-state/demo/events.jsonl");
    env.sk().arg("index").assert().success();
    env
}

fn generated_env() -> TestEnv {
    let env = TestEnv::new();
    sk_bench::corpus::generate(
        env.home(),
        &sk_bench::corpus::Options {
            total_bytes: 1 << 20,
            damage_rate: 0.0,
            ..Default::default()
        },
    )
    .expect("generate corpus");
    env.sk().arg("index").assert().success();
    env
}

/// 1-based rank of the first hit that answers, among the first 10.
fn rank_of(env: &TestEnv, q: &Question<'_>) -> Option<usize> {
    let out = env
        .sk()
        .args(["query", "--json", "--limit", "10", "--", q.text])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let hits = v["hits"].as_array().expect("hits");
    hits.iter()
        .position(|h| {
            q.expected.iter().any(|want| {
                if let Some(key) = want.strip_prefix("session:") {
                    h["kind"] == "session" && h["id"].as_str().is_some_and(|id| id.starts_with(key))
                } else if let Some(title) = want.strip_prefix("entry:") {
                    h["kind"] == "knowledge"
                        && h["title"]
                            .as_str()
                            .is_some_and(|t| t.to_lowercase().contains(&title.to_lowercase()))
                } else {
                    panic!("unknown expectation {want}")
                }
            })
        })
        .map(|i| i + 1)
}

fn recorded(name: &str) -> f64 {
    RATCHET
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from eval/ratchet.txt"))
}

#[test]
fn retrieval_quality_does_not_regress() {
    let qs = questions();
    assert!(qs.len() >= 40, "the evaluation needs at least 40 questions");
    let real = real_env();
    let generated = generated_env();
    let mut ranks = Vec::new();
    for q in &qs {
        let env = match q.corpus {
            "real" => &real,
            "gen" => &generated,
            other => panic!("unknown corpus {other}"),
        };
        let r = rank_of(env, q);
        if r != Some(1) {
            eprintln!("rank {:?}: [{}] {}", r, q.corpus, q.text);
        }
        ranks.push(r);
    }
    let n = ranks.len() as f64;
    let at = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n;
    let mrr = ranks
        .iter()
        .map(|r| r.map_or(0.0, |r| 1.0 / r as f64))
        .sum::<f64>()
        / n;
    let (r1, r5) = (at(1), at(5));
    eprintln!(
        "retrieval eval over {} questions: recall@1 = {r1:.3}, recall@5 = {r5:.3}, MRR = {mrr:.3}",
        ranks.len()
    );
    let slack = 1e-9;
    assert!(r1 + slack >= recorded("recall_at_1"), "recall@1 fell to {r1:.3}");
    assert!(r5 + slack >= recorded("recall_at_5"), "recall@5 fell to {r5:.3}");
    assert!(mrr + slack >= recorded("mrr"), "MRR fell to {mrr:.3}");
}
