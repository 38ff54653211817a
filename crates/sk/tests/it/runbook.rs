//! Rehearses docs/RUNBOOK.md: every `sh` block's commands run in order in a sandbox home,
//! and each `# expect:` / `# exit:` annotation is checked. A changed flag or message that
//! the runbook does not follow fails here. A block after `<!-- runbook: postgres -->`
//! needs a PostgreSQL server: the test makes a database of its own on the sync tests'
//! server and names it to the block through libpq's PGHOST, PGPORT, PGUSER (an admin) and
//! PGDATABASE; without a server those blocks are skipped unless SK_SYNC_PG_REQUIRED=1.

use std::path::{Path, PathBuf};
use std::process::Command;

use sk_test::TestEnv;

#[derive(Debug)]
struct Step {
    line: usize,
    command: String,
    expects: Vec<String>,
    exit: i32,
    /// From a block marked `<!-- runbook: postgres -->`.
    postgres: bool,
}

#[derive(Debug, Default)]
struct Runbook {
    steps: Vec<Step>,
    skipped: Vec<(usize, String)>,
}

fn parse(text: &str) -> Runbook {
    let mut book = Runbook::default();
    let mut skip_reason: Option<String> = None;
    let mut postgres = false;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "<!-- runbook: postgres -->" {
            postgres = true;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("<!-- runbook: skip") {
            skip_reason = Some(rest.trim_end_matches("-->").trim().to_string());
            continue;
        }
        let Some(lang) = trimmed.strip_prefix("```") else {
            continue;
        };
        if lang.is_empty() {
            continue;
        }
        let posix = matches!(lang, "sh" | "bash");
        if let Some(reason) = skip_reason.take() {
            assert!(!reason.is_empty(), "line {}: a skip marker needs a reason", n + 1);
            book.skipped.push((n + 1, reason));
            for (_, l) in lines.by_ref() {
                if l.trim() == "```" {
                    break;
                }
            }
            continue;
        }
        assert!(
            posix,
            "line {}: a ```{lang} block must be preceded by a `<!-- runbook: skip REASON -->` marker",
            n + 1
        );
        let block_postgres = std::mem::take(&mut postgres);
        let mut pending = String::new();
        for (m, l) in lines.by_ref() {
            let l = l.trim_end();
            if l.trim() == "```" {
                break;
            }
            if let Some(e) = l.trim().strip_prefix("# expect:") {
                book.steps
                    .last_mut()
                    .expect("an expectation follows a command")
                    .expects
                    .push(e.trim().to_string());
            } else if let Some(code) = l.trim().strip_prefix("# exit:") {
                book.steps
                    .last_mut()
                    .expect("an exit status follows a command")
                    .exit = code.trim().parse().expect("exit status is a number");
            } else if l.trim().starts_with('#') || l.trim().is_empty() {
                continue;
            } else if let Some(head) = l.strip_suffix('\\') {
                pending.push_str(head);
            } else {
                pending.push_str(l);
                book.steps.push(Step {
                    line: m + 1,
                    command: std::mem::take(&mut pending),
                    expects: Vec::new(),
                    exit: 0,
                    postgres: block_postgres,
                });
            }
        }
    }
    book
}

