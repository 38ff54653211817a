//! Rule 1, failure → fix: the lesson an agent most needs is "this failed here, and this is
//! what made it pass". A failed tool result is paired with its call (by `call_id`), kept
//! open, and closed by a later passing call of the same kind on the same target: the same
//! command (exact, or the same task such as `cargo test` with other flags), a corrected
//! command after "command not found", the same command revised (below), or the same file
//! for file tools. What happened in between (edits, other commands) is the fix.
//!
//! Decided (precision first):
//! - Permission prompts the user has not granted never become mistakes: they reflect the
//!   moment, not the project. An edit refused on a file not read first or on stale
//!   context, then passing, is its own lesson (`stale_edit`).
//! - A failure the agent announced ("read a non-existent file to demonstrate…") is skipped.
//! - "File does not exist" / "No such file or directory" is probing or sequencing (read,
//!   then create, then read again), not a mistake, whatever the tool; so is anything not
//!   found by a file tool or a command that only looks. A command that does work and
//!   whose error says what it asked for does not exist (`docker pull` of a tag that does
//!   not exist: "node:1-24-trixie: not found") asked for it by mistake, and is judged
//!   like any failure.
//! - A call that fails and then passes unchanged, with nothing done in between (a flaky
//!   run, a sandbox or network refusal retried), is not a mistake: nothing was learned.
//! - The fix is the step that made the retry pass, not the first thing tried: of the edits
//!   and the commands that did more than look (reading, listing and searching are how the
//!   agent found it), the one sharing most words with the error and the failed command
//!   ([`fix_step`]). The title states it: "`X` failed: E; fixed by `Y`".
//! - A command revised right after it failed (within [`REVISION_WINDOW`] shell calls) is
//!   its own fix, and the title says what changed: only its quoting ("passed once
//!   quoted": zsh took `app/(auth)/page.tsx` for a glob), or a flag or argument of the
//!   same program and subcommand ("passed with `--features`, not `--feature`"). Quoting
//!   counts for any command; changed arguments only when the error is specific (it
//!   named what was wrong: "unknown flag", "use --import"), the command does more than
//!   look (a search retried with other words is exploring), at least half of its words
//!   stay, and a flag changed or an argument was added — dropping only what the command
//!   acts on runs another operation (creating the group the failed call added a user
//!   to), not the same one fixed. A session's later quoting fixes are the same lesson
//!   as its first, and are not repeated. Also within that window, when nothing else was
//!   done in between (no edit, no command that did more than look): the same arguments
//!   run by another program or through an interpreter ("passed with `python`, not
//!   `python3`", "passed run with `python3`", whatever the error), and the same command
//!   run after a `cd` to another folder than the one it failed in ("passed run from the
//!   project root"; `folder` follows where the shell is).
//! - The same command failing again after a change, on another error, closes the failure
//!   when its last error kept it from starting (a module, program or library not found,
//!   an environment it demands) and is gone: that change fixed it (`got_past`); the new
//!   error opens a failure of its own. Test and compile failures never count so.
//! - A successful result is a failure when its call's pipeline hid the exit status
//!   (`bundle install | tail -5`, `… || true`), the call did more than look, and the
//!   output carries a failure marker (`failure_hidden_by_pipe`), or when all it printed is
//!   the shell refusing the command line (zsh's "no matches found: --include=*.py"; a
//!   short output, the only kind loaded for a passing call): Claude Code reads the exit
//!   status 1 of a `grep` as "no matches" and records success.
//! - A command that failed inside the agent's sandbox and then passed unchanged with
//!   escalated permissions (Codex's `with_escalated_permissions` / `sandbox_permissions:
//!   require_escalated`, kept by ingest as the call text's last line, see
//!   [`sk_core::escalation`]) is a lesson with its fix: that command needs escalated
//!   permissions there, and why (written by `escalation`) — the error said the sandbox blocked the network, a write
//!   under `.git` or a lock file, or refused the operation ([`crate::sandbox`]). Keyed on
//!   the structure only: the same command, no escalation when it failed, escalation when
//!   it passed, a sandbox-style error. The same command passing again without escalation
//!   stays nothing learned (above); a failure of another kind followed by an escalated
//!   pass is judged as before.
//! - A patch Codex's `apply_patch` refused as malformed ("invalid hunk at line N": a line
//!   of an added file without `+`, a line of an update hunk without ` `, `-` or `+`) and
//!   that passed resent well-formed is the format rule it broke, once per rule and
//!   session (`patch_format`).
//! - An `rg` over the working folder that found nothing (exit code 1), followed within a
//!   few calls by a call that names what it looked for inside a hidden folder, is the
//!   lesson that ripgrep skips hidden folders (`hidden_search`), once per session.
//! - A shell that could not start at all ("execvpe /bin/bash failed" on a Windows host
//!   without WSL's bash), followed within a few calls by a call through another shell
//!   (`pwsh`, `powershell`, `cmd`) that passed, is that lesson, once per session
//!   (`missing_shell`).
//! - A failure never fixed in the session whose error says the host lacks something (a
//!   program not installed, the network), followed at once by the agent's next shell call
//!   going another way that passed, is that way around (`detour`).
//! - A failure never fixed in the session is kept only when its message is informative
//!   (compiler, test, panic, exception, command not found, permission, sandbox policy),
//!   at low confidence.
//!
//! Confidence is the entry's quality: how likely a reader learns something from it. What
//! separates a lesson from an event is whether the error says what was wrong and whether
//! the fix can be stated, so: 0.60 for a corrected command (another program or spelling
//! passed), 0.50 for the same task passing with other arguments or a revised command
//! (quoted, or a flag changed), 0.60 for a sandbox refusal fixed by escalating (+0.05
//! when the error names the host or path blocked, +0.05 when the agent said why it
//! escalated; never the vague-error penalty: the refusal is the lesson), 0.45 for the same
//! command or file passing after changes (or getting past its error), 0.55 for another
//! program running the same
//! arguments (never the vague-error penalty: the program is the lesson), 0.50 for another
//! folder; +0.10 when the error message is specific
//! ([`ErrorInfo::specific`]: a compiler message, an exception, a failing test's name),
//! −0.10 when it is not (an exit code, "tests failed", a timeout); +0.05 when something
//! was edited in between, +0.05 more when an edit touched a file the error names; +0.05
//! per repeated failure (up to two); −0.10 when more than three edits came between the
//! failure and the same call passing (which one fixed it is a guess); −0.10 when the fix
//! edits a file the agent had itself changed before the failure (its own slip, repaired).
//! Source that did not parse (an indentation or syntax error) repaired by editing source
//! is a typo: no entry at all. A failure never fixed scores 0.30 (+0.05 when specific,
//! +0.05 per repeat): kept for search, under the threshold that decides what briefings and
//! the failure lookup show
//! (`sk_core::knowledge::SHOWN_MIN_CONFIDENCE`).

