//! End-to-end checks of the corpus generator on a small (~2 MB) corpus: every line of
//! every undamaged file is JSON, the layout is that of a real home directory, a seed
//! reproduces the same bytes, and the damage rate is honoured.

// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sk_bench::corpus::{self, Agent, DamageKind, Options, Summary};

const SIZE: u64 = 2 << 20;

fn generate(dir: &Path, seed: u64, damage_rate: f64) -> Summary {
    let opts = Options {
        total_bytes: SIZE,
        seed,
        agents: Agent::ALL.to_vec(),
        damage_rate,
    };
    corpus::generate(dir, &opts).expect("generate")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    walk(root, &mut v);
    v.sort();
    v
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|c| c.is_ascii_digit())
}

/// `rollout-YYYY-MM-DDTHH-MM-SS-<uuid>.jsonl` → (YYYY, MM, DD, uuid).
fn parse_rollout(name: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = name.strip_prefix("rollout-")?.strip_suffix(".jsonl")?;
    let (stamp, uuid) = (rest.get(..19)?, rest.get(20..)?);
    let ok = all_digits(&stamp[0..4], 4)
        && &stamp[4..5] == "-"
        && all_digits(&stamp[5..7], 2)
        && &stamp[7..8] == "-"
        && all_digits(&stamp[8..10], 2)
        && &stamp[10..11] == "T"
        && all_digits(&stamp[11..13], 2)
        && all_digits(&stamp[14..16], 2)
        && all_digits(&stamp[17..19], 2)
        && rest.as_bytes()[19] == b'-'
        && is_uuid(uuid);
    ok.then(|| (&stamp[0..4], &stamp[5..7], &stamp[8..10], uuid))
}

/// Which layout pattern a file (relative to the fake home) matches, if any.
fn classify(rel: &[&str]) -> Option<&'static str> {
    match rel {
        [".copilot", "session-state", id, "events.jsonl"] if is_uuid(id) => Some("copilot-events"),
        [".copilot", "session-state", id, "workspace.yaml"] if is_uuid(id) => Some("copilot-yaml"),
        [".copilot", "session-state", id, "plan.md"] if is_uuid(id) => Some("copilot-plan"),
        [".copilot", "session-state", id, "checkpoints", "index.md"] if is_uuid(id) => {
            Some("copilot-checkpoint-index")
        }
        [".copilot", "session-state", id, "checkpoints", name]
            if is_uuid(id) && name.ends_with(".md") && all_digits(&name[..3], 3) && &name[3..4] == "-" =>
        {
            Some("copilot-checkpoint")
        }
        [".claude", "projects", project, file]
            if project.starts_with("-home-user-") && file.strip_suffix(".jsonl").is_some_and(is_uuid) =>
        {
            Some("claude-session")
        }
        [".claude", "projects", project, id, "subagents", file]
            if project.starts_with("-home-user-")
                && is_uuid(id)
                && file
                    .strip_prefix("agent-")
                    .and_then(|f| f.strip_suffix(".jsonl"))
                    .is_some_and(|a| !a.is_empty() && a.bytes().all(|c| c.is_ascii_alphanumeric())) =>
        {
            Some("claude-subagent")
        }
        [".codex", "sessions", y, m, d, name] => {
            let (fy, fm, fd, _) = parse_rollout(name)?;
            (fy == *y && fm == *m && fd == *d).then_some("codex-session")
        }
        [".codex", "archived_sessions", name] => parse_rollout(name).map(|_| "codex-archived"),
        _ => None,
    }
}

