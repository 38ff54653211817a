//! Knowledge extraction: pure, deterministic functions from one session's normalized
//! records to knowledge candidates. No model, no network, no I/O: the same records always
//! give the same candidates in the same order, so `sk extract` can run after every index
//! and the store can deduplicate by [`content_hash`] and [`similarity`].
//!
//! The product exists so that an agent does not repeat a mistake an earlier session made
//! and fixed, so the rules favour precision over recall:
//!
//! 1. **Failure → fix** (module `failures`): a failed tool call, later followed by a passing
//!    call of the same command or on the same file, becomes a `mistake` that says what
//!    failed, what changed in between and what then passed.
//! 2. **User corrections** (module `corrections`): a human prompt rejecting what the agent just
//!    did becomes a `mistake`, or a `pattern` when it states how things are done here.
//! 3. **Summaries** (module `summaries`): compaction and task summaries are split into items,
//!    each classified by cue words ([`cues`]); items without a cue are dropped.
//! 4. **Explicit statements** (module `statements`): "we decided to … because …", "always run
//!    X before Y" in answers and prompts.
//!
//! Every rule records the cues that fired in [`Candidate::cues`] and derives its
//! confidence from them (documented on each rule).

mod cause;
mod commands;
mod corrections;
pub mod cues;
mod errors;
mod failures;
mod sandbox;
mod similarity;
mod statements;
mod summaries;
mod text;

use serde::{Deserialize, Serialize};
use sk_core::{Agent, Category, Record};

pub use commands::normalize_command;
pub use similarity::{NEAR_DUPLICATE, Shingles, content_hash, normalize, similarity};
pub use text::{clean_title, trim_body};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest body, in characters (a cut body ends with `…`).
pub const MAX_BODY_CHARS: usize = 1500;
/// Confidence added when the same lesson shows up more than once in a session.
pub const RECURRENCE_BONUS: f32 = 0.05;
/// No extracted candidate claims more certainty than this: it is still a heuristic.
pub const MAX_CONFIDENCE: f32 = 0.95;

/// Where the records come from. The rules read only `cwd` today; the rest identifies the
/// session for callers and for rules that will want it (per-agent tool names, per-repo
/// conventions).
#[derive(Debug, Clone, Copy)]
pub struct SessionContext<'a> {
    pub agent: Agent,
    pub session: &'a str,
    /// `owner/name` or remote URL, when known.
    pub repo: Option<&'a str>,
    /// The session's working directory: paths inside it are stored relative to it.
    pub cwd: Option<&'a str>,
}

/// One record a candidate was drawn from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Evidence {
    pub offset: u64,
    pub part: u32,
    pub event_id: Option<String>,
    pub ts: Option<i64>,
}

impl Evidence {
    pub fn of(record: &Record) -> Evidence {
        Evidence {
            offset: record.offset,
            part: record.part,
            event_id: record.event_id.clone(),
            ts: record.ts,
        }
    }
}

/// A piece of knowledge proposed by a rule, for the store to deduplicate and keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub category: Category,
    /// At most [`MAX_TITLE_CHARS`] characters, readable on its own.
    pub title: String,
    /// The evidence, at most [`MAX_BODY_CHARS`] characters.
    pub body: String,
    pub tags: Vec<String>,
    /// Files involved, relative to the session's working directory when inside it.
    pub files: Vec<String>,
    /// 0..=1, a documented function of the cues that fired.
    pub confidence: f32,
    /// The records it came from, in file order.
    pub evidence: Vec<Evidence>,
    /// Why: the rule and the cues that fired (`rule:failure-fix`, `match:exact`, …).
    pub cues: Vec<String>,
}

impl Candidate {
    /// [`content_hash`] of this candidate.
    pub fn content_hash(&self) -> String {
        content_hash(self.category, &self.title, &self.body)
    }

    /// Title and body, the text [`similarity`] compares.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.title, self.body)
    }

    /// [`similarity`] of the two candidates' texts (categories are not compared).
    pub fn similarity(&self, other: &Candidate) -> f32 {
        similarity(&self.text(), &other.text())
    }
}

/// Successful tool output up to this many bytes is read: it is how a search tool says it
/// found nothing ("No files found"), which the hidden-folder lesson needs.
pub const SHORT_OUTPUT_BYTES: usize = 64;

/// Which texts [`extract`] reads, decided record by record in file order. Successful tool
/// output and reasoning are most of a session's bytes and say nothing the extractor uses,
/// so a caller loading records for extraction may leave their text empty — except short
/// outputs ([`SHORT_OUTPUT_BYTES`]), the output of a call whose pipeline hides its exit
/// status (`bundle install | tail -5`, `… || true`): reported successful, it may be a
/// failure only its text shows, and the output of an `rg` search over hidden files, which
/// shows whether it found what an earlier search missed. A caller tells it each call it
/// reads ([`Self::saw_call`]) before asking about later records.
#[derive(Debug, Default)]
pub struct TextNeeds {
    /// The calls whose output is read whatever its size.
    outputs_read_whole: std::collections::HashSet<String>,
}

