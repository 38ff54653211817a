//! The MCP server: its tools (name, description for a model, argument schema), the
//! instructions it gives the model at initialization, and the mapping of a tool's outcome
//! to a `CallToolResult`. Unknown tools are protocol errors (the SDK's router answers
//! them); arguments that do not match a schema, and a tool that ran and failed, answer
//! with `isError` and a sentence the model can act on.

use std::path::PathBuf;
use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use sk_core::Paths;

use crate::params::{BriefParams, LearnParams, SearchParams, SessionParams, SessionsParams, ShowParams};
use crate::tools::{self, Reply, State, ToolError};

/// What the model is told once, at initialization: when to reach for which tool.
pub const INSTRUCTIONS: &str = "\
sk is the user's memory of past coding-agent sessions (Claude Code, Codex, Copilot) and the knowledge learned in them.
- Before a task: `brief` with the task (and files) for known mistakes and their fixes, conventions, decisions and related sessions.
- When something fails or looks familiar, or the user says \"like last time\": `search` in your own words; hits name a knowledge entry (`show` ID) or a session (`session` ID).
- `session` pages through one session's steps (offset/limit); `sessions` lists recent ones.
- After you learn something the next session should know (a mistake and its fix, a decision, a convention): `learn` it, as a plain statement.";

#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
    tool_router: ToolRouter<Server>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A tool's outcome as MCP carries it.
fn answer(outcome: Result<Reply, ToolError>) -> Result<CallToolResult, ErrorData> {
    Ok(match outcome {
        Ok(reply) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(reply.text)]);
            result.structured_content = Some(reply.structured);
            result
        }
        Err(e) => CallToolResult::error(vec![ContentBlock::text(format!("error: {e}"))]),
    })
}

#[tool_router]
impl Server {
    pub fn new(paths: Paths, cwd: Option<PathBuf>) -> Server {
        Server {
            state: Arc::new(State::new(paths, cwd)),
            tool_router: Server::tool_router(),
        }
    }

    #[tool(
        description = "Search past agent sessions and the knowledge learned in them (mistakes with their fixes, decisions, conventions), ranked like `sk query`. Use it when an error or task looks familiar or the user refers to earlier work. Each hit gives an id: open a knowledge hit with `show`, a session hit with `session`. Returns compact lines and the full `sk query --json` result.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search(&self, Parameters(p): Parameters<SearchParams>) -> Result<CallToolResult, ErrorData> {
        answer(tools::search(&self.state, p))
    }

    #[tool(
        description = "One past session's timeline, a page at a time: prompts, answers, each tool call with ✓/✗ and the first line of its error, compactions. Pass `page.next_offset` back as `offset` to read on. Also lists the knowledge extracted from it. The structured result is `sk session --json` plus `page`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn session(&self, Parameters(p): Parameters<SessionParams>) -> Result<CallToolResult, ErrorData> {
        answer(tools::session(&self.state, p))
    }

    #[tool(
        description = "A briefing before you start a task: known mistakes relevant to the task or its files (with their fixes), conventions, decisions, related past sessions and mistake-prone files, within a token budget. Call it once at the start of a task. The structured result is `sk brief --json`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn brief(&self, Parameters(p): Parameters<BriefParams>) -> Result<CallToolResult, ErrorData> {
        answer(tools::brief(&self.state, p))
    }

    #[tool(
        description = "One knowledge entry by id: its full text, files, confidence, the sessions it was learned in and related entries. The structured result is `sk show --json`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn show(&self, Parameters(p): Parameters<ShowParams>) -> Result<CallToolResult, ErrorData> {
        answer(tools::show(&self.state, p))
    }

    #[tool(
        description = "Recent sessions, newest first, with their first prompt and counts of prompts, tool calls and failures; filter by agent, repository or start time. The structured result is `sk sessions --json`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn sessions(&self, Parameters(p): Parameters<SessionsParams>) -> Result<CallToolResult, ErrorData> {
        answer(tools::sessions(&self.state, p))
    }

    #[tool(
        description = "Record a lesson for later sessions, as `sk learn --source agent` does: a mistake and what fixed it, a decision and why, a convention, a tool's quirk. A plain statement (text that tries to instruct an agent is refused, and the refusal says why). It belongs to this repository unless `global` or `repo` says otherwise; a repeat merges into the existing entry. When the database is busy it is queued and stored later.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn learn(&self, Parameters(p): Parameters<LearnParams>) -> Result<CallToolResult, ErrorData> {
        answer(tools::learn(&self.state, p))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("sk", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_tools_each_with_an_object_schema_and_a_description() {
        let paths = Paths::resolve(&sk_core::env::MapEnv(vec![("HOME", "/nonexistent".into())]), None)
            .expect("paths");
        let server = Server::new(paths, None);
        let mut names: Vec<String> = server
            .tool_router
            .list_all()
            .iter()
            .map(|t| {
                assert_eq!(
                    t.input_schema.get("type").and_then(|v| v.as_str()),
                    Some("object"),
                    "{}",
                    t.name
                );
                assert!(
                    t.description.as_deref().is_some_and(|d| d.len() > 80),
                    "{}",
                    t.name
                );
                t.name.to_string()
            })
            .collect();
        names.sort();
        assert_eq!(names, ["brief", "learn", "search", "session", "sessions", "show"]);
        let info = server.get_info();
        assert!(info.capabilities.tools.is_some());
        assert_eq!(info.instructions.as_deref(), Some(INSTRUCTIONS));
    }
}
