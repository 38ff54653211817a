//! The command-line contract: version, help, usage errors.

use predicates::prelude::*;
use sk_test::TestEnv;

#[test]
fn version_names_version_commit_and_schema() {
    let env = TestEnv::new();
    let out = env
        .sk()
        .arg("--version")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let line = String::from_utf8(out).expect("utf8");
    assert!(
        line.starts_with(&format!("sk {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    assert!(
        line.trim_end()
            .ends_with(&format!("schema v{})", sk_store::SCHEMA_VERSION)),
        "{line}"
    );
}

#[test]
fn help_lists_every_subcommand_with_a_line_each() {
    let env = TestEnv::new();
    let assert = env.sk().arg("--help").assert().success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for sub in ["migrate", "status"] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(sub))
            .unwrap_or_else(|| panic!("{sub} missing:\n{text}"));
        assert!(
            line.trim().len() > sub.len() + 10,
            "{sub} has no description: {line}"
        );
    }
    assert!(text.contains("Exit codes"), "{text}");
}

#[test]
fn unknown_subcommands_and_flags_are_usage_errors() {
    let env = TestEnv::new();
    env.sk()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand"));
    env.sk()
        .args(["migrate", "--no-such-flag"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unexpected argument"));
    env.sk().args(["migrate", "--backup-only"]).assert().code(2);
}
