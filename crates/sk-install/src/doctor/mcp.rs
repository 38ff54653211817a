//! The `mcp` check: sk's MCP server (`sk mcp`) is registered with the agents and runs a
//! binary that exists. Whether the entries match the signed manifest is the `hooks`
//! check's (the lock covers both).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn check_mcp(ctx: &Context, out: &mut Vec<Finding>) {
    use sk_provision::mcp;
    const N: &str = "mcp";
    let deployed = mcp::deployed(&ctx.paths);
    if deployed.is_empty() {
        return push(
            out,
            N,
            Level::Warn,
            "sk's MCP server is registered with no agent: agents cannot search sk mid-task",
            Some("sk hooks deploy".into()),
        );
    }
    let missing: Vec<String> = deployed
        .iter()
        .filter_map(|(agent, _)| mcp::registered_program(&ctx.paths, *agent))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        return push(
            out,
            N,
            Level::Fail,
            format!(
                "the MCP server registration runs {}, which does not exist: the agents cannot start it",
                missing.join(", ")
            ),
            Some(redeploy(&ctx.paths)),
        );
    }
    let names: Vec<String> = deployed.iter().map(|(a, _)| a.to_string()).collect();
    push(
        out,
        N,
        Level::Ok,
        format!("server registered for {}", names.join(", ")),
        None,
    );
}
