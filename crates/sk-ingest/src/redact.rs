//! Secret redaction before anything is stored: session logs routinely contain API keys,
//! tokens and passwords pasted into prompts or printed by tools, and the knowledge database
//! must never keep them (product.md §2). [`redact`] replaces each secret with
//! `[REDACTED:<kind>]`; [`RedactingSink`] applies it to everything a connector pushes.
//!
//! Ingest calls this on every text, and almost every text is clean, so one exact-case
//! literal scan for the markers secrets carry (`ghp_`, `AKIA`, `PRIVATE KEY`, `password`,
//! `Token`…) comes first: a clean text costs that one scan and no allocation. Token formats
//! whose marker was seen are then searched in the text; context rules (`password=…`) are
//! tried only where their key word occurs. Key words are looked for in their usual
//! spellings (`token`, `Token`, `TOKEN`, `apiKey`…), so an odd one like `PassWord` is missed.
//!
//! Rules prefer missing an odd secret to mangling ordinary code and prose: token formats
//! are matched by their fixed prefixes and lengths, and the context rules (`password=…`,
//! `api_key: …`, `Bearer …`) only take values that look like secrets rather than
//! identifiers, types or placeholders.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Captures, Regex};

mod seed_phrase;
mod sink;

pub use sink::RedactingSink;

/// The version of the detector set. Stored in the database with what it redacted
/// (`redaction_version`); when a build ships a higher one, stored text is scanned again
/// (`sk redact`, and `sk index` on its own). Raise it whenever a rule finds more.
pub const DETECTORS_VERSION: u32 = 2;

/// Every kind a marker can name, in the order their rules win over each other when two
/// matches overlap (specific formats before context rules).
pub const KINDS: &[&str] = &[
    "private-key",
    "seed-phrase",
    "wallet-key",
    "github-token",
    "anthropic-key",
    "openai-key",
    "aws-access-key",
    "aws-secret-key",
    "google-api-key",
    "slack-token",
    "stripe-key",
    "npm-token",
    "gitlab-token",
    "huggingface-token",
    "jwt",
    "bearer-token",
    "basic-auth",
    "password",
    "generic-api-key",
    "secret-assignment",
];

/// A text with its secrets replaced, and how many of each kind were replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// Per kind, sorted by kind.
    pub counts: Vec<(&'static str, u32)>,
}

impl Redacted {
    pub fn total(&self) -> u32 {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// Replaces every secret in `text` with `[REDACTED:<kind>]`; `None` when there is none.
pub fn redact(text: &str) -> Option<Redacted> {
    redact_with(&RULES, text)
}

fn redact_with(rules: &Rules, text: &str) -> Option<Redacted> {
    let mut hits: Vec<Hit> = Vec::new();
    let mut to_scan = 0u32;
    for found in rules.markers.find_iter(text) {
        let triggered = rules
            .marker_rules
            .get(found.pattern().as_usize())
            .copied()
            .unwrap_or(0);
        to_scan |= triggered & !rules.at_marker;
        for index in bits(triggered & rules.at_marker) {
            if let Some(rule) = rules.rules.get(index) {
                rule.try_at(text, found.start(), index, &mut hits);
            }
        }
    }
    for index in bits(to_scan) {
        if let Some(rule) = rules.rules.get(index) {
            rule.scan(text, index, &mut hits);
        }
    }
    // Recovery phrases carry no marker: their own (cheap) pass, named by the rule that
    // stands for them in the table.
    if let Some(priority) = rules.rules.iter().position(|r| r.kind == "seed-phrase") {
        hits.extend(
            seed_phrase::find(text)
                .into_iter()
                .map(|range| Hit { range, priority }),
        );
    }
    if hits.is_empty() {
        return None;
    }
    Some(replace(text, merge(hits), rules))
}

/// The indexes of the bits set in `mask`.
fn bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let index = mask.trailing_zeros() as usize;
        mask &= mask.checked_sub(1)?;
        Some(index)
    })
}

