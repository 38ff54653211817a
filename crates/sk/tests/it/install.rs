//! `sk install`, `sk doctor`, `sk uninstall` and `sk rollback` through the real binary in a
//! temporary HOME. Hashes are computed with coreutils' `sha256sum`, not with sk's own code.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sk_test::TestEnv;

pub(super) fn bin_dir(env: &TestEnv) -> PathBuf {
    env.copilot_home().join("bin")
}

/// `sk` in this home with a PATH that starts at the install folder and a bash login shell.
pub(super) fn sk(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.sk();
    cmd.env("PATH", format!("{}:/usr/bin:/bin", bin_dir(env).display()))
        .env("SHELL", "/bin/bash");
    cmd
}

pub(super) fn run(env: &TestEnv, args: &[&str]) -> (i32, String) {
    let out = sk(env).args(args).output().expect("run sk");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

pub(super) fn ok(env: &TestEnv, args: &[&str]) -> String {
    let (code, text) = run(env, args);
    assert_eq!(code, 0, "sk {args:?} failed:\n{text}");
    text
}

fn sha256sum(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("hash")
        .to_string()
}

fn manifest(env: &TestEnv) -> serde_json::Value {
    let text = ok(env, &["doctor", "--manifest"]);
    serde_json::from_str(&text).expect("manifest json")
}

fn manifest_hash(m: &serde_json::Value, purpose: &str) -> Option<String> {
    m["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["purpose"] == purpose)
        .map(|f| f["sha256"].as_str().expect("sha").to_string())
}

/// A runnable build that differs from the one under test: the same executable with bytes
/// appended (loaders ignore trailing data), so installing it is an upgrade.
pub(super) fn other_build(env: &TestEnv) -> PathBuf {
    let dir = env.home().join("other-build");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let p = dir.join("sk");
    let mut bytes = std::fs::read(sk_test::sk_bin()).expect("read sk");
    bytes.extend_from_slice(b"\0another build");
    std::fs::write(&p, bytes).expect("write build");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}

pub(super) fn stub(path: &Path, script: &str) {
    std::fs::write(path, script).expect("write stub");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

pub(super) fn fail_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("FAIL")).collect()
}

#[test]
fn install_doctor_tamper_reinstall_cycle() {
    let env = TestEnv::new();
    let text = ok(&env, &["install"]);
    assert!(text.contains("Installed sk"), "{text}");
    let installed = bin_dir(&env).join("sk");
    assert_eq!(sha256sum(&installed), sha256sum(&sk_test::sk_bin()));
    let m = manifest(&env);
    assert_eq!(manifest_hash(&m, "binary"), Some(sha256sum(&installed)));
    assert_eq!(
        manifest_hash(&m, "launcher"),
        Some(sha256sum(&bin_dir(&env).join("sk.cmd")))
    );
    assert!(m["installed_at"].as_str().is_some_and(|t| t.ends_with('Z')));

    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 0, "{text}");
    assert!(fail_lines(&text).is_empty(), "{text}");
    assert!(
        text.contains("ok   path"),
        "the installed sk is the one on PATH:\n{text}"
    );

    // The same build again: nothing written, the manifest (and its install time) unchanged.
    let before = std::fs::read(env.copilot_home().join("markers/install-manifest.json")).expect("manifest");
    let text = ok(&env, &["install"]);
    assert!(text.contains("nothing to do"), "{text}");
    let after = std::fs::read(env.copilot_home().join("markers/install-manifest.json")).expect("manifest");
    assert_eq!(before, after);
    assert!(
        !bin_dir(&env).join("sk.prev").exists(),
        "a no-op keeps no previous binary"
    );

    // Tamper with a managed file: doctor names it, says how to fix it, and exits 1.
    let launcher = bin_dir(&env).join("sk.cmd");
    let mut bytes = std::fs::read(&launcher).expect("launcher");
    bytes.extend_from_slice(b"echo pwned\n");
    std::fs::write(&launcher, bytes).expect("tamper");
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 1, "{text}");
    let fails = fail_lines(&text);
    assert_eq!(fails.len(), 1, "{text}");
    assert!(
        fails[0].contains("sk.cmd") && fails[0].contains("fix: sk install"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&sk(&env).args(["doctor", "--json"]).output().expect("json").stdout)
            .expect("json");
    assert_eq!(json["ok"], false);

    ok(&env, &["install", "--quiet"]);
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn quiet_install_prints_nothing_and_dry_run_changes_nothing() {
    let env = TestEnv::new();
    let text = ok(&env, &["install", "--dry-run"]);
    assert!(text.contains("sk.cmd") && text.contains("--dry-run"), "{text}");
    assert!(!bin_dir(&env).exists(), "dry run wrote nothing");
    let out = sk(&env).args(["install", "--quiet"]).output().expect("run");
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert!(bin_dir(&env).join("sk").is_file());
}

#[test]
fn the_launcher_is_crlf_byte_for_byte() {
    let env = TestEnv::new();
    ok(&env, &["install"]);
    let bytes = std::fs::read(bin_dir(&env).join("sk.cmd")).expect("sk.cmd");
    assert!(bytes.starts_with(b"@echo off\r\n"), "{bytes:?}");
    assert!(bytes.ends_with(b"exit /b %ERRORLEVEL%\r\n"));
    let text = String::from_utf8(bytes.clone()).expect("ascii");
    assert!(text.contains("\r\n\"%~dp0sk.exe\" %*\r\n"), "{text:?}");
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    assert_eq!(lf, crlf, "every LF is part of a CRLF");
    assert_eq!(bytes.iter().filter(|b| **b == b'\r').count(), crlf, "no lone CR");
}

#[test]
fn upgrade_keeps_the_previous_binary_for_rollback() {
    let env = TestEnv::new();
    ok(&env, &["install"]);
    let first = sha256sum(&bin_dir(&env).join("sk"));
    let newer = other_build(&env);
    let status = std::process::Command::new(&newer)
        .arg("install")
        .env_clear()
        .env("HOME", env.home())
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir(&env).display()))
        .output()
        .expect("install newer");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(sha256sum(&bin_dir(&env).join("sk")), sha256sum(&newer));
    assert_eq!(sha256sum(&bin_dir(&env).join("sk.prev")), first);
    let m = manifest(&env);
    assert_eq!(manifest_hash(&m, "previous-binary"), Some(first));
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("sk.prev runs"), "{text}");
}

