//! A tool call the human refused, with the reason they typed. Claude Code records it as
//! the call's failed result: "The user doesn't want to proceed with this tool use. … The
//! user provided the following reason for the rejection: can we use `\\` instead?". That
//! reason is a correction of that very call, typed by the human, even though the log files
//! it under the tool result rather than as a prompt.
//!
//! Decided:
//! - Only a refusal that carries a reason counts: a bare refusal says "no", not what was
//!   wrong, and is often only the human stopping the agent to type something else.
//! - The rejected call is found by its call id among the records before the result, at
//!   most [`MAX_BACK`] back (results follow their calls closely; a result whose call is
//!   not there is left alone).

use std::sync::LazyLock;

use regex::Regex;
use sk_core::{Record, RecordKind};

/// The harness sentence that introduces the human's reason. A regex finds it without
/// copying the result's text, which may be a long failed output.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)the user provided the following reason(?: for the rejection)?:").expect("static regex")
});
/// How far back the rejected call is looked for, in records.
const MAX_BACK: usize = 64;

/// The reason the human gave for refusing a call, when `result` is such a refusal.
pub(super) fn reason(result: &Record) -> Option<&str> {
    if result.kind() != RecordKind::ToolResult || result.success == Some(true) {
        return None;
    }
    let text = result.text.as_str();
    let end = MARKER.find(text)?.end();
    let reason = text.get(end..)?.trim();
    (!reason.is_empty()).then_some(reason)
}

/// The index of the call `records[result]` answers.
pub(super) fn call_of(records: &[Record], result: usize) -> Option<usize> {
    let id = records.get(result)?.call_id.as_deref()?;
    let start = result.saturating_sub(MAX_BACK);
    (start..result)
        .rev()
        .find(|&k| records[k].kind() == RecordKind::ToolCall && records[k].call_id.as_deref() == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(text: &str, ok: bool) -> Record {
        let mut r = Record::new(RecordKind::ToolResult, 0, text);
        r.success = Some(ok);
        r
    }

    #[test]
    fn the_reason_is_what_follows_the_marker() {
        let r = result(
            "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). The user provided the following reason for the rejection:  use the builder instead",
            false,
        );
        assert_eq!(reason(&r), Some("use the builder instead"));
    }

    #[test]
    fn a_refusal_without_a_reason_or_a_passing_result_has_none() {
        let bare = result(
            "The user doesn't want to proceed with this tool use. The tool use was rejected.",
            false,
        );
        assert_eq!(reason(&bare), None);
        let empty = result(
            "The user provided the following reason for the rejection:   ",
            false,
        );
        assert_eq!(reason(&empty), None);
        let passed = result(
            "The user provided the following reason for the rejection: x y z",
            true,
        );
        assert_eq!(reason(&passed), None);
        // Multi-byte text before the marker keeps the cut on a character boundary.
        let accented = result(
            "Ünïcödé. The user provided the following reason for the rejection: nimm pnpm",
            false,
        );
        assert_eq!(reason(&accented), Some("nimm pnpm"));
    }
}
