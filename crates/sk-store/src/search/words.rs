//! How text is prepared for the session index: FTS5's `unicode61` already splits at every
//! character that is not a letter or digit (`snake_case`, `path/to/file.rs`, `foo.bar`
//! become their words), and `porter` stems them. What neither does is split identifiers at
//! case changes, so that "json line" finds `parseJsonLine`: [`push_indexed`] appends the
//! parts of such identifiers after the text, keeping the whole identifier too.
//!
//! Nor does `unicode61` split Chinese or Japanese, written without spaces: a sentence is one
//! token, so "重复" could never find "…这件事情重复了那么多次", and a Korean word carries its
//! particle ("번호를" is not "번호"). So a session with such text has a second document, in
//! `session_cjk` (schema v10), where every run of them is also indexed as its overlapping
//! pairs of characters (bigrams, as CJK search engines commonly do: [`with_bigrams`]), and a
//! query asks for a CJK word as the phrase of its bigrams ([`Parsed::for_sessions`]): a word
//! matches wherever its characters stand in that order.

use super::{Parsed, Term};

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

/// `text` followed, for the CJK session index (`session_cjk`, schema v10), by what lets a
/// word inside a CJK run be found: each run's overlapping character pairs (bigrams, in
/// order, so that a word's bigrams stand together), then its single characters (a word of
/// one character), then the Latin letters and digits written against a run (`API` of
/// `调用API接口`, which the tokenizer reads as one token with it). `None` when `text` holds
/// no CJK character.
pub fn with_bigrams(text: &str) -> Option<String> {
    if !text.chars().any(is_cjk) {
        return None;
    }
    let mut out = String::with_capacity(text.len() * 3);
    out.push_str(text);
    let mut push = |piece: &str| {
        out.push(' ');
        out.push_str(piece);
    };
    for run in cjk_runs(text) {
        bigrams(run).for_each(&mut push);
    }
    for run in cjk_runs(text) {
        for (i, c) in run.char_indices() {
            push(run.get(i..i + c.len_utf8()).unwrap_or_default());
        }
    }
    for token in text.split(|c: char| !c.is_alphanumeric()) {
        if token.chars().any(is_cjk) && !token.chars().all(is_cjk) {
            token.split(is_cjk).filter(|p| !p.is_empty()).for_each(&mut push);
        }
    }
    Some(out)
}

/// Whether `c` belongs to a script written without spaces between words, or whose words
/// carry their particles (Korean): CJK ideographs, kana, Hangul.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3130..=0x318F     // Hangul compatibility Jamo
        | 0x31F0..=0x31FF     // Katakana phonetic extensions
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xAC00..=0xD7AF     // Hangul syllables
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFF66..=0xFF9F     // halfwidth Katakana and its voiced sound marks
        | 0x20000..=0x3134F   // CJK extensions B–H
    )
}

/// The maximal runs of CJK characters in `text`.
fn cjk_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_cjk(c)).filter(|r| !r.is_empty())
}

/// The overlapping pairs of characters of a CJK run (none for a single character).
fn bigrams(run: &str) -> impl Iterator<Item = &str> {
    let starts: Vec<usize> = run.char_indices().map(|(i, _)| i).chain([run.len()]).collect();
    (0..starts.len().saturating_sub(2)).filter_map(move |k| run.get(starts[k]..starts[k + 2]))
}

impl Parsed {
    /// The query as the session index reads it: a word holding CJK characters becomes, for
    /// each run of them, the phrase of its bigrams (one character: itself), and its other
    /// letters a word of their own. Other terms are kept as they are. A quoted phrase that
    /// holds CJK words is asked for word by word: the bigrams follow their run in the
    /// document, not the words around it.
    pub fn for_sessions(&self) -> Parsed {
        let mut terms = Vec::with_capacity(self.terms.len());
        for t in &self.terms {
            if t.words.iter().any(|w| w.chars().any(is_cjk)) {
                for w in &t.words {
                    push_word_terms(w, t.exclude, &mut terms);
                }
            } else {
                terms.push(t.clone());
            }
        }
        Parsed { terms }
    }
}

/// The terms that ask the CJK index for `word`, in order: each run of CJK characters as the
/// phrase of its bigrams (a single character as itself, which `with_bigrams` indexes too),
/// and each stretch of other letters between runs as a word of its own.
fn push_word_terms(word: &str, exclude: bool, out: &mut Vec<Term>) {
    let term = |words: Vec<String>| Term {
        words,
        exclude,
        prefix: false,
    };
    let mut rest = word;
    while let Some(first) = rest.chars().next() {
        let cjk = is_cjk(first);
        let end = rest.find(|c: char| is_cjk(c) != cjk).unwrap_or(rest.len());
        let piece = rest.get(..end).unwrap_or(rest);
        rest = rest.get(end..).unwrap_or_default();
        if cjk {
            let pairs: Vec<String> = bigrams(piece).map(str::to_string).collect();
            out.push(term(if pairs.is_empty() {
                vec![piece.to_string()]
            } else {
                pairs
            }));
        } else if piece.chars().any(char::is_alphanumeric) {
            out.push(term(vec![piece.to_string()]));
        }
    }
}

