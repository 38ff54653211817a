//! Which events sk registers with each agent, and the deploy/undeploy plans for the three
//! places they live: a file of sk's own in Copilot's hooks folder (the CLI loads every
//! `*.json` there), and sk's entries merged into Claude Code's `settings.json` and Codex's
//! `hooks.json`, which belong to the user.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sk_core::{Agent, Paths};

use crate::plan::{Action, Plan};
use crate::settings::{self, Registration};
use crate::{ProvisionError, lock};

/// An event sk listens to, with the matcher and timeout it is registered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub name: &'static str,
    pub matcher: Option<&'static str>,
    pub timeout_s: u32,
}

const fn event(name: &'static str, matcher: Option<&'static str>, timeout_s: u32) -> Event {
    Event {
        name,
        matcher,
        timeout_s,
    }
}

/// Copilot CLI (camelCase events): the briefing at session start, the guards before a tool
/// runs, the known-mistake lookup after a tool failed, capture when the session ends.
pub const COPILOT_EVENTS: &[Event] = &[
    event("sessionStart", None, 10),
    event("preToolUse", None, 5),
    event("postToolUseFailure", None, 5),
    event("sessionEnd", None, 5),
];

/// Claude Code: the pre-tool guards only for tools that run commands or write files; the
/// failure lookup after any tool; `reflect` when a turn stops; capture when the session ends.
pub const CLAUDE_EVENTS: &[Event] = &[
    event("SessionStart", Some("startup|resume|clear|compact"), 10),
    event("PreToolUse", Some("Bash|Edit|MultiEdit|Write|NotebookEdit"), 5),
    event("PostToolUse", Some("*"), 5),
    event("PostToolUseFailure", Some("*"), 5),
    event("Stop", None, 5),
    event("SessionEnd", None, 5),
];

/// Codex CLI: the events its hook engine offers that sk's rules use (it has no session
/// end, so capture runs when a turn stops, as does `reflect`).
pub const CODEX_EVENTS: &[Event] = &[
    event("SessionStart", None, 10),
    event("PreToolUse", None, 5),
    event("PostToolUse", None, 5),
    event("Stop", None, 5),
];

pub fn events(agent: Agent) -> &'static [Event] {
    match agent {
        Agent::Copilot => COPILOT_EVENTS,
        Agent::Claude => CLAUDE_EVENTS,
        Agent::Codex => CODEX_EVENTS,
    }
}

/// The file that holds sk's registrations for `agent`.
pub fn hooks_file(paths: &Paths, agent: Agent) -> PathBuf {
    match agent {
        Agent::Copilot => paths.copilot_sk_hooks_file(),
        Agent::Claude => paths.claude_settings(),
        Agent::Codex => paths.codex_hooks_file(),
    }
}

fn purpose(agent: Agent) -> String {
    match agent {
        Agent::Copilot => "sk's Copilot CLI hook registrations (sk's own file)".into(),
        Agent::Claude => "Claude Code user settings (sk's hook entries merged in)".into(),
        Agent::Codex => "Codex CLI hooks (sk's entries merged in)".into(),
    }
}

/// The backup kept of a user's file before sk first changes it.
pub fn backup_path(file: &Path) -> PathBuf {
    sk_core::paths::sidecar(file, ".sk-backup")
}

/// `"/path/to/sk" hooks run --agent AGENT EVENT` for a POSIX shell: the path
/// double-quoted with the characters that stay special inside double quotes escaped. The
/// agent is named because Claude Code, Codex and Copilot's PascalCase mode send the same
/// payload shape.
pub fn sh_command(sk: &Path, agent: Agent, event: &str) -> String {
    let mut quoted = String::from("\"");
    for c in sk.to_string_lossy().chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    format!("{quoted} hooks run --agent {agent} {event}")
}

/// `& 'C:\…\sk.exe' hooks run --agent AGENT EVENT` for PowerShell (single quotes doubled).
pub fn powershell_command(sk: &Path, agent: Agent, event: &str) -> String {
    let path = sk.to_string_lossy().replace('\'', "''");
    format!("& '{path}' hooks run --agent {agent} {event}")
}

