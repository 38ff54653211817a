//! The lesson of a shell command the agent's sandbox refused and that then passed
//! unchanged with escalated permissions (Codex's `with_escalated_permissions` /
//! `sandbox_permissions: "require_escalated"`, kept by the ingest as the call text's last
//! line, `sk_core::escalation`): the command needs them, and why (`crate::sandbox`). The
//! failure/fix pairing that finds such a pass is the parent module's.

use sk_core::{Agent, Category, Record};

use super::{FixMatch, OpenFailure, common_tags, failure_evidence, failure_files, repeat_bonus};
use crate::commands::{ToolKind, main_tokens, normalize_command, short_command};
use crate::sandbox::{self, Refusal, Restriction};
use crate::text::{excerpt, relative_in};
use crate::{Candidate, Evidence, SessionContext};

/// Room kept for the command in a title that says why the sandbox refused it.
const TITLE_MIN_COMMAND_CHARS: usize = 24;
/// Longest command in the body of a sandbox lesson.
const BODY_COMMAND_CHARS: usize = 80;

/// What the sandbox blocked, when the open failure is a shell command refused by it and
/// never tried escalated: the same command passing escalated then fixes it.
pub(super) fn sandbox_refusal(records: &[Record], failure: &OpenFailure) -> Option<Refusal> {
    if failure.kind != ToolKind::Shell {
        return None;
    }
    let tried_escalated = failure
        .attempts
        .iter()
        .any(|a| sk_core::escalation::split(&records[a.call].text).1.is_some());
    if tried_escalated {
        return None;
    }
    failure
        .attempts
        .iter()
        .rev()
        .find_map(|a| sandbox::refusal(&records[a.result].text))
}

fn agent_name(agent: Agent) -> &'static str {
    match agent {
        Agent::Codex => "Codex",
        Agent::Claude => "Claude Code",
        Agent::Copilot => "Copilot",
    }
}

/// The lesson of a command the sandbox refused and that passed unchanged with escalated
/// permissions: the title says that the command needs them and why, the body what failed,
/// the error, and the fix with the agent's justification.
pub(super) fn escalation_fix(
    ctx: &SessionContext,
    records: &[Record],
    failure: &OpenFailure,
    refusal: &Refusal,
    justification: &str,
    (fix_call, fix_result): (usize, usize),
) -> Candidate {
    let first = &failure.attempts[0];
    let failed = &records[first.call];
    let agent = agent_name(ctx.agent);
    let restriction = &refusal.what;
    // The host or file blocked when the title still has room for the command.
    let head = |detailed: bool| {
        format!(
            " needs sandbox escalation in {agent} ({})",
            restriction.why(detailed)
        )
    };
    let detailed = head(true);
    let head = if detailed.chars().count() + 2 + TITLE_MIN_COMMAND_CHARS <= crate::MAX_TITLE_CHARS {
        detailed
    } else {
        head(false)
    };
    let budget = crate::MAX_TITLE_CHARS
        .saturating_sub(head.chars().count() + 2)
        .max(16);
    let title = format!("`{}`{head}", title_command(&failed.text, budget));

    let how = FixMatch::Escalated;
    let mut cues = vec![
        "rule:failure-fix".to_string(),
        format!("error:{}", first.error.class.tag()),
        how.cue().to_string(),
        format!("sandbox:{}", restriction.tag()),
    ];
    cues.extend(same_lesson_cue(&failed.text, restriction));
    let mut confidence = how.base_confidence();
    if restriction.names_resource() {
        confidence += 0.05;
        cues.push("names-blocked-resource".into());
    }
    if !justification.is_empty() {
        confidence += 0.05;
        cues.push("justified".into());
    }
    let n = failure.attempts.len();
    confidence += repeat_bonus(n, &mut cues);

    // The body is what a reader needs and little of what only this session had (a
    // script's long description argument): the same lesson from several sessions then
    // reads, and merges, as one entry.
    let command = excerpt(&normalize_command(&failed.text), BODY_COMMAND_CHARS);
    let mut b = format!("Failed in {agent}'s sandbox: `{command}` ({})\n", failure.tool);
    b.push_str(&format!("Error: {}\n", relative_in(&refusal.line, ctx.cwd)));
    if n > 1 {
        b.push_str(&format!("Failed {n} times in the sandbox.\n"));
    }
    b.push_str(&format!("Why: {}\n", restriction.explain()));
    b.push_str("Fixed by: the same command, run with escalated sandbox permissions, passed");
    if justification.is_empty() {
        b.push_str(".\n");
    } else {
        b.push_str(&format!(" (justification: {}).\n", excerpt(justification, 160)));
    }
    let task = task_words(&failed.text);
    let how = if ctx.agent == Agent::Codex {
        " (`with_escalated_permissions: true`, or `sandbox_permissions: \"require_escalated\"`, with a justification)"
    } else {
        ""
    };
    b.push_str(&format!(
        "Next time: run `{task}` with escalated permissions{how} rather than in the sandbox first.\n"
    ));

    let files = failure_files(ctx, records, failure);
    let mut tags = vec!["failure-fix".to_string(), "sandbox-escalation".to_string()];
    tags.extend(common_tags(records, failure, &files));
    tags.push(restriction.tag().to_string());
    tags.dedup();
    let mut evidence = failure_evidence(records, failure);
    evidence.push(Evidence::of(&records[fix_call]));
    evidence.push(Evidence::of(&records[fix_result]));
    Candidate {
        category: Category::Mistake,
        title,
        body: b,
        tags,
        files,
        confidence,
        evidence,
        cues,
    }
}

