//! What the agent did after a correction: the fix. A correction entry that only quotes
//! the user says what was wrong; the files the agent then edited, the commands it then ran
//! and what it then said are how it was put right, which is what a later session needs.
//!
//! Decided:
//! - The follow-up is the agent's turn after the correction: every record up to the next
//!   human prompt. Prompts that carry no words of their own (an image placeholder such as
//!   `[Image #3]`, harness text opening with `<`) do not end the turn: the human added
//!   something to the correction, they did not move on.
//! - Commands that only look (`ls`, `grep`, `git status`) are how the agent searched, not
//!   what it changed; commands that failed are not the fix either.
//! - The agent's last answer of the turn is kept: it is where an agent says what it did
//!   ("switched the default to keep-alive"), and when the agent only answered, it is the fix.
//! - The scan stops after [`MAX_RECORDS`]: turns never overlap, so the whole rule stays
//!   linear in the session, and a very long turn has long moved on from the correction.

use std::collections::HashMap;

use sk_core::{Record, RecordKind};

use crate::SessionContext;
use crate::commands::{ToolKind, only_inspects, short_command, tool_kind};
use crate::failures::{patched_rel, rel_files};
use crate::text::{display_path, excerpt, word_count};

/// Longest turn read after a correction, in records.
const MAX_RECORDS: usize = 1500;
/// Files and commands named in a body, at most.
const MAX_FILES: usize = 4;
const MAX_COMMANDS: usize = 2;
const COMMAND_CHARS: usize = 60;
const ANSWER_CHARS: usize = 250;

/// The agent's turn after a correction.
#[derive(Debug, Default)]
pub(super) struct FollowUp {
    /// Files edited or written, relative to the session's folder, in order.
    edited: Vec<String>,
    /// Commands that did more than look and did not fail.
    ran: Vec<String>,
    /// The last thing the agent said in the turn.
    said: Option<String>,
}

impl FollowUp {
    /// Reads the turn that starts after record `from`.
    pub(super) fn after(ctx: &SessionContext, records: &[Record], from: usize) -> FollowUp {
        let mut f = FollowUp::default();
        // Commands by call id, so a failed result can take its command back out.
        let mut commands: HashMap<&str, String> = HashMap::new();
        let mut failed: Vec<String> = Vec::new();
        let end = records.len().min(from.saturating_add(1 + MAX_RECORDS));
        for r in records.get(from + 1..end).unwrap_or_default() {
            if r.subagent {
                continue;
            }
            match r.kind() {
                RecordKind::Prompt if ends_turn(&r.text) => break,
                RecordKind::Answer if word_count(&r.text) >= 3 => {
                    f.said = Some(excerpt(&r.text, ANSWER_CHARS))
                }
                RecordKind::ToolCall => {
                    let kind = tool_kind(r.tool.as_deref().unwrap_or(""), &r.text);
                    let patched = if matches!(kind, ToolKind::Shell | ToolKind::Edit) {
                        patched_rel(ctx, &r.text)
                    } else {
                        Vec::new()
                    };
                    if !patched.is_empty() {
                        f.edited.extend(patched);
                    } else if kind.changes_files() {
                        f.edited.extend(rel_files(ctx, &r.files));
                    } else if kind == ToolKind::Shell && !only_inspects(&r.text) {
                        let command = short_command(&r.text, COMMAND_CHARS);
                        if let Some(id) = r.call_id.as_deref() {
                            commands.insert(id, command.clone());
                        }
                        f.ran.push(command);
                    }
                }
                RecordKind::ToolResult if r.success == Some(false) => {
                    if let Some(command) = r.call_id.as_deref().and_then(|id| commands.remove(id)) {
                        failed.push(command);
                    }
                }
                _ => {}
            }
        }
        // A command that failed once and passed later stays: the later run is the fix.
        for command in failed {
            if let Some(k) = f.ran.iter().position(|c| *c == command) {
                f.ran.remove(k);
            }
        }
        dedup(&mut f.edited);
        dedup(&mut f.ran);
        f
    }

    /// Whether the agent changed something after the correction (an edit, or a command
    /// that did more than look and did not fail): the fix can be stated.
    pub(super) fn changed(&self) -> bool {
        !self.edited.is_empty() || !self.ran.is_empty()
    }

    /// The paragraph of the body that says what the agent then did; empty when it did
    /// nothing the log shows.
    pub(super) fn paragraph(&self) -> String {
        let mut steps = Vec::new();
        if !self.edited.is_empty() {
            let shown: Vec<String> = self
                .edited
                .iter()
                .take(MAX_FILES)
                .map(|f| display_path(f))
                .collect();
            let more = self.edited.len().saturating_sub(MAX_FILES);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            steps.push(format!("edited {}{tail}", shown.join(", ")));
        }
        if !self.ran.is_empty() {
            let shown: Vec<String> = self
                .ran
                .iter()
                .rev()
                .take(MAX_COMMANDS)
                .rev()
                .map(|c| format!("`{c}`"))
                .collect();
            steps.push(format!("ran {}", shown.join(", ")));
        }
        let mut out = String::new();
        if !steps.is_empty() {
            out.push_str(&format!("Then the agent {}.", steps.join("; ")));
        }
        if let Some(said) = &self.said {
            if !out.is_empty() {
                out.push('\n');
            }
            let verb = if steps.is_empty() {
                "Then the agent answered"
            } else {
                "It said"
            };
            out.push_str(&format!("{verb}: {said}"));
        }
        out
    }
}

/// Whether a prompt ends the agent's turn: it has words of its own (not only attachment
/// placeholders such as `[Image #3]`) and is not harness text.
pub(super) fn ends_turn(text: &str) -> bool {
    let text = text.trim();
    if text.starts_with('<') {
        return false;
    }
    let mut rest = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => rest.push(c),
            _ => {}
        }
    }
    word_count(&rest) > 0
}

fn dedup(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| !i.is_empty() && seen.insert(i.clone()));
}

#[cfg(test)]
mod tests {
    use super::ends_turn;

    #[test]
    fn placeholders_and_harness_text_do_not_end_a_turn() {
        assert!(!ends_turn("[Image #3]"));
        assert!(!ends_turn("[Image #1] [Image source: /tmp/x/3.png]"));
        assert!(!ends_turn(
            "<ide_opened_file>The user opened a file</ide_opened_file>"
        ));
        assert!(ends_turn("[Image #2] this is still broken"));
        assert!(ends_turn("ok"));
    }
}