impl TextNeeds {
    /// Whether the text of a record of this kind, outcome, size and call is ever read.
    pub fn reads(
        &self,
        kind: Option<sk_core::RecordKind>,
        success: Option<bool>,
        bytes: usize,
        call_id: Option<&str>,
    ) -> bool {
        match kind {
            Some(sk_core::RecordKind::Reasoning) => false,
            Some(sk_core::RecordKind::ToolResult) => {
                success != Some(true)
                    || bytes <= SHORT_OUTPUT_BYTES
                    || call_id.is_some_and(|id| self.outputs_read_whole.contains(id))
            }
            _ => true,
        }
    }

    /// Notes a tool call's text (always read): its output is read whatever its size when
    /// the call hides its exit status, or searches hidden files (what it found proves the
    /// hidden-folder lesson).
    pub fn saw_call(&mut self, call_id: Option<&str>, text: &str) {
        if let Some(id) = call_id
            && (commands::hides_exit_status(text) || failures::searches_hidden(text))
        {
            self.outputs_read_whole.insert(id.to_string());
        }
    }

    /// A session's records as extraction loads them: the texts never read left empty.
    pub fn blank_unread(records: &mut [Record]) {
        let mut needs = TextNeeds::default();
        for r in records {
            needs.note(r);
        }
    }

    /// [`Self::saw_call`] for a call, then empties the record's text when it is never read.
    pub fn note(&mut self, r: &mut Record) {
        if r.kind == Some(sk_core::RecordKind::ToolCall) {
            self.saw_call(r.call_id.as_deref(), &r.text);
        }
        if !self.reads(r.kind, r.success, r.text.len(), r.call_id.as_deref()) {
            r.text = String::new();
        }
    }
}

/// Extracts knowledge candidates from one session's records, given in file order
/// (offset, part). Deterministic: the same input gives the same output in the same order
/// (by first evidence, then category, then title). Near-duplicates within the session are
/// merged into one candidate whose evidence lists every occurrence.
pub fn extract(ctx: &SessionContext, records: &[Record]) -> Vec<Candidate> {
    let mut drafts = Vec::new();
    failures::extract(ctx, records, &mut drafts);
    let corrected = corrections::extract(ctx, records, &mut drafts);
    statements::extract(ctx, records, &corrected, &mut drafts);
    summaries::extract(ctx, records, &mut drafts);
    finish(drafts)
}

/// Shapes every draft to the limits, orders them, and merges near-duplicates.
fn finish(drafts: Vec<Candidate>) -> Vec<Candidate> {
    let mut shaped: Vec<Candidate> = drafts.into_iter().filter_map(shape).collect();
    shaped.sort_by(|a, b| {
        a.evidence
            .first()
            .cmp(&b.evidence.first())
            .then(a.category.cmp(&b.category))
            .then_with(|| a.title.cmp(&b.title))
    });
    let mut kept: Vec<Kept> = Vec::with_capacity(shaped.len());
    for candidate in shaped {
        let shingles = Shingles::new(&candidate.text());
        let twin = kept.iter_mut().find(|k| {
            k.candidate.category == candidate.category
                && k.shingles.jaccard(&shingles) >= NEAR_DUPLICATE
                && same_correction(&k.candidate, &candidate)
        });
        match twin {
            Some(k) => k.absorb(candidate),
            None => kept.push(Kept {
                candidate,
                shingles,
                repeats: 0,
            }),
        }
    }
    kept.into_iter().map(Kept::finish).collect()
}

fn same_correction(a: &Candidate, b: &Candidate) -> bool {
    may_merge((&a.title, &a.cues), (&b.title, &b.cues))
}

