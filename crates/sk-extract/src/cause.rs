//! The agent's own words for why something failed: "the issue is in `install/homebrew.sh`
//! where `brew bundle --no-lock` is used", "Root cause: the dialog imported PySide6 at
//! module import", "fixed by declaring the sets before they are used". A reader of a
//! failure → fix or a correction sees what was done; this sentence says why, which is what
//! turns an event into a lesson (issue 16: "or the user/agent says why it failed").
//!
//! Decided:
//! - Only the agent's answers are read, code blocks taken out: the error itself ("The
//!   error is: ```…```") is no cause. Reasoning is never loaded for extraction
//!   (`TextNeeds`): it is the bulk of a log and says the same in the end.
//! - A sentence states a cause when it names one ("root cause", "the problem was", "caused
//!   by", "stems from", "because", "is missing", in the languages of the cue tables) or
//!   says how the fix worked ("fixed … by declaring …"). The strongest wins; among equals,
//!   the first (the diagnosis comes before the recap).
//! - Announcements and plans are not causes: "I found the root cause", "Let me fix this by
//!   …", a question, a heading-length fragment.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{excerpt, sentences, strip_code_blocks, word_count};

/// The longest cause a body quotes.
const CAUSE_CHARS: usize = 240;
/// Sentences shorter than this say too little to stand alone; longer ones are paragraphs
/// that happen to have no full stop.
const MIN_WORDS: usize = 5;
const MAX_WORDS: usize = 60;

/// Words that name a cause outright.
static NAMES_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\broot cause\b|^\W*cause\W|\bthe (?:real |actual |underlying )?(?:issue|problem|bug|error|failure|culprit) (?:is|was|here is|comes from|came from|lies)\b",
        r"|\b(?:is|was|were|are) (?:caused|triggered) by\b|\bstem(?:s|med) from\b|\b(?:happens|happened|fails|failed) because\b|\bthe reason (?:is|was)\b|\b(?:which|that|this) (?:is|was) the (?:problem|issue|cause|culprit)\b",
        r"|\bla (?:cause|raison)\b|\ble problème (?:est|était|vient)\b|\bla causa\b|\bel problema (?:es|era|está)\b|\bdie ursache\b|\bdas problem (?:ist|war|liegt)\b",
        r"|\bo problema (?:é|era|está)\b|причина|проблема (?:в|была)|原因(?:是|在于)|问题(?:在于|出在)|원인은",
    ))
    .expect("static regex")
});

/// Words that give a reason or say how the fix worked.
static GIVES_REASON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\bbecause\b|\bdue to\b|\b(?:is|was|are|were) (?:missing|not installed)\b|\b(?:isn't|wasn't|aren't|weren't) installed\b",
        r"|\b(?:fix|fixed|fixes|resolved|solved)\b.{0,100}\bby \w+ing\b",
        r"|\bparce que\b|\bà cause d|\bporque\b|\bweil\b|потому что|因为|때문",
    ))
    .expect("static regex")
});

/// Sentences that announce, plan or ask rather than state.
static NOT_A_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(?:let me|let's|i'll|i will|i'm going|i am going|i need to|we need to|now\b|next\b)|\b(?:i|we)(?:'ve| have| just)?\s+(?:found|identified|located|tracked down|pinpointed)\b(?:\W+\w+){0,2}\W+(?:the )?(?:root cause|cause|issue|problem|reason)\b|\b(?:to|will|i'll|let me|let's)\s+(?:find|identify|investigate|check|look into|understand)\b",
    )
    .expect("static regex")
});

/// An acknowledgement that opens the agent's answer to a correction ("Got it —", "You're
/// right.", "Exactly.", "Good catch:"), with what follows it, if anything, in group 1.
static ACKNOWLEDGEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(?:got it|you(?:['’]re| are)(?: absolutely| totally| completely| quite)? (?:right|correct)|that(?:['’]s| is) (?:right|correct|true)|right|exactly|good (?:catch|point|call)|understood|ah|i see|i understand|makes sense|i apologi[sz]e(?: for [^,.!—–:]+)?|sorry(?: about that| for [^,.!—–:]+)?|my (?:mistake|bad)|thanks(?: for [^,.!—–:]+)?|ok(?:ay)?|oui|d'accord|vale|genau|确实|明白)(?:\s*[,.!:;—–]+|\s+-\s|\s*$)\s*(.*)$",
    )
    .expect("static regex")
});

/// Openings of a report of what was done, a plan or a guess, not a statement of how
/// things are: "Done —", "I've updated…", "Let me…", "Everything looks good", "I think…".
static NOT_A_LESSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(?:done|great|sure|perfect|everything|all (?:set|good|done|\w+ (?:fixes|changes))|i(?:'ve| have| just|'ll| will| think| believe| made| updated| changed| fixed| added| removed| checked)|i'm|updated|fixed|added|removed|changed|implemented|reverted|here(?:'s| is| are)|now|okay|ok|let me|let's|next|first|the user|you asked|based on|checked|verified|confirmed|tested|ran|looked|searched|found|restarted|started|stopped|created|wrote|installed|configured|je vais|voici)\b|^\W*(?:我准备|我将|我会|让我|接下来)",
    )
    .expect("static regex")
});

