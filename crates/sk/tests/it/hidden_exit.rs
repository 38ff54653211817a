//! A failure a pipe hid: `bundle install 2>&1 | tail -5` reports success, and only its
//! (long) output says "Could not locate Gemfile"; run again from the project root, it
//! passes. Through the real binary, `sk index` reads that output although the call
//! succeeded (the loader reads a hidden pipeline's output whatever its size) and files
//! the lesson with the folder that fixed it.

use sk_test::TestEnv;
use sk_test::transcript::ClaudeTranscript;

const CWD: &str = "/work/dex";

fn transcript() -> ClaudeTranscript {
    let noise = "Fetching gem metadata from https://rubygems.org/\n".repeat(4);
    let mut t = ClaudeTranscript::new("6c1d3e2f-4a5b-4c6d-9e7f-8091a2b3c4d5", CWD);
    t.prompt("Add dotenv to the Gemfile and install it")
        .bash("t1", "cd scripts && ls")
        .tool_result("t1", "solve.rb")
        .bash("t2", "bundle install 2>&1 | tail -5")
        .tool_result("t2", &format!("{noise}Could not locate Gemfile"))
        .bash("t3", &format!("cd {CWD} && bundle install 2>&1 | tail -5"))
        .tool_result(
            "t3",
            &format!("{noise}Bundle complete! 2 Gemfile dependencies, 8 gems now installed."),
        );
    t
}

#[test]
fn a_failure_a_pipe_hid_becomes_a_lesson_with_the_folder_that_fixed_it() {
    let env = TestEnv::new();
    env.index_claude(&transcript());

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
