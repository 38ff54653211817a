//! A way around what the host lacks: a program not installed or no network, and the
//! agent's next call going another way that passed. And what must stay out: moving on to
//! other work, installing the program, the user speaking first, a reaction that failed.

use sk_core::Category;

use crate::support::{Session, has_cue, show};

fn mistakes(s: &Session) -> Vec<sk_extract::Candidate> {
    s.extract()
        .into_iter()
        .filter(|c| c.category == Category::Mistake)
        .collect()
}

fn detours(s: &Session) -> Vec<sk_extract::Candidate> {
    mistakes(s)
        .into_iter()
        .filter(|c| has_cue(c, "match:detour"))
        .collect()
}

const ARP_MISSING: &str = "Exit code 1\n/usr/bin/bash: line 1: arp: command not found";

#[test]
fn a_missing_program_and_the_call_that_went_around_it_is_a_lesson() {
    let mut s = Session::new();
    s.prompt("which devices are on the LAN?")
        .bash("sleep 5 && arp -n | grep -v 192.168.4.1", false, ARP_MISSING)
        .bash("ip neigh show dev eth0", true, "192.168.4.240 lladdr 84:70 STALE");
    let d = detours(&s);
    assert_eq!(d.len(), 1, "{}", show(&mistakes(&s)));
    let c = &d[0];
    assert_eq!(
        c.title,
        "`arp` is not installed here: `ip neigh show dev eth0` worked instead"
    );
    assert!(c.body.contains("arp: command not found"), "{}", c.body);
    assert!(c.body.contains("passed: `ip neigh show dev eth0`"), "{}", c.body);
    // Stored, not shown: that the second call served the first's purpose is inferred.
    assert!(
        f64::from(c.confidence) < sk_core::knowledge::SHOWN_MIN_CONFIDENCE,
        "{}",
        c.confidence
    );
    // Above an unfixed failure's own score: the way around is kept in its place.
    assert!(c.confidence > 0.35, "{}", c.confidence);
    // The failure itself is not a second entry.
    assert_eq!(mistakes(&s).len(), 1, "{}", show(&mistakes(&s)));
}

#[test]
fn a_look_at_the_host_stands_in_but_a_look_at_the_project_is_moving_on() {
    let mut s = Session::new();
    s.prompt("which GPU is this?")
        .bash("lspci | grep VGA", false, "(eval):1: command not found: lspci")
        .bash("ls /sys/class/drm/", true, "card0 card1");
    let d = detours(&s);
    assert_eq!(d.len(), 1, "{}", show(&mistakes(&s)));
    // The path read is the lesson: the title keeps it whole.
    assert!(d[0].title.contains("`ls /sys/class/drm/`"), "{}", d[0].title);

    let mut s = Session::new();
    s.prompt("run the tests")
        .bash("pytest -q", false, "zsh:1: command not found: pytest")
        .bash(
            "git diff -- src/app.py",
            true,
            "diff --git a/src/app.py b/src/app.py",
        );
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));
}

#[test]
fn installing_or_looking_for_the_program_is_not_a_way_around() {
    for next in [
        "sudo apt-get install -y net-tools",
        "which arp",
        "command -v arp",
        "/usr/sbin/arp -n",
    ] {
        let mut s = Session::new();
        s.prompt("list the neighbours")
            .bash("arp -n", false, ARP_MISSING)
            .bash(next, true, "ok");
        assert!(detours(&s).is_empty(), "{next}: {}", show(&mistakes(&s)));
    }
}

#[test]
fn the_program_installed_and_run_again_is_the_fix_not_a_detour() {
    let mut s = Session::new();
    s.prompt("list the neighbours")
        .bash("arp -n", false, ARP_MISSING)
        .bash("sudo apt-get install -y net-tools", true, "Setting up net-tools")
        .bash("arp -n", true, "192.168.4.1 ether 84:70");
    let m = mistakes(&s);
    assert!(detours(&s).is_empty(), "{}", show(&m));
    assert!(m.iter().any(|c| has_cue(c, "match:exact-retry")), "{}", show(&m));
}