mod detour;
mod entry;
mod escalation;
mod fix;
mod folder;
mod hidden_search;
mod missing_shell;
mod patch_format;
mod stale_edit;
mod wording;

use std::collections::{HashMap, HashSet};

use sk_core::{Record, RecordKind};

use self::entry::{
    changes_between, common_tags, failure_evidence, failure_files, fixed, repeat_bonus, unfixed,
};
use self::escalation::{add_escalation, escalation_fix, sandbox_refusal};
// Rule 2 reads what the agent did after a correction the same way.
pub(crate) use self::fix::{file_change, patched_rel};
pub(crate) use self::hidden_search::searches_hidden;
use crate::commands::{
    Revision, ToolKind, cd_folder, command_key, corrects_missing_program, hides_exit_status, main_tokens,
    normalize_command, only_inspects, program, revises, tool_kind,
};
use crate::cues::announces_expected_failure;
use crate::errors::{
    ErrorClass, ErrorInfo, asked_for_is_missing, classify, expanded_to_nothing, looks_failed,
    says_wrong_folder, shell_refused, shows_hidden_failure, unmatched_glob,
};
use crate::text::{excerpt, relativize};
use crate::{Candidate, SessionContext};

/// Failures kept open at once; the oldest is closed (as unfixed) beyond this, which keeps
/// the rule linear in the number of records.
const MAX_OPEN: usize = 32;
/// Edits between a failure and the same call passing beyond which the fix cannot be told
/// apart from the rest of the work.
const ATTRIBUTABLE_EDITS: usize = 3;
/// A corrected command must come within this many shell calls of the failure.
const CORRECTION_WINDOW: usize = 10;
/// A revised command (quoted, or other arguments) must come within this many shell calls
/// of the failure: further away, the same program run with other arguments is another task.
const REVISION_WINDOW: usize = 3;
/// Longest command in a title that also names the fix (the failed one and the fix's).
const FIX_COMMAND_CHARS: usize = 26;

