//! Rule 2 beyond "no, …": bug reports on the agent's work, calls the user refused with a
//! reason, and the body's account of what the agent then did (the fix). Also what is not
//! a correction, or not one worth showing.

use sk_core::Agent;
use sk_core::knowledge::SHOWN_MIN_CONFIDENCE;
use sk_extract::Candidate;

use crate::support::{REFUSED, Session, corrections_as, has_cue, patch, show};

fn corrections(s: &Session) -> Vec<Candidate> {
    corrections_as(s, Agent::Claude)
}

fn shown(c: &Candidate) -> bool {
    f64::from(c.confidence) >= SHOWN_MIN_CONFIDENCE
}

#[test]
fn a_bug_report_says_what_the_agent_then_did() {
    let mut s = Session::new();
    s.prompt("Add a save button to the settings page")
        .edit("/work/app/settings.js", "render()", "render(); addSave()")
        .answer("Added the save button.")
        .prompt("The save button doesn't work on the settings page.")
        .answer("The click handler is never bound; I'll bind it in init().")
        .bash("grep -n addSave settings.js", true, "12: addSave()")
        .edit("/work/app/settings.js", "init() {", "init() { bindSave();")
        .bash("npm test", true, "ok")
        .answer("Bound the click handler in init(); the save button works now.")
        .prompt("Thanks!");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    // The agent's answer says what was wrong, where the user only reported a symptom;
    // the user's words open the body.
    assert_eq!(c.title, "The click handler is never bound");
    assert!(has_cue(c, "restated-by-agent"), "{:?}", c.cues);
    assert!(
        c.body
            .starts_with("The user said: The save button doesn't work on the settings page."),
        "{}",
        c.body
    );
    assert!(has_cue(c, "mistake.en.doesnt_work"), "{:?}", c.cues);
    // What was wrong: the agent's change before the report, not just its answer.
    assert!(
        c.body
            .contains("After the agent changed settings.js and answered:\nAdded the save button."),
        "{}",
        c.body
    );
    // The fix: why, what was edited and run (not the search), the change, the outcome.
    assert!(
        c.body
            .contains("The agent said: The click handler is never bound"),
        "{}",
        c.body
    );
    assert!(
        c.body
            .contains("Then the agent edited settings.js; ran `npm test`."),
        "{}",
        c.body
    );
    assert!(
        c.body
            .contains("First change, in settings.js: - init() { + init() { bindSave();"),
        "{}",
        c.body
    );
    assert!(
        c.body.contains("It said: Bound the click handler in init()"),
        "{}",
        c.body
    );
    assert_eq!(
        c.confidence, 0.60,
        "a report, a change after it, and the agent's lesson in words"
    );
    assert!(shown(c));
    assert_eq!(c.files, vec!["settings.js"]);

    // The same report answered with a plan: the user's words are all there is to go by.
    let mut s = Session::new();
    s.prompt("Add a save button to the settings page")
        .edit("/work/app/settings.js", "render()", "render(); addSave()")
        .answer("Added the save button.")
        .prompt("The save button doesn't work on the settings page.")
        .answer("Let me look at the click handler.")
        .edit("/work/app/settings.js", "init() {", "init() { bindSave();")
        .answer("Bound the click handler in init().")
        .prompt("Thanks!");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(!has_cue(&found[0], "restated-by-agent"), "{:?}", found[0].cues);
    assert_eq!(found[0].confidence, 0.55, "a report, and a change after it");
}

#[test]
fn a_refused_call_with_a_reason_corrects_that_call() {
    let mut s = Session::new();
    s.prompt("Give the labels line breaks")
        .tool(
            "Edit",
            "/work/app/README.md\n- A\\nB\n+ A&#10;B",
            &["/work/app/README.md"],
            false,
            &format!("{REFUSED}keep the labels on one line and shorten them"),
        )
        .edit("/work/app/README.md", "A\\nB", "Short A")
        .answer("Shortened the labels.");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert_eq!(
        c.title,
        "User rejected the change to README.md: keep the labels on one line and shorten them"
    );
    assert!(has_cue(c, "refused-call"));
    assert!(
        c.body
            .starts_with("The user refused the call and said: keep the labels on one line and shorten them"),
        "{}",
        c.body
    );
    assert!(
        c.body.contains("First change, in README.md: - A\\nB + Short A"),
        "{}",
        c.body
    );
    // A refused tool call with a fix after it: 0.50 + 0.05 + 0.05.
    assert_eq!(c.confidence, 0.60);
}

