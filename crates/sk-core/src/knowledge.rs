//! The kinds of knowledge sk keeps. One registry so the CLI flags (`sk learn --mistake`),
//! the database CHECK constraint and the extractors agree on the spelling.

use std::fmt;
use std::str::FromStr;

/// The least confidence an entry needs to be shown without asking: in `sk query`, `sk
/// brief`, the session-start briefing and the hooks' failure lookup. An extracted entry's
/// confidence is its quality — the sum of the signals its rule documents (a specific error
/// message, a fix that can be stated, a reason given, recurrence) — and 0.55 is what an
/// entry reaches with at least one such signal beyond its rule's base. Entries below stay
/// stored and searchable (`sk query --all-quality`, `sk brief --all-quality`, `sk show`);
/// the hooks' lookup floor is `[lookup] min_confidence` in the hooks config.
pub const SHOWN_MIN_CONFIDENCE: f64 = 0.55;

/// What a knowledge entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Something that went wrong, ideally with what fixed it.
    Mistake,
    /// A convention or a way of doing things that works here.
    Pattern,
    /// A choice that was made, with its reason.
    Decision,
    /// How to use a tool, command or API.
    Tool,
    /// What a feature does or how it was built.
    Feature,
    /// A structural change to the code.
    Refactor,
    /// A fact learned about the code base or its environment.
    Discovery,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Mistake,
        Category::Pattern,
        Category::Decision,
        Category::Tool,
        Category::Feature,
        Category::Refactor,
        Category::Discovery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Mistake => "mistake",
            Category::Pattern => "pattern",
            Category::Decision => "decision",
            Category::Tool => "tool",
            Category::Feature => "feature",
            Category::Refactor => "refactor",
            Category::Discovery => "discovery",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given was not one of [`Category::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown category `{0}` (expected mistake, pattern, decision, tool, feature, refactor or discovery)")]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownCategory(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().ok(), Some(c));
        }
        assert!("bug".parse::<Category>().is_err());
    }
}
