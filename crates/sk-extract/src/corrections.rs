//! Rule 2, user corrections: when a human answers what the agent just did with "no, …",
//! "that's wrong", "revert", "nein, stattdessen …", the agent made a mistake worth not
//! repeating. When the correction also states how things are done here ("we always use
//! pnpm in this repo"), the lasting part is a `pattern`.
//!
//! Decided:
//! - Only human prompts (not sub-agent ones) that follow an agent action (a tool call or an
//!   answer) can be corrections; the opening prompt of a session is a task, not a reaction.
//! - Rejection cues are looked for in the first three sentences only, rule cues in the
//!   first six: a long task description that happens to contain "don't" is not a reaction.
//! - A bare "no"/"nein"/"non" answering a question the agent asked is a reply, not a
//!   correction; a prompt opening with an explicit decision ("we decided …") is a
//!   statement, left to the statement rule.
//! - Slash commands, harness text (`<…>`) and prompts over 2000 characters are skipped.
//!
//! Confidence: 0.50 for a mistake, 0.55 for a pattern; +0.10 per further cue (up to two),
//! +0.05 when the rejected action is a tool call (the context is precise), −0.15 for a
//! prompt over 600 characters (the correction is one point among many).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use sk_core::{Category, Record, RecordKind};

use crate::commands::{ToolKind, program, short_command, tool_kind};
use crate::cues::{Hit, Use, hits, score};
use crate::text::{
    display_path, excerpt, is_standalone, path_tokens, relativize, sentences, strip_code_blocks, word_count,
};
use crate::{Candidate, Evidence, SessionContext};

const MAX_PROMPT_CHARS: usize = 2000;
const LONG_PROMPT_CHARS: usize = 600;
const REJECT_SENTENCES: usize = 3;
const RULE_SENTENCES: usize = 6;

/// Cues that are only an interjection: they say "no" but not what was wrong.
const BARE_REJECTIONS: [&str; 4] = [
    "mistake.en.no",
    "mistake.de.nein",
    "mistake.fr.non",
    "mistake.pt.nao",
];

/// An interjection is followed by punctuation ("No, …", "Nein. …", "Wrong —"): without
/// it the word belongs to the sentence ("no more tabs", "wrong file"), and removing it
/// would turn the sentence into its opposite.
static INTERJECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:no|nope|nein|non|não|nao|wrong|falsch)\s*(?:[,.!:;—–-]+\s*|$)")
        .expect("static regex")
});

/// Removes a leading "No," / "Nein," so the rest can stand as a title.
pub(crate) fn strip_interjection(sentence: &str) -> &str {
    match INTERJECTION.find(sentence) {
        Some(m) => sentence.get(m.end()..).unwrap_or_default(),
        None => sentence,
    }
}

/// Runs rule 2; returns the indices of the prompts it turned into candidates, so the
/// statement rule does not read them again.
pub(crate) fn extract(ctx: &SessionContext, records: &[Record], out: &mut Vec<Candidate>) -> BTreeSet<usize> {
    let mut used = BTreeSet::new();
    let mut last_action: Option<usize> = None;
    for (i, record) in records.iter().enumerate() {
        if record.subagent {
            continue;
        }
        match record.kind() {
            RecordKind::ToolCall | RecordKind::Answer => last_action = Some(i),
            RecordKind::Prompt => {
                if let Some(action) = last_action
                    && let Some(c) = correction(ctx, record, &records[action])
                {
                    out.push(c);
                    used.insert(i);
                }
            }
            _ => {}
        }
    }
    used
}

