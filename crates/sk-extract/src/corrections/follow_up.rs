//! What the agent did after a correction: the fix. A correction entry that only quotes
//! the user says what was wrong; the files the agent then edited, the commands it then ran
//! and what it then said are how it was put right, which is what a later session needs.
//!
//! Decided:
//! - The follow-up is the agent's turn after the correction: every record up to the next
//!   human prompt. Prompts that carry no words of their own (an image placeholder such as
//!   `[Image #3]`, harness text opening with `<`) do not end the turn: the human added
//!   something to the correction, they did not move on.
//! - Commands that only look (`ls`, `grep`, `git status`) or check a running system
//!   (`docker logs`, `ip addr show`, `nc -z`) are how the agent searched, not what it
//!   changed; commands that failed are not the fix either.
//! - The first file change of the turn is quoted (its changed lines, cut short): the edit
//!   right after a correction is the most direct answer to it.
//! - The agent's last answer of the turn is kept: it is where an agent says what it did
//!   ("switched the default to keep-alive"), and when the agent only answered, it is the fix.
//! - The human re-sending the same prompt (edited a little: the same opening) before the
//!   agent called a tool or answered does not end the turn either. Sent after the agent
//!   acted, the same words are a new correction: the attempt in between did not hold.
//! - A refused call with a reason ends the turn too: it is the next correction, with its
//!   own follow-up. Windows never overlap, so the whole rule stays linear in the session.
//! - Edits and commands whose result failed (a refused edit included) changed nothing:
//!   they are not the fix, and a failed edit is never quoted as the first change.
//! - A bare go-ahead ("ok", "yes, do it", "可以", "давай") sent after the agent only
//!   answered does not end the turn either: the agent proposed how it would put things
//!   right and asked, and the change comes in the turn after. Once: a second round of
//!   asking is a conversation, not a follow-up.
//! - The scan stops after [`MAX_RECORDS`]: a very long turn has long moved on from the
//!   correction.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use sk_core::{Record, RecordKind};

use crate::SessionContext;
use crate::cause::StatedCause;
use crate::commands::{HARMLESS_REDIRECT, ToolKind, only_inspects, short_command};
use crate::text::{display_path, excerpt, word_count};

/// Longest turn read after a correction, in records.
const MAX_RECORDS: usize = 1500;
/// Files and commands named in a body, at most.
const MAX_FILES: usize = 4;
const MAX_COMMANDS: usize = 2;
const COMMAND_CHARS: usize = 60;
/// The agent's last answer of the turn: where it says what it changed and why, which a
/// reader needs whole enough to act on.
const ANSWER_CHARS: usize = 420;
/// What the agent said before its first change (why it changes what it does, and how):
/// cut at 220, blind judges found the fix missing ("pass a placeholder so it skips the
/// terminal prompt — Windows will still…").
const WHY_CHARS: usize = 320;
const CHANGE_CHARS: usize = 200;

/// The agent's turn after a correction.
#[derive(Debug, Default)]
pub(super) struct FollowUp {
    /// Files edited or written, relative to the session's folder, in order.
    edited: Vec<String>,
    /// Commands that did more than look and did not fail.
    ran: Vec<String>,
    /// The changed lines of the first edit, with its file.
    first_change: Option<(String, String)>,
    /// What the agent said right before its first change: usually why it changes it.
    why: Option<String>,
    /// The last thing the agent said in the turn.
    said: Option<String>,
    /// The agent's own words for why it was wrong, if it said ([`crate::cause`]).
    cause: StatedCause,
    /// How the agent put the correction in the answer right before its first change, if
    /// it stated it ([`crate::cause::restatement`]); `None` before the first change.
    restated_before_change: Option<Option<String>>,
    /// How the turn's first answer put it, for a turn that changed nothing.
    restated_first: Option<String>,
    /// How the latest answer put it.
    restated_latest: Option<String>,
    /// Whether the turn's first answer was read.
    answered: bool,
    /// The index of the prompt that ended the turn, if one did.
    pub(super) end: Option<usize>,
}