fn registrations(agent: Agent, sk: &Path) -> Vec<Registration> {
    events(agent)
        .iter()
        .map(|e| Registration {
            event: e.name,
            matcher: e.matcher,
            command: sh_command(sk, agent, e.name),
            timeout_s: e.timeout_s,
        })
        .collect()
}

/// Copilot's hook file: `version: 1` and one command hook per event, for bash and
/// PowerShell.
pub fn copilot_file(sk: &Path) -> Vec<u8> {
    let mut hooks = Map::new();
    for e in COPILOT_EVENTS {
        hooks.insert(
            e.name.into(),
            json!([{
                "type": "command",
                "bash": sh_command(sk, Agent::Copilot, e.name),
                "powershell": powershell_command(sk, Agent::Copilot, e.name),
                "timeoutSec": e.timeout_s,
            }]),
        );
    }
    settings::render(&json!({ "version": 1, "hooks": hooks }))
}

/// Reads a user's JSON settings file; a missing file is an empty object.
pub fn read_settings(path: &Path) -> Result<Option<(Vec<u8>, Value)>, ProvisionError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ProvisionError::Io {
                path: path.into(),
                error: e,
            });
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let doc = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(&text).map_err(|e| ProvisionError::InvalidJson {
            path: path.into(),
            detail: e.to_string(),
        })?
    };
    Ok(Some((bytes, doc)))
}

fn shape(path: &Path) -> impl FnOnce(settings::Shape) -> ProvisionError + '_ {
    move |s| ProvisionError::UnexpectedShape {
        path: path.into(),
        what: s.0,
    }
}

/// Registers `sk` (the absolute path of the binary hooks should run) with `agents`.
pub fn deploy_plan(paths: &Paths, agents: &[Agent], sk: &Path) -> Result<Plan, ProvisionError> {
    refuse_if_locked(paths)?;
    let mut plan = Plan::default();
    for &agent in agents {
        let path = hooks_file(paths, agent);
        let action = match agent {
            Agent::Copilot => {
                let wanted = copilot_file(sk);
                match std::fs::read(&path) {
                    Ok(current) if current == wanted => Action::Unchanged,
                    _ => Action::Write {
                        bytes: wanted,
                        backup: None,
                        mode: Some(0o644),
                    },
                }
            }
            Agent::Claude | Agent::Codex => match read_settings(&path)? {
                None => {
                    let mut doc = Value::Object(Map::new());
                    settings::merge(&mut doc, &registrations(agent, sk)).map_err(shape(&path))?;
                    Action::Write {
                        bytes: settings::render(&doc),
                        backup: None,
                        mode: Some(0o600),
                    }
                }
                Some((current, mut doc)) => {
                    settings::merge(&mut doc, &registrations(agent, sk)).map_err(shape(&path))?;
                    let wanted = settings::render(&doc);
                    if wanted == current {
                        Action::Unchanged
                    } else {
                        let backup = backup_path(&path);
                        Action::Write {
                            bytes: wanted,
                            backup: (!backup.exists()).then_some(backup),
                            mode: None,
                        }
                    }
                }
            },
        };
        plan.push(path, purpose(agent), action);
    }
    Ok(plan)
}

/// Removes sk's registrations from `agents`, and nothing else. A settings file that held
/// nothing but sk's hooks, and had no previous version (no backup), is removed.
pub fn undeploy_plan(paths: &Paths, agents: &[Agent]) -> Result<Plan, ProvisionError> {
    refuse_if_locked(paths)?;
    undeploy_plan_ignoring_lock(paths, agents)
}

