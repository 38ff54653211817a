//! The planted secrets: every shape a secret takes in agent logs, each made from the seed
//! and laid in the contexts an agent writes it (chat, shell, config files, JSON).

#[allow(clippy::wildcard_imports)]
use super::*;

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
pub(super) fn mnemonic_of(entropy: &[u8], words: &[&str]) -> String {
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
pub(super) fn pem_body(rng: &mut Rng, prefix: &str, len: usize, width: usize) -> Vec<String> {
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
