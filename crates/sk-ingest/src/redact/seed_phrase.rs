//! BIP-39 recovery phrases: 12 to 24 words of the BIP-39 English list in a row, the
//! master secret of a crypto wallet. Agents working on wallets print them in test output,
//! `.env` files and chat. A phrase has no marker to look for, so this is its own pass.
//!
//! How it tells a phrase from prose: a candidate is a run of at least 12 lowercase words of
//! 3–8 letters separated only by blanks (a cheap byte scan that ordinary text, with its
//! capitals, punctuation and short or long words, rarely survives); then every word must be
//! on the list; then the BIP-39 checksum (the last word carries bits of a SHA-256 of the
//! others) must hold, which a random list-word sequence passes only once in 16 (12 words)
//! to once in 256 (24 words).

use std::ops::Range;

use bip39::{Language, Mnemonic};

/// The phrase lengths BIP-39 defines, longest first (a 24-word phrase also holds windows
/// of 12 words that might pass the checksum by chance).
const LENGTHS: [usize; 5] = [24, 21, 18, 15, 12];
/// The shortest phrase.
const MIN_WORDS: usize = 12;

/// Every recovery phrase in `text`, as byte ranges.
pub(super) fn find(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for run in candidate_runs(text) {
        let words: Vec<Range<usize>> = run;
        let mut at = 0;
        'outer: while at + MIN_WORDS <= words.len() {
            for len in LENGTHS {
                let Some(window) = words.get(at..at + len) else {
                    continue;
                };
                if is_mnemonic(text, window) {
                    let (Some(first), Some(last)) = (window.first(), window.last()) else {
                        continue;
                    };
                    found.push(first.start..last.end);
                    at += len;
                    continue 'outer;
                }
            }
            at += 1;
        }
    }
    found
}

fn is_mnemonic(text: &str, words: &[Range<usize>]) -> bool {
    let list: Vec<&str> = words.iter().filter_map(|w| text.get(w.clone())).collect();
    if list.len() != words.len() || list.iter().any(|w| Language::English.find_word(w).is_none()) {
        return false;
    }
    // Phrases come from random entropy: their words barely repeat. A run of one word
    // ("word word word …" in a test fixture) passes the checksum now and then.
    let mut distinct = list.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() * 2 < list.len() {
        return false;
    }
    Mnemonic::parse_in_normalized(Language::English, &list.join(" ")).is_ok()
}

/// Runs of at least 12 words that could be list words: lowercase ASCII, 3 to 8 letters
/// (the list's shortest and longest), separated by blanks only.
fn candidate_runs(text: &str) -> Vec<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut run: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_lowercase) {
            i += 1;
        }
        let word = start..i;
        let blank_after = {
            let gap = i;
            while bytes
                .get(i)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                i += 1;
            }
            i > gap || i == bytes.len()
        };
        let fits = (3..=8).contains(&word.len())
            // Glued to a letter, digit or `_` before it (`x_word`, `9word`): not a word.
            && (start == 0 || bytes.get(start - 1).is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'_'));
        if fits && blank_after {
            run.push(word);
            continue;
        }
        if fits {
            // The word ends the run (punctuation follows): it still counts.
            run.push(word);
        }
        if run.len() >= MIN_WORDS {
            runs.push(std::mem::take(&mut run));
        } else {
            run.clear();
        }
        if i == start {
            // Not a letter nor a blank: step over one character.
            i += text
                .get(i..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8);
        }
    }
    if run.len() >= MIN_WORDS {
        runs.push(run);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid phrase from fixed entropy (generated here: no phrase is written in the source).
    fn phrase(words: usize) -> String {
        let entropy: Vec<u8> = (0..words * 4 / 3)
            .map(|i| (i as u8).wrapping_mul(73).wrapping_add(19))
            .collect();
        Mnemonic::from_entropy(&entropy)
            .expect("valid entropy")
            .to_string()
    }

    #[test]
    fn a_phrase_with_a_valid_checksum_is_found_wherever_it_stands() {
        for n in [12, 24] {
            let p = phrase(n);
            let text = format!("MNEMONIC=\"{p}\"\nok");
            let found = find(&text);
            assert_eq!(found.len(), 1, "{n} words");
            assert_eq!(text.get(found[0].clone()), Some(p.as_str()));
            assert_eq!(find(&p.replace(' ', "\n")).len(), 1);
        }
    }

    #[test]
    fn list_words_without_a_valid_checksum_repeats_and_prose_stay() {
        let p = phrase(12);
        // The same words with the last one swapped: the checksum breaks (or, 1 in 16, not).
        let mut words: Vec<&str> = p.split(' ').collect();
        words.swap(0, 11);
        let swapped = words.join(" ");
        if Mnemonic::parse_in_normalized(Language::English, &swapped).is_err() {
            assert!(find(&swapped).is_empty());
        }
        assert!(find(&"word ".repeat(100)).is_empty());
        let prose = "we should move the build step before the test step so that the cache stays warm";
        assert!(find(prose).is_empty());
        assert!(find("").is_empty());
        assert!(find("é 🙂 abandon").is_empty());
    }
}
