//! Identity and near-identity of knowledge texts, so the same lesson learned in ten
//! sessions is stored once. [`content_hash`] catches exact repeats after normalisation
//! (case, whitespace, numbers, hex ids, temporary paths); [`similarity`] (Jaccard over
//! word 3-shingles) catches rewordings of the same text, above [`NEAR_DUPLICATE`].

use std::sync::LazyLock;

use regex::Regex;
use sha2::{Digest, Sha256};
use sk_core::Category;

/// Two texts at least this similar are the same lesson. Tuned by the tests on a 50-word
/// failure→fix text: a repeat with other line numbers, paths or ids scores 1.0, one
/// changed word 0.85, three changed words 0.6; the same kind of error in another file
/// with other code scores 0.38, texts on other topics under 0.1. 0.5 sits between.
pub const NEAR_DUPLICATE: f32 = 0.5;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

static UUID: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?-u:\b)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?-u:\b)"));
static TEMP_DIR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:/private)?/(?:var/folders|tmp)/(?:[^\s'"`/]+/)*|[a-z]:\\users\\[^\\\s]+\\appdata\\local\\temp\\(?:[^\s'"`\\]+\\)*"#,
    )
});
static HOME_DIR: LazyLock<Regex> = LazyLock::new(|| re(r"/(?:users|home)/[^/\s]+/"));
static HEX_ID: LazyLock<Regex> = LazyLock::new(|| re(r"(?-u:\b)[0-9a-f]{7,}(?-u:\b)"));
static DIGITS: LazyLock<Regex> = LazyLock::new(|| re(r"\d+"));

/// The text as compared: lower case; UUIDs and hex ids (7+ hex digits with a digit and a
/// letter) become `<id>`; temporary folders `<tmp>/`; home folders `~/`; every number `0`;
/// whitespace collapsed.
pub fn normalize(text: &str) -> String {
    let lower = text.to_lowercase();
    // Each pass is skipped when its pattern cannot match: most texts have no temporary
    // or home path, and prose without a digit has no id or number either. Extraction
    // normalizes every candidate and every shortlisted entry, so this is its hot loop.
    // `\d` is Unicode-aware, so any numeric character counts (a superset: never skips a match).
    let has_digit = lower
        .chars()
        .any(|c| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric()));
    let mut s = std::borrow::Cow::Borrowed(lower.as_str());
    if lower.contains('-') {
        s = cow_replace(s, &UUID, "<id>");
    }
    if lower.contains("/tmp/") || lower.contains("/var/folders/") || lower.contains("\\appdata\\") {
        s = cow_replace(s, &TEMP_DIR, "<tmp>/");
    }
    if lower.contains("/users/") || lower.contains("/home/") {
        s = cow_replace(s, &HOME_DIR, "~/");
    }
    if has_digit {
        let replaced = HEX_ID.replace_all(&s, |c: &regex::Captures| {
            let m = c.get(0).map_or("", |m| m.as_str());
            if m.bytes().any(|b| b.is_ascii_digit()) && m.bytes().any(|b| b.is_ascii_alphabetic()) {
                "<id>".to_string()
            } else {
                m.to_string()
            }
        });
        let replaced = DIGITS.replace_all(&replaced, "0").into_owned();
        s = std::borrow::Cow::Owned(replaced);
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn cow_replace<'a>(
    text: std::borrow::Cow<'a, str>,
    pattern: &Regex,
    with: &str,
) -> std::borrow::Cow<'a, str> {
    match pattern.replace_all(&text, with) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s),
    }
}

/// SHA-256 (hex) of the category, title and body after [`normalize`]: equal for texts
/// that differ only in case, spacing, numbers, ids or temporary paths.
pub fn content_hash(category: Category, title: &str, body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(category.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(normalize(title).as_bytes());
    hasher.update([0]);
    hasher.update(normalize(body).as_bytes());
    hex::encode(hasher.finalize())
}

/// The set of word 3-shingles of a normalized text, hashed (FNV-1a, stable across runs and
/// platforms) and sorted, so comparing two sets is one linear merge. Texts of fewer than
/// three words use their words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shingles(Vec<u64>);

impl Shingles {
    pub fn new(text: &str) -> Shingles {
        let normalized = normalize(text);
        let words: Vec<&str> = normalized
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let mut hashes: Vec<u64> = if words.len() < 3 {
            words.iter().map(|w| fnv1a(&[w])).collect()
        } else {
            words.windows(3).map(fnv1a).collect()
        };
        hashes.sort_unstable();
        hashes.dedup();
        Shingles(hashes)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// |A ∩ B| / |A ∪ B|; two empty sets are identical (1.0).
    pub fn jaccard(&self, other: &Shingles) -> f32 {
        let (a, b) = (&self.0, &other.0);
        if a.is_empty() && b.is_empty() {
            return 1.0;
        }
        let (mut i, mut j, mut shared) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let union = a.len() + b.len() - shared;
        shared as f32 / union as f32
    }
}

fn fnv1a(words: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            h ^= u64::from(b' ');
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in w.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Near-duplicate measure of two texts in 0..=1: Jaccard similarity of their word
/// 3-shingles after [`normalize`]. Compare with [`NEAR_DUPLICATE`].
pub fn similarity(a: &str, b: &str) -> f32 {
    Shingles::new(a).jaccard(&Shingles::new(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pass unconditionally, as `normalize` did before it learned to skip passes.
    fn normalize_every_pass(text: &str) -> String {
        let lower = text.to_lowercase();
        let s = UUID.replace_all(&lower, "<id>");
        let s = TEMP_DIR.replace_all(&s, "<tmp>/");
        let s = HOME_DIR.replace_all(&s, "~/");
        let s = HEX_ID.replace_all(&s, |c: &regex::Captures| {
            let m = c.get(0).map_or("", |m| m.as_str());
            if m.bytes().any(|b| b.is_ascii_digit()) && m.bytes().any(|b| b.is_ascii_alphabetic()) {
                "<id>".to_string()
            } else {
                m.to_string()
            }
        });
        let s = DIGITS.replace_all(&s, "0");
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    proptest::proptest! {
        #[test]
        fn skipping_passes_never_changes_the_result(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-fA-F0-9]{6,12}",
                    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    "/(tmp|var/folders|home|Users)/[a-z]{1,5}/[a-z.]{1,8}",
                    "C:\\\\Users\\\\[a-z]{2,4}\\\\AppData\\\\Local\\\\Temp\\\\x",
                    "[٠-٩０-９]{1,3}",
                    "\\PC{0,12}",
                    "[ \t\n]{1,3}",
                ],
                0..12,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(normalize(&text), normalize_every_pass(&text));
        }
    }

    #[test]
    fn normalization_hides_what_changes_between_runs() {
        assert_eq!(
            normalize("Reading /private/var/folders/jk/T/x.AbC/notes.md  FAILED at 12:30 id 9f3a2b1c"),
            "reading <tmp>/notes.md failed at 0:0 id <id>"
        );
        assert_eq!(normalize("/Users/ben/src/a.rs"), "~/src/a.rs");
        assert_eq!(
            normalize("deadbeef is a word, 1234567 too"),
            "deadbeef is a word, 0 too"
        );
    }

    #[test]
    fn jaccard_edges() {
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("a b c d", ""), 0.0);
        assert_eq!(similarity("one two", "one two"), 1.0);
    }
}