fn correction(ctx: &SessionContext, prompt: &Record, action: &Record) -> Option<Candidate> {
    let text = prompt.text.trim();
    if text.starts_with('/') || text.starts_with('<') || text.len() > MAX_PROMPT_CHARS || word_count(text) < 3
    {
        return None;
    }
    let prose = strip_code_blocks(text);
    let all = sentences(&prose);
    let head = &all[..all.len().min(REJECT_SENTENCES)];
    let rules_scope = &all[..all.len().min(RULE_SENTENCES)];

    // An explicit decision ("wir haben uns entschieden, X statt Y") is a statement even
    // when it follows an action; the statement rule reads it.
    if head
        .iter()
        .any(|s| hits(Use::Decide, s).iter().any(|h| h.cue.weight >= 3))
    {
        return None;
    }
    let reject: Vec<(usize, Hit)> = head
        .iter()
        .enumerate()
        .flat_map(|(k, s)| hits(Use::Reject, s).into_iter().map(move |h| (k, h)))
        .collect();
    if reject.is_empty() {
        return None;
    }
    let only_bare = reject.iter().all(|(_, h)| BARE_REJECTIONS.contains(&h.cue.name));
    let replies_to_question = action.kind() == RecordKind::Answer && action.text.trim_end().ends_with('?');
    if only_bare && (replies_to_question || word_count(text) < 4) {
        return None;
    }
    let rules: Vec<(usize, Hit)> = rules_scope
        .iter()
        .enumerate()
        .flat_map(|(k, s)| hits(Use::Rule, s).into_iter().map(move |h| (k, h)))
        .collect();
    let rule_hits: Vec<Hit> = rules.iter().map(|(_, h)| *h).collect();
    let is_pattern = score(&rule_hits, Category::Pattern) >= 2;

    let action_kind = tool_kind(action.tool.as_deref().unwrap_or(""), &action.text);
    let title = if is_pattern {
        let k = rules
            .iter()
            .max_by_key(|(k, h)| (h.cue.weight, std::cmp::Reverse(*k)))
            .map_or(0, |(k, _)| *k);
        strip_interjection(all[k]).to_string()
    } else {
        mistake_title(head, &reject, action, action_kind, ctx)
    };

    let mut cues = vec!["rule:user-correction".to_string()];
    cues.extend(reject.iter().map(|(_, h)| h.cue.name.to_string()));
    if is_pattern {
        cues.extend(rules.iter().map(|(_, h)| h.cue.name.to_string()));
    }
    let distinct: BTreeSet<&String> = cues.iter().skip(1).collect();
    let mut confidence = if is_pattern { 0.55 } else { 0.50 };
    confidence += crate::per_extra(distinct.len(), 0.10, 2);
    if action.kind() == RecordKind::ToolCall {
        confidence += 0.05;
    }
    if text.len() > LONG_PROMPT_CHARS {
        confidence -= 0.15;
    }

    let mut files: Vec<String> = action.files.iter().map(|f| relativize(f, ctx.cwd)).collect();
    files.extend(path_tokens(&prose).into_iter().map(|f| relativize(&f, ctx.cwd)));
    let mut tags = vec!["user-correction".to_string()];
    if action_kind == ToolKind::Shell {
        tags.extend(program(&action.text));
    }
    let body = format!(
        "The user said: {}\n\nAfter the agent {}:\n{}",
        excerpt(text, 700),
        action_phrase(action, action_kind, ctx),
        excerpt(&action.text, 500)
    );
    Some(Candidate {
        category: if is_pattern {
            Category::Pattern
        } else {
            Category::Mistake
        },
        title,
        body,
        tags,
        files,
        confidence,
        evidence: vec![Evidence::of(action), Evidence::of(prompt)],
        cues,
    })
}

/// The correction in the user's words when its first rejecting sentence reads on its own
/// ("Corrected by user: use pnpm instead of npm"), otherwise anchored to what was rejected
/// ("User rejected `npm install`: that's wrong, you broke the login test").
fn mistake_title(
    head: &[&str],
    reject: &[(usize, Hit)],
    action: &Record,
    kind: ToolKind,
    ctx: &SessionContext,
) -> String {
    let first = reject.first().map_or(0, |(k, _)| *k);
    let said: Vec<&str> = head
        .iter()
        .skip(first)
        .map(|s| strip_interjection(s).trim())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(s0) = said.first().filter(|s| is_standalone(s) && word_count(s) >= 4) {
        return format!("Corrected by user: {}", lower_first(s0));
    }
    let what = match kind {
        ToolKind::Shell => format!("`{}`", short_command(&action.text, 40)),
        ToolKind::Write | ToolKind::Edit => match action.files.first() {
            Some(f) => format!("the change to {}", display_path(&relativize(f, ctx.cwd))),
            None => "the change".to_string(),
        },
        _ if action.kind() == RecordKind::Answer => "the answer".to_string(),
        _ => format!("the {} call", action.tool.as_deref().unwrap_or("tool")),
    };
    if said.is_empty() {
        format!("User rejected {what}")
    } else {
        format!("User rejected {what}: {}", lower_first(&said.join(" ")))
    }
}

fn action_phrase(action: &Record, kind: ToolKind, ctx: &SessionContext) -> String {
    match (action.kind(), kind) {
        (RecordKind::Answer, _) => "answered".to_string(),
        (_, ToolKind::Shell) => "ran a command".to_string(),
        (_, ToolKind::Write | ToolKind::Edit) => match action.files.first() {
            Some(f) => format!("changed {}", display_path(&relativize(f, ctx.cwd))),
            None => "changed a file".to_string(),
        },
        _ => format!("called {}", action.tool.as_deref().unwrap_or("a tool")),
    }
}

/// Lower-cases the first letter unless the first word looks like a name or an acronym.
fn lower_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let keep = first_word.chars().skip(1).any(char::is_uppercase)
        || first_word.starts_with('`')
        || first_word == "I"
        || first_word.starts_with("I'");
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if !keep => c.to_lowercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::strip_interjection;

    #[test]
    fn only_a_punctuated_interjection_is_removed() {
        assert_eq!(strip_interjection("No, use pnpm here"), "use pnpm here");
        assert_eq!(strip_interjection("Nein. Benutze pnpm"), "Benutze pnpm");
        assert_eq!(strip_interjection("wrong — the port is 8080"), "the port is 8080");
        // "no more X" says X is gone: stripping "no" would say the opposite.
        assert_eq!(
            strip_interjection("no more trades tab on the site"),
            "no more trades tab on the site"
        );
        assert_eq!(strip_interjection("Wrong file opened"), "Wrong file opened");
        assert_eq!(strip_interjection("No"), "");
    }
}