/// [`super::fts_query`] for the session index: the same words, CJK ones as the phrase of
/// their bigrams ([`Parsed::for_sessions`]).
pub fn session_fts_query(text: &str, any: bool) -> Option<String> {
    let parsed = Parsed {
        terms: super::words_of(text)
            .into_iter()
            .map(|w| Term {
                words: vec![w],
                exclude: false,
                prefix: false,
            })
            .collect(),
    };
    parsed.for_sessions().to_fts(any).map(|q| {
        // `to_fts` wraps the terms in parentheses; the briefing's queries are bare.
        q.strip_prefix('(')
            .and_then(|q| q.strip_suffix(')'))
            .map_or(q.clone(), str::to_string)
    })
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

    fn indexed_cjk(text: &str) -> String {
        let mut out = String::new();
        push_indexed(&mut out, text);
        with_bigrams(&out).unwrap_or(out)
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
    fn cjk_runs_are_also_indexed_as_bigrams() {
        assert_eq!(
            indexed_cjk("生成飞书文档"),
            "生成飞书文档 生成 成飞 飞书 书文 文档 生 成 飞 书 文 档"
        );
        assert_eq!(
            indexed_cjk("번호를 입력"),
            "번호를 입력 번호 호를 입력 번 호 를 입 력"
        );
        // Latin letters written against a run are indexed on their own.
        assert_eq!(indexed_cjk("橘 API接口"), "橘 API接口 接口 橘 接 口 API");
        assert_eq!(indexed_cjk("ﾊﾟｿｺﾝ"), "ﾊﾟｿｺﾝ ﾊﾟ ﾟｿ ｿｺ ｺﾝ ﾊ ﾟ ｿ ｺ ﾝ");
        // The plain form leaves them whole: bigrams go only into the CJK index.
        assert_eq!(indexed("生成飞书文档"), "生成飞书文档");
        assert_eq!(with_bigrams("plain text only"), None);
        assert_eq!(with_bigrams("橘 alone").as_deref(), Some("橘 alone 橘"));
    }

    #[test]
    fn a_cjk_word_is_queried_as_the_phrase_of_its_bigrams() {
        let q = Parsed::parse("重复 飞书文档 API接口 橘 -日志 cargo").for_sessions();
        assert_eq!(
            q.to_fts(false).as_deref(),
            Some(r#"("重复" AND "飞书 书文 文档" AND "API" AND "接口" AND "橘" AND "cargo"*) NOT "日志""#)
        );
        // Without CJK the query is untouched.
        let plain = Parsed::parse("parse json line");
        assert_eq!(plain.for_sessions(), plain);
        assert_eq!(
            session_fts_query("飞书文档 sync", true).as_deref(),
            Some(r#""飞书 书文 文档" OR "sync""#)
        );
    }

    #[test]
    fn a_query_bigram_phrase_finds_the_word_inside_a_sentence() {
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter unicode61 remove_diacritics 2')",
        )
        .expect("fts");
        for text in [
            "查看日志，告诉我为什么生成飞书文档这件事情重复了那么多次",
            "로또 번호를 입력하세요",
            "書類を作成",
            "调用API接口失败了",
            "我喜欢柑橘",
            "ﾊﾟｿｺﾝが壊れた",
        ] {
            let doc = indexed_cjk(text);
            conn.execute("INSERT INTO t (x) VALUES (?1)", [doc])
                .expect("insert");
        }
        let hits = |q: &str| -> i64 {
            let fts = Parsed::parse(q).for_sessions().to_fts(false).expect("query");
            conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [fts], |r| r.get(0))
                .expect("match")
        };
        assert_eq!(hits("重复"), 1);
        assert_eq!(hits("调用API接口"), 1, "Latin letters against a run");
        assert_eq!(hits("橘"), 1, "one character, at the end of a run");
        assert_eq!(hits("ﾊﾟｿｺﾝ"), 1, "halfwidth katakana with its voiced mark");
        assert_eq!(hits("飞书文档"), 1);
        assert_eq!(hits("번호"), 1);
        assert_eq!(hits("作成"), 1);
        // The characters in another order are another word.
        assert_eq!(hits("复重"), 0);
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