impl FollowUp {
    /// Reads the turn that starts after record `from`, the correction whose words are
    /// `said`.
    pub(super) fn after(ctx: &SessionContext, records: &[Record], from: usize, said: &str) -> FollowUp {
        let mut f = FollowUp::default();
        // Commands and edited files by call id, so a failed result can take them back out.
        let mut commands: HashMap<&str, String> = HashMap::new();
        let mut edits: HashMap<&str, Vec<String>> = HashMap::new();
        // The call whose edit is quoted as the first change.
        let mut first_call: Option<&str> = None;
        let mut failed: Vec<String> = Vec::new();
        // Whether the agent called a tool or answered since the correction: the same words
        // sent after that are a new correction, not the same one sent again.
        let mut acted = false;
        // Whether a go-ahead was read through already (once).
        let mut went_ahead = false;
        let end = records.len().min(from.saturating_add(1 + MAX_RECORDS));
        for (k, r) in records.iter().enumerate().take(end).skip(from + 1) {
            if r.subagent {
                continue;
            }
            match r.kind() {
                RecordKind::Prompt if acted && !went_ahead && !f.changed() && go_ahead(&r.text) => {
                    went_ahead = true;
                }
                RecordKind::Prompt if ends_turn(&r.text) && (acted || !resent(&r.text, said)) => {
                    f.end = Some(k);
                    break;
                }
                RecordKind::Answer => {
                    acted = true;
                    f.cause.read(&r.text);
                    f.restated_latest = crate::cause::restatement(&r.text);
                    if !f.answered {
                        f.answered = true;
                        f.restated_first = f.restated_latest.clone();
                    }
                    if word_count(&r.text) >= 3 {
                        f.said = Some(excerpt(&r.text, ANSWER_CHARS));
                    }
                }
                RecordKind::ToolCall => {
                    acted = true;
                    let (kind, files) = crate::failures::file_change(ctx, r);
                    if !files.is_empty() {
                        if f.edited.is_empty() {
                            f.why = f.said.take().map(|w| excerpt(&w, WHY_CHARS));
                            if f.restated_before_change.is_none() {
                                f.restated_before_change = Some(f.restated_latest.take());
                            }
                        }
                        if f.first_change.is_none()
                            && let Some(lines) = changed_lines(&r.text)
                        {
                            f.first_change = Some((files[0].clone(), lines));
                            first_call = r.call_id.as_deref();
                        }
                        if let Some(id) = r.call_id.as_deref() {
                            edits.insert(id, files.clone());
                        }
                        f.edited.extend(files);
                    } else if kind == ToolKind::Shell && !only_inspects(&r.text) && !only_checks(&r.text) {
                        let command = short_command(&r.text, COMMAND_CHARS);
                        if let Some(id) = r.call_id.as_deref() {
                            commands.insert(id, command.clone());
                        }
                        f.ran.push(command);
                    }
                }
                RecordKind::ToolResult if r.success == Some(false) => {
                    let id = r.call_id.as_deref();
                    if let Some(command) = id.and_then(|id| commands.remove(id)) {
                        failed.push(command);
                    }
                    // A failed or refused edit changed nothing: it is no part of the fix.
                    if let Some(files) = id.and_then(|id| edits.remove(id)) {
                        f.take_back(&files);
                        if first_call.is_some() && first_call == id {
                            f.first_change = None;
                            first_call = None;
                        }
                    }
                    // A refusal with a reason is the next correction: its own follow-up
                    // starts here, so windows never overlap and the rule stays linear.
                    if super::rejected::reason(r).is_some() {
                        break;
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
        for list in [&mut f.edited, &mut f.ran] {
            list.retain(|i| !i.is_empty());
            crate::dedup_in_order(list);
        }
        f
    }

    /// Takes the files of a failed edit back out (one entry per file: an earlier edit of
    /// the same file that did succeed stays). When no edit is left, what the agent said
    /// before it was no reason for a change.
    fn take_back(&mut self, files: &[String]) {
        for file in files {
            if let Some(k) = self.edited.iter().rposition(|e| e == file) {
                self.edited.remove(k);
            }
        }
        if self.edited.is_empty() {
            let why = self.why.take();
            if self.said.is_none() {
                self.said = why;
            }
        }
    }

    /// Whether the agent changed something after the correction (an edit, or a command
    /// that did more than look and did not fail): the fix can be stated.
    pub(super) fn changed(&self) -> bool {
        !self.edited.is_empty() || !self.ran.is_empty()
    }

    /// The agent's own words for why it was wrong, when it said.
    pub(super) fn cause(&self) -> Option<&str> {
        self.cause.sentence()
    }

    /// How the agent put the correction, when it stated how things are: in the answer
    /// right before its first change (why it changes what it does), else in its first
    /// answer of the turn.
    pub(super) fn restated(&self) -> Option<&str> {
        self.restated_before_change
            .as_ref()
            .and_then(Option::as_deref)
            .or(self.restated_first.as_deref())
    }

    /// Files edited or written in the turn, in order.
    pub(super) fn edited(&self) -> &[String] {
        &self.edited
    }

    /// The fix in a few words for a title, in at most `max` characters when it can be:
    /// "editing src/a.rs and 2 more files", else "editing src/a.rs", else "editing a.rs";
    /// "running `cmd`" when the agent changed no file; `None` when it changed nothing.
    pub(super) fn headline(&self, max: usize) -> Option<String> {
        let Some(first) = self.edited.first() else {
            return self.ran.last().map(|c| format!("running `{c}`"));
        };
        let path = display_path(first);
        let more = match self.edited.len() - 1 {
            0 => String::new(),
            1 => " and 1 more file".to_string(),
            n => format!(" and {n} more files"),
        };
        [
            format!("editing {path}{more}"),
            format!("editing {path}"),
            format!("editing {}", crate::text::file_name(&path)),
        ]
        .into_iter()
        .reduce(|fits, shorter| {
            if fits.chars().count() <= max {
                fits
            } else {
                shorter
            }
        })
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
        // Said again on its own line unless a quote below already holds it whole.
        if let Some(cause) = self.cause()
            && ![&self.why, &self.said]
                .iter()
                .any(|q| q.as_deref().is_some_and(|q| q.contains(cause)))
        {
            out.push_str(&format!("Why, in the agent's words: {cause}\n"));
        }
        if let Some(why) = &self.why {
            out.push_str(&format!("The agent said: {why}\n"));
        }
        if !steps.is_empty() {
            out.push_str(&format!("Then the agent {}.", steps.join("; ")));
        }
        if let Some((file, lines)) = &self.first_change {
            out.push_str(&format!("\nFirst change, in {}: {lines}", display_path(file)));
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

/// Commands that check a running system and change nothing, beyond what
/// [`only_inspects`] knows: after a correction they are the agent looking, not a fix.
static CHECKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:sudo\s+)?(?:(?:docker|podman)(?:-compose|\s+compose)?\s+(?:-f\s+\S+\s+)?(?:logs|ps|inspect|images|stats|top)\b|kubectl\s+(?:get|describe|logs|top)\b|ip\s+(?:-\w+\s+)*(?:addr|address|link|route|neigh)(?:\s+(?:show|list)\b|\s*$)|nc\s+-\w*z|ping\b|ss\b|netstat\b|lsof\b|ps\b|systemctl\s+(?:status|is-active|is-enabled)\b|journalctl\b|sleep\b)",
    )
    .expect("static regex")
});

/// Whether every step of a command (split on `&&`, `||`, `;`, `|`) only checks.
fn only_checks(command: &str) -> bool {
    // Output thrown away or joined (`2>&1`, `2>/dev/null`) writes nothing.
    let command = HARMLESS_REDIRECT.replace_all(command, " ");
    crate::commands::segments(&command)
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|s| CHECKS.is_match(s) || only_inspects(s) || only_fetches(s))
}

/// Whether one step only reads a URL: `curl` without a method other than GET, without a
/// body or upload, writing no file (`-o /dev/null` writes none), or `wget --spider`. The
/// agent asking a server whether it answers now is a check, not a fix.
fn only_fetches(step: &str) -> bool {
    let mut tokens = step.split_whitespace().skip_while(|t| *t == "sudo");
    match tokens.next() {
        Some("wget") => tokens.any(|t| t == "--spider"),
        Some("curl") => {
            let tokens: Vec<&str> = tokens.collect();
            let mut k = 0;
            while let Some(&t) = tokens.get(k) {
                let next = tokens.get(k + 1).copied().unwrap_or_default();
                let get = |method: &str| method.trim_matches(['"', '\'']).eq_ignore_ascii_case("GET");
                if let Some(long) = t.strip_prefix("--") {
                    let (name, value) = long.split_once('=').unwrap_or((long, next));
                    let writes = name.starts_with("data")
                        || matches!(
                            name,
                            "json" | "form" | "upload-file" | "remote-name" | "remote-name-all"
                        )
                        || (name == "output" && value != "/dev/null")
                        || (name == "request" && !get(value));
                    if writes {
                        return false;
                    }
                } else if let Some(short) = t.strip_prefix('-') {
                    // Short flags cluster (`-sSo`); one that takes a value takes the rest
                    // of the token, or the next token.
                    for (i, c) in short.char_indices() {
                        let rest = short.get(i + c.len_utf8()..).unwrap_or_default();
                        let value = if rest.is_empty() { next } else { rest };
                        match c {
                            'd' | 'F' | 'T' | 'O' => return false,
                            'o' if value != "/dev/null" => return false,
                            'X' if !get(value) => return false,
                            'o' | 'X' | 'H' | 'w' | 'u' | 'A' | 'e' | 'm' | 'b' | 'c' | 'x' => break,
                            _ => {}
                        }
                    }
                }
                k += 1;
            }
            true
        }
        _ => false,
    }
}

/// The lines an edit's text removes and adds (`- old` / `+ new`, as the connectors write
/// an edit and as `apply_patch` writes a hunk), on one line and cut short.
fn changed_lines(text: &str) -> Option<String> {
    let changed = |sign: char| {
        text.lines()
            .map(str::trim_end)
            .filter(move |l| l.starts_with(sign) && !l.starts_with("+++") && !l.starts_with("---"))
            .filter(|l| l.get(1..).is_some_and(|rest| !rest.trim().is_empty()))
    };
    let strip = |l: &str| l.get(1..).unwrap_or_default().trim().to_string();
    let removed: Vec<String> = changed('-').map(strip).collect();
    let added: Vec<String> = changed('+').map(strip).collect();
    // A connector may keep only the first line of each side: when they read the same, the
    // change is not shown there.
    if added == removed {
        return None;
    }
    // What was added is the fix; a line or two of what it replaced is the context. An
    // edit that only removed lines (a duplicated block) is told by what it removed.
    let lines: Vec<&str> = if added.is_empty() {
        changed('-').take(6).collect()
    } else {
        changed('-').take(2).chain(changed('+').take(6)).collect()
    };
    Some(excerpt(&lines.join(" "), CHANGE_CHARS))
}

/// Words that, alone, let the agent go ahead with what it proposed, in the languages the
/// cue tables cover (folded: lower case, Latin accents removed; Russian as written). A
/// prompt made only of these ("ok, go ahead", "yes please", "oui vas-y", "да, давай") says
/// nothing of its own.
#[rustfmt::skip]
const GO_AHEAD_WORDS: &[&str] = &[
    // en
    "yes", "yeah", "yep", "yup", "ok", "okay", "k", "sure", "alright", "fine",
    "good", "great", "perfect", "sounds", "looks", "go", "ahead", "for", "it", "do",
    "please", "proceed", "continue", "approved", "lgtm", "let's", "lets", "that", "works", "agreed",
    "thanks", "right", "then", "and",
    // de, fr, es, pt, it
    "ja", "gut", "passt", "mach", "weiter", "los", "bitte", "einverstanden", "klar", "gerne",
    "oui", "d'accord", "vas-y", "allez", "parfait", "vas", "y", "c'est", "bon", "si",
    "vale", "dale", "adelante", "claro", "perfecto", "hazlo", "bueno", "sim", "pode", "beleza",
    "perfeito", "isso", "va", "bene", "procedi", "vai", "perfetto", "certo", "fallo",
    // ru
    "да", "давай", "ок", "хорошо", "продолжай", "делай", "согласен", "конечно", "ладно",
];

/// Go-aheads said without spaces (Chinese, Japanese, Korean), whole.
#[rustfmt::skip]
const GO_AHEAD_PHRASES: &[&str] = &[
    "可以", "好", "好的", "行", "是", "是的", "对", "继续",
    "开始吧", "没问题", "同意", "请继续", "可以的", "好的继续", "はい", "ええ",
    "お願いします", "お願い", "進めて", "進めてください", "いいよ", "いいです", "了解", "네",
    "예", "좋아", "좋아요", "진행해", "진행해줘", "진행해주세요", "응", "그래",
    "오케이",
];

/// Most words a go-ahead has.
const GO_AHEAD_MAX_WORDS: usize = 6;

/// Whether a prompt only lets the agent go ahead ("ok", "yes, do it", "可以"): it adds no
/// correction or request of its own.
pub(super) fn go_ahead(text: &str) -> bool {
    let folded = crate::text::fold(text.trim());
    let raw = text.trim().to_lowercase();
    let bare: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !"。！，、～…".contains(*c))
        .collect();
    if GO_AHEAD_PHRASES.contains(&bare.as_str()) {
        return true;
    }
    // Cyrillic folds to `x`: read those words from the lower-cased text.
    let source = if raw.chars().any(|c| matches!(c, 'а'..='я' | 'ё')) {
        &raw
    } else {
        &folded
    };
    let words: Vec<&str> = source
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | ';' | ':' | '，' | '。' | '！'))
        .filter(|w| !w.is_empty())
        .collect();
    !words.is_empty() && words.len() <= GO_AHEAD_MAX_WORDS && words.iter().all(|w| GO_AHEAD_WORDS.contains(w))
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

