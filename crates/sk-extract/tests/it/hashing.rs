//! `content_hash` normalisation and the near-duplicate measure, with the threshold's
//! margins on both sides.

use sk_core::Category;
use sk_extract::{NEAR_DUPLICATE, Shingles, content_hash, normalize, similarity};

use crate::synthetic::compile_error_session;

#[test]
fn content_hash_ignores_case_whitespace_numbers_ids_and_temp_paths() {
    let a = content_hash(
        Category::Mistake,
        "`cargo test` failed: mismatched types in src/auth.rs",
        "Error: error[E0308] at src/auth.rs:42:9\nrun 3f9a2b1c7d in /private/var/folders/jk/4ry/T/x.AbC/notes.md",
    );
    let b = content_hash(
        Category::Mistake,
        "`Cargo   Test` FAILED: mismatched types in src/auth.rs",
        "error: ERROR[E0412] at src/auth.rs:7:1 run 9b8e7d6c5a in /tmp/pytest-17/notes.md",
    );
    assert_eq!(a, b);
    assert_eq!(a.len(), 64);
    assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    // The category, the words and the file name still count.
    assert_ne!(
        a,
        content_hash(
            Category::Discovery,
            "`cargo test` failed: mismatched types in src/auth.rs",
            "x"
        )
    );
    assert_ne!(
        content_hash(Category::Mistake, "`cargo test` failed in src/auth.rs", ""),
        content_hash(Category::Mistake, "`cargo test` failed in src/db.rs", "")
    );
    assert_ne!(
        content_hash(Category::Mistake, "t", "/tmp/a/notes.md"),
        content_hash(Category::Mistake, "t", "/tmp/a/count.sh")
    );
}

#[test]
fn content_hash_is_sha256_of_the_normalized_fields() {
    // Independently: python3 -c 'import hashlib;print(hashlib.sha256(b"decision\0use wal mode\0readers must not block the writer, 0 ms").hexdigest())'
    assert_eq!(
        content_hash(
            Category::Decision,
            "Use  WAL mode",
            "Readers must not block the writer, 250 ms"
        ),
        "53002ba24631196375eebcbb46e2a0d55a95dde19d49d72601054f7d4ba7b1d2"
    );
    assert_eq!(
        normalize("Readers must not block the writer, 250 ms"),
        "readers must not block the writer, 0 ms"
    );
}

const BASE: &str = "`cargo build` failed: mismatched types in src/auth.rs. Failed: `cargo build` (Bash). Error: error[E0308]: mismatched types --> src/auth.rs:42:9 expected u64, found &str. In between: edited src/auth.rs (- expiry_secs: \"3600\" / + expiry_secs: 3600). Then passed: `cargo build`";

#[test]
fn near_duplicates_score_above_the_threshold() {
    let renumbered = BASE.replace("42:9", "57:13").replace("3600", "7200");
    let one_word = BASE.replace("expected u64", "wanted u64");
    let three_words = BASE
        .replace("expected u64", "wanted u64")
        .replace("Then passed", "Afterwards passed")
        .replace("In between", "Meanwhile");
    let recased = BASE.to_uppercase().replace(' ', "   ");
    for (what, other) in [
        ("renumbered", &renumbered),
        ("one word", &one_word),
        ("three words", &three_words),
        ("recased", &recased),
    ] {
        let s = similarity(BASE, other);
        println!("near duplicate ({what}): {s:.2}");
        assert!(s >= NEAR_DUPLICATE, "{what}: {s}");
    }
    assert_eq!(similarity(BASE, &renumbered), 1.0);
}

#[test]
fn different_topics_score_below_the_threshold() {
    let others = [
        ("same error, other file", BASE.replace("src/auth.rs", "src/db/pool.rs").replace("expiry_secs", "max_conns").replace("\"3600\"", "\"16\"").replace("3600", "16").replace("u64, found &str", "usize, found String")),
        ("user correction", "Corrected by user: use pnpm instead of npm. The user said: No, don't use npm here — we use pnpm in this repo.".to_string()),
        ("decision", "We decided to store timestamps as UTC milliseconds because SQLite has no native datetime type.".to_string()),
        ("test failure", "`cargo test -p auth` failed: failing test tests::login_rejects_expired. Error: assertion `left == right` failed. In between: edited src/login.rs. Then passed: `cargo test -p auth`".to_string()),
    ];
    for (what, other) in &others {
        let s = similarity(BASE, other);
        println!("different ({what}): {s:.2}");
        assert!(s < NEAR_DUPLICATE, "{what}: {s}");
    }
}

#[test]
fn candidate_similarity_and_shingles_agree() {
    let cands = compile_error_session().extract();
    let c = &cands[0];
    assert_eq!(c.similarity(c), 1.0);
    assert_eq!(Shingles::new(&c.text()).jaccard(&Shingles::new(&c.text())), 1.0);
    assert!(!Shingles::new("a b c").is_empty());
    assert_eq!(
        similarity("alpha beta gamma delta", "delta gamma beta alpha"),
        0.0,
        "order matters in shingles"
    );
}