#[test]
fn only_the_agent_s_immediate_reaction_counts() {
    // The user spoke first: what came next answers the user.
    let mut s = Session::new();
    s.prompt("list the neighbours")
        .bash("arp -n", false, ARP_MISSING)
        .prompt("never mind, show the routes")
        .bash("ip route", true, "default via 192.168.4.1");
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));

    // An edit first: the agent turned to other work.
    let mut s = Session::new();
    s.prompt("list the neighbours")
        .bash("arp -n", false, ARP_MISSING)
        .edit("notes.md", "old", "new")
        .bash("ip neigh", true, "192.168.4.1");
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));

    // The reaction failed too: nothing went around.
    let mut s = Session::new();
    s.prompt("list the neighbours")
        .bash("arp -n", false, ARP_MISSING)
        .bash(
            "ip neigh show dev eth9",
            false,
            "Exit code 1\nDevice \"eth9\" does not exist.",
        )
        .answer("Neither works on this host.");
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));

    // A script not found is the agent's own path, not the host's lack.
    let mut s = Session::new();
    s.prompt("build it")
        .bash("./build.sh", false, "bash: ./build.sh: command not found")
        .bash("make build", true, "done");
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));
}

#[test]
fn a_call_sent_along_with_the_failing_one_is_not_a_reaction_to_it() {
    let mut s = Session::new();
    s.prompt("which devices are on the LAN?")
        .bash("arp -n", false, ARP_MISSING)
        .bash("ip neigh show", true, "192.168.4.1 lladdr 84:70");
    // Both calls sent before either result came back, as parallel calls are logged.
    let (arp_result, ip_call) = (s.records.remove(2), s.records.remove(2));
    s.records.insert(2, ip_call);
    s.records.insert(3, arp_result);
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));
}

const NO_NETWORK: &str = "failed in sandbox: fatal: unable to access 'https://github.com/o/r.git/': Could not resolve host: github.com";

#[test]
fn without_network_the_same_program_working_locally_is_a_lesson() {
    let mut s = Session::new();
    s.prompt("is there a remote branch for 004-search?")
        .bash("git ls-remote --heads origin", false, NO_NETWORK)
        .bash(
            "git for-each-ref refs/remotes/origin --format='%(refname:short)'",
            true,
            "origin/main",
        );
    let d = detours(&s);
    assert_eq!(d.len(), 1, "{}", show(&mistakes(&s)));
    assert!(
        d[0].title
            .starts_with("No network here for `git ls-remote`: `git for-each-ref"),
        "{}",
        d[0].title
    );

    // Another program is other work.
    let mut s = Session::new();
    s.prompt("is there a remote branch for 004-search?")
        .bash("git ls-remote --heads origin", false, NO_NETWORK)
        .bash("rg -n 004-search specs", true, "specs/004-search/spec.md:1");
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));
}

#[test]
fn a_sub_agent_s_call_is_not_the_reaction_of_the_agent_that_failed() {
    let mut s = Session::new();
    s.prompt("which devices are on the LAN?")
        .bash("arp -n", false, ARP_MISSING)
        .bash("ip neigh show", true, "192.168.4.1 lladdr 84:70");
    for r in s.records.iter_mut().skip(3) {
        r.subagent = true;
    }
    assert!(detours(&s).is_empty(), "{}", show(&mistakes(&s)));
}

// Cases a review found, each a confident wrong lesson before.

/// Looking for the missing program where installers put it is a probe, not a way around.
#[test]
fn looking_for_the_program_in_a_bin_folder_is_not_a_way_around() {
    let mut s = Session::new();
    s.prompt("format the project")
        .bash(
            "uv run ruff format .",
            false,
            "Exit code 127\n/bin/bash: line 1: uv: command not found",
        )
        .bash("ls -la ~/.local/bin/ ~/.cargo/bin/", true, "pipx\nrustup\ncargo");
    assert!(detours(&s).is_empty(), "{}", show(&detours(&s)));
}