/// How a passing call matched an open failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FixMatch {
    Exact,
    SameTask,
    SameFile,
    Corrected,
    /// The same command with its arguments quoted or escaped.
    Quoted,
    /// The same program and subcommand with some arguments changed.
    Revised,
    /// The same command, refused by the sandbox, passed with escalated permissions.
    Escalated,
    /// The same arguments passed run by another program or through an interpreter.
    Swapped,
    /// The same command passed run from another folder (`cd repo && …`).
    Relocated,
    /// The same command, run again after a change, got past an error that kept it from
    /// starting and failed later on something else (`got_past`).
    GotPast,
}

impl FixMatch {
    fn cue(self) -> &'static str {
        match self {
            FixMatch::Exact => "match:exact-retry",
            FixMatch::SameTask => "match:same-task",
            FixMatch::SameFile => "match:same-file",
            FixMatch::Corrected => "match:corrected-command",
            FixMatch::Quoted => "match:quoted-arguments",
            FixMatch::Revised => "match:revised-arguments",
            FixMatch::Escalated => "match:escalated-retry",
            FixMatch::Swapped => "match:other-program",
            FixMatch::Relocated => "match:other-folder",
            FixMatch::GotPast => "match:got-past-error",
        }
    }

    fn base_confidence(self) -> f32 {
        match self {
            FixMatch::Corrected | FixMatch::Escalated => 0.60,
            FixMatch::Swapped => 0.55,
            FixMatch::SameTask | FixMatch::Quoted | FixMatch::Revised | FixMatch::Relocated => 0.50,
            FixMatch::Exact | FixMatch::SameFile | FixMatch::GotPast => 0.45,
        }
    }
}

/// What a failed call was aimed at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Command { normalized: String, key: Option<String> },
    File(String),
    Text(String),
}

struct Attempt {
    call: usize,
    result: usize,
    error: ErrorInfo,
    /// Its error says that what the command asked for does not exist (an image tag): the
    /// error names what was wrong, as a specific one does.
    asked_for_missing: bool,
    /// The shell refused the line before it ran (a glob that matched nothing, a quote
    /// never closed): its whole output is that refusal.
    refused: bool,
    /// The word zsh refused as a glob that matched no file (`--include=*.py`).
    glob: Option<String>,
    /// The variable in the line that expanded to nothing (`APPDATA` in `ls "$APPDATA"`).
    emptied: Option<String>,
}

impl Attempt {
    /// The shell ran another line than the one written: it refused it, or a variable in
    /// it expanded to nothing. Rewriting such a line is the fix, even for a command that
    /// only looks.
    fn not_as_written(&self) -> bool {
        self.refused || self.emptied.is_some()
    }
}

struct OpenFailure {
    kind: ToolKind,
    tool: String,
    subagent: bool,
    target: Target,
    attempts: Vec<Attempt>,
    /// Index into the change log when the failure was first seen.
    changes_from: usize,
    /// The folder a failed shell command ran in (`folder::key`).
    ran_in: Option<String>,
}

/// An edit or a command, for "what changed in between".
struct Change {
    call: usize,
    kind: ToolKind,
    files: Vec<String>,
    normalized: Option<String>,
    failed: bool,
    /// The folder a shell command ran in (`folder::key`).
    folder: Option<String>,
}

