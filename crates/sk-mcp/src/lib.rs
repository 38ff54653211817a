//! `sk mcp`: the knowledge base as a Model Context Protocol server over stdio, so an agent
//! can *pull* from it mid-task — search past sessions, open one, read an entry, get a
//! briefing, record a lesson — without a shell command the user must approve each time.
//!
//! Built on the official Rust SDK (`rmcp`), which does the framing, the protocol version
//! negotiation and the JSON-RPC errors. The tools are thin: each reads through `sk-query`
//! (or records through `sk-index`'s `learn`, as `sk learn` does) and answers with compact
//! text for the model plus `structuredContent` that is exactly the CLI's `--json` result
//! type. Only this crate starts an async runtime (a single-threaded one); the hook path
//! never links its way here.

mod params;
mod server;
mod text;
mod tools;

use std::path::PathBuf;
use std::time::Duration;

use rmcp::ServiceExt;
use sk_core::Paths;

pub use server::{INSTRUCTIONS, Server};

/// How `sk mcp` stopped other than by its client closing stdin or a signal.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the MCP session failed: {0}")]
    Session(String),
}

/// Serves MCP on stdin/stdout until the client closes stdin (EOF) or `stop` resolves (the
/// binary's SIGTERM / SIGINT). Nothing but protocol messages is ever written to stdout.
pub fn serve_stdio(
    paths: Paths,
    cwd: Option<PathBuf>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), McpError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(McpError::Runtime)?;
    let outcome = rt.block_on(async move {
        let server = Server::new(paths, cwd);
        // One stop future for the whole run: a signal that arrives between the handshake and
        // serving is kept for the second wait, not lost with the first.
        tokio::pin!(stop);
        // Non-blocking pipes when the client started us with pipes (every MCP client does),
        // so that shutting down never waits on a blocked read of stdin.
        let running = tokio::select! {
            started = server.serve(rmcp::transport::stdio_pipes()) => match started {
                Ok(running) => running,
                // The client went away before or during the handshake: nothing to serve.
                Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
                Err(e) => return Err(McpError::Session(e.to_string())),
            },
            () = &mut stop => return Ok(()),
        };
        let cancel = running.cancellation_token();
        tokio::select! {
            done = running.waiting() => done.map(|_| ()).map_err(|e| McpError::Session(e.to_string())),
            () = &mut stop => {
                cancel.cancel();
                Ok(())
            }
        }
    });
    // A read of stdin on the blocking fallback cannot be cancelled: do not wait for it.
    rt.shutdown_timeout(Duration::from_millis(100));
    outcome
}