/// An install the list does not know (`go install`, a curl | sh installer) is the
/// installation, not a way around.
#[test]
fn go_install_is_an_installation() {
    let mut s = Session::new();
    s.prompt("fix the imports")
        .bash(
            "goimports -w ./...",
            false,
            "Exit code 127\nzsh:1: command not found: goimports",
        )
        .bash(
            "go install golang.org/x/tools/cmd/goimports@latest",
            true,
            "go: downloading golang.org/x/tools v0.24.0",
        );
    assert!(detours(&s).is_empty(), "{}", show(&detours(&s)));
}

/// The program missing and the agent moving on to other work that does more than look.
#[test]
fn moving_on_to_commit_is_not_a_way_around() {
    let mut s = Session::new();
    s.prompt("add the tests and commit")
        .bash(
            "pytest -q tests/test_cli.py",
            false,
            "Exit code 127\nzsh:1: command not found: pytest",
        )
        .bash(
            "git add -A && git commit -m 'Add CLI tests'",
            true,
            "[main 1a2b3c4] Add CLI tests\n 1 file changed, 40 insertions(+)",
        );
    assert!(detours(&s).is_empty(), "{}", show(&detours(&s)));
}

/// The agent went around with a non-shell tool (Glob instead of `tree`); a much later,
/// unrelated shell call is not its reaction.
#[test]
fn a_later_unrelated_shell_call_after_other_tools_is_not_the_reaction() {
    let mut s = Session::new();
    s.prompt("explain the layout and build it")
        .bash(
            "tree -L 2 src",
            false,
            "Exit code 127\n/bin/bash: line 1: tree: command not found",
        )
        .tool("Glob", "src/**/*.ts", &[], true, "src/index.ts\nsrc/cli.ts")
        .tool(
            "Read",
            "/work/app/src/index.ts",
            &["/work/app/src/index.ts"],
            true,
            "export {}",
        )
        .tool(
            "Read",
            "/work/app/package.json",
            &["/work/app/package.json"],
            true,
            "{}",
        )
        .bash("npm run build", true, "> app@1.0.0 build\n> tsc");
    assert!(detours(&s).is_empty(), "{}", show(&detours(&s)));
}

/// A subagent's failure: the main agent's next call is not the subagent's reaction.
#[test]
fn a_subagent_failure_is_not_answered_by_the_main_agent() {
    let mut s = Session::new();
    s.prompt("list the devices on the LAN, then build").tool(
        "Task",
        "Find devices on the LAN",
        &[],
        true,
        "arp is not available",
    );
    // The subagent's call and result sit inside the Task (before its result in the log).
    let task_result = s.records.pop().expect("the Task result");
    s.bash(
        "arp -a",
        false,
        "Exit code 127\n/bin/bash: line 1: arp: command not found",
    );
    for r in s.records.iter_mut().rev().take(2) {
        r.subagent = true;
    }
    s.records.push(task_result);
    s.bash("cargo build --release", true, "Finished `release` profile");
    let d = detours(&s);
    assert!(d.is_empty(), "{}", show(&d));
}

/// No network for a push: a later `git status` did not do what the push did.
#[test]
fn git_status_after_a_failed_push_is_not_a_way_around() {
    let mut s = Session::new();
    s.prompt("push it")
        .bash(
            "git push origin feature/search",
            false,
            "Exit code 128\nfatal: unable to access 'https://github.com/o/r.git/': Could not resolve host: github.com",
        )
        .bash("git status -sb", true, "## feature/search...origin/feature/search [ahead 1]");
    assert!(detours(&s).is_empty(), "{}", show(&detours(&s)));
}

/// "Could not resolve host" for one host is a wrong host name, not "no network here".
#[test]
fn a_misspelt_host_is_not_no_network() {
    let mut s = Session::new();
    s.prompt("check the health endpoint")
        .bash(
            "curl -sf https://staging.intranet.example/health",
            false,
            "Exit code 6\ncurl: (6) Could not resolve host: staging.intranet.example",
        )
        .bash(
            "curl -sf http://localhost:8080/health",
            true,
            "{\"status\":\"ok\"}",
        );
    assert!(detours(&s).is_empty(), "{}", show(&detours(&s)));
}