/// Opens the lesson cue of an escalation (`crate::lesson_key`): the program and the
/// refusal follow.
const ESCALATION_CUE: &str = "lesson:escalation:";

/// Programs that run something else (an interpreter, a package runner, a shell): what
/// needs escalation is what they run, so a lesson names that too.
#[rustfmt::skip]
const RUNNERS: &[&str] = &[
    "python", "python3", "py", "node", "npx", "bash", "sh", "zsh", "uv", "uvx", "npm", "pnpm",
    "yarn", "bun", "deno", "make", "ruby", "perl", "pwsh", "powershell", "cmd", "env", "sudo", "go",
    "cargo", "java", "dotnet", "bundle", "poetry", "pipx", "pip", "pip3",
];

/// Separates what was refused from how, in an escalation's lesson key.
const KEY_SEPARATOR: &str = " | ";

/// The cue escalations share when they teach one lesson: the same program refused the
/// same way (`git add` and `git restore`, both "operation not permitted"); for a runner,
/// the same thing run (`python scripts/fetch.py`, `npm ci`), not every Python script.
/// None when the program cannot be told: commands of unknown programs are not one lesson.
fn same_lesson_cue(failed: &str, restriction: &Restriction) -> Option<String> {
    let tokens = main_tokens(failed);
    let program = tokens.first().filter(|p| !p.is_empty())?;
    let what = if RUNNERS.contains(&program.as_str()) {
        let run: Vec<&str> = tokens
            .iter()
            .filter(|t| !t.starts_with('-'))
            .take(3)
            .map(String::as_str)
            .collect();
        run.join(" ")
    } else {
        program.clone()
    };
    Some(format!(
        "{ESCALATION_CUE}{what}{KEY_SEPARATOR}{}",
        restriction.why(false)
    ))
}

/// Adds an escalation lesson to a session's drafts, or folds it into the one already there
/// for the same program refused the same way: its occurrence joins that one's evidence.
pub(super) fn add_escalation(out: &mut Vec<Candidate>, lesson: Candidate) {
    let key = |c: &Candidate| crate::lesson_key(&c.cues).map(str::to_string);
    let Some(mine) = key(&lesson) else {
        out.push(lesson);
        return;
    };
    let Some(first) = out.iter_mut().find(|c| key(c).as_ref() == Some(&mine)) else {
        out.push(lesson);
        return;
    };
    // Another command of the program: the lesson is the program's, and the body names
    // the other command too.
    let command_of = |title: &str| {
        title
            .split_once(TITLE_TAIL)
            .map(|(command, _)| command.to_string())
    };
    let program = mine
        .strip_prefix(ESCALATION_CUE)
        .and_then(|k| k.split_once(KEY_SEPARATOR))
        .map(|(program, _)| program.to_string());
    if let (Some(mine_command), Some(first_command), Some(program)) =
        (command_of(&lesson.title), command_of(&first.title), program)
        && mine_command != first_command
        && !program.is_empty()
    {
        if let Some((_, tail)) = first.title.split_once(TITLE_TAIL) {
            first.title = format!("`{program}{TITLE_TAIL}{tail}");
        }
        let also = format!("Also refused the same way, and passed escalated: {mine_command}`.\n");
        if !first.body.contains(&also) {
            first.body.push_str(&also);
        }
    }
    first.evidence.extend(lesson.evidence);
}

/// What follows the command in an escalation's title.
const TITLE_TAIL: &str = "` needs sandbox escalation in ";

/// A command for a title about the environment rather than the files: every path reduced
/// to its file name (`.specify/scripts/bash/new-feature.sh` → `new-feature.sh`), so the
/// program and its flags fit; the body has the command whole.
fn title_command(text: &str, max: usize) -> String {
    let normalized = normalize_command(text);
    let words: Vec<&str> = normalized
        .split_whitespace()
        .map(|w| {
            let bare = w.trim_matches(['\'', '"']);
            if bare.contains('/') && !bare.contains("://") {
                bare.rsplit('/').find(|p| !p.is_empty()).unwrap_or(bare)
            } else {
                w
            }
        })
        .collect();
    short_command(&words.join(" "), max)
}

/// The program and its leading plain words (`git fetch`, `pnpm run db:migrate`,
/// `create-new-feature.sh`): what a rule about the environment is about, without the
/// flags, paths and text of one run.
fn task_words(text: &str) -> String {
    let tokens = main_tokens(text);
    let mut words: Vec<&str> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let plain = !t.starts_with('-') && !t.contains(['/', '\\', '.', '"', '\'', '=', '`']);
        if i > 0 && !(plain && i < 3) {
            break;
        }
        words.push(t);
    }
    words.join(" ").replace('`', "'")
}
