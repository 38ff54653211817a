//! What `sk hooks run` answers, in exactly the shape the calling agent reads (hooks.md):
//! Copilot camelCase `permissionDecision` JSON, exit 2 + stderr for failure guidance, or
//! `hookSpecificOutput` for Claude Code, Codex and Copilot's PascalCase mode, and the
//! top-level `{"decision":"block","reason"}` with which a Stop hook keeps the agent working
//! one more turn. When there is nothing to say, nothing is printed — except Codex
//! SessionStart, whose validator insists on an `additionalContext`.

use serde_json::json;
use sk_core::Agent;

use super::{Dialect, Event};

/// A decision a rule took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Deny(String),
    /// Let the user decide (used for warnings on a known mistake).
    Ask(String),
    /// At Stop: do not stop yet; the reason is the agent's prompt for one more turn.
    Continue(String),
}

impl Decision {
    /// A permission decision as every dialect spells it, and its reason.
    fn permission(&self) -> Option<(&'static str, &str)> {
        match self {
            Decision::Deny(r) => Some(("deny", r)),
            Decision::Ask(r) => Some(("ask", r)),
            Decision::Continue(_) => None,
        }
    }

    /// The Stop answer all three agents read (hooks.md; Codex's stop.command.output schema):
    /// `decision: "block"` with a non-empty reason.
    fn stop_block(&self) -> Option<Answer> {
        match self {
            Decision::Continue(r) if !r.trim().is_empty() => {
                Some(stdout(json!({"decision": "block", "reason": r})))
            }
            _ => None,
        }
    }
}

/// Everything the rules want to tell the agent for one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub decision: Option<Decision>,
    /// Text for the model's context (briefings, known fixes).
    pub context: Vec<String>,
}

/// The process result: stdout, stderr, exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub stdout: String,
    pub stderr: String,
    pub exit: u8,
}

/// Renders `response` for the caller. `agent` only matters for Codex's SessionStart rule.
pub fn render(agent: Agent, dialect: Dialect, event: Event, response: &Response) -> Answer {
    let context = response.context.join("\n\n");
    match dialect {
        Dialect::Camel => camel(event, response, context),
        Dialect::Snake => snake(agent, event, response, context),
    }
}

fn camel(event: Event, response: &Response, context: String) -> Answer {
    let decision = response.decision.as_ref();
    match event {
        Event::PreToolUse => match decision.and_then(Decision::permission) {
            Some((decision, reason)) => {
                stdout(json!({"permissionDecision": decision, "permissionDecisionReason": reason}))
            }
            None => Answer::default(),
        },
        Event::Stop => decision.and_then(Decision::stop_block).unwrap_or_default(),
        // Copilot gives stderr of an exit-2 postToolUseFailure hook to the model.
        Event::PostToolUseFailure if !context.is_empty() => Answer {
            stdout: String::new(),
            stderr: context + "\n",
            exit: 2,
        },
        Event::SubagentStart | Event::Notification if !context.is_empty() => {
            stdout(json!({"additionalContext": context}))
        }
        _ => Answer::default(),
    }
}

fn snake(agent: Agent, event: Event, response: &Response, context: String) -> Answer {
    let name = event.pascal();
    let decision = response.decision.as_ref();
    match event {
        Event::PreToolUse => match decision.and_then(Decision::permission) {
            Some((decision, reason)) => stdout(json!({"hookSpecificOutput": {
                "hookEventName": name,
                "permissionDecision": decision,
                "permissionDecisionReason": reason,
            }})),
            None => Answer::default(),
        },
        Event::Stop => decision.and_then(Decision::stop_block).unwrap_or_default(),
        Event::SessionStart if agent == Agent::Codex => stdout(json!({"hookSpecificOutput": {
            "hookEventName": name,
            "additionalContext": context,
        }})),
        Event::SessionStart
        | Event::UserPrompt
        | Event::PostToolUse
        | Event::PostToolUseFailure
        | Event::SubagentStart
            if !context.is_empty() =>
        {
            stdout(json!({"hookSpecificOutput": {"hookEventName": name, "additionalContext": context}}))
        }
        _ => Answer::default(),
    }
}

/// What is printed when sk could not run at all (bad stdin, no home): nothing, except the
/// one answer Codex's SessionStart validator requires.
pub fn fail_open(agent: Option<Agent>, event: Event) -> Answer {
    if agent == Some(Agent::Codex) && event == Event::SessionStart {
        return render(Agent::Codex, Dialect::Snake, event, &Response::default());
    }
    Answer::default()
}

fn stdout(v: serde_json::Value) -> Answer {
    Answer {
        stdout: format!("{v}\n"),
        stderr: String::new(),
        exit: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_say_prints_nothing_except_codex_session_start() {
        let empty = Response::default();
        for agent in Agent::ALL {
            for dialect in [Dialect::Camel, Dialect::Snake] {
                for event in Event::all() {
                    let a = render(agent, dialect, event, &empty);
                    let codex_start =
                        agent == Agent::Codex && dialect == Dialect::Snake && event == Event::SessionStart;
                    assert_eq!(a.stdout.is_empty(), !codex_start, "{agent} {dialect:?} {event:?}");
                    assert_eq!(a.exit, 0);
                }
            }
        }
        assert_eq!(
            fail_open(Some(Agent::Codex), Event::SessionStart).stdout,
            "{\"hookSpecificOutput\":{\"hookEventName\":\"SessionStart\",\"additionalContext\":\"\"}}\n"
        );
    }

    #[test]
    fn continue_blocks_a_stop_and_nothing_else() {
        let go_on = Response {
            decision: Some(Decision::Continue("record it".into())),
            context: Vec::new(),
        };
        for agent in Agent::ALL {
            for dialect in [Dialect::Camel, Dialect::Snake] {
                for event in Event::all() {
                    let a = render(agent, dialect, event, &go_on);
                    match event {
                        Event::Stop => assert_eq!(
                            a.stdout, "{\"decision\":\"block\",\"reason\":\"record it\"}\n",
                            "{agent} {dialect:?}"
                        ),
                        Event::SessionStart if agent == Agent::Codex && dialect == Dialect::Snake => {
                            assert!(!a.stdout.contains("block"))
                        }
                        _ => assert_eq!(a.stdout, "", "{agent} {dialect:?} {event:?}"),
                    }
                    assert_eq!(a.exit, 0);
                }
            }
        }
        let blank = Response {
            decision: Some(Decision::Continue(" ".into())),
            context: Vec::new(),
        };
        assert_eq!(
            render(Agent::Claude, Dialect::Snake, Event::Stop, &blank).stdout,
            "",
            "a block without a reason is invalid output for Codex and Claude Code"
        );
    }
}
