//! Planted secrets and their look-alikes, for the redaction oracle (issue 21): every shape a
//! secret takes in agent logs — provider tokens, assignments whose *name* says secret,
//! connection strings, wallet keys, recovery phrases, private key blocks — and the public
//! values that look like them (commit SHAs, transaction hashes, addresses, digests, public
//! keys, placeholders, plain sentences) and must be kept.
//!
//! Everything is generated from a seed by a small PRNG: the same seed gives the same
//! values, another seed other values, and no secret sits in the source (detect-secrets run
//! over these files flags only the encoding alphabets and the SHA-256 test vectors). The
//! shapes are made in `planted`, the public values in `look_alikes`; this file holds what
//! both share (the PRNG, encodings, the contexts a value is written in). The oracle does
//! not know how sk's detectors work; it only knows which bytes were planted.

use std::fmt::Write as _;

mod look_alikes;
mod planted;

pub use look_alikes::look_alikes;
use planted::pem_body;
pub use planted::{planted, sha256};

/// The BIP-39 English wordlist (2048 words). Its source and licence (CC0 / public domain):
/// `crates/sk-test/data/README.md`.
const BIP39_ENGLISH: &str = include_str!("../data/bip39-english.txt");

/// The BIP-39 English words.
pub fn bip39_words() -> Vec<&'static str> {
    BIP39_ENGLISH.lines().filter(|w| !w.is_empty()).collect()
}

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = self.below(items.len());
        items.get(index).expect("pick from a non-empty list")
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 24) as u8).collect()
    }

    /// `len` characters drawn from `alphabet` (ASCII).
    pub fn string(&mut self, alphabet: &str, len: usize) -> String {
        let chars = alphabet.as_bytes();
        (0..len).map(|_| char::from(*self.pick(chars))).collect()
    }

    pub fn hex(&mut self, len: usize) -> String {
        self.string(HEX, len)
    }

    /// A version-4 UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let variant = *self.pick(b"89ab") as char;
        let part = |from: usize, to: usize| h.get(from..to).unwrap_or_default().to_owned();
        format!(
            "{}-{}-4{}-{variant}{}-{}",
            part(0, 8),
            part(8, 12),
            part(13, 16),
            part(17, 20),
            part(20, 32)
        )
    }
}

pub const HEX: &str = "0123456789abcdef";
pub const DIGITS: &str = "0123456789";
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub const ALNUM: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    encode64(bytes, BASE64, true)
}

/// URL-safe base64 without padding (JWT).
pub fn base64_url(bytes: &[u8]) -> String {
    encode64(bytes, BASE64_URL, false)
}

