//! At session start, what the agent should know about the work in its directory: the
//! `sk brief --auto` briefing, within the configured budget. Claude Code and Codex get it
//! as `additionalContext`; Copilot CLI ignores sessionStart output, so for Copilot it is
//! written into the marked section of its instructions file (see docs/ARCHITECTURE.md).

use std::path::PathBuf;

use sk_core::Agent;

use super::{Ctx, Verdict};
use crate::HookError;
use crate::brief_adapter::{self, Format};
use crate::instructions;

pub fn run(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    let cwd = ctx.cwd().unwrap_or_else(|| PathBuf::from("."));
    let store = ctx.db()?;
    let budget = ctx.config.briefing.budget_chars;
    if ctx.inv.agent == Agent::Copilot {
        let body = brief_adapter::for_directory(store, &cwd, budget, Format::Markdown)?
            .unwrap_or_else(|| format!("sk knows nothing yet about the work in {}.", cwd.display()));
        let path = ctx.paths.copilot_instructions();
        let changed = instructions::apply(&path, &format!("Written for {}.\n\n{body}", cwd.display()))?;
        return Ok(Verdict::Pass(format!(
            "{} the briefing section of {}",
            if changed { "updated" } else { "kept" },
            path.display()
        )));
    }
    match brief_adapter::for_directory(store, &cwd, budget, Format::Xml)? {
        Some(text) => Ok(Verdict::Context(text)),
        None => Ok(Verdict::Pass("nothing known for this directory".into())),
    }
}
