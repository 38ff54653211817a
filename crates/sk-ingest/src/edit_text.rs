//! How an edit reads in a tool call's record, the same for every agent: the file, then
//! `- ` and `+ ` with the first line each side of the change has (`\n- old\n+ new`). The
//! extractor quotes these lines as what an edit did, so they must be the lines that
//! changed, not the line both sides open on.

/// Longest head of an old/new snippet quoted in a call summary.
pub(crate) const HEAD_CHARS: usize = 80;

/// `\n- <old head>\n+ <new head>` for whichever side is present. When both are, the lines
/// the two sides share at their start and end are left out first: an edit's old and new
/// text usually open on the same line (the function it changes, the `if` it guards), and
/// the first line that differs is what the edit did. A side with nothing left (text only
/// added, or only removed) says nothing.
///
/// Each side is redacted whole before any line is left out: a secret detector may need
/// the lines around the secret (a PEM key's `BEGIN … PRIVATE KEY` line), and those are
/// exactly the lines two sides share.
pub(crate) fn change_heads(old: Option<&str>, new: Option<&str>) -> String {
    let (old, new) = match (old, new) {
        (Some(o), Some(n)) => {
            let (o, n) = (redacted(o), redacted(n));
            let (o, n) = differing_lines(&o, &n);
            (
                Some(o).filter(|o| !o.trim().is_empty()),
                Some(n).filter(|n| !n.trim().is_empty()),
            )
        }
        (o, n) => (o.map(str::to_owned), n.map(str::to_owned)),
    };
    let mut out = String::new();
    if let Some(old) = old {
        out.push_str("\n- ");
        out.push_str(&head(&old, HEAD_CHARS));
    }
    if let Some(new) = new {
        out.push_str("\n+ ");
        out.push_str(&head(&new, HEAD_CHARS));
    }
    out
}

/// `text` with its secrets redacted.
fn redacted(text: &str) -> String {
    crate::redact::redact(text).map_or_else(|| text.to_owned(), |r| r.text)
}

/// The two texts without the lines they share at their start and at their end, compared
/// without surrounding whitespace: an editor's re-indentation is not the change. (An
/// edit that only re-indents then shows no line; `head` trims them anyway.)
fn differing_lines(old: &str, new: &str) -> (String, String) {
    shared_lines_left_out(old, new, |x, y| x.trim() == y.trim())
}

fn shared_lines_left_out(old: &str, new: &str, same: impl Fn(&str, &str) -> bool) -> (String, String) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let start = a.iter().zip(&b).take_while(|(x, y)| same(x, y)).count();
    let end = a
        .iter()
        .skip(start)
        .rev()
        .zip(b.iter().skip(start).rev())
        .take_while(|(x, y)| same(x, y))
        .count();
    let middle = |lines: &[&str]| -> String {
        let keep = lines.len().saturating_sub(start + end);
        lines
            .iter()
            .skip(start)
            .take(keep)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    };
    (middle(&a), middle(&b))
}

/// The first non-blank line of `text`, cut to `max_chars` characters.
///
/// Secrets are redacted before the cut: a secret cut in half (a recovery phrase missing
/// words, a key missing bytes) no longer looks like one to the redaction that runs later.
pub(crate) fn head(text: &str, max_chars: usize) -> String {
    let redacted = crate::redact::redact(text);
    let text = redacted.as_ref().map_or(text, |r| r.text.as_str());
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match line.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", sk_core::text::prefix(line, cut)),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::change_heads;

    #[test]
    fn a_replaced_key_is_redacted_before_its_shared_lines_are_left_out() {
        let key = |body: &str| format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
        let old = key(
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ",
        );
        let new = key(
            "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDdlatRjRjogo3WojgGHFHYLugdUWAY9iR3fy4arWNA1KoS8kVw33cJibXr8bvwUAUparCwlvdbH6dvEOfou0/gCFQsHUfQrSDv+MuSUMAe8jzKE4qW+jK+xQU9a03GUnKHkkle+Q0pX/g6jXZ7r1",
        );
        let text = change_heads(Some(&old), Some(&new));
        // Both sides redact to the same placeholder, so nothing of either is left.
        assert!(!text.contains("MIIEv"), "{text}");
        assert!(!text.contains("BAQEFAASC"), "{text}");
    }
}
