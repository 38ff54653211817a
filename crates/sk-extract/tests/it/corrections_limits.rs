//! Rule 2 (user corrections) at its limits: task prompts whose words look like a
//! correction, replies to the agent's question, and what may be quoted as the fix.

use sk_core::Agent;
use sk_extract::Candidate;

use crate::support::{REFUSED, Session, corrections_as, show};

fn corrections(s: &Session) -> Vec<Candidate> {
    corrections_as(s, Agent::Claude)
}

/// A task prompt after an agent action, with no correction in it.
fn after_action(prompt: &str) -> Vec<Candidate> {
    let mut s = Session::new();
    s.prompt("Set up the signup form")
        .edit("/work/app/signup.js", "a", "b")
        .answer("The signup form is in place.")
        .prompt(prompt)
        .edit("/work/app/signup.js", "b", "c");
    corrections(&s)
}

// ---- Conditions, purposes and scope in a task prompt are not corrections ---------------

#[test]
fn conditional_task_with_is_empty_is_not_a_correction() {
    let found = after_action("Now add validation. When the email field is empty, show an error under it.");
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn create_if_it_does_not_exist_is_not_a_correction() {
    let found = after_action(
        "Next, write the settings to ~/.app/config.json and create the folder if it doesn't exist.",
    );
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn purpose_clause_so_it_doesnt_run_twice_is_not_a_correction() {
    let found = after_action("Add a lock file so the nightly job doesn't run twice at the same time.");
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn the_wrong_password_in_a_task_is_not_a_correction() {
    let found = after_action("Now show a warning when the user types the wrong password three times.");
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn scoping_a_new_task_with_not_is_not_a_correction() {
    let found = after_action("Now write tests for the parser, not the lexer.");
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn i_thought_we_could_is_a_proposal_not_a_correction() {
    let found = after_action("Next I thought we could add a CSV export to the reports page.");
    assert!(found.is_empty(), "{}", show(&found));
}

// ---- A reply to the agent's question is a correction only when it names an error ------

#[test]
fn no_i_dont_need_it_answering_the_agents_question_is_a_reply() {
    let mut s = Session::new();
    s.prompt("Add a settings page")
        .edit("/work/app/settings.js", "", "export function settings() {}")
        .answer("Added the settings page. Do you want me to also add a dark mode toggle?")
        .prompt("No, I don't need a dark mode toggle. Add a logout button instead.")
        .edit("/work/app/settings.js", "{}", "{ logout() }");
    let found = corrections(&s);
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn a_reply_that_contradicts_the_questions_premise_is_a_correction() {
    let mut s = Session::new();
    s.prompt("Clean up the shell setup")
        .edit("/work/app/.fzf.zsh", "a", "b")
        .answer("fzf is not installed on WSL. Should I guard the source line, or move it to .zshrc.local?")
        .prompt("On WSL I have a ~/fzf folder, I thought that should set it up")
        .edit("/work/app/.fzf.zsh", "/Users/me/.fzf", "$HOME/.fzf");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
}

// ---- Polite "I'd like", "not yet" and conditions in the other languages -----------------

#[test]
fn polite_requests_and_not_yet_are_not_corrections() {
    let mut wrong = Vec::new();
    for said in [
        // "I'd like to add an export button on the reports page" (polite imperfect).
        "Ahora quería añadir un botón de exportar en la página de informes.",
        "Agora eu queria adicionar um botão de exportar na página de relatórios.",
        "Ora volevo aggiungere un pulsante per esportare nella pagina dei report.",
        "Maintenant je voulais ajouter un bouton d'export sur la page des rapports.",
        // "The reports page has no pagination yet, add it."
        "A página de relatórios ainda não tem paginação, adicione.",
        "La página de informes todavía no tiene paginación, agrégala.",
        "La pagina dei report ancora non ha la paginazione, aggiungila.",
        // "If the field is empty, show an error."
        "Si el campo está vacío, muestra un error debajo.",
        "Si la liste est vide, affiche un message d'aide.",
    ] {
        let found = after_action(said);
        if !found.is_empty() {
            wrong.push(format!("{said}: {}", show(&found)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// ---- Only what the agent did and what held is quoted as the fix --------------------------

#[test]
fn a_failed_edit_after_a_correction_is_not_the_fix() {
    let mut s = Session::new();
    s.prompt("Install the dependencies")
        .bash("npm install", true, "ok")
        .answer("Installed.")
        .prompt("No, we use pnpm in this repo, not npm.")
        .tool(
            "Edit",
            "/work/app/package.json\n- \"npm\"\n+ \"pnpm\"",
            &["/work/app/package.json"],
            false,
            "String to replace not found in file.",
        )
        .answer("Understood.")
        .prompt("Thanks, now add a lint script.");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert!(!c.body.contains("edited package.json"), "{}", c.body);
    assert!(!c.body.contains("First change"), "{}", c.body);
}

#[test]
fn a_refused_edit_after_a_correction_is_not_the_fix() {
    let mut s = Session::new();
    s.prompt("Give the labels line breaks")
        .tool(
            "Edit",
            "/work/app/README.md\n- A\\nB\n+ A&#10;B",
            &["/work/app/README.md"],
            false,
            &format!("{REFUSED}keep the labels on one line and shorten them"),
        )
        .tool(
            "Edit",
            "/work/app/README.md\n- A\\nB\n+ AB",
            &["/work/app/README.md"],
            false,
            &format!("{REFUSED}no, shorter: just the first word"),
        )
        .answer("Ok.")
        .prompt("Let's move on to the footer.");
    let found = corrections(&s);
    let first = found
        .iter()
        .find(|c| c.title.contains("keep the labels"))
        .unwrap_or_else(|| panic!("{}", show(&found)));
    // The second edit was refused: it is no fix of the first refusal.
    assert!(!first.body.contains("+ AB"), "{}", first.body);
    assert!(!first.body.contains("Then the agent edited"), "{}", first.body);
}

#[test]
fn a_curl_check_after_a_correction_is_not_the_fix() {
    let mut s = Session::new();
    s.prompt("Restart the API")
        .bash("docker compose restart api", true, "ok")
        .answer("Restarted.")
        .prompt("The API still doesn't respond on port 8080.")
        .bash("curl -s http://localhost:8080/health", true, "ok")
        .answer("It responds now, try again.");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(!found[0].body.contains("Then the agent ran"), "{}", found[0].body);
}

// ---- Non-ASCII text anywhere never panics -------------------------------------------------

#[test]
fn non_ascii_prompts_refusals_and_edits_do_not_panic() {
    let pieces = [
        "No",
        "Nein",
        "não",
        "—",
        "–",
        "…",
        "é",
        "ß",
        "日本語",
        "🙂",
        ",",
        ".",
        "?",
        "\n",
        "`",
        "```\n",
        "doesn't work",
        "still",
        "[Image #1]",
        "<x>",
        "- ",
        "+ ",
        "instead",
        "not",
        "ñ",
        "ü",
        " ",
        "wrong",
        "falsch",
        "noch immer nicht",
        "ainda não",
        "I wanted",
        "/",
        "\u{200b}",
        "Ǆ",
        "İ",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let mut text = |n: u64| -> String {
            let len = 1 + next() % n;
            (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(if next() % 2 == 0 { " " } else { "" })
        };
        let (p1, p2, reason, edit_old, edit_new, ans) =
            (text(8), text(30), text(20), text(6), text(6), text(15));
        let mut s = Session::new();
        s.prompt(&p1)
            .edit("/work/app/ü.rs", &edit_old, &edit_new)
            .answer(&ans)
            .prompt(&p2)
            .tool(
                "Edit",
                &format!("/work/app/ß.rs\n-{edit_old}\n+{edit_new}"),
                &["/work/app/ß.rs"],
                false,
                &format!("{REFUSED}{reason}"),
            )
            .tool("Bash", &format!("{edit_new} && ls"), &[], true, "")
            .answer(&ans)
            .prompt(&p1);
        let _ = s.extract_as(Agent::Claude);
        let _ = s.extract_as(Agent::Codex);
    }
}

// ---- A refusal's follow-up ends at the next refusal: the rule stays linear ---------------

fn refusal_session(reason: &str, refusals: usize) -> Session {
    let mut s = Session::new();
    s.prompt("Run the migration steps one by one");
    // The same step refused for the same reason each time: the corrections merge into
    // one, so what is timed is reading each one's follow-up, not comparing them.
    for _ in 0..refusals {
        s.bash("./migrate next-step", false, reason);
        for _ in 0..8 {
            s.bash("cargo build", true, "ok");
        }
    }
    s
}

/// The fastest of three runs: the least disturbed by whatever else the machine does.
fn fastest(s: &Session) -> std::time::Duration {
    (0..3)
        .map(|_| {
            let t = std::time::Instant::now();
            let _ = corrections(s);
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn refusals_in_one_long_turn_stay_linear() {
    // Each refusal's follow-up ends at the next refusal with a reason, so eight times the
    // refusals cost about eight times the time; a follow-up read to the end of the turn
    // would make it sixty-four. The bound sits between, far from both: other tests run
    // beside this one.
    let reason = format!("{REFUSED}use the dry run flag first");
    let few = fastest(&refusal_session(&reason, 100));
    let many = fastest(&refusal_session(&reason, 800));
    assert!(many < few * 24, "100 refusals {few:?}, 800 refusals {many:?}");
}

// ---- The same words sent again after the agent acted are a new correction --------------

#[test]
fn the_same_correction_after_the_agent_acted_again_means_the_fix_did_not_hold() {
    let mut s = Session::new();
    s.prompt("Install the dependencies")
        .bash("npm install", true, "ok")
        .answer("Installed.")
        .prompt("No, use pnpm here, not npm.")
        .bash("npm install --prefer-offline", true, "ok")
        .answer("Reinstalled.")
        .prompt("No, use pnpm here, not npm.")
        .bash("pnpm install", true, "ok")
        .answer("Installed with pnpm.")
        .prompt("Thanks, now add a lint script.");
    let found = corrections(&s);
    // The first correction's fix (`npm install --prefer-offline`) did not hold: the user
    // said the same again after it. Its body must not claim the later `pnpm install`.
    let wrong: Vec<&Candidate> = found
        .iter()
        .filter(|c| c.body.contains("npm install --prefer-offline") && c.body.contains("`pnpm install`"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{}",
        wrong
            .iter()
            .map(|c| c.body.as_str())
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
}
