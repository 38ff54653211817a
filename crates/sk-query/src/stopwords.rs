//! The lists of words too common to say anything about a query, a task or a failure. A
//! question typed in plain language ("where did we fix the login redirect bug?") is mostly
//! such words; matching them would rank noise, and every one costs a posting-list read.
//! Used by search, briefings and the failure lookup alike.

/// English function words and the filler of questions about past work, lowercased.
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
    "around", "as", "at", "back", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "else",
    "even", "ever", "every", "few", "for", "from", "further", "get", "got", "had", "has", "have", "having",
    "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "let", "like", "made", "make", "me", "might", "more", "most", "much", "must", "my", "myself",
    "need", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "onto", "or", "other",
    "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they", "thing", "things", "this", "those",
    "through", "to", "too", "under", "until", "up", "upon", "us", "very", "was", "way", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself",
];

/// Whether a lowercased word is a stop word.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Words in nearly every error message or tool output, which cannot tell two failures
/// apart ("error", "exit", "stderr" …), lowercased and sorted.
const ERROR_NOISE: &[&str] = &[
    "cannot", "code", "command", "debug", "error", "errors", "exit", "exited", "fail", "failed", "failure",
    "false", "file", "found", "help", "info", "line", "non", "none", "note", "null", "process", "result",
    "returned", "run", "running", "see", "status", "stderr", "stdout", "test", "tests", "true", "use",
    "warning", "zero",
];

/// Whether a lowercased word of an error message says nothing about which failure it is:
/// a stop word, or a word of every error's vocabulary.
pub fn is_error_noise(word: &str) -> bool {
    is_stopword(word) || ERROR_NOISE.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_sorted_and_lowercase_so_lookups_find_every_word() {
        assert!(
            STOPWORDS.windows(2).all(|w| w[0] < w[1]),
            "keep STOPWORDS sorted, without repeats"
        );
        assert!(
            ERROR_NOISE.windows(2).all(|w| w[0] < w[1]),
            "keep ERROR_NOISE sorted, without repeats"
        );
        for w in ERROR_NOISE {
            assert!(is_error_noise(w) && !is_stopword(w), "{w}: in one list only");
        }
        assert!(is_error_noise("the") && !is_error_noise("serde_yaml"));
        assert!(
            STOPWORDS
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        );
        for w in STOPWORDS {
            assert!(is_stopword(w));
        }
        assert!(!is_stopword("sqlite") && !is_stopword("migration"));
    }
}
