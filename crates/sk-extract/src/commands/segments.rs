//! The steps of a shell command line: what `&&`, `||`, `;` and `|` separate. A separator
//! inside quotes is part of a word (`rg "a|b" src`), so splitting on every `|` would read a
//! search pattern's alternatives as programs.

/// The steps of a command line, split on `&`, `|` and `;` outside single and double quotes
/// (a backslash escapes the next character, except inside single quotes). An unclosed quote
/// runs to the end: the rest is one step.
pub(crate) fn segments(command: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in command.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '&' | '|' | ';') => {
                out.push(sk_core::text::split_at(sk_core::text::from(command, start), i - start).0);
                start = i + c.len_utf8();
            }
            (None, _) => {}
        }
    }
    out.push(sk_core::text::from(command, start));
    out
}

#[cfg(test)]
mod tests {
    use super::segments;

    fn steps(command: &str) -> Vec<&str> {
        segments(command)
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn separators_outside_quotes_split() {
        assert_eq!(
            steps("cd app && npm test | tail -5; echo done"),
            ["cd app", "npm test", "tail -5", "echo done"]
        );
        assert_eq!(steps("make || true"), ["make", "true"]);
    }

    #[test]
    fn separators_inside_quotes_do_not() {
        assert_eq!(
            steps(r#"rg -n "add_parser\(\"gcode-hooks|gcode-preview" cli.py -S || true"#),
            [
                r#"rg -n "add_parser\(\"gcode-hooks|gcode-preview" cli.py -S"#,
                "true"
            ]
        );
        // Both quotes escaped: the pattern never closes, as bash reads it too.
        let broken = r#"rg -n "add_parser\(\"gcode-hooks|gen\" cli.py -S"#;
        assert_eq!(steps(broken), [broken]);
        assert_eq!(steps("grep -E 'a|b;c' f && ls"), ["grep -E 'a|b;c' f", "ls"]);
        assert_eq!(steps(r"echo a\|b | wc"), [r"echo a\|b", "wc"]);
        // Unclosed: the rest is one step.
        assert_eq!(
            steps(r#"rg "a|b" x && echo "c|d"#),
            [r#"rg "a|b" x"#, r#"echo "c|d"#]
        );
    }

    #[test]
    fn any_text_splits_without_panicking() {
        for text in ["", "|", "é|ü", "'", "\\", "\"\\\"|", "a'b|c'd|é"] {
            let joined: usize = segments(text).iter().map(|s| s.len()).sum();
            assert!(joined <= text.len(), "{text:?}");
        }
    }
}
