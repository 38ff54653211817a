//! The snippet shown under a hit: a few words of its text around the query's words, the
//! matches in `[` `]`, on one line.
//!
//! Built here rather than by FTS5's `snippet()`: FTS5 re-runs the whole match expression
//! for the row (for a prefix term that is a merge of every word with that prefix, per hit)
//! and tokenizes the whole text, which cost a query more than finding its hits. This reads
//! only the head of a text the store hands over and splits words the way the index's
//! `unicode61` tokenizer does (letters and digits; everything else separates), so what is
//! marked is what matched.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use sk_core::text::window;
use sk_store::search::Parsed;

/// Words shown around the matches (FTS5's snippet used the same).
pub const SNIPPET_WORDS: usize = 24;

/// Texts longer than this are searched for the needles first and only the part around
/// the best place tokenized: a 64 KiB tool output cost ~0.6 M instructions to tokenize
/// whole, a tenth of a query's own work for ten hits.
const FOCUS_MIN_BYTES: usize = 4 * 1024;

/// How close (in bytes) needles must start to count as one place: about what
/// [`SNIPPET_WORDS`] tokens span in prose, code or logs.
const FOCUS_CLUSTER_BYTES: usize = 150;

/// Text kept before and after the start of the best place: more than the snippet's few
/// words of context before a match and its window after it.
const FOCUS_BEFORE_BYTES: usize = 512;
const FOCUS_AFTER_BYTES: usize = 2048;

/// What the query's positive words look like to the tokenizer: each word split into its
/// tokens, lowercased; the last one may be a prefix.
#[derive(Debug, Clone, Default)]
pub struct Needles {
    exact: Vec<String>,
    prefixes: Vec<String>,
    /// Finds where the needles are in a long text without tokenizing it (ASCII needles
    /// only: ASCII case folding is then the tokenizer's lowercasing).
    finder: Option<AhoCorasick>,
}

impl Needles {
    pub fn new(parsed: &Parsed) -> Needles {
        let mut n = Needles::default();
        for t in parsed.terms.iter().filter(|t| !t.exclude) {
            let tokens: Vec<String> = t.words.iter().flat_map(|w| tokens_of(w)).collect();
            let last = tokens.len().saturating_sub(1);
            for (i, tok) in tokens.into_iter().enumerate() {
                if t.prefix && i == last {
                    n.prefixes.push(tok);
                } else {
                    n.exact.push(tok);
                }
            }
        }
        n.exact.sort();
        n.exact.dedup();
        let all: Vec<&String> = n.exact.iter().chain(&n.prefixes).collect();
        if !all.is_empty() && all.iter().all(|t| t.is_ascii()) {
            n.finder = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&all)
                .ok();
        }
        n
    }

    /// The part of a long `text` the snippet will come from: around the place where the
    /// most different needles start within [`FOCUS_CLUSTER_BYTES`] of each other, or the
    /// start when none is found. None when the whole text is to be read (it is short, or
    /// a needle is not ASCII).
    fn focus(&self, text: &str) -> Option<(usize, usize)> {
        if text.len() <= FOCUS_MIN_BYTES {
            return None;
        }
        let finder = self.finder.as_ref()?;
        let bytes = text.as_bytes();
        let is_word = |i: usize| {
            // The char around byte `i` (which may be inside it) is a token char.
            let c = window(text, i, i + 1).chars().next();
            c.is_some_and(is_token_char)
        };
        // Where a needle starts a token, and which needle.
        let mut found: Vec<(usize, usize)> = Vec::new();
        for m in finder.find_iter(text) {
            let (s, e, which) = (m.start(), m.end(), m.pattern().as_usize());
            let starts_token = s == 0 || !is_word(s - 1);
            let prefix = which >= self.exact.len();
            let ends_token = prefix || e >= bytes.len() || !is_word(e);
            if starts_token && ends_token {
                found.push((s, which));
            }
        }
        let Some(&(first, _)) = found.first() else {
            return Some((0, FOCUS_AFTER_BYTES));
        };
        let mut best = (0, first);
        let mut seen = vec![false; self.len()];
        for (i, &(start, _)) in found.iter().enumerate() {
            seen.iter_mut().for_each(|s| *s = false);
            let mut distinct = 0;
            let near = found[i..]
                .iter()
                .take_while(|(at, _)| at - start <= FOCUS_CLUSTER_BYTES);
            for &(_, which) in near {
                if !seen[which] {
                    seen[which] = true;
                    distinct += 1;
                }
            }
            if distinct > best.0 {
                best = (distinct, start);
            }
        }
        let start = best.1.saturating_sub(FOCUS_BEFORE_BYTES);
        Some((start, best.1.saturating_add(FOCUS_AFTER_BYTES)))
    }

    /// Which needle a (lowercased) token matches, as an index, if any.
    fn matches(&self, token: &str) -> Option<usize> {
        if let Ok(i) = self.exact.binary_search_by(|e| e.as_str().cmp(token)) {
            return Some(i);
        }
        self.prefixes
            .iter()
            .position(|p| token.starts_with(p.as_str()))
            .map(|i| self.exact.len() + i)
    }

    fn len(&self) -> usize {
        self.exact.len() + self.prefixes.len()
    }

    /// The byte lengths a matching (lowercased) token can have: from the shortest needle to
    /// the longest exact one, or unbounded with a prefix.
    fn length_range(&self) -> (usize, usize) {
        let lengths = self.exact.iter().chain(&self.prefixes).map(String::len);
        let shortest = lengths.clone().min().unwrap_or(usize::MAX);
        let longest = if self.prefixes.is_empty() {
            lengths.max().unwrap_or(0)
        } else {
            usize::MAX
        };
        (shortest, longest)
    }
}

