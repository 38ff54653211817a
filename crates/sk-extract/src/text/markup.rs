//! Markdown left in a title: bold markers around words go, the underscores of names stay
//! (`__init__.py`, `opk/cli/__main__.py`, `__post_init__`, `__dirname`): a title that
//! names a file or a symbol must name it right.

/// Drops markdown bold markers: `**` always; `__` only as a pair around words (`__two
/// words__`), an opening one at a word's start and a closing one at a later (or the same)
/// word's end. Names keep theirs, as a title naming a file or a symbol must name it
/// right: `__init__.py`, `opk/cli/__main__.py`, `__post_init__`, `__dirname`, `x__y`.
pub(super) fn strip_markup(s: &str) -> String {
    let s = s.replace("**", "").replace("<br>", " ");
    if !s.contains("__") {
        return s;
    }
    let words: Vec<Word> = s.split(' ').map(Word::new).collect();
    let mut out = String::with_capacity(s.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let opens = w.opens && words.iter().skip(i).any(|later| later.closes);
        let closes = w.closes && words.iter().take(i + 1).any(|earlier| earlier.opens);
        let mut core = w.core;
        if opens {
            core = core.strip_prefix("__").unwrap_or(core);
        }
        if closes {
            core = core.strip_suffix("__").unwrap_or(core);
        }
        out.push_str(w.head);
        out.push_str(core);
        out.push_str(w.tail);
    }
    out
}

/// A space-separated word of [`strip_markup`]: its core between brackets, quotes and
/// trailing punctuation, and whether that core opens or closes `__` emphasis.
struct Word<'a> {
    head: &'a str,
    core: &'a str,
    tail: &'a str,
    opens: bool,
    closes: bool,
}

impl<'a> Word<'a> {
    fn new(word: &'a str) -> Word<'a> {
        let core_start = word
            .find(|c: char| !matches!(c, '(' | '[' | '"' | '\''))
            .unwrap_or(word.len());
        let core_end = word
            .char_indices()
            .rev()
            .find(|&(_, c)| !matches!(c, ')' | ']' | '"' | '\'' | '.' | ',' | ':' | ';' | '!' | '?'))
            .map_or(core_start, |(i, c)| i + c.len_utf8())
            .max(core_start);
        let (head, rest) = sk_core::text::split_at(word, core_start);
        let (core, tail) = sk_core::text::split_at(rest, core_end - core_start);
        let name = starts_with_dunder(core) || ends_with_dunder(core);
        Word {
            head,
            core,
            tail,
            opens: !name && core.starts_with("__") && core.len() > 2,
            closes: !name && core.ends_with("__") && core.len() > 2,
        }
    }
}

/// `__init__.py`, `__post_init__`, `__pycache__/`: starts with a dunder name.
fn starts_with_dunder(s: &str) -> bool {
    let Some(inner) = s.strip_prefix("__") else {
        return false;
    };
    let rest = inner.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
    let name = inner.len() - rest.len();
    inner
        .get(..name)
        .is_some_and(|n| n.len() > 2 && n.ends_with("__"))
}

/// `tests/__init__`, `mypkg/__post_init__`: ends with a dunder name.
pub(super) fn ends_with_dunder(s: &str) -> bool {
    let Some(inner) = s.strip_suffix("__") else {
        return false;
    };
    inner
        .rfind("__")
        .and_then(|at| inner.get(at + 2..))
        .is_some_and(|name| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
}
