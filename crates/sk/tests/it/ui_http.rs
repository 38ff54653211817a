//! `sk ui` through the real binary in a temporary home, spoken to in raw HTTP/1.1 over
//! `std::net` (no client library between the test and the server): who it lets in (the
//! token → cookie exchange, `Host`, `Origin`, `Sec-Fetch-Site`, the CSRF field), the
//! headers every response carries, that session text — untrusted, written by whatever the
//! agent read — reaches the page escaped, and a forget round trip. `ui_browser.rs` drives
//! the same home in a real browser.
//!
//! The home holds two real Claude Code transcripts from fixtures/corpus (Apache-2.0, see
//! fixtures/corpus/PROVENANCE.md; copied unmodified into the temporary home only) and one
//! hand-written hostile session: markup in the prompt and in a failed tool call's output.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sk_test::TestEnv;

/// The real transcripts (fixtures/corpus/claude/*.jsonl).
pub(crate) const CONVO: &str = "89f4d66a-510b-48b3-94b8-d6a8f981b143";
pub(crate) const COMPACTED: &str = "c07efcc2-c931-4e4e-bc2c-b14ded596469";
/// The hand-written session whose text tries to run in the page.
pub(crate) const HOSTILE: &str = "0b5e55ed-7a11-4c0d-9e5e-5c41b7e0a001";
pub(crate) const HOSTILE_PROMPT: &str = "The comment preview runs <script>window.__pwned=1</script> and \
     <img src=x onerror=\"window.__pwned=2\"> from a comment body. Make it show them as text.";
/// The failed `npm test`'s output (markup in it too: it is what a test runner prints).
pub(crate) const HOSTILE_ERROR: &str = "FAIL src/comments.test.js\n  comments › escapes markup\n    \
     Expected: \"&lt;b&gt;hi&lt;/b&gt;\"\n    Received: \"<b>hi</b>\"\nTests: 1 failed, 1 total";
/// A knowledge entry recorded by hand (`sk learn`), so the knowledge pages have one whose
/// title the test knows.
pub(crate) const LEARNED_TITLE: &str = "Escape comment bodies before inserting them";
const DEADLINE: Duration = Duration::from_secs(20);

/// A temporary home with the fixture sessions indexed (and knowledge extracted) into the
/// database `SK_DB` names.
pub(crate) struct UiHome {
    pub env: TestEnv,
    pub db: PathBuf,
}

impl UiHome {
    pub fn new() -> UiHome {
        let env = TestEnv::new();
        let db = env.home().join("ui-data").join("knowledge.db");
        let home = UiHome { env, db };
        for (file, id) in [("convo.jsonl", CONVO), ("convo-compacted.jsonl", COMPACTED)] {
            home.env.seed_corpus(
                &format!("claude/{file}"),
                &format!(".claude/projects/-tmp-demo/{id}.jsonl"),
            );
        }
        home.env.write(
            &format!(".claude/projects/-work-webapp/{HOSTILE}.jsonl"),
            hostile_transcript(),
        );
        home.sk().arg("index").assert().success();
        home.sk()
            .args([
                "learn",
                "--pattern",
                LEARNED_TITLE,
                "Comment bodies rendered as HTML ran whatever markup they held; pass them through escapeHtml first.",
                "--global",
            ])
            .assert()
            .success();
        home
    }

    /// `sk` in this home, on this home's database.
    pub fn sk(&self) -> assert_cmd::Command {
        let mut cmd = self.env.sk();
        cmd.env("SK_DB", &self.db);
        cmd
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self
            .sk()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("json output")
    }
}

