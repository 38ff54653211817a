//! Failure-mode drills (docs/RUNBOOK.md §6): each test creates one failure an operator can
//! meet, checks that `sk doctor` or the failing command names it, follows the runbook's
//! recovery, and ends at a `sk doctor` with no FAIL line.

use super::install::{bin_dir, fail_lines, ok, other_build, run, sk, stub};
use sk_test::TestEnv;

fn doctor_is_clean(env: &TestEnv) {
    let (code, text) = run(env, &["doctor"]);
    assert_eq!(code, 0, "doctor should be clean after the recovery:\n{text}");
    assert!(fail_lines(&text).is_empty(), "{text}");
}

/// An installed home: sk in `~/.copilot/bin`, a database, hooks deployed and locked.
fn provisioned() -> TestEnv {
    let env = TestEnv::new();
    ok(&env, &["install", "--quiet"]);
    ok(&env, &["migrate"]);
    ok(&env, &["hooks", "deploy"]);
    ok(&env, &["hooks", "lock"]);
    doctor_is_clean(&env);
    env
}

#[test]
fn drill_startup_regression_after_an_upgrade_rolls_back_to_a_clean_doctor() {
    let env = provisioned();
    let newer = other_build(&env);
    let upgraded = std::process::Command::new(&newer)
        .args(["install", "--quiet"])
        .env_clear()
        .env("HOME", env.home())
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir(&env).display()))
        .output()
        .expect("install newer build");
    assert!(
        upgraded.status.success(),
        "{}",
        String::from_utf8_lossy(&upgraded.stderr)
    );
    // The new build turns out to crash at start-up.
    stub(
        &bin_dir(&env).join("sk"),
        "#!/bin/sh\necho 'thread main panicked at start-up' >&2\nexit 101\n",
    );
    let symptom = std::process::Command::new(bin_dir(&env).join("sk"))
        .arg("--version")
        .output()
        .expect("run");
    assert_eq!(
        symptom.status.code(),
        Some(101),
        "runbook 6.1: `sk --version` fails"
    );
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        !fail_lines(&text).is_empty(),
        "doctor names the broken binary:\n{text}"
    );

    // Runbook 3.2: roll back (it checks that sk.prev starts first).
    let text = ok(&env, &["rollback"]);
    assert!(text.contains("sk.broken"), "{text}");
    assert!(
        bin_dir(&env).join("sk.broken").exists(),
        "the broken build is kept for investigation"
    );
    let healthy = std::process::Command::new(bin_dir(&env).join("sk"))
        .arg("--version")
        .output()
        .expect("run");
    assert!(healthy.status.success());
    // The hooks were locked against the build that broke: the lock reports it, and
    // runbook 4.1–4.3 re-provisions them for the restored one.
    ok(&env, &["hooks", "unlock"]);
    ok(&env, &["hooks", "deploy"]);
    ok(&env, &["hooks", "lock"]);
    doctor_is_clean(&env);
}

#[test]
fn drill_locked_hooks_are_repaired_with_unlock_deploy_lock() {
    let env = provisioned();
    // Someone hand-edits a locked hook file.
    let copilot_hooks = env.copilot_home().join("hooks/sk.json");
    let mut perms = std::fs::metadata(&copilot_hooks).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&copilot_hooks, perms).expect("chmod");
    std::fs::write(&copilot_hooks, "{\"version\": 1, \"hooks\": {}}\n").expect("tamper");
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("sk.json: changed since it was locked"), "{text}");
    let (code, text) = run(&env, &["hooks", "deploy"]);
    assert_eq!(code, 1);
    assert!(
        text.contains("hooks are locked; run `sk hooks unlock` first"),
        "{text}"
    );

    // Runbook 6.3.
    let text = ok(&env, &["hooks", "unlock"]);
    assert!(
        text.contains("DRIFT"),
        "unlock reports the drift it found:\n{text}"
    );
    ok(&env, &["hooks", "deploy"]);
    ok(&env, &["hooks", "lock"]);
    assert!(ok(&env, &["hooks", "verify"]).contains("hooks verified"));
    doctor_is_clean(&env);
}

#[test]
fn drill_an_lf_only_launcher_is_reinstalled_with_crlf() {
    let env = provisioned();
    let launcher = bin_dir(&env).join("sk.cmd");
    let crlf = std::fs::read(&launcher).expect("read sk.cmd");
    let lf: Vec<u8> = crlf.iter().copied().filter(|&b| b != b'\r').collect();
    std::fs::write(&launcher, &lf).expect("damage line endings");
    let (code, text) = run(&env, &["doctor"]);
    assert_eq!(code, 1, "{text}");
    assert!(fail_lines(&text).iter().any(|l| l.contains("sk.cmd")), "{text}");

    // Runbook 6.4.
    ok(&env, &["uninstall", "--launcher-only"]);
    ok(&env, &["install", "--quiet"]);
    assert_eq!(
        std::fs::read(&launcher).expect("read"),
        crlf,
        "CRLF again, byte for byte"
    );
    // The reinstall rewrote the binary the locked hooks point at only if it changed; the
    // lock still verifies because the same build was installed.
    doctor_is_clean(&env);
}

#[test]
fn drill_a_backup_to_an_impossible_place_fails_loudly_and_a_good_one_verifies() {
    let env = provisioned();
    // A "folder" that is a file: no user, root included, can create a backup inside it.
    let not_a_folder = env.write("backups", "this is a file, not a folder\n");
    let target = not_a_folder.join("knowledge.db.backup");
    let out = sk(&env)
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&target)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).is_empty(),
        "the failure says why"
    );
    assert_eq!(
        std::fs::read_to_string(&not_a_folder).expect("read"),
        "this is a file, not a folder\n"
    );
    // Runbook 6.5: pick a writable place and retry.
    let good = env.home().join("knowledge.db.backup");
    let out = sk(&env)
        .args(["migrate", "--backup-only", "--backup-path"])
        .arg(&good)
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backup verified"));
    doctor_is_clean(&env);
}
