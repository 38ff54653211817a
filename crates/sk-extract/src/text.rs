//! Small text helpers every rule shares: sentence and item splitting, the noise filters
//! (chit-chat, meta-narration, status lines), path-like tokens, and the title/body shaping
//! that keeps every candidate readable on its own and within its size limits.

mod markup;

use std::sync::LazyLock;

use regex::Regex;

use self::markup::{ends_with_dunder, strip_markup};
use crate::{MAX_BODY_CHARS, MAX_TITLE_CHARS};

/// Abbreviations whose trailing dot does not end a sentence.
const ABBREVIATIONS: [&str; 10] = [
    "e.g", "i.e", "etc", "vs", "cf", "approx", "z.b", "d.h", "p.ex", "ex",
];

/// Words a cut title must not end on: they promise a continuation that was cut off.
const DANGLING_WORDS: [&str; 48] = [
    "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "for", "with", "by", "at", "from", "as",
    "because", "that", "which", "so", "then", "via", "into", "than", "this", "these", "those", "its",
    "their", "our", "your", "my", "is", "are", "was", "were", "be", "not", "no", "if", "when", "while",
    "where", "who", "about", "after", "before", "per",
];

/// Pronouns that make a sentence unreadable without what came before it.
const CONTEXT_PRONOUNS: [&str; 22] = [
    "it", "this", "that", "these", "those", "there", "here", "they", "them", "das", "dies", "es", "ça",
    "cela", "ce", "eso", "esto", "isso", "isto", "questo", "quello", "ciò",
];

/// Splits prose into sentences: a `.`, `!`, `?` or `;` followed by whitespace, or a line
/// break, ends one. Abbreviations such as "e.g." and dots inside tokens (`notes.md`, `1.5`)
/// do not. Returned slices are trimmed and non-empty.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        let ends = match c {
            '\n' => true,
            // Chinese and Japanese close a sentence without a space after it; a run of
            // marks ("什么？？？") closes one sentence, not one per mark.
            '。' | '！' | '？' => chars
                .peek()
                .is_none_or(|(_, n)| !matches!(n, '。' | '！' | '？' | '!' | '?')),
            '!' | '?' | ';' => next_is_space,
            '.' => next_is_space && !ends_with_abbreviation(sk_core::text::window(text, start, i)),
            _ => false,
        };
        if ends {
            let end = i + c.len_utf8();
            push_trimmed(&mut out, sk_core::text::window(text, start, end));
            start = end;
        }
    }
    push_trimmed(&mut out, sk_core::text::from(text, start));
    out
}

fn push_trimmed<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s);
    }
}

fn ends_with_abbreviation(before_dot: &str) -> bool {
    let word = before_dot
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    ABBREVIATIONS.iter().any(|a| word.eq_ignore_ascii_case(a))
}

/// Removes fenced code blocks (```…```): code is evidence for a human, not a statement.
pub(crate) fn strip_code_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Number of words (runs of alphanumeric characters). Chinese and Japanese write no
/// spaces between words: there, every two characters count as a word, about the length
/// of a word in those languages.
pub(crate) fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let unspaced = w.chars().filter(|&c| writes_without_spaces(c)).count();
            if unspaced == 0 {
                1
            } else {
                unspaced.div_ceil(2) + usize::from(unspaced < w.chars().count())
            }
        })
        .sum()
}

/// CJK ideographs and Japanese kana.
fn writes_without_spaces(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Folds text to the form cue patterns are written in: ASCII lower case, Latin accents
/// removed (é→e, ß→ss), typographic apostrophes, quotes and dashes made plain, other
/// letters `x`, other digits `0`, anything else a space. One char in, one or two out, so
/// words and sentence shapes survive.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        let plain: &str = match lower {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
            'ç' | 'č' | 'ć' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            '’' | '‘' | 'ʼ' | '´' => "'",
            '“' | '”' | '«' | '»' | '„' => "\"",
            '—' | '–' | '‐' | '‑' | '−' => "-",
            '…' => "...",
            _ if lower.is_alphabetic() => "x",
            _ if lower.is_numeric() => "0",
            _ => " ",
        };
        out.push_str(plain);
    }
    out
}

