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
pub(crate) fn change_heads(old: Option<&str>, new: Option<&str>) -> String {
    let (old, new) = match (old, new) {
        (Some(o), Some(n)) => {
            let (o, n) = differing_lines(o, n);
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

/// The two texts without the lines they share at their start and at their end (compared
/// without surrounding whitespace, as an editor's re-indentation is not the change).
fn differing_lines(old: &str, new: &str) -> (String, String) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let same = |x: &str, y: &str| x.trim() == y.trim();
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