#[test]
fn corpus_is_valid_reproducible_and_laid_out_like_a_home() {
    let a = tempfile::tempdir().expect("tempdir");
    let summary = generate(a.path(), 42, 0.01);
    let all = files(a.path());

    // Summary agrees with the disk.
    assert_eq!(summary.files(), all.len() as u64, "file count");
    let on_disk: u64 = all.iter().map(|p| fs::metadata(p).expect("metadata").len()).sum();
    assert_eq!(summary.bytes(), on_disk, "byte count");
    // Roughly the requested size, split evenly.
    assert!(
        on_disk > SIZE * 9 / 10 && on_disk < SIZE * 2,
        "{on_disk} bytes for {SIZE} requested"
    );
    for (agent, s) in &summary.agents {
        assert!(s.sessions >= 3, "{agent}: {} sessions", s.sessions);
        assert!(s.bytes > SIZE / 3 / 2, "{agent}: {} bytes", s.bytes);
    }

    // Layout: every file matches a pattern of a real home directory.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &all {
        let rel: Vec<&str> = p
            .strip_prefix(a.path())
            .expect("under root")
            .components()
            .map(|c| c.as_os_str().to_str().expect("utf-8 path"))
            .collect();
        let kind = classify(&rel).unwrap_or_else(|| panic!("unexpected file {}", rel.join("/")));
        *kinds.entry(kind).or_default() += 1;
    }
    let sessions = |a: Agent| {
        summary
            .agents
            .iter()
            .find(|(x, _)| *x == a)
            .map(|(_, s)| s.sessions as usize)
            .expect("agent")
    };
    assert_eq!(kinds["copilot-events"], sessions(Agent::Copilot));
    assert_eq!(kinds["copilot-yaml"], sessions(Agent::Copilot));
    assert_eq!(kinds["claude-session"], sessions(Agent::Claude));
    assert_eq!(
        kinds.get("codex-session").copied().unwrap_or(0) + kinds.get("codex-archived").copied().unwrap_or(0),
        sessions(Agent::Codex)
    );

    // Every line of every undamaged session file is JSON, with the agent's envelope.
    let damaged: BTreeSet<&Path> = summary.damaged().map(|d| d.path.as_path()).collect();
    let mut lines = 0usize;
    let mut tool_results = 0usize;
    let mut failures = 0usize;
    for p in all.iter().filter(|p| p.extension().is_some_and(|e| e == "jsonl")) {
        if damaged.contains(p.as_path()) {
            continue;
        }
        let bytes = fs::read(p).expect("read");
        assert_eq!(bytes.last(), Some(&b'\n'), "{} ends with a newline", p.display());
        let text = std::str::from_utf8(&bytes).expect("utf-8");
        let s = p.to_string_lossy();
        let mut values = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let v: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", p.display(), i + 1));
            assert!(v["type"].is_string(), "{}:{} has a type", p.display(), i + 1);
            lines += 1;
            values.push(v);
        }
        if s.contains("/.copilot/") {
            assert_eq!(values[0]["type"], "session.start");
            assert_eq!(values.last().expect("lines")["type"], "session.shutdown");
            let id = p.parent().and_then(|d| d.file_name()).expect("dir");
            assert_eq!(values[0]["data"]["sessionId"], id.to_str().expect("utf-8"));
            for v in &values {
                assert!(v["id"].is_string() && v["timestamp"].is_string() && v["data"].is_object());
                if v["type"] == "tool.execution_complete" {
                    tool_results += 1;
                    let content = v["data"]["result"]["content"].as_str().unwrap_or("");
                    if v["data"]["success"] == false || content.contains("with exit code 1") {
                        failures += 1;
                    }
                }
            }
        } else if s.contains("/.claude/") {
            let stem = if s.contains("/subagents/") {
                p.parent()
                    .and_then(|d| d.parent())
                    .and_then(|d| d.file_name())
                    .expect("session dir")
                    .to_str()
                    .expect("utf-8")
                    .to_owned()
            } else {
                p.file_stem().expect("stem").to_str().expect("utf-8").to_owned()
            };
            for v in values
                .iter()
                .filter(|v| v["type"] == "user" || v["type"] == "assistant")
            {
                assert_eq!(v["sessionId"], stem.as_str());
                assert!(v["uuid"].is_string() && v["message"].is_object());
                assert_eq!(v["isSidechain"], s.contains("/subagents/"));
                if let Some(blocks) = v["message"]["content"].as_array() {
                    for b in blocks.iter().filter(|b| b["type"] == "tool_result") {
                        tool_results += 1;
                        failures += usize::from(b["is_error"] == true);
                    }
                }
            }
        } else {
            assert_eq!(values[0]["type"], "session_meta");
            let uuid = &s[s.len() - 42..s.len() - 6];
            assert_eq!(values[0]["payload"]["id"], uuid);
            for v in &values {
                assert!(v["timestamp"].is_string() && v["payload"].is_object());
                if v["type"] == "event_msg" && v["payload"]["type"] == "exec_command_end" {
                    tool_results += 1;
                    failures += usize::from(v["payload"]["exit_code"] != 0);
                }
            }
        }
    }
    assert!(lines > 1000, "{lines} lines");
    // About one tool call in ten fails (generous bounds: the corpus is small).
    let rate = failures as f64 / tool_results as f64;
    assert!((0.03..0.3).contains(&rate), "{failures}/{tool_results} failed");

    // The same seed gives the same bytes; another seed does not.
    let b = tempfile::tempdir().expect("tempdir");
    generate(b.path(), 42, 0.01);
    let again = files(b.path());
    let rel = |root: &Path, v: &[PathBuf]| -> Vec<PathBuf> {
        v.iter()
            .map(|p| p.strip_prefix(root).expect("prefix").to_path_buf())
            .collect()
    };
    assert_eq!(rel(a.path(), &all), rel(b.path(), &again));
    for (x, y) in all.iter().zip(&again) {
        assert!(
            fs::read(x).expect("read") == fs::read(y).expect("read"),
            "{} differs between runs",
            x.display()
        );
    }
    let c = tempfile::tempdir().expect("tempdir");
    generate(c.path(), 43, 0.01);
    assert_ne!(rel(a.path(), &all), rel(c.path(), &files(c.path())));

    // Refuses to write over an existing corpus.
    assert!(corpus::generate(a.path(), &Options::default()).is_err());
}

