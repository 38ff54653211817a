//! An `rg` search over the working folder that found nothing (exit code 1), and soon after
//! a call that names what it looked for inside a hidden folder: ripgrep skipped the folder,
//! and the lesson says to search with `--hidden` or `-uu`. Once per session; never
//! without the hidden path that proves it.

use sk_core::{Agent, Category};
use sk_extract::Candidate;

use crate::support::{Session, as_loaded, has_cue, mistakes_in, show};

fn lessons(s: &Session) -> Vec<Candidate> {
    s.extract_as(Agent::Codex)
        .into_iter()
        .filter(|c| c.category == Category::Mistake && c.cues.iter().any(|x| x == "match:hidden-search"))
        .collect()
}

#[test]
fn an_empty_search_then_the_file_in_a_hidden_folder_is_a_lesson() {
    let mut s = Session::new();
    s.prompt("run the curated skills lister")
        .tool(
            "shell",
            "rg --files -g 'list-curated-skills.py'",
            &[],
            false,
            "exit code 1\n",
        )
        .tool(
            "shell",
            "ls -a .codex/skills/.system/skill-installer",
            &[],
            true,
            "SKILL.md scripts",
        )
        .tool(
            "shell",
            "ls .codex/skills/.system/skill-installer/scripts",
            &[],
            true,
            "list-curated-skills.py",
        )
        .tool(
            "shell",
            "python3 .codex/skills/.system/skill-installer/scripts/list-curated-skills.py",
            &[],
            true,
            "1. atlas",
        );
    let m = lessons(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "`rg` skips hidden folders such as `.codex/`: search again with `--hidden` or `-uu`"
    );
    for line in [
        "Searched: `rg --files -g 'list-curated-skills.py'` found nothing (exit code 1).",
        "It was under the hidden folder `.codex/`",
        "Next time: when a search finds nothing that should exist, run it again with `rg --hidden`",
    ] {
        assert!(m[0].body.contains(line), "missing {line:?} in:\n{}", m[0].body);
    }
    assert!(f64::from(m[0].confidence) >= sk_core::knowledge::SHOWN_MIN_CONFIDENCE);
}

#[test]
fn no_lesson_without_the_hidden_path_or_outside_the_window() {
    let mut s = Session::new();
    s.prompt("find the config")
        // Found later, but not under a hidden folder: the search was just wrong.
        .tool("shell", "rg --files -g 'app.toml'", &[], false, "exit code 1\n")
        .tool("shell", "cat config/app.toml", &[], true, "[app]")
        // Under a hidden folder, but long after the search.
        .tool("shell", "rg 'retry_budget'", &[], false, "exit code 1\n");
    for n in 0..7 {
        s.tool("shell", &format!("echo step {n}"), &[], true, "");
    }
    s.tool("shell", "cat .config/retry_budget.toml", &[], true, "x = 1");
    assert!(lessons(&s).is_empty(), "{}", show(&lessons(&s)));
}

#[test]
fn the_same_search_passing_over_hidden_files_is_the_proof() {
    let mut s = Session::new();
    s.prompt("where is the MCP server configured?")
        .tool("shell", "rg \"mcp\"", &[], false, "Exit code: 1\nOutput:\n")
        .tool(
            "shell",
            "rg \"MCP\" -g\"*\"",
            &[],
            true,
            "Exit code: 0\nOutput:\n.codex/config.toml:3:[mcp_servers.github]",
        );
    let m = lessons(&s);
    assert_eq!(m.len(), 1, "{}", show(&m));
    assert_eq!(
        m[0].title,
        "`rg` skips hidden and ignored files: search again with `--hidden` or `-uu`"
    );
    assert!(
        m[0].body
            .contains("The same search over hidden and ignored files found it: `rg \"MCP\" -g\"*\"`."),
        "{}",
        m[0].body
    );

    // The retry looked in another case: its output must show the text as the first
    // search would have matched it ("mcp", not only "MCP").
    let mut s = Session::new();
    s.prompt("where is the MCP server configured?")
        .tool("shell", "rg \"mcp\"", &[], false, "Exit code: 1\nOutput:\n")
        .tool(
            "shell",
            "rg \"MCP\" -g\"*\"",
            &[],
            true,
            "Exit code: 0\nOutput:\ndocs/setup.md:3:Configure the MCP server",
        );
    assert!(lessons(&s).is_empty(), "{}", show(&lessons(&s)));
    let mut s = Session::new();
    s.prompt("where is the MCP server configured?")
        .tool("shell", "rg \"mcp\"", &[], false, "Exit code: 1\nOutput:\n")
        .tool(
            "shell",
            "rg -i --hidden \"mcp\"",
            &[],
            true,
            "Exit code: 0\nOutput:\n.codex/notes.md:3:MCP notes",
        );
    assert!(lessons(&s).is_empty(), "{}", show(&lessons(&s)));

    // As extraction loads a session, a long output that passed is left out, but not the
    // output of a search over hidden files: it is the proof.
    let mut s = Session::new();
    let found = format!(
        "Exit code: 0\nOutput:\n{}.codex/config.toml:3:[mcp_servers.github]",
        "docs/setup.md:3:Configure the MCP server\n".repeat(4)
    );
    s.prompt("where is the MCP server configured?")
        .tool("shell", "rg \"mcp\"", &[], false, "Exit code: 1\nOutput:\n")
        .tool("shell", "rg \"MCP\" -g\"*\"", &[], true, &found);
    let loaded = as_loaded(&s.records);
    assert_eq!(loaded[4].text, s.records[4].text, "the retry's output is read");
    let m: Vec<Candidate> = mistakes_in(&loaded, Agent::Codex, "/work")
        .into_iter()
        .filter(|c| has_cue(c, "match:hidden-search"))
        .collect();
    assert_eq!(m.len(), 1, "{}", show(&m));

    // Retried over hidden files and still nothing: no proof. Another search: no proof.
    for (retry, ok) in [
        ("rg --hidden mcp", false),
        ("rg --hidden settings", true),
        ("rg mcp src", true),
    ] {
        let mut s = Session::new();
        s.prompt("where is the MCP server configured?")
            .tool("shell", "rg \"mcp\"", &[], false, "Exit code: 1\nOutput:\n")
            .tool("shell", retry, &[], ok, "Exit code: 0\nOutput:\nx");
        assert!(lessons(&s).is_empty(), "{retry}: {}", show(&lessons(&s)));
    }
}