/// A Claude Code transcript from a few minutes ago: the hostile prompt, `npm test` failing
/// with [`HOSTILE_ERROR`], an edit, `npm test` passing, an answer.
fn hostile_transcript() -> String {
    let start = sk_core::time::now_ms() - 600_000;
    let mut lines = Vec::new();
    let mut line = |kind: &str, message: Value| {
        let n = lines.len() + 1;
        lines.push(json!({
            "parentUuid": if n == 1 { Value::Null } else { json!(format!("h{}", n - 1)) },
            "isSidechain": false, "type": kind, "message": message, "uuid": format!("h{n}"),
            "timestamp": sk_core::time::format_ms(start + n as i64 * 1000),
            "sessionId": HOSTILE, "cwd": "/work/webapp", "version": "2.1.132",
            "gitBranch": "main", "userType": "external",
        }));
    };
    let tool_use = |id: &str, name: &str, input: Value| {
        json!({"model": "claude-opus-4-7", "id": format!("m-{id}"), "type": "message", "role": "assistant",
               "content": [{"type": "tool_use", "id": id, "name": name, "input": input}]})
    };
    let result = |id: &str, text: &str, is_error: bool| json!({"role": "user", "content": [{"type": "tool_result", "content": text, "is_error": is_error, "tool_use_id": id}]});
    let npm_test = json!({"command": "npm test -- comments", "description": "Run the comment tests"});
    line("user", json!({"role": "user", "content": HOSTILE_PROMPT}));
    line("assistant", tool_use("t1", "Bash", npm_test.clone()));
    line("user", result("t1", HOSTILE_ERROR, true));
    line(
        "assistant",
        tool_use(
            "t2",
            "Edit",
            json!({"file_path": "/work/webapp/src/comments.js", "old_string": "el.innerHTML = body",
                   "new_string": "el.textContent = body"}),
        ),
    );
    line("user", result("t2", "The file has been updated.", false));
    line("assistant", tool_use("t3", "Bash", npm_test));
    line(
        "user",
        result("t3", "PASS src/comments.test.js\nTests: 1 passed, 1 total", false),
    );
    line(
        "assistant",
        json!({"model": "claude-opus-4-7", "id": "m-a1", "type": "message", "role": "assistant",
               "content": [{"type": "text", "text": "Comment bodies now go in with textContent, so <b> shows as text."}]}),
    );
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    text.join("\n") + "\n"
}

