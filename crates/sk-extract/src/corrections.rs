//! Rule 2, user corrections: when a human answers what the agent just did with "no, …",
//! "that's wrong", "it still doesn't work", "I wanted …", "nein, stattdessen …", the agent
//! made a mistake worth not repeating. When the correction also states how things are
//! done here ("we always use pnpm in this repo"), the lasting part is a `pattern`. The
//! body says what the user said, what it answered, and what the agent then did about it
//! (module `follow_up`): the fix.
//!
//! Decided:
//! - Only human prompts (not sub-agent ones) that follow an agent action (a tool call or an
//!   answer) can be corrections; the opening prompt of a session is a task, not a reaction.
//! - A tool call the human refused with a reason (module `rejected`) is a correction of
//!   that call, whatever its words: refusing is the rejection, the reason says why.
//! - Rejection cues are looked for in the first three sentences only, rule cues in the
//!   first six: a long task description that happens to contain "don't" is not a reaction.
//!   Orders and bare interjections ("don't …", "stop …", "no", "nicht …") count only in
//!   the first sentence: later in a prompt they are the constraints of a new task ("Add
//!   this to the README. Don't change any other files.").
//! - A prompt answering a question the agent asked is a reply ("No, I don't need X. Add Y
//!   instead."), unless it names an error ("that's wrong", "you broke", "why did you", a
//!   bug report); a prompt opening with an explicit decision ("we decided …") is a
//!   statement, left to the statement rule.
//! - "B, not A" in a sentence opening a new step ("Now write tests for the parser, not the
//!   lexer") scopes the task, unless A is in what the agent just did or said.
//! - Cues inside a condition or purpose clause ("when the field is empty", "if it doesn't
//!   exist", "so the job doesn't run twice") describe the task: [`crate::cues`] drops them.
//! - Slash commands, harness text (`<…>`) and prompts over 2000 characters are skipped.
//!
//! Confidence: 0.50 for a mistake, 0.55 for a pattern; +0.10 per further cue (up to two),
//! +0.05 when the rejected action is a tool call (the context is precise), +0.05 when the
//! agent then changed something (edited a file, ran a command that did more than look and
//! did not fail: the fix can be stated), −0.15 for a prompt over 600 characters (the
//! correction is one point among many). A correction is held at 0.50 at most — stored and
//! searchable, not shown by default, and left for the agent to state through the `reflect`
//! hook — when the user only asks ("can we use X?": a proposal, not what is right), only
//! says it still fails ("still broken": the attempt before failed, and the next one is not
//! known to be the fix), or corrects the agent again in the very next prompt (the fix did
//! not hold; −0.10 besides).

mod follow_up;
mod rejected;
mod reported;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use sk_core::{Category, Record, RecordKind};

use self::follow_up::FollowUp;
use crate::commands::{ToolKind, program, short_command, tool_kind};
use crate::cues::{Hit, Use, fold, hits, score};
use crate::failures::file_change;
use crate::text::{
    display_path, excerpt, is_standalone, path_tokens, relativize, sentences, strip_code_blocks, word_count,
};
use crate::{Candidate, Evidence, SessionContext};

/// The cue every candidate of this rule carries first.
pub(crate) const CUE: &str = "rule:user-correction";
/// The cue of a correction titled by how the agent put it.
const RESTATED: &str = "restated-by-agent";
/// What a correction the agent restated as a lesson adds to its confidence.
const RESTATED_BONUS: f32 = 0.05;
/// The cue of a correction or reported error whose fix the user's next prompt undid.
pub(crate) const FIX_DID_NOT_HOLD: &str = "fix-did-not-hold";

const MAX_PROMPT_CHARS: usize = 2000;
const LONG_PROMPT_CHARS: usize = 600;
const REJECT_SENTENCES: usize = 3;
const RULE_SENTENCES: usize = 6;
/// How much of the user's words a body quotes (a correction past 600 characters is
/// already one point among many).
const SAID_CHARS: usize = 420;
/// The most a mistake reaches when its words do not say what is right.
const UNSETTLED_MAX: f32 = 0.50;
/// Taken off a correction the user's next prompt corrects again.
const DID_NOT_HOLD: f32 = 0.10;
const ACTION_CHARS: usize = 200;

/// Cues that are only an interjection: they say "no" but not what was wrong.
const BARE_REJECTIONS: &[&str] = &[
    "mistake.en.no",
    "mistake.de.nein",
    "mistake.fr.non",
    "mistake.pt.nao",
    "mistake.ru.no",
];

