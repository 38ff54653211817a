//! The lesson of a way around: a command failed because something the host lacks (a
//! program not installed, the network), the agent went another way at once, and that
//! passed. `arp` missing, then `ip neigh show` worked; `git ls-remote` without network,
//! then `git branch -r` listed the remote branches already fetched. The next session on
//! that host can start with the way that works.
//!
//! Decided (precision first):
//! - Only a failure that stayed unfixed: when the same command later passed (the program
//!   installed, the network back) rule 1 tells that story instead.
//! - The host must lack something the error names: a program not found (run by name, not
//!   a path: a script not found is the agent's own mistake), or a network that did not
//!   resolve or was unreachable ([`crate::sandbox`]).
//! - The way around is the agent's immediate reaction: the next tool call it made after
//!   it read the failure, a shell call, before the user spoke again. A search, a read, an
//!   edit or a question first is another way of working. Calls sent along with the
//!   failing one are not a reaction to it, nor are a sub-agent's calls (either way).
//! - That call passed, and it is not the failed command again, nor a look for the missing
//!   program (`which`, `--version`, a listing of a `bin` folder).
//! - After a missing program it is not project, version-control, build or package work
//!   (`git commit`, `npm run build`, `go install`, `curl … | sh`): that installs the
//!   program or carries on with the project. A call that only looks must look at the
//!   host (`/sys`, `/proc`, `/etc`, a home folder), not at the project (`git diff`).
//! - Without network, the way around runs the same program (`git`) on what the failed
//!   call was about (a word of it such as `origin`), and reaches no URL: it did without
//!   the network.
//!
//! Confidence 0.50, under the threshold that decides what is shown: both steps are in the
//! log and the lesson can be stated whole, but that the second call served the first
//! one's purpose is inferred from its timing, and a blind judge of the dev set's five
//! found one wrong (a call that printed nothing) and the others marginal (an alternative
//! any agent knows; no network in a sandbox it meets at once). Stored and searchable
//! (`--all-quality`), and left to `reflect` to ask the agent about.

use sk_core::{Category, Record, RecordKind};

use super::{OpenFailure, Target};
use crate::commands::{
    ToolKind, main_tokens, normalize_command, only_inspects, program, short_command, tool_kind,
};
use crate::errors::ErrorClass;
use crate::sandbox::{Restriction, refusal};
use crate::text::excerpt;
use crate::{Candidate, Evidence};

const CONFIDENCE: f32 = 0.50;
/// Longest command said in the title (each of the two).
const TITLE_COMMAND_CHARS: usize = 40;
const ERROR_CHARS: usize = 300;
/// Records after a call in which its result is looked for.
const RESULT_WITHIN: usize = 64;
/// Records after a failure in which the agent's reaction is looked for: every unfixed
/// failure asks, so the scan stays bounded in a long session without prompts.
const REACTION_WITHIN: usize = 200;

/// What the host lacked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lack {
    Program(String),
    Network,
}

/// Programs that only say whether a program is there.
const PROBES: [&str; 6] = ["which", "type", "command", "whereis", "where", "hash"];
/// Project, version-control, build and package tools: run after a program was missing,
/// they install it (another lesson) or carry on with the project's own work (`git
/// commit`, `npm run build`), not go around the missing program.
const PROJECT_TOOLS: [&str; 38] = [
    "git", "gh", "hg", "svn", "npm", "npx", "pnpm", "yarn", "bun", "deno", "cargo", "rustup", "make",
    "cmake", "ninja", "go", "mvn", "gradle", "dotnet", "uv", "uvx", "poetry", "pip", "pip3", "pipx", "conda",
    "mamba", "gem", "bundle", "brew", "apt", "apt-get", "dnf", "yum", "pacman", "apk", "winget", "choco",
];
/// Programs that fetch a script, and shells that would run it: `curl … | sh` installs.
const FETCHERS: [&str; 2] = ["curl", "wget"];
const SHELLS: [&str; 4] = ["sh", "bash", "zsh", "iex"];
/// Where a look at the host (not at the project) reads.
const HOST_PLACES: [&str; 9] = [
    "/sys/", "/proc/", "/etc/", "/dev/", "/usr/", "/var/", "/opt/", "~/", "$HOME",
];