/// Words that give a statement the shape of a lesson: a need, a limit, a negation, a
/// cause ("needs a reboot", "only accepts", "is often missing", "triggers", "instead").
/// "Container is running and Windows is up" is a status, however it is phrased.
static LESSON_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:needs?|needed|must|should|only|requires?|required|can't|cannot|couldn't|won't|doesn't|don't|isn't|aren't|wasn't|not|never|always|instead|missing|because|since|triggers?|causes?|breaks?|expects?|has to|have to)\b",
        r"|\b(?:doit|faut|seulement|au lieu|debe|hay que|solo|muss|nur|nicht|statt|deve|só|apenas|нужно|должен|только)\b",
        r"|需要|必须|只|仅|不能|不要|而不是|必要|だけ|필요|해야|않",
    ))
    .expect("static regex")
});

/// How the agent put a correction in its own words, in one of its answers (which one is
/// `corrections::follow_up`'s choice): its first sentence, when it states how things are ("The `sudo` commands need your
/// fingerprint in a real terminal", "On Windows 11, that checkbox is often missing"),
/// an opening acknowledgement taken off ("Got it — you just need …"). None when that
/// answer opens with what was done, a plan, a guess or a question.
pub(crate) fn restatement(answer: &str) -> Option<String> {
    let prose = strip_code_blocks(answer).replace("**", "");
    let mut sentences = sentences(&prose).into_iter();
    let mut first = sentences.next()?.trim_start_matches(['-', '*', '•', ' ']);
    // Acknowledgements stack ("Ah, you're right."): take them off one by one, moving on to
    // the next sentence when one was nothing else.
    for _ in 0..MAX_ACKNOWLEDGEMENTS {
        let Some(rest) = ACKNOWLEDGEMENT.captures(first).and_then(|c| c.get(1)) else {
            break;
        };
        first = match rest.as_str().trim() {
            "" => sentences.next()?.trim_start_matches(['-', '*', '•', ' ']),
            rest => rest,
        };
    }
    let words = word_count(first);
    let states = (MIN_WORDS..=RESTATEMENT_WORDS).contains(&words)
        && !first.trim_end().ends_with(['?', '？', ':', '：'])
        && LESSON_SHAPE.is_match(first)
        && !NOT_A_LESSON.is_match(first)
        && !NOT_A_STATEMENT.is_match(first);
    states.then(|| {
        first
            .trim_end_matches(['.', '。', '!', ';', ',', ' '])
            .to_string()
    })
}

/// The longest restatement a title takes: longer, it is a paragraph.
const RESTATEMENT_WORDS: usize = 30;
/// Acknowledgements taken off the front of an answer, at most.
const MAX_ACKNOWLEDGEMENTS: usize = 3;

/// How strongly a sentence states a cause: 2 when it names one, 1 when it gives a reason
/// or the way a fix worked, 0 when it does neither or only announces.
fn strength(sentence: &str) -> u8 {
    let words = word_count(sentence);
    if !(MIN_WORDS..=MAX_WORDS).contains(&words)
        || sentence.trim_end().ends_with(['?', '？', ':', '：'])
        || NOT_A_STATEMENT.is_match(sentence)
    {
        return 0;
    }
    if NAMES_CAUSE.is_match(sentence) {
        2
    } else if GIVES_REASON.is_match(sentence) {
        1
    } else {
        0
    }
}

/// The strongest cause stated in the texts read so far.
#[derive(Debug, Default)]
pub(crate) struct StatedCause {
    best: Option<(u8, String)>,
}

impl StatedCause {
    /// Reads one answer of the agent.
    pub(crate) fn read(&mut self, text: &str) {
        self.read_about(text, |_| true);
    }

    /// Reads one answer of the agent, where only the sentences `about` accepts may state
    /// the cause (a recap after the fix goes on to other work).
    pub(crate) fn read_about(&mut self, text: &str, about: impl Fn(&str) -> bool) {
        if self.best.as_ref().is_some_and(|(s, _)| *s >= 2) {
            return;
        }
        let prose = strip_code_blocks(text).replace("**", "");
        for sentence in sentences(&prose) {
            let sentence = sentence.trim_start_matches(['-', '*', '•', ' ']);
            if !about(sentence) {
                continue;
            }
            let s = strength(sentence);
            if s > self.best.as_ref().map_or(0, |(b, _)| *b) {
                self.best = Some((s, excerpt(sentence, CAUSE_CHARS)));
                if s >= 2 {
                    return;
                }
            }
        }
    }

