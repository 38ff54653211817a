//! Rule 4, explicit statements: a sentence in an answer or a prompt that says outright
//! that something was decided ("we decided to keep SQLite because …", "let's go with the
//! streaming parser") or how things are done here ("the convention here is …", "always run
//! `cargo fmt` before committing").
//!
//! Answers are full of narration, so the bar is high: the sentence must not be chit-chat,
//! narration ("I'll now read …"), a status line or a question; it must read on its own;
//! a decision needs decision cues weighing 3 (an explicit "decided"/"go with", or a
//! choice plus its reason), a pattern needs rule cues weighing 2.
//!
//! Confidence: 0.45; +0.10 per further cue (up to two); +0.05 when a human said it and
//! −0.05 when the agent did (agents narrate their own plans in rule-like words);
//! +0.10 when the sentence gives its reason ("because", "so that", "weil", the weight-1
//! decision cues) and the reason is not already one of the cues counted;
//! a prompt that reads as a pasted template or document (long, or laid out with headings
//! and lists) gives no statements: its "always"/"never" lines are instructions for that
//! one task (a spec-kit command, a role-play setup), its decisions someone else's pitch.

use std::collections::BTreeSet;

use sk_core::{Category, Record, RecordKind};

use crate::corrections::strip_interjection;
use crate::cues::{Hit, Use, fold, hits_folded, may_hit, score};
use crate::text::{
    is_noise, is_noise_folded, is_standalone, path_tokens, relativize, sentences, strip_code_blocks,
    word_count,
};
use crate::{Candidate, Evidence, SessionContext};

/// Least decision weight: one explicit decision cue, or a choice with its reason.
const DECISION_THRESHOLD: u32 = 3;
/// Least rule weight: one strong rule cue.
const RULE_THRESHOLD: u32 = 2;
/// Statements taken from one record at most.
const MAX_PER_RECORD: usize = 5;
/// Sentences read per record at most (prompts can paste whole documents).
const MAX_SENTENCES: usize = 80;

/// Runs rule 4 over answers and prompts, skipping prompts the correction rule used.
pub(crate) fn extract(
    ctx: &SessionContext,
    records: &[Record],
    corrected: &BTreeSet<usize>,
    out: &mut Vec<Candidate>,
) {
    for (i, record) in records.iter().enumerate() {
        let by_user = match record.kind() {
            RecordKind::Prompt => true,
            RecordKind::Answer => false,
            _ => continue,
        };
        if record.subagent || corrected.contains(&i) || record.text.trim_start().starts_with(['/', '<']) {
            continue;
        }
        let folded = fold(&record.text);
        if !may_hit(Use::Decide, &folded) && !may_hit(Use::Rule, &folded) {
            continue;
        }
        let prose = strip_code_blocks(&record.text);
        let all = sentences(&prose);
        // A pasted template or document (a spec-kit command, a role-play setup, a roadmap)
        // holds instructions for that one task and pitch text, not how the user works:
        // every entry drawn from one on the dev set was judged noise.
        if by_user && reads_as_document(&record.text) {
            continue;
        }
        let mut taken = 0;
        for (k, sentence) in all.iter().enumerate().take(MAX_SENTENCES) {
            if taken == MAX_PER_RECORD {
                break;
            }
            if let Some(c) = statement(ctx, record, sentence, all.get(k + 1).copied(), by_user) {
                out.push(c);
                taken += 1;
            }
        }
    }
}

/// Prompts longer than this are documents pasted in rather than a person talking.
const DOCUMENT_CHARS: usize = 1200;

/// Whether a prompt is a pasted template or document: long, or laid out with at least two
/// headings, or with a heading over a list of three items or more. A person's own short
/// numbered list is not a document.
fn reads_as_document(text: &str) -> bool {
    let mut headings = 0;
    let mut items = 0;
    for line in text.lines().map(str::trim_start) {
        if line.starts_with('#') {
            headings += 1;
        } else if line.starts_with("- ")
            || line.starts_with("* ")
            || line.starts_with(|c: char| c.is_ascii_digit()) && line.contains(". ")
        {
            items += 1;
        }
    }
    text.len() > DOCUMENT_CHARS || headings >= 2 || (headings >= 1 && items >= 3)
}

fn statement(
    ctx: &SessionContext,
    record: &Record,
    sentence: &str,
    next: Option<&str>,
    by_user: bool,
) -> Option<Candidate> {
    let words = word_count(sentence);
    if !(4..=80).contains(&words) || sentence.ends_with('?') || sentence.starts_with('>') {
        return None;
    }
    let folded = fold(sentence);
    if is_noise_folded(&folded) {
        return None;
    }
    let decide = hits_folded(Use::Decide, &folded);
    let rule = hits_folded(Use::Rule, &folded);
    let d = score(&decide, Category::Decision);
    let p = score(&rule, Category::Pattern);
    let has_explicit_choice = decide.iter().any(|h| h.cue.weight >= 2);
    let is_decision = d >= DECISION_THRESHOLD && has_explicit_choice;
    let is_pattern = p >= RULE_THRESHOLD;
    let (category, fired): (Category, &[Hit]) = match (is_decision, is_pattern) {
        (true, true) if p >= d => (Category::Pattern, &rule),
        (true, _) => (Category::Decision, &decide),
        (false, true) => (Category::Pattern, &rule),
        (false, false) => return None,
    };
    let title = strip_interjection(sentence).trim();
    if !is_standalone(title) {
        return None;
    }
    let mut body = sentence.to_string();
    if let Some(next) = next.filter(|n| !is_noise(n) && word_count(n) >= 3) {
        body.push(' ');
        body.push_str(next);
    }
    body.push_str(if by_user {
        "\n\n(stated by the user)"
    } else {
        "\n\n(stated by the agent)"
    });
    let mut cues = vec![
        if by_user {
            "rule:user-statement"
        } else {
            "rule:agent-statement"
        }
        .to_string(),
    ];
    cues.extend(fired.iter().map(|h| h.cue.name.to_string()));
    let mut confidence = 0.45 + crate::per_extra(fired.len(), 0.10, 2);
    confidence += if by_user { 0.05 } else { -0.05 };
    let reason = decide.iter().find(|h| h.cue.weight == 1);
    if let Some(reason) = reason.filter(|r| !fired.iter().any(|h| h.cue.name == r.cue.name)) {
        confidence += 0.10;
        cues.push(format!("reason:{}", reason.cue.name));
    }
    let files = path_tokens(sentence)
        .iter()
        .map(|f| relativize(f, ctx.cwd))
        .collect();
    Some(Candidate {
        category,
        title: title.to_string(),
        body,
        tags: vec!["statement".to_string()],
        files,
        confidence,
        evidence: vec![Evidence::of(record)],
        cues,
    })
}