/// A running `sk ui --port 0`. Dropping it stops the server (SIGTERM, then SIGKILL after
/// a deadline), so a failing test leaves no process behind.
pub(crate) struct UiServer {
    child: Child,
    /// The line `sk ui` printed.
    pub url: String,
    pub port: u16,
    pub token: String,
    /// `sk_ui_PORT=SECRET`, once [`UiServer::login`] ran.
    pub cookie: Option<String>,
    /// Lines on stdout after the URL (there must be none).
    more_stdout: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl UiServer {
    pub fn start(home: &UiHome) -> UiServer {
        let mut cmd = Command::new(sk_test::sk_bin());
        for var in sk_core::env::ALL.iter().filter(|v| v.name != "PATH") {
            cmd.env_remove(var.name);
        }
        let mut child = cmd
            .env("HOME", home.env.home())
            .env("SK_DB", &home.db)
            .current_dir(home.env.home())
            .args(["ui", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sk ui");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock().unwrap_or_else(|e| e.into_inner()).push_str(&text);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = UiServer {
            child,
            url: String::new(),
            port: 0,
            token: String::new(),
            cookie: None,
            more_stdout: lines,
            stderr,
        };
        let url = match server.more_stdout.recv_timeout(DEADLINE) {
            Ok(url) => url,
            Err(_) => panic!(
                "sk ui printed no URL within {DEADLINE:?}; stderr:\n{}",
                server.stderr()
            ),
        };
        let rest = url
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("the URL line is http://127.0.0.1:PORT/?token=HEX: {url:?}"));
        let (port, token) = rest
            .split_once("/?token=")
            .unwrap_or_else(|| panic!("the URL line is http://127.0.0.1:PORT/?token=HEX: {url:?}"));
        server.port = port.parse().expect("port");
        assert_ne!(server.port, 0, "{url}");
        assert!(
            token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
            "a long hex token: {url}"
        );
        server.token = token.to_string();
        server.url = url;
        server
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Exchanges the token for the cookie, as the browser does when it opens the URL.
    pub fn login(&mut self) -> Resp {
        let r = self.raw("GET", &format!("/?token={}", self.token), &[], "");
        let set = r.header("set-cookie").unwrap_or_default();
        let pair = set.split(';').next().unwrap_or_default().trim().to_string();
        self.cookie = Some(pair);
        r
    }

    /// A request with the `Host` the URL names (unless `headers` give one) and nothing else
    /// but `headers`.
    pub fn raw(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let host = format!("127.0.0.1:{}", self.port);
        let mut all: Vec<(&str, &str)> = Vec::new();
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            all.push(("Host", &host));
        }
        all.extend_from_slice(headers);
        http(self.port, method, target, &all, body)
    }

    /// GET with the cookie.
    pub fn get(&self, target: &str) -> Resp {
        self.get_with(target, &[])
    }

    pub fn get_with(&self, target: &str, headers: &[(&str, &str)]) -> Resp {
        let cookie = self.cookie.clone().expect("login first");
        let mut all = vec![("Cookie", cookie.as_str())];
        all.extend_from_slice(headers);
        self.raw("GET", target, &all, "")
    }

    /// A form POST with the cookie, `fields` url-encoded, and `headers` (the test decides
    /// about `Origin`).
    pub fn post(&self, target: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
        let cookie = self.cookie.clone().expect("login first");
        let mut all = vec![
            ("Cookie", cookie.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        all.extend_from_slice(headers);
        self.raw("POST", target, &all, &form_encode(fields))
    }

    /// This server's own origin, as a browser sends it.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, then the exit status (SIGKILL after the deadline fails the test).
    pub fn stop(&mut self) -> ExitStatus {
        terminate(&self.child);
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for sk ui") {
                return status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("sk ui did not exit within {DEADLINE:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server and checks it exited cleanly having printed nothing but the URL.
    pub fn stop_cleanly(mut self) {
        let status = self.stop();
        let stderr = self.stderr();
        assert!(
            status.success(),
            "sk ui exits 0 at SIGTERM: {status}; stderr:\n{stderr}"
        );
        // The reader thread ends at EOF; what it read after the URL line is here now.
        std::thread::sleep(Duration::from_millis(50));
        let extra: Vec<String> = self.more_stdout.try_iter().collect();
        assert!(extra.is_empty(), "stdout is the URL line only, then: {extra:?}");
    }
}

fn terminate(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

impl Drop for UiServer {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(&self.child);
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP response: status, headers (names lower-cased) and the body as text.
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Fails with the status line and the start of the body, to see what the server said.
    #[track_caller]
    pub fn expect(&self, status: u16, what: &str) -> &Resp {
        assert_eq!(
            self.status,
            status,
            "{what}: expected {status}, got {} {:?}\n{}",
            self.status,
            self.headers,
            self.body.chars().take(800).collect::<String>()
        );
        self
    }
}

/// One request on its own connection (`Connection: close`), the whole response read.
pub(crate) fn http(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to sk ui");
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut req = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if method != "GET" && method != "HEAD" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("Connection: close\r\n\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_response(&raw, method == "HEAD")
        .unwrap_or_else(|| panic!("not an HTTP response: {:?}", String::from_utf8_lossy(&raw)))
}

fn parse_response(raw: &[u8], head: bool) -> Option<Resp> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head_text = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked && !head {
        body = dechunk(&body)?;
    }
    Some(Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The elements `<tag class="… classes …">…</tag>` of `html` (the first closing tag ends
/// one: enough for the flat elements these tests look at).
pub(crate) fn elements<'h>(html: &'h str, tag: &str, classes: &[&str]) -> Vec<&'h str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = html[at..].find(&open) {
        let start = at + i;
        at = start + open.len();
        let after = html[at..].chars().next();
        if !matches!(after, Some(' ' | '>' | '\n')) {
            continue;
        }
        let Some(tag_end) = html[start..].find('>') else {
            break;
        };
        let opening = &html[start..start + tag_end];
        let class_list = attr(opening, "class").unwrap_or_default();
        if classes
            .iter()
            .all(|c| class_list.split_ascii_whitespace().any(|have| have == *c))
        {
            let end = html[start..]
                .find(&close)
                .map_or(html.len(), |e| start + e + close.len());
            found.push(&html[start..end]);
        }
    }
    found
}

/// `<tag …>` of an element from [`elements`].
pub(crate) fn start_tag(element: &str) -> &str {
    element.find('>').map_or(element, |end| &element[..=end])
}

/// The value of `name="…"` in a start tag (or any fragment: the first one).
pub(crate) fn attr(fragment: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = fragment.find(&key)? + key.len();
    let end = fragment[i..].find('"')?;
    Some(fragment[i..i + end].replace("&amp;", "&"))
}

/// Every `href` in `fragment`.
pub(crate) fn hrefs(fragment: &str) -> Vec<String> {
    fragment
        .match_indices(" href=\"")
        .filter_map(|(i, _)| attr(&fragment[i..], "href"))
        .collect()
}

/// The CSRF field of a page's forms.
pub(crate) fn csrf(html: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    let i = html
        .find(key)
        .unwrap_or_else(|| panic!("a csrf field in the page:\n{html}"))
        + key.len();
    let end = html[i..].find('"').expect("end of the csrf value");
    let value = html[i..i + end].to_string();
    assert!(
        value.len() >= 32 && value.bytes().all(|b| b.is_ascii_hexdigit()),
        "a long hex csrf value: {value:?}"
    );
    value
}

/// No markup from the sessions became markup of the page: the only scripts are the
/// server's own, and no attribute came from a session.
#[track_caller]
pub(crate) fn assert_inert(what: &str, html: &str) {
    for bad in [
        "<img src=x",
        " onerror=\"",
        "<b>hi</b>",
        "<script>window",
        "<script>alert",
    ] {
        assert!(!html.contains(bad), "{what}: raw `{bad}` in the page:\n{html}");
    }
    let scripts = html.matches("<script").count();
    let own = html.matches("<script src=\"/assets/").count();
    assert_eq!(
        scripts, own,
        "{what}: a script that is not the server's own:\n{html}"
    );
}

/// The headers every response must carry, whatever its status.
#[track_caller]
fn assert_hardened(what: &str, r: &Resp) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy: {:?}", r.headers));
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP without {part}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with a form POST
    // (Fetch, "serialize a request origin"), so the Origin rule above would refuse the
    // server's own forms (ui_browser.rs sees it happen).
    assert_ne!(
        r.header("referrer-policy"),
        Some("no-referrer"),
        "{what}: browsers would send Origin: null on this server's own POSTs"
    );
}

/// Form fields or headers, as name/value pairs.
type Fields<'a> = Vec<(&'a str, &'a str)>;

fn session_href(id: &str) -> String {
    format!("/session/claude%3A{id}")
}

#[test]
fn ui_lets_in_only_the_token_holder_from_its_own_address() {
    let home = UiHome::new();
    let mut ui = UiServer::start(&home);
    let port = ui.port;

    // Nothing without the token or the cookie; a wrong token is no token.
    for target in [
        "/",
        "/sessions",
        "/knowledge/1",
        "/assets/app.js",
        "/no-such-page",
    ] {
        let r = ui.raw("GET", target, &[], "");
        r.expect(401, &format!("GET {target} without token or cookie"));
        assert_hardened(target, &r);
        assert!(r.header("set-cookie").is_none(), "{target}: {:?}", r.headers);
    }
    let r = ui.raw(
        "GET",
        "/?token=00112233445566778899aabbccddeeff0011223344556677",
        &[],
        "",
    );
    r.expect(401, "a wrong token");
    assert!(r.header("set-cookie").is_none());
    let truncated = &ui.token[..ui.token.len() - 1];
    ui.raw("GET", &format!("/?token={truncated}"), &[], "")
        .expect(401, "the token less its last digit");
    ui.raw("GET", "/", &[("Cookie", &format!("sk_ui_{port}=00ff00ff"))], "")
        .expect(401, "a made-up cookie");

    // The token becomes a cookie and leaves the address.
    let r = ui.login();
    r.expect(303, "the right token");
    assert_hardened("303", &r);
    assert_eq!(r.header("location"), Some("/"));
    let set = r.header("set-cookie").expect("Set-Cookie").to_string();
    let (pair, attrs) = set.split_once(';').expect("attributes");
    let (name, secret) = pair.split_once('=').expect("name=value");
    assert_eq!(name, format!("sk_ui_{port}"));
    assert!(
        secret.len() >= 32 && secret.bytes().all(|b| b.is_ascii_hexdigit()),
        "{set}"
    );
    assert_ne!(secret, ui.token, "the cookie is not the token in the URL");
    let attrs: Vec<&str> = attrs.split(';').map(str::trim).collect();
    for want in ["Path=/", "HttpOnly", "SameSite=Strict"] {
        assert!(attrs.contains(&want), "{want} in {set}");
    }
    let r = ui.raw(
        "GET",
        &format!("/sessions?agent=claude&token={}&sort=failures", ui.token),
        &[],
        "",
    );
    r.expect(303, "the token on another page");
    assert_eq!(r.header("location"), Some("/sessions?agent=claude&sort=failures"));

    // With the cookie: every page, from every name of this server.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let r = ui.get_with("/", &[("Host", &host)]);
        r.expect(200, &format!("Host {host}"));
        assert_hardened(&host, &r);
    }
    for target in [
        "/",
        "/?q=fixture",
        "/sessions",
        &session_href(CONVO),
        "/knowledge",
        "/insights",
        "/health",
    ] {
        let r = ui.get(target);
        r.expect(200, target);
        assert_hardened(target, &r);
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{target}: {:?}",
            r.headers
        );
    }
    for (asset, kind) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "javascript"),
        ("/assets/icon.svg", "image/svg+xml"),
    ] {
        let r = ui.get(asset);
        r.expect(200, asset);
        assert_hardened(asset, &r);
        assert!(
            r.header("content-type").is_some_and(|t| t.contains(kind)),
            "{asset}: {:?}",
            r.headers
        );
        assert!(!r.body.is_empty(), "{asset}");
    }
    for target in [
        "/no-such-page",
        "/assets/nope.js",
        "/assets/..%2F..%2FCargo.toml",
        "/knowledge/999999",
    ] {
        let r = ui.get(target);
        r.expect(404, target);
        assert_hardened(target, &r);
    }

    // A name that is not this server (DNS rebinding): refused before anything else, even
    // with the right token or cookie.
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("127.0.0.1.evil.example:{port}"),
    ] {
        let r = ui.get_with("/", &[("Host", &host)]);
        r.expect(403, &format!("cookie, Host {host}"));
        assert_hardened(&host, &r);
        let r = ui.raw("GET", &format!("/?token={}", ui.token), &[("Host", &host)], "");
        r.expect(403, &format!("token, Host {host}"));
        assert!(r.header("set-cookie").is_none(), "no cookie for {host}");
    }