static CHIT_CHAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:sure|ok(?:ay)?|great|perfect|good|done|got it|thanks|thank you|understood|sounds good|will do|of course|absolutely|certainly|alright|all right|yes|yep|nice|excellent|confirmed|acknowledged|d'accord|parfait|merci|genau|danke|gut|claro|vale|perfecto|certo|ottimo|perfeito)\b[\s!.,:—–-]*",
    )
    .expect("static regex")
});

static NARRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            i'?ll | i\ will | i'?m\ going\ to | i\ am\ going\ to | i\ need\ to | i\ want\ to | i'?m\ now
          | let\ me | let'?s\ (?:look|check|see|start|run|read|try|first|now|take|begin|move|continue|verify|confirm)
          | now,?\ (?:i|let|we) | next,?\ (?:i|let|we) | first,?\ (?:i|let|we) | then,?\ (?:i|let|we)
          | here'?s | here\ is | here\ are
          | (?:running|reading|writing|listing|searching|checking|looking|creating|building|compiling|fetching|trying|starting|dispatching|falling\ back)\b
          | ich\ werde | lass\ mich | je\ vais | voyons | voy\ a | vou | vado\ a | adesso
        )",
    )
    .expect("static regex")
});

static STATUS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            \**\ *step\ \d+ | \#+\ | files?\ (?:modified|created|changed)\ \(
          | (?:created|updated|deleted|wrote)\ file\b | no\ (?:files|matches)\ found
          | .{0,60}(?:\.\.\.|…)$
        )",
    )
    .expect("static regex")
});

// The noise filters read the folded sentence, so "I’ll" and "I'll" are the same words and
// the patterns stay on the fast automata.

/// Agent or user small talk: "Sure, I'll do that", "Done.", "Perfect—…".
fn is_chit_chat(folded: &str) -> bool {
    CHIT_CHAT.is_match(folded.trim_start_matches(['*', '_', ' ']))
}

/// The agent narrating its next move: "I'll now read notes.md", "Let me look at the file".
fn is_narration(folded: &str) -> bool {
    NARRATION.is_match(folded.trim_start_matches(['*', '_', ' ', '-']))
}

/// Tool noise and status lines: "Running tests...", "**Step 3:**", "Files modified (+2 -0)".
fn is_status_line(folded: &str) -> bool {
    STATUS_LINE.is_match(folded.trim())
}

/// Verbs that open a report of work done ("Implemented the toggle", "Added tests").
const DONE_VERBS: [&str; 24] = [
    "implemented",
    "added",
    "created",
    "completed",
    "complete",
    "updated",
    "built",
    "wrote",
    "fixed",
    "resolved",
    "finished",
    "refactored",
    "moved",
    "renamed",
    "removed",
    "deleted",
    "configured",
    "installed",
    "enhanced",
    "improved",
    "integrated",
    "introduced",
    "verified",
    "tested",
];
/// Words that turn a report into a lesson: a cause, a method or an alternative.
const LESSON_LINKS: [&str; 12] = [
    " because ",
    " since ",
    " due to ",
    " caused by ",
    " by ",
    " instead",
    " so that ",
    " root cause",
    " otherwise ",
    " must ",
    " never ",
    " always ",
];

/// A line that reports what a session did ("Implemented real-time redraw", "Fixed the
/// toggle issue", "No major errors: it went smoothly") without a cause, a method or an
/// alternative: a session fact for its timeline, not knowledge for the next session.
pub(crate) fn is_progress_report(text: &str) -> bool {
    let lower = format!(
        " {} ",
        text.trim().trim_start_matches(['*', '-', ' ']).to_lowercase()
    );
    let first = lower.split_whitespace().next().unwrap_or("");
    let first = first.trim_end_matches([':', ',', '.']);
    let no_trouble = first == "no"
        && ["error", "issue", "problem", "blocker"]
            .iter()
            .any(|w| lower.contains(w));
    let done = DONE_VERBS.contains(&first) || first == "successfully";
    (done || no_trouble) && !LESSON_LINKS.iter().any(|l| lower.contains(l))
}

/// Any of the three noise kinds.
pub(crate) fn is_noise(sentence: &str) -> bool {
    is_noise_folded(&fold(sentence))
}