/// A span to replace; `priority` indexes the rule (lower wins).
#[derive(Debug, Clone)]
struct Hit {
    range: Range<usize>,
    priority: usize,
}

/// Overlapping spans become one, named after the most specific rule among them, so no
/// part of a secret survives because two rules disagreed on where it ends.
fn merge(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.range.start, h.priority));
    let mut merged: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        match merged.last_mut() {
            Some(last) if hit.range.start < last.range.end => {
                last.range.end = last.range.end.max(hit.range.end);
                last.priority = last.priority.min(hit.priority);
            }
            _ => merged.push(hit),
        }
    }
    merged
}

fn replace(text: &str, hits: Vec<Hit>, rules: &Rules) -> Redacted {
    let mut out = String::with_capacity(text.len());
    let mut counts: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut copied = 0;
    for hit in hits {
        let kind = rules.rules.get(hit.priority).map_or("secret", |rule| rule.kind);
        // Match ranges are char boundaries; `window` cannot panic if a merge ever overlapped.
        out.push_str(sk_core::text::window(text, copied, hit.range.start));
        out.push_str("[REDACTED:");
        out.push_str(kind);
        out.push(']');
        copied = hit.range.end;
        *counts.entry(kind).or_default() += 1;
    }
    out.push_str(sk_core::text::from(text, copied));
    Redacted {
        text: out,
        counts: counts.into_iter().collect(),
    }
}

/// The span to replace in one match, or `None` when the match is not a secret after all.
type Pick = fn(&Captures) -> Option<Range<usize>>;

struct Rule {
    kind: &'static str,
    /// Compiled on first use: most texts trigger no rule, and compiling all of them costs
    /// more than a whole `sk query` (whose telemetry redacts the query text).
    pattern: String,
    regex: OnceLock<Regex>,
    pick: Pick,
}

impl Rule {
    fn regex(&self) -> &Regex {
        self.regex
            .get_or_init(|| Regex::new(&self.pattern).expect("redaction pattern compiles"))
    }

    /// Token formats: every match in the whole text.
    fn scan(&self, text: &str, priority: usize, hits: &mut Vec<Hit>) {
        let mut at = 0;
        while let Some(caps) = self.regex().captures_at(text, at) {
            let Some(whole) = caps.get(0) else { break };
            if let Some(range) = (self.pick)(&caps) {
                hits.push(Hit { range, priority });
            }
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                next_char(text, whole.start())
            };
        }
    }

    /// Context rules (anchored patterns): a match starting exactly at a marker. Trying each
    /// marker on its own costs a few bytes per `max_tokens` in a text, where scanning the
    /// whole text with a case-insensitive pattern costs a pass per rule.
    fn try_at(&self, text: &str, at: usize, priority: usize, hits: &mut Vec<Hit>) {
        let Some(rest) = text.get(at..) else {
            return;
        };
        let regex = self.regex();
        if !regex.is_match(rest) {
            return;
        }
        if let Some(range) = regex.captures(rest).and_then(|caps| (self.pick)(&caps)) {
            hits.push(Hit {
                range: range.start + at..range.end + at,
                priority,
            });
        }
    }
}

fn next_char(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.chars().next())
        .map_or(text.len(), |c| from + c.len_utf8())
}

struct Rules {
    rules: Vec<Rule>,
    /// Bit set of the rules tried at their markers rather than over the whole text.
    at_marker: u32,
    /// One scan for every marker of every rule: a literal automaton (a regex alternation of
    /// the same literals cost more to compile than the rest of an `sk query`).
    markers: AhoCorasick,
    /// Per marker (by its index in `markers`), the rules it triggers.
    marker_rules: Vec<u32>,
}