fn is_token_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn tokens_of(word: &str) -> Vec<String> {
    word.split(|c: char| !is_token_char(c))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Byte ranges of the tokens of `text`.
fn token_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_token_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// A one-line snippet of `text`: the [`SNIPPET_WORDS`] tokens holding the most different
/// query words (the earliest such window), matches in `[` `]`, `…` where text was cut.
/// With no match in `text` (the match lies past the head the store read), its start.
pub fn snippet(text: &str, needles: &Needles) -> String {
    match needles.focus(text) {
        Some((start, end)) => {
            let part = window(text, start, end);
            // `window` moved the ends to char boundaries; was anything cut?
            let cut_before = !text.starts_with(part);
            let cut_after = !text.ends_with(part);
            snippet_of(part, needles, cut_before, cut_after)
        }
        None => snippet_of(text, needles, false, false),
    }
}

/// [`snippet`] of `text`, which may itself be cut out of a longer text.
fn snippet_of(text: &str, needles: &Needles, cut_before: bool, cut_after: bool) -> String {
    let spans = token_spans(text);
    if spans.is_empty() {
        return String::new();
    }
    // A long text has thousands of tokens: most are ruled out by their length alone, and
    // the rest are lowercased into one reused buffer rather than a new string each.
    let (shortest, longest) = needles.length_range();
    let mut lower = String::new();
    let hits: Vec<Option<usize>> = spans
        .iter()
        .map(|&(s, e)| {
            let token = window(text, s, e);
            // Lowercasing keeps an ASCII token's length; other scripts may change it.
            if token.is_ascii() && (token.len() < shortest || token.len() > longest) {
                return None;
            }
            lower.clear();
            lower.extend(token.chars().flat_map(char::to_lowercase));
            needles.matches(&lower)
        })
        .collect();
    let (first, last) = best_window(&hits, needles.len());
    render(
        text,
        &spans[first..=last],
        &hits[first..=last],
        cut_before || first > 0,
        cut_after || last + 1 < spans.len(),
    )
}

/// The window of tokens to show: a few tokens of context, then the match that begins the
/// window with the most distinct needles (counted over the tokens shown), the earliest.
fn best_window(hits: &[Option<usize>], needles: usize) -> (usize, usize) {
    let n = hits.len();
    let width = SNIPPET_WORDS.min(n);
    // The first token shown when the window's first match is token `i`.
    let shown_from = |i: usize| i.saturating_sub(SNIPPET_WORDS / 6).min(n - width);
    let mut best: Option<(usize, usize)> = None; // (distinct, first shown)
    let mut seen = vec![false; needles.max(1)];
    for start in (0..n).filter(|&i| hits[i].is_some()) {
        let first = shown_from(start);
        seen.iter_mut().for_each(|s| *s = false);
        let mut distinct = 0;
        for h in hits[first..first + width].iter().flatten() {
            if !seen[*h] {
                seen[*h] = true;
                distinct += 1;
            }
        }
        if best.is_none_or(|(d, _)| distinct > d) {
            best = Some((distinct, first));
        }
        if distinct == needles {
            break;
        }
    }
    let first = best.map_or(0, |(_, first)| first);
    (first, first + width - 1)
}

fn render(
    text: &str,
    spans: &[(usize, usize)],
    hits: &[Option<usize>],
    cut_before: bool,
    cut_after: bool,
) -> String {
    let mut out = String::new();
    let mut pos = spans[0].0;
    if cut_before {
        out.push('…');
    } else {
        pos = 0;
    }
    let mut open = false;
    for (i, (&(s, e), hit)) in spans.iter().zip(hits).enumerate() {
        push_one_line(&mut out, window(text, pos, s));
        if hit.is_some() && !open {
            out.push('[');
            open = true;
        }
        out.push_str(window(text, s, e));
        // Matched tokens joined by punctuation alone (`notes.md`, `apply_discount`) are
        // one mark, as the phrase they came from.
        let joined = hits.get(i + 1).is_some_and(Option::is_some)
            && spans.get(i + 1).is_some_and(|&(next, _)| {
                !window(text, e, next)
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control())
            });
        if open && !joined {
            out.push(']');
            open = false;
        }
        pos = e;
    }
    if cut_after {
        out.push('…');
    } else {
        push_one_line(&mut out, sk_core::text::from(text, pos));
    }
    out.trim().to_string()
}

