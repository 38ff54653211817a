//! How a closed failure becomes its entry: the confidence its signals give it (documented
//! on the rule, `failures`), its files, tags and evidence, and what the agent said about
//! why ([`crate::cause`]). `fixed` is a failure whose retry passed; `unfixed`, one that
//! never did.

use std::collections::BTreeSet;

use sk_core::{Category, Record, RecordKind};

use super::detour;
use super::fix::{fix_phrase, fix_step, rel_files, words};
use super::wording::{Then, body, title};
use super::{ATTRIBUTABLE_EDITS, Change, FixMatch, OpenFailure, Target};
use crate::cause::StatedCause;
use crate::commands::{ToolKind, program};
use crate::errors::{classify, is_exit_status_line};
use crate::text::{language_of, relativize};
use crate::{Candidate, Evidence, SessionContext};

/// +0.05 per repeated failure before the fix (up to two), noted as `attempts:N`.
pub(super) fn repeat_bonus(attempts: usize, cues: &mut Vec<String>) -> f32 {
    if attempts < 2 {
        return 0.0;
    }
    cues.push(format!("attempts:{attempts}"));
    crate::per_extra(attempts, 0.05, 2)
}

/// The changes made between the first failure and the fix, without the failing attempts.
pub(super) fn changes_between<'c>(
    failure: &OpenFailure,
    fix_call: usize,
    changes: &'c [Change],
) -> Vec<&'c Change> {
    let retried = match &failure.target {
        Target::Command { normalized, .. } => Some(normalized.as_str()),
        _ => None,
    };
    changes[failure.changes_from.min(changes.len())..]
        .iter()
        .filter(|c| c.call < fix_call && !c.failed)
        .filter(|c| !failure.attempts.iter().any(|a| a.call == c.call))
        .filter(|c| retried.is_none() || c.normalized.as_deref() != retried)
        .collect()
}

pub(super) fn common_tags(records: &[Record], failure: &OpenFailure, files: &[String]) -> Vec<String> {
    let first = &failure.attempts[0];
    let mut tags = vec![first.error.class.tag().to_string(), failure.tool.to_lowercase()];
    if failure.kind == ToolKind::Shell
        && let Some(p) = program(&records[first.call].text)
    {
        tags.push(p);
    }
    tags.extend(files.iter().filter_map(|f| language_of(f)).map(str::to_string));
    tags
}

pub(super) fn failure_files(ctx: &SessionContext, records: &[Record], failure: &OpenFailure) -> Vec<String> {
    let mut files = Vec::new();
    if let Target::File(f) = &failure.target {
        files.push(f.clone());
    }
    for a in &failure.attempts {
        files.extend(rel_files(ctx, &records[a.call].files));
        files.extend(a.error.files.iter().map(|f| relativize(f, ctx.cwd)));
    }
    files
}

pub(super) fn failure_evidence(records: &[Record], failure: &OpenFailure) -> Vec<Evidence> {
    failure
        .attempts
        .iter()
        .flat_map(|a| [Evidence::of(&records[a.call]), Evidence::of(&records[a.result])])
        .collect()
}

/// The cue of an entry whose agent said why it failed ([`crate::cause`]).
const CAUSE_STATED: &str = "cause-stated";

/// Records read after the passing call for the agent saying why: its recap comes right
/// after the fix, or not at all.
const RECAP_RECORDS: usize = 8;
/// Records read before the passing call, at most: the diagnosis comes close to the fix,
/// and a failure left open for long must not cost a read of the whole session.
const CAUSE_LOOKBACK: usize = 80;