#[test]
fn damage_rate_is_honoured_and_each_file_shows_its_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(dir.path(), 7, 0.2);
    let session_files: u64 = summary.agents.iter().map(|(_, s)| s.session_files).sum();
    let damaged: Vec<_> = summary.damaged().collect();
    let rate = damaged.len() as f64 / session_files as f64;
    // Error diffusion: within one file per agent of the requested rate.
    let slack = 3.0 / session_files as f64;
    assert!(
        (rate - 0.2).abs() <= slack + 1e-9,
        "{} of {session_files} damaged",
        damaged.len()
    );
    let kinds: BTreeSet<&str> = damaged.iter().map(|d| d.kind.name()).collect();
    assert!(kinds.len() >= 4, "kinds seen: {kinds:?}");
    for d in damaged {
        let bytes = fs::read(&d.path).expect("read");
        let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
        let parses = |l: &[u8]| serde_json::from_slice::<Value>(l).is_ok();
        match d.kind {
            DamageKind::TrailingNul => {
                assert_eq!(bytes.last(), Some(&0));
                assert!(lines[..lines.len() - 1].iter().all(|l| parses(l)));
            }
            DamageKind::GluedLine => {
                assert_eq!(lines.iter().filter(|l| !parses(l)).count(), 1);
            }
            DamageKind::NoFinalNewline => {
                assert_ne!(bytes.last(), Some(&b'\n'));
                assert!(lines[..lines.len() - 1].iter().all(|l| parses(l)));
            }
            DamageKind::InvalidUtf8 => {
                assert!(std::str::from_utf8(&bytes).is_err());
                assert_eq!(lines.iter().filter(|l| !parses(l)).count(), 1);
            }
            DamageKind::Crlf => {
                assert!(lines.iter().all(|l| l.ends_with(b"\r") && parses(l)));
            }
            DamageKind::Bom => {
                assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
                assert!(parses(&lines[0][3..]));
                assert!(lines[1..].iter().all(|l| parses(l)));
            }
        }
    }
}
