//! Look-alikes: public values in the same contexts as the planted secrets (commit SHAs,
//! transaction hashes, addresses, digests, public keys, placeholders, ordinary sentences),
//! which redaction must leave alone.

#[allow(clippy::wildcard_imports)]
use super::*;

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
