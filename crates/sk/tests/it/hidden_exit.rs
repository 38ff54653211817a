//! A failure a pipe hid: `bundle install 2>&1 | tail -5` reports success, and only its
//! (long) output says "Could not locate Gemfile"; run again from the project root, it
//! passes. Through the real binary, `sk index` reads that output although the call
//! succeeded (the loader reads a hidden pipeline's output whatever its size) and files
//! the lesson with the folder that fixed it.

use serde_json::{Value, json};
use sk_test::TestEnv;

const SESSION: &str = "6c1d3e2f-4a5b-4c6d-9e7f-8091a2b3c4d5";
const CWD: &str = "/work/dex";

fn transcript() -> String {
    let mut lines = Vec::new();
    let mut line = |kind: &str, message: Value| {
        let n = lines.len() + 1;
        lines.push(json!({
            "parentUuid": if n == 1 { Value::Null } else { json!(format!("u{}", n - 1)) },
            "isSidechain": false, "type": kind, "message": message, "uuid": format!("u{n}"),
            "timestamp": format!("2026-12-01T10:00:{n:02}.000Z"),
            "sessionId": SESSION, "cwd": CWD, "version": "2.1.132", "userType": "external",
        }));
    };
    let bash = |id: &str, command: &str| {
        json!({"model": "claude-opus-4-7", "id": format!("m-{id}"), "type": "message", "role": "assistant",
               "content": [{"type": "tool_use", "id": id, "name": "Bash", "input": {"command": command}}]})
    };
    let result = |id: &str, text: &str| json!({"role": "user", "content": [{"type": "tool_result", "content": text, "tool_use_id": id}]});
    let noise = "Fetching gem metadata from https://rubygems.org/\n".repeat(4);
    line(
        "user",
        json!({"role": "user", "content": "Add dotenv to the Gemfile and install it"}),
    );
    line("assistant", bash("t1", "cd scripts && ls"));
    line("user", result("t1", "solve.rb"));
    line("assistant", bash("t2", "bundle install 2>&1 | tail -5"));
    line("user", result("t2", &format!("{noise}Could not locate Gemfile")));
    line(
        "assistant",
        bash("t3", &format!("cd {CWD} && bundle install 2>&1 | tail -5")),
    );
    line(
        "user",
        result(
            "t3",
            &format!("{noise}Bundle complete! 2 Gemfile dependencies, 8 gems now installed."),
        ),
    );
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    text.join("\n") + "\n"
}

#[test]
fn a_failure_a_pipe_hid_becomes_a_lesson_with_the_folder_that_fixed_it() {
    let env = TestEnv::new();
    env.write(
        &format!(".claude/projects/-work-dex/{SESSION}.jsonl"),
        transcript(),
    );
    env.sk().arg("index").assert().success();

    let lessons = env.entries_titled("bundle install");
    assert_eq!(lessons.len(), 1, "{lessons:#?}");
    assert_eq!(
        lessons[0]["title"],
        "`bundle install` failed: Could not locate Gemfile; passed run from the project root"
    );
    let body = lessons[0]["body"].as_str().expect("body");
    assert!(
        body.contains(&format!("Then passed: `cd {CWD} && bundle install`")),
        "{body}"
    );
}