/// [`is_noise`] of a sentence already [`fold`]ed.
pub(crate) fn is_noise_folded(folded: &str) -> bool {
    is_chit_chat(folded) || is_narration(folded) || is_status_line(folded)
}

/// Whether `text` reads on its own: it does not open with a pronoun that points at
/// something said before, and it has at least three words.
pub(crate) fn is_standalone(text: &str) -> bool {
    let first = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != 'ç')
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_lowercase();
    let first = first.split('\'').next().unwrap_or("");
    word_count(text) >= 3 && !CONTEXT_PRONOUNS.contains(&first)
}

static PATH_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)(?:^|[\s`'"(\[<])
          ( (?:[A-Za-z]:)?[\w.~-]*(?:/[\w.@+-]+)*/?[\w@+-][\w.@+-]*
            \.(?:rs|py|pyi|ts|tsx|js|jsx|mjs|cjs|go|java|kt|kts|c|cc|cpp|cxx|h|hpp|rb|php|cs|swift|scala|toml|json|jsonl|yaml|yml|md|sh|bash|zsh|ps1|sql|lock|txt|cfg|ini|conf|html|css|scss|vue|svelte|proto|graphql|xml|gradle|mk|env|dockerfile|tf|lua|ex|exs|erl|hs|ml|dart|r|jl|zig|nix)
          | (?:[\w.-]+/)+(?:Makefile|Dockerfile|Cargo\.toml|package\.json) | Makefile | Dockerfile
          )
          (?::\d+(?::\d+)?)?
          (?:$|[\s`'"),.;:\]>])"#,
    )
    .expect("static regex")
});

/// File paths named in free text: `src/auth.rs`, `notes.md`, `crates/x/Cargo.toml`. URLs
/// and version numbers are not paths. In order of appearance, without duplicates.
pub(crate) fn path_tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut at = 0;
    // The delimiter after one token may be the one before the next, so each search
    // resumes at the end of the previous path, not of the whole match.
    while let Some(path) = PATH_TOKEN.captures_at(text, at).and_then(|c| c.get(1)) {
        at = path.end();
        let before = text.get(..path.start()).unwrap_or_default();
        let is_url = before
            .rsplit(char::is_whitespace)
            .next()
            .is_some_and(|w| w.contains("://"));
        let p = path.as_str().trim_start_matches("./");
        if !is_url && !p.is_empty() && !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    out
}

/// `path` relative to `cwd` when it lies inside it (macOS reports the same folder both as
/// `/var/...` and `/private/var/...`, so both spellings count).
pub(crate) fn relativize(path: &str, cwd: Option<&str>) -> String {
    let path = path.trim();
    if let Some(cwd) = cwd.map(|c| c.trim_end_matches('/')).filter(|c| !c.is_empty()) {
        let variants = [
            cwd.to_string(),
            format!("/private{cwd}"),
            cwd.strip_prefix("/private").unwrap_or(cwd).to_string(),
        ];
        for base in &variants {
            if let Some(rest) = path.strip_prefix(base.as_str()).and_then(|r| r.strip_prefix('/'))
                && !rest.is_empty()
            {
                return rest.to_string();
            }
        }
    }
    path.trim_start_matches("./").to_string()
}

/// A line of output with the paths inside `cwd` written relative to it (`/w/app/.git/x`
/// → `.git/x` for `cwd` `/w/app`), as everywhere in entries.
pub(crate) fn relative_in(line: &str, cwd: Option<&str>) -> String {
    match cwd.map(|c| c.trim_end_matches(['/', '\\'])) {
        Some(cwd) if !cwd.is_empty() => line.replace(&format!("{cwd}/"), ""),
        _ => line.to_string(),
    }
}

/// The last component of a path, either separator.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A short form of a path for titles: relative paths stay, absolute ones become their last
/// two components (temporary folders mean nothing to a later reader).
pub(crate) fn display_path(path: &str) -> String {
    if !path.starts_with('/') && !path.starts_with('~') && !path.contains(":\\") {
        return path.to_string();
    }
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => path.to_string(),
        [.., last] if is_temp_path(path) || parts.len() > 3 => last.to_string(),
        _ => path.to_string(),
    }
}

