//! The `sk ui` benchmark's client: starts the server, logs in with the token it prints,
//! and fetches pages over plain HTTP/1.1 (one request per connection), reading the
//! server's own time from its `Server-Timing` header. Not a browser: the browser test
//! (crates/sk/tests, tests/ui) is that.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::report::{Bound, Target};

/// Server time per page, median over every page fetched (issue 19).
pub const PAGE_MEDIAN_MS: Target = Target {
    name: "page_server_median_ms",
    bound: Bound::AtMost(50.0),
    unit: " ms",
    decimals: 2,
};
/// The first page load with its assets.
pub const FIRST_LOAD_KIB: Target = Target {
    name: "first_load_kib",
    bound: Bound::AtMost(200.0),
    unit: " KiB",
    decimals: 1,
};

/// One fetched page.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub body: String,
    /// `Server-Timing: app;dur=…`, when present.
    pub server_ms: Option<f64>,
    /// Request written to response read, on loopback.
    pub wall: Duration,
    headers: Vec<(String, String)>,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running `sk ui`, logged in.
#[derive(Debug)]
pub struct Server {
    child: Child,
    addr: SocketAddr,
    cookie: String,
}

impl Server {
    /// Starts `sk ui --port 0` in `home` with the database `db`, reads its URL and trades
    /// the token for the session cookie.
    pub fn start(sk: &Path, home: &Path, db: &Path) -> Result<Server> {
        let mut child = Command::new(sk)
            .args(["ui", "--port", "0"])
            .env_clear()
            .env("HOME", home)
            .env("SK_DB", db)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {} ui", sk.display()))?;
        let mut line = String::new();
        let stdout = child.stdout.take().context("the server's stdout")?;
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading the URL sk ui prints")?;
        let url = line.trim();
        let rest = url
            .strip_prefix("http://")
            .with_context(|| format!("sk ui printed no URL: {url:?}"))?;
        let (host, path) = rest.split_once('/').context("a URL with a path")?;
        let addr: SocketAddr = host.parse().with_context(|| format!("the address in {url}"))?;
        let mut server = Server {
            child,
            addr,
            cookie: String::new(),
        };
        let login = server.get(&format!("/{path}"))?;
        let cookie = login
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .context("the token was not exchanged for a cookie")?;
        server.cookie = cookie.to_string();
        Ok(server)
    }

    /// GETs `path` with the session cookie.
    pub fn get(&self, path: &str) -> Result<Page> {
        let started = Instant::now();
        let mut stream = TcpStream::connect(self.addr).context("connecting to sk ui")?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let cookie = if self.cookie.is_empty() {
            String::new()
        } else {
            format!("Cookie: {}\r\n", self.cookie)
        };
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{cookie}Connection: close\r\n\r\n",
            self.addr
        )?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).context("reading the answer")?;
        let wall = started.elapsed();
        parse(&raw, wall)
    }
}

/// The server stops with its client, also when a benchmark step fails half-way.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(raw: &[u8], wall: Duration) -> Result<Page> {
    let text = String::from_utf8_lossy(raw);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        bail!("no HTTP answer");
    };
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let server_ms = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("server-timing"))
        .and_then(|(_, v)| v.split("dur=").nth(1))
        .and_then(|d| d.parse().ok());
    Ok(Page {
        status,
        body: body.to_string(),
        server_ms,
        wall,
        headers,
    })
}

/// The links in a page's HTML that start with `prefix` (`href="/session/…"`), in order.
pub fn links(html: &str, prefix: &str) -> Vec<String> {
    let needle = format!("href=\"{prefix}");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let from = at + "href=\"".len();
            let rest = html.get(from..)?;
            rest.split_once('"').map(|(link, _)| link.replace("&amp;", "&"))
        })
        .collect()
}

/// Escapes a query value for a URL.
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