/// The spellings of a key word the marker scan looks for: exact-case literals scan about
/// twice as fast as a case-insensitive set, and keys are written in a handful of cases
/// (`password`, `Password`, `PASSWORD`, `api_key`, `Api-Key`, `apiKey`, `ApiKey`).
fn spellings(word: &str) -> Vec<String> {
    fn capitalized(part: &str) -> String {
        let mut out = part.to_string();
        if let Some(first) = out.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        out
    }
    let mut out = vec![word.to_string(), word.to_ascii_uppercase(), capitalized(word)];
    let parts: Vec<&str> = word.split(['_', '-', ' ']).collect();
    if let Some((first, rest)) = parts.split_first()
        && let Some(separator) = word.matches(['_', '-', ' ']).next()
    {
        out.push(
            parts
                .iter()
                .map(|p| capitalized(p))
                .collect::<Vec<_>>()
                .join(separator),
        );
        let rest: String = rest.iter().map(|p| capitalized(p)).collect();
        out.push(format!("{first}{rest}"));
        out.push(format!("{}{rest}", capitalized(first)));
    }
    out
}

/// Word boundaries and blanks in ASCII only: Unicode-aware ones are much slower and secrets
/// are ASCII anyway.
const B: &str = r"(?-u:\b)";
/// Between a key and its value: an optional (possibly JSON-escaped) closing quote, `:`, `=`,
/// `:=` or `=>`, an optional opening quote.
const ASSIGN: &str = r#"(?:\\?["'])?[ \t]*(?P<sep>:=|=>|[:=])[ \t]*"#;

static RULES: LazyLock<Rules> = LazyLock::new(build_rules);

fn whole(caps: &Captures) -> Option<Range<usize>> {
    caps.get(0).map(|m| m.range())
}

fn named(caps: &Captures, name: &str) -> Option<Range<usize>> {
    caps.name(name).map(|m| m.range())
}

/// Lowercase, uppercase and digits: how many of the three classes `s` mixes.
fn char_classes(s: &str) -> usize {
    let lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let upper = s.bytes().any(|b| b.is_ascii_uppercase());
    let digit = s.bytes().any(|b| b.is_ascii_digit());
    usize::from(lower) + usize::from(upper) + usize::from(digit)
}

/// Values that name a secret rather than being one: types, keywords, templates,
/// placeholders, earlier redactions.
fn is_placeholder(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "string",
        "str",
        "bool",
        "boolean",
        "int",
        "number",
        "null",
        "none",
        "nil",
        "undefined",
        "true",
        "false",
        "required",
        "optional",
        "password",
        "secret",
        "token",
        "env",
        "self",
        "this",
        "empty",
        "redacted",
        "hidden",
    ];
    let first = value.bytes().next();
    value.is_empty()
        || matches!(first, Some(b'$' | b'%' | b'{' | b'<' | b'[' | b'(' | b'@'))
        || value.contains('(')
        || value
            .bytes()
            .all(|b| matches!(b, b'*' | b'x' | b'X' | b'.' | b'-' | b'_' | b'#' | b'?'))
        || WORDS.iter().any(|w| w.eq_ignore_ascii_case(value))
}

fn pick_password(caps: &Captures) -> Option<Range<usize>> {
    // `password_required: "Password is required"` is a message key, `DB_PASSWORD_PROD=…` a
    // secret: when the name goes on after the key word, only a value without blanks counts.
    let suffixed = caps.name("tail").is_some_and(|t| !t.as_str().is_empty());
    if let Some(quoted) = caps.name("dq").or_else(|| caps.name("sq")) {
        let value = quoted.as_str();
        let blank = value.trim().is_empty();
        // Three plain words or more is a sentence (a UI message), not a password: a
        // password with blanks still has a digit or a symbol in a word.
        let plain = |w: &str| {
            w.trim_end_matches(['.', ',', '!', '?', ':'])
                .chars()
                .all(char::is_alphabetic)
        };
        let words: Vec<&str> = value.split_whitespace().collect();
        let sentence = words.len() >= 3 && words.iter().all(|w| plain(w));
        let prose = (suffixed && value.contains(char::is_whitespace)) || sentence;
        return (!blank && !prose && !is_placeholder(value)).then(|| quoted.range());
    }
    let bare = caps.name("bare")?;
    let value = bare.as_str();
    if is_placeholder(value) || is_code_reference(value) {
        return None;
    }
    let sep = caps.name("sep");
    // `Password: click the link` is prose and `password: string` a type; after a colon a
    // bare value must hold something besides letters to count.
    let after_colon = sep.is_some_and(|s| s.as_str() == ":");
    if after_colon && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    // `password = user_input` is code: a spaced assignment of a lowercase identifier.
    let spaced = sep.is_some_and(|s| bare.start() > s.end());
    if spaced && value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    Some(bare.range())
}

