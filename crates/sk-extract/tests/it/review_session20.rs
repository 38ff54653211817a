//! Review of session 20's rules: inputs on which they made a wrong lesson or missed theirs.
//! Every test here failed on the reviewed commit (4cdd7d2) because of the defect it
//! names, each fixed since; the last one is the reviewer's seventh finding.

use sk_core::Agent;
use sk_extract::Candidate;

use crate::support::{NO_USERNAME, Session, has_cue, long_output, mistakes_as, show};

/// The failure→fix entries of a Claude Code session.
fn mistakes(s: &Session) -> Vec<Candidate> {
    mistakes_as(s, Agent::Claude)
}

fn bodies(found: &[Candidate]) -> String {
    found
        .iter()
        .map(|c| format!("{}\n{}", c.title, c.body))
        .collect::<Vec<_>>()
        .join("\n---\n")
}

#[test]
fn a_glob_the_shell_was_meant_to_expand_is_no_quoting_lesson() {
    // `ls *.md` where the folder has no Markdown file: zsh's "no matches found" is the
    // true answer (there is none), and quoting it would fail too (`ls '*.md'`: "cannot
    // access"). Listing another folder next is the agent looking elsewhere; the entry
    // says "passed without it" and tells the reader to quote the word.
    let mut s = Session::new();
    s.prompt("what docs does this project have?")
        .bash("ls *.md", false, "Exit code 1\n(eval):1: no matches found: *.md")
        .bash("ls docs", true, "setup.txt\nusage.txt");
    let m = mistakes(&s);
    assert!(m.iter().all(|c| !c.title.contains("passed")), "{}", bodies(&m));
}

#[test]
fn a_variable_that_expanded_to_nothing_is_not_fixed_by_listing_another_folder() {
    // `$APPDATA` was empty; the agent then lists the project's `src`, which is no value
    // of `$APPDATA`. The entry says "passed with `src`, not `$APPDATA`" and "write the
    // value out": the reader learns that `$APPDATA` is `src`.
    let mut s = Session::new();
    s.prompt("where are the app's settings?")
        .bash(
            "ls -la \"$APPDATA\"",
            false,
            "Exit code 2\nls: cannot access '': No such file or directory",
        )
        .bash("ls -la src", true, "main.rs");
    let m = mistakes(&s);
    assert!(m.iter().all(|c| !c.title.contains("passed")), "{}", bodies(&m));
}

#[test]
fn a_push_that_never_reached_the_server_did_not_get_past_its_credential() {
    // "could not read Username", a commit, then the push fails to resolve the host: it
    // never got to authenticate, so nothing shows the credential was fixed — and the
    // commit surely did not fix it. The entry says "fixed by `git commit -am 'wip'`".
    let mut s = Session::new();
    s.prompt("push the branch")
        .bash(
            "cd /work/app && git push -u origin master",
            false,
            NO_USERNAME,
        )
        .bash(
            "cd /work/app && git commit -am 'wip'",
            true,
            "[master 1a2b3c4] wip\n 1 file changed",
        )
        .bash(
            "cd /work/app && git push -u origin master",
            false,
            "Exit code 128\nfatal: unable to access 'https://github.com/me/app.git/': Could not resolve host: github.com",
        );
    let m = mistakes(&s);
    assert!(
        m.iter().all(|c| !has_cue(c, "match:got-past-error")),
        "{}",
        bodies(&m)
    );
}

#[test]
fn a_recap_sharing_only_the_exit_code_line_states_no_cause() {
    // The recap after the passing push goes on to other work; its sentence shares no word
    // with the error but "code" (from the log's "Exit code 128" line), and is quoted as
    // why the push failed.
    let mut s = Session::new();
    s.prompt("push the branch")
        .bash("git push -u origin master", false, NO_USERNAME)
        .bash("gh auth setup-git", true, "")
        .bash(
            "git push -u origin master",
            true,
            "branch 'master' set up to track 'origin/master'.",
        )
        .answer("Pushed. I also tidied the code in the parser because it duplicated the tokenizer's checks.");
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(!m[0].body.contains("in the agent's words"), "{}", bodies(&m));
}

#[test]
fn back_at_the_root_by_cd_dotdot_is_back_at_the_root() {
    // The shell had wandered into `src`; `cd ..` brings it back to the project's folder,
    // exactly as `cd /work/app` does in hidden_exits.rs. Reviewed, only the absolute form
    // was marked back-at-root (and the title said "passed run from `..`").
    let mut s = Session::new();
    s.bash("cd src && ls", true, "main.rb")
        .bash(
            "bundle install 2>&1 | tail -5",
            true,
            &long_output("Could not locate Gemfile"),
        )
        .bash(
            "cd .. && bundle install 2>&1 | tail -10",
            true,
            &long_output("Bundle complete! 2 Gemfile dependencies, 8 gems now installed."),
        );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(has_cue(&m[0], "back-at-root"), "{}", show(&m));
}

#[test]
fn listing_branches_by_pattern_is_not_taken_for_the_fix() {
    // `git branch --list 'release/*'` only lists (it is the documented use of `--list`,
    // which git_inspects accepts alone). Counted as doing work, it is the latest step
    // before the passing push and is credited with fixing the credential.
    let mut s = Session::new();
    s.prompt("push the branch")
        .bash("git push -u origin master", false, NO_USERNAME)
        .bash("gh auth setup-git", true, "")
        .bash("git branch --list 'release/*'", true, "  release/1.2")
        .bash(
            "git push -u origin master",
            true,
            "branch 'master' set up to track 'origin/master'.",
        );
    let m = mistakes(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert!(m[0].title.contains("gh auth setup-git"), "{}", bodies(&m));
}

#[test]
fn a_long_correction_naming_a_windows_path_states_an_exact_fact() {
    // The exact-fact exemption from the long-prompt cost read only `/` paths.
    let filler = " Also keep the tests green and the changelog short, as before.".repeat(10);
    let mut s = Session::new();
    s.prompt("Load the payment settings")
        .edit("/work/app/load.py", "CONFIG = None", "CONFIG = 'config.json'")
        .answer("Loaded the payment settings from config.json.")
        .prompt(&format!(
            "That's wrong, the config is in C:\\Users\\ana\\AppData\\pay\\config.json now.{filler}"
        ))
        .edit("/work/app/load.py", "'config.json'", "APPDATA_CONFIG")
        .answer("Reading it from there now.")
        .prompt("Thanks!");
    let found = crate::support::corrections_as(&s, Agent::Claude);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(found[0].confidence >= 0.55, "{}", found[0].confidence);
}