/// Temporary and per-machine folders whose names change between runs.
pub(crate) fn is_temp_path(path: &str) -> bool {
    [
        "/tmp/",
        "/var/folders/",
        "/private/var/",
        "/private/tmp/",
        "\\Temp\\",
        "/T/",
    ]
    .iter()
    .any(|p| path.contains(p))
}

/// Cuts `text` to at most `max` characters on a word boundary when one is near enough.
fn cut_chars(text: &str, max: usize) -> (&str, bool) {
    match text.char_indices().nth(max) {
        None => (text, false),
        Some((end, _)) => {
            let head = sk_core::text::prefix(text, end);
            let word_end = head.rfind(char::is_whitespace).filter(|&i| i >= end / 2);
            (sk_core::text::prefix(head, word_end.unwrap_or(end)), true)
        }
    }
}

/// Shapes a title: markdown and bullet markers removed, whitespace collapsed, at most
/// [`MAX_TITLE_CHARS`] characters cut at a word boundary, no trailing punctuation or
/// dangling connective, balanced backticks, first letter upper-case.
pub fn clean_title(raw: &str) -> String {
    let mut s = collapse_whitespace(&strip_markup(raw));
    loop {
        let before = s.len();
        s = s
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | '•' | '*' | '>'))
            .to_string();
        s = strip_bullet(&s).to_string();
        if s.len() == before {
            break;
        }
    }
    let s = strip_discourse_marker(&s);
    let (cut, was_cut) = cut_chars(s, MAX_TITLE_CHARS);
    let mut s = cut.to_string();
    tidy_end(&mut s, was_cut);
    if s.matches('`').count() % 2 == 1 {
        if let Some(i) = s.rfind('`') {
            if was_cut || i + 1 == s.len() {
                s.truncate(i);
            } else if s.chars().count() < MAX_TITLE_CHARS {
                s.push('`');
            } else {
                s.truncate(i);
            }
        }
        tidy_end(&mut s, true);
    }
    capitalize(&mut s);
    s
}

/// Drops a leading "Also, " / "So " / "Please " that only ties a sentence to the
/// conversation around it.
fn strip_discourse_marker(s: &str) -> &str {
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:(?:also|and|but|so|plus|btw|by the way|oh|well|ok|okay|anyway|thanks|thank you)\b[,.!]?\s+)+(?:please,?\s+)?|^please,?\s+")
            .expect("static regex")
    });
    match MARKER.find(s).and_then(|m| s.get(m.end()..)) {
        Some(rest) if !rest.is_empty() => rest,
        _ => s,
    }
}

fn tidy_end(s: &mut String, was_cut: bool) {
    loop {
        // A title ending on a dunder name (`mypkg/__init__`) keeps its underscores.
        let last_word = s.rsplit(char::is_whitespace).next().unwrap_or_default();
        if ends_with_dunder(last_word.trim_end_matches(['.', ',', ';', ':', '!'])) {
            let end = s.trim_end_matches(['.', ',', ';', ':', '!']).len();
            s.truncate(end);
            break;
        }
        let trimmed = s
            .trim_end_matches(|c: char| {
                c.is_whitespace()
                    || matches!(
                        c,
                        '.' | ',' | ';' | ':' | '!' | '-' | '–' | '—' | '(' | '[' | '/' | '…' | '*' | '_'
                    )
            })
            .len();
        s.truncate(trimmed);
        if !was_cut {
            // A question mark ends a real question; keep it unless the sentence was cut.
            break;
        }
        // The last word starts after a whitespace character, which may be multi-byte
        // (a no-break space), so it is split off rather than found by `rfind(..) + 1`.
        let Some((_, last)) = s.rsplit_once(char::is_whitespace) else {
            break;
        };
        if DANGLING_WORDS.contains(&last.to_lowercase().as_str()) {
            let last_word_start = s.len().saturating_sub(last.len());
            s.truncate(last_word_start);
            continue;
        }
        break;
    }
}

fn capitalize(s: &mut String) {
    if let Some(first) = s.chars().next().filter(|c| c.is_lowercase()) {
        let upper: String = first.to_uppercase().collect();
        s.replace_range(..first.len_utf8(), &upper);
    }
}

