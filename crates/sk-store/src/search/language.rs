//! The languages a person wrote a session in, named in its search document. Months later a
//! session is remembered as "the one where I answered in French" or "the one I asked in
//! Korean", while the question is typed in English: no word of it is in the session unless
//! the language itself is. Only what a person typed (prompts) is looked at, and English is
//! never named (it says nothing in a history that is mostly English).

/// Prompts of one session looked at: a language used later than this is rare, and each
/// look costs a trigram pass over the text.
pub const PROMPTS_LOOKED_AT: usize = 40;

/// Bytes of a prompt looked at: enough for a trigram profile, and pasted logs stop here.
const PROMPT_BYTES: usize = 1024;

/// Letters a prompt needs (after code-like words are left out) before its language is
/// guessed: "ok", "idk" and "merci" say nothing reliable.
const MIN_LETTERS: usize = 12;

/// How far ahead of the next candidate (whatlang's confidence, 0..1) the guess for a short
/// prompt must be.
const MIN_CONFIDENCE: f64 = 0.75;

/// The distinct languages other than English that a session's prompts are written in, by
/// their English names, in the order first seen.
#[derive(Debug, Default)]
pub struct Languages {
    named: Vec<&'static str>,
    looked_at: usize,
}

impl Languages {
    /// Looks at one prompt (only the first [`PROMPTS_LOOKED_AT`] are).
    pub fn add_prompt(&mut self, text: &str) {
        if self.looked_at >= PROMPTS_LOOKED_AT {
            return;
        }
        self.looked_at += 1;
        if let Some(name) = language_of(sk_core::text::prefix(text, PROMPT_BYTES))
            && !self.named.contains(&name)
        {
            self.named.push(name);
        }
    }

    /// The names found, e.g. `["French"]`.
    pub fn names(&self) -> &[&'static str] {
        &self.named
    }
}

/// The language of one prompt when it is confidently not English; None for English, for
/// text too short to tell and for what is mostly code.
pub fn language_of(text: &str) -> Option<&'static str> {
    // Paths, URLs, identifiers and numbers are the same in every language and make a short
    // Korean or French request look like something else: only words of letters count.
    let mut kept = String::with_capacity(text.len());
    for token in text.split_whitespace() {
        if token
            .chars()
            .any(|c| c.is_ascii_digit() || "/\\._=<>{}[]()@#$%^&*|~`+:;".contains(c))
        {
            continue;
        }
        kept.extend(
            token
                .chars()
                .map(|c| if c.is_alphabetic() || c == '\'' { c } else { ' ' }),
        );
        kept.push(' ');
    }
    let letters = kept.chars().filter(|c| c.is_alphabetic()).count();
    let wide = kept
        .chars()
        .any(|c| c.is_alphabetic() && !c.is_ascii() && !matches!(c, '\u{00C0}'..='\u{024F}'));
    // A CJK word carries more than a Latin one: a few characters are already a sentence.
    if letters < if wide { MIN_LETTERS / 3 } else { MIN_LETTERS } {
        return None;
    }
    let info = whatlang::detect(&kept)?;
    // whatlang's own "reliable" wants more text than one typed sentence has; a clear lead
    // over the next language on a sentence of words is enough.
    let confident = info.is_reliable() || (info.confidence() >= MIN_CONFIDENCE && letters >= 2 * MIN_LETTERS);
    if !confident || info.lang() == whatlang::Lang::Eng {
        return None;
    }
    Some(match info.lang() {
        // whatlang names the language by its standard variety; people say "Chinese".
        whatlang::Lang::Cmn => "Chinese",
        other => other.eng_name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_in_another_language_is_named() {
        assert_eq!(
            language_of("Peux-tu regarder pourquoi la compilation échoue encore après la mise à jour ?"),
            Some("French")
        );
        assert_eq!(
            language_of("请帮我修复登录页面的错误，然后运行所有测试"),
            Some("Chinese")
        );
        assert_eq!(
            language_of("Bitte prüfe, warum der Test nach dem Umbau der Datenbank fehlschlägt"),
            Some("German")
        );
        assert_eq!(
            language_of("Почему тесты падают после обновления базы данных?"),
            Some("Russian")
        );
    }

    #[test]
    fn code_and_urls_do_not_hide_the_language_around_them() {
        // Korean around a domain with a path and words with digits in them.
        assert_eq!(
            language_of("example.org/7 주소로 들어가면 3학년 4반 페이지로 바로 이동하게 해줘"),
            Some("Korean")
        );
    }

    #[test]
    fn english_short_and_code_only_prompts_name_nothing() {
        assert_eq!(
            language_of("fix the failing test in src/auth.rs and run cargo test again please"),
            None
        );
        assert_eq!(language_of("idk"), None);
        assert_eq!(language_of("merci"), None);
        assert_eq!(
            language_of("cargo build --release && ./target/release/sk index"),
            None
        );
        assert_eq!(language_of(""), None);
    }

    #[test]
    fn a_session_names_each_language_once_and_stops_looking() {
        let mut l = Languages::default();
        l.add_prompt("setup git and make a clean commit of everything here");
        l.add_prompt("Merci, maintenant ajoute les tests pour la page de connexion");
        l.add_prompt("Fais aussi le push vers le dépôt distant quand tu as fini");
        assert_eq!(l.names(), ["French"]);
        let mut many = Languages::default();
        for _ in 0..PROMPTS_LOOKED_AT {
            many.add_prompt("please fix the failing build on the main branch now");
        }
        many.add_prompt("Bitte prüfe, warum der Test nach dem Umbau der Datenbank fehlschlägt");
        assert!(many.names().is_empty());
    }
}