/// Runs rule 1 over a session.
pub(crate) fn extract(ctx: &SessionContext, records: &[Record], out: &mut Vec<Candidate>) {
    let mut calls: HashMap<&str, (usize, bool)> = HashMap::new();
    let mut change_at: HashMap<usize, usize> = HashMap::new();
    let mut changes: Vec<Change> = Vec::new();
    let mut open: Vec<OpenFailure> = Vec::new();
    let mut announced_failure = false;
    // A quoting fix teaches how this shell reads arguments, whatever the program: the
    // session's first one says it, later ones would be the same lesson again.
    let mut quoting_taught = false;
    let mut shell_folder = folder::ShellFolder::default();
    let mut slips = patch_format::Slips::default();
    let mut stale = stale_edit::StaleEdits::default();
    let mut hidden = hidden_search::HiddenSearches::default();
    let mut shell_watch = missing_shell::ShellWatch::default();

    for i in visit_order(records) {
        let record = &records[i];
        match record.kind() {
            RecordKind::Prompt => announced_failure = false,
            RecordKind::Answer => announced_failure = announces_expected_failure(&record.text),
            RecordKind::ToolCall => {
                if let Some(id) = record.call_id.as_deref() {
                    calls.insert(id, (i, announced_failure));
                }
                hidden.called(records, i);
                shell_watch.called();
                let kind = tool_kind(record.tool.as_deref().unwrap_or(""), &record.text);
                stale.looked(record, i, kind);
                if kind.changes_files() || kind == ToolKind::Shell {
                    // A patch applied from the shell is an edit of the files it names.
                    let (kind, mut files) = file_change(ctx, record);
                    files.dedup();
                    change_at.insert(i, changes.len());
                    changes.push(Change {
                        call: i,
                        kind,
                        files,
                        normalized: (kind == ToolKind::Shell).then(|| normalize_command(&record.text)),
                        failed: false,
                        folder: if kind == ToolKind::Shell {
                            shell_folder.ran(ctx, &record.text)
                        } else {
                            None
                        },
                    });
                }
            }
            RecordKind::ToolResult => {
                let Some(&(call_index, announced)) = record.call_id.as_deref().and_then(|id| calls.get(id))
                else {
                    continue;
                };
                let call = &records[call_index];
                let tool = call.tool.as_deref().or(record.tool.as_deref()).unwrap_or("");
                let kind = tool_kind(tool, &call.text);
                let failed = call_failed(call, record);
                if !announced {
                    hidden.answered(
                        ctx.cwd,
                        tool,
                        failed,
                        (call_index, &call.text),
                        (i, &record.text),
                        records,
                    );
                }
                if failed {
                    if let Some(change) = change_at.get(&call_index).and_then(|&c| changes.get_mut(c)) {
                        change.failed = true;
                    }
                    if announced || kind == ToolKind::Ask {
                        continue;
                    }
                    if kind == ToolKind::Shell {
                        shell_watch.failed(&record.text, call_index, i);
                    }
                    if let Some(slip) = patch_format::slip(&call.text, &record.text) {
                        slips.refused(slip, (call_index, i), patched_rel(ctx, &call.text));
                        continue;
                    }
                    let mut error = classify(&record.text);
                    if error.class == ErrorClass::StaleEdit
                        && let Some(refusal) = stale_edit::refusal(&record.text)
                    {
                        stale.refused(ctx, refusal, call, &record.text, (call_index, i));
                        continue;
                    }
                    // A file not found is probing, unless the tool says it ran in the wrong
                    // folder ("Could not read package.json"). Anything else not found by a
                    // command that does more than look (an image tag, a package version)
                    // was asked for by mistake.
                    let asked_for_missing = error.class == ErrorClass::NotFound
                        && kind == ToolKind::Shell
                        && !only_inspects(&call.text)
                        && asked_for_is_missing(
                            &record.text,
                            main_tokens(&call.text).get(1..).unwrap_or_default(),
                        );
                    let emptied = (kind == ToolKind::Shell)
                        .then(|| expanded_to_nothing(&call.text, &record.text))
                        .flatten();
                    if let Some(variable) = &emptied {
                        // What went wrong is the variable, not the file the error names.
                        error.phrase = format!("`${variable}` was empty");
                    }
                    let refused = shell_refused(&record.text);
                    let probing = error.class == ErrorClass::NotFound
                        && !says_wrong_folder(&record.text)
                        && !asked_for_missing
                        && !refused
                        && emptied.is_none();
                    if error.class.is_noise() || probing {
                        continue;
                    }
                    let target = target_of(ctx, call, kind);
                    let attempt = Attempt {
                        call: call_index,
                        result: i,
                        error,
                        asked_for_missing,
                        refused,
                        glob: unmatched_glob(&record.text).map(str::to_string),
                        emptied,
                    };
                    let same = open
                        .iter()
                        .position(|o| o.kind == kind && o.target == target && o.subagent == call.subagent);
                    // Run again after a change, it got past what kept it from starting:
                    // that change fixed the first error, and the new one is a failure of
                    // its own.
                    let same = match same {
                        Some(k) if got_past(records, &open[k], &attempt, &changes) => {
                            let failure = open.remove(k);
                            let (fix_call, fix_result) = (attempt.call, attempt.result);
                            out.extend(fixed(
                                ctx,
                                records,
                                &failure,
                                FixMatch::GotPast,
                                fix_call,
                                fix_result,
                                &changes,
                            ));
                            None
                        }
                        other => other,
                    };
                    match same {
                        Some(k) => open[k].attempts.push(attempt),
                        None => {
                            open.push(OpenFailure {
                                kind,
                                tool: tool.to_string(),
                                subagent: call.subagent,
                                target,
                                attempts: vec![attempt],
                                changes_from: changes.len(),
                                ran_in: change_at
                                    .get(&call_index)
                                    .and_then(|&c| changes.get(c))
                                    .and_then(|c| c.folder.clone()),
                            });
                            if open.len() > MAX_OPEN {
                                let oldest = open.remove(0);
                                out.extend(unfixed(ctx, records, &oldest));
                            }
                        }
                    }
                } else {
                    shell_watch.passed(records, (call_index, i));
                    let patched = patched_rel(ctx, &call.text);
                    if !patched.is_empty() {
                        slips.passed(&patched, (call_index, i));
                    }
                    stale.passed(ctx, call, kind, &patched, (call_index, i));
                    let escalated = sk_core::escalation::split(&call.text).1;
                    let mut k = 0;
                    while k < open.len() {
                        let how = fix_match(ctx, records, &open[k], (call_index, call), kind, &changes);
                        // The same command passing once escalated: the sandbox was the
                        // problem, whatever else ran in between.
                        if matches!(how, Some(FixMatch::Exact | FixMatch::Relocated))
                            && let Some(escalated) = escalated
                            && let Some(refusal) = sandbox_refusal(records, &open[k])
                        {
                            let failure = open.remove(k);
                            add_escalation(
                                out,
                                escalation_fix(
                                    ctx,
                                    records,
                                    &failure,
                                    &refusal,
                                    escalated.justification,
                                    (call_index, i),
                                ),
                            );
                            continue;
                        }
                        match how {
                            // The same call passed with nothing done in between: a flaky
                            // run, a sandbox or network refusal retried — nothing to learn.
                            Some(FixMatch::Exact)
                                if changes_between(&open[k], call_index, &changes).is_empty() =>
                            {
                                open.remove(k);
                            }
                            Some(FixMatch::Quoted) if quoting_taught => {
                                open.remove(k);
                            }
                            Some(how) => {
                                quoting_taught |= how == FixMatch::Quoted;
                                let failure = open.remove(k);
                                out.extend(fixed(ctx, records, &failure, how, call_index, i, &changes));
                            }
                            None => k += 1,
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for failure in &open {
        out.extend(unfixed(ctx, records, failure));
    }
    out.extend(slips.lessons(ctx, records));
    out.extend(stale.lessons(ctx, records));
    out.extend(hidden.lesson());
    out.extend(shell_watch.lesson());
}

fn target_of(ctx: &SessionContext, call: &Record, kind: ToolKind) -> Target {
    match kind {
        ToolKind::Shell => Target::Command {
            normalized: normalize_command(&call.text),
            key: command_key(&call.text),
        },
        ToolKind::Read | ToolKind::Write | ToolKind::Edit => {
            let file = call
                .files
                .first()
                .map(String::as_str)
                .unwrap_or_else(|| call.text.lines().next().unwrap_or(""));
            Target::File(relativize(file, ctx.cwd))
        }
        _ => Target::Text(excerpt(&call.text, 200)),
    }
}

/// The records in the order the rule reads them: file order, except that a result that
/// did not succeed, written before its own call (Claude Code logs a few that way, e.g. an
/// `Edit` refused while a sibling call was streaming), comes right after that call. A
/// successful one stays where it is and is skipped, as `TextNeeds` may not have loaded
/// it; a result whose call never comes is skipped too.
fn visit_order(records: &[Record]) -> Vec<usize> {
    let mut order = Vec::with_capacity(records.len());
    let mut called: HashSet<&str> = HashSet::new();
    let mut early: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let id = r.call_id.as_deref();
        match (r.kind(), id) {
            (RecordKind::ToolCall, Some(id)) => {
                order.push(i);
                called.insert(id);
                order.extend(early.remove(id).unwrap_or_default());
            }
            (RecordKind::ToolResult, Some(id)) if r.success != Some(true) && !called.contains(id) => {
                early.entry(id).or_default().push(i);
            }
            _ => order.push(i),
        }
    }
    let mut never_called: Vec<usize> = early.into_values().flatten().collect();
    never_called.sort_unstable();
    order.extend(never_called);
    order
}

/// Whether a failed retry of an open failure's command got past its last error: that
/// error kept the command from starting (a module or import not found, a missing program
/// or library, an environment the program demands, a credential it could not get), it is
/// gone from the new output, the new error is none of those (failing to authenticate
/// another way is no progress; a push the server then rejects for its content is), and
/// something was done since that attempt (an edit, or a command that did more than look
/// and did not fail). Test and compile failures changing from one to the next are how a
/// fix goes; they never count.
fn got_past(records: &[Record], failure: &OpenFailure, next: &Attempt, changes: &[Change]) -> bool {
    let Some(last) = failure.attempts.last() else {
        return false;
    };
    let gone = |phrase: &str| {
        let key = phrase.trim_end_matches('…').trim();
        key.chars().count() >= 12 && !records[next.result].text.contains(key)
    };
    could_not_start(&last.error)
        && !could_not_start(&next.error)
        // A connection that failed never reached what the first error was about.
        && !NO_CONNECTION.is_match(&next.error.excerpt)
        && next.error.phrase != last.error.phrase
        && gone(&last.error.phrase)
        // Changes are logged in call order: only those since the last attempt are read.
        && changes.iter().rev().take_while(|c| c.call > last.call).any(|c| {
            c.call < next.call
                && !c.failed
                && (c.kind.changes_files()
                    || (c.kind == ToolKind::Shell && !only_inspects(&records[c.call].text)))
        })
}

/// Unless a variable in the failed line expanded to nothing, true; if one did, whether
/// the passing line writes its value out where it stood: an absolute path, or a word
/// naming it (`C:/Users/ana/AppData/Roaming` for `$APPDATA`). Another folder listed is
/// the agent looking elsewhere, not the variable's value.
fn writes_out_emptied(emptied: Option<&str>, failed: &str, ok: &str) -> bool {
    let Some(variable) = emptied else {
        return true;
    };
    let variable = variable.to_lowercase();
    ok.split_whitespace()
        .map(|w| w.trim_matches(['\'', '"']))
        .filter(|w| {
            !failed
                .split_whitespace()
                .any(|f| f.trim_matches(['\'', '"']) == *w)
        })
        .any(|w| {
            let absolute = w.starts_with(['/', '~']) || w.get(1..3).is_some_and(|d| d == ":/" || d == ":\\");
            absolute
                || w.to_lowercase()
                    .replace(['_', '-'], "")
                    .contains(&variable.replace('_', ""))
        })
}

/// Whether `word` stands unquoted in a command line, as a word of its own.
fn bare_word(command: &str, word: &str) -> bool {
    command.split_whitespace().any(|w| w == word)
}

/// Whether an error says the program could not start: what it needs is missing.
fn could_not_start(error: &ErrorInfo) -> bool {
    error.class != ErrorClass::Test
        && error.class != ErrorClass::Compile
        && (COULD_NOT_START.is_match(&error.excerpt) || NO_CREDENTIAL.is_match(&error.excerpt))
}

/// What a program says when it could not reach the other end at all.
static NO_CONNECTION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)could not resolve host|unable to access|connection (?:refused|reset|timed out)|network is unreachable|operation timed out|name or service not known|temporary failure in name resolution",
    )
    .expect("static regex")
});

/// What a program says when it could not authenticate: no prompt to ask for a user name,
/// a key or token refused.
static NO_CREDENTIAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)could not read (?:Username|Password)|terminal prompts disabled|Authentication failed|Permission denied \(publickey|Could not read from remote repository|Host key verification failed|Invalid username or (?:password|token)|returned error: 40[13]",
    )
    .expect("static regex")
});