/// Removes a leading list marker: `- `, `* `, `• `, `1. `, `2) `, `(a) `, `[x] `, `[ ] `.
pub(crate) fn strip_bullet(s: &str) -> &str {
    static BULLET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:[-*•+]\s+|\d{1,3}[.)]\s+|\([a-z0-9]\)\s+|[a-z][.)]\s+|\[[ xX]\]\s*)+")
            .expect("static regex")
    });
    BULLET.find(s).and_then(|m| s.get(m.end()..)).unwrap_or(s)
}

/// Whether a line starts with a list marker.
pub(crate) fn is_bullet(line: &str) -> bool {
    strip_bullet(line.trim_start()).len() != line.trim_start().len()
}

pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Trims a body: no runs of blank lines, at most [`MAX_BODY_CHARS`] characters (cut on a
/// char boundary, marked with `…`).
pub fn trim_body(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_BODY_CHARS * 4));
    let mut blank_run = 0;
    for line in raw.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    let out = out.trim_end();
    match out.char_indices().nth(MAX_BODY_CHARS) {
        None => out.to_string(),
        Some((end, _)) => format!("{}…", sk_core::text::prefix(out, end).trim_end()),
    }
}

/// The first `max` characters of `text` on one line, cut at a word boundary when one is
/// near, with `…` when cut; a cut never leaves a code span open.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let flat = collapse_whitespace(text);
    let (head, was_cut) = cut_chars(&flat, max);
    if !was_cut {
        return flat;
    }
    let mut head = head.trim_end();
    if head.matches('`').count() % 2 == 1 {
        head = head
            .rsplit_once('`')
            .map_or(head, |(before, _)| before)
            .trim_end();
    }
    format!("{head}…")
}