/// How much of two prompts' openings must agree for one to be the other sent again.
const RESENT_CHARS: usize = 120;

/// Whether `prompt` is the correction `said` sent again, perhaps edited: the same opening.
fn resent(prompt: &str, said: &str) -> bool {
    let (a, b) = (prompt.trim(), said.trim());
    a == b
        || (a.chars().count() >= RESENT_CHARS
            && a.chars().take(RESENT_CHARS).eq(b.chars().take(RESENT_CHARS)))
}

#[cfg(test)]
mod tests {
    use super::{changed_lines, ends_turn, go_ahead, only_checks, resent};

    #[test]
    fn a_bare_go_ahead_adds_nothing_of_its_own() {
        for yes in [
            "ok",
            "Yes, go ahead.",
            "sounds good, do it",
            "可以",
            "好的！",
            "はい",
            "네",
            "да, давай",
            "oui vas-y",
            "Sí, dale",
            "ja bitte",
            "LGTM",
        ] {
            assert!(go_ahead(yes), "{yes}");
        }
        for other in [
            "ok but use port 3000",
            "no",
            "yes and also fix the README",
            "да внеси коррективы",
            "可以直接放在docstring",
            "",
            "go ahead and delete the tests, then rewrite them all from scratch please",
        ] {
            assert!(!go_ahead(other), "{other}");
        }
    }

