//! Claude Code's `Glob` finds nothing for a config file that sits in a hidden folder
//! ("No files found", a successful result), then finds it once the pattern names the
//! folder: through the real binary, `sk index` reads that short successful output (the
//! loader leaves long ones out) and files the lesson to name hidden folders in the pattern.

use serde_json::{Value, json};
use sk_test::TestEnv;

const SESSION: &str = "5b0c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4";
const CWD: &str = "/work/dotfiles";

fn transcript() -> String {
    let mut lines = Vec::new();
    let mut line = |kind: &str, message: Value| {
        let n = lines.len() + 1;
        lines.push(json!({
            "parentUuid": if n == 1 { Value::Null } else { json!(format!("u{}", n - 1)) },
            "isSidechain": false, "type": kind, "message": message, "uuid": format!("u{n}"),
            "timestamp": format!("2026-11-30T10:00:{n:02}.000Z"),
            "sessionId": SESSION, "cwd": CWD, "version": "2.1.132", "userType": "external",
        }));
    };
    let tool_use = |id: &str, name: &str, input: Value| {
        json!({"model": "claude-opus-4-7", "id": format!("m-{id}"), "type": "message", "role": "assistant",
               "content": [{"type": "tool_use", "id": id, "name": name, "input": input}]})
    };
    let result = |id: &str, text: &str| json!({"role": "user", "content": [{"type": "tool_result", "content": text, "tool_use_id": id}]});
    line(
        "user",
        json!({"role": "user", "content": "Turn off the pane frames in my zellij config"}),
    );
    line(
        "assistant",
        tool_use("t1", "Glob", json!({"pattern": "**/zellij*"})),
    );
    line("user", result("t1", "No files found"));
    line(
        "assistant",
        tool_use("t2", "Glob", json!({"pattern": "**/.config/zellij/**"})),
    );
    line("user", result("t2", &format!("{CWD}/.config/zellij/config.kdl")));
    line(
        "assistant",
        tool_use(
            "t3",
            "Read",
            json!({"file_path": format!("{CWD}/.config/zellij/config.kdl")}),
        ),
    );
    // A long successful output: left out by the loader, and nothing depends on it.
    line(
        "user",
        result("t3", &"// zellij configuration\npane_frames true\n".repeat(40)),
    );
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    text.join("\n") + "\n"
}

#[test]
fn a_glob_that_missed_a_hidden_folder_becomes_a_lesson() {
    let env = TestEnv::new();
    env.write(
        &format!(".claude/projects/-work-dotfiles/{SESSION}.jsonl"),
        transcript(),
    );
    env.sk().arg("index").assert().success();

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