/// Whether two near-duplicates (by their whole text) may merge as one lesson, given each
/// one's title and cues: the one place this is decided, for a session's candidates and
/// for a candidate against the stored entries of other sessions (`sk-index`). Two user
/// corrections are one lesson only when the user said much the same thing: the body of
/// a correction quotes the agent's answer before it and after it, so two corrections in
/// a row share that text ("revert it" after "use `\\` instead") while being different
/// lessons. Two candidates that name their rule lesson ([`lesson_key`]: a program that
/// needs sandbox escalation, re-reading before a patch) are one only when it is the same
/// lesson: their bodies are one template, so `git add` and `npm ci` read alike. Other
/// candidates always may.
///
/// The near-duplicate measure reads every number as `0`, which is right for the ids and
/// counts in a log and wrong for what a user corrects: "port 3000, not 8080" and "port
/// 8080, not 3000" say opposite things, so two corrections' titles must also name the
/// same numbers in the same order.
pub fn may_merge(a: (&str, &[String]), b: (&str, &[String])) -> bool {
    // A keyed lesson is one with the same key only, never with a keyless near-duplicate
    // (an entry stored before keys existed: it loses its provenance on re-extraction).
    match (lesson_key(a.1), lesson_key(b.1)) {
        (Some(x), Some(y)) => return x == y,
        (None, None) => {}
        _ => return false,
    }
    let is_correction = |cues: &[String]| cues.iter().any(|q| q == corrections::CUE);
    if !(is_correction(a.1) && is_correction(b.1)) {
        return true;
    }
    let numbers = |title: &str| -> Vec<String> {
        title
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    };
    numbers(a.0) == numbers(b.0) && Shingles::new(a.0).jaccard(&Shingles::new(b.0)) >= NEAR_DUPLICATE
}

/// Opens the cue that names the rule lesson a candidate teaches.
pub(crate) const LESSON_CUE: &str = "lesson:";

/// The rule lesson a candidate with these cues teaches, if a rule stated one: a tool's rule
/// with its fix (re-read before patching, a program that needs sandbox escalation), the
/// same lesson in every session whatever its files and wording, so `sk-index` files each
/// session's occurrence under one entry and two different ones never merge.
pub fn lesson_key(cues: &[String]) -> Option<&str> {
    cues.iter()
        .map(String::as_str)
        .find(|q| q.starts_with(LESSON_CUE))
}

/// A candidate and the near-duplicates folded into it.
struct Kept {
    candidate: Candidate,
    shingles: Shingles,
    repeats: usize,
}

impl Kept {
    /// Folds a near-duplicate in: evidence, files, tags and cues are united (sorted and
    /// deduplicated once, in [`Kept::finish`], so many repeats stay linear).
    /// When the kept one's fix did not hold and the twin's did, the twin's words are the
    /// lesson: its title and body say what finally worked.
    fn absorb(&mut self, twin: Candidate) {
        let kept = &mut self.candidate;
        let held = |c: &Candidate| !c.cues.iter().any(|q| q == corrections::FIX_DID_NOT_HOLD);
        if !held(kept) && held(&twin) {
            kept.title.clone_from(&twin.title);
            kept.body.clone_from(&twin.body);
            kept.cues.retain(|q| q != corrections::FIX_DID_NOT_HOLD);
        }
        self.repeats += 1;
        kept.confidence = kept.confidence.max(twin.confidence);
        kept.evidence.extend(twin.evidence);
        kept.files.extend(twin.files);
        kept.tags.extend(twin.tags);
        kept.cues.extend(twin.cues);
    }

    /// The recurrence of a lesson raises its confidence by [`RECURRENCE_BONUS`] per
    /// repeat, for up to two repeats.
    fn finish(self) -> Candidate {
        let mut c = self.candidate;
        if self.repeats > 0 {
            let bonus = RECURRENCE_BONUS * self.repeats.min(2) as f32;
            c.confidence = round2((c.confidence + bonus).min(MAX_CONFIDENCE));
            c.cues.push(format!("recurring:{}", self.repeats + 1));
            c.evidence.sort();
            c.evidence.dedup();
            dedup_in_order(&mut c.files);
            dedup_in_order(&mut c.tags);
            dedup_in_order(&mut c.cues);
        }
        c
    }
}

/// Applies the size limits and removes duplicates inside the lists; drops empty titles.
fn shape(mut c: Candidate) -> Option<Candidate> {
    c.title = clean_title(&c.title);
    if c.title.is_empty() {
        return None;
    }
    c.body = trim_body(&c.body);
    dedup_in_order(&mut c.files);
    c.files.retain(|f| !f.is_empty());
    for tag in &mut c.tags {
        *tag = tag.to_lowercase();
    }
    dedup_in_order(&mut c.tags);
    c.tags.retain(|t| !t.is_empty());
    dedup_in_order(&mut c.cues);
    c.evidence.sort();
    c.evidence.dedup();
    c.confidence = round2(c.confidence.clamp(0.05, MAX_CONFIDENCE));
    Some(c)
}

/// Drops repeats, keeping each item's first place.
pub(crate) fn dedup_in_order(items: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    items.retain(|i| seen.insert(i.clone()));
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

/// A confidence bonus per extra cue, up to `cap` cues.
pub(crate) fn per_extra(count: usize, step: f32, cap: usize) -> f32 {
    count.saturating_sub(1).min(cap) as f32 * step
}