/// The way around an unfixed shell failure, as a lesson; `None` when there is none.
pub(super) fn lesson(records: &[Record], failure: &OpenFailure) -> Option<Candidate> {
    if failure.kind != ToolKind::Shell {
        return None;
    }
    let Target::Command { normalized, .. } = &failure.target else {
        return None;
    };
    let last = failure.attempts.last()?;
    let lack = lack(records, failure)?;
    let (call, result) = reaction(records, last.result, failure.subagent)?;
    let way = &records[call].text;
    if normalize_command(way) == *normalized || !goes_around(&lack, &records[last.call].text, way) {
        return None;
    }
    Some(candidate(records, failure, &lack, (call, result)))
}

/// What the failure says the host lacks.
fn lack(records: &[Record], failure: &OpenFailure) -> Option<Lack> {
    let first = failure.attempts.first()?;
    if first.error.class == ErrorClass::CommandNotFound {
        let missing = first.error.program.as_deref()?;
        // `./build.sh`, `bin/tool`: run by a path, as the call or the error writes it.
        let by_path = |text: &str| {
            text.split_whitespace()
                .map(|w| w.trim_matches(['"', '\'', ':']))
                .any(|w| w.ends_with(&format!("/{missing}")) || w.ends_with(&format!("\\{missing}")))
        };
        let by_name = !missing.contains(['/', '\\'])
            && !by_path(&records[first.call].text)
            && !by_path(&records[first.result].text);
        return by_name.then(|| Lack::Program(missing.to_string()));
    }
    failure
        .attempts
        .iter()
        .any(|a| matches!(refusal(&records[a.result].text), Some(r) if matches!(r.what, Restriction::Network(_))))
        .then_some(Lack::Network)
}

/// The agent's first shell call after it read the failure at `failed_result`, with its
/// result, when it passed; `None` when the user spoke first, a file was edited first, or
/// that call failed.
fn reaction(records: &[Record], failed_result: usize, subagent: bool) -> Option<(usize, usize)> {
    for (i, r) in records
        .iter()
        .enumerate()
        .skip(failed_result + 1)
        .take(REACTION_WITHIN)
    {
        // A sub-agent's calls are its own work, not the reaction of the one that failed.
        if r.subagent != subagent && r.kind() != RecordKind::Prompt {
            continue;
        }
        match r.kind() {
            RecordKind::Prompt => return None,
            RecordKind::ToolCall => {
                // The next call the agent made, whatever tool: a search, a read or a
                // question first is another way of working, not this call's reaction.
                if tool_kind(r.tool.as_deref().unwrap_or(""), &r.text) != ToolKind::Shell {
                    return None;
                }
                let result = result_of(records, i)?;
                return (!super::call_failed(r, &records[result])).then_some((i, result));
            }
            _ => {}
        }
    }
    None
}

/// The result of the call at `call`, by its `call_id`.
fn result_of(records: &[Record], call: usize) -> Option<usize> {
    let id = records[call].call_id.as_deref()?;
    records
        .iter()
        .enumerate()
        .skip(call + 1)
        .take(RESULT_WITHIN)
        .find(|(_, r)| r.kind() == RecordKind::ToolResult && r.call_id.as_deref() == Some(id))
        .map(|(i, _)| i)
}

/// The programs a command runs, one per segment of its pipeline or list.
fn programs(command: &str) -> Vec<String> {
    crate::commands::segments(&normalize_command(command))
        .into_iter()
        .filter_map(program)
        .collect()
}

/// Whether `way` goes around what `failed` lacked rather than doing something else.
fn goes_around(lack: &Lack, failed: &str, way: &str) -> bool {
    let runs = programs(way);
    if runs.is_empty() {
        return false;
    }
    match lack {
        Lack::Program(missing) => {
            let words: Vec<&str> = way.split_whitespace().collect();
            let names_missing = runs.contains(missing)
                || words
                    .iter()
                    .any(|w| w.trim_matches(['"', '\'', '(', ')']) == missing);
            let probes = runs.iter().all(|p| PROBES.contains(&p.as_str()))
                || words.iter().any(|w| matches!(*w, "--version" | "-V" | "version"));
            let project_work = runs.iter().any(|p| PROJECT_TOOLS.contains(&p.as_str()))
                || (runs.iter().any(|p| FETCHERS.contains(&p.as_str()))
                    && runs.iter().any(|p| SHELLS.contains(&p.as_str())));
            // A look in a `bin` folder is the agent looking for the program itself.
            let looks_at_host =
                !only_inspects(way) || (HOST_PLACES.iter().any(|p| way.contains(p)) && !way.contains("/bin"));
            !names_missing && !probes && !project_work && looks_at_host
        }
        // The same program on what the failed call was about (`origin`, the branch name):
        // `git status` after `git ls-remote origin` is the agent moving on.
        Lack::Network => {
            let failed_program = program(failed);
            let words = |command: &str| -> Vec<String> {
                command
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 3)
                    .map(str::to_lowercase)
                    .filter(|w| Some(w) != failed_program.as_ref())
                    .collect()
            };
            let about = words(failed);
            // A call that reaches out again (another URL) did not do without the network.
            failed_program.as_ref().is_some_and(|p| runs.first() == Some(p))
                && words(way).iter().any(|w| about.contains(w))
                && !way.contains("://")
        }
    }
}

