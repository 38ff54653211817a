//! Cutting text by byte counts without ever cutting a character in two.
//!
//! Logs are full of multi-byte text (em dashes, CJK, emoji), and `&s[..n]` panics when `n`
//! falls inside a character. Every place in sk that shortens or windows a string by bytes
//! goes through these helpers; `clippy::string_slice` is denied in non-test code so that
//! no new byte slice of a `str` slips in.

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub fn prefix(s: &str, max: usize) -> &str {
    let end = s.floor_char_boundary(max.min(s.len()));
    s.get(..end).unwrap_or_default()
}

/// The longest suffix of `s` of at most `max` bytes that starts on a char boundary.
pub fn suffix(s: &str, max: usize) -> &str {
    let start = s.ceil_char_boundary(s.len().saturating_sub(max));
    s.get(start..).unwrap_or_default()
}

/// The text between byte offsets `start` and `end`, widened outwards to char boundaries and
/// clamped to `s`: never panics, whatever the offsets (an empty string when `start >= end`).
pub fn window(s: &str, start: usize, end: usize) -> &str {
    let end = s.ceil_char_boundary(end.min(s.len()));
    let start = s.floor_char_boundary(start.min(end));
    s.get(start..end).unwrap_or_default()
}

/// The text from byte offset `start` to the end (`start` moved back to a char boundary).
pub fn from(s: &str, start: usize) -> &str {
    window(s, start, s.len())
}

/// The text before byte offset `end` (`end` moved forward to a char boundary).
pub fn until(s: &str, end: usize) -> &str {
    window(s, 0, end)
}

/// Splits at byte offset `mid` moved back to a char boundary: `(before, after)`.
pub fn split_at(s: &str, mid: usize) -> (&str, &str) {
    let mid = s.floor_char_boundary(mid.min(s.len()));
    s.split_at_checked(mid).unwrap_or((s, ""))
}

/// Cuts `text` in place to at most `max` bytes on a char boundary; returns whether it cut.
pub fn truncate(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let end = text.floor_char_boundary(max);
    text.truncate(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "ab—cd"; // '—' is bytes 2..5

    #[test]
    fn prefix_backs_off_to_a_boundary() {
        assert_eq!(prefix(S, 0), "");
        assert_eq!(prefix(S, 2), "ab");
        assert_eq!(prefix(S, 3), "ab");
        assert_eq!(prefix(S, 4), "ab");
        assert_eq!(prefix(S, 5), "ab—");
        assert_eq!(prefix(S, 99), S);
    }

    #[test]
    fn suffix_moves_forward_to_a_boundary() {
        assert_eq!(suffix(S, 2), "cd");
        assert_eq!(suffix(S, 3), "cd");
        assert_eq!(suffix(S, 5), "—cd");
        assert_eq!(suffix(S, 99), S);
        assert_eq!(suffix(S, 0), "");
    }

    #[test]
    fn window_widens_and_clamps() {
        assert_eq!(window(S, 3, 4), "—");
        assert_eq!(window(S, 0, 99), S);
        assert_eq!(window(S, 4, 2), "");
        assert_eq!(window(S, 99, 100), "");
        assert_eq!(from(S, 3), "—cd");
        assert_eq!(until(S, 3), "ab—");
    }

    #[test]
    fn split_and_truncate_never_cut_a_char() {
        assert_eq!(split_at(S, 3), ("ab", "—cd"));
        assert_eq!(split_at(S, 99), (S, ""));
        let mut t = S.to_string();
        assert!(truncate(&mut t, 4));
        assert_eq!(t, "ab");
        assert!(!truncate(&mut t, 4));
    }

    #[test]
    fn every_offset_of_a_multibyte_text_is_safe() {
        let s = "é—😀x";
        for a in 0..=s.len() + 2 {
            for b in 0..=s.len() + 2 {
                let w = window(s, a, b);
                assert!(s.contains(w));
            }
            assert!(s.starts_with(prefix(s, a)));
            assert!(s.ends_with(suffix(s, a)));
            let (l, r) = split_at(s, a);
            assert_eq!(format!("{l}{r}"), s);
        }
    }
}
