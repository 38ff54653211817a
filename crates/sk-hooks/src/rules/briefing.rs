//! At session start, what the agent should know about the work in its directory: the
//! `sk brief --auto` briefing, within the configured budget. Claude Code and Codex get it
//! as `additionalContext`; Copilot CLI ignores sessionStart output, so for Copilot it is
//! written into the marked section of its instructions file (see docs/ARCHITECTURE.md).
//! Every briefing ends with [`LEARN_HINT`]: the lessons rules cannot extract are the ones
//! the agent itself can write down. When nothing is relevant to this repository nothing is
//! injected at all, the hint neither: an agent in a fresh repository is shown no sk text.

use std::path::PathBuf;

use sk_core::Agent;

use super::{Ctx, Verdict};
use crate::HookError;
use crate::brief_adapter::{self, Format};
use crate::instructions;

/// Two lines that ask the agent to record what it learns (`source: agent`).
pub const LEARN_HINT: &str = "When you fix a problem whose cause was not obvious, or the user corrects you, record the lesson for later sessions:\n\
sk learn --mistake|--decision|--pattern --source agent \"<title: the lesson>\" \"<body: what happened, why, what fixed it>\"";

pub fn run(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    let cwd = ctx.cwd().unwrap_or_else(|| PathBuf::from("."));
    let store = ctx.db()?;
    // The hint is part of the budget, so the whole text stays within it.
    let budget = ctx
        .config
        .briefing
        .budget_chars
        .saturating_sub(LEARN_HINT.chars().count() + 2);
    if ctx.inv.agent == Agent::Copilot {
        let path = ctx.paths.copilot_instructions();
        // Nothing relevant here: an empty section, so that an earlier session's is emptied
        // (another repository's briefing must not stay behind); `apply` creates no file for
        // it and leaves the user's own file without sk's section alone.
        let section = match brief_adapter::for_directory(store, &cwd, budget, Format::Markdown)? {
            Some(body) => format!("Written for {}.\n\n{body}\n\n{LEARN_HINT}", cwd.display()),
            None => String::new(),
        };
        let changed = instructions::apply(&path, &section)?;
        if section.is_empty() && !changed {
            return Ok(Verdict::Pass("nothing relevant to this repository".into()));
        }
        return Ok(Verdict::Pass(format!(
            "{} the briefing section of {}",
            if changed { "updated" } else { "kept" },
            path.display()
        )));
    }
    Ok(
        match brief_adapter::for_directory(store, &cwd, budget, Format::Xml)? {
            Some(text) => Verdict::Context(format!("{text}\n\n{LEARN_HINT}")),
            None => Verdict::Pass("nothing relevant to this repository".into()),
        },
    )
}