/// A home with a knowledge base, one session of each agent, a git repository with a
/// hook of its own, and `sk` on PATH (after `$HOME/.copilot/bin`, where `sk install` puts it).
fn sandbox(env: &TestEnv) -> PathBuf {
    let bin = env.home().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::os::unix::fs::symlink(sk_test::sk_bin(), bin.join("sk")).expect("sk on PATH");
    std::fs::create_dir_all(env.home().join("tmp")).expect("tmp");
    let copilot = env
        .copilot_home()
        .join("session-state/7a80f0ee-0c9f-4e1a-acbd-d655a5721cfe");
    std::fs::create_dir_all(&copilot).expect("copilot session");
    std::fs::copy(
        sk_test::corpus("copilot/real-session.jsonl"),
        copilot.join("events.jsonl"),
    )
    .expect("seed copilot");
    let claude = env.claude_home().join("projects/-tmp-demo");
    std::fs::create_dir_all(&claude).expect("claude project");
    std::fs::copy(
        sk_test::corpus("claude/convo.jsonl"),
        claude.join("89f4d66a-510b-48b3-94b8-d6a8f981b143.jsonl"),
    )
    .expect("seed claude");
    env.sk().arg("index").assert().success();
    // A repository whose team already has a pre-commit hook (runbook §4).
    let repo = env.home().join("work/app");
    std::fs::create_dir_all(&repo).expect("repo dir");
    let init = Command::new("git")
        .args(["init", "-q"])
        .arg(&repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", env.home())
        .status()
        .expect("git init");
    assert!(init.success());
    let hook = repo.join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\n# team lint\nexit 0\n").expect("team hook");
    let executable = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(&hook, executable).expect("chmod team hook");
    bin
}

fn run_step(env: &TestEnv, bin: &Path, step: &Step, libpq: &[(&str, String)]) {
    let sandbox_tmp = format!("{}/tmp/", env.home().display());
    let command = step.command.replace("/tmp/", &sandbox_tmp);
    // The install folder first, as `sk install --add-to-path` arranges: once the runbook
    // installs sk, the installed copy is the `sk` its later steps run.
    let path = format!(
        "{}:{}:{}",
        env.copilot_home().join("bin").display(),
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&command)
        .env_clear()
        .env("HOME", env.home())
        .env("PATH", path)
        .env("LANG", "C.UTF-8")
        .envs(libpq.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(env.home())
        .output()
        .expect("run bash");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().unwrap_or(-1);
    assert_eq!(
        code, step.exit,
        "RUNBOOK.md line {}: `{}` exited {code}, expected {}:\n{text}",
        step.line, step.command, step.exit
    );
    for e in &step.expects {
        let e = e.replace("/tmp/", &sandbox_tmp);
        assert!(
            text.contains(&e),
            "RUNBOOK.md line {}: `{}` should print `{e}`, printed:\n{text}",
            step.line,
            step.command
        );
    }
}

#[test]
fn every_runbook_step_runs_as_written() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/RUNBOOK.md");
    let book = parse(&std::fs::read_to_string(&path).expect("read RUNBOOK.md"));
    assert!(
        book.steps.len() >= 10,
        "the runbook lost its steps: {}",
        book.steps.len()
    );
    let env = TestEnv::new();
    let bin = sandbox(&env);
    // The sync section's server: a database of this run, and the fixed role names the
    // runbook uses, dropped afterwards unless they existed before.
    let mut pg = if book.steps.iter().any(|s| s.postgres) {
        crate::sync::Pg::start()
    } else {
        None
    };
    if let Some(pg) = pg.as_mut() {
        pg.adopt_roles(&["alice", "sk_sync_owner", "sk_sync_user"]);
    }
    let libpq = pg.as_ref().map(|pg| pg.libpq_env()).unwrap_or_default();
    let mut rehearsed = 0;
    for step in &book.steps {
        if step.postgres && pg.is_none() {
            continue;
        }
        run_step(&env, &bin, step, &libpq);
        rehearsed += 1;
    }
    println!(
        "runbook: {rehearsed} steps rehearsed ({} need PostgreSQL{}), {} blocks skipped",
        book.steps.iter().filter(|s| s.postgres).count(),
        if pg.is_some() { "" } else { ": none here, skipped" },
        book.skipped.len()
    );
    for (line, reason) in &book.skipped {
        println!("runbook: skipped block at line {line}: {reason}");
    }
}

#[test]
fn the_parser_reads_annotations_and_skips() {
    let book = parse(
        "<!-- runbook: skip not POSIX -->\n```powershell\nsk x\n```\n```sh\nsk a \\\n  --b\n# expect: ok\n# exit: 3\nsk c\n```\n",
    );
    assert_eq!(book.skipped.len(), 1);
    assert_eq!(book.steps.len(), 2);
    assert_eq!(book.steps[0].command, "sk a   --b");
    assert_eq!(book.steps[0].expects, vec!["ok".to_string()]);
    assert_eq!(book.steps[0].exit, 3);
    assert_eq!(book.steps[1].exit, 0);
}

#[test]
fn a_postgres_marker_covers_the_next_block_only() {
    let book =
        parse("<!-- runbook: postgres -->\n```sh\nsk sync\nsk sync status\n```\n```sh\nsk status\n```\n");
    let marked: Vec<bool> = book.steps.iter().map(|s| s.postgres).collect();
    assert_eq!(marked, vec![true, true, false]);
}
