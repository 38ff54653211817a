//! `sk hooks …`: the hook program agents call, its rules, audit log, bypass and sub-agent
//! markers. Kept apart from `cli.rs`, which had grown past 800 lines; `crate::cli`
//! re-exports everything here.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::ProvisionCommand;

/// `sk hooks …`
#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Run as an agent's hook: read the event's JSON on stdin, answer on stdout
    Run(HooksRunArgs),
    /// List the hook rules with their state (enabled, bypassed, budget)
    Rules(HooksRulesArgs),
    /// Show the audit log: one line per hook invocation and per bypass change
    Audit(HooksAuditArgs),
    /// Emergency bypass: switch a rule (or all) off for a while, with a reason
    Disable(HooksDisableArgs),
    /// End a bypass before it expires, or switch on a rule that is off (e.g. opt-in `reflect`)
    Enable(HooksEnableArgs),
    /// The signed "dispatched sub-agent" marker that blocks git commit/push from tool calls
    #[command(subcommand)]
    Marker(MarkerCommand),
    #[command(flatten)]
    Provision(ProvisionCommand),
}

/// `sk hooks run [--agent A] EVENT`
#[derive(Debug, Args)]
#[command(after_help = "\
Events: Copilot CLI camelCase (sessionStart, preToolUse, postToolUseFailure, agentStop, …) or
Claude Code / Codex PascalCase (SessionStart, PreToolUse, PostToolUse, Stop, …). The dialect is
detected from stdin: camelCase fields for Copilot, `hook_event_name` + snake_case for Claude Code,
Codex and Copilot's PascalCase mode.

sk always fails open: malformed input, a missing or locked database, a rule that errors, panics
or overruns its budget — exit 0, no decision, and a line in the audit log
($COPILOT_HOME/markers/hooks-audit.jsonl). Only a rule's verdict denies. SK_HOOK_DRY_RUN=1 logs
denies without denying. This command is dispatched before argument parsing for speed.")]
pub struct HooksRunArgs {
    /// The agent calling (default: detected from the payload)
    #[arg(long, value_name = "copilot|claude|codex")]
    pub agent: Option<sk_core::Agent>,
    /// The hook event, as the agent names it
    pub event: String,
}

/// `sk hooks rules [--json]`
#[derive(Debug, Args)]
#[command(after_help = "Settings: $COPILOT_HOME/markers/hooks-config.json, e.g.
{\"rules\": {\"mistake_warn\": {\"enabled\": false}, \"guard\": {\"budget_ms\": 200}},
 \"briefing\": {\"budget_chars\": 4000}, \"lookup\": {\"min_confidence\": 0.3, \"max_fixes\": 2}}
No file means every rule at its default.")]
pub struct HooksRulesArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// `sk hooks audit [--tail N] [--json]`
#[derive(Debug, Args)]
pub struct HooksAuditArgs {
    /// How many of the latest lines to show
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub tail: usize,
    /// Print the raw JSON lines
    #[arg(long)]
    pub json: bool,
}

/// `sk hooks disable RULE|--all --reason TEXT [--for 1h]`
#[derive(Debug, Args)]
#[command(
    after_help = "The bypass is recorded in $COPILOT_HOME/markers/hooks-bypass.json and the audit log, shown by
`sk hooks rules`, and expires by itself (default 1h, at most 7d). `sk hooks enable` ends it early."
)]
pub struct HooksDisableArgs {
    /// The rule to switch off (`sk hooks rules` lists them)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub rule: Option<String>,
    /// Switch off every rule
    #[arg(long)]
    pub all: bool,
    /// Why (recorded in the audit log)
    #[arg(long, required = true)]
    pub reason: String,
    /// How long: 30m, 1h, 2d
    #[arg(long = "for", value_name = "DURATION", default_value = "1h")]
    pub duration: String,
}

/// `sk hooks enable RULE|--all`
#[derive(Debug, Args)]
#[command(
    after_help = "A rule that is off in $COPILOT_HOME/markers/hooks-config.json, or off by default (`mistake_warn`,
`reflect`), is switched on there. `--all` only ends bypasses."
)]
pub struct HooksEnableArgs {
    /// The rule whose bypass ends, or that is switched on
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub rule: Option<String>,
    /// End every bypass
    #[arg(long)]
    pub all: bool,
}

/// `sk hooks marker set|clear|status`
#[derive(Debug, Subcommand)]
pub enum MarkerCommand {
    /// Mark the repository as having a dispatched sub-agent (git commit/push are denied)
    Set(MarkerSetArgs),
    /// Remove the marker
    Clear(MarkerRepoArgs),
    /// Show whether a marker is active
    Status(MarkerStatusArgs),
}

/// `sk hooks marker set [--repo DIR] [--for 4h]`
#[derive(Debug, Args)]
pub struct MarkerSetArgs {
    #[command(flatten)]
    pub repo: MarkerRepoArgs,
    /// How long it stays active [default: marker.ttl_hours of hooks-config.json, 4h]
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,
}

/// `--repo DIR`
#[derive(Debug, Args)]
pub struct MarkerRepoArgs {
    /// A folder inside the repository [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
}

/// `sk hooks marker status [--repo DIR] [--json]`
#[derive(Debug, Args)]
pub struct MarkerStatusArgs {
    #[command(flatten)]
    pub repo: MarkerRepoArgs,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}