/// What the agent said about why the failure happened: from the failing call (or the
/// last human prompt before the fix, whichever is later — another request's answers say
/// nothing about this failure) to the fixing call, and the recap right after a passing
/// one (never past the next human prompt). A retry that only got past the error has no
/// recap: what follows it is about the next error. The recap goes on to other work, so
/// there a sentence counts only when it shares a word with the error or the failed
/// command (`clues`).
fn stated_cause(
    records: &[Record],
    from: usize,
    (fix_call, fix_result): (usize, usize),
    recap: bool,
    clues: &BTreeSet<String>,
) -> StatedCause {
    let mut cause = StatedCause::default();
    let from = from.max(fix_call.saturating_sub(CAUSE_LOOKBACK));
    let end = if recap {
        records.len().min(fix_result.saturating_add(1 + RECAP_RECORDS))
    } else {
        fix_call
    };
    for (i, r) in records.iter().enumerate().take(end).skip(from) {
        match r.kind() {
            RecordKind::Prompt if !r.subagent && i > fix_result => break,
            RecordKind::Prompt if !r.subagent => cause = StatedCause::default(),
            RecordKind::Answer if !r.subagent && i > fix_result => {
                cause.read_about(&r.text, |sentence| !words(sentence).is_disjoint(clues));
            }
            RecordKind::Answer if !r.subagent => cause.read(&r.text),
            _ => {}
        }
    }
    cause
}