#[test]
fn a_refusal_without_a_reason_is_not_a_correction() {
    let mut s = Session::new();
    s.prompt("Clean up the build folder")
        .bash(
            "rm -rf build",
            false,
            "The user doesn't want to proceed with this tool use. The tool use was rejected.",
        )
        .answer("Understood, I left it.");
    assert!(corrections(&s).is_empty(), "{}", show(&corrections(&s)));
}

#[test]
fn orders_late_in_a_new_task_are_its_constraints() {
    let mut s = Session::new();
    s.prompt("Fix the parser")
        .edit("/work/app/src/parse.rs", "a", "b")
        .answer("Fixed the parser.")
        .prompt(
            "Could you also add the syntax to the README? Structs are declared with cls. Don't change any other files.",
        )
        .edit("/work/app/README.md", "## Syntax", "## Syntax\ncls Point {}");
    assert!(corrections(&s).is_empty(), "{}", show(&corrections(&s)));
}

#[test]
fn a_long_task_with_dont_is_not_a_correction() {
    let mut s = Session::new();
    s.prompt("Set up the project")
        .bash("npm init -y", true, "ok")
        .answer("Project created.")
        .prompt(
            "Now build the import page. It reads a CSV upload and shows a preview table. \
             Rows with errors are marked in red. The user confirms before anything is saved. \
             Don't store the raw file. Don't add new dependencies.",
        )
        .edit("/work/app/import.js", "", "export function importPage() {}");
    assert!(corrections(&s).is_empty(), "{}", show(&corrections(&s)));
}

#[test]
fn naming_one_of_the_offered_options_is_a_reply() {
    let mut s = Session::new();
    s.prompt("Cache the lookups")
        .answer("Should the cache be a map keyed by id, or a sorted list?")
        .prompt("A map keyed by id, not a list.")
        .edit("/work/app/cache.rs", "", "HashMap<Id, Entry>");
    assert!(corrections(&s).is_empty(), "{}", show(&corrections(&s)));

    // The same words after the agent chose on its own put the right thing next to the wrong.
    let mut s = Session::new();
    s.prompt("Cache the lookups")
        .edit("/work/app/cache.rs", "", "Vec<Entry>")
        .answer("The cache is a sorted list.")
        .prompt("Use a map keyed by id, not a list.")
        .edit("/work/app/cache.rs", "Vec<Entry>", "HashMap<Id, Entry>");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(has_cue(&found[0], "mistake.en.not_but"));
}

#[test]
fn planning_a_rollback_is_not_a_correction() {
    let mut s = Session::new();
    s.prompt("Apply the six fixes")
        .edit("/work/app/src/a.py", "x", "y")
        .answer("All six fixes are in.")
        .prompt("Commit each fix on its own in case I want to roll back one of them later.")
        .bash("git commit -am 'fix 1'", true, "ok");
    assert!(corrections(&s).is_empty(), "{}", show(&corrections(&s)));
}

#[test]
fn asking_or_saying_it_still_fails_is_kept_but_not_shown() {
    let mut s = Session::new();
    s.prompt("Tidy the fixtures")
        .bash("rm -rf tests/fixtures/old", true, "")
        .answer("Removed the old fixtures.")
        .prompt("Why did you delete the old fixtures?")
        .answer("They were unused; I can restore them.");
    let asked = corrections(&s);
    assert_eq!(asked.len(), 1, "{}", show(&asked));
    assert!(
        has_cue(&asked[0], "asks-only") && !shown(&asked[0]),
        "{}",
        show(&asked)
    );

    let mut s = Session::new();
    s.prompt("Make the toggle switch the chart")
        .edit("/work/app/chart.js", "onclick", "addEventListener")
        .answer("The toggle works now.")
        .prompt("It still doesn't work.")
        .edit(
            "/work/app/chart.js",
            "addEventListener",
            "addEventListener('change')",
        );
    let repeated = corrections(&s);
    assert_eq!(repeated.len(), 1, "{}", show(&repeated));
    assert!(has_cue(&repeated[0], "repeats-only") && !shown(&repeated[0]));
}

#[test]
fn a_fix_the_user_corrects_again_did_not_hold() {
    let mut s = Session::new();
    s.prompt("Show the legend")
        .edit("/work/app/index.html", "<div>", "<div class=legend>")
        .answer("The legend is back.")
        .prompt("The legend is invisible, white on white.")
        .edit("/work/app/style.css", "color: white", "color: #eee")
        .answer("Gave the legend a light grey.")
        .prompt("Still unreadable — use a dark colour instead.")
        .edit("/work/app/style.css", "color: #eee", "color: #222");
    let found = corrections(&s);
    assert_eq!(found.len(), 2, "{}", show(&found));
    let (first, second) = (&found[0], &found[1]);
    assert!(first.title.contains("invisible"), "{}", show(&found));
    assert!(
        has_cue(first, "fix-did-not-hold") && !shown(first),
        "{}",
        show(&found)
    );
    // The second says what is right ("instead"): not a bare repeat, and it held.
    assert!(
        !has_cue(second, "repeats-only") && shown(second),
        "{}",
        show(&found)
    );
}