/// The language tag a file extension implies, for tags.
pub(crate) fn language_of(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "rs" => "rust",
        "py" | "pyi" => "python",
        "ts" | "tsx" => "typescript",
        "js" | "jsx" | "mjs" | "cjs" => "javascript",
        "go" => "go",
        "java" => "java",
        "kt" | "kts" => "kotlin",
        "c" | "h" => "c",
        "cc" | "cpp" | "cxx" | "hpp" => "cpp",
        "rb" => "ruby",
        "cs" => "csharp",
        "swift" => "swift",
        "sh" | "bash" | "zsh" => "shell",
        "sql" => "sql",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reports_are_told_from_lessons() {
        for report in [
            "Implemented real-time chart redrawing",
            "Fixed the toggle issue",
            "- Added inflation toggle controls with detailed explanation",
            "No major errors: the implementation went smoothly",
            "Successfully deployed the site",
        ] {
            assert!(is_progress_report(report), "{report}");
        }
        for lesson in [
            "Fixed by pinning alloc-stdlib with cargo update --precise",
            "Implemented discrete buckets instead of year-based colours",
            "Switched to the .venv interpreter because the system python lacks dotenv",
            "The build failed on macOS",
        ] {
            assert!(!is_progress_report(lesson), "{lesson}");
        }
    }

    #[test]
    fn multibyte_text_at_sentence_ends_cuts_and_last_words() {
        assert_eq!(
            sentences("Naïve — ü. Next é! Done"),
            vec!["Naïve — ü.", "Next é!", "Done"]
        );
        // The last word follows a no-break space (2 bytes): `rfind(..) + 1` fell inside it.
        let mut s = "fix the cache\u{a0}and".to_string();
        tidy_end(&mut s, true);
        assert_eq!(s, "fix the cache");
        let e = excerpt(&format!("`é—{}", " ü".repeat(100)), 20);
        assert!(e.ends_with('…') && !e.contains('`'), "{e}");
        assert_eq!(strip_bullet("• é—"), "é—");
        assert_eq!(
            path_tokens("édité — src/main.rs, voir https://é.io/a.rs"),
            ["src/main.rs"]
        );
        assert!(trim_body(&"—".repeat(MAX_BODY_CHARS + 5)).ends_with('…'));
    }

    #[test]
    fn sentences_respect_abbreviations_and_file_names() {
        let s = sentences("Use tools, e.g. rg. Edit notes.md now! Why? Done;\nnext line");
        assert_eq!(
            s,
            vec![
                "Use tools, e.g. rg.",
                "Edit notes.md now!",
                "Why?",
                "Done;",
                "next line"
            ]
        );
    }

    #[test]
    fn a_run_of_full_width_marks_closes_one_sentence() {
        assert_eq!(
            sentences("什么？？？这个不对。端口是8080！！"),
            vec!["什么？？？", "这个不对。", "端口是8080！！"]
        );
    }

    #[test]
    fn titles_are_cut_on_words_without_dangling_connectives() {
        let long = "Decided to keep the writer single threaded because the database lock is held for the whole batch and the readers";
        let t = clean_title(long);
        assert!(t.chars().count() <= MAX_TITLE_CHARS);
        assert!(!t.ends_with(" the") && !t.ends_with(" and"), "{t}");
        assert_eq!(
            clean_title("- **fixed** the bug in `src/a.rs`."),
            "Fixed the bug in `src/a.rs`"
        );
        assert_eq!(clean_title("[x] did it"), "Did it");
    }

    #[test]
    fn bold_underscores_go_but_names_keep_theirs() {
        assert_eq!(
            clean_title("Argparse error: fixed by editing opk/cli/__main__.py"),
            "Argparse error: fixed by editing opk/cli/__main__.py"
        );
        assert_eq!(
            clean_title("Add __init__.py, import tests/__init__ first"),
            "Add __init__.py, import tests/__init__ first"
        );
        assert_eq!(
            clean_title("Skip __pycache__/ and x__y."),
            "Skip __pycache__/ and x__y"
        );
        assert_eq!(
            clean_title("__Never push__ to (__main branch__)"),
            "Never push to (main branch)"
        );
        assert_eq!(clean_title("__é__ ok, __é"), "__é__ ok, __é");
        // Names with an underscore inside, a leading dunder alone, a dunder at the end.
        assert_eq!(
            clean_title("Validate in __post_init__, not __init__"),
            "Validate in __post_init__, not __init__"
        );
        assert_eq!(
            clean_title("Replace __dirname with import.meta.dirname in ESM"),
            "Replace __dirname with import.meta.dirname in ESM"
        );
        assert_eq!(
            clean_title("Export the version from mypkg/__init__"),
            "Export the version from mypkg/__init__"
        );
    }

    #[test]
    fn titles_of_markers_brackets_and_multibyte_letters_never_panic() {
        let parts = [
            "__", "_", "(", ")", "'", "é", "a", ".", "[", "日", "**", " ", "?", "\u{301}",
        ];
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in parts {
                        let title = clean_title(&format!("{a}{b}{c}{d}"));
                        assert!(title.chars().count() <= MAX_TITLE_CHARS);
                    }
                }
            }
        }
    }

    #[test]
    fn unbalanced_backticks_are_dropped_after_a_cut() {
        let t = clean_title(&format!("Run `{}` to rebuild", "x".repeat(120)));
        assert_eq!(t.matches('`').count() % 2, 0, "{t}");
    }

    #[test]
    fn paths_are_found_but_not_urls_or_versions() {
        let p = path_tokens(
            "see `src/auth.rs:12` and notes.md, https://x.io/a.rs, v1.0.68 and ./tests/it/main.rs",
        );
        assert_eq!(p, vec!["src/auth.rs", "notes.md", "tests/it/main.rs"]);
    }

    #[test]
    fn relativize_accepts_both_macos_spellings() {
        assert_eq!(relativize("/private/var/x/notes.md", Some("/var/x")), "notes.md");
        assert_eq!(relativize("/var/x/a/b.rs", Some("/private/var/x")), "a/b.rs");
        assert_eq!(relativize("/etc/hosts", Some("/var/x")), "/etc/hosts");
    }

    #[test]
    fn noise_filters() {
        assert!(is_chit_chat(&fold("Sure, I'll do that.")));
        assert!(is_narration(&fold("Let me look at the file.")));
        assert!(is_narration(&fold("I’ll now read notes.md")));
        assert!(is_status_line(&fold("Running tests…")));
        assert!(is_status_line(&fold("**Step 3:** Read it")));
        assert!(!is_noise(
            "We decided to use WAL mode because readers must not block."
        ));
        assert!(!is_standalone("It broke again"));
        assert!(is_standalone("The login test broke"));
    }
}
