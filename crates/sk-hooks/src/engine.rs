//! `sk hooks run EVENT`: read the payload, run the enabled rules for the event, answer in
//! the caller's dialect, write one audit line. It fails open by construction: bad input,
//! an unreadable config, a missing or locked database, a rule that errors, panics or
//! overruns its budget — each ends in exit 0 with no decision and a note in the audit log.
//! Only a rule's own verdict can deny.
//!
//! Rules run on one worker thread, in table order, each under `catch_unwind`; the calling
//! thread waits for each result no longer than that rule's budget and, past it, answers
//! without the rule (the process exits, taking the stuck worker with it).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sk_core::{Agent, Paths};

use crate::audit::{self, RuleRun};
use crate::bypass::Bypasses;
use crate::config::Config;
use crate::rules::{Ctx, RULES, RuleSpec, Verdict};
use crate::wire::output::{self, Answer, Decision, Response};
use crate::wire::{self, Event};

/// Longest reason or context kept in an audit line.
const AUDIT_TEXT: usize = 300;

/// What the command line said.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The EVENT argument as deployed (`preToolUse`, `PreToolUse`, …).
    pub event: &'a str,
    /// `--agent`, when the deployed command names the agent.
    pub agent: Option<Agent>,
    pub stdin: &'a [u8],
}

/// Switches from the environment (`SK_HOOK_DRY_RUN`, `SK_HOOK_TEST_FAULT`).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub dry_run: bool,
    /// `RULE` (panic) or `RULE:slow` (overrun the budget), for fail-open tests.
    pub fault: Option<String>,
}

impl Settings {
    pub fn from_env(src: &dyn sk_core::env::Source) -> Settings {
        let get = |v| src.get(v).map(|s| s.to_string_lossy().into_owned());
        Settings {
            dry_run: get(sk_core::env::SK_HOOK_DRY_RUN)
                .is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false")),
            fault: get(sk_core::env::SK_HOOK_TEST_FAULT),
        }
    }
}

/// One result from the worker.
struct Done {
    rule: &'static str,
    outcome: Result<Verdict, String>,
    panicked: bool,
    us: u64,
}