#[test]
fn rollback_refuses_without_a_previous_binary_and_with_a_broken_one() {
    let env = TestEnv::new();
    ok(&env, &["install"]);
    let (code, text) = run(&env, &["rollback"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("no previous binary"), "{text}");

    let current = sha256sum(&bin_dir(&env).join("sk"));
    stub(
        &bin_dir(&env).join("sk.prev"),
        "#!/bin/sh\necho 'segfault at startup' >&2\nexit 3\n",
    );
    let (code, text) = run(&env, &["rollback"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("refusing to roll back") && text.contains("exited 3"),
        "{text}"
    );
    assert_eq!(
        sha256sum(&bin_dir(&env).join("sk")),
        current,
        "current binary untouched"
    );
    assert!(!bin_dir(&env).join("sk.broken").exists());
    let (_, text) = run(&env, &["doctor"]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("warn rollback") && l.contains("fix:")),
        "{text}"
    );
}

#[test]
fn rollback_swaps_to_a_working_previous_binary_and_keeps_the_broken_one() {
    let env = TestEnv::new();
    ok(&env, &["install"]);
    let current = sha256sum(&bin_dir(&env).join("sk"));
    let prev = bin_dir(&env).join("sk.prev");
    stub(&prev, "#!/bin/sh\necho 'sk 0.0.9 (commit 0ld0ld, schema v1)'\n");
    let prev_hash = sha256sum(&prev);
    let text = ok(&env, &["rollback"]);
    assert!(text.contains("sk 0.0.9 (commit 0ld0ld"), "{text}");
    assert_eq!(sha256sum(&bin_dir(&env).join("sk")), prev_hash);
    assert_eq!(
        sha256sum(&bin_dir(&env).join("sk.broken")),
        current,
        "the replaced binary is kept"
    );
    assert!(!prev.exists());
    let m = manifest(&env);
    assert_eq!(m["sk_version"], "0.0.9");
    assert_eq!(m["commit"], "0ld0ld");
    assert_eq!(manifest_hash(&m, "broken-binary"), Some(current));
    // The manifest follows the swap, so doctor sees no drift and the version it expects.
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("is sk 0.0.9 (commit 0ld0ld)"), "{text}");
}

