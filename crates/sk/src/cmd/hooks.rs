//! `sk hooks …`: the hook program agents call (`run`, also dispatched before clap by
//! [`fast_path`]), and the commands people use around it: the rules and their state, the
//! audit log, the emergency bypass, and the sub-agent marker. The runtime lives in sk-hooks.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;
use sk_core::{Agent, Paths};
use sk_hooks::audit;
use sk_hooks::bypass::{self, Bypasses};
use sk_hooks::config::Config;
use sk_hooks::marker::{self, Status};
use sk_hooks::rules::RULES;

use crate::cli::{
    HooksAuditArgs, HooksCommand, HooksDisableArgs, HooksEnableArgs, HooksRulesArgs, HooksRunArgs,
    MarkerCommand, MarkerRepoArgs, MarkerSetArgs, MarkerStatusArgs,
};
use crate::exit;
use crate::output::Out;

/// Largest payload read from stdin; tool results can be long, but not unbounded.
const MAX_STDIN: u64 = 32 << 20;

/// `sk hooks run [--agent A] [--db P] EVENT` without clap: parses only these arguments
/// and returns None for anything else (help, typos), which clap then reports.
pub fn fast_path() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let (agent, db, event) = parse_run_args(&args)?;
    Some(run_hook(&event, agent, db))
}

fn parse_run_args(args: &[OsString]) -> Option<(Option<Agent>, Option<PathBuf>, String)> {
    let mut it = args.iter().map(|a| a.to_str());
    if it.next()?? != "hooks" || it.next()?? != "run" {
        return None;
    }
    let (mut agent, mut db, mut event) = (None, None, None);
    while let Some(a) = it.next() {
        let a = a?;
        if let Some(v) = a.strip_prefix("--agent=") {
            agent = Some(v.parse().ok()?);
        } else if a == "--agent" {
            agent = Some(it.next()??.parse().ok()?);
        } else if let Some(v) = a.strip_prefix("--db=") {
            db = Some(PathBuf::from(v));
        } else if a == "--db" {
            db = Some(PathBuf::from(it.next()??));
        } else if a.starts_with('-') || event.is_some() {
            return None;
        } else {
            event = Some(a.to_string());
        }
    }
    Some((agent, db, event?))
}

fn run_hook(event: &str, agent: Option<Agent>, db: Option<PathBuf>) -> ExitCode {
    let mut stdin = Vec::new();
    // An unreadable stdin is an empty payload: the engine fails open and audits it.
    let _ = std::io::stdin().take(MAX_STDIN).read_to_end(&mut stdin);
    let paths = Paths::from_env(db).ok();
    let settings = sk_hooks::Settings::from_env(&sk_core::env::ProcessEnv);
    let answer = sk_hooks::run(
        &sk_hooks::Request {
            event,
            agent,
            stdin: &stdin,
        },
        paths.as_ref(),
        &settings,
    );
    // A closed pipe cannot be reported to anyone; the exit code still is.
    let _ = std::io::stdout().write_all(answer.stdout.as_bytes());
    let _ = std::io::stderr().write_all(answer.stderr.as_bytes());
    ExitCode::from(answer.exit)
}

pub fn run(paths: &Paths, cmd: &HooksCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HooksCommand::Run(args) => run_clap(paths, args),
        HooksCommand::Rules(args) => rules(paths, args),
        HooksCommand::Audit(args) => audit_log(paths, args),
        HooksCommand::Disable(args) => disable(paths, args),
        HooksCommand::Enable(args) => enable(paths, args),
        HooksCommand::Marker(MarkerCommand::Set(args)) => marker_set(paths, args),
        HooksCommand::Marker(MarkerCommand::Clear(args)) => marker_clear(paths, args),
        HooksCommand::Marker(MarkerCommand::Status(args)) => marker_status(paths, args),
        HooksCommand::Provision(cmd) => super::hooks_provision::run(paths, cmd),
    }
}

/// Reached only when the fast path declined (e.g. `sk --db P hooks run X`).
fn run_clap(paths: &Paths, args: &HooksRunArgs) -> anyhow::Result<ExitCode> {
    Ok(run_hook(&args.event, args.agent, Some(paths.db.clone())))
}

