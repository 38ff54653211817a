//! How a failure's entry reads: its title ("`X` failed: E; fixed by `Y`"), its body (what
//! failed, what changed in between, the fix, what then passed) and how a change is told.

use sk_core::Record;

use super::{Change, FIX_COMMAND_CHARS, FixMatch, OpenFailure, Target};
use crate::SessionContext;
use crate::commands::{ToolKind, cd_folder, main_tokens, normalize_command, program, short_command};
use crate::errors::{ErrorClass, shell_refusal_why};
use crate::text::{display_path, excerpt, file_name, relativize};

/// Changes listed in a body.
const MAX_CHANGES_LISTED: usize = 6;
/// Longest command shown in a title.
const TITLE_COMMAND_CHARS: usize = 40;

pub(super) fn describe_change(ctx: &SessionContext, records: &[Record], change: &Change) -> String {
    let call = &records[change.call];
    match change.kind {
        // Codex's `apply_patch` run from the shell is already an edit here (see `extract`).
        ToolKind::Shell => format!("ran `{}`", short_command(&call.text, 60)),
        kind => {
            let file = change
                .files
                .first()
                .map(|f| display_path(&relativize(f, ctx.cwd)))
                .unwrap_or_else(|| "a file".into());
            let verb = if kind == ToolKind::Write {
                "wrote"
            } else {
                "edited"
            };
            // Changed lines as an edit tool writes them ("- old", "+ new") or as a patch
            // does ("-old", "+new"; not its `---` / `+++` headers): the first line taken
            // out and the first put in, which is what changed.
            let changed = |sign: char| {
                call.text.lines().skip(1).find(|l| {
                    l.starts_with(sign) && !l.starts_with("---") && !l.starts_with("+++") && l.len() > 1
                })
            };
            let heads: Vec<&str> = [changed('-'), changed('+')].into_iter().flatten().collect();
            if heads.is_empty() {
                format!("{verb} {file}")
            } else {
                format!("{verb} {file} ({})", excerpt(&heads.join(" / "), 120))
            }
        }
    }
}

/// Words for a failed call: "`cargo test -p auth`", "Reading notes.md".
fn subject(failure: &OpenFailure, call: &Record, command_chars: usize) -> String {
    match (&failure.target, failure.kind) {
        (Target::Command { .. }, _) => format!("`{}`", short_command(&call.text, command_chars)),
        (Target::File(file), kind) => {
            let verb = match kind {
                ToolKind::Read => "Reading",
                ToolKind::Write => "Writing",
                _ => "Editing",
            };
            format!("{verb} {}", display_path(file))
        }
        (Target::Text(_), ToolKind::Search) => format!(
            "Searching for `{}`",
            excerpt(call.text.lines().next().unwrap_or(""), 40).replace('`', "'")
        ),
        (Target::Text(_), _) => format!("`{}`", failure.tool),
    }
}

/// The words that name what a command runs: its program and the plain word after it
/// (`bd compact`, `git remote`, `python3 report.py`: a path by its file name), and the
/// one after a runner's `run` / `exec` (`uv run pytest`); stopping at a flag, a number or
/// a quoted or computed argument. Empty — the caller then cuts the whole command — when
/// the program itself is no plain word (a command substitution), or when nothing but the
/// program is left of a command that says more (`python3 -m pytest …`, `git -C dir push`,
/// `timeout 120 npm test`: the program alone would name the wrong thing) — unless the
/// program alone is what the title is about (`program_alone`).
fn command_words(command: &str, program_alone: bool) -> String {
    const MAX_WORD_CHARS: usize = 24;
    let tokens = main_tokens(command);
    let mut words: Vec<String> = Vec::new();
    for token in &tokens {
        let word = file_name(token);
        let plain = !word.starts_with('-')
            && (1..=MAX_WORD_CHARS).contains(&word.chars().count())
            && !word.chars().next().is_some_and(|c| c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '@' | '.'));
        let runs = words
            .get(1)
            .is_some_and(|w| matches!(w.as_str(), "run" | "exec" | "dlx" | "x"));
        if !plain || words.len() >= if runs { 3 } else { 2 } {
            break;
        }
        words.push(word.to_string());
    }
    if words.len() == 1 && tokens.len() > 1 && !program_alone {
        return String::new();
    }
    words.join(" ")
}