/// Cues that open a sentence with an order or an interjection: a reaction only in the
/// prompt's first sentence.
const OPENING_ONLY: &[&str] = &[
    "mistake.en.no",
    "mistake.en.dont",
    "mistake.en.stop",
    "mistake.de.nein",
    "mistake.de.nicht",
    "mistake.de.hoer_auf",
    "mistake.fr.non",
    "mistake.fr.ne_pas",
    "mistake.es.no_hagas",
    "mistake.pt.nao",
    "mistake.it.non_fare",
    "mistake.fr.arrete",
    "mistake.zh.dont",
    "mistake.ja.dont",
    "mistake.ru.no",
    "mistake.ru.dont",
];

/// Cues that report something broken without saying what is right.
const BUG_REPORTS: &[&str] = &[
    "mistake.en.still_failing",
    "mistake.en.doesnt_work",
    "mistake.en.gone",
    "mistake.en.is_wrong",
    "mistake.de.geht_nicht",
    "mistake.fr.marche_pas",
    "mistake.es.no_funciona",
    "mistake.pt.nao_funciona",
    "mistake.it.non_funziona",
    "mistake.zh.bug",
    "mistake.zh.doesnt_work",
    "mistake.ja.doesnt_work",
    "mistake.ko.bug",
    "mistake.ko.problem",
    "mistake.ko.doesnt_work",
    "mistake.ru.doesnt_work",
];

/// "B, not A" names the right thing beside the wrong one — or picks one of the options
/// the agent offered: alone, it is no correction of a question.
const CONTRAST: &str = "mistake.en.not_but";

/// Cues that name an error: the only ones that make a reply to the agent's question a
/// correction. "No, I don't need X, add Y instead" answers the question; "that's wrong",
/// "you broke the login" or "why did you delete it?" say the agent erred, and so does "I
/// thought that should set it up": the user's expectation against the premise the
/// question rested on, not a pick among the options offered.
const NAMES_ERROR: &[&str] = &[
    "mistake.en.thats_wrong",
    "mistake.en.i_thought",
    "mistake.en.you_broke",
    "mistake.en.why_did_you",
    "mistake.de.falsch",
    "mistake.de.warum",
    "mistake.de.kaputt",
    "mistake.fr.faux",
    "mistake.fr.pourquoi",
    "mistake.fr.casse",
    "mistake.es.mal",
    "mistake.es.por_que",
    "mistake.es.rompiste",
    "mistake.pt.errado",
    "mistake.pt.por_que",
    "mistake.pt.quebrou",
    "mistake.it.sbagliato",
    "mistake.it.hai_rotto",
    "mistake.zh.wrong",
    "mistake.ja.wrong",
    "mistake.ko.wrong",
    "mistake.ru.wrong",
];