pub(super) fn fixed(
    ctx: &SessionContext,
    records: &[Record],
    failure: &OpenFailure,
    how: FixMatch,
    fix_call: usize,
    fix_result: usize,
    changes: &[Change],
) -> Option<Candidate> {
    let between = changes_between(failure, fix_call, changes);
    let edits: Vec<&&Change> = between.iter().filter(|c| c.kind.changes_files()).collect();
    let mut files = failure_files(ctx, records, failure);
    let error_files: Vec<String> = failure
        .attempts
        .iter()
        .flat_map(|a| a.error.files.iter().map(|f| relativize(f, ctx.cwd)))
        .collect();
    let touches_error_file = edits.iter().any(|c| {
        c.files.iter().any(|f| {
            error_files
                .iter()
                .any(|e| f == e || f.ends_with(&format!("/{e}")) || e.ends_with(&format!("/{f}")))
        })
    });
    files.extend(edits.iter().flat_map(|c| c.files.iter().cloned()));
    files.extend(rel_files(ctx, &records[fix_call].files));
    files.truncate(12);

    let first = &failure.attempts[0];
    let mut cues = vec![
        "rule:failure-fix".to_string(),
        format!("error:{}", first.error.class.tag()),
        how.cue().to_string(),
    ];
    let mut confidence = how.base_confidence();
    if first.error.specific() || first.asked_for_missing || first.not_as_written() {
        confidence += 0.10;
        cues.push("specific-error".into());
    } else if how == FixMatch::Swapped {
        // The program that worked is the lesson, whatever the error said (`python3` on
        // Windows exits 49 with no output).
        cues.push("vague-error".into());
    } else {
        confidence -= 0.10;
        cues.push("vague-error".into());
    }
    if !edits.is_empty() {
        confidence += 0.05;
        cues.push("edit-between".into());
    }
    // The same call passing after many edits: which of them fixed it is a guess (the step
    // named is chosen by the words it shares with the error), so the entry may teach the
    // wrong fix. A revised or corrected command names its own fix and is not affected.
    let named_by_retry = matches!(
        how,
        FixMatch::Corrected | FixMatch::Quoted | FixMatch::Revised | FixMatch::Swapped | FixMatch::Relocated
    );
    if !named_by_retry && edits.len() > ATTRIBUTABLE_EDITS {
        confidence -= 0.10;
        cues.push("fix-unclear".into());
    }
    if touches_error_file {
        confidence += 0.05;
        cues.push("edit-touches-error-file".into());
    }
    confidence += repeat_bonus(failure.attempts.len(), &mut cues);
    let mut tags = vec!["failure-fix".to_string()];
    tags.extend(common_tags(records, failure, &files));
    let mut evidence = failure_evidence(records, failure);
    evidence.push(Evidence::of(&records[fix_call]));
    evidence.push(Evidence::of(&records[fix_result]));
    // A revised command is its own fix: what ran in between was the agent reading up.
    let step = match how {
        FixMatch::Quoted | FixMatch::Revised | FixMatch::Swapped | FixMatch::Relocated => None,
        _ => fix_step(records, failure, &between),
    };
    // A revision is told against the attempt it revised, the last one.
    let last = failure.attempts.last().unwrap_or(first);
    // Where the passing command ran, as the shell was followed (`cd ..` from `src` is the
    // project's folder).
    let ran_in = changes
        .iter()
        .rev()
        .find(|c| c.call == fix_call)
        .and_then(|c| c.folder.as_deref());
    let fixed_by = fix_phrase(ctx, records, how, step, last, (&records[fix_call], ran_in));
    // The fix edits a file the agent itself had changed before the failure: most often
    // its own slip, repaired (an indentation error from its last patch), not a lesson.
    let own_slip = step.is_some_and(|s| {
        s.kind.changes_files()
            && changes[..failure.changes_from.min(changes.len())]
                .iter()
                .any(|earlier| {
                    earlier.kind.changes_files() && earlier.files.iter().any(|f| s.files.contains(f))
                })
    });
    // Source that did not parse, repaired by editing source: a typo (whoever made it), not
    // a lesson. A parse error fixed elsewhere (a manifest, a config: "import outside a
    // module" fixed in package.json) can be one, and stays.
    let typo_repaired = failure.attempts.iter().any(|a| a.error.syntax_slip())
        && step.is_some_and(|s| {
            s.kind.changes_files() && !s.files.is_empty() && s.files.iter().all(|f| language_of(f).is_some())
        });
    if typo_repaired {
        return None;
    }
    if own_slip {
        confidence -= 0.10;
        cues.push("fixes-own-edit".into());
    }
    // Passing once run from the project's own folder says where this session's shell had
    // wandered; the next session starts there. A subfolder (`apps/web`) is where the
    // project keeps that command, and stays a lesson.
    let back_at_root = how == FixMatch::Relocated && ran_in == Some("");
    if back_at_root {
        confidence -= 0.10;
        cues.push("back-at-root".into());
    }
    // The log's "Exit code 128" line is no word of the error: a recap saying "code"
    // would share it.
    let said: Vec<&str> = first
        .error
        .excerpt
        .lines()
        .filter(|l| !is_exit_status_line(l))
        .collect();
    let mut clues = words(&said.join("\n"));
    clues.extend(words(&records[first.call].text));
    let cause = stated_cause(
        records,
        first.call,
        (fix_call, fix_result),
        how != FixMatch::GotPast,
        &clues,
    );
    if cause.sentence().is_some() {
        cues.push(CAUSE_STATED.into());
    }
    // Got past the error: what it failed on next, said in the body.
    let next_error = (how == FixMatch::GotPast).then(|| classify(&records[fix_result].text).phrase);
    let then = match &next_error {
        Some(next) => Then::GotPast(next),
        None => Then::Passed(fix_call),
    };
    Some(Candidate {
        category: Category::Mistake,
        title: title(
            failure,
            records,
            Some((how, &records[fix_call])),
            fixed_by.as_deref(),
        ),
        body: body(ctx, records, failure, &between, step, then, cause.sentence()),
        tags,
        files,
        confidence,
        evidence,
        cues,
    })
}

pub(super) fn unfixed(ctx: &SessionContext, records: &[Record], failure: &OpenFailure) -> Option<Candidate> {
    if let Some(lesson) = detour::lesson(records, failure) {
        return Some(lesson);
    }
    let first = &failure.attempts[0];
    if !first.error.class.informative() {
        return None;
    }
    let files = failure_files(ctx, records, failure);
    let mut cues = vec![
        "rule:unfixed-failure".to_string(),
        format!("error:{}", first.error.class.tag()),
    ];
    let mut confidence = 0.30;
    if first.error.specific() {
        confidence += 0.05;
        cues.push("specific-error".into());
    }
    let n = failure.attempts.len();
    if n > 1 {
        confidence += crate::per_extra(n, 0.05, 2);
        cues.push(format!("attempts:{n}"));
    }
    let mut tags = vec!["unfixed".to_string()];
    tags.extend(common_tags(records, failure, &files));
    Some(Candidate {
        category: Category::Mistake,
        title: title(failure, records, None, None),
        body: body(ctx, records, failure, &[], None, Then::Never, None),
        tags,
        files,
        confidence,
        evidence: failure_evidence(records, failure),
        cues,
    })
}