pub(super) fn title(
    failure: &OpenFailure,
    records: &[Record],
    fix: Option<(FixMatch, &Record)>,
    fixed_by: Option<&str>,
) -> String {
    let first = &failure.attempts[0];
    let call = &records[first.call];
    // A revised command answers the error of the attempt it revised, the last one.
    let error = match fix {
        Some((FixMatch::Revised | FixMatch::Quoted, _)) => {
            &failure.attempts[failure.attempts.len() - 1].error
        }
        _ => &first.error,
    };
    if error.class == ErrorClass::CommandNotFound {
        let missing = error
            .program
            .clone()
            .or_else(|| program(&call.text))
            .unwrap_or_else(|| "command".into());
        return match (fix, fixed_by) {
            (Some((FixMatch::Corrected, ok)), _) => {
                format!(
                    "`{missing}`: command not found; `{}` worked",
                    short_command(&ok.text, TITLE_COMMAND_CHARS)
                )
            }
            (_, Some(fixed_by)) => format!("`{missing}`: command not found; {fixed_by}"),
            _ => format!("`{missing}`: command not found"),
        };
    }
    // The lesson is the error and what fixed it: with a fix, the failed command and the
    // error's words make room for it.
    let subject = match (&failure.target, fixed_by) {
        // With a fix to state, the command is named by its program and subcommand: the
        // whole command is in the body, and the error and the fix need the room.
        (Target::Command { .. }, Some(_)) => {
            // When another program ran the same arguments, the program is the lesson and
            // names the command well enough on its own ("`python3` failed: …; passed with
            // `python`").
            let swapped = matches!(fix, Some((FixMatch::Swapped, _)));
            match command_words(&call.text, swapped) {
                words if !words.is_empty() => format!("`{words}`"),
                _ => subject(failure, call, FIX_COMMAND_CHARS),
            }
        }
        _ => subject(failure, call, TITLE_COMMAND_CHARS),
    };
    // (+1: a cut phrase ends with "…".)
    let tail = fixed_by.map_or(0, |f| f.chars().count() + 2 + 1);
    let budget = crate::MAX_TITLE_CHARS.saturating_sub(subject.chars().count() + " failed: ".len() + tail);
    match fixed_by {
        Some(f) => format!("{subject} failed: {}; {f}", error.phrase_within(budget)),
        None => format!("{subject} failed: {}", error.phrase_within(budget)),
    }
}

pub(super) fn body(
    ctx: &SessionContext,
    records: &[Record],
    failure: &OpenFailure,
    between: &[&Change],
    step: Option<&Change>,
    then: Then<'_>,
    cause: Option<&str>,
) -> String {
    let first = &failure.attempts[0];
    let call = &records[first.call];
    let mut b = String::new();
    match failure.kind {
        ToolKind::Shell => b.push_str(&format!(
            "Failed: `{}` ({})\n",
            excerpt(&normalize_command(&call.text), 300),
            failure.tool
        )),
        _ => b.push_str(&format!(
            "Failed: {} {}\n",
            failure.tool,
            excerpt(call.text.lines().next().unwrap_or(""), 200)
        )),
    }
    b.push_str(&format!("Error: {}\n", first.error.excerpt));
    if let Some(why) = shell_refusal_why(&call.text, &first.error.excerpt) {
        b.push_str(&format!("Why: {why}\n"));
    }
    if let Some(cause) = cause {
        b.push_str(&format!("Why, in the agent's words: {cause}\n"));
    }
    let n = failure.attempts.len();
    if n > 1 {
        b.push_str(&format!("Failed {n} times"));
        let others: Vec<&str> = failure.attempts[1..]
            .iter()
            .map(|a| a.error.phrase.as_str())
            .filter(|p| *p != first.error.phrase)
            .collect();
        if let Some(last) = others.last() {
            b.push_str(&format!("; later: {last}"));
        }
        b.push_str(".\n");
    }
    if !between.is_empty() {
        let listed: Vec<String> = between
            .iter()
            .take(MAX_CHANGES_LISTED)
            .map(|c| describe_change(ctx, records, c))
            .collect();
        b.push_str(&format!("In between: {}", listed.join("; ")));
        if between.len() > MAX_CHANGES_LISTED {
            b.push_str(&format!("; and {} more", between.len() - MAX_CHANGES_LISTED));
        }
        b.push('\n');
    }
    if let Some(step) = step {
        let what = match step.kind {
            // The whole command, as it ran: the fix is what a reader will copy.
            ToolKind::Shell if program(&records[step.call].text).as_deref() != Some("apply_patch") => {
                format!("`{}`", excerpt(&normalize_command(&records[step.call].text), 300))
            }
            _ => describe_change(ctx, records, step),
        };
        b.push_str(&format!("Fixed by: {what}\n"));
    }
    match then {
        Then::Passed(ok) => {
            let ok = &records[ok];
            let passed = if failure.kind == ToolKind::Shell {
                format!("`{}`", excerpt(&as_run(&ok.text, &call.text), 300))
            } else {
                excerpt(ok.text.lines().next().unwrap_or(""), 200)
            };
            b.push_str(&format!("Then passed: {passed}\n"));
        }
        Then::GotPast(next) => b.push_str(&format!(
            "Then the same command got past that error (it failed next on: {next}).\n"
        )),
        Then::Never => b.push_str("No later attempt passed in this session.\n"),
    }
    b
}

/// How a failure's story ends in its body.
pub(super) enum Then<'a> {
    /// This call passed.
    Passed(usize),
    /// Run again, it got past the error and failed on this, later.
    GotPast(&'a str),
    /// Nothing passed.
    Never,
}

/// The passing command as retyped ([`normalize_command`]), with the folder it changed to
/// first when the failed one is the same command run from elsewhere: then the folder is
/// the lesson.
fn as_run(passed: &str, failed: &str) -> String {
    let normalized = normalize_command(passed);
    match cd_folder(passed) {
        Some(folder)
            if cd_folder(failed).as_ref() != Some(&folder) && normalize_command(failed) == normalized =>
        {
            format!("cd {folder} && {normalized}")
        }
        _ => normalized,
    }
}
