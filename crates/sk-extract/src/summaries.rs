//! Rule 3, summaries: compaction summaries and task recaps are the agent's own distillate
//! of a session, so they are split into items (bullets, numbered lines, sentences of
//! prose) and each item is classified by its cue words ([`crate::cues`]). Items without a
//! cue are dropped.
//!
//! Decided:
//! - `next_steps` (and headings such as "Pending tasks", "Current work", "All user
//!   messages", "Primary request") are plans and quotes, not knowledge: skipped.
//! - An item that negates failure ("no errors occurred", "intentional", "as expected")
//!   never counts as a mistake.
//! - Items under an "Errors and fixes" heading lean to `mistake` (+1 to its score).
//! - Nested bullets inherit the files named by their parent bullet (Claude's "Files and
//!   Code Sections" lists a path, then what changed in it).
//! - The boilerplate Claude wraps a compaction summary in is dropped.
//!
//! - Reports of work done ("Implemented …", "Fixed the … issue", "No major errors")
//!   without a cause, method or alternative are session facts, not knowledge: dropped,
//!   unless they describe a feature or refactor with its files or an explanation
//!   ("Implemented X: the reader now resumes …"), which stay at −0.10.
//!
//! Confidence: 0.40; +0.05 per score point above the threshold (up to +0.15); +0.05 when
//! the item names files; +0.10 for a mistake that also says how it was fixed ("fixed by
//! …", "switched to …", "→ …"): problem and fix together are the lesson.

use sk_core::{Category, Record, RecordKind};

use crate::cues::{SUMMARY_THRESHOLD, Use, classify_summary_item, fold, may_hit};
use crate::text::{
    is_bullet, is_noise, is_progress_report, path_tokens, relativize, sentences, strip_bullet, word_count,
};
use crate::{Candidate, Evidence, SessionContext};

/// Summary sections that hold knowledge.
const KNOWLEDGE_SECTIONS: [&str; 9] = [
    "overview",
    "history",
    "work_done",
    "technical_details",
    "important_files",
    "compact",
    "summary",
    "compacted",
    "checkpoint",
];

/// Headings whose items are plans or quotes of the conversation.
const SKIPPED_HEADINGS: [&str; 11] = [
    "primary request",
    "intent",
    "user messages",
    "pending task",
    "current work",
    "next step",
    "remaining work",
    "follow-up",
    "follow up",
    "todo",
    "open question",
];

/// Boilerplate lines around a Claude compaction summary.
const BOILERPLATE: [&str; 5] = [
    "this session is being continued from a previous conversation",
    "if you need specific details from before compaction",
    "continue the conversation from where it left off",
    "please continue the conversation",
    "summary:",
];

/// Labels that only introduce an item ("Action: wrote notes.md").
const LABELS: [&str; 8] = [
    "action",
    "outcome",
    "why it matters",
    "changes made",
    "where to look",
    "result",
    "status",
    "details",
];

/// Shortest item worth reading.
const MIN_WORDS: usize = 5;
/// Items longer than this are read sentence by sentence.
const MAX_ITEM_CHARS: usize = 600;

/// Runs rule 3 over summary and task-summary records.
pub(crate) fn extract(ctx: &SessionContext, records: &[Record], out: &mut Vec<Candidate>) {
    for record in records {
        let section = match record.kind() {
            RecordKind::TaskSummary => "task",
            RecordKind::Summary => match record.section.as_deref() {
                None => "summary",
                Some(s) if KNOWLEDGE_SECTIONS.contains(&s) => s,
                Some(_) => continue,
            },
            _ => continue,
        };
        if !may_hit(Use::Summary, &fold(&record.text)) {
            continue;
        }
        for item in items(&record.text) {
            if let Some(c) = candidate(ctx, record, section, &item) {
                out.push(c);
            }
        }
    }
}

/// One item of a summary, with the context it sits in.
#[derive(Debug)]
struct Item {
    text: String,
    heading: Option<String>,
    bias: Option<Category>,
    inherited_files: Vec<String>,
}

