//! `sk mcp`: serve the knowledge base over the Model Context Protocol on stdin/stdout until
//! the client hangs up. Everything but starting it lives in `sk-mcp`.

use std::process::ExitCode;

use anyhow::Context;
use sk_core::Paths;

pub fn run(paths: Paths) -> anyhow::Result<ExitCode> {
    // The agent starts the server in its project: that repository is the default for
    // briefings and lessons, as the current directory is for `sk brief` and `sk learn`.
    let cwd = std::env::current_dir().ok();
    sk_mcp::serve_stdio(paths, cwd, super::stop::signal()).context("sk mcp")?;
    Ok(ExitCode::SUCCESS)
}
