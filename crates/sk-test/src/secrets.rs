//! Planted secrets and their look-alikes, for the redaction oracle (issue 21): every shape a
//! secret takes in agent logs — provider tokens, assignments whose *name* says secret,
//! connection strings, wallet keys, recovery phrases, private key blocks — and the public
//! values that look like them (commit SHAs, transaction hashes, addresses, digests, public
//! keys, placeholders, plain sentences) and must be kept.
//!
//! Everything is generated from a seed by a small PRNG: the same seed gives the same
//! values, another seed other values, and no secret sits in the source (detect-secrets run
//! over this file flags only the encoding alphabets and the SHA-256 test vectors). The oracle does not know how sk's
//! detectors work; it only knows which bytes were planted.

use std::fmt::Write as _;

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

/// Every planted secret shape, one item each, with values drawn from `rng`.
pub fn planted(rng: &mut Rng) -> Vec<Item> {
    let mut m = Make { rng, out: Vec::new() };
    let words = bip39_words();

    // Provider tokens, in the variables that usually hold them.
    let v = format!("ghp_{}", m.rng.string(ALNUM, 36));
    m.secret(
        "github-classic",
        Style::Env,
        ".env",
        "GITHUB_TOKEN",
        "githubToken",
        v,
    );
    let v = format!(
        "github_pat_{}_{}",
        m.rng.string(ALNUM, 22),
        m.rng.string(ALNUM, 59)
    );
    m.secret(
        "github-fine-grained",
        Style::Export,
        ".envrc",
        "GH_TOKEN",
        "token",
        v,
    );
    let v = format!(
        "sk-proj-{}T3BlbkFJ{}",
        m.rng.string(&format!("{ALNUM}-_"), 74),
        m.rng.string(&format!("{ALNUM}-_"), 74)
    );
    m.secret(
        "openai-project",
        Style::Env,
        ".env",
        "OPENAI_API_KEY",
        "openaiApiKey",
        v,
    );
    let v = format!(
        "sk-{}T3BlbkFJ{}",
        m.rng.string(ALNUM, 20),
        m.rng.string(ALNUM, 20)
    );
    m.secret(
        "openai-legacy",
        Style::Yaml,
        "config/llm.yml",
        "openai_key",
        "openaiKey",
        v,
    );
    let v = format!("sk-ant-api03-{}AA", m.rng.string(&format!("{ALNUM}-_"), 93));
    m.secret(
        "anthropic",
        Style::Env,
        ".env.local",
        "ANTHROPIC_API_KEY",
        "anthropicApiKey",
        v,
    );
    let v = format!("AKIA{}", m.rng.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    m.secret(
        "aws-access-key-id",
        Style::Ini,
        ".aws/credentials",
        "aws_access_key_id",
        "accessKeyId",
        v,
    );
    let v = m.rng.string(&format!("{ALNUM}/+"), 40);
    m.secret(
        "aws-secret-access-key",
        Style::Ini,
        ".aws/credentials",
        "aws_secret_access_key",
        "secretAccessKey",
        v,
    );
    let v = format!("AIza{}", m.rng.string(&format!("{ALNUM}-_"), 35));
    m.secret(
        "google-api-key",
        Style::Yaml,
        "app.yaml",
        "maps_key",
        "mapsKey",
        v,
    );
    let v = format!(
        "xoxb-{}-{}-{}",
        m.rng.string(DIGITS, 11),
        m.rng.string(DIGITS, 13),
        m.rng.string(ALNUM, 24)
    );
    m.secret("slack-bot", Style::Env, ".env", "SLACK_BOT", "slackBot", v);
    let len = m.rng.range(24, 99);
    let v = format!("sk_live_{}", m.rng.string(ALNUM, len));
    m.secret(
        "stripe-live",
        Style::Toml,
        "config/payments.toml",
        "stripe",
        "stripe",
        v,
    );
    let v = format!("npm_{}", m.rng.string(ALNUM, 36));
    m.secret(
        "npm",
        Style::Env,
        ".npmrc",
        "//registry.npmjs.org/:_authToken",
        "npmAuth",
        v,
    );
    let v = format!("glpat-{}", m.rng.string(&format!("{ALNUM}-_"), 20));
    m.secret("gitlab-pat", Style::Export, ".bashrc", "GITLAB_PAT", "gitlab", v);
    let v = format!("hf_{}", m.rng.string(LETTERS, 34));
    m.secret("huggingface", Style::Env, ".env", "HF_HUB", "hfHub", v);
    let (token, payload, signature) = jwt(m.rng);
    m.planted_assign(Assign {
        kind: "jwt",
        style: Style::Env,
        file: ".env",
        name: "SUPABASE_SERVICE_ROLE",
        json_key: "serviceRole",
        parts: vec![payload.clone(), signature.clone()],
        value: token,
    });
    if let Some(last) = m.out.last_mut() {
        // The header and the start of the claims are the same in every such token.
        let claims: String = payload.chars().skip(12).collect();
        last.needles = windows(&claims);
        last.needles.extend(windows(&signature));
    }

    // Assignments whose name says secret; the value has no recognisable format.
    let org = m
        .rng
        .pick(&["SOMEORG", "ACME", "GLOBEX", "INITECH", "NORTHWIND"])
        .to_string();
    let v = m.rng.hex(64);
    m.secret(
        "env-org-secret-key",
        Style::Env,
        ".env",
        &format!("{org}_ORG_SECRET_KEY"),
        "orgSecretKey",
        v,
    );
    let v = m.rng.string(ALNUM, 40);
    m.secret(
        "shell-api-token",
        Style::Export,
        ".zshrc",
        "MY_API_TOKEN",
        "apiToken",
        v,
    );
    let v = password(m.rng, 18);
    m.secret(
        "yaml-db-password",
        Style::Yaml,
        "config/database.yml",
        "db_password",
        "dbPassword",
        v,
    );
    let v = format!(
        "{}{}Q~{}",
        m.rng.string(ALNUM, 3),
        m.rng.string(DIGITS, 1),
        m.rng.string(&format!("{ALNUM}_.~-"), 34)
    );
    m.secret(
        "json-client-secret",
        Style::Json,
        "appsettings.json",
        "clientSecret",
        "clientSecret",
        v,
    );
    let v = base64(&m.rng.bytes(32));
    m.secret("env-auth-token", Style::Env, ".env", "AUTH_TOKEN", "authToken", v);
    let v = m.rng.string(ALNUM, 32);
    m.secret(
        "env-credentials",
        Style::Env,
        ".env",
        "CREDENTIALS",
        "credentials",
        v,
    );
    let v = m.rng.string(ALNUM, 40);
    m.secret(
        "toml-client-secret",
        Style::Toml,
        ".streamlit/secrets.toml",
        "client_secret",
        "clientSecret",
        v,
    );
    let v = m.rng.string(ALNUM, 20);
    m.secret("env-db-pass", Style::Env, ".env", "DB_PASS", "dbPass", v);
    let v = m.rng.string(LOWER, 14);
    m.secret(
        "env-password-letters",
        Style::Env,
        "docker/.env",
        "MYSQL_ROOT_PASSWORD",
        "mysqlRootPassword",
        v,
    );
    let v = format!(
        "{} {} {} {}",
        m.rng.pick(&words),
        m.rng.pick(&words),
        m.rng.pick(&words),
        m.rng.string(DIGITS, 3)
    );
    m.secret(
        "yaml-passphrase-quoted",
        Style::Yaml,
        "config/mail.yml",
        "smtp_password",
        "smtpPassword",
        format!("\"{v}\""),
    );
    if let Some(last) = m.out.last_mut() {
        // The quotes are YAML's, not the secret's.
        last.parts = vec![v.clone()];
        last.needles = vec![v.clone()];
        last.json_value = json_string(&v);
    }
    let v = format!("whsec_{}", m.rng.string(ALNUM, 32));
    m.secret(
        "env-webhook-secret",
        Style::Env,
        ".env",
        "STRIPE_WEBHOOK_SECRET",
        "webhookSecret",
        v,
    );
    let v = m.rng.hex(32);
    m.secret("json-api-key", Style::Json, "config.json", "apiKey", "apiKey", v);

    // Credentials in request headers.
    let token = m.rng.string(ALNUM, 40);
    let host = m.rng.string(LOWER, 7);
    header(
        &mut m,
        "bearer-header",
        &format!("Bearer {token}"),
        &host,
        token.clone(),
    );
    let basic = base64(format!("deploy:{}", m.rng.string(ALNUM, 16)).as_bytes());
    header(
        &mut m,
        "basic-header",
        &format!("Basic {basic}"),
        &host,
        basic.clone(),
    );

    // Connection strings: only the password is secret.
    let host = m.rng.string(LOWER, 6);
    let pw = m.rng.string(ALNUM, 20);
    url(
        &mut m,
        "postgres-url",
        Style::Env,
        "DATABASE_URL",
        format!("postgres://app:{pw}@db.{host}.internal:5432/billing"),
        pw,
    );
    let pw = m.rng.string(ALNUM, 16);
    let cluster = m.rng.string(LOWER, 5);
    url(
        &mut m,
        "mongodb-srv",
        Style::Env,
        "MONGODB_URI",
        format!("mongodb+srv://admin:{pw}@cluster0.{cluster}.mongodb.net/shop?retryWrites=true&w=majority"),
        pw,
    );
    let pw = m.rng.string(ALNUM, 18);
    url(
        &mut m,
        "mysql-url",
        Style::Yaml,
        "url",
        format!("mysql://root:{pw}@127.0.0.1:3306/app"),
        pw,
    );
    let pw = m.rng.string(ALNUM, 24);
    url(
        &mut m,
        "redis-url",
        Style::Env,
        "REDIS_URL",
        format!("redis://:{pw}@cache.{host}.internal:6379/0"),
        pw,
    );
    let pw = m.rng.string(ALNUM, 20);
    url(
        &mut m,
        "amqp-url",
        Style::Toml,
        "broker_url",
        format!("amqps://worker:{pw}@rabbit.{host}.io/jobs"),
        pw,
    );

    // Wallet private keys next to a key-ish name, or in a keypair file.
    let v = format!("0x{}", m.rng.hex(64));
    m.secret(
        "wallet-hex-0x",
        Style::Env,
        ".env",
        "PRIVATE_KEY",
        "privateKey",
        v,
    );
    if let Some(last) = m.out.last_mut() {
        let hex = last.parts.first().map_or("", |p| p.trim_start_matches("0x"));
        last.needles = windows(hex);
    }
    let v = m.rng.hex(64);
    m.secret(
        "wallet-hex-bare",
        Style::Json,
        "wallet.json",
        "privateKey",
        "privateKey",
        v,
    );
    let v = base58(&m.rng.bytes(64));
    m.secret(
        "wallet-base58",
        Style::Env,
        ".env",
        "SOLANA_PRIVATE_KEY",
        "solanaPrivateKey",
        v,
    );
    keypair(&mut m);

    // Recovery phrases.
    let phrase = mnemonic(m.rng, &words, 12);
    phrase_item(
        &mut m,
        "bip39-12-named",
        Some(("MNEMONIC", Style::Env, ".env")),
        phrase,
    );
    let phrase = mnemonic(m.rng, &words, 24);
    phrase_item(
        &mut m,
        "bip39-24-named",
        Some(("mnemonic", Style::Toml, "foundry.toml")),
        phrase,
    );
    let phrase = mnemonic(m.rng, &words, 12);
    phrase_item(&mut m, "bip39-12-bare", None, phrase);
    let phrase = mnemonic(m.rng, &words, 24);
    phrase_item(&mut m, "bip39-24-bare", None, phrase);

    // Private key blocks.
    pem(
        &mut m,
        "pem-rsa",
        "RSA PRIVATE KEY",
        "MIIEpAIBAAKCAQEA",
        1190,
        "deploy/server.key",
    );
    pem(
        &mut m,
        "pem-ec",
        "EC PRIVATE KEY",
        "MHcCAQEEI",
        110,
        "certs/ec.key",
    );
    pem(
        &mut m,
        "pem-openssh",
        "OPENSSH PRIVATE KEY",
        "b3BlbnNzaC1rZXktdjEAAAAA",
        300,
        ".ssh/id_ed25519",
    );
    service_account(&mut m);

    // Chat messages name provider tokens bare, with no variable name to help: the token's
    // own format is all there is to go on.
    let Make { rng, mut out } = m;
    for item in out.iter_mut().filter(|i| BARE_IN_CHAT.contains(&i.kind)) {
        let value: String = serde_json::from_str(&item.json_value).expect("a JSON string");
        item.prose = match rng.below(3) {
            0 => format!("the key {value} stopped working after the rotation, can you check?"),
            1 => format!("why does {value} give me a 401 from the API?"),
            _ => format!("I revoked {value} this morning; make sure nothing still uses it"),
        };
    }
    out
}

/// Provider tokens, recognisable by their format alone.
const BARE_IN_CHAT: &[&str] = &[
    "github-classic",
    "github-fine-grained",
    "openai-project",
    "openai-legacy",
    "anthropic",
    "aws-access-key-id",
    "google-api-key",
    "slack-bot",
    "stripe-live",
    "npm",
    "gitlab-pat",
    "huggingface",
    "jwt",
];

/// A password as people pick them for configs: letters, digits and punctuation that YAML
/// and shells take unquoted; starts with a letter.
fn password(rng: &mut Rng, len: usize) -> String {
    let mut out = rng.string(LETTERS, 1);
    out.push_str(&rng.string(&format!("{ALNUM}!%^*-_.~#"), len - 1));
    out
}

/// A signed JWT, its claims and its signature.
fn jwt(rng: &mut Rng) -> (String, String, String) {
    let header = base64_url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = format!(
        r#"{{"ref":"{}","role":"service_role","iss":"supabase","iat":{},"exp":{}}}"#,
        rng.string(LOWER, 20),
        1_700_000_000 + rng.below(50_000_000),
        1_900_000_000 + rng.below(50_000_000)
    );
    let payload = base64_url(claims.as_bytes());
    let signature = base64_url(&rng.bytes(32));
    (format!("{header}.{payload}.{signature}"), payload, signature)
}

fn header(m: &mut Make<'_>, kind: &'static str, auth: &str, host: &str, secret: String) {
    let line = format!("curl -sS -H \"Authorization: {auth}\" https://api.{host}.com/v1/me");
    let native = format!("#!/bin/sh\nset -e\n{line}");
    let prose = chat(m.rng, "scripts/whoami.sh", &line);
    m.out.push(Item {
        kind,
        class: Class::Planted,
        file: "scripts/whoami.sh".into(),
        native,
        line,
        whole_file: false,
        json_key: "authorization".into(),
        json_value: json_string(auth),
        prose,
        needles: windows(&secret),
        parts: vec![secret],
    });
}

fn url(m: &mut Make<'_>, kind: &'static str, style: Style, name: &str, url: String, pw: String) {
    let file = match style {
        Style::Yaml => "config/database.yml",
        Style::Toml => "config/celery.toml",
        _ => ".env",
    };
    m.planted_assign(Assign {
        kind,
        style,
        file,
        name,
        json_key: "databaseUrl",
        value: url,
        parts: vec![pw],
    });
}

/// A Solana keypair file: a JSON array of 64 byte values.
fn keypair(m: &mut Make<'_>) {
    let bytes = m.rng.bytes(64);
    let numbers: Vec<String> = bytes.iter().map(u8::to_string).collect();
    let array = format!("[{}]", numbers.join(","));
    let mut needles = vec![array.clone()];
    for at in [0, 20, 40, 58] {
        let window: Vec<&str> = numbers.iter().skip(at).take(6).map(String::as_str).collect();
        needles.push(window.join(","));
    }
    let prose = chat(m.rng, ".config/solana/id.json", &array);
    m.out.push(Item {
        kind: "wallet-keypair-array",
        class: Class::Planted,
        file: ".config/solana/id.json".into(),
        native: array.clone(),
        line: array.clone(),
        whole_file: true,
        json_key: "keypair".into(),
        json_value: array.clone(),
        prose,
        parts: vec![array],
        needles,
    });
}

/// A valid BIP-39 mnemonic of `n` words (12 or 24): random entropy of `n * 11 * 32 / 33`
/// bits followed by the first `n / 3` bits of its SHA-256 as the checksum, read 11 bits per
/// word, as wallets make them.
fn mnemonic(rng: &mut Rng, words: &[&str], n: usize) -> String {
    mnemonic_of(&rng.bytes(n * 4 / 3), words)
}

/// The BIP-39 mnemonic of `entropy` (16 or 32 bytes).
fn mnemonic_of(entropy: &[u8], words: &[&str]) -> String {
    let n = entropy.len() * 3 / 4;
    let checksum = sha256(entropy);
    let bit = |i: usize| -> usize {
        let byte = match entropy.get(i / 8) {
            Some(b) => *b,
            None => checksum[(i - entropy.len() * 8) / 8],
        };
        usize::from(byte >> (7 - i % 8) & 1)
    };
    (0..n)
        .map(|w| {
            let index = (0..11).fold(0, |acc, b| acc << 1 | bit(w * 11 + b));
            *words.get(index).expect("11 bits index the 2048 words")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// SHA-256 (FIPS 180-4), for BIP-39 checksums: small enough to keep sk-test free of a
/// hashing dependency.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (slot, v) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *slot = slot.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, v) in out.chunks_mut(4).zip(h) {
        chunk.copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// A recovery phrase, assigned to a name or alone in a seed file.
fn phrase_item(m: &mut Make<'_>, kind: &'static str, named: Option<(&str, Style, &str)>, phrase: String) {
    let needles = word_windows(&phrase);
    match named {
        Some((name, style, file)) => {
            let quoted = match style {
                Style::Toml => phrase.clone(),
                _ => format!("\"{phrase}\""),
            };
            m.planted_assign(Assign {
                kind,
                style,
                file,
                name,
                json_key: "mnemonic",
                value: quoted,
                parts: vec![phrase.clone()],
            });
            if let Some(last) = m.out.last_mut() {
                last.needles = needles;
                last.json_value = json_string(&phrase);
            }
        }
        None => {
            let file = if phrase.split(' ').count() > 12 {
                "backup/recovery-phrase.txt"
            } else {
                "seed.txt"
            };
            let prose =
                format!("my wallet recovery phrase is {phrase}, can you import it into the test wallet?");
            m.out.push(Item {
                kind,
                class: Class::Planted,
                file: file.into(),
                native: phrase.clone(),
                line: phrase.clone(),
                whole_file: true,
                json_key: "recoveryPhrase".into(),
                json_value: json_string(&phrase),
                prose,
                parts: vec![phrase],
                needles,
            });
        }
    }
}

/// Base64 of `len` bytes behind a fixed DER `prefix`, cut into lines of `width`.
fn pem_body(rng: &mut Rng, prefix: &str, len: usize, width: usize) -> Vec<String> {
    let body = format!("{prefix}{}", base64(&rng.bytes(len)));
    let chars: Vec<char> = body.chars().collect();
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}

/// Needles from the random lines of a key body: the first line holds the fixed prefix.
fn body_needles(lines: &[String]) -> Vec<String> {
    let n = lines.len();
    let mut picks = vec![1.min(n - 1), n / 2, n.saturating_sub(2)];
    picks.dedup();
    picks
        .into_iter()
        .filter_map(|i| lines.get(i))
        .filter(|l| l.len() >= 8)
        .flat_map(|l| windows(l))
        .collect()
}

fn pem(m: &mut Make<'_>, kind: &'static str, label: &str, prefix: &str, len: usize, file: &str) {
    let width = if label.starts_with("OPENSSH") { 70 } else { 64 };
    let lines = pem_body(m.rng, prefix, len, width);
    let block = format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        lines.join("\n")
    );
    let prose = chat(m.rng, file, &block);
    m.out.push(Item {
        kind,
        class: Class::Planted,
        file: file.into(),
        native: block.clone(),
        line: block.clone(),
        whole_file: true,
        json_key: "private_key".into(),
        json_value: json_string(&format!("{block}\n")),
        prose,
        needles: body_needles(&lines),
        parts: lines,
    });
}

/// A Google service-account key file: PKCS#8 in a JSON string with `\n` escapes.
fn service_account(m: &mut Make<'_>) {
    let lines = pem_body(
        m.rng,
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
        1150,
        64,
    );
    // Split so that no line of this file reads as a key header to a scanner.
    let label = ["PRIVATE", "KEY"].join(" ");
    let block = format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    );
    let project = m.rng.string(LOWER, 8);
    let native = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"{project}\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": {},\n  \"client_email\": \"ci@{project}.iam.gserviceaccount.com\"\n}}",
        m.rng.hex(40),
        json_string(&block)
    );
    let line = format!("\"private_key\": {}", json_string(&block));
    let prose = chat(m.rng, "service-account.json", &native);
    m.out.push(Item {
        kind: "pem-pkcs8-service-account",
        class: Class::Planted,
        file: "service-account.json".into(),
        native,
        line,
        whole_file: true,
        json_key: "private_key".into(),
        json_value: json_string(&block),
        prose,
        needles: body_needles(&lines),
        parts: lines,
    });
}

/// Ordinary sentences of twelve words: prose a recovery-phrase detector must leave alone.
const SENTENCES: &[&str] = &[
    "please review the pull request before you merge it into main today",
    "the build failed again because the cache was cleared on the runner",
    "we should move the config loader into its own module next week",
    "can you check why the login page takes so long to load",
    "the test suite passes locally but the same job fails in ci",
    "add a short note to the readme about the new install steps",
    "the old migration left an empty column that nobody reads any more",
    "rename the helper so that its purpose is clear to new readers",
    "run the benchmark twice and keep the faster of the two results",
    "the user asked for a dark theme and a larger default font",
    "this function returns early when the input list is empty or missing",
    "keep the public api stable and mark the old method as deprecated",
    "open a ticket for the flaky network test and link the logs",
    "the parser should skip blank lines and report the first bad one",
    "we agreed to ship the release after the security review next monday",
    "move the retry logic out of the client and into the service",
];

/// Values that look like secrets and are not: `copies` items of each random shape, and
/// each placeholder once.
pub fn look_alikes(rng: &mut Rng, copies: usize) -> Vec<Item> {
    let mut out = Vec::new();
    for _ in 0..copies {
        look_alike_set(rng, &mut out);
    }
    placeholders(&mut out);
    out
}

/// One look-alike: `native` is its file, `line` the line holding it, `parts` what must stay.
#[allow(clippy::too_many_arguments)]
fn keep(
    out: &mut Vec<Item>,
    kind: &'static str,
    file: &str,
    native: String,
    line: String,
    json: (&str, String),
    prose: String,
    parts: Vec<String>,
) {
    out.push(Item {
        kind,
        class: Class::LookAlike,
        file: file.into(),
        native,
        whole_file: false,
        line,
        json_key: json.0.into(),
        json_value: json.1,
        prose,
        parts,
        needles: Vec::new(),
    });
}

fn look_alike_set(rng: &mut Rng, out: &mut Vec<Item>) {
    let sha = rng.hex(40);
    keep(
        out,
        "commit-sha",
        "git-log.txt",
        format!(
            "commit {sha}\nAuthor: Dana Developer <dana@example.com>\nDate:   Mon Nov 16 10:02:11 2026 +0100\n\n    Fix the retry loop"
        ),
        format!("commit {sha}"),
        ("sha", json_string(&sha)),
        format!("The fix landed in {sha}, can you cherry-pick it onto the release branch?"),
        vec![sha],
    );

    let tx = format!("0x{}", rng.hex(64));
    let block = rng.range(18_000_000, 21_000_000);
    let line = format!("tx {tx} confirmed in block {block}");
    keep(
        out,
        "tx-hash",
        "deploy.log",
        format!("Deploying Vault...\n{line}\nVault deployed"),
        line.clone(),
        ("transactionHash", json_string(&tx)),
        format!("{line}, so the migration is live. Check the receipt?"),
        vec![tx],
    );

    let address = format!("0x{}", rng.string("0123456789abcdefABCDEF", 40));
    let line = format!("OWNER_ADDRESS={address}");
    keep(
        out,
        "eth-address",
        ".env",
        format!("NETWORK=mainnet\n{line}\nCONFIRMATIONS=3"),
        line,
        ("owner", json_string(&address)),
        format!("send the test tokens to {address} please"),
        vec![address],
    );

    let program = base58(&rng.bytes(32));
    let line = format!("Program Id: {program}");
    keep(
        out,
        "solana-program-id",
        "anchor-deploy.log",
        format!("Deploying program \"vault\"...\n{line}\nDeploy success"),
        line,
        ("programId", json_string(&program)),
        format!("the program is deployed at {program} on devnet"),
        vec![program],
    );

    let pubkey = base58(&rng.bytes(32));
    let line = format!("WALLET_PUBLIC_KEY={pubkey}");
    keep(
        out,
        "solana-pubkey-named",
        ".env",
        format!("CLUSTER=devnet\n{line}"),
        line,
        ("publicKey", json_string(&pubkey)),
        format!("airdrop 2 SOL to my public key {pubkey}"),
        vec![pubkey],
    );

    let digest = rng.hex(64);
    let version = format!("{}.{}.{}", rng.below(4), rng.below(20), rng.below(10));
    let line = format!("{digest}  app-{version}-linux-x86_64.tar.gz");
    keep(
        out,
        "sha256sum",
        "dist/SHA256SUMS",
        line.clone(),
        line.clone(),
        ("sha256", json_string(&digest)),
        format!("sha256sum gives {digest} for the tarball, does it match the release?"),
        vec![digest],
    );

    let digest = rng.hex(64);
    let line = format!("    image: ghcr.io/acme/api@sha256:{digest}");
    keep(
        out,
        "docker-digest",
        "docker-compose.yml",
        format!("services:\n  api:\n{line}\n    restart: always"),
        line.trim().to_owned(),
        ("image", json_string(&format!("ghcr.io/acme/api@sha256:{digest}"))),
        format!("pin the api image to sha256:{digest} in the compose file"),
        vec![digest],
    );

    let integrity = format!("sha512-{}", base64(&rng.bytes(64)));
    let line = format!("    resolution: {{integrity: {integrity}}}");
    keep(
        out,
        "integrity-sha512-yaml",
        "pnpm-lock.yaml",
        format!("  /lodash@4.17.21:\n{line}\n    dev: false"),
        line.trim().to_owned(),
        ("integrity", json_string(&integrity)),
        format!("the lockfile says {integrity} for lodash, is that the published hash?"),
        vec![integrity],
    );

    let integrity = format!("sha512-{}", base64(&rng.bytes(64)));
    let line = format!("      \"integrity\": \"{integrity}\",");
    keep(
        out,
        "integrity-sha512-json",
        "package-lock.json",
        format!(
            "    \"node_modules/zod\": {{\n      \"version\": \"3.23.8\",\n{line}\n      \"license\": \"MIT\"\n    }}"
        ),
        line.trim().trim_end_matches(',').to_owned(),
        ("integrity", json_string(&integrity)),
        format!("npm ci complains that {integrity} does not match"),
        vec![integrity],
    );

    let uuid = rng.uuid();
    let line = format!("request_id={uuid} status=200 duration_ms=41");
    keep(
        out,
        "uuid",
        "logs/api.log",
        format!("GET /v1/orders\n{line}"),
        line,
        ("requestId", json_string(&uuid)),
        format!("request {uuid} returned the wrong order, can you trace it?"),
        vec![uuid],
    );

    let blob = format!(
        "AAAAC3NzaC1lZDI1NTE5AAAAI{}",
        base64(&rng.bytes(32)).trim_end_matches('=')
    );
    let user = rng.pick(&["dana", "lee", "sam", "kim"]).to_string();
    let line = format!("ssh-ed25519 {blob} {user}@laptop");
    keep(
        out,
        "ssh-ed25519-public",
        ".ssh/id_ed25519.pub",
        line.clone(),
        line.clone(),
        ("sshKey", json_string(&line)),
        format!("add my key to the server: {line}"),
        vec![blob],
    );

    let lines = pem_body(rng, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 260, 64);
    let block = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
        lines.join("\n")
    );
    keep(
        out,
        "pem-public-key",
        "keys/public.pem",
        block.clone(),
        block.clone(),
        ("publicKey", json_string(&format!("{block}\n"))),
        format!("Here is the public key for verifying the webhooks:\n{block}\nPlease add it to the config."),
        lines,
    );

    let block_hash = format!("0x{}", rng.hex(64));
    let tx = format!("0x{}", rng.hex(64));
    let line = format!("  \"blockHash\": \"{block_hash}\",");
    keep(
        out,
        "eth-block-hash",
        "receipts/deploy.json",
        format!("{{\n  \"transactionHash\": \"{tx}\",\n{line}\n  \"status\": \"0x1\"\n}}"),
        line.trim().trim_end_matches(',').to_owned(),
        ("blockHash", json_string(&block_hash)),
        format!("the receipt says blockHash {block_hash} and status 0x1, so it went through"),
        vec![block_hash],
    );

    let public = format!("0x04{}", rng.hex(128));
    let line = format!("SIGNER_PUBLIC_KEY={public}");
    keep(
        out,
        "eth-public-key-named",
        ".env",
        format!("CHAIN_ID=1\n{line}"),
        line.clone(),
        ("signerPublicKey", json_string(&public)),
        format!("verify signatures against the public key {public}"),
        vec![public],
    );

    let client_id = rng.uuid();
    let line = format!("  \"clientId\": \"{client_id}\",");
    keep(
        out,
        "oauth-client-id",
        "appsettings.json",
        format!(
            "{{\n  \"Instance\": \"https://login.microsoftonline.com/\",\n{line}\n  \"CallbackPath\": \"/signin-oidc\"\n}}"
        ),
        line.trim().trim_end_matches(',').to_owned(),
        ("clientId", json_string(&client_id)),
        format!("the app registration's client id is {client_id}, the secret is in the vault"),
        vec![client_id],
    );

    let sentence = rng.pick(SENTENCES).to_string();
    keep(
        out,
        "english-12-words",
        "NOTES.md",
        format!("# Notes\n\n{sentence}"),
        sentence.clone(),
        ("note", json_string(&sentence)),
        sentence.clone(),
        vec![sentence],
    );
}