#[test]
fn uninstall_removes_exactly_the_manifest_and_keeps_data_byte_for_byte() {
    let env = TestEnv::new();
    let session = env
        .copilot_home()
        .join("session-state/7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe/events.jsonl");
    std::fs::create_dir_all(session.parent().expect("parent")).expect("mkdir");
    std::fs::copy(sk_test::corpus("copilot/real-session.jsonl"), &session).expect("seed");
    ok(&env, &["index"]);
    let inbox = env.write(".copilot/markers/inbox/queued.json", "{}");
    let unrelated = env.write(".copilot/bin/someone-elses-tool", "#!/bin/sh\n");
    let rc = env.write(".bashrc", "alias ll='ls -l'\n");
    ok(&env, &["install", "--add-to-path"]);
    assert!(std::fs::read_to_string(&rc).expect("rc").contains("# >>> sk"));
    let before: Vec<(PathBuf, String)> = [session.clone(), env.db(), inbox.clone(), unrelated.clone()]
        .into_iter()
        .map(|p| {
            let h = sha256sum(&p);
            (p, h)
        })
        .collect();

    let text = ok(&env, &["uninstall"]);
    assert!(text.contains("Removed") && text.contains("Kept"), "{text}");
    assert!(!bin_dir(&env).join("sk").exists() && !bin_dir(&env).join("sk.cmd").exists());
    assert!(!env.copilot_home().join("markers/install-manifest.json").exists());
    assert_eq!(std::fs::read_to_string(&rc).expect("rc"), "alias ll='ls -l'\n");
    for (p, h) in &before {
        assert_eq!(&sha256sum(p), h, "{} changed", p.display());
    }
    let text = ok(&env, &["uninstall"]);
    assert!(text.contains("Nothing to remove"), "{text}");
}

#[test]
fn launcher_only_uninstall_keeps_the_rest_and_doctor_shows_it() {
    let env = TestEnv::new();
    ok(&env, &["install"]);
    let prev = bin_dir(&env).join("sk.prev");
    // An upgrade, so there is a previous binary for --launcher-only to keep.
    let newer = other_build(&env);
    let out = std::process::Command::new(&newer)
        .args(["install", "--quiet"])
        .env_clear()
        .env("HOME", env.home())
        .output()
        .expect("install newer");
    assert!(out.status.success());
    let text = ok(&env, &["uninstall", "--launcher-only"]);
    assert!(text.contains("Removed") && text.contains("sk.prev"), "{text}");
    assert!(!bin_dir(&env).join("sk").exists() && !bin_dir(&env).join("sk.cmd").exists());
    assert!(prev.is_file(), "the previous binary stays");
    let m = manifest(&env);
    assert_eq!(manifest_hash(&m, "binary"), None);
    assert!(manifest_hash(&m, "previous-binary").is_some());
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("launcher was removed"), "{text}");
    let text = ok(&env, &["uninstall", "--launcher-only"]);
    assert!(!text.contains("Removed /"), "second run removes nothing:\n{text}");
}

#[test]
fn doctor_reports_stale_sidecars_and_a_damaged_database_with_fixes() {
    let env = TestEnv::new();
    env.write(".copilot/session-state/knowledge.db-wal", "x");
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("sidecars are left over") && text.contains("fix: rm -f"),
        "{text}"
    );
    env.write(
        ".copilot/session-state/knowledge.db",
        "not a database at all, just text",
    );
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        fail_lines(&text)
            .iter()
            .any(|l| l.contains("database") && l.contains("fix: sk migrate --restore")),
        "{text}"
    );
}