#[test]
fn an_image_or_the_same_prompt_sent_again_does_not_end_the_turn() {
    let mut s = Session::new();
    s.prompt("Start the VM in a window")
        .edit("/work/app/launch.sh", "fullscreen", "window")
        .answer("It now opens in a window.")
        .prompt("I don't want to type the password in the console, I want the login screen.")
        .prompt("[Image #1]")
        .prompt("I don't want to type the password in the console, I want the login screen.")
        .edit("/work/app/launch.sh", "rdp /v:host", "rdp /v:host /u:placeholder")
        .answer("Passing a placeholder user, so Windows shows its own login screen.");
    let found = corrections(&s);
    assert!(!found.is_empty(), "{}", show(&found));
    assert!(
        found[0].body.contains("Then the agent edited launch.sh."),
        "{}",
        found[0].body
    );
}

#[test]
fn the_change_after_a_go_ahead_is_the_fix() {
    // The agent proposes how it will put the correction right and asks; the user replies.
    let proposed = |reply: &str| {
        let mut s = Session::new();
        s.prompt("Add a language option")
            .edit(
                "/work/app/cli.py",
                "options = []",
                "options = ['zh', 'en', 'chinese', 'english']",
            )
            .answer("Added the option with its aliases.")
            .prompt("No, there is no need to accept the aliases, remove that logic.")
            .answer("I will restrict the choice to zh and en and drop the alias mapping. Shall I?")
            .prompt(reply);
        s
    };
    // "ok" lets it go ahead, and the change in the next turn is the fix.
    let mut s = proposed("ok, go ahead");
    s.edit(
        "/work/app/cli.py",
        "options = ['zh', 'en', 'chinese', 'english']",
        "options = ['zh', 'en']",
    )
    .answer("Only zh and en are accepted now.");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert!(c.body.contains("Then the agent edited cli.py."), "{}", c.body);
    assert!(
        c.body.contains("It said: Only zh and en are accepted now."),
        "{}",
        c.body
    );
    assert!(shown(c), "{}", c.confidence);

    // Anything more than a go-ahead is the user's next word: the turn ends there.
    let mut s = proposed("ok, and also write the changelog entry for the release");
    s.edit("/work/app/CHANGELOG.md", "## 1.0", "## 1.1")
        .answer("Done.");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    assert!(!found[0].body.contains("CHANGELOG"), "{}", found[0].body);
}

#[test]
fn checking_a_running_system_is_not_a_fix() {
    let mut s = Session::new();
    s.prompt("Restart the container")
        .bash("docker compose restart web", true, "ok")
        .answer("Restarted.")
        .prompt("I stopped it and now it won't restart")
        .bash("docker logs web 2>&1 | tail -30", true, "booting")
        .bash("ip addr show br0 && nc -zv 10.0.0.2 3389", true, "open")
        .answer("Everything looks good, try again.");
    let found = corrections(&s);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert!(!c.body.contains("Then the agent ran"), "{}", c.body);
    assert!(
        c.body.contains("Then the agent answered: Everything looks good"),
        "{}",
        c.body
    );
    assert!(!shown(c), "nothing was changed: {}", show(&found));
}

#[test]
fn a_codex_patch_after_a_correction_is_the_fix() {
    let mut s = Session::new();
    s.prompt("Accept language names")
        .tool(
            "shell",
            &patch("*** Update File: src/i18n.py\n@@\n-LANGS = ['zh']\n+LANGS = ['zh', 'en', 'chinese', 'english']"),
            &[],
            true,
            "Success. Updated the following files:\nM src/i18n.py",
        )
        .answer("Added the aliases.")
        .prompt("I don't need the chinese/english aliases, only zh and en.")
        .tool(
            "shell",
            &patch("*** Update File: src/i18n.py\n@@\n-LANGS = ['zh', 'en', 'chinese', 'english']\n+LANGS = ['zh', 'en']"),
            &[],
            true,
            "Success. Updated the following files:\nM src/i18n.py",
        );
    let found = corrections_as(&s, Agent::Codex);
    assert_eq!(found.len(), 1, "{}", show(&found));
    let c = &found[0];
    assert!(
        c.body
            .contains("After the agent changed src/i18n.py and answered:"),
        "{}",
        c.body
    );
    assert!(
        c.body.contains("Then the agent edited src/i18n.py."),
        "{}",
        c.body
    );
    assert!(c.body.contains("+LANGS = ['zh', 'en']"), "{}", c.body);
    assert!(shown(c));
}