/// Splits a summary into items, skipping code, markup, boilerplate and skipped headings.
fn items(text: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut in_analysis = false;
    let mut skipping = false;
    let mut heading: Option<String> = None;
    let mut bias = None;
    let mut parents: Vec<(usize, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        match trimmed {
            "<analysis>" => in_analysis = true,
            "</analysis>" => in_analysis = false,
            _ => {}
        }
        if in_fence
            || in_analysis
            || trimmed.is_empty()
            || (trimmed.starts_with('<') && trimmed.ends_with('>'))
        {
            continue;
        }
        let lower = trimmed.to_lowercase();
        if BOILERPLATE.iter().any(|b| lower.starts_with(b)) {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let content = strip_bullet(trimmed).trim_start_matches('#').trim();
        let is_heading =
            (indent == 0 && content.ends_with(':') && word_count(content) <= 8) || trimmed.starts_with('#');
        if is_heading {
            let h = content.trim_end_matches(':').to_lowercase();
            skipping = SKIPPED_HEADINGS.iter().any(|s| h.contains(s));
            bias =
                (h.contains("error") || h.contains("fix") || h.contains("bug")).then_some(Category::Mistake);
            bias = bias.or_else(|| h.contains("decision").then_some(Category::Decision));
            heading = Some(content.trim_end_matches(':').to_string());
            parents.clear();
            continue;
        }
        if skipping || content.ends_with(':') {
            continue;
        }
        let bullet = is_bullet(trimmed);
        let own_files = path_tokens(content);
        let inherited_files: Vec<String> = if bullet {
            while parents.last().is_some_and(|(i, _)| *i >= indent) {
                parents.pop();
            }
            let inherited = parents.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
            parents.push((indent, own_files));
            inherited
        } else {
            Vec::new()
        };
        let pieces: Vec<&str> = if bullet && content.len() <= MAX_ITEM_CHARS {
            vec![content]
        } else {
            sentences(content)
        };
        for piece in pieces {
            out.push(Item {
                text: piece.to_string(),
                heading: heading.clone(),
                bias,
                inherited_files: inherited_files.clone(),
            });
        }
    }
    out
}

/// Removes a generic label ("Action: …") so the title starts with what happened.
fn strip_label(item: &str) -> &str {
    if let Some((label, rest)) = item.split_once(':')
        && LABELS.contains(&label.trim().to_lowercase().as_str())
        && !rest.trim().is_empty()
    {
        return rest.trim();
    }
    item
}

/// Whether an item names the fix as well as the problem.
fn states_fix(item: &str) -> bool {
    const FIX_LINKS: [&str; 12] = [
        "fixed by",
        "resolved by",
        "solved by",
        "solution",
        "the fix",
        "fix:",
        "workaround",
        "instead",
        "switched to",
        "replaced",
        "→",
        "->",
    ];
    let lower = item.to_lowercase();
    FIX_LINKS.iter().any(|l| lower.contains(l))
}

fn is_quote(item: &str) -> bool {
    let t = item.trim();
    let quoted = |open: char, close: char| t.starts_with(open) && t.ends_with(close);
    quoted('"', '"')
        || quoted('“', '”')
        || quoted('«', '»')
        || t.to_lowercase().starts_with("user:")
        || t.to_lowercase().starts_with("message ")
}

fn candidate(ctx: &SessionContext, record: &Record, section: &str, item: &Item) -> Option<Candidate> {
    let text = item.text.trim();
    let title = strip_label(text);
    if word_count(title) < MIN_WORDS || is_quote(text) || is_noise(title) {
        return None;
    }
    let (category, score, names) = classify_summary_item(text, item.bias)?;
    // A report of work done is never a mistake, decision or rule; as a feature or
    // refactor it stays only when it says how or where, and ranks below lessons.
    let report = is_progress_report(title);
    let explains = title.contains(": ") || title.contains(" — ") || !path_tokens(text).is_empty();
    if report && !(matches!(category, Category::Feature | Category::Refactor) && explains) {
        return None;
    }
    let mut files: Vec<String> = item
        .inherited_files
        .iter()
        .map(|f| relativize(f, ctx.cwd))
        .collect();
    files.extend(path_tokens(text).into_iter().map(|f| relativize(&f, ctx.cwd)));
    let mut confidence = 0.40 + (0.05 * (score - SUMMARY_THRESHOLD) as f32).min(0.15);
    if !files.is_empty() {
        confidence += 0.05;
    }
    let mut cues = vec![format!("rule:summary:{section}")];
    if report {
        confidence -= 0.10;
        cues.push("progress-report".into());
    }
    if category == Category::Mistake && states_fix(text) {
        confidence += 0.10;
        cues.push("states-fix".into());
    }
    cues.extend(names.into_iter().map(str::to_string));
    if item.bias == Some(category) {
        cues.push("heading-bias".into());
    }
    let source = match &item.heading {
        Some(h) => format!("(from the {section} summary, under “{h}”)"),
        None => format!("(from the {section} summary)"),
    };
    Some(Candidate {
        category,
        title: title.to_string(),
        body: format!("{text}\n\n{source}"),
        tags: vec!["summary".to_string(), section.to_string()],
        files,
        confidence,
        evidence: vec![Evidence::of(record)],
        cues,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_skip_plans_and_inherit_parent_files() {
        let text = "Summary:\n1. Primary Request and Intent:\n   - Fix everything always\n3. Files and Code Sections:\n   - `src/db.rs`\n     - Extracted the pool into a helper\n4. Errors and fixes:\n   - Fixed the off-by-one";
        let items = items(text);
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "`src/db.rs`",
                "Extracted the pool into a helper",
                "Fixed the off-by-one"
            ]
        );
        assert_eq!(items[1].inherited_files, vec!["src/db.rs"]);
        assert_eq!(items[2].bias, Some(Category::Mistake));
    }
}
