//! `python3 -c …` exits 49 with no output (Windows' store alias), and the same command
//! passes with `python`. Through the real binary: `sk index` learns "passed with `python`,
//! not `python3`" from a Claude Code transcript, and a later session's failure that says
//! nothing but "Exit code 49" gets the lesson back from the failure lookup hook, matched
//! on the program and the code.

use serde_json::json;
use sk_test::TestEnv;
use sk_test::transcript::ClaudeTranscript;

const CWD: &str = "E:\\CC-test";

fn transcript() -> ClaudeTranscript {
    let mut t = ClaudeTranscript::new("7d2e4f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6", CWD);
    t.prompt("check that the hookify plugin imports")
        .bash(
            "t1",
            "python3 -c \"from core.config_loader import load_rules; print('OK')\"",
        )
        .tool_result("t1", "Exit code 49")
        .bash(
            "t2",
            "python -c \"from core.config_loader import load_rules; print('OK')\"",
        )
        .tool_result("t2", "OK");
    t
}

#[test]
fn a_bare_exit_code_gets_back_the_program_that_worked() {
    let env = TestEnv::new();
    env.index_claude(&transcript());
    let lessons = env.entries_titled("not `python3`");
    assert_eq!(lessons.len(), 1, "{lessons:#?}");
    assert_eq!(
        lessons[0]["title"],
        "`python3` failed: exit code 49; passed with `python`, not `python3`"
    );

    let failure = |command: &str, error: &str| {
        json!({"session_id": "next", "cwd": CWD, "hook_event_name": "PostToolUseFailure",
               "tool_name": "Bash", "tool_input": {"command": command}, "error": error})
    };
    let context = env.hook_context(
        "claude",
        "PostToolUseFailure",
        &failure("python3 scripts/check.py", "Exit code 49"),
    );
    assert!(
        context.contains("passed with `python`, not `python3`"),
        "{context}"
    );

    // Another program, or another code: nothing comes back.
    for (command, error) in [
        ("node check.js", "Exit code 49"),
        ("python3 scripts/check.py", "Exit code 2"),
    ] {
        let ran = env
            .sk()
            .args(["hooks", "run", "--agent", "claude", "PostToolUseFailure"])
            .write_stdin(failure(command, error).to_string())
            .output()
            .expect("hook");
        assert!(ran.status.success());
        let out = String::from_utf8_lossy(&ran.stdout);
        assert!(!out.contains("not `python3`"), "{command} / {error}: {out}");
    }
}