/// `os.environ[…]`, `config.db.password`, `self.token`: a value read from somewhere else.
fn is_code_reference(value: &str) -> bool {
    let is_identifier = |part: &str| {
        let mut bytes = part.bytes();
        bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    value.contains('[') || (value.contains('.') && value.split('.').all(is_identifier))
}

fn pick_url_password(caps: &Captures) -> Option<Range<usize>> {
    let pw = caps.name("val")?;
    (!is_placeholder(pw.as_str())).then(|| pw.range())
}

fn pick_generic(caps: &Captures) -> Option<Range<usize>> {
    let value = caps.name("val")?;
    let text = value.as_str();
    let digit = text.bytes().any(|b| b.is_ascii_digit());
    let letter = text.bytes().any(|b| b.is_ascii_alphabetic());
    let looks_like_path = text.starts_with('/') || text.starts_with('.') || text.contains("://");
    (digit && letter && !looks_like_path && !is_placeholder(text) && !is_code_reference(text))
        .then(|| value.range())
}

/// A value assigned to a name that says secret: long enough, not a placeholder, a path or a
/// code reference, and random-looking — it mixes letters and digits, or is hex, or is long
/// base58/base64 (a wallet key). A word like `some-long-identifier-name` stays.
fn pick_assigned(caps: &Captures) -> Option<Range<usize>> {
    let value = caps.name("val")?;
    let text = value.as_str();
    let body = text.strip_prefix("0x").unwrap_or(text);
    let digit = body.bytes().any(|b| b.is_ascii_digit());
    let letter = body.bytes().any(|b| b.is_ascii_alphabetic());
    let looks_like_path = text.starts_with('/') || text.starts_with('.') || text.contains("://");
    let hex = body.len() >= 32 && body.bytes().all(|b| b.is_ascii_hexdigit());
    let random =
        (digit && letter) || hex || (body.len() >= 40 && char_classes(body) >= 2 && !body.contains('_'));
    (random && !looks_like_path && !is_placeholder(text) && !is_code_reference(text)).then(|| value.range())
}

/// 64 numbers in a JSON array are a secret key only when every one is a byte.
fn pick_byte_array(caps: &Captures) -> Option<Range<usize>> {
    let m = caps.get(0)?;
    let numbers = m
        .as_str()
        .trim_matches(['[', ']'])
        .split(',')
        .map(|n| n.trim().parse::<u16>());
    numbers
        .into_iter()
        .all(|n| n.is_ok_and(|n| n <= 255))
        .then(|| m.range())
}

fn pick_openai(caps: &Captures) -> Option<Range<usize>> {
    // Long kebab-case names (`sk-ingest-…`) share the prefix; real keys mix all classes.
    let body = caps.name("body")?;
    (char_classes(body.as_str()) == 3)
        .then(|| caps.get(0).map(|m| m.range()))
        .flatten()
}

fn pick_random_whole(caps: &Captures) -> Option<Range<usize>> {
    let m = caps.get(0)?;
    (char_classes(m.as_str()) >= 2).then(|| m.range())
}

fn pick_bearer(caps: &Captures) -> Option<Range<usize>> {
    let token = caps.name("val")?;
    (char_classes(token.as_str()) >= 2).then(|| token.range())
}

/// One rule as written: `markers` starting with `~` are key words, looked for in their
/// usual spellings (see `spellings`); the others are exact.
struct Spec {
    kind: &'static str,
    pattern: String,
    pick: Pick,
    markers: &'static [&'static str],
    /// Context rules start with their key word and are tried at each marker occurrence;
    /// token formats are searched in the whole text once a marker occurs.
    at_marker: bool,
}

