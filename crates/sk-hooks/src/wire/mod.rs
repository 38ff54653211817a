//! What an agent sends on stdin, per dialect, turned into one [`Invocation`]. Copilot CLI
//! sends camelCase fields; Claude Code, Codex and Copilot's PascalCase mode send snake_case
//! fields plus `hook_event_name` (hooks.md §1–3). Serde structs mirror those payloads;
//! unknown fields are ignored, so a newer agent adding fields never breaks a hook.

pub mod event;
pub mod output;
pub mod tool;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sk_core::{Agent, Paths};

pub use event::Event;
pub use tool::{Action, Tool};

/// The two wire conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Copilot CLI's own hooks (`preToolUse`, `toolArgs`).
    Camel,
    /// `hook_event_name` + snake_case fields (Claude Code, Codex, Copilot PascalCase mode).
    Snake,
}

/// One hook call, normalized.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub agent: Agent,
    pub dialect: Dialect,
    pub event: Event,
    pub session_id: Option<String>,
    pub cwd: Option<PathBuf>,
    pub transcript_path: Option<String>,
    /// SessionStart: startup, resume, clear, …
    pub source: Option<String>,
    pub tool: Option<Tool>,
    /// The error text of a failed tool call (post-tool events).
    pub failure: Option<String>,
    /// Stop: the agent is already continuing because a stop hook asked it to (Claude Code,
    /// Codex). A stop hook that blocks again now would loop.
    pub stop_hook_active: bool,
    /// The payload comes from inside a sub-agent: Claude Code adds `agent_id` to the hooks
    /// a sub-agent fires, and its transcripts live under `subagents/`.
    pub subagent: bool,
}

