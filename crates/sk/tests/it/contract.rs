//! The public interface as a reviewer sees it: every command's `--help`, walked from
//! `sk --help`, in one snapshot. A flag renamed, a command dropped or a help text changed
//! by accident shows up as a snapshot diff in review (the predecessor's "boundary" test).
//! After an intended change: `INSTA_UPDATE=always cargo test -p sk --test it contract`.

use sk_test::TestEnv;

fn help(env: &TestEnv, path: &[String]) -> String {
    let out = env
        .sk()
        .args(path)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .expect("run sk");
    assert!(out.status.success(), "sk {path:?} --help failed");
    String::from_utf8(out.stdout).expect("help is UTF-8")
}

/// The subcommand names listed under `Commands:` (clap's own `help` entry excluded).
fn subcommands(help: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line.starts_with("Commands:") {
            inside = true;
            continue;
        }
        if inside {
            if !line.starts_with("  ") {
                if line.trim().is_empty() {
                    continue;
                }
                break;
            }
            // A description wrapped onto its own line is indented further than a name.
            if line.starts_with("   ") {
                continue;
            }
            if let Some(name) = line.split_whitespace().next()
                && name != "help"
            {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[test]
fn every_commands_help_is_as_reviewed() {
    let env = TestEnv::new();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    let mut book = String::new();
    while let Some(path) = pending.pop() {
        let text = help(&env, &path);
        for name in subcommands(&text).into_iter().rev() {
            let mut child = path.clone();
            child.push(name);
            pending.push(child);
        }
        book.push_str(
            &format!("===== sk {} --help\n{text}\n", path.join(" ")).replace("sk  --help", "sk --help"),
        );
    }
    assert!(
        book.matches("===== ").count() >= 15,
        "the walk found too few commands:\n{book}"
    );
    insta::assert_snapshot!("cli_help", book);
}

#[test]
fn the_help_walker_reads_clap_layout() {
    let help = "Usage: sk <COMMAND>\n\nCommands:\n  index   Ingest\n  knowledge  Export or import\n             entries that wrap\n  help    Print this\n\nOptions:\n  -h\n";
    assert_eq!(subcommands(help), ["index", "knowledge"]);
}