/// Runs one hook invocation. Never fails: the worst case is an empty answer.
pub fn run(req: &Request<'_>, paths: Option<&Paths>, settings: &Settings) -> Answer {
    let started = Instant::now();
    let now = sk_core::time::now_ms();
    let arg_event = Event::parse(req.event);
    let Some(paths) = paths else {
        return output::fail_open(req.agent, arg_event);
    };
    let mut notes = Vec::new();
    let config = Config::load(&paths.hooks_config()).unwrap_or_else(|e| {
        notes.push(format!("config ignored, defaults used: {e}"));
        Config::default()
    });
    let inv = match wire::parse(req.stdin, req.event, req.agent, paths) {
        Ok(inv) => inv,
        Err(e) => {
            notes.push(format!("failed open: {e}"));
            write_audit(
                paths,
                &config,
                req.agent,
                req.event,
                None,
                Vec::new(),
                "none",
                None,
                started,
                notes,
            );
            return output::fail_open(req.agent, arg_event);
        }
    };
    let bypasses = Bypasses::load(&paths.hooks_bypass()).unwrap_or_else(|e| {
        notes.push(format!("bypass file ignored: {e}"));
        Bypasses::default()
    });
    if inv.event == Event::SessionStart {
        notes.extend(tamper_notes(paths));
    }

    let mut runs = Vec::new();
    let mut selected: Vec<(&'static RuleSpec, u64)> = Vec::new();
    for rule in RULES
        .iter()
        .filter(|r| r.events.contains(&inv.event) && config.enabled(r))
    {
        match bypasses.covering(rule.id, now) {
            Some(b) => runs.push(RuleRun {
                rule: rule.id.into(),
                result: "bypassed".into(),
                note: format!("until {}: {}", sk_core::time::format_ms(b.until_ms), b.reason),
                us: 0,
            }),
            None => selected.push((rule, config.budget_ms(rule))),
        }
    }

    let mut response = Response::default();
    let mut decision = "none";
    let mut reason = None;
    if !selected.is_empty() {
        let results = run_rules(
            &inv,
            paths,
            &config,
            now,
            &selected,
            settings.fault.as_deref(),
            &mut runs,
        );
        for verdict in results {
            match verdict {
                Verdict::Deny(r) if response.decision.is_none() => {
                    reason = Some(r.clone());
                    if settings.dry_run {
                        decision = "deny (dry run)";
                    } else {
                        decision = "deny";
                        response.decision = Some(Decision::Deny(r));
                    }
                }
                Verdict::Ask(r) if response.decision.is_none() && decision == "none" => {
                    decision = "ask";
                    reason = Some(r.clone());
                    response.decision = Some(Decision::Ask(r));
                }
                Verdict::Continue(r) if response.decision.is_none() => {
                    decision = "continue";
                    reason = Some(r.clone());
                    response.decision = Some(Decision::Continue(r));
                }
                Verdict::Context(text) => {
                    if decision == "none" {
                        decision = "context";
                        reason = Some(text.clone());
                    }
                    response.context.push(text);
                }
                _ => {}
            }
        }
    }
    let answer = output::render(inv.agent, inv.dialect, inv.event, &response);
    write_audit(
        paths,
        &config,
        Some(inv.agent),
        req.event,
        inv.session_id.clone(),
        runs,
        decision,
        reason,
        started,
        notes,
    );
    answer
}

/// At session start, locked hook files are checked against their signed manifest — cheaply:
/// only a file whose size or modification time changed is hashed. Drift is written to the
/// audit log (and `sk doctor` reports it); the manifest is never regenerated here.
fn tamper_notes(paths: &Paths) -> Vec<String> {
    match sk_provision::lock::quick_verify(paths) {
        Ok(report) => report
            .problems
            .iter()
            .map(|p| format!("TAMPER: {}: {}; run `sk hooks verify`", p.path.display(), p.issue))
            .collect(),
        Err(e) => vec![format!("TAMPER: the hook lock manifest cannot be read: {e}")],
    }
}

/// Runs `selected` on a worker thread; returns the verdicts of the rules that finished in
/// time and records every rule's fate in `runs`.
fn run_rules(
    inv: &wire::Invocation,
    paths: &Paths,
    config: &Config,
    now: i64,
    selected: &[(&'static RuleSpec, u64)],
    fault: Option<&str>,
    runs: &mut Vec<RuleRun>,
) -> Vec<Verdict> {
    // A panicking rule is caught and audited; the default hook would print to stderr,
    // which Copilot may hand to the model.
    std::panic::set_hook(Box::new(|_| {}));
    let (tx, rx) = mpsc::channel::<Done>();
    let (inv_w, paths_w, config_w) = (inv.clone(), paths.clone(), config.clone());
    let rules: Vec<&'static RuleSpec> = selected.iter().map(|(r, _)| *r).collect();
    let fault_w = fault.map(str::to_string);
    let spawned = std::thread::Builder::new()
        .name("sk-hook-rules".into())
        .spawn(move || {
            let ctx = Ctx::new(&inv_w, &paths_w, &config_w, now);
            for rule in rules {
                let t = Instant::now();
                let result = catch_unwind(AssertUnwindSafe(|| {
                    inject_fault(fault_w.as_deref(), rule.id);
                    (rule.run)(&ctx)
                }));
                let (outcome, panicked) = match result {
                    Ok(Ok(v)) => (Ok(v), false),
                    Ok(Err(e)) => (Err(e.to_string()), false),
                    Err(payload) => (Err(panic_message(payload.as_ref())), true),
                };
                let stop = matches!(outcome, Ok(Verdict::Deny(_)));
                let done = Done {
                    rule: rule.id,
                    outcome,
                    panicked,
                    us: micros(t.elapsed()),
                };
                if tx.send(done).is_err() || stop {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        runs.push(RuleRun {
            rule: "*".into(),
            result: "error".into(),
            note: format!("could not start the rule thread: {e}"),
            us: 0,
        });
        return Vec::new();
    }
    let mut verdicts = Vec::new();
    for (rule, budget) in selected {
        match rx.recv_timeout(Duration::from_millis(*budget)) {
            Ok(done) => {
                let (result, note) = match &done.outcome {
                    Ok(Verdict::Pass(n)) => ("pass", n.clone()),
                    Ok(Verdict::Deny(r)) => ("deny", clip(r)),
                    Ok(Verdict::Ask(r)) => ("ask", clip(r)),
                    Ok(Verdict::Continue(r)) => ("continue", clip(r)),
                    Ok(Verdict::Context(t)) => ("context", format!("{} chars", t.chars().count())),
                    Err(e) if done.panicked => ("panic", clip(e)),
                    Err(e) => ("error", clip(e)),
                };
                runs.push(RuleRun {
                    rule: done.rule.into(),
                    result: result.into(),
                    note,
                    us: done.us,
                });
                if let Ok(v) = done.outcome {
                    verdicts.push(v);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                runs.push(RuleRun {
                    rule: rule.id.into(),
                    result: "over-budget".into(),
                    note: format!("no answer within {budget} ms; ignored"),
                    us: budget * 1000,
                });
                break;
            }
            // The worker stopped early (after a deny): the remaining rules were not needed.
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    verdicts
}

fn inject_fault(fault: Option<&str>, rule: &str) {
    let Some(f) = fault else { return };
    let (name, kind) = f.split_once(':').unwrap_or((f, "panic"));
    if name != rule {
        return;
    }
    if kind == "slow" {
        std::thread::sleep(Duration::from_secs(30));
    } else {
        panic!("SK_HOOK_TEST_FAULT: injected panic in rule {rule}");
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .map_or_else(|| "panicked".into(), |m| format!("panicked: {m}"))
}

#[allow(clippy::too_many_arguments)]
fn write_audit(
    paths: &Paths,
    config: &Config,
    agent: Option<Agent>,
    event: &str,
    session: Option<String>,
    rules: Vec<RuleRun>,
    decision: &str,
    reason: Option<String>,
    started: Instant,
    notes: Vec<String>,
) {
    let line = audit::Line {
        time: sk_core::time::format_ms(sk_core::time::now_ms()),
        agent: agent.map(|a| a.as_str().to_string()),
        event: event.to_string(),
        session,
        rules,
        decision: decision.to_string(),
        reason: reason.map(|r| clip(&r)),
        duration_us: micros(started.elapsed()),
        notes,
    };
    // Nothing useful can be done if the log cannot be written: the hook still answers.
    let _ = audit::append(&paths.hooks_audit(), &line, config.audit.max_bytes);
}

fn clip(text: &str) -> String {
    if text.chars().count() <= AUDIT_TEXT {
        return text.to_string();
    }
    let mut s: String = text.chars().take(AUDIT_TEXT).collect();
    s.push('…');
    s
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