/// What a program says when something it needs to start is missing.
static COULD_NOT_START: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)ModuleNotFoundError|No module named|ImportError|Cannot find module|ERR_MODULE_NOT_FOUND|ERR_PACKAGE_PATH_NOT_EXPORTED|ERR_REQUIRE_ESM|Cannot find package|Failed to resolve import|Could not resolve (?:module|import|dependency)|Failed to spawn|could not determine executable|error while loading shared libraries|cannot open shared object|Invalid (?:server |client )?environment variables|Missing required environment",
    )
    .expect("static regex")
});

/// Whether a call failed, by its result: the outcome the log recorded, a failure a pipe
/// hid behind a reported success, a shell that refused the command line before it ran or
/// a variable in it that expanded to nothing, or, with no outcome recorded, what the
/// output says.
fn call_failed(call: &Record, result: &Record) -> bool {
    match result.success {
        // Only a short output is loaded when the call passed (`TextNeeds`): a refusal is
        // read from those alone, so extraction never depends on what was loaded.
        // A variable that expanded to nothing ("ls: cannot access ''" piped into grep,
        // whose exit status the log kept) is read the same way.
        Some(true) => {
            failure_hidden_by_pipe(&call.text, &result.text)
                || (result.text.len() <= crate::SHORT_OUTPUT_BYTES
                    && (shell_refused(&result.text)
                        || expanded_to_nothing(&call.text, &result.text).is_some()))
        }
        Some(false) => true,
        None => looks_failed(&result.text),
    }
}

