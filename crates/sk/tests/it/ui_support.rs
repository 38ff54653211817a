//! What the `sk ui` tests share: a temporary home with sessions indexed, the real binary
//! serving it, and raw HTTP/1.1 over `std::net` (no client library between the test and
//! the server), with the small HTML readers the assertions use.
//!
//! The home holds two real Claude Code transcripts from fixtures/corpus (Apache-2.0, see
//! fixtures/corpus/PROVENANCE.md; copied unmodified into the temporary home only) and one
//! hand-written hostile session: markup in the prompt and in a failed tool call's output.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
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
        let mut child = home
            .env
            .process(sk_test::sk_bin())
            .env("SK_DB", &home.db)
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
        let lines = sk_test::lines(stdout);
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
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

pub(crate) fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
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
pub(crate) fn assert_hardened(what: &str, r: &Resp) {
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
