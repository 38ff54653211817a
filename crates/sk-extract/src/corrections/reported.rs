//! Errors the user reports: a prompt that pastes what failed on their side (a CI log, a
//! browser console, a shell start-up message, "there was an error: Error: invalid option
//! --no-lock"), answered by the agent changing something. The failure happened where the
//! agent could not see it, so rule 1 never met a failed call; the lesson is the same: this
//! error, and what made it go away.
//!
//! Decided:
//! - The prompt must carry an error the way programs print it (a line opening with
//!   `error:` / `Error:` / `[ERROR]`, an exception such as `TypeError: …`, `Uncaught`, a
//!   traceback, a failed test line, "command not found", "No such file or directory", a
//!   non-zero exit code). A sentence about errors ("add error handling") is a task.
//! - Any human prompt counts, the session's first included: "fix this error: …" opens many
//!   sessions. Slash commands, harness text (`<…>`) and pasted documents laid out with
//!   headings (spec templates quote error strings) do not.
//! - The agent must have changed something in its turn (an edit, a command that did more
//!   than look and did not fail): an explanation alone is no fix that can be stated. When
//!   it only looked or asked and the user's next prompt answers without a new error, the
//!   turn after that one counts instead (once), if it edits a file the agent read while
//!   looking or the error names.
//! - The fix held unless the user's next prompt reports the same error again or says it
//!   still fails; then it is kept below the threshold that decides what is shown.
//!
//! Confidence: 0.50; +0.10 when the error says what went wrong ([`ErrorInfo::specific`]),
//! +0.05 when an edit touched a file the error names; −0.10 when the fix did not hold
//! (at most 0.50).

use std::sync::LazyLock;

use regex::Regex;
use sk_core::{Record, RecordKind};

use super::follow_up::FollowUp;
use crate::commands::{ToolKind, tool_kind};
use crate::errors::{ErrorClass, ErrorInfo, classify, line_start};
use crate::text::{excerpt, file_name, relativize, strip_code_blocks, word_count};
use crate::{Candidate, Evidence, SessionContext};

/// The cue every candidate of this kind carries first.
pub(super) const CUE: &str = "rule:reported-error";

/// Longest prompt read: pasted CI logs run to a few thousand characters; beyond this it is
/// a whole log or document and which error matters is a guess.
const MAX_PROMPT_CHARS: usize = 16_000;
/// How much of the user's answer to the agent's question a body quotes.
const ANSWER_CHARS: usize = 300;
/// How much of the pasted error a body quotes.
const ERROR_CHARS: usize = 320;
const PHRASE_CHARS: usize = 60;
/// Lines read from the first error line on, when no blank line ends its paragraph first.
const WINDOW_LINES: usize = 40;
const BASE: f32 = 0.50;
const SPECIFIC: f32 = 0.10;
const NAMED_FILE: f32 = 0.05;

/// An error line as programs print it (never matching across a line break, so the match
/// starts on the error's own line). Case matters for `Error:` in the middle of a line
/// (a message quoted in a sentence), not for a line that opens with it. A browser's
/// `Uncaught` names what it caught (`Uncaught TypeError: …`); "command not found", "No
/// such file or directory" and an exit code come after a program's name or a verb
/// ("bash: x: command not found", "cat: x: No such file…", "exited with code 1"): said in
/// a sentence ("print a hint instead of command not found", "exit code 2 instead of exit
/// code 1") they are a task's words.
/// Word boundaries are ASCII ones: prompts run to [`MAX_PROMPT_CHARS`], and a Unicode
/// boundary on text with any non-ASCII letter falls back to a far slower matcher.
static ERROR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(?:\[[^\]\n]{1,40}\][ \t]*)?(?i:(?:error|fatal)(?:\[[^\]\n]*\]|[ \t]*\([^)\n]*\))?:|\[(?:error|fatal)\]|uncaught (?:\(in promise\) ?)?[\w.$]+(?::|[ \t]*$)|npm err!|traceback \(most recent call last\))|\[(?:ERROR|FATAL)\]|(?-u:\b)Error: \S|(?-u:\b)[A-Z]\w*(?:Error|Exception): \S|^[ \t]*E[ \t]{2,}\S|^FAILED(?-u:\b)|:[ \t]*command not found|command not found:|[:\]][ \t]*[Nn]o such file or directory|(?:exited|completed|failed|finished) with (?:exit )?code [1-9]",
    )
    .expect("static regex")
});

/// An exception as a test run prints it (`E   AttributeError: module … has no attribute`).
static EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?-u:\b)(?:\w+\.)*[A-Z]\w*(?:Error|Exception): \S[^\n]*").expect("static regex")
});

/// Log tags before a message: `[ERROR][com.app.transport] - [read_layer]: `.
static LEADING_TAGS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\s*\[[^\]\n]*\]\s*[-:]?)+\s*").expect("static regex"));