fn encode64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for i in 0..4 {
            if i < symbols {
                let index = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(alphabet[index]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Bitcoin-alphabet base58 (Solana keys and addresses).
pub fn base58(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new();
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for digit in digits.iter_mut() {
            carry += u32::from(*digit) << 8;
            *digit = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let alphabet = BASE58.as_bytes();
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    let mut out = "1".repeat(zeros);
    out.extend(digits.iter().rev().map(|d| char::from(alphabet[*d as usize])));
    out
}

/// Whether a value must go (planted) or stay (look-alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Planted,
    LookAlike,
}

/// One value in its natural surroundings, renderable in every context of a log.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable name of the shape (`github-classic`, `wallet-hex-0x`, `commit-sha`…).
    pub kind: &'static str,
    pub class: Class,
    /// The file the value lives in, relative to the project (`.env`, `config/database.yml`).
    pub file: String,
    /// The whole file as a tool would print it (lines joined by `\n`, no final newline).
    pub native: String,
    /// The line (or block) of `native` that holds the value: what a person pastes in a chat.
    pub line: String,
    /// The file is the value (a key file, a keypair, a seed file): a diff adds it whole.
    pub whole_file: bool,
    /// The same value as a member of a JSON config: key and JSON value text.
    pub json_key: String,
    pub json_value: String,
    /// A chat message mentioning it.
    pub prose: String,
    /// Planted: the pieces that must never be stored. Look-alikes: the pieces that must all
    /// be kept (one piece per line of a multi-line value).
    pub parts: Vec<String>,
    /// Planted only: substrings whose presence anywhere means a part (or a piece of one)
    /// was stored. Random enough never to occur by chance; at least 8 bytes; ASCII.
    pub needles: Vec<String>,
}

/// Width of the windows cut from a long part for [`Item::needles`]: a secret cut short by a
/// cap, or split across an SQLite page, is still found by one of them.
const WINDOW: usize = 16;

/// The part itself when short, else windows of [`WINDOW`] characters at its start, middle
/// and end.
fn windows(part: &str) -> Vec<String> {
    let chars: Vec<char> = part.chars().collect();
    if chars.len() < WINDOW + 8 {
        return vec![part.to_owned()];
    }
    let mid = (chars.len() - WINDOW) / 2;
    [0, mid, chars.len() - WINDOW]
        .iter()
        .map(|&at| chars.iter().skip(at).take(WINDOW).collect())
        .collect()
}

/// Windows of 4 consecutive words at the start, middle and end of a phrase, and the phrase.
fn word_windows(phrase: &str) -> Vec<String> {
    let words: Vec<&str> = phrase.split(' ').collect();
    let mut out = vec![phrase.to_owned()];
    let n = words.len();
    for at in [0, n.saturating_sub(4) / 2, n.saturating_sub(4)] {
        let window: Vec<&str> = words.iter().skip(at).take(4).copied().collect();
        let window = window.join(" ");
        if !out.contains(&window) {
            out.push(window);
        }
    }
    out
}

/// How an assignment is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `NAME=value` (dotenv)
    Env,
    /// `export NAME=value`
    Export,
    /// `name: value`
    Yaml,
    /// `name = "value"`
    Toml,
    /// `name = value` (INI, `~/.aws/credentials`)
    Ini,
    /// `"name": "value"` inside a JSON object
    Json,
}

fn assignment(style: Style, name: &str, value: &str) -> String {
    match style {
        Style::Env => format!("{name}={value}"),
        Style::Export => format!("export {name}={value}"),
        Style::Yaml => format!("{name}: {value}"),
        Style::Toml => format!("{name} = \"{value}\""),
        Style::Ini => format!("{name} = {value}"),
        Style::Json => format!("  {}: {},", json_string(name), json_string(value)),
    }
}

/// A JSON string literal.
pub fn json_string(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

/// Harmless lines around an assignment, as the rest of such a file.
fn surround(style: Style, line: &str, rng: &mut Rng) -> String {
    let port = rng.range(3000, 9000);
    match style {
        Style::Env => format!("NODE_ENV=production\n{line}\nPORT={port}"),
        Style::Export => format!("export PATH=\"$HOME/.local/bin:$PATH\"\n{line}\nexport EDITOR=vim"),
        Style::Yaml => format!("production:\n  adapter: postgresql\n  {line}\n  pool: 5"),
        Style::Toml => format!("[server]\nport = {port}\n{line}\nlog_level = \"info\""),
        Style::Ini => format!("[default]\n{line}\nregion = eu-west-1"),
        Style::Json => format!("{{\n  \"name\": \"billing-api\",\n{line}\n  \"port\": {port}\n}}"),
    }
}

/// Chat messages around a pasted line or block.
fn chat(rng: &mut Rng, file: &str, line: &str) -> String {
    if line.contains('\n') {
        let opener = rng.pick(&[
            "Here is the file, the deploy still fails:",
            "This is what I have, can you check it?",
            "Set this up for me please:",
        ]);
        return format!("{opener} ({file})\n{line}\nWhat is wrong with it?");
    }
    match rng.below(4) {
        0 => format!("I put `{line}` in {file} but the app still says unauthorized. Why?"),
        1 => format!("Here is my config line: {line} — can you add it to {file}?"),
        2 => format!("the deploy fails with {line} set in {file}, any idea?"),
        _ => format!("Use this: {line}\nand then run the tests again."),
    }
}

/// Builder for one item.
struct Make<'r> {
    rng: &'r mut Rng,
    out: Vec<Item>,
}

/// What one planted assignment looks like before it becomes an [`Item`].
struct Assign<'a> {
    kind: &'static str,
    style: Style,
    file: &'a str,
    name: &'a str,
    json_key: &'a str,
    value: String,
    /// The secret pieces of `value` (all of it unless it embeds public parts, like a URL).
    parts: Vec<String>,
}