    // Changes: only a POST from this server's own page with this run's CSRF field.
    let id = home.json(&["query", LEARNED_TITLE, "--kind", "knowledge", "--json"])["hits"][0]["id"]
        .as_str()
        .expect("the learned entry")
        .to_string();
    let page = ui.get(&format!("/knowledge/{id}"));
    page.expect(200, "the entry page");
    let token = csrf(&page.body);
    let pin = format!("/knowledge/{id}/pin");
    let origin = ui.origin();
    let pinned = || home.json(&["show", &id, "--json"])["pinned"] == json!(true);
    let https = origin.replacen("http", "https", 1);
    let refused: Vec<(&str, Fields, Fields)> = vec![
        ("no Origin", vec![("csrf", &token)], vec![]),
        (
            "a foreign Origin",
            vec![("csrf", &token)],
            vec![("Origin", "http://evil.example")],
        ),
        (
            "this port on another host name",
            vec![("csrf", &token)],
            vec![("Origin", "http://evil.example:1")],
        ),
        ("Origin null", vec![("csrf", &token)], vec![("Origin", "null")]),
        ("https origin", vec![("csrf", &token)], vec![("Origin", &https)]),
        (
            "Sec-Fetch-Site: cross-site",
            vec![("csrf", &token)],
            vec![("Origin", &origin), ("Sec-Fetch-Site", "cross-site")],
        ),
        ("no csrf field", vec![], vec![("Origin", &origin)]),
        (
            "an empty csrf field",
            vec![("csrf", "")],
            vec![("Origin", &origin)],
        ),
        (
            "a wrong csrf field",
            vec![("csrf", "00112233445566778899aabbccddeeff0011223344556677")],
            vec![("Origin", &origin)],
        ),
    ];
    for (what, fields, headers) in &refused {
        let r = ui.post(&pin, fields, headers);
        r.expect(403, what);
        assert_hardened(what, &r);
        assert!(!pinned(), "{what}: the entry was pinned anyway");
    }
    for method in ["PUT", "DELETE", "PATCH"] {
        let cookie = ui.cookie.clone().expect("cookie");
        ui.raw(method, &pin, &[("Cookie", &cookie)], "")
            .expect(403, &format!("{method} without Origin"));
    }
    // The right form, but no cookie: not let in.
    ui.raw(
        "POST",
        &pin,
        &[
            ("Origin", &origin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &format!("csrf={token}"),
    )
    .expect(401, "a POST without the cookie");
    assert!(!pinned());

    // And the right request works, from any of the server's names.
    let r = ui.post(&pin, &[("csrf", &token)], &[("Origin", &origin)]);
    r.expect(303, "pin");
    assert_hardened("pin", &r);
    assert!(pinned(), "pinned");
    let local = format!("http://localhost:{port}");
    ui.post(
        &format!("/knowledge/{id}/unpin"),
        &[("csrf", &token)],
        &[("Origin", &local), ("Host", &format!("localhost:{port}"))],
    )
    .expect(303, "unpin from localhost");
    assert!(!pinned(), "unpinned");

    ui.stop_cleanly();
}

#[test]
fn ui_shows_session_text_as_text() {
    let home = UiHome::new();
    let mut ui = UiServer::start(&home);
    ui.login();

    let page = ui.get(&session_href(HOSTILE));
    page.expect(200, "the hostile session");
    let html = &page.body;
    assert_inert("session page", html);
    assert!(
        html.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"),
        "the prompt's script shown as text:\n{html}"
    );
    assert!(
        html.contains("&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;")
            || html.contains("&lt;img src=x onerror=\"window.__pwned=2\"&gt;"),
        "the prompt's img shown as text:\n{html}"
    );
    // The timeline: steps with anchors, the failed call marked, its output folded.
    assert!(html.contains("id=\"e0\""), "{html}");
    let calls = elements(html, "article", &["tool-call"]);
    assert_eq!(calls.len(), 3, "three tool calls:\n{html}");
    let failed = elements(html, "article", &["tool-call", "failed"]);
    assert_eq!(failed.len(), 1, "one failed call:\n{html}");
    let failed = failed[0];
    assert!(
        failed.contains("class=\"fail\"") && failed.contains('✗'),
        "{failed}"
    );
    assert!(failed.contains("npm test -- comments"), "{failed}");
    let output = elements(failed, "details", &["output"]);
    assert_eq!(output.len(), 1, "{failed}");
    assert!(!start_tag(output[0]).contains(" open"), "folded: {failed}");
    assert!(output[0].contains("<pre"), "{failed}");
    assert!(
        output[0].contains("Received: &quot;&lt;b&gt;hi&lt;/b&gt;&quot;")
            || output[0].contains("Received: \"&lt;b&gt;hi&lt;/b&gt;\""),
        "the error output, escaped: {failed}"
    );
    assert!(
        output[0].contains("&amp;lt;b&amp;gt;"),
        "an entity in the output stays an entity's text: {failed}"
    );
    let ok: Vec<&str> = calls
        .iter()
        .copied()
        .filter(|c| !start_tag(c).contains(" failed"))
        .collect();
    assert!(
        ok.iter().all(|c| c.contains("class=\"ok\"") && c.contains('✓')),
        "{ok:?}"
    );

    // Paging: `from` starts the timeline further on.
    let later = ui.get(&format!("{}?from=1", session_href(HOSTILE)));
    later.expect(200, "?from=1");
    assert!(later.body.contains("id=\"e1\"") && !later.body.contains("id=\"e0\""));

    // The session list and search show the prompt as text too.
    let list = ui.get("/sessions");
    list.expect(200, "/sessions");
    assert_inert("/sessions", &list.body);
    assert!(
        list.body.contains(&format!("href=\"{}\"", session_href(HOSTILE))),
        "{}",
        list.body
    );
    assert!(
        elements(&list.body, "table", &["sessions"]).len() == 1,
        "{}",
        list.body
    );
    assert!(list.body.contains("&lt;script&gt;"), "{}", list.body);

    let found = ui.get("/?q=pwned");
    found.expect(200, "search");
    assert_inert("search results", &found.body);
    let hits = elements(&found.body, "li", &["hit"]);
    let hit = hits
        .iter()
        .find(|h| h.contains(&format!("href=\"{}", session_href(HOSTILE))))
        .unwrap_or_else(|| panic!("the hostile session among the hits:\n{}", found.body));
    assert!(hit.contains("&lt;script&gt;"), "{hit}");
    assert!(
        elements(hit, "p", &["snippet"])
            .iter()
            .any(|s| s.contains("<mark>")),
        "a snippet with the match marked: {hit}"
    );

    // Markup in the address: the query box, the filters, a session key, an error page.
    for target in [
        "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/?q=x&repo=%3Cscript%3Ealert(1)%3C%2Fscript%3E&since=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"
            .to_string(),
        "/sessions?repo=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/session/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/knowledge?category=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/?kind=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
    ] {
        let r = ui.get(&target);
        assert!(r.status < 500, "{target}: {} {}", r.status, r.body);
        assert_inert(&target, &r.body);
        assert_hardened(&target, &r);
    }
    let echoed = ui.get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(
        echoed
            .body
            .contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""),
        "the query is put back in the box, escaped:\n{}",
        echoed.body
    );

    ui.stop_cleanly();
}

#[test]
fn ui_forgets_an_entry_for_good() {
    let home = UiHome::new();
    let mut ui = UiServer::start(&home);
    ui.login();

    let list = ui.get("/knowledge");
    list.expect(200, "/knowledge");
    let entries = elements(&list.body, "li", &["entry"]);
    assert!(!entries.is_empty(), "entries listed:\n{}", list.body);
    let entry = entries
        .iter()
        .find(|e| e.contains(LEARNED_TITLE))
        .unwrap_or_else(|| panic!("the learned entry listed:\n{}", list.body));
    let title_link = elements(entry, "a", &["title"]);
    let href = hrefs(title_link.first().expect("a.title")).remove(0);
    let id = href
        .strip_prefix("/knowledge/")
        .unwrap_or_else(|| panic!("an entry link: {href}"))
        .to_string();
    assert!(id.parse::<u64>().is_ok(), "{href}");

    let search = format!("/?q={}", url_encode(LEARNED_TITLE));
    let before = ui.get(&search);
    assert!(
        before.body.contains(&format!("href=\"{href}\"")),
        "searching its title finds it first:\n{}",
        before.body
    );

    let page = ui.get(&href);
    page.expect(200, &href);
    assert!(page.body.contains(LEARNED_TITLE));
    for action in ["forget", "pin", "edit"] {
        assert!(
            page.body.contains(&format!("action=\"{href}/{action}\"")),
            "a form posting to {href}/{action}:\n{}",
            page.body
        );
    }
    assert!(
        page.body.contains("id=\"forget\""),
        "the Forget button:\n{}",
        page.body
    );
    let token = csrf(&page.body);

    let r = ui.post(
        &format!("{href}/forget"),
        &[("csrf", &token), ("reason", "tested by the UI's HTTP test")],
        &[("Origin", &ui.origin())],
    );
    r.expect(303, "forget");
    assert_eq!(r.header("location"), Some("/knowledge?done=forgot"));
    let done = ui.get("/knowledge?done=forgot");
    done.expect(200, "after forgetting");
    assert_eq!(elements(&done.body, "p", &["notice"]).len(), 1, "{}", done.body);
    assert!(!done.body.contains(&format!("href=\"{href}\"")), "{}", done.body);

    ui.get(&href).expect(404, "the forgotten entry's page");
    let after = ui.get(&search);
    after.expect(200, "search after forgetting");
    assert!(
        !after.body.contains(&format!("href=\"{href}\"")),
        "{}",
        after.body
    );
    // sk itself agrees, with the reason given in the form.
    home.sk()
        .args(["show", &id])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("tested by the UI's HTTP test"));
    // Forgetting again: nothing to forget, and no server error.
    let again = ui.post(
        &format!("{href}/forget"),
        &[("csrf", &token)],
        &[("Origin", &ui.origin())],
    );
    assert!(
        matches!(again.status, 303 | 404),
        "{} {}",
        again.status,
        again.body
    );

    ui.stop_cleanly();
}
