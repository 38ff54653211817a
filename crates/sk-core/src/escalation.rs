//! A tool call that ran with escalated sandbox permissions (Codex's
//! `"with_escalated_permissions": true`, or `"sandbox_permissions": "require_escalated"`
//! in newer releases, each with an optional `justification`): the agent asked to run the
//! command outside the sandbox. The records table has no column for it, and adding one
//! would need a schema migration for one agent's flag, so the fact travels in the
//! `tool_call` record's text as its **last line**:
//!
//! ```text
//! git fetch --all --prune
//! [escalated permissions: Need to update git refs]
//! ```
//!
//! (`[escalated permissions]` when no justification was given). Last, not first: `sk
//! session` shows the first line of a call, which stays the command; search finds both.
//! Readers that compare commands (the extractor, the hooks' failure lookup) take the line
//! off with [`split`] first.

/// How the marker line starts.
pub const MARKER: &str = "[escalated permissions";

/// Most bytes of a justification kept in the marker.
const MAX_JUSTIFICATION_BYTES: usize = 300;

/// The marker line for a call that ran with escalated permissions (no newline). The
/// justification is flattened to one line and capped.
pub fn marker_line(justification: Option<&str>) -> String {
    let flat: String = justification
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if flat.is_empty() {
        return format!("{MARKER}]");
    }
    let cut = crate::text::prefix(&flat, MAX_JUSTIFICATION_BYTES);
    let ellipsis = if cut.len() < flat.len() { "…" } else { "" };
    format!("{MARKER}: {}{ellipsis}]", cut.trim_end())
}

/// A call's text with the marker line appended (or the marker alone for an empty text).
pub fn mark(text: &str, justification: Option<&str>) -> String {
    let line = marker_line(justification);
    if text.is_empty() {
        line
    } else {
        format!("{text}\n{line}")
    }
}

/// What the marker says: the call ran escalated, with this justification (empty when none
/// was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalated<'a> {
    pub justification: &'a str,
}

/// A call's text without its marker line, and what the marker said. Text without the
/// marker is returned whole, with `None`.
pub fn split(text: &str) -> (&str, Option<Escalated<'_>>) {
    let trimmed = text.trim_end();
    let (before, last) = match trimmed.rsplit_once('\n') {
        Some((before, last)) => (before, last),
        None => ("", trimmed),
    };
    let last = last.trim();
    let Some(rest) = last.strip_prefix(MARKER).and_then(|r| r.strip_suffix(']')) else {
        return (text, None);
    };
    let justification = match rest.strip_prefix(':') {
        Some(j) => j.trim(),
        None if rest.is_empty() => "",
        // `[escalated permissionsX]`: some other text.
        None => return (text, None),
    };
    (
        before.trim_end_matches(['\n', '\r']),
        Some(Escalated { justification }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip() {
        let t = mark("git fetch --all", Some("Need to update\n git refs"));
        assert_eq!(
            t,
            "git fetch --all\n[escalated permissions: Need to update git refs]"
        );
        assert_eq!(
            split(&t),
            (
                "git fetch --all",
                Some(Escalated {
                    justification: "Need to update git refs"
                })
            )
        );
        let t = mark("ls", None);
        assert_eq!(t, "ls\n[escalated permissions]");
        assert_eq!(split(&t), ("ls", Some(Escalated { justification: "" })));
        assert_eq!(
            split(&mark("", Some("x"))),
            ("", Some(Escalated { justification: "x" }))
        );
    }

    #[test]
    fn other_text_is_left_whole() {
        for t in [
            "",
            "git status",
            "echo '[escalated permissions]' && ls",
            "a\n[escalated permissionsX]",
            "a\n[escalated permissions: no end",
            "é\n—",
        ] {
            assert_eq!(split(t), (t, None), "{t:?}");
        }
    }

    #[test]
    fn long_and_multibyte_justifications_are_cut_on_a_char() {
        let long = "é".repeat(400);
        let line = marker_line(Some(&long));
        assert!(line.len() < MAX_JUSTIFICATION_BYTES + 40);
        assert!(line.ends_with("…]"));
        let (_, e) = split(&line);
        assert!(e.is_some_and(|e| e.justification.starts_with('é')));
    }
}