/// Said in the next prompt: the error is still there.
static STILL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:still|again|same (?:error|problem|issue))(?-u:\b)").expect("static regex")
});

/// The error a prompt reports, when it reports one.
pub(super) fn error_in(text: &str) -> Option<ErrorInfo> {
    let text = text.trim();
    if text.starts_with('/')
        || text.starts_with('<')
        || text.len() > MAX_PROMPT_CHARS
        || word_count(text) < 3
        || laid_out_as_document(text)
    {
        return None;
    }
    // An error quoted in backticks is named by an instruction ("respond with `Error: …`").
    let at = ERROR_LINE
        .find_iter(text)
        .find(|m| !text.get(..m.start()).unwrap_or_default().ends_with('`'))?;
    // The error's own lines: a prompt may paste several logs, each with its own error.
    let from = text.get(line_start(text, at.start())..).unwrap_or(text);
    // Its paragraph: up to the first blank line, at most WINDOW_LINES lines.
    let window: String = from
        .lines()
        .take(WINDOW_LINES)
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let mut info = classify(&window);
    if matches!(
        info.class,
        ErrorClass::Approval | ErrorClass::StaleEdit | ErrorClass::Harness
    ) {
        return None;
    }
    if info.class == ErrorClass::Test
        && let Some(exception) = EXCEPTION.find(&window)
    {
        // What the test hit says more than which test it was.
        info.class = ErrorClass::Exception;
        info.phrase = excerpt(exception.as_str().trim(), PHRASE_CHARS);
    } else if info.class == ErrorClass::CommandNotFound
        && let Some(program) = &info.program
    {
        info.phrase = format!("`{program}`: command not found");
    } else if !info.specific() || info.class == ErrorClass::Other {
        // The line as printed from the error on: the prose or timestamps before it say
        // nothing about what went wrong.
        let line = text
            .get(at.start()..)
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default();
        let message = LEADING_TAGS.replace(line, "");
        if word_count(&message) >= 2 {
            info.phrase = excerpt(message.trim_end_matches(['.', ':', ',', '"', '\'']), PHRASE_CHARS);
        }
    }
    Some(info)
}

/// The candidate for an error the prompt at `at` reports, and the prompt whose turn gave
/// its fix when that was the user's answer to the agent's question (rule 2 then leaves
/// that answer alone: its fix is this entry's, and one lesson is one entry).
pub(super) fn candidate(
    ctx: &SessionContext,
    records: &[Record],
    at: usize,
) -> Option<(Candidate, Option<usize>)> {
    let prompt = &records[at];
    let info = error_in(&prompt.text)?;
    let text = prompt.text.trim();
    let mut follow = FollowUp::after(ctx, records, at, text);
    let mut answered: Option<usize> = None;
    // The agent looked and asked, the user answered without a new error: the fix comes in
    // the turn after that one (once: further on, the session has moved on), when it
    // changes what the agent was looking at or the error names. An edit elsewhere answers
    // another request the user made instead ("never mind, update the README").
    if !follow.changed()
        && let Some(next) = follow.end
        && error_in(&records[next].text).is_none()
        && !super::says_still_failing(&records[next].text)
    {
        let mut looked_at: Vec<&str> = read_files(records, at, next);
        looked_at.extend(info.files.iter().map(|f| file_name(f)));
        let later = FollowUp::after(ctx, records, next, &records[next].text);
        if later.edited().iter().any(|e| looked_at.contains(&file_name(e))) {
            follow = later;
            answered = Some(next);
        }
    }
    if !follow.changed() {
        return None;
    }
    let mut cues = vec![CUE.to_string(), info.class.tag().to_string()];
    let mut confidence = BASE;
    if info.specific() {
        confidence += SPECIFIC;
        cues.push("specific-error".to_string());
    }
    let named: Vec<&str> = info.files.iter().map(|f| file_name(f)).collect();
    if follow.edited().iter().any(|e| named.contains(&file_name(e))) {
        confidence += NAMED_FILE;
        cues.push("edit-on-error-file".to_string());
    }
    let next = follow.end.map(|k| &records[k]);
    if next.is_some_and(|n| reports_again(&n.text, &info)) {
        confidence = (confidence - super::DID_NOT_HOLD).min(super::UNSETTLED_MAX);
        cues.push(super::FIX_DID_NOT_HOLD.to_string());
    }

    // The error first: it is what a later session meets. The fix gets what is left.
    let phrase = info.phrase_within(PHRASE_CHARS);
    let room = crate::MAX_TITLE_CHARS.saturating_sub(phrase.chars().count() + ": fixed by ".len());
    let title = match follow.headline(room) {
        Some(fix) => format!("{phrase}: fixed by {fix}"),
        None => phrase,
    };
    let quoted = if info.excerpt.trim().is_empty() {
        excerpt(&strip_code_blocks(text), ERROR_CHARS)
    } else {
        excerpt(&info.excerpt, ERROR_CHARS)
    };
    let mut body = format!("The user reported this error:\n{quoted}");
    if let Some(next) = answered {
        body.push_str(&format!(
            "\n\nAsked, the user answered: {}",
            excerpt(records[next].text.trim(), ANSWER_CHARS)
        ));
    }
    let then = follow.paragraph();
    if !then.is_empty() {
        body.push_str("\n\n");
        body.push_str(&then);
    }
    let mut files: Vec<String> = follow.edited().to_vec();
    files.extend(info.files.iter().map(|f| relativize(f, ctx.cwd)));
    crate::dedup_in_order(&mut files);
    let candidate = Candidate {
        category: sk_core::Category::Mistake,
        title,
        body,
        tags: vec!["reported-error".to_string(), info.class.tag().to_string()],
        files,
        confidence,
        evidence: vec![Evidence::of(prompt)],
        cues,
    };
    Some((candidate, answered))
}

