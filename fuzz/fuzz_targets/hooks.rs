//! The hook payload parser (`sk_hooks::wire::parse`) and what runs on its result without a
//! database: the tool-call normalization, the guards, the secret guard, the text analysis of
//! the known-mistake rules (up to the point they would open the missing database), and the
//! rendering of the answer in each dialect.
//!
//! Input: a first line `EVENT` or `AGENT EVENT` (as the deployed command line names them),
//! then the JSON payload on stdin. A first line that does not parse that way is a payload.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sk_core::{Agent, Paths};
use sk_hooks::config::Config;
use sk_hooks::rules::{self, Ctx, Verdict};
use sk_hooks::wire::output::{Decision, Response, render};
use sk_hooks::wire::{self, Event};

/// A home with a repository in it and nothing else: no database, markers or settings.
fn paths() -> &'static Paths {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    PATHS.get_or_init(|| {
        let home = sk_fuzz::scratch().join("home");
        // A repository as working directory, so the repository-aware guards have one.
        let git = home.join("work/.git");
        std::fs::create_dir_all(git.join("refs/remotes/origin")).expect("repository");
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").expect("HEAD");
        let env = sk_core::env::MapEnv(vec![("HOME", home.into_os_string())]);
        Paths::resolve(&env, None).expect("paths")
    })
}

fn agent(name: &str) -> Option<Agent> {
    Agent::ALL.into_iter().find(|a| a.as_str() == name)
}

/// The rules whose decisions come from the payload alone, or that analyse it before they
/// need the database (which is missing here, so they stop there).
const RULES: &[&str] = &["guard", "secret_guard", "mistake_warn", "mistake_lookup"];

fuzz_target!(|data: &[u8]| {
    let (first, stdin) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    let first = String::from_utf8_lossy(first);
    let words: Vec<&str> = first.split_whitespace().collect();
    let (agent, event, stdin) = match words.as_slice() {
        [event] if !event.starts_with('{') => (None, *event, stdin),
        [a, event] if agent(a).is_some() => (agent(a), *event, stdin),
        _ => (None, "preToolUse", data),
    };
    let paths = paths();
    let Ok(mut inv) = wire::parse(stdin, event, agent, paths) else {
        return;
    };
    // The guard walks up from the working directory looking for a repository: keep that
    // walk inside the scratch folder instead of wherever the payload points.
    inv.cwd = Some(PathBuf::from(sk_fuzz::scratch()).join("home/work"));
    if let Some(command) = inv.tool.as_ref().and_then(|t| t.command()) {
        let _ = sk_extract::normalize_command(command);
    }
    let config = Config::default();
    let ctx = Ctx::new(&inv, paths, &config, 1_783_000_000_000);
    let mut response = Response::default();
    for id in RULES {
        let rule = rules::find(id).expect("rule exists");
        if !rule.events.contains(&inv.event) {
            continue;
        }
        match (rule.run)(&ctx) {
            Ok(Verdict::Deny(r)) if response.decision.is_none() => {
                response.decision = Some(Decision::Deny(r))
            }
            Ok(Verdict::Ask(r)) if response.decision.is_none() => response.decision = Some(Decision::Ask(r)),
            Ok(Verdict::Context(c)) => response.context.push(c),
            _ => {}
        }
    }
    for event in [inv.event, Event::SessionStart] {
        let answer = render(inv.agent, inv.dialect, event, &response);
        if !answer.stdout.is_empty() {
            assert!(
                serde_json::from_str::<serde_json::Value>(&answer.stdout).is_ok(),
                "the answer is not JSON: {}",
                answer.stdout
            );
        }
    }
});