/// [`undeploy_plan`] without the lock check, for `sk uninstall`, which unlocks (reporting
/// drift) before it applies the plan.
pub fn undeploy_plan_ignoring_lock(paths: &Paths, agents: &[Agent]) -> Result<Plan, ProvisionError> {
    let mut plan = Plan::default();
    for &agent in agents {
        let path = hooks_file(paths, agent);
        let action = match agent {
            Agent::Copilot if path.exists() => Action::Remove,
            Agent::Copilot => Action::Unchanged,
            Agent::Claude | Agent::Codex => match read_settings(&path)? {
                None => Action::Unchanged,
                Some((_, mut doc)) => {
                    if !settings::strip(&mut doc).map_err(shape(&path))? {
                        Action::Unchanged
                    } else if doc.as_object().is_some_and(Map::is_empty) && !backup_path(&path).exists() {
                        Action::Remove
                    } else {
                        Action::Write {
                            bytes: settings::render(&doc),
                            backup: None,
                            mode: None,
                        }
                    }
                }
            },
        };
        plan.push(path, purpose(agent), action);
    }
    Ok(plan)
}

/// Which agents currently have sk hooks registered, with their file.
pub fn deployed(paths: &Paths) -> Vec<(Agent, PathBuf)> {
    Agent::ALL
        .iter()
        .filter_map(|&agent| {
            let path = hooks_file(paths, agent);
            let present = match agent {
                Agent::Copilot => path.is_file(),
                Agent::Claude | Agent::Codex => {
                    matches!(read_settings(&path), Ok(Some((_, doc))) if settings::has_sk_hooks(&doc))
                }
            };
            present.then_some((agent, path))
        })
        .collect()
}

/// The sk binaries the deployed hooks run (normally one).
pub fn registered_programs(paths: &Paths) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for (agent, path) in deployed(paths) {
        let programs = match agent {
            Agent::Copilot => match read_settings(&path) {
                Ok(Some((_, doc))) => COPILOT_EVENTS
                    .iter()
                    .filter_map(|e| {
                        doc["hooks"][e.name][0]["bash"]
                            .as_str()
                            .and_then(settings::sk_program)
                    })
                    .collect(),
                _ => Vec::new(),
            },
            Agent::Claude | Agent::Codex => match read_settings(&path) {
                Ok(Some((_, doc))) => settings::sk_programs(&doc),
                _ => Vec::new(),
            },
        };
        for p in programs.into_iter().map(PathBuf::from) {
            if !found.contains(&p) {
                found.push(p);
            }
        }
    }
    found
}

fn refuse_if_locked(paths: &Paths) -> Result<(), ProvisionError> {
    if lock::is_locked(paths) {
        Err(ProvisionError::Locked)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_quote_paths_for_each_shell() {
        assert_eq!(
            sh_command(Path::new("/home/a b/$x/sk"), Agent::Claude, "PreToolUse"),
            "\"/home/a b/\\$x/sk\" hooks run --agent claude PreToolUse"
        );
        assert_eq!(
            powershell_command(
                Path::new("C:\\Users\\o'neil\\sk.exe"),
                Agent::Copilot,
                "preToolUse"
            ),
            "& 'C:\\Users\\o''neil\\sk.exe' hooks run --agent copilot preToolUse"
        );
        assert!(settings::is_sk_command(&sh_command(
            Path::new("/a b/sk"),
            Agent::Codex,
            "x"
        )));
        assert_eq!(
            settings::sk_program(&sh_command(Path::new("/a \"b\"/$x/sk"), Agent::Claude, "x")).as_deref(),
            Some("/a \"b\"/$x/sk"),
            "the program round-trips through the shell quoting"
        );
        assert!(settings::is_sk_command(&powershell_command(
            Path::new("C:\\a b\\sk.exe"),
            Agent::Copilot,
            "x"
        )));
    }

    #[test]
    fn copilot_file_registers_every_event_for_both_shells() {
        let doc: Value = serde_json::from_slice(&copilot_file(Path::new("/bin/sk"))).expect("json");
        assert_eq!(doc["version"], 1);
        for e in COPILOT_EVENTS {
            let hook = &doc["hooks"][e.name][0];
            assert_eq!(hook["type"], "command");
            assert_eq!(
                hook["bash"],
                format!("\"/bin/sk\" hooks run --agent copilot {}", e.name)
            );
            assert!(hook["powershell"].as_str().is_some_and(|c| c.ends_with(e.name)));
            assert_eq!(hook["timeoutSec"], e.timeout_s);
        }
    }
}