    /// The sentence, when one stated a cause.
    pub(crate) fn sentence(&self) -> Option<&str> {
        self.best.as_ref().map(|(_, s)| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(texts: &[&str]) -> Option<String> {
        let mut c = StatedCause::default();
        for t in texts {
            c.read(t);
        }
        c.sentence().map(str::to_string)
    }

    #[test]
    fn a_named_cause_wins_over_a_reason_and_the_first_of_equals_is_kept() {
        let got = cause(&[
            "I changed the loader because it was slow to start.",
            "The issue is in `install/homebrew.sh:50` where `brew bundle --no-lock` is used. The real problem was the flag.",
        ]);
        assert_eq!(
            got.as_deref(),
            Some("The issue is in `install/homebrew.sh:50` where `brew bundle --no-lock` is used.")
        );
        assert_eq!(
            cause(&[
                "- Fixed a runtime bug by declaring the sets before they are used in the stalemate path."
            ])
            .as_deref(),
            Some("Fixed a runtime bug by declaring the sets before they are used in the stalemate path.")
        );
        assert!(
            cause(&["Root cause: the dialog imported PySide6 at module import time, which needs libEGL."])
                .is_some()
        );
        assert!(
            cause(&["La cause : le fichier de configuration ne référence que le serveur Linear."]).is_some()
        );
    }

    #[test]
    fn the_agent_restating_a_correction_is_read_past_its_acknowledgement() {
        assert_eq!(
            restatement(
                "Got it — you just need Windows to have normal network access. Removing macvlan now."
            )
            .as_deref(),
            Some("you just need Windows to have normal network access")
        );
        assert_eq!(
            restatement("Exactly. The sign-out triggers RDP close, and the script shuts the container down.")
                .as_deref(),
            Some("The sign-out triggers RDP close, and the script shuts the container down")
        );
        assert_eq!(
            restatement("On Windows 11, that checkbox is often missing. Fix it via the registry instead:")
                .as_deref(),
            Some("On Windows 11, that checkbox is often missing")
        );
        // What was done, a plan, a guess, a question: no restatement.
        for answer in [
            "Done. I changed the default to keep-alive.",
            "Let me verify the exact arithmetic before editing.",
            "I think the issue might be the loading order.",
            "Everything looks good — container running, port open.",
            "Should I switch the loader to the new offsets as well?",
            "Got it.",
        ] {
            assert_eq!(restatement(answer), None, "{answer}");
        }
    }

    /// Review findings: a cause that mentions a check or a thing not found is still a
    /// cause; the announcement is a subject saying it found one.
    #[test]
    fn a_cause_mentioning_check_or_found_is_still_a_cause() {
        for s in [
            "The failure happened because `ruff check` reports an issue in the generated file.",
            "The type check issue was caused by the stale generated types.",
            "The binary was not found on PATH, which was the problem.",
        ] {
            assert!(strength(s) > 0, "{s}");
        }
        assert_eq!(
            strength("We have identified the root cause of the outage today."),
            0
        );
        assert_eq!(strength("I need to check the cause of this failure first."), 0);
    }

    /// Review findings: an acknowledgement word inside a compound or opening a statement
    /// is no acknowledgement ("Right-click menus", "Exactly one worker").
    #[test]
    fn an_acknowledgement_word_inside_a_statement_is_kept() {
        for (answer, opening) in [
            (
                "Right-click menus are not available in the headless session.",
                "Right-click",
            ),
            ("Exactly one worker must hold the lock at a time.", "Exactly one"),
        ] {
            let got = restatement(answer);
            assert!(got.as_deref().is_some_and(|g| g.starts_with(opening)), "{got:?}");
        }
    }

    /// Review findings: the acknowledgements agents open with are taken off, stacked or
    /// with a typographic apostrophe.
    #[test]
    fn common_acknowledgements_are_taken_off() {
        for a in [
            "You're absolutely right! The API only accepts JSON bodies.",
            "You\u{2019}re right \u{2014} the API only accepts JSON bodies.",
            "I apologize for the confusion. The API only accepts JSON bodies.",
            "Ah, you're right. The API only accepts JSON bodies.",
            "That's right, the API only accepts JSON bodies.",
        ] {
            assert_eq!(
                restatement(a).as_deref().map(str::to_lowercase).as_deref(),
                Some("the api only accepts json bodies"),
                "{a}"
            );
        }
    }

    #[test]
    fn announcements_plans_questions_and_the_error_itself_are_no_cause() {
        assert_eq!(
            cause(&["Based on my analysis, I found the root cause of the authentication issue."]),
            None
        );
        assert_eq!(
            cause(&["Let me fix this by using a more direct approach with the checkbox."]),
            None
        );
        assert_eq!(
            cause(&["Is the failure caused by the cache because of the old key?"]),
            None
        );
        assert_eq!(
            cause(&["The error is: ```\nError: No image information specified\n```"]),
            None
        );
        assert_eq!(cause(&["This works because: 1."]), None);
        assert_eq!(cause(&["All tests pass now and the build is green."]), None);
    }
}