fn candidate(
    records: &[Record],
    failure: &OpenFailure,
    lack: &Lack,
    (call, result): (usize, usize),
) -> Candidate {
    let first = &failure.attempts[0];
    let last = failure.attempts.last().unwrap_or(first);
    let failed = &records[last.call];
    // The whole command, cut: the path it read is often the lesson (`ls /sys/class/drm/`).
    let way = excerpt(&normalize_command(&records[call].text), TITLE_COMMAND_CHARS);
    let (title, why, tag) = match lack {
        Lack::Program(missing) => (
            format!("`{missing}` is not installed here: `{way}` worked instead"),
            format!("`{missing}` is not installed on this host."),
            "missing-program",
        ),
        Lack::Network => {
            // The program and its subcommand (`git ls-remote`), not a flag (`curl -sf`).
            let tokens = main_tokens(&failed.text);
            let subcommand = tokens.iter().skip(1).find(|t| {
                t.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && t.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            });
            let task: Vec<&String> = tokens.first().into_iter().chain(subcommand).collect();
            (
                format!(
                    "No network here for `{}`: `{way}` worked instead",
                    task.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" ")
                ),
                "The host (or the agent's sandbox) had no network.".to_string(),
                "no-network",
            )
        }
    };
    let error = excerpt(records[last.result].text.trim(), ERROR_CHARS);
    let mut tags = vec!["failure-fix".to_string(), "detour".to_string(), tag.to_string()];
    tags.extend(program(&failed.text));
    let mut evidence: Vec<Evidence> = failure
        .attempts
        .iter()
        .flat_map(|a| [Evidence::of(&records[a.call]), Evidence::of(&records[a.result])])
        .collect();
    evidence.push(Evidence::of(&records[call]));
    evidence.push(Evidence::of(&records[result]));
    Candidate {
        category: Category::Mistake,
        title,
        body: format!(
            "Failed: `{}` ({})\nError: {error}\nWhy: {why}\nInstead, right after, passed: `{}`",
            short_command(&failed.text, 160),
            failure.tool,
            excerpt(&normalize_command(&records[call].text), 200),
        ),
        tags,
        files: Vec::new(),
        confidence: CONFIDENCE,
        evidence,
        cues: vec![
            "rule:failure-fix".to_string(),
            format!("error:{}", first.error.class.tag()),
            "match:detour".to_string(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::{Lack, goes_around};

    #[test]
    fn a_way_around_a_missing_program_is_told_from_moving_on() {
        let arp = Lack::Program("arp".into());
        assert!(goes_around(&arp, "arp -n", "ip neigh show dev eth0"));
        // Looking at the host stands in for the tool; looking at the project is other work.
        let lspci = Lack::Program("lspci".into());
        assert!(goes_around(&lspci, "lspci | grep VGA", "ls /sys/class/drm/"));
        let pytest = Lack::Program("pytest".into());
        assert!(!goes_around(&pytest, "pytest -q", "git diff -- src/app.py"));
        // Installing it, looking for it, or running it by another path is not a way around.
        assert!(!goes_around(&arp, "arp -n", "sudo apt-get install net-tools"));
        assert!(!goes_around(&arp, "arp -n", "which arp"));
        assert!(!goes_around(&pytest, "pytest -q", "python -m pytest --version"));
        assert!(!goes_around(&arp, "arp -n", "/usr/sbin/arp -n"));
    }

    #[test]
    fn without_network_the_way_around_runs_the_same_program() {
        let net = Lack::Network;
        assert!(goes_around(
            &net,
            "git ls-remote --heads origin",
            "git branch -r --list 'origin/*'"
        ));
        // The same program on something else is other work.
        assert!(!goes_around(
            &net,
            "git ls-remote --heads origin",
            "git status --short"
        ));
        assert!(!goes_around(
            &net,
            "git ls-remote --heads origin",
            "rg -n branch docs"
        ));
    }
}
