//! Two user corrections in different sessions are one lesson only when the user said much
//! the same thing. A correction's body quotes the agent's answers around it, and an agent
//! answers two different corrections with the same boilerplate; merging on the whole text
//! would file the second correction under the first one's title. Through the real binary:
//! `sk index` over two sessions keeps both, and a third that says the first again joins it.

use sk_test::TestEnv;
use sk_test::transcript::ClaudeTranscript;

const CWD: &str = "/work/docs-site";

/// The agent's long, identical answers around a correction.
fn boilerplate(turn: &str) -> String {
    format!(
        "I updated the architecture page ({turn}). The page now has the overview section, the \
         request flow, the storage layer, the deployment notes and the glossary at the end; \
         each section links back to the table of contents and the build of the site passes \
         with the new page included in the navigation sidebar and the search index."
    )
}

fn session(id: &str, correction: &str) -> ClaudeTranscript {
    let mut t = ClaudeTranscript::new(id, CWD);
    t.prompt("Add a diagram of the request flow to docs/architecture.md")
        .answer(&boilerplate("first version"))
        .prompt(correction)
        .answer(&boilerplate("second version"));
    t
}

#[test]
fn different_corrections_with_the_same_answers_stay_two_lessons() {
    let env = TestEnv::new();
    let mermaid = "No, that's wrong: draw it with mermaid, not ascii art";
    let arrows = "No, that's wrong: the arrows in the diagram point the wrong way";
    env.index_claude(&session("0b6a1f9e-1111-4c1a-9a51-000000000001", mermaid));
    env.index_claude(&session("0b6a1f9e-2222-4c1a-9a51-000000000002", arrows));
    let firsts = env.entries_titled("mermaid");
    let seconds = env.entries_titled("arrows");
    assert_eq!(firsts.len(), 1, "{firsts:#?}");
    assert_eq!(seconds.len(), 1, "{seconds:#?}");
    assert_ne!(firsts[0]["title"], seconds[0]["title"]);

    // The same words in a third session are the first lesson again.
    env.index_claude(&session("0b6a1f9e-3333-4c1a-9a51-000000000003", mermaid));
    assert_eq!(env.entries_titled("mermaid").len(), 1);
}