fn rules(paths: &Paths, args: &HooksRulesArgs) -> anyhow::Result<ExitCode> {
    let now = sk_core::time::now_ms();
    let (config, config_error) = match Config::load(&paths.hooks_config()) {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(e.to_string())),
    };
    let bypasses = Bypasses::load(&paths.hooks_bypass()).context("reading the bypass file")?;
    let rows: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            let bypass = bypasses.covering(r.id, now);
            let state = match (config.enabled(r), bypass) {
                (false, _) => "disabled".to_string(),
                (true, Some(b)) => format!("bypassed until {}", sk_core::time::format_ms(b.until_ms)),
                (true, None) => "enabled".to_string(),
            };
            json!({
                "rule": r.id,
                "state": state,
                "enabled": config.enabled(r),
                "bypass": bypass.map(|b| json!({"reason": b.reason, "since": sk_core::time::format_ms(b.since_ms), "until": sk_core::time::format_ms(b.until_ms), "all_rules": b.rule == bypass::ALL})),
                "events": r.events.iter().map(|e| e.pascal()).collect::<Vec<_>>(),
                "budget_ms": config.budget_ms(r),
                "uses_db": r.needs_db,
                "summary": r.summary,
            })
        })
        .collect();
    let mut out = Out::new();
    if args.json {
        out.json(&json!({
            "config": paths.hooks_config(),
            "config_error": config_error,
            "unknown_rules_in_config": config.unknown_rules(),
            "rules": rows,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{:<15} {:<34} {:>7}  EVENTS", "RULE", "STATE", "BUDGET")?;
    for (r, row) in RULES.iter().zip(&rows) {
        let events: Vec<&str> = r.events.iter().map(|e| e.pascal()).collect();
        writeln!(
            out,
            "{:<15} {:<34} {:>5}ms  {}",
            r.id,
            row["state"].as_str().unwrap_or(""),
            config.budget_ms(r),
            events.join(",")
        )?;
        writeln!(out, "{:<15} {}", "", r.summary)?;
        if let Some(b) = bypasses.covering(r.id, now) {
            writeln!(out, "{:<15} bypass reason: {}", "", b.reason)?;
        }
    }
    writeln!(out, "\nSettings: {}", paths.hooks_config().display())?;
    if let Some(e) = config_error {
        writeln!(
            out,
            "warning: the settings file is not valid, defaults are used: {e}"
        )?;
    }
    for unknown in config.unknown_rules() {
        writeln!(
            out,
            "warning: the settings file names an unknown rule `{unknown}`"
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn audit_log(paths: &Paths, args: &HooksAuditArgs) -> anyhow::Result<ExitCode> {
    let lines = audit::tail(&paths.hooks_audit(), args.tail).context("reading the audit log")?;
    let mut out = Out::new();
    if args.json {
        for l in &lines {
            writeln!(out, "{}", serde_json::to_string(l)?)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        writeln!(out, "The audit log is empty ({}).", paths.hooks_audit().display())?;
    }
    for l in &lines {
        let rules: Vec<String> = l
            .rules
            .iter()
            .map(|r| format!("{}={}", r.rule, r.result))
            .collect();
        writeln!(
            out,
            "{} {:<7} {:<20} {:<15} {:>7}µs {}",
            l.time,
            l.agent.as_deref().unwrap_or("-"),
            l.event,
            l.decision,
            l.duration_us,
            rules.join(" ")
        )?;
        if let Some(r) = &l.reason {
            writeln!(out, "    reason: {}", r.lines().next().unwrap_or(""))?;
        }
        for n in &l.notes {
            writeln!(out, "    note: {n}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn rule_arg(rule: Option<&str>, all: bool) -> Result<Option<&str>, String> {
    match (rule, all) {
        (_, true) => Ok(None),
        (Some(r), false) if sk_hooks::rules::find(r).is_some() => Ok(Some(r)),
        (Some(r), false) => Err(format!("unknown rule `{r}`: `sk hooks rules` lists them")),
        (None, false) => Err("name a rule or pass --all".into()),
    }
}

fn disable(paths: &Paths, args: &HooksDisableArgs) -> anyhow::Result<ExitCode> {
    let rule = match rule_arg(args.rule.as_deref(), args.all) {
        Ok(r) => r.unwrap_or(bypass::ALL),
        Err(msg) => return usage(&msg),
    };
    if args.reason.trim().is_empty() {
        return usage("--reason must say why the rule is bypassed");
    }
    let for_ms = match bypass::parse_duration(&args.duration) {
        Ok(ms) => ms,
        Err(msg) => return usage(&msg),
    };
    let now = sk_core::time::now_ms();
    let path = paths.hooks_bypass();
    let current = Bypasses::load(&path).context("reading the bypass file")?;
    let next = current.disabled(rule, args.reason.trim(), for_ms, now);
    next.save(&path).context("writing the bypass file")?;
    let until = sk_core::time::format_ms(now + for_ms);
    audit_change(
        paths,
        "hooks disable",
        "disable",
        rule,
        &format!("until {until}: {}", args.reason.trim()),
    );
    let what = if rule == bypass::ALL {
        "All hook rules are".to_string()
    } else {
        format!("Rule {rule} is")
    };
    let mut out = Out::new();
    writeln!(
        out,
        "{what} bypassed until {until} (reason: {}).\nEnd it early with `sk hooks enable {}`.",
        args.reason.trim(),
        if rule == bypass::ALL { "--all" } else { rule }
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn enable(paths: &Paths, args: &HooksEnableArgs) -> anyhow::Result<ExitCode> {
    let rule = match rule_arg(args.rule.as_deref(), args.all) {
        Ok(r) => r,
        Err(msg) => return usage(&msg),
    };
    let now = sk_core::time::now_ms();
    let path = paths.hooks_bypass();
    let current = Bypasses::load(&path).context("reading the bypass file")?;
    let (next, removed) = current.enabled(rule, now);
    let mut out = Out::new();
    if !removed.is_empty() || next != current {
        next.save(&path).context("writing the bypass file")?;
    }
    for b in &removed {
        audit_change(
            paths,
            "hooks enable",
            "enable",
            &b.rule,
            &format!("bypass ended early (was: {})", b.reason),
        );
        writeln!(
            out,
            "Enabled {} (bypass since {} ended).",
            if b.rule == bypass::ALL {
                "all rules"
            } else {
                &b.rule
            },
            sk_core::time::format_ms(b.since_ms)
        )?;
    }
    // A rule that is off in the settings (an opt-in rule such as `reflect`) is switched on.
    let switched = match rule.and_then(sk_hooks::rules::find) {
        Some(spec) => switch_on(paths, spec, &mut out)?,
        None => false,
    };
    if removed.is_empty() && !switched {
        writeln!(
            out,
            "Nothing to enable: {} not bypassed.",
            rule.map_or("no rule is".to_string(), |r| format!("{r} is"))
        )?;
        if let Some(r) = rule
            && next.covering(r, now).is_some()
        {
            writeln!(out, "All rules are bypassed: `sk hooks enable --all` ends that.")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Sets `rules.<id>.enabled` in hooks-config.json when the rule is off there or by
/// default; true when it did. A malformed file is reported, never overwritten.
fn switch_on(paths: &Paths, spec: &sk_hooks::rules::RuleSpec, out: &mut Out) -> anyhow::Result<bool> {
    let file = paths.hooks_config();
    let config = Config::load(&file).context("reading the hook settings; fix the file by hand")?;
    if config.enabled(spec) {
        return Ok(false);
    }
    sk_hooks::config::switch_on(&file, spec.id).context("switching the rule on")?;
    let was = if spec.default_enabled {
        "switched off there"
    } else {
        "off by default"
    };
    audit_change(
        paths,
        "hooks enable",
        "enable",
        spec.id,
        &format!("switched on in hooks-config.json (was {was})"),
    );
    writeln!(out, "Enabled {} in {} (it was {was}).", spec.id, file.display())?;
    Ok(true)
}

/// An audit line for a change people made (bypass, marker).
fn audit_change(paths: &Paths, event: &str, decision: &str, rule: &str, reason: &str) {
    let config = Config::load(&paths.hooks_config()).unwrap_or_default();
    let line = audit::Line {
        time: sk_core::time::format_ms(sk_core::time::now_ms()),
        agent: None,
        event: event.into(),
        session: None,
        rules: vec![audit::RuleRun {
            rule: rule.into(),
            result: decision.into(),
            note: String::new(),
            us: 0,
        }],
        decision: decision.into(),
        reason: Some(reason.into()),
        duration_us: 0,
        notes: Vec::new(),
    };
    if let Err(e) = audit::append(&paths.hooks_audit(), &line, config.audit.max_bytes) {
        eprintln!("warning: could not write the audit log: {e}");
    }
}

fn repo_root(args: &MarkerRepoArgs) -> anyhow::Result<PathBuf> {
    let dir = match &args.repo {
        Some(d) => d.clone(),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    let dir = std::fs::canonicalize(&dir).with_context(|| format!("cannot open {}", dir.display()))?;
    match sk_hooks::gitroot::find(&dir) {
        Some(r) => Ok(r.root),
        None => bail!(
            "{} is not inside a git repository: pass --repo DIR",
            dir.display()
        ),
    }
}

fn marker_set(paths: &Paths, args: &MarkerSetArgs) -> anyhow::Result<ExitCode> {
    let root = repo_root(&args.repo)?;
    let config = Config::load(&paths.hooks_config()).unwrap_or_default();
    let for_ms = match &args.duration {
        Some(d) => match bypass::parse_duration(d) {
            Ok(ms) => ms,
            Err(msg) => return usage(&msg),
        },
        None => i64::try_from(config.marker.ttl_hours.saturating_mul(3_600_000)).unwrap_or(bypass::MAX_MS),
    };
    let m =
        marker::set(paths, &root, for_ms, sk_core::time::now_ms()).context("setting the sub-agent marker")?;
    audit_change(
        paths,
        "hooks marker set",
        "marker-set",
        "subagent_git",
        &root.display().to_string(),
    );
    let mut out = Out::new();
    writeln!(
        out,
        "Sub-agent marker set for {} until {}: git commit/push from agent tool calls are denied there.\n\
         Clear it with `sk hooks marker clear --repo {}`.",
        root.display(),
        sk_core::time::format_ms(m.until_ms),
        root.display()
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn marker_clear(paths: &Paths, args: &MarkerRepoArgs) -> anyhow::Result<ExitCode> {
    let root = repo_root(args)?;
    let removed = marker::clear(paths, &root).context("clearing the sub-agent marker")?;
    if removed {
        audit_change(
            paths,
            "hooks marker clear",
            "marker-clear",
            "subagent_git",
            &root.display().to_string(),
        );
    }
    let mut out = Out::new();
    writeln!(
        out,
        "{} {}.",
        if removed {
            "Cleared the sub-agent marker for"
        } else {
            "No sub-agent marker was set for"
        },
        root.display()
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn marker_status(paths: &Paths, args: &MarkerStatusArgs) -> anyhow::Result<ExitCode> {
    let root = repo_root(&args.repo)?;
    let status = marker::status(paths, &root, sk_core::time::now_ms());
    let (state, until, detail) = match &status {
        Status::None => ("none", None, None),
        Status::Active(m) => ("active", Some(sk_core::time::format_ms(m.until_ms)), None),
        Status::Expired(m) => ("expired", Some(sk_core::time::format_ms(m.until_ms)), None),
        Status::Invalid(why) => ("invalid", None, Some(why.clone())),
    };
    let mut out = Out::new();
    if args.json {
        out.json(&json!({"repo": root, "state": state, "until": until, "detail": detail}))?;
        return Ok(ExitCode::SUCCESS);
    }
    match &status {
        Status::None => writeln!(out, "No sub-agent marker for {}.", root.display())?,
        Status::Active(_) => writeln!(
            out,
            "Active for {} until {}: git commit/push from agent tool calls are denied.",
            root.display(),
            until.unwrap_or_default()
        )?,
        Status::Expired(_) => writeln!(
            out,
            "Expired for {} (at {}); it no longer blocks anything.",
            root.display(),
            until.unwrap_or_default()
        )?,
        Status::Invalid(why) => writeln!(out, "Ignored for {}: {why}.", root.display())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn usage(msg: &str) -> anyhow::Result<ExitCode> {
    eprintln!("error: {msg}");
    Ok(ExitCode::from(exit::USAGE))
}

#[cfg(test)]
mod tests {
    use super::parse_run_args;
    use std::ffi::OsString;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn fast_path_takes_only_what_it_understands() {
        let (agent, db, event) =
            parse_run_args(&args(&["hooks", "run", "--agent", "codex", "SessionStart"])).expect("parsed");
        assert_eq!(
            (agent, db, event.as_str()),
            (Some(sk_core::Agent::Codex), None, "SessionStart")
        );
        let (_, db, _) =
            parse_run_args(&args(&["hooks", "run", "--db=/x.db", "preToolUse"])).expect("parsed");
        assert_eq!(db, Some("/x.db".into()));
        for declined in [
            &["hooks", "run", "--help"][..],
            &["hooks", "run"],
            &["hooks", "run", "a", "b"],
            &["hooks", "run", "--agent", "cursor", "x"],
            &["hooks", "rules"],
            &["index"],
        ] {
            assert!(parse_run_args(&args(declined)).is_none(), "{declined:?}");
        }
    }
}
