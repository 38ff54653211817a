//! The tools' arguments as the model sends them (wire types), with the JSON schemas the
//! server advertises. Enumerations take their values from the domain tables (`Agent::ALL`,
//! `Category::ALL`), so a new category reaches the schema without an edit here.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use sk_core::{Agent, Category};

fn one_of(values: Vec<&'static str>, what: &str) -> Schema {
    json_schema!({ "type": "string", "enum": values, "description": what })
}

fn agent_schema(_: &mut SchemaGenerator) -> Schema {
    one_of(
        Agent::ALL.iter().map(|a| a.as_str()).collect(),
        "Only this agent's sessions.",
    )
}

fn category_schema(_: &mut SchemaGenerator) -> Schema {
    one_of(
        Category::ALL.iter().map(|c| c.as_str()).collect(),
        "Knowledge category.",
    )
}

/// What a search returns: knowledge entries and sessions in one ranked list (`all`, the
/// default), or one of them.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    #[default]
    All,
    Knowledge,
    Session,
}

impl SearchKind {
    pub fn domain(self) -> sk_query::Kind {
        match self {
            SearchKind::All => sk_query::Kind::All,
            SearchKind::Knowledge => sk_query::Kind::Knowledge,
            SearchKind::Session => sk_query::Kind::Session,
        }
    }
}

/// `search`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to look for, as you would remember them ("migration lock timeout"). `"a phrase"` in quotes; `-word` excludes. May be empty when `category` lists a category.
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub kind: SearchKind,
    #[serde(default)]
    #[schemars(schema_with = "category_schema")]
    pub category: Option<Category>,
    #[serde(default)]
    #[schemars(schema_with = "agent_schema")]
    pub agent: Option<Agent>,
    /// Only this repository (`owner/name`, or part of it).
    #[serde(default)]
    pub repo: Option<String>,
    /// Only after this point: `YYYY-MM-DD`, an RFC 3339 time, or a duration ago (`7d`, `12h`).
    #[serde(default)]
    pub since: Option<String>,
    /// Only before this point, same forms as `since`.
    #[serde(default)]
    pub until: Option<String>,
    /// Only records and entries about this file (exact path, or a path ending in `/<file>`).
    #[serde(default)]
    pub file: Option<String>,
    /// At most this many hits (default 10).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Answer size in tokens (about 4 characters each); whole hits are dropped to fit (default 1000).
    #[serde(default)]
    pub budget_tokens: Option<usize>,
}

/// `session`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    /// The session: `agent:id` as search hits give it, the agent's own id, or a unique prefix.
    pub id: String,
    /// First timeline step to return (0 = the start); pass the previous answer's `page.next_offset` to read on.
    #[serde(default)]
    pub offset: Option<usize>,
    /// At most this many timeline steps (default 60).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Answer size in tokens (default 2000); steps are dropped from the end of the page to fit.
    #[serde(default)]
    pub budget_tokens: Option<usize>,
}

/// `brief`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefParams {
    /// What you are about to do, in a sentence ("add retry to the upload client").
    pub task: String,
    /// Files you expect to touch: known mistakes about them are included.
    #[serde(default)]
    pub files: Vec<String>,
    /// The repository (`owner/name`); default: the one the server was started in.
    #[serde(default)]
    pub repo: Option<String>,
    /// Answer size in tokens (default 500).
    #[serde(default)]
    pub budget_tokens: Option<usize>,
}

/// `show`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowParams {
    /// The entry id (search hits of kind `knowledge` give it).
    pub id: i64,
}

/// `learn`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LearnParams {
    #[schemars(schema_with = "category_schema")]
    pub category: Category,
    /// One line that is readable on its own (at most 100 characters).
    pub title: String,
    /// What happened and what fixed it, or the decision and why. Plain statements only.
    pub body: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Files it concerns.
    #[serde(default)]
    pub files: Vec<String>,
    /// The repository it belongs to (`owner/name`); default: the one the server was started in.
    #[serde(default)]
    pub repo: Option<String>,
    /// True: it holds in every repository, not just this one.
    #[serde(default)]
    pub global: bool,
    /// A task or issue id it belongs to.
    #[serde(default)]
    pub task: Option<String>,
}

/// `sessions`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsParams {
    #[serde(default)]
    #[schemars(schema_with = "agent_schema")]
    pub agent: Option<Agent>,
    /// Only sessions whose repository contains this text.
    #[serde(default)]
    pub repo: Option<String>,
    /// Only sessions started after this point: `YYYY-MM-DD` or a duration ago (`7d`, `12h`).
    #[serde(default)]
    pub since: Option<String>,
    /// At most this many sessions, newest first (default 20).
    #[serde(default)]
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enum_of(schema: &serde_json::Value, field: &str) -> Vec<String> {
        schema["properties"][field]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {schema}"))
            .iter()
            .map(|v| v.as_str().expect("string").to_string())
            .collect()
    }

    #[test]
    fn enumerations_come_from_the_domain_tables() {
        let learn = serde_json::to_value(schemars::schema_for!(LearnParams)).expect("schema");
        let categories: Vec<String> = Category::ALL.iter().map(|c| c.as_str().to_string()).collect();
        assert_eq!(enum_of(&learn, "category"), categories);
        assert_eq!(
            learn["required"],
            serde_json::json!(["category", "title", "body"])
        );
        let search = serde_json::to_value(schemars::schema_for!(SearchParams)).expect("schema");
        let agents: Vec<String> = Agent::ALL.iter().map(|a| a.as_str().to_string()).collect();
        assert_eq!(enum_of(&search, "agent"), agents);
        assert_eq!(enum_of(&search, "category"), categories);
    }

    #[test]
    fn arguments_parse_as_a_model_sends_them() {
        let p: SearchParams =
            serde_json::from_value(serde_json::json!({"query": "lock", "agent": "codex", "kind": "session"}))
                .expect("parse");
        assert_eq!(p.agent, Some(Agent::Codex));
        assert!(matches!(p.kind, SearchKind::Session));
        assert!(serde_json::from_value::<SearchParams>(serde_json::json!({"qeury": "typo"})).is_err());
        assert!(serde_json::from_value::<ShowParams>(serde_json::json!({"id": "7"})).is_err());
    }
}
