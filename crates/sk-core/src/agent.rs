//! The coding agents whose logs sk reads. One registry so that parsing, printing and the
//! per-agent tables elsewhere cannot disagree about the spelling of a name.

use std::fmt;
use std::str::FromStr;

/// An AI coding agent that writes session logs sk can ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Agent {
    Copilot,
    Claude,
    Codex,
}

impl Agent {
    /// Every supported agent, in display order.
    pub const ALL: [Agent; 3] = [Agent::Copilot, Agent::Claude, Agent::Codex];

    /// The stable lowercase name stored in the database and accepted on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Copilot => "copilot",
            Agent::Claude => "claude",
            Agent::Codex => "codex",
        }
    }

    /// The variable that moves this agent's home (and so where its logs are looked for).
    pub fn home_var(self) -> crate::env::Var {
        match self {
            Agent::Copilot => crate::env::COPILOT_HOME,
            Agent::Claude => crate::env::CLAUDE_CONFIG_DIR,
            Agent::Codex => crate::env::CODEX_HOME,
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given was not one of [`Agent::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown agent `{0}` (expected copilot, claude or codex)")]
pub struct UnknownAgent(pub String);

impl FromStr for Agent {
    type Err = UnknownAgent;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Agent::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownAgent(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Agent::ALL {
            assert_eq!(a.as_str().parse::<Agent>().ok(), Some(a));
        }
        assert!("cursor".parse::<Agent>().is_err());
        assert_eq!("Claude".parse::<Agent>().ok(), Some(Agent::Claude));
    }
}
