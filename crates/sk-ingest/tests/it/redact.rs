//! Secret redaction: every kind of secret is replaced with its marker and the text around it
//! kept, ordinary code and prose pass untouched, the sink wrapper redacts everything it
//! forwards. Every fake secret is assembled from pieces at run time so that this file holds
//! no literal a secret scanner would flag.

use proptest::prelude::*;
use sk_core::{Record, RecordKind, SessionMeta, Sink};
use sk_ingest::memory_sink::MemorySink;
use sk_ingest::redact::{KINDS, RedactingSink, redact};

/// 4 characters mixing lowercase, uppercase and digits, repeated to `len`.
fn mixed(len: usize) -> String {
    "aZ3k".repeat(len / 4 + 1)[..len].to_string()
}

fn github_classic() -> String {
    format!("{}_{}", "ghp", mixed(36))
}
fn github_fine_grained() -> String {
    format!("{}_{}_{}", "github", "pat", mixed(60))
}
fn openai_key() -> String {
    format!("{}-{}", "sk", mixed(48))
}
fn openai_project_key() -> String {
    format!("{}-{}-{}_{}", "sk", "proj", mixed(60), mixed(20))
}
fn anthropic_key() -> String {
    format!("{}-{}-{}-{}", "sk", "ant", "api03", mixed(90))
}
fn aws_access_key() -> String {
    format!("{}{}", "AKIA", "Q7XZ2MPL4N8R6T5V")
}
fn aws_secret() -> String {
    format!("{}/{}+{}", mixed(14), mixed(12), mixed(12))
}
fn google_key() -> String {
    format!("{}{}", "AIza", mixed(35))
}
fn slack_token() -> String {
    format!("{}-{}-{}-{}", "xoxb", "1234567890", "0987654321", mixed(24))
}
fn slack_webhook() -> String {
    format!(
        "https://{}.slack.com/services/T{}/B{}/{}",
        "hooks",
        "0A1B2C3D",
        "4E5F6G7H",
        mixed(24)
    )
}
fn stripe_key() -> String {
    format!("{}_{}_{}", "sk", "live", mixed(24))
}
fn npm_token() -> String {
    format!("{}_{}", "npm", mixed(36))
}
fn gitlab_token() -> String {
    format!("{}-{}", "glpat", mixed(20))
}
fn huggingface_token() -> String {
    format!("{}_{}", "hf", mixed(34))
}
fn jwt() -> String {
    format!(
        "{}{}.{}{}.{}",
        "eyJ",
        "hbGciOiJIUzI1NiJ9",
        "eyJ",
        "zdWIiOiIxMjM0NTY3ODkwIn0",
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
}
fn private_key_block(label: &str) -> String {
    private_key_block_of(label, &mixed(64))
}
fn private_key_block_of(label: &str, line: &str) -> String {
    let body = (0..6).map(|_| line).collect::<Vec<_>>().join("\n");
    format!(
        "-----{} {label} {} {}-----\n{body}\n-----{} {label} {} {}-----",
        "BEGIN", "PRIVATE", "KEY", "END", "PRIVATE", "KEY"
    )
}

fn marker(kind: &str) -> String {
    format!("[REDACTED:{kind}]")
}

#[track_caller]
fn assert_redacted(input: &str, expected: &str, kind: &str) {
    let redacted = redact(input).unwrap_or_else(|| panic!("nothing redacted in {input:?}"));
    assert_eq!(redacted.text, expected, "input: {input:?}");
    assert_eq!(
        redacted.counts,
        vec![(KINDS.iter().copied().find(|k| *k == kind).expect("known kind"), 1)]
    );
    assert_eq!(
        redact(&redacted.text),
        None,
        "redaction is not idempotent for {input:?}"
    );
}

#[test]
fn token_formats_are_replaced_and_the_text_around_them_kept() {
    let cases = [
        (github_classic(), "github-token"),
        (github_fine_grained(), "github-token"),
        (openai_key(), "openai-key"),
        (openai_project_key(), "openai-key"),
        (anthropic_key(), "anthropic-key"),
        (aws_access_key(), "aws-access-key"),
        (google_key(), "google-api-key"),
        (slack_token(), "slack-token"),
        (slack_webhook(), "slack-token"),
        (stripe_key(), "stripe-key"),
        (npm_token(), "npm-token"),
        (gitlab_token(), "gitlab-token"),
        (huggingface_token(), "huggingface-token"),
        (jwt(), "jwt"),
    ];
    for (secret, kind) in cases {
        let input = format!("export X={secret}\nthen run `make` with \"{secret}\".");
        let expected = format!(
            "export X={}\nthen run `make` with \"{}\".",
            marker(kind),
            marker(kind)
        );
        let redacted = redact(&input).unwrap_or_else(|| panic!("{kind} not found"));
        assert_eq!(redacted.text, expected, "{kind}");
        assert_eq!(redacted.counts, vec![(kind, 2)], "{kind}");
        assert_eq!(redacted.total(), 2);
    }
}

#[test]
fn a_private_key_block_is_replaced_whole() {
    for label in ["RSA", "OPENSSH", "EC", "ENCRYPTED"] {
        let input = format!("key file:\n{}\nend of file", private_key_block(label));
        assert_redacted(
            &input,
            &format!("key file:\n{}\nend of file", marker("private-key")),
            "private-key",
        );
    }
    // A capped text that lost the END line still loses the key body.
    let block = private_key_block("RSA");
    let cut = &block[..block.len() / 2];
    let redacted = redact(&format!("{cut} …[truncated]")).expect("redacted");
    assert_eq!(redacted.text, format!("{}…[truncated]", marker("private-key")));
}

#[test]
fn authorization_headers_keep_the_scheme() {
    let token = mixed(40);
    assert_redacted(
        &format!("curl -H 'Authorization: Bearer {token}' https://api.example.com"),
        &format!(
            "curl -H 'Authorization: Bearer {}' https://api.example.com",
            marker("bearer-token")
        ),
        "bearer-token",
    );
    let basic = format!("{}{}", "dXNlcjpw", "YXNzd29yZA==");
    assert_redacted(
        &format!("Authorization: Basic {basic}"),
        &format!("Authorization: Basic {}", marker("basic-auth")),
        "basic-auth",
    );
    // A bearer JWT is one secret, named by its more specific format.
    assert_redacted(
        &format!("Authorization: Bearer {}", jwt()),
        &format!("Authorization: Bearer {}", marker("jwt")),
        "jwt",
    );
}

#[test]
fn password_assignments_lose_the_value_and_keep_the_key() {
    let value = format!("{}{}", "hunter", "2!x");
    let cases = [
        (
            format!("password={value}"),
            format!("password={}", marker("password")),
        ),
        (
            format!("DB_PASSWORD: {value}"),
            format!("DB_PASSWORD: {}", marker("password")),
        ),
        (
            format!("passwd:{value} user=bob"),
            format!("passwd:{} user=bob", marker("password")),
        ),
        (
            format!("{{\"password\": \"{value} with space\"}}"),
            format!("{{\"password\": \"{}\"}}", marker("password")),
        ),
        (
            format!("{{\\\"password\\\":\\\"{value}\\\"}}"),
            format!("{{\\\"password\\\":\\\"{}\\\"}}", marker("password")),
        ),
        (
            format!("const dbPassword = \"{value}\";"),
            format!("const dbPassword = \"{}\";", marker("password")),
        ),
        (
            format!("passphrase = '{value}'"),
            format!("passphrase = '{}'", marker("password")),
        ),
        (
            format!("psql postgres://admin:{value}@db.example.com/app"),
            format!("psql postgres://admin:{}@db.example.com/app", marker("password")),
        ),
    ];
    for (input, expected) in cases {
        assert_redacted(&input, &expected, "password");
    }
}

#[test]
fn generic_and_aws_secret_assignments_lose_the_value() {
    let value = format!("{}{}", "a1b2c3d4e5", "f6g7h8i9j0k1");
    let cases = [
        (
            format!("api_key={value}"),
            format!("api_key={}", marker("generic-api-key")),
        ),
        (
            format!("\"client_secret\": \"{value}\""),
            format!("\"client_secret\": \"{}\"", marker("generic-api-key")),
        ),
        (
            format!("SESSION_TOKEN: {value} # expires"),
            format!("SESSION_TOKEN: {} # expires", marker("generic-api-key")),
        ),
        (
            format!("x-api-key: {value}"),
            format!("x-api-key: {}", marker("generic-api-key")),
        ),
        (
            format!("-H 'X-API-Key: {value}'"),
            format!("-H 'X-API-Key: {}'", marker("generic-api-key")),
        ),
        (
            format!("{{\"apiKey\":\"{value}\"}}"),
            format!("{{\"apiKey\":\"{}\"}}", marker("generic-api-key")),
        ),
        (
            format!("accessToken={value}"),
            format!("accessToken={}", marker("generic-api-key")),
        ),
    ];
    for (input, expected) in cases {
        assert_redacted(&input, &expected, "generic-api-key");
    }
    let secret = aws_secret();
    assert_redacted(
        &format!("aws_secret_access_key = {secret}\nregion = us-east-1"),
        &format!(
            "aws_secret_access_key = {}\nregion = us-east-1",
            marker("aws-secret-key")
        ),
        "aws-secret-key",
    );
    assert_redacted(
        &format!("{{\"SecretAccessKey\": \"{secret}\"}}"),
        &format!("{{\"SecretAccessKey\": \"{}\"}}", marker("aws-secret-key")),
        "aws-secret-key",
    );
}

#[test]
fn a_secret_inside_an_assignment_is_named_by_its_format() {
    assert_redacted(
        &format!("GITHUB_TOKEN={}", github_classic()),
        &format!("GITHUB_TOKEN={}", marker("github-token")),
        "github-token",
    );
    assert_redacted(
        &format!("\"api_key\": \"{}\"", openai_key()),
        &format!("\"api_key\": \"{}\"", marker("openai-key")),
        "openai-key",
    );
}

#[test]
fn several_kinds_in_one_text_are_counted_per_kind() {
    let input = format!(
        "{} and {} and {} and password={}",
        github_classic(),
        github_classic(),
        aws_access_key(),
        "s3cr3t!"
    );
    let redacted = redact(&input).expect("redacted");
    assert_eq!(
        redacted.counts,
        vec![("aws-access-key", 1), ("github-token", 2), ("password", 1)]
    );
    assert_eq!(redacted.total(), 4);
}

#[test]
fn ordinary_code_and_prose_are_left_alone() {
    let negatives = [
        "cargo test -p sk-ingest --test it",
        "fixes task-123 and risk-assessment-for-production-2024 in the disk-usage-report-generator-v2 module",
        "commit 0123456789abcdef0123456789abcdef01234567 on main",
        "session 123e4567-e89b-12d3-a456-426614174000 resumed",
        "Please enter your password to continue.",
        "The password is stored in the keychain; reset password: click the link below.",
        "interface Login { user: string; password: string; }",
        "password = user_input",
        "password = os.environ['DB_PASSWORD']",
        "db.password = config.database.password",
        "password=$DB_PASSWORD",
        "password: ${{ secrets.DB_PASSWORD }}",
        "let token = next_token();",
        "token = tokens[0]",
        "max_tokens: 4096, output_tokens=1234567890123456",
        "api_key: YOUR_API_KEY_HERE",
        "token: ${{ secrets.GITHUB_TOKEN }}",
        "secret: true",
        "Bearer tokens are sent in the Authorization header.",
        "Authorization: Bearer <token>",
        "see https://github.com/owner/repo and git@github.com:owner/repo.git or http://localhost:8080/x",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "The ASIA region and the AKIA prefix; eyJ is base64 for {\"",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "self.tokenizer = AutoTokenizer.from_pretrained(name)",
    ];
    for text in negatives {
        assert_eq!(redact(text), None, "false positive in {text:?}");
    }
}

#[test]
fn the_sink_redacts_everything_it_forwards_and_counts_it() {
    let mut memory = MemorySink::default();
    let clean = Record::new(RecordKind::Answer, 0, "nothing secret here");
    {
        let mut sink = RedactingSink::new(&mut memory);
        sink.meta(&SessionMeta {
            title: Some(format!("rotate {}", github_classic())),
            repo: Some(format!("https://bob:{}@git.example.com/team/app.git", "pw12345")),
            cwd: Some("/home/bob/app".into()),
            ..SessionMeta::default()
        })
        .expect("meta");
        sink.record(&clean).expect("record");
        let mut secret = Record::new(
            RecordKind::ToolCall,
            10,
            format!("curl -H 'Authorization: Bearer {}'", mixed(32)),
        );
        secret.files = vec![
            "/home/bob/app/.env".into(),
            format!("/tmp/{}.txt", aws_access_key()),
        ];
        secret.tool = Some("bash".into());
        sink.record(&secret).expect("record");
        sink.system_prompt("abc123", &format!("use key {}", openai_key()))
            .expect("prompt");
        sink.damage(5, 6, "malformed JSON line").expect("damage");
        sink.rewind("event-1").expect("rewind");

        let expected: Vec<(&str, u64)> = vec![
            ("aws-access-key", 1),
            ("bearer-token", 1),
            ("github-token", 1),
            ("openai-key", 1),
            ("password", 1),
        ];
        assert_eq!(
            sink.counts().iter().map(|(k, n)| (*k, *n)).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(sink.total(), 5);
    }
    assert_eq!(
        memory.meta.title.as_deref(),
        Some("rotate [REDACTED:github-token]")
    );
    assert_eq!(
        memory.meta.repo.as_deref(),
        Some("https://bob:[REDACTED:password]@git.example.com/team/app.git")
    );
    assert_eq!(memory.meta.cwd.as_deref(), Some("/home/bob/app"));
    assert_eq!(memory.records[0], clean);
    assert_eq!(
        memory.records[1].text,
        "curl -H 'Authorization: Bearer [REDACTED:bearer-token]'"
    );
    assert_eq!(
        memory.records[1].files,
        vec![
            "/home/bob/app/.env".to_string(),
            "/tmp/[REDACTED:aws-access-key].txt".to_string()
        ]
    );
    assert_eq!(
        (memory.records[1].offset, memory.records[1].tool.as_deref()),
        (10, Some("bash"))
    );
    assert_eq!(
        memory.system_prompts,
        vec!["use key [REDACTED:openai-key]".to_string()]
    );
    assert_eq!(memory.damage, vec![(5, 6, "malformed JSON line".to_string())]);
}

/// Text made of the pieces the rules react to, glued in any order (with multi-byte
/// characters next to them, where a wrong slice would panic).
fn secretish_text() -> impl Strategy<Value = String> {
    let pieces = vec![
        "password",
        "passwd",
        "=",
        ":",
        " ",
        "\"",
        "'",
        "\\",
        "$",
        "sk-",
        "ant-",
        "ghp_",
        "AKIA",
        "AIza",
        "xoxb-",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
        "eyJ",
        ".",
        "@",
        "://",
        "https",
        "Bearer ",
        "Authorization: Basic ",
        "api_key",
        "token",
        "secret",
        "é",
        "€",
        "𝄞",
        "aZ3kaZ3kaZ3kaZ3kaZ3k",
        "0123456789",
        "\n",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|parts| parts.concat())
}

/// A fake secret of some kind, and the part of it that must disappear.
fn any_secret() -> impl Strategy<Value = (String, String)> {
    let body = |len: usize| {
        prop::collection::vec(prop::sample::select(b"abcXYZ0123456789".to_vec()), len)
            .prop_map(|b| String::from_utf8(b).expect("ascii"))
    };
    let random = body(48).prop_map(|b| format!("{b}aZ9"));
    prop_oneof![
        body(36)
            .prop_map(|b| format!("{}_{b}", "ghp"))
            .prop_map(|s| (s.clone(), s)),
        random
            .clone()
            .prop_map(|b| format!("{}-{}-{b}", "sk", "ant"))
            .prop_map(|s| (s.clone(), s)),
        random
            .clone()
            .prop_map(|b| format!("{}-{b}", "sk"))
            .prop_map(|s| (s.clone(), s)),
        body(16)
            .prop_map(|b| format!("{}{}", "AKIA", b.to_uppercase()))
            .prop_map(|s| (s.clone(), s)),
        body(35)
            .prop_map(|b| format!("{}{b}", "AIza"))
            .prop_map(|s| (s.clone(), s)),
        random
            .clone()
            .prop_map(|b| format!("{}_{}_{b}", "sk", "test"))
            .prop_map(|s| (s.clone(), s)),
        random
            .clone()
            .prop_map(|b| (format!("password={b}!"), format!("{b}!"))),
        random.clone().prop_map(|b| (format!("\"api_key\": \"{b}\""), b)),
        random
            .clone()
            .prop_map(|b| (format!("Authorization: Bearer {b}"), b)),
        random
            .clone()
            .prop_map(|b| (private_key_block_of(&b[..3].to_uppercase(), &b), b)),
        random.prop_map(|b| (format!("{}{b}.{}{b}.{b}", "eyJ", "eyJ"), b)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn redact_never_panics(text in prop_oneof!["\\PC{0,300}", secretish_text()]) {
        if let Some(redacted) = redact(&text) {
            prop_assert!(redacted.total() > 0);
            prop_assert!(redacted.text.contains("[REDACTED:"));
        }
    }

    #[test]
    fn no_secret_survives_whatever_surrounds_it(
        before in "\\PC{0,60}",
        (secret, core) in any_secret(),
        after in "\\PC{0,60}",
        sep in prop::sample::select(vec![" ", "\n", "\t", " (", "\n\n"]),
    ) {
        let text = format!("{before}{sep}{secret}{sep}{after}");
        let redacted = redact(&text);
        prop_assert!(redacted.is_some(), "nothing redacted in {:?}", text);
        let redacted = redacted.expect("checked");
        prop_assert!(!redacted.text.contains(&core), "secret survived in {:?}", redacted.text);
    }
}

/// 64 hex digits, assembled at run time.
fn hex64() -> String {
    "9f3c0a7e".repeat(8)
}

/// A name that says secret, with more around the key word, takes any random-looking
/// value: env files, shell exports, YAML, JSON and code (issue 21: `…_SECRET_KEY=` passed).
#[test]
fn names_that_say_secret_are_redacted_whatever_surrounds_the_key_word() {
    let hex = hex64();
    let b58 =
        "4NwwCq5bBwDkUdRuP8Fn2YtdWm4c3ywyN8sHcbLUVEbRkE7ZyCzNa2mLFaRvJvJkQm4wNn7bHk5SpWeDZR1dXyJ".to_string();
    let cases = [
        (
            format!("SOMEORG_ORG_SECRET_KEY={hex}"),
            "SOMEORG_ORG_SECRET_KEY=",
            "",
        ),
        (
            format!("export MY_API_TOKEN={}", mixed(40)),
            "export MY_API_TOKEN=",
            "",
        ),
        (format!("PRIVATE_KEY=0x{hex}\n"), "PRIVATE_KEY=", "\n"),
        (
            format!("WALLET_PRIVATE_KEY=\"{b58}\""),
            "WALLET_PRIVATE_KEY=\"",
            "\"",
        ),
        (
            format!("  \"clientSecret\": \"{}\",", mixed(32)),
            "  \"clientSecret\": \"",
            "\",",
        ),
        (format!("auth_token: {}", mixed(24)), "auth_token: ", ""),
        (format!("DB_CREDENTIALS={}", mixed(30)), "DB_CREDENTIALS=", ""),
    ];
    for (input, before, after) in cases {
        let r = redact(&input).unwrap_or_else(|| panic!("nothing redacted in {input:?}"));
        assert!(
            r.text.starts_with(before) && r.text.ends_with(after),
            "{input:?} -> {:?}",
            r.text
        );
        assert!(r.text.contains("[REDACTED:"), "{:?}", r.text);
        assert!(!r.text.contains(&hex) && !r.text.contains(&b58), "{:?}", r.text);
    }
}

/// Placeholders, code references, public values and identifiers next to such names stay.
#[test]
fn names_that_say_secret_keep_placeholders_references_and_words() {
    for text in [
        "API_KEY=your-api-key-here",
        "SECRET_KEY=<your secret key>",
        "AUTH_TOKEN=${AUTH_TOKEN}",
        "private_key: process.env.PRIVATE_KEY",
        "TOKEN_URL=https://example.com/oauth/token",
        "secret_name = some_long_identifier_name",
        "authorName: octocat-the-maintainer",
        "MY_SECRET=xxxxxxxxxxxxxxxxxxxxxxxx",
        "the token endpoint returned 200",
    ] {
        assert_eq!(redact(text), None, "{text}");
    }
}

/// Connection strings with a password, with or without a user name.
#[test]
fn passwords_in_connection_strings_are_redacted() {
    let pw = mixed(14);
    for (input, expected) in [
        (
            format!("postgres://app:{pw}@db:5432/shop"),
            "postgres://app:[REDACTED:password]@db:5432/shop",
        ),
        (
            format!("mongodb+srv://u:{pw}@cluster0.x.net/db"),
            "mongodb+srv://u:[REDACTED:password]@cluster0.x.net/db",
        ),
        (
            format!("redis://:{pw}@cache:6379/0"),
            "redis://:[REDACTED:password]@cache:6379/0",
        ),
    ] {
        assert_redacted(&input, expected, "password");
    }
}

/// A keypair file's 64 byte values are a secret key; 32 values (a public key) stay.
#[test]
fn a_keypair_byte_array_is_redacted_and_a_public_key_array_stays() {
    let bytes: Vec<String> = (0..64).map(|i| ((i * 37 + 11) % 256).to_string()).collect();
    let file = format!("[{}]", bytes.join(","));
    assert_redacted(
        &format!("id.json: {file}\n"),
        "id.json: [REDACTED:wallet-key]\n",
        "wallet-key",
    );
    let pretty = format!("[\n  {}\n]", bytes.join(",\n  "));
    assert_redacted(&pretty, "[REDACTED:wallet-key]", "wallet-key");
    let public = format!("[{}]", bytes[..32].join(","));
    assert_eq!(redact(&public), None);
    let not_bytes = format!("[{},300]", bytes[..63].join(","));
    assert_eq!(redact(&not_bytes), None);
}

/// A BIP-39 recovery phrase (made from fixed entropy here) is redacted; list words with a
/// broken checksum, or one word repeated, are not a phrase.
#[test]
fn a_recovery_phrase_is_redacted() {
    let entropy: Vec<u8> = (0..16u8).map(|i| i.wrapping_mul(41).wrapping_add(7)).collect();
    let phrase = bip39::Mnemonic::from_entropy(&entropy)
        .expect("entropy")
        .to_string();
    assert_redacted(
        &format!("MNEMONIC=\"{phrase}\""),
        "MNEMONIC=\"[REDACTED:seed-phrase]\"",
        "seed-phrase",
    );
    assert_redacted(
        &format!("your words:\n{phrase}\n"),
        "your words:\n[REDACTED:seed-phrase]\n",
        "seed-phrase",
    );
    let broken = ["abandon"; 12].join(" ");
    assert_eq!(redact(&broken), None);
}

/// Public values that look like secrets stay: commit and transaction hashes, addresses,
/// content digests.
#[test]
fn public_hashes_and_addresses_stay() {
    let hex = hex64();
    for text in [
        format!("tx 0x{hex} confirmed in block 123"),
        format!("{hex}  dist/app.tar.gz"),
        format!("commit {}", &hex[..40]),
        format!("sent to 0x{}", &hex[..40]),
        "sent 2 SOL to 7EYnhQoR9YM3N7UoaKRoA44Uy8JeaZV3qyouov87awMs".to_string(),
    ] {
        assert_eq!(redact(&text), None, "{text}");
    }
}

/// A password name with more after the key word (`DB_PASSWORD_PROD=`) still loses its value.
#[test]
fn password_names_with_a_suffix_are_redacted() {
    assert_redacted(
        "DB_PASSWORD_PROD=Tr0ub4dor-3x",
        "DB_PASSWORD_PROD=[REDACTED:password]",
        "password",
    );
    assert_eq!(redact("passwordless: true"), None);
}

/// Message keys and status fields named after passwords keep their text.
#[test]
fn messages_about_passwords_stay() {
    for text in [
        "\"auth.password_required\": \"Password is required\",",
        "password_status = \"not set yet\"",
        "\"doctor.check.password\": \"Check that the password is set\",",
        "WIN_PASS=$(grep \"PASSWORD:\" \"$COMPOSE_FILE\")",
    ] {
        assert_eq!(redact(text), None, "{text}");
    }
}

/// Names ending in `_pass` hold passwords too; the word "pass" alone is no marker.
#[test]
fn pass_names_are_passwords() {
    assert_redacted("DB_PASS=Tr0ub4dor-3x", "DB_PASS=[REDACTED:password]", "password");
    assert_redacted(
        "smtp_pass: 'k9#Lm2!zQ'",
        "smtp_pass: '[REDACTED:password]'",
        "password",
    );
    assert_redacted(
        "DB_PASSWORD=\"my long pass 1\"",
        "DB_PASSWORD=\"[REDACTED:password]\"",
        "password",
    );
    assert_redacted(
        "  \"dbPass\": \"hdRe7q2LmXw9Pz4Kc1Tb\",",
        "  \"dbPass\": \"[REDACTED:password]\",",
        "password",
    );
    assert_eq!(redact("all tests pass: 42"), None);
    assert_eq!(redact("Pass: 42, Fail: 0"), None);
    assert_eq!(redact("bypass=true"), None);
}