/// An exact fact in a sentence: code, a URL or host name, a long hexadecimal address or
/// hash, a version, a file path (`/` or Windows `\` separated).
static EXACT_FACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"`[^`\n]+`|https?://|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|dev|app|ai|co|gg|xyz|sh)\b|\b0x[0-9a-fA-F]{8,}|\bv?\d+\.\d+\.\d+\b|\b[\w.-]+/[\w.-]+\.[A-Za-z]{1,5}\b|\b[A-Za-z]:\\[\w.\\-]+",
    )
    .expect("static regex")
});
/// A sentence that opens a new step ("Now write tests for the parser, not the lexer"):
/// its "B, not A" scopes the task unless A is something the agent just did or said.
static NEW_STEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\W*(?:now|next|also|then)\b").expect("static regex"));
/// The word a "B, not A" rejects.
static NOT_WHAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:,|\(|--|-)\s*not\s+(?:the\s+|a\s+|an\s+)?([\w`'\x22?=./-]+)").expect("static regex")
});

/// An interjection is followed by punctuation ("No, …", "Nein. …", "Wrong —"): without
/// it the word belongs to the sentence ("no more tabs", "wrong file"), and removing it
/// would turn the sentence into its opposite.
static INTERJECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:no|nope|nein|non|não|nao|wrong|falsch)\s*(?:[,.!:;—–-]+\s*|$)")
        .expect("static regex")
});

/// "Still", "again" in the languages of the cue tables: a complaint that an earlier fix did
/// not work (matched on [`crate::cues::fold`]ed text).
static REPEAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:still|again|anymore|immer noch|noch immer|weiterhin|wieder|toujours|encore|sigue|siguen|todavia|aun|ainda|continua|ancora)(?-u:\b)")
        .expect("static regex")
});

/// "Still", "again" in the languages matched unfolded (`cues::WIDE_LANGS`), on the
/// lower-cased sentence.
static REPEAT_WIDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"여전히|아직|还是|仍然|依然|又|まだ|依然として|再び|(?:всё|все) ещё|до сих пор|по-прежнему|снова|опять")
        .expect("static regex")
});

/// Whether a sentence says an earlier fix did not work ("still", "again").
fn repeats(sentence: &str) -> bool {
    REPEAT.is_match(&fold(sentence))
        || (!sentence.is_ascii() && REPEAT_WIDE.is_match(&sentence.to_lowercase()))
}

/// Whether a prompt says an earlier fix did not work: a bug report said with "still" /
/// "again" in its first sentences ("still the same error", "it still fails on the page").
pub(super) fn says_still_failing(text: &str) -> bool {
    let prose = strip_code_blocks(text);
    sentences(&prose).into_iter().take(REJECT_SENTENCES).any(|s| {
        repeats(s)
            && hits(Use::Reject, s)
                .iter()
                .any(|h| BUG_REPORTS.contains(&h.cue.name))
    })
}

/// Whether a text ends with a question mark, Chinese and Japanese writing it full-width.
fn ends_asking(text: &str) -> bool {
    text.trim_end().ends_with(['?', '？'])
}

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
    // The last correction found: its index in `out` and the prompt that ended its turn.
    let mut previous: Option<(usize, Option<usize>)> = None;
    let mut last_action: Option<usize> = None;
    // The agent's last file change since the previous prompt: when the agent then only
    // answered, that change is what a "still doesn't work" is about.
    let mut last_change: Option<usize> = None;
    // A user's answer whose turn already gave a reported error its fix.
    let mut answered: Option<usize> = None;
    for (i, record) in records.iter().enumerate() {
        if record.subagent {
            continue;
        }
        match record.kind() {
            RecordKind::Answer => last_action = Some(i),
            RecordKind::ToolCall => {
                last_action = Some(i);
                if changes_files(ctx, record) {
                    last_change = Some(i);
                }
            }
            RecordKind::Prompt if answered == Some(i) => {
                used.insert(i);
                if follow_up::ends_turn(&record.text) {
                    last_change = None;
                }
            }
            RecordKind::Prompt => {
                if let Some(action) = last_action
                    && let Some((c, end)) = correction(
                        ctx,
                        records,
                        Said::Prompt(i),
                        Done {
                            action,
                            change: last_change,
                        },
                    )
                {
                    // This prompt ended the previous correction's turn: its fix did not hold.
                    if let Some((k, Some(ended_by))) = previous
                        && ended_by == i
                        && let Some(before) = out.get_mut(k)
                    {
                        before.confidence = (before.confidence - DID_NOT_HOLD).min(UNSETTLED_MAX);
                        before.cues.push(FIX_DID_NOT_HOLD.to_string());
                    }
                    previous = Some((out.len(), end));
                    out.push(c);
                    used.insert(i);
                } else if let Some((c, answer)) = reported::candidate(ctx, records, i) {
                    // Whether its fix held is the next prompt's error, not its tone: a
                    // correction of something else says nothing about the error.
                    previous = None;
                    out.push(c);
                    used.insert(i);
                    answered = answer;
                }
                if follow_up::ends_turn(&record.text) {
                    last_change = None;
                }
            }
            RecordKind::ToolResult => {
                if let Some(reason) = rejected::reason(record)
                    && let Some(call) = rejected::call_of(records, i)
                    && let Some((c, end)) = correction(
                        ctx,
                        records,
                        Said::Refusal(i, reason),
                        Done {
                            action: call,
                            change: None,
                        },
                    )
                {
                    previous = Some((out.len(), end));
                    out.push(c);
                }
            }
            _ => {}
        }
    }
    used
}

/// What the correction reacts to, by index: the agent's last action, and its last file
/// change of the same turn.
#[derive(Clone, Copy)]
struct Done {
    action: usize,
    change: Option<usize>,
}

/// Whether a call edits or writes files (a patch applied from the shell included).
fn changes_files(ctx: &SessionContext, call: &Record) -> bool {
    file_change(ctx, call).0.changes_files()
}

/// Where the human's words are.
#[derive(Clone, Copy)]
enum Said<'a> {
    /// A prompt, by index.
    Prompt(usize),
    /// The failed result of a call the human refused, by index, and the reason they gave.
    Refusal(usize, &'a str),
}

/// The candidate for one correction, and the prompt that ended the agent's turn after it.
fn correction(
    ctx: &SessionContext,
    records: &[Record],
    said: Said<'_>,
    done: Done,
) -> Option<(Candidate, Option<usize>)> {
    let action = &records[done.action];
    // When the agent only answered after changing files, the change is what was wrong.
    let changed = done
        .change
        .filter(|_| action.kind() == RecordKind::Answer)
        .map(|k| &records[k]);
    let (at, text, refusal) = match said {
        Said::Prompt(i) => (i, records[i].text.trim(), false),
        Said::Refusal(i, reason) => (i, reason.trim(), true),
    };
    let prompt = &records[at];
    if (!refusal && (text.starts_with('/') || text.starts_with('<')))
        || text.len() > MAX_PROMPT_CHARS
        || word_count(text) < if refusal { 2 } else { 3 }
    {
        return None;
    }
    let prose = strip_code_blocks(text);
    let all = sentences(&prose);
    let head = &all[..all.len().min(REJECT_SENTENCES)];
    let rules_scope = &all[..all.len().min(RULE_SENTENCES)];

    // An explicit decision ("wir haben uns entschieden, X statt Y") is a statement even
    // when it follows an action; the statement rule reads it.
    if !refusal
        && head
            .iter()
            .any(|s| hits(Use::Decide, s).iter().any(|h| h.cue.weight >= 3))
    {
        return None;
    }
    let reject: Vec<(usize, Hit)> = head
        .iter()
        .enumerate()
        .flat_map(|(k, s)| hits(Use::Reject, s).into_iter().map(move |h| (k, h)))
        .filter(|(k, h)| *k == 0 || !OPENING_ONLY.contains(&h.cue.name))
        .filter(|(k, h)| {
            h.cue.name != CONTRAST || !new_step_scope(head[*k], &[action, changed.unwrap_or(action)])
        })
        .collect();
    if reject.is_empty() && !refusal {
        return None;
    }
    let only_bare = reject.iter().all(|(_, h)| BARE_REJECTIONS.contains(&h.cue.name));
    let names_error = reject
        .iter()
        .any(|(_, h)| NAMES_ERROR.contains(&h.cue.name) || BUG_REPORTS.contains(&h.cue.name));
    let replies_to_question = action.kind() == RecordKind::Answer && ends_asking(&action.text);
    if !refusal && ((only_bare && word_count(text) < 4) || (replies_to_question && !names_error)) {
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
    let follow = FollowUp::after(ctx, records, at, text);
    let title = if is_pattern {
        let k = rules
            .iter()
            .max_by_key(|(k, h)| (h.cue.weight, std::cmp::Reverse(*k)))
            .map_or(0, |(k, _)| *k);
        strip_interjection(all[k]).to_string()
    } else if let Some(lesson) = follow.restated() {
        // The agent saying how things are is the lesson, where the user's words are a
        // reaction ("that is not an option", "still doesn't work").
        lesson.to_string()
    } else if refusal {
        format!(
            "User rejected {}: {}",
            what_was_done(action, ctx),
            lower_first(text)
        )
    } else {
        mistake_title(head, &reject, changed.unwrap_or(action), ctx)
    };

    let mut cues = vec![CUE.to_string()];
    if refusal {
        cues.push("refused-call".to_string());
    }
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
    if follow.changed() {
        confidence += 0.05;
    }
    // A long prompt is most often a task with a rejecting word in passing; a rejecting
    // sentence that states an exact fact (an address, a host, a version, a path, code)
    // is a precise correction however long the prompt around it.
    let states_exact_fact = reject.iter().any(|(k, _)| EXACT_FACT.is_match(head[*k]));
    if text.len() > LONG_PROMPT_CHARS && !states_exact_fact {
        confidence -= 0.15;
    }
    // The agent stating how things are, in the shape of a lesson, is what was learned put
    // in words; a reaction alone ("still doesn't work") leaves the reader to guess it.
    let restated = follow.restated().is_some() && !is_pattern;
    if restated {
        confidence += RESTATED_BONUS;
    }
    let rejecting: Vec<&str> = reject
        .iter()
        .map(|(k, _)| head[*k])
        .chain(refusal.then_some(text))
        .collect();
    let only_asks = rejecting.iter().all(|s| ends_asking(s));
    let only_repeats = reject.iter().any(|(k, _)| repeats(head[*k]))
        && reject
            .iter()
            .all(|(_, h)| BARE_REJECTIONS.contains(&h.cue.name) || BUG_REPORTS.contains(&h.cue.name));
    if !is_pattern && (only_asks || only_repeats) {
        confidence = confidence.min(UNSETTLED_MAX);
        cues.push(if only_asks { "asks-only" } else { "repeats-only" }.to_string());
    }

    if restated {
        cues.push(RESTATED.to_string());
    }
    let mut files: Vec<String> = changed
        .into_iter()
        .chain(std::iter::once(action))
        .flat_map(|r| r.files.iter().map(|f| relativize(f, ctx.cwd)))
        .collect();
    files.extend(path_tokens(&prose).into_iter().map(|f| relativize(&f, ctx.cwd)));
    let mut tags = vec!["user-correction".to_string()];
    if action_kind == ToolKind::Shell {
        tags.extend(program(&action.text));
    }
    let verb = if refusal {
        "The user refused the call and said"
    } else {
        "The user said"
    };
    let phrase = match changed {
        Some(change) => format!("{} and answered", action_phrase(change, ctx)),
        None => action_phrase(action, ctx),
    };
    let mut body = format!(
        "{verb}: {}\n\nAfter the agent {phrase}:\n{}",
        excerpt(text, SAID_CHARS),
        excerpt(&action.text, ACTION_CHARS)
    );
    let then = follow.paragraph();
    if !then.is_empty() {
        body.push_str("\n\n");
        body.push_str(&then);
    }
    let candidate = Candidate {
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
    };
    Some((candidate, follow.end))
}

/// The correction in the user's words when its first rejecting sentence reads on its own
/// ("Corrected by user: use pnpm instead of npm"), otherwise anchored to what was rejected
/// ("User rejected `npm install`: that's wrong, you broke the login test").
fn mistake_title(head: &[&str], reject: &[(usize, Hit)], action: &Record, ctx: &SessionContext) -> String {
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
    let what = what_was_done(action, ctx);
    if said.is_empty() {
        format!("User rejected {what}")
    } else {
        format!("User rejected {what}: {}", lower_first(&said.join(" ")))
    }
}

/// What the correction is about, for a title: "`npm install`", "the change to src/a.rs".
fn what_was_done(action: &Record, ctx: &SessionContext) -> String {
    match file_change(ctx, action) {
        (ToolKind::Shell, _) => format!("`{}`", short_command(&action.text, 40)),
        (ToolKind::Write | ToolKind::Edit, files) => match files.first() {
            Some(f) => format!("the change to {}", display_path(f)),
            None => "the change".to_string(),
        },
        _ if action.kind() == RecordKind::Answer => "the answer".to_string(),
        _ => format!("the {} call", action.tool.as_deref().unwrap_or("tool")),
    }
}

/// How the body says what the agent did: "ran a command", "changed src/a.rs".
fn action_phrase(action: &Record, ctx: &SessionContext) -> String {
    match file_change(ctx, action) {
        _ if action.kind() == RecordKind::Answer => "answered".to_string(),
        (ToolKind::Shell, _) => "ran a command".to_string(),
        (ToolKind::Write | ToolKind::Edit, files) => match files.first() {
            Some(f) => format!("changed {}", display_path(f)),
            None => "changed a file".to_string(),
        },
        _ => format!("called {}", action.tool.as_deref().unwrap_or("a tool")),
    }
}

/// Whether `sentence` opens a new step and the word its "B, not A" rejects is nowhere in
/// what the agent just did or said: then it scopes the new task, it corrects nothing.
fn new_step_scope(sentence: &str, done: &[&Record]) -> bool {
    if !NEW_STEP.is_match(sentence) {
        return false;
    }
    let folded = fold(sentence);
    let Some(word) = NOT_WHAT.captures(&folded).and_then(|c| c.get(1)) else {
        return false;
    };
    let word = word.as_str().trim_matches(|c: char| !c.is_alphanumeric());
    word.is_empty() || !done.iter().any(|r| fold(&r.text).contains(word))
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