    #[test]
    fn changed_lines_are_the_removed_and_added_ones() {
        assert_eq!(
            changed_lines("/w/run.sh\n- KEEP_ALIVE=false\n+ KEEP_ALIVE=true").as_deref(),
            Some("- KEEP_ALIVE=false + KEEP_ALIVE=true")
        );
        assert_eq!(
            changed_lines("*** Begin Patch\n*** Update File: a.py\n@@\n-x = 1\n+x = 2\n*** End Patch")
                .as_deref(),
            Some("-x = 1 +x = 2")
        );
        assert_eq!(changed_lines("/w/notes.md"), None);
        assert_eq!(changed_lines("/w/a.sh\n- # Setup\n+ # Setup"), None);
        assert_eq!(changed_lines("/w/a.md\n+\n-   "), None);
        assert_eq!(
            changed_lines("/w/cli.py\n- sub.add_parser('hooks')").as_deref(),
            Some("- sub.add_parser('hooks')")
        );
    }

    #[test]
    fn checks_of_a_running_system_are_not_a_fix() {
        assert!(only_checks("docker logs omarchy-windows"));
        assert!(only_checks(
            "ip addr show macvlan-host && nc -zv 192.168.6.200 3389"
        ));
        assert!(only_checks("sleep 5; docker ps"));
        assert!(only_checks("docker logs web 2>&1 | tail -30"));
        assert!(!only_checks("docker compose up -d"));
        assert!(!only_checks("ip link set macvlan-host up"));
        assert!(!only_checks("npm install"));
        // Reading a URL checks; sending data, another method or a file written does not.
        assert!(only_checks("curl -s http://localhost:8080/health"));
        assert!(only_checks(
            "curl -sS -o /dev/null -w '%{http_code}' http://x/ | cat"
        ));
        assert!(only_checks(
            "curl -X GET -H 'Accept: application/json' http://x/api"
        ));
        assert!(only_checks("wget --spider http://x/"));
        assert!(!only_checks("curl -X POST http://x/api/reset"));
        assert!(!only_checks("curl -XDELETE http://x/api/1"));
        assert!(!only_checks("curl --data '{}' http://x/api"));
        assert!(!only_checks("curl -sLo out.tar.gz http://x/a.tar.gz"));
        assert!(!only_checks("curl -O http://x/a.tar.gz"));
        assert!(!only_checks("wget http://x/a.tar.gz"));
    }

    #[test]
    fn a_prompt_sent_again_is_the_same_correction() {
        let long = "two small corrections: the router at 0x1111 is version 4, not 3; update every reference in the README and the inline comments";
        assert!(resent(long, long));
        assert!(resent(
            &format!("{long}. proceed to the next step after that."),
            long
        ));
        assert!(!resent("ok", "ok, and the other one"));
        assert!(!resent("thanks", "still broken"));
    }

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
