//! Failures a pipe hid (`bundle install | tail -5` reports success whatever bundler did),
//! and the same command passing from another folder (`cd repo && …`): read from the
//! output, fixed by the folder. And what must stay out: a search whose output merely
//! contains "error", a hidden pipeline that did not fail.

use sk_core::Agent;

use crate::support::{Session, as_loaded, long_output as long, mistakes_in, show};

fn mistakes(records: &[sk_core::Record]) -> Vec<sk_extract::Candidate> {
    mistakes_in(records, Agent::Claude, "/work/app")
}

#[test]
fn a_failure_behind_a_pipe_fixed_from_the_project_root_is_kept_below_what_is_shown() {
    let mut s = Session::new();
    s.bash("cd src && ls", true, "main.rb")
        .bash(
            "bundle install 2>&1 | tail -5",
            true,
            &long("Could not locate Gemfile"),
        )
        .bash(
            "cd /work/app && bundle install 2>&1 | tail -10",
            true,
            &long("Bundle complete! 2 Gemfile dependencies, 8 gems now installed."),
        );
    // As loaded: the hidden pipeline's long output is still read.
    let m = mistakes(&as_loaded(&s.records));
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "`bundle install` failed: Could not locate Gemfile; passed run from the project root"
    );
    assert!(
        m[0].cues.iter().any(|c| c == "match:other-folder"),
        "{:?}",
        m[0].cues
    );
    assert!(
        m[0].body
            .contains("Then passed: `cd /work/app && bundle install`"),
        "{}",
        m[0].body
    );
    // Where this session's shell had wandered is no lesson for the next one, which starts
    // at the root: kept, and searchable, below what is shown.
    assert!(m[0].confidence < 0.55, "{}", m[0].confidence);
    assert!(m[0].cues.iter().any(|c| c == "back-at-root"), "{:?}", m[0].cues);
}

#[test]
fn the_same_command_passing_in_a_subfolder_names_it() {
    let mut s = Session::new();
    s.bash(
        "make",
        false,
        "Exit code 2\nmake: *** No targets specified and no makefile found.  Stop.",
    )
    .bash("cd web && make", true, "built");
    let m = mistakes(&s.records);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(m[0].title.ends_with("; passed run from `web`"), "{}", m[0].title);
    // Where the project keeps that command is no wandering shell.
    assert!(!m[0].cues.iter().any(|c| c == "back-at-root"), "{:?}", m[0].cues);
}

#[test]
fn searches_and_quiet_pipelines_are_not_hidden_failures() {
    let mut s = Session::new();
    // A search prints the lines it found; "error:" in them is the files' text.
    s.bash(
        "rg -n 'error:' src | head -20",
        true,
        &long("src/log.rs:3: error: the log line format"),
    )
    // A hidden pipeline that did not fail.
    .bash(
        "cargo test 2>&1 | tail -3",
        true,
        &long("test result: ok. 215 passed; 0 failed"),
    )
    // The same folder twice is not a relocation: nothing was learned.
    .bash(
        "cd /work/app && make",
        false,
        "Exit code 2\nmake: *** [all] Error 2",
    )
    .bash("cd /work/app && make", true, "done");
    let m = mistakes(&as_loaded(&s.records));
    assert!(m.is_empty(), "{}", show(&m));
}

#[test]
fn a_hidden_pipeline_s_output_is_read_only_when_its_exit_status_is_hidden() {
    let mut s = Session::new();
    s.bash("bundle install | tail -5", true, &long("ok"))
        .bash("bundle install", true, &long("ok"));
    let loaded = as_loaded(&s.records);
    assert!(!loaded[1].text.is_empty(), "the hidden pipeline's output is read");
    assert!(loaded[3].text.is_empty(), "a long successful output is not");
}

#[test]
fn an_error_that_says_wrong_folder_trusts_the_cd_over_the_tracked_shell() {
    // The shell was last seen at the project root, yet bundler could not find the Gemfile
    // there: a persistent shell can move unseen (an agent restart, a reset). The error
    // says the folder was wrong, and the same command from the root passed.
    let mut s = Session::new();
    s.bash("cd /work/app && git status", true, "On branch main")
        .bash(
            "bundle install 2>&1 | tail -5",
            true,
            &long("Could not locate Gemfile"),
        )
        .bash("cd /work/app && bundle install", true, &long("Bundle complete!"));
    let m = mistakes(&as_loaded(&s.records));
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(
        m[0].title.ends_with("; passed run from the project root"),
        "{}",
        m[0].title
    );
}
