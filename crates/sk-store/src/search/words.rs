//! How text is prepared for the session index: FTS5's `unicode61` already splits at every
//! character that is not a letter or digit (`snake_case`, `path/to/file.rs`, `foo.bar`
//! become their words), and `porter` stems them. What neither does is split identifiers at
//! case changes, so that "json line" finds `parseJsonLine`: [`push_indexed`] appends the
//! parts of such identifiers after the text, keeping the whole identifier too.

/// Appends `text` to `out`, followed by the parts of every camelCase / PascalCase
/// identifier in it (`parseJSONLine` → `parse JSON Line`). A space separates pieces.
pub fn push_indexed(out: &mut String, text: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(text);
    let mut parts = String::new();
    for token in text.split(|c: char| !c.is_alphanumeric()) {
        split_case(token, &mut parts);
    }
    if !parts.is_empty() {
        out.push(' ');
        out.push_str(&parts);
    }
}

/// Pushes the parts of `token` when it changes case inside (nothing otherwise).
fn split_case(token: &str, out: &mut String) {
    let chars: Vec<(usize, char)> = token.char_indices().collect();
    let mut starts = vec![0usize];
    for w in chars.windows(3) {
        let [(_, a), (i, b), (_, c)] = *w else { continue };
        // lower→Upper (`parseJson`), or the last capital of an acronym before a lower
        // (`JSONLine` → `JSON`, `Line`).
        if (a.is_lowercase() && b.is_uppercase())
            || (a.is_uppercase() && b.is_uppercase() && c.is_lowercase())
        {
            starts.push(i);
        }
    }
    if let [.., (_, a), (i, b)] = *chars.as_slice()
        && a.is_lowercase()
        && b.is_uppercase()
    {
        starts.push(i);
    }
    if starts.len() < 2 {
        return;
    }
    starts.push(token.len());
    for pair in starts.windows(2) {
        let part = sk_core::text::window(token, pair[0], pair[1]);
        if !part.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(part);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(text: &str) -> String {
        let mut out = String::new();
        push_indexed(&mut out, text);
        out
    }

    #[test]
    fn identifiers_are_split_at_case_changes() {
        assert_eq!(
            indexed("call parseJsonLine()"),
            "call parseJsonLine() parse Json Line"
        );
        assert_eq!(indexed("JSONLine"), "JSONLine JSON Line");
        assert_eq!(indexed("HttpServer.listen"), "HttpServer.listen Http Server");
        assert_eq!(indexed("getX"), "getX get X");
    }

    #[test]
    fn plain_words_and_snake_case_are_left_to_the_tokenizer() {
        assert_eq!(
            indexed("snake_case path/to/file.rs"),
            "snake_case path/to/file.rs"
        );
        assert_eq!(indexed("Hello World"), "Hello World");
        assert_eq!(indexed("ÉCOLE école"), "ÉCOLE école");
        let mut out = "a".to_string();
        push_indexed(&mut out, "b");
        assert_eq!(out, "a b");
    }
}