/// The names of the files the agent read between records `from` and `to` (its looking turn).
fn read_files(records: &[Record], from: usize, to: usize) -> Vec<&str> {
    records
        .iter()
        .take(to)
        .skip(from + 1)
        .filter(|r| r.kind() == RecordKind::ToolCall && !r.subagent)
        .filter(|r| tool_kind(r.tool.as_deref().unwrap_or(""), &r.text) == ToolKind::Read)
        .flat_map(|r| r.files.iter().map(|f| file_name(f)))
        .collect()
}

/// Whether the next prompt says the same error is still there: it names the same error,
/// or says "still" / "again" about an error, or says it still fails without pasting one
/// ("still the same error", "it still fails on the page").
fn reports_again(next: &str, before: &ErrorInfo) -> bool {
    match error_in(next) {
        Some(now) => now.phrase == before.phrase || STILL.is_match(next),
        None => super::says_still_failing(next),
    }
}

/// Whether a prompt is laid out as a document (a markdown heading): a pasted template
/// (a custom slash command, a spec) quotes error strings as part of its instructions.
fn laid_out_as_document(text: &str) -> bool {
    // At the start of the line: an indented `# …` is a comment in pasted code.
    text.lines()
        .any(|l| l.starts_with("# ") || l.starts_with("## ") || l.starts_with("### "))
}

#[cfg(test)]
mod tests {
    use super::{ERROR_LINE, error_in};

    #[test]
    fn pasted_errors_are_found_and_talk_about_errors_is_not() {
        assert!(
            error_in("There was an error during the homebrew step: \"Error: invalid option: --no-lock\"")
                .is_some()
        );
        assert!(
            error_in(
                "1. Fix this error:\n\nUncaught (in promise) TypeError: d3.easeElastic.out is not a function"
            )
            .is_some()
        );
        assert!(error_in("Run mkdocs build --strict\nline 1: mkdocs: command not found\nError: Process completed with exit code 127.").is_some());
        assert!(
            error_in("[Error] [event] countdown – ReferenceError: Cannot access uninitialized variable")
                .is_some()
        );
        assert!(
            error_in("This error gets returned:\nerror (type checker): Variable not defined: n").is_some()
        );
        assert!(error_in("Add error handling to the upload form").is_none());
        assert!(error_in("Error handling should log the request id").is_none());
        assert!(error_in("Show an error when the field is empty").is_none());
        assert!(error_in("/fix Error: boom happened here").is_none());
        assert!(
            error_in("# /exec\n\nIf the file is missing, respond with an error and stop.\nError: not found")
                .is_none()
        );
        assert!(
            error_in("If the file is missing, respond with `Error: spec file not found` and stop").is_none()
        );
    }

    #[test]
    fn errors_as_programs_print_them_are_found() {
        assert!(error_in("cat: config.yml: No such file or directory when I run the setup").is_some());
        assert!(error_in("I get zsh: command not found: pnpm").is_some());
        assert!(error_in("Error: Process completed with exit code 1.").is_some());
        assert!(error_in("the build exited with code 2 on CI today").is_some());
        assert!(error_in("the console says:\nUncaught (in promise) undefined").is_some());
    }

    #[test]
    fn the_error_line_pattern_has_no_unicode_word_boundary() {
        // A Unicode `\b` on a prompt with one non-ASCII letter leaves the regex crate's
        // fast automata (30–60× slower, measured in review); ASCII boundaries do not.
        let pattern = ERROR_LINE.as_str().replace(r"(?-u:\b)", "");
        assert!(!pattern.contains(r"\b"), "{pattern}");
    }
}