/// The payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("stdin is empty")]
    Empty,
    #[error("stdin is not a JSON object: {0}")]
    NotJson(String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CamelInput {
    session_id: Option<String>,
    cwd: Option<String>,
    source: Option<String>,
    transcript_path: Option<String>,
    tool_name: Option<String>,
    tool_args: Option<Value>,
    tool_result: Option<CamelToolResult>,
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CamelToolResult {
    result_type: Option<String>,
    text_result_for_llm: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SnakeInput {
    hook_event_name: Option<String>,
    session_id: Option<String>,
    transcript_path: Option<String>,
    cwd: Option<String>,
    source: Option<String>,
    tool_name: Option<String>,
    tool_input: Option<Value>,
    tool_response: Option<Value>,
    error: Option<Value>,
    stop_hook_active: Option<bool>,
    agent_id: Option<String>,
    /// Only Codex sends a turn id; it tells Codex apart from Claude Code.
    turn_id: Option<Value>,
}

/// Parses stdin for the event named on the command line. `agent` is `--agent` when the
/// deployed command names it; otherwise the dialect and the transcript path decide.
pub fn parse(
    stdin: &[u8],
    event_arg: &str,
    agent: Option<Agent>,
    paths: &Paths,
) -> Result<Invocation, WireError> {
    if stdin.iter().all(u8::is_ascii_whitespace) {
        return Err(WireError::Empty);
    }
    let value: serde_json::Map<String, Value> =
        serde_json::from_slice(stdin).map_err(|e| WireError::NotJson(e.to_string()))?;
    if value.contains_key("hook_event_name") {
        let input: SnakeInput =
            serde_json::from_value(Value::Object(value)).map_err(|e| WireError::NotJson(e.to_string()))?;
        Ok(from_snake(input, event_arg, agent, paths))
    } else {
        let input: CamelInput =
            serde_json::from_value(Value::Object(value)).map_err(|e| WireError::NotJson(e.to_string()))?;
        Ok(from_camel(input, event_arg, agent))
    }
}

fn from_camel(input: CamelInput, event_arg: &str, agent: Option<Agent>) -> Invocation {
    let event = Event::parse(event_arg);
    let tool = input.tool_name.map(|name| {
        Tool::new(
            &name,
            input.tool_args.map(tool::args_object).unwrap_or(Value::Null),
        )
    });
    let failure = match event {
        Event::PostToolUseFailure => Some(input.error.as_ref().map(error_text).unwrap_or_default()),
        Event::PostToolUse => input
            .tool_result
            .filter(|r| {
                r.result_type
                    .as_deref()
                    .is_some_and(|t| t == "failure" || t == "error")
            })
            .map(|r| r.text_result_for_llm.unwrap_or_default()),
        _ => None,
    };
    Invocation {
        agent: agent.unwrap_or(Agent::Copilot),
        dialect: Dialect::Camel,
        event,
        session_id: input.session_id,
        cwd: input.cwd.map(PathBuf::from),
        transcript_path: input.transcript_path,
        source: input.source,
        tool,
        failure,
        stop_hook_active: false,
        subagent: false,
    }
}

fn from_snake(input: SnakeInput, event_arg: &str, agent: Option<Agent>, paths: &Paths) -> Invocation {
    // The payload names its own event; the argument is the fallback for an empty name.
    let named = input.hook_event_name.as_deref().map(Event::parse);
    let event = match named {
        Some(e) if e != Event::Other => e,
        _ => Event::parse(event_arg),
    };
    let agent = agent.unwrap_or_else(|| snake_agent(&input, paths));
    let tool = input.tool_name.map(|name| {
        Tool::new(
            &name,
            input.tool_input.map(tool::args_object).unwrap_or(Value::Null),
        )
    });
    let failure = match event {
        Event::PostToolUseFailure => Some(
            input
                .error
                .as_ref()
                .map(error_text)
                .or_else(|| input.tool_response.as_ref().map(error_text))
                .unwrap_or_default(),
        ),
        Event::PostToolUse => input
            .error
            .as_ref()
            .map(error_text)
            .filter(|e| !e.is_empty())
            .or_else(|| input.tool_response.as_ref().and_then(failed_response)),
        _ => None,
    };
    let subagent = input.agent_id.as_deref().is_some_and(|a| !a.is_empty())
        || input
            .transcript_path
            .as_deref()
            .is_some_and(|t| Path::new(t).components().any(|c| c.as_os_str() == "subagents"));
    Invocation {
        agent,
        dialect: Dialect::Snake,
        event,
        session_id: input.session_id,
        cwd: input.cwd.map(PathBuf::from),
        transcript_path: input.transcript_path,
        source: input.source,
        tool,
        failure,
        stop_hook_active: input.stop_hook_active.unwrap_or(false),
        subagent,
    }
}

/// Claude Code, Codex and Copilot's PascalCase mode share a wire format: Codex sends a
/// `turn_id`, and each agent keeps its transcripts under its own home.
fn snake_agent(input: &SnakeInput, paths: &Paths) -> Agent {
    if input.turn_id.is_some() {
        return Agent::Codex;
    }
    let Some(t) = input.transcript_path.as_deref() else {
        return Agent::Claude;
    };
    let t = Path::new(t);
    if t.starts_with(&paths.codex_home) || t.components().any(|c| c.as_os_str() == ".codex") {
        Agent::Codex
    } else if t.starts_with(&paths.copilot_home) || t.components().any(|c| c.as_os_str() == ".copilot") {
        Agent::Copilot
    } else {
        Agent::Claude
    }
}

/// An error given as a string, `{message}`, or anything else (its JSON text).
fn error_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) => ["message", "error", "stderr", "output"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string()),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A PostToolUse response that reports a failure: `is_error`/`success: false`, a non-zero
/// exit code, or Codex's text output ending in a non-zero exit code.
fn failed_response(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => {
            let flagged = o.get("is_error").and_then(Value::as_bool) == Some(true)
                || o.get("success").and_then(Value::as_bool) == Some(false)
                || ["exit_code", "exitCode", "returncode"]
                    .iter()
                    .any(|k| o.get(*k).and_then(Value::as_i64).is_some_and(|c| c != 0));
            if !flagged {
                return None;
            }
            let text: Vec<&str> = ["error", "stderr", "stdout", "output", "content"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_str))
                .filter(|s| !s.trim().is_empty())
                .collect();
            Some(text.join("\n"))
        }
        Value::String(s) => {
            let lower = s.to_ascii_lowercase();
            let code = ["exit code: ", "exited with code "]
                .iter()
                .find_map(|m| lower.split_once(m).map(|(_, rest)| rest))
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit() && c != '-').next())
                .and_then(|n| n.parse::<i64>().ok());
            code.filter(|c| *c != 0).map(|_| s.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths() -> Paths {
        let env = sk_core::env::MapEnv(vec![("HOME", "/h".into())]);
        Paths::resolve(&env, None).expect("home")
    }

    #[test]
    fn dialect_and_agent_detection() {
        let p = paths();
        let camel = parse(
            br#"{"sessionId":"s","cwd":"/r","toolName":"bash","toolArgs":"{\"command\":\"ls\"}"}"#,
            "preToolUse",
            None,
            &p,
        )
        .expect("camel");
        assert_eq!(
            (camel.agent, camel.dialect, camel.event),
            (Agent::Copilot, Dialect::Camel, Event::PreToolUse)
        );
        let claude = parse(br#"{"hook_event_name":"PreToolUse","transcript_path":"/h/.claude/projects/x.jsonl","tool_name":"Bash","tool_input":{"command":"ls"}}"#, "PreToolUse", None, &p).expect("claude");
        assert_eq!((claude.agent, claude.dialect), (Agent::Claude, Dialect::Snake));
        let codex = parse(
            br#"{"hook_event_name":"SessionStart","turn_id":"t1"}"#,
            "SessionStart",
            None,
            &p,
        )
        .expect("codex");
        assert_eq!(codex.agent, Agent::Codex);
        let pascal = parse(br#"{"hook_event_name":"PreToolUse","transcript_path":"/h/.copilot/session-state/a/events.jsonl"}"#, "PreToolUse", None, &p).expect("copilot pascal");
        assert_eq!((pascal.agent, pascal.dialect), (Agent::Copilot, Dialect::Snake));
        let forced = parse(br#"{"hook_event_name":"Stop"}"#, "Stop", Some(Agent::Codex), &p).expect("flag");
        assert_eq!(forced.agent, Agent::Codex);
        assert!(matches!(parse(b" \n", "Stop", None, &p), Err(WireError::Empty)));
        assert!(matches!(
            parse(b"[1]", "Stop", None, &p),
            Err(WireError::NotJson(_))
        ));
    }

    #[test]
    fn stop_payloads_say_whether_a_stop_hook_is_active_and_whether_it_is_a_sub_agent() {
        let p = paths();
        let stop = |json: &str| parse(json.as_bytes(), "Stop", None, &p).expect("stop");
        let main = stop(
            r#"{"hook_event_name":"Stop","session_id":"s","transcript_path":"/h/.claude/projects/p/s.jsonl","stop_hook_active":false}"#,
        );
        assert_eq!(
            (main.event, main.stop_hook_active, main.subagent),
            (Event::Stop, false, false)
        );
        assert!(stop(r#"{"hook_event_name":"Stop","stop_hook_active":true}"#).stop_hook_active);
        assert!(stop(r#"{"hook_event_name":"Stop","agent_id":"a1","agent_type":"Explore"}"#).subagent);
        assert!(
            stop(r#"{"hook_event_name":"Stop","transcript_path":"/h/.claude/projects/p/s/subagents/agent-a1.jsonl"}"#)
                .subagent
        );
    }

    #[test]
    fn failures_are_found_in_each_shape() {
        assert_eq!(error_text(&json!({"message": "boom"})), "boom");
        assert_eq!(
            failed_response(&json!({"stdout": "", "stderr": "E0433", "exit_code": 101})).as_deref(),
            Some("E0433")
        );
        assert_eq!(failed_response(&json!({"stdout": "ok", "exit_code": 0})), None);
        assert!(failed_response(&json!("Exit code: 1\nerror: x")).is_some());
        assert_eq!(failed_response(&json!("Exit code: 0\nfine")), None);
        assert!(failed_response(&json!("— é\nexit code: 2 — ü")).is_some());
    }
}
