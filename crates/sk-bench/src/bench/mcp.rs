//! The `sk mcp` latency benchmark's client: a minimal JSON-RPC-over-stdio driver (one
//! request in flight, newline-delimited), enough to time a warm server's `tools/call`
//! round trips and a cold start to the first answer. Not a conformance client: the Python
//! SDK test (crates/sk/tests/it/mcp.rs) is that.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::report::{Bound, Target};

/// Warm `search`, median per call (issue 18).
pub const SEARCH_MEDIAN_MS: Target = Target {
    name: "search_median_ms",
    bound: Bound::AtMost(5.0),
    unit: " ms",
    decimals: 2,
};
/// Warm `brief`, median per call.
pub const BRIEF_MEDIAN_MS: Target = Target {
    name: "brief_median_ms",
    bound: Bound::AtMost(20.0),
    unit: " ms",
    decimals: 2,
};
/// Process start to the first tool answer (initialize, initialized, one `search`).
pub const COLD_MEDIAN_MS: Target = Target {
    name: "cold_first_answer_median_ms",
    bound: Bound::AtMost(50.0),
    unit: " ms",
    decimals: 1,
};

/// A running `sk mcp`.
#[derive(Debug)]
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    line: String,
}

impl Server {
    /// Starts `sk mcp` in `home` with the database `db` (nothing else of the environment).
    pub fn start(sk: &Path, home: &Path, db: &Path) -> Result<Server> {
        let mut child = Command::new(sk)
            .arg("mcp")
            .env_clear()
            .env("HOME", home)
            .env("SK_DB", db)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(home)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} mcp", sk.display()))?;
        let stdin = child.stdin.take().context("the server's stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("the server's stdout")?);
        Ok(Server {
            child,
            stdin,
            stdout,
            next_id: 0,
            line: String::new(),
        })
    }

    fn send(&mut self, message: &Value) -> Result<()> {
        writeln!(self.stdin, "{message}").context("writing to sk mcp")?;
        self.stdin.flush().context("writing to sk mcp")
    }

    /// Sends a request and reads until its answer.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        loop {
            self.line.clear();
            if self
                .stdout
                .read_line(&mut self.line)
                .context("reading from sk mcp")?
                == 0
            {
                bail!("sk mcp closed its output before answering {method}");
            }
            let v: Value =
                serde_json::from_str(&self.line).context("sk mcp wrote something that is not JSON")?;
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    bail!("{method}: {e}");
                }
                return Ok(v["result"].clone());
            }
        }
    }

    /// The MCP handshake.
    pub fn initialize(&mut self) -> Result<()> {
        self.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "sk-bench-mcp", "version": "1"}}),
        )?;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    }

    /// One `tools/call`, timed from writing the request to reading its answer.
    pub fn call(&mut self, tool: &str, arguments: Value) -> Result<Duration> {
        let started = Instant::now();
        let result = self.request("tools/call", json!({"name": tool, "arguments": arguments}))?;
        let took = started.elapsed();
        if result["isError"] == true {
            bail!("{tool} answered with an error: {}", result["content"][0]["text"]);
        }
        Ok(took)
    }

    /// Closes stdin and waits for the server to exit.
    pub fn stop(self) -> Result<()> {
        let Server { mut child, stdin, .. } = self;
        drop(stdin);
        let status = child.wait().context("waiting for sk mcp")?;
        if !status.success() {
            bail!("sk mcp exited with {status} at EOF");
        }
        Ok(())
    }
}

/// Start to first answer: spawn, handshake, one `search`, then stop.
pub fn cold_start(sk: &Path, home: &Path, db: &Path, query: &str) -> Result<Duration> {
    let started = Instant::now();
    let mut server = Server::start(sk, home, db)?;
    server.initialize()?;
    server.call("search", json!({"query": query}))?;
    let took = started.elapsed();
    server.stop()?;
    Ok(took)
}
