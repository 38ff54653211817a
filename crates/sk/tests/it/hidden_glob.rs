//! Claude Code's `Glob` finds nothing for a config file that sits in a hidden folder
//! ("No files found", a successful result), then finds it once the pattern names the
//! folder: through the real binary, `sk index` reads that short successful output (the
//! loader leaves long ones out) and files the lesson to name hidden folders in the pattern.

use serde_json::json;
use sk_test::TestEnv;
use sk_test::transcript::ClaudeTranscript;

const CWD: &str = "/work/dotfiles";

fn transcript() -> ClaudeTranscript {
    let mut t = ClaudeTranscript::new("5b0c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4", CWD);
    t.prompt("Turn off the pane frames in my zellij config")
        .tool_use("t1", "Glob", json!({"pattern": "**/zellij*"}))
        .tool_result("t1", "No files found")
        .tool_use("t2", "Glob", json!({"pattern": "**/.config/zellij/**"}))
        .tool_result("t2", &format!("{CWD}/.config/zellij/config.kdl"))
        .tool_use(
            "t3",
            "Read",
            json!({"file_path": format!("{CWD}/.config/zellij/config.kdl")}),
        )
        // A long successful output: left out by the loader, and nothing depends on it.
        .tool_result("t3", &"// zellij configuration\npane_frames true\n".repeat(40));
    t
}

#[test]
fn a_glob_that_missed_a_hidden_folder_becomes_a_lesson() {
    let env = TestEnv::new();
    env.index_claude(&transcript());

    let lessons = env.entries_titled("hidden folders");
    assert_eq!(lessons.len(), 1, "{lessons:#?}");
    assert_eq!(
        lessons[0]["title"],
        "Claude Code's `Glob` skips hidden folders such as `.config/`: name the folder in the pattern"
    );
    let body = lessons[0]["body"].as_str().expect("body");
    assert!(
        body.contains("It was under the hidden folder `.config/`: found with `**/.config/zellij/**`."),
        "{body}"
    );
}