/// Every pattern starts at its marker (no leading character class): token formats so that
/// the regex engine's literal prefilter jumps straight to candidates, context rules so that
/// they can be anchored at the marker. Context rules match from the key word on
/// (`DB_PASSWORD=` matches at `PASSWORD`) because only the value is replaced.
fn build_rules() -> Rules {
    let scan = |kind, pattern, pick: Pick, markers| Spec {
        kind,
        pattern,
        pick,
        markers,
        at_marker: false,
    };
    let at_marker = |kind, pattern, pick: Pick, markers| Spec {
        kind,
        pattern,
        pick,
        markers,
        at_marker: true,
    };
    let specs: Vec<Spec> = vec![
        scan(
            "private-key",
            // The whole block; when the END line is missing (a capped text), the key body.
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(?s:.)*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,\-]*)".to_string(),
            whole,
            &["~private key"],
        ),
        // Found by `seed_phrase::find`, not by this pattern (which never matches): the entry
        // gives the kind its place in the table.
        scan("seed-phrase", r"\A(?-u:\b)\z[^\x00-\xff]".to_string(), whole, &[]),
        scan(
            "wallet-key",
            // A keypair file's secret key: exactly 64 byte values in a JSON array
            // (Solana's `id.json`); 32 or 65 values are public keys and signatures' parts.
            r"\[\s*(?:[0-9]{1,3}\s*,\s*){63}[0-9]{1,3}\s*\]".to_string(),
            pick_byte_array,
            &["[0", "[1", "[2", "[3", "[4", "[5", "[6", "[7", "[8", "[9", "[ ", "[\n"],
        ),
        scan(
            "github-token",
            format!(r"{B}(?:gh[pousr]_[A-Za-z0-9]{{36,255}}|github_pat_[A-Za-z0-9_]{{22,255}})"),
            whole,
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        ),
        scan("anthropic-key", format!(r"{B}sk-ant-[A-Za-z0-9_\-]{{20,}}"), whole, &["sk-"]),
        scan(
            "openai-key",
            format!(r"{B}sk-(?:proj-|svcacct-|admin-)?(?P<body>[A-Za-z0-9_\-]{{20,}})"),
            pick_openai,
            &["sk-"],
        ),
        scan(
            "aws-access-key",
            format!(r"{B}(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{{16}}{B}"),
            whole,
            &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        ),
        at_marker(
            "aws-secret-key",
            format!(r"(?i)secret[_\-.]?access[_\-.]?key{ASSIGN}(?:\\?[\x22'])?(?P<val>[A-Za-z0-9/+=]{{40,}})"),
            |caps| named(caps, "val"),
            &["~secret"],
        ),
        scan("google-api-key", format!(r"{B}AIza[0-9A-Za-z_\-]{{35}}"), whole, &["AIza"]),
        scan(
            "slack-token",
            format!(r"{B}xox[abposre]-[A-Za-z0-9\-]{{10,}}|https://hooks\.slack\.com/services/[A-Za-z0-9/_]+"),
            whole,
            &["xox", "hooks.slack.com"],
        ),
        scan("stripe-key", format!(r"{B}[rs]k_(?:live|test)_[A-Za-z0-9]{{16,}}"), whole, &["k_live_", "k_test_"]),
        scan("npm-token", format!(r"{B}npm_[A-Za-z0-9]{{36}}{B}"), whole, &["npm_"]),
        scan("gitlab-token", format!(r"{B}glpat-[A-Za-z0-9_\-]{{20,}}"), whole, &["glpat-"]),
        scan("huggingface-token", format!(r"{B}hf_[A-Za-z0-9]{{30,}}{B}"), pick_random_whole, &["hf_"]),
        scan("jwt", format!(r"{B}eyJ[A-Za-z0-9_\-]{{8,}}\.eyJ[A-Za-z0-9_\-]{{8,}}\.[A-Za-z0-9_\-]*"), whole, &["eyJ"]),
        at_marker(
            "bearer-token",
            format!(r"(?i){B}bearer[ \t]+(?P<val>[A-Za-z0-9\-._~+/]{{16,}}=*)"),
            pick_bearer,
            &["~bearer"],
        ),
        at_marker(
            "basic-auth",
            format!(r#"(?i)authorization{ASSIGN}(?:\\?["'])?basic[ \t]+(?P<val>[A-Za-z0-9+/]{{8,}}=*)"#),
            |caps| named(caps, "val"),
            &["~authorization"],
        ),
        at_marker(
            "password",
            format!(
                r#"(?i)(?:password|passwd|passphrase)(?P<tail>[A-Za-z0-9_\-]*){ASSIGN}(?P<val>\\?"(?P<dq>[^"\\\r\n]{{1,200}})\\?"|'(?P<sq>[^'\\\r\n]{{1,200}})'|(?P<bare>[^\s"'`,;&)}}\]]{{1,200}}))"#
            ),
            pick_password,
            &["~passw", "~passphrase"],
        ),
        at_marker(
            "password",
            // `DB_PASS=`, `smtp_pass:`: a name ending in (or holding) `_pass`. Matched from
            // the underscore, so a plain word "pass" is never a marker.
            format!(
                r#"(?i)_pass(?:word|wd|phrase)?(?P<tail>[A-Za-z0-9_\-]*){ASSIGN}(?P<val>\\?"(?P<dq>[^"\\\r\n]{{1,200}})\\?"|'(?P<sq>[^'\\\r\n]{{1,200}})'|(?P<bare>[^\s"'`,;&)}}\]]{{1,200}}))"#
            ),
            pick_password,
            &["_pass", "_PASS", "_Pass"],
        ),
        at_marker(
            "password",
            // camelCase names (`dbPass`, `smtpPass`): the capital `Pass` alone is also a
            // heading ("Pass: 42"), so only a random-looking value counts.
            format!(r#"Pass[A-Za-z0-9_\-]*{ASSIGN}(?:\\?["'])?(?P<val>[A-Za-z0-9_\-+/=.~!@#$%^*]{{8,200}})"#),
            pick_assigned,
            &["Pass"],
        ),
        at_marker(
            "password",
            // Credentials in a URL: `scheme://user:password@host`.
            r#"://[^/\s:@"'<>]{0,100}:(?P<val>[^/\s:@"'<>]{1,200})@"#.to_string(),
            pick_url_password,
            &["://"],
        ),
        at_marker(
            "generic-api-key",
            format!(
                r#"(?i)(?:api[_\-]?key|secret|token|access[_\-]?key){ASSIGN}(?:\\?["'])?(?P<val>[A-Za-z0-9_\-+/=.~]{{16,512}})"#
            ),
            pick_generic,
            &["~api_key", "~api-key", "~apikey", "API-Key", "API_Key", "APIKey", "~secret", "~token", "~access_key", "~access-key", "~accesskey"],
        ),
        at_marker(
            "secret-assignment",
            // A name that says secret, with more after the key word (`ORG_SECRET_KEY=`,
            // `MY_API_TOKEN=`, `clientSecret:`, `PRIVATE_KEY=`, `DB_CREDENTIALS=`,
            // `AUTH_TOKEN=`), assigned a value that looks random (see `pick_assigned`).
            format!(
                r#"(?i)(?:api[_\-]?key|secret|token|private[_\-]?key|credentials?|auth)[A-Za-z0-9_\-.]*{ASSIGN}(?:\\?["'])?(?P<val>[A-Za-z0-9_\-+/=.~]{{16,512}})"#
            ),
            pick_assigned,
            // (Passwords have their own rule: a marker here would shadow its `passw`.)
            &["~secret", "~token", "~private_key", "~private-key", "~privatekey", "~credential", "~auth", "~api_key", "~apikey"],
        ),
    ];
    let mut rules = Vec::with_capacity(specs.len());
    let mut at_marker_rules = 0u32;
    let mut marker_rules: HashMap<String, u32> = HashMap::new();
    for (index, spec) in specs.into_iter().enumerate() {
        let pattern = if spec.at_marker {
            at_marker_rules |= 1 << index;
            format!("^(?:{})", spec.pattern)
        } else {
            spec.pattern
        };
        rules.push(Rule {
            kind: spec.kind,
            pattern,
            regex: OnceLock::new(),
            pick: spec.pick,
        });
        for marker in spec.markers {
            let spelled = match marker.strip_prefix('~') {
                Some(word) => spellings(word),
                None => vec![marker.to_string()],
            };
            for spelling in spelled {
                *marker_rules.entry(spelling).or_default() |= 1 << index;
            }
        }
    }
    // Longest first, and the first listed wins where markers overlap: the longer one is the
    // one reported.
    let mut alternatives: Vec<(&str, u32)> = marker_rules.iter().map(|(m, r)| (m.as_str(), *r)).collect();
    alternatives.sort_by_key(|(m, _)| (std::cmp::Reverse(m.len()), *m));
    let markers = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(alternatives.iter().map(|(m, _)| m))
        .expect("marker automaton builds");
    Rules {
        rules,
        at_marker: at_marker_rules,
        markers,
        marker_rules: alternatives.iter().map(|(_, r)| *r).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_words_are_looked_for_in_their_usual_spellings() {
        assert_eq!(spellings("token"), vec!["token", "TOKEN", "Token"]);
        assert_eq!(
            spellings("api_key"),
            vec!["api_key", "API_KEY", "Api_key", "Api_Key", "apiKey", "ApiKey"]
        );
        assert_eq!(
            spellings("private key"),
            vec![
                "private key",
                "PRIVATE KEY",
                "Private key",
                "Private Key",
                "privateKey",
                "PrivateKey"
            ]
        );
    }

    #[test]
    fn bits_lists_set_bits_in_order() {
        assert_eq!(bits(0).collect::<Vec<_>>(), Vec::<usize>::new());
        assert_eq!(bits(0b1010_0001).collect::<Vec<_>>(), vec![0, 5, 7]);
        assert_eq!(bits(1 << 31).collect::<Vec<_>>(), vec![31]);
    }

    #[test]
    fn every_rule_is_named_in_kinds_and_fits_the_bit_set() {
        let rules = &*RULES;
        assert!(rules.rules.len() <= 32);
        for rule in &rules.rules {
            assert!(KINDS.contains(&rule.kind), "{}", rule.kind);
        }
        let mut kinds: Vec<&str> = rules.rules.iter().map(|r| r.kind).collect();
        kinds.dedup();
        assert_eq!(kinds, KINDS);
    }

    #[test]
    fn every_rule_compiles_though_rules_compile_on_first_use() {
        // A pattern that does not compile would otherwise panic only in the first text
        // that triggers its marker.
        for rule in &RULES.rules {
            assert!(rule.regex().captures_len() >= 1, "{}", rule.kind);
        }
    }

    #[test]
    fn a_text_without_markers_compiles_no_rule() {
        let rules = build_rules();
        let text = "why did the migration of the sessions table fail last week";
        assert!(redact_with(&rules, text).is_none());
        assert!(rules.rules.iter().all(|r| r.regex.get().is_none()));
        // A marker compiles the rules it triggers, and they still find the secret.
        let leaked = redact_with(
            &rules,
            "export GITHUB_TOKEN=ghp_a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8",
        )
        .expect("a GitHub token is redacted");
        assert!(!leaked.text.contains("ghp_a1b2"), "{}", leaked.text);
        assert!(rules.rules.iter().any(|r| r.regex.get().is_some()));
    }
}
