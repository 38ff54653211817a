//! Hook events under one name each. Copilot CLI spells them in camelCase
//! (`preToolUse`, `agentStop`), Claude Code and Codex in PascalCase (`PreToolUse`, `Stop`);
//! rules match on this enum so a spelling difference cannot silently skip a rule.

use serde::Serialize;

/// A lifecycle point an agent calls `sk hooks run` at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    SessionStart,
    SessionEnd,
    UserPrompt,
    PreToolUse,
    PostToolUse,
    PostToolUseFailure,
    PermissionRequest,
    /// Claude/Codex `Stop`, Copilot `agentStop`: the agent finished its turn.
    Stop,
    SubagentStart,
    SubagentStop,
    PreCompact,
    Notification,
    ErrorOccurred,
    /// A name no agent documents (yet): answered with nothing.
    Other,
}

/// (event, Copilot camelCase name, Claude/Codex PascalCase name).
const NAMES: &[(Event, &str, &str)] = &[
    (Event::SessionStart, "sessionStart", "SessionStart"),
    (Event::SessionEnd, "sessionEnd", "SessionEnd"),
    (Event::UserPrompt, "userPromptSubmitted", "UserPromptSubmit"),
    (Event::PreToolUse, "preToolUse", "PreToolUse"),
    (Event::PostToolUse, "postToolUse", "PostToolUse"),
    (
        Event::PostToolUseFailure,
        "postToolUseFailure",
        "PostToolUseFailure",
    ),
    (Event::PermissionRequest, "permissionRequest", "PermissionRequest"),
    (Event::Stop, "agentStop", "Stop"),
    (Event::SubagentStart, "subagentStart", "SubagentStart"),
    (Event::SubagentStop, "subagentStop", "SubagentStop"),
    (Event::PreCompact, "preCompact", "PreCompact"),
    (Event::Notification, "notification", "Notification"),
    (Event::ErrorOccurred, "errorOccurred", "ErrorOccurred"),
];

impl Event {
    /// Every named event, in documentation order.
    pub fn all() -> impl Iterator<Item = Event> {
        NAMES.iter().map(|(e, _, _)| *e)
    }

    /// Accepts either spelling (and `UserPromptSubmitted`, which Copilot's PascalCase mode
    /// may send); anything else is [`Event::Other`].
    pub fn parse(name: &str) -> Event {
        let name = name.trim();
        NAMES
            .iter()
            .find(|(_, camel, pascal)| name == *camel || name == *pascal || name.eq_ignore_ascii_case(camel))
            .map(|(e, _, _)| *e)
            .unwrap_or(Event::Other)
    }

    /// The Claude Code / Codex name, used for `hookSpecificOutput.hookEventName`.
    pub fn pascal(self) -> &'static str {
        NAMES
            .iter()
            .find(|(e, _, _)| *e == self)
            .map(|(_, _, p)| *p)
            .unwrap_or("Other")
    }

    /// The Copilot CLI name.
    pub fn camel(self) -> &'static str {
        NAMES
            .iter()
            .find(|(e, _, _)| *e == self)
            .map(|(_, c, _)| *c)
            .unwrap_or("other")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_round_trip_and_names_are_unique() {
        for e in Event::all() {
            assert_eq!(Event::parse(e.camel()), e);
            assert_eq!(Event::parse(e.pascal()), e);
        }
        for (i, a) in NAMES.iter().enumerate() {
            for b in &NAMES[i + 1..] {
                assert_ne!(a.0, b.0);
                assert_ne!(a.1, b.1);
                assert_ne!(a.2, b.2);
            }
        }
        assert_eq!(Event::parse("UserPromptSubmitted"), Event::UserPrompt);
        assert_eq!(Event::parse("nonsense"), Event::Other);
    }
}