/// Appends text between tokens with every run of whitespace or control characters as one
/// space (a snippet is one line) and brackets made round, so `[` `]` mean a match.
fn push_one_line(out: &mut String, between: &str) {
    for c in between.chars() {
        let c = match c {
            '[' => '(',
            ']' => ')',
            c if c.is_whitespace() || c.is_control() => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(text: &str, query: &str) -> String {
        snippet(text, &Needles::new(&Parsed::parse(query)))
    }

    #[test]
    fn multibyte_words_and_separators_are_cut_between_chars() {
        assert_eq!(
            snip("la migración — falló: disco lleno", "migración disco "),
            "la [migración] — falló: [disco] lleno"
        );
        let long = format!("{} needle — {}", "é—ü ".repeat(40), "目录 ".repeat(40));
        let s = snip(&long, "needle ");
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("[needle]"),
            "{s}"
        );
    }

    #[test]
    fn tokens_of_every_length_and_case_still_match() {
        // Needles of 2 and 9 letters: shorter, longer and in-between tokens around them.
        assert_eq!(
            snip("a DB of the Migrations ran migration x", "db migration "),
            "a [DB] of the Migrations ran [migration] x"
        );
        // Non-ASCII tokens whose lowercase has another byte length are not ruled out.
        // ('ẞ' is 3 bytes, its lowercase 'ß' 2.)
        assert_eq!(snip("GROẞ und klein", "groß "), "[GROẞ] und klein");
        assert_eq!(snip("ÉCOLE primaire", "école "), "[ÉCOLE] primaire");
        // A prefix needle matches tokens longer than any exact needle.
        assert_eq!(snip("db migrations", "db migr"), "[db] [migrations]");
    }

    #[test]
    fn marks_matches_case_insensitively_on_one_line() {
        assert_eq!(
            snip("The Migration\n\nfailed:  disk full", "migration disk "),
            "The [Migration] failed: [disk] full"
        );
    }

    #[test]
    fn phrases_and_hyphenated_words_match_by_token() {
        assert_eq!(
            snip("an off-by-one error in utf-8 code", "\"off-by-one error\" utf-8 "),
            "an [off-by-one] [error] in [utf-8] code"
        );
    }

    #[test]
    fn text_before_the_first_word_is_kept_when_nothing_was_cut() {
        assert_eq!(
            snip("**Step 3: read notes.md**", "notes.md "),
            "**Step 3: read [notes.md]**"
        );
        assert_eq!(snip("a notes. md", "notes.md "), "a [notes]. [md]");
    }

    #[test]
    fn the_last_word_matches_as_a_prefix_and_exclusions_are_not_marked() {
        assert_eq!(
            snip("migrating the schema safely", "-safely migra"),
            "[migrating] the schema safely"
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_window_with_most_distinct_words() {
        let mut words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        words[50] = "alpha".into();
        words[150] = "alpha".into();
        words[155] = "beta".into();
        let s = snip(&words.join(" "), "alpha beta ");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("[alpha]") && s.contains("[beta]"), "{s}");
        assert!(!s.contains("w50 "), "{s}");
        assert_eq!(s.matches(' ').count() + 1, SNIPPET_WORDS, "{s}");
    }

    #[test]
    fn the_window_is_judged_by_the_words_it_shows() {
        // From "alpha", the 24 tokens shown (4 before it) end just before "beta gamma".
        let mut words: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        words[10] = "alpha".into();
        words[31] = "beta".into();
        words[32] = "gamma".into();
        let s = snip(&words.join(" "), "alpha beta gamma ");
        assert!(s.contains("[beta] [gamma]"), "{s}");
    }

    #[test]
    fn no_match_shows_the_start_and_brackets_in_text_are_not_matches() {
        assert_eq!(snip("[x] one two", "zzz "), "(x) one two");
        assert_eq!(snip("", "zzz "), "");
        assert_eq!(snip("  ...  ", "zzz "), "");
    }

    #[test]
    fn a_long_text_gives_the_snippet_reading_all_of_it_would() {
        let filler = |n: usize, seed: usize| -> String {
            (0..n).map(|i| format!("w{} ", (i * 7 + seed) % 1000)).collect()
        };
        let cases = [
            // One place with every word, deep in the text.
            format!("{}alpha and the Beta here{}", filler(3000, 1), filler(500, 2)),
            // Scattered single words first, the place with both later.
            format!(
                "{}alpha {}beta {}Alpha beta!{}",
                filler(900, 3),
                filler(900, 4),
                filler(900, 5),
                filler(50, 6)
            ),
            // Words inside longer tokens do not count; the real ones near the end.
            format!("{}alphabet xbeta {}alpha, beta.", filler(2000, 7), filler(40, 8)),
            // Multibyte text around the place.
            format!(
                "{}日本語 alpha — beta ü{}",
                "größe ändern ".repeat(600),
                "テキスト ".repeat(300)
            ),
            // Nothing found: the start.
            filler(2000, 9),
        ];
        for text in &cases {
            let needles = Needles::new(&Parsed::parse("alpha beta "));
            assert!(needles.focus(text).is_some(), "long enough to focus");
            assert_eq!(snippet(text, &needles), snippet_of(text, &needles, false, false));
        }
        // A prefix needle: the last word still typed.
        let text = format!("{}the migrations ran{}", filler(2000, 10), filler(100, 11));
        let needles = Needles::new(&Parsed::parse("ran migr"));
        assert_eq!(
            snippet(&text, &needles),
            snippet_of(&text, &needles, false, false)
        );
    }

    #[test]
    fn non_ascii_text_is_cut_on_char_boundaries() {
        let text = "größe ändern: über 日本語 テキスト".repeat(20);
        let s = snip(&text, "über ");
        assert!(s.contains("[über]"), "{s}");
    }

    proptest::proptest! {
        #[test]
        fn any_long_text_holding_a_needle_shows_it_marked(
            parts in proptest::collection::vec("[a-zA-Zé日 .,\\n-]{0,12}", 300..900),
            at in 0usize..300,
        ) {
            let mut parts = parts;
            parts[at] = " Alpha ".to_string();
            let text = parts.concat();
            let needles = Needles::new(&Parsed::parse("alpha zeta "));
            let s = snippet(&text, &needles);
            proptest::prop_assert!(s.contains("[Alpha]"), "{}", s);
        }
    }
}