#[test]
fn bug_reports_in_the_other_languages() {
    for (said, cue) in [
        (
            "Der Export funktioniert nicht, die Datei ist leer.",
            "mistake.de.geht_nicht",
        ),
        (
            "C'est le serveur Linear qui n'apparaît pas.",
            "mistake.fr.marche_pas",
        ),
        (
            "El botón de guardar no funciona en ajustes.",
            "mistake.es.no_funciona",
        ),
        (
            "O botão de salvar não funciona nas configurações.",
            "mistake.pt.nao_funciona",
        ),
        (
            "Il pulsante di salvataggio non funziona nelle impostazioni.",
            "mistake.it.non_funziona",
        ),
        (
            "Ich wollte die Tabelle oben, nicht unten.",
            "mistake.de.ich_wollte",
        ),
    ] {
        let mut s = Session::new();
        s.prompt("Build it")
            .edit("/work/app/page.js", "a", "b")
            .answer("Done.")
            .prompt(said)
            .edit("/work/app/page.js", "b", "c");
        let found = corrections(&s);
        assert_eq!(found.len(), 1, "{said}: {}", show(&found));
        assert!(has_cue(&found[0], cue), "{said}: {}", show(&found));
    }
}

#[test]
fn two_corrections_quoting_the_same_answer_stay_two() {
    let long = "Done. I changed the escaped newline to a double backslash in every node label of the diagram, because the Markdown parser reads two backslashes as one and the diagram renderer then reads the remaining escape as a line break inside the node text, which is what the preview needs to show each label on two lines.";
    let mut s = Session::new();
    s.prompt("The diagram labels show a literal backslash-n")
        .tool(
            "Edit",
            "/work/app/README.md\n- A\\nB\n+ A&#10;B",
            &["/work/app/README.md"],
            false,
            &format!("{REFUSED}can we use a double backslash?"),
        )
        .edit("/work/app/README.md", "A\\nB", "A\\\\nB")
        .answer(long)
        .prompt("That did not work, can you revert it?")
        .edit("/work/app/README.md", "A\\\\nB", "A\\nB")
        .answer(long);
    let found = corrections(&s);
    assert_eq!(found.len(), 2, "{}", show(&found));
}

#[test]
fn corrections_that_differ_in_their_numbers_are_not_one_lesson() {
    let cues = vec!["rule:user-correction".to_string()];
    assert!(!sk_extract::may_merge(
        ("The dev server runs on port 3000, not 8080", &cues),
        ("The dev server runs on port 8080, not 3000", &cues),
    ));
    assert!(!sk_extract::may_merge(
        ("Target Node 18 in CI, not 22", &cues),
        ("Target Node 22 in CI, not 18", &cues),
    ));
    // The same words and numbers are one lesson; other entries' numbers are log noise.
    assert!(sk_extract::may_merge(
        ("The dev server runs on port 3000, not 8080", &cues),
        ("The dev server runs on port 3000, not 8080!", &cues),
    ));
    let other = vec!["rule:failure-fix".to_string()];
    assert!(sk_extract::may_merge(
        ("`cargo test` failed: exit code 101", &other),
        ("`cargo test` failed: exit code 1", &other),
    ));
}

#[test]
fn a_long_prompt_costs_confidence_unless_its_correction_states_an_exact_fact() {
    let session = |correction: &str| {
        let filler = " Also keep the tests green and the changelog short, as before.".repeat(10);
        let mut s = Session::new();
        s.prompt("Point the client at the payments API")
            .edit(
                "/work/app/client.js",
                "BASE = ''",
                "BASE = 'https://pay.example.com/v1'",
            )
            .answer("Pointed the client at the payments API.")
            .prompt(&format!("{correction}{filler}"))
            .edit("/work/app/client.js", "v1", "v2")
            .answer("Updated the base URL.")
            .prompt("Thanks!");
        corrections(&s)
    };
    // The rejecting sentence names the host and version exactly: as strong as a short one.
    let exact = session("That's wrong, the endpoint is https://pay.example.com/v2 now.");
    assert_eq!(exact.len(), 1, "{}", show(&exact));
    assert!(shown(&exact[0]), "{}", exact[0].confidence);
    // The same length, a correction that names nothing exactly: one point among many.
    let vague = session("That's wrong, the endpoint changed recently.");
    assert_eq!(vague.len(), 1, "{}", show(&vague));
    assert!(
        vague[0].confidence + 0.1 < exact[0].confidence,
        "{} vs {}",
        vague[0].confidence,
        exact[0].confidence
    );
}