/// A command that did work (not only looked) behind a pipe that reported success
/// (`bundle install | tail -5`), whose output shows it failed: `TextNeeds` reads such
/// outputs whatever their size.
fn failure_hidden_by_pipe(command: &str, output: &str) -> bool {
    hides_exit_status(command) && !only_inspects(command) && shows_hidden_failure(output)
}

/// Whether the passing `call` closes the open failure, and how.
fn fix_match(
    ctx: &SessionContext,
    records: &[Record],
    failure: &OpenFailure,
    (call_index, call): (usize, &Record),
    kind: ToolKind,
    changes: &[Change],
) -> Option<FixMatch> {
    if call.subagent != failure.subagent {
        return None;
    }
    let compatible = failure.kind == kind || (failure.kind.changes_files() && kind.changes_files());
    if !compatible {
        return None;
    }
    match &failure.target {
        Target::Command { normalized, key } => {
            let ok = normalize_command(&call.text);
            let first = &failure.attempts[0];
            // Against the last attempt: the revision that passed is the step after it, so
            // the window runs from there (the failing retries before it do not use it up).
            let last_attempt = &failure.attempts[failure.attempts.len() - 1];
            let last = &records[last_attempt.call];
            let shell_calls_since = changes[failure.changes_from.min(changes.len())..]
                .iter()
                .filter(|c| c.kind == ToolKind::Shell && c.call > last_attempt.call)
                .count();
            // The command's own change is the fix only when nothing else was done (asked
            // only of a candidate: most passing calls are neither).
            let worked_between = || {
                changes_between(failure, call_index, changes)
                    .iter()
                    .any(|c| c.kind.changes_files() || !only_inspects(&records[c.call].text))
            };
            if &ok == normalized {
                // `cd repo && bundle install` after "Could not locate Gemfile": the folder
                // it ran from is what changed — known when the shell was elsewhere
                // (`folder`), or said by the error when a persistent shell may have moved
                // unseen. (A `cd` dropped says nothing: the shell may have been there.)
                let ran_in = changes
                    .iter()
                    .rev()
                    .find(|c| c.call == call_index)
                    .and_then(|c| c.folder.as_ref());
                let to = cd_folder(&call.text);
                let said = failure
                    .attempts
                    .iter()
                    .any(|a| says_wrong_folder(&records[a.result].text))
                    && to != cd_folder(&last.text);
                let moved = to.is_some() && ran_in.is_some() && (ran_in != failure.ran_in.as_ref() || said);
                return Some(
                    if moved && shell_calls_since <= REVISION_WINDOW && !worked_between() {
                        FixMatch::Relocated
                    } else {
                        FixMatch::Exact
                    },
                );
            }
            // zsh refused a glob that matched nothing: the same program run with that word
            // quoted is the fix, whatever else it changed; dropped, only when the glob was
            // the value of an option (`--include=*.py`), meant for the program — a glob
            // meant for the shell (`ls *.md`) matched nothing, and quoting would not help.
            if shell_calls_since <= REVISION_WINDOW
                && let Some(glob) = last_attempt.glob.as_deref()
                && bare_word(&last.text, glob)
                && !bare_word(&call.text, glob)
                && (call.text.contains(glob) || glob.starts_with('-'))
                && program(&last.text).is_some_and(|p| program(&call.text).as_ref() == Some(&p))
            {
                return Some(FixMatch::Quoted);
            }
            // A patch sent again is an edit made again, not a command revised: its
            // "arguments" are the file's text.
            let revision = (first.error.class != ErrorClass::CommandNotFound
                && shell_calls_since <= REVISION_WINDOW
                && !fix::is_patch(&call.text)
                && writes_out_emptied(last_attempt.emptied.as_deref(), &last.text, &call.text))
            .then(|| revises(&last.text, &call.text, last_attempt.not_as_written()))
            .flatten();
            // Before the same task: `./.venv/bin/python -m pytest` after `python -m pytest`
            // is that task, but what made it pass is the program.
            if revision == Some(Revision::Program) && !worked_between() {
                return Some(FixMatch::Swapped);
            }
            if key.is_some() && command_key(&call.text) == *key {
                return Some(FixMatch::SameTask);
            }
            let corrected = first.error.class == ErrorClass::CommandNotFound
                && shell_calls_since <= CORRECTION_WINDOW
                && corrects_missing_program(normalized, first.error.program.as_deref(), &ok);
            if corrected {
                return Some(FixMatch::Corrected);
            }
            match revision {
                Some(Revision::Quoted) => Some(FixMatch::Quoted),
                // Other arguments fix what the error they revise named ("unknown flag",
                // "use --import"); after a bare exit code they are the agent trying
                // something else.
                Some(Revision::Arguments)
                    if last_attempt.error.specific() || last_attempt.not_as_written() =>
                {
                    Some(FixMatch::Revised)
                }
                _ => None,
            }
        }
        Target::File(file) => {
            let same = call.files.iter().any(|f| &relativize(f, ctx.cwd) == file)
                || (call.files.is_empty()
                    && call
                        .text
                        .lines()
                        .next()
                        .is_some_and(|l| &relativize(l, ctx.cwd) == file));
            same.then_some(FixMatch::SameFile)
        }
        Target::Text(text) => (failure.tool == call.tool.as_deref().unwrap_or("")
            && &excerpt(&call.text, 200) == text)
            .then_some(FixMatch::Exact),
    }
}