/// Placeholders where a secret will go: kept as they are, each once.
fn placeholders(out: &mut Vec<Item>) {
    let placeholders: [(&'static str, &str, &str, &str); 7] = [
        (
            "placeholder-your-key",
            ".env.example",
            "API_KEY",
            "your-api-key-here",
        ),
        ("placeholder-angle", ".env.example", "TOKEN", "<your token>"),
        ("placeholder-xxx", ".env.example", "SECRET", "xxxxxxxx"),
        (
            "placeholder-env-ref",
            "config/database.yml",
            "password",
            "${DB_PASSWORD}",
        ),
        (
            "placeholder-gha",
            ".github/workflows/ci.yml",
            "GITHUB_TOKEN",
            "${{ secrets.GITHUB_TOKEN }}",
        ),
        ("placeholder-stars", ".env.example", "PASSWORD", "********"),
        ("placeholder-ellipsis", "README.md", "OPENAI_API_KEY", "sk-..."),
    ];
    for (kind, file, name, value) in placeholders {
        let line = if file.ends_with(".yml") {
            format!("{name}: {value}")
        } else {
            format!("{name}={value}")
        };
        keep(
            out,
            kind,
            file,
            format!("# copy to .env and fill in\n{line}"),
            line.clone(),
            (name, json_string(value)),
            format!("the example file has `{line}`, what should I put there?"),
            vec![value.to_owned()],
        );
    }

    let line = r#"<input type="password" name="password" placeholder="Enter your password">"#.to_owned();
    keep(
        out,
        "ui-password-field",
        "src/login.html",
        format!("<form method=\"post\">\n  {line}\n</form>"),
        line.clone(),
        ("passwordField", json_string(&line)),
        format!("the login form has `{line}`, add a show-password toggle"),
        vec![line.clone()],
    );

    let line = "const apiKey = process.env.API_KEY;".to_owned();
    keep(
        out,
        "placeholder-process-env",
        "src/client.js",
        format!("import {{ Client }} from './sdk.js';\n{line}\nexport const client = new Client(apiKey);"),
        line.clone(),
        ("apiKey", json_string("process.env.API_KEY")),
        format!("is `{line}` enough or do we need dotenv?"),
        vec!["process.env.API_KEY".to_owned()],
    );
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