impl Make<'_> {
    fn planted_assign(&mut self, a: Assign<'_>) {
        let line = assignment(a.style, a.name, &a.value);
        let native = surround(a.style, &line, self.rng);
        let chat_line = line.trim().trim_end_matches(',').to_owned();
        let prose = chat(self.rng, a.file, &chat_line);
        let needles = a.parts.iter().flat_map(|p| windows(p)).collect();
        self.out.push(Item {
            kind: a.kind,
            class: Class::Planted,
            file: a.file.to_owned(),
            native,
            line: chat_line,
            whole_file: false,
            json_key: a.json_key.to_owned(),
            json_value: json_string(&a.value),
            prose,
            parts: a.parts,
            needles,
        });
    }

    /// An assignment whose value is the whole secret.
    fn secret(
        &mut self,
        kind: &'static str,
        style: Style,
        file: &str,
        name: &str,
        json_key: &str,
        value: String,
    ) {
        self.planted_assign(Assign {
            kind,
            style,
            file,
            name,
            json_key,
            parts: vec![value.clone()],
            value,
        });
    }
}

/// The planted secrets and the look-alikes of one seed, planted first.
pub fn corpus_items(seed: u64) -> Vec<Item> {
    let mut rng = Rng::new(seed);
    let mut items = planted(&mut rng);
    items.extend(look_alikes(&mut rng, 2));
    items
}

/// A needle cut to a short prefix and its length: enough to tell which value leaked,
/// too little to leak it again in a test report.
pub fn short(needle: &str) -> String {
    let mut out: String = needle.chars().take(4).collect();
    let _ = write!(out, "…({} chars)", needle.chars().count());
    out
}

#[cfg(test)]
mod tests {
    use super::planted::mnemonic_of;
    use super::*;

    #[test]
    fn encoders_match_known_vectors() {
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(
            base64_url(br#"{"alg":"HS256","typ":"JWT"}"#),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        );
        assert_eq!(base58(b"hello world"), "StV1DL6CwTryKyV");
        assert_eq!(base58(&[0, 0, 1]), "112");
    }

    #[test]
    fn sha256_and_mnemonics_match_known_vectors() {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
        assert_eq!(
            hex(&sha256(BIP39_ENGLISH.as_bytes())),
            "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
        );
        // The BIP-39 test vectors: all-zero entropy, all-0x7f entropy (128 and 256 bits).
        let words = bip39_words();
        let phrase_of = |entropy: &[u8]| mnemonic_of(entropy, &words);
        assert_eq!(
            phrase_of(&[0; 16]),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
        );
        assert_eq!(
            phrase_of(&[0x7f; 16]),
            "legal winner thank year wave sausage worth useful legal winner thank yellow"
        );
        assert_eq!(
            phrase_of(&[0xff; 32]),
            "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote"
        );
    }

    #[test]
    fn the_wordlist_is_bip39() {
        let words = bip39_words();
        assert_eq!(words.len(), 2048);
        assert_eq!(words.first(), Some(&"abandon"));
        assert_eq!(words.last(), Some(&"zoo"));
    }

    #[test]
    fn a_seed_gives_the_same_values_and_another_seed_others() {
        let a = corpus_items(7);
        let b = corpus_items(7);
        let c = corpus_items(8);
        let values = |items: &[Item]| items.iter().map(|i| i.native.clone()).collect::<Vec<_>>();
        assert_eq!(values(&a), values(&b));
        assert_ne!(values(&a), values(&c));
    }

    #[test]
    fn every_planted_item_has_needles_inside_what_it_plants() {
        for item in corpus_items(1) {
            match item.class {
                Class::Planted => {
                    assert!(!item.needles.is_empty(), "{}", item.kind);
                    for needle in &item.needles {
                        assert!(needle.len() >= 8 && needle.is_ascii(), "{}: {needle}", item.kind);
                        assert!(item.native.contains(needle.as_str()), "{}", item.kind);
                        assert!(item.prose.contains(needle.as_str()), "{}", item.kind);
                    }
                }
                Class::LookAlike => {
                    for part in &item.parts {
                        assert!(item.native.contains(part.as_str()), "{}", item.kind);
                        assert!(item.prose.contains(part.as_str()), "{}", item.kind);
                    }
                }
            }
        }
    }
}
