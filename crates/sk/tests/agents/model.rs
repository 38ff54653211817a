//! The scripted model: a local HTTP server that speaks the streaming wire protocol an agent
//! CLI expects (Anthropic Messages for Claude Code, OpenAI Responses for Codex), answers
//! from a script, and records every request so a test can assert on what the model was
//! shown. std::net and one thread per connection: no async runtime, no new dependency.
//!
//! A script is a list of replies for the main conversation. Which reply a request gets is
//! the number of assistant turns already in it, so side requests and retries cannot shift
//! the script; past its end the model says "done".

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{Value, json};

/// The wire protocol an agent speaks to its model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `POST /v1/messages` with `stream: true` (Claude Code).
    Anthropic,
    /// `POST /v1/responses` with `stream: true` (Codex CLI).
    Responses,
}

/// One scripted model turn.
#[derive(Debug, Clone)]
pub enum Reply {
    Text(String),
    /// Call the tool `name` with `input` (for Codex, `input` is the arguments object).
    Tool {
        name: String,
        input: Value,
    },
}

impl Reply {
    pub fn text(t: &str) -> Reply {
        Reply::Text(t.into())
    }
    pub fn tool(name: &str, input: Value) -> Reply {
        Reply::Tool {
            name: name.into(),
            input,
        }
    }
}

/// A request the agent sent, as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub body: Value,
}

pub struct ModelServer {
    port: u16,
    requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl ModelServer {
    pub fn start(wire: Wire, script: Vec<Reply>) -> ModelServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the model server");
        let port = listener.local_addr().expect("local addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script = Arc::new(script);
        let accept = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (requests, script) = (requests.clone(), script.clone());
                    std::thread::spawn(move || serve(conn, wire, &script, &requests));
                }
            })
        };
        ModelServer {
            port,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The conversation requests (those that offered tools: the agent's main loop), in
    /// the order they arrived.
    pub fn turns(&self) -> Vec<Value> {
        self.requests
            .lock()
            .expect("requests")
            .iter()
            .filter(|r| {
                r.body
                    .get("tools")
                    .and_then(Value::as_array)
                    .is_some_and(|t| !t.is_empty())
            })
            .map(|r| r.body.clone())
            .collect()
    }

    pub fn all(&self) -> Vec<Recorded> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Serves keep-alive requests on one connection until the client closes it.
fn serve(conn: TcpStream, wire: Wire, script: &[Reply], requests: &Mutex<Vec<Recorded>>) {
    let mut out = match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    };
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut length = 0usize;
        let mut chunked = false;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                if k == "content-length" {
                    length = v.parse().unwrap_or(0);
                } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        let body = if chunked {
            read_chunked(&mut reader)
        } else {
            let mut b = vec![0; length];
            if reader.read_exact(&mut b).is_err() {
                return;
            }
            b
        };
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let answer = if method == "POST" && body.get("stream").and_then(Value::as_bool) == Some(true) {
            let reply = pick(wire, script, &body);
            requests.lock().expect("requests").push(Recorded {
                path: path.clone(),
                body: body.clone(),
            });
            Some(match wire {
                Wire::Anthropic => anthropic_events(&body, &reply),
                Wire::Responses => responses_events(&reply),
            })
        } else {
            requests.lock().expect("requests").push(Recorded { path, body });
            None
        };
        let written = match answer {
            Some(sse) => write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ncontent-length: {}\r\n\r\n{sse}",
                sse.len()
            ),
            None => write!(out, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
        };
        if written.and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        if reader.read_line(&mut size).unwrap_or(0) == 0 {
            return body;
        }
        let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        let mut chunk = vec![0; n + 2];
        if reader.read_exact(&mut chunk).is_err() {
            return body;
        }
        if n == 0 {
            return body;
        }
        body.extend_from_slice(&chunk[..n]);
    }
}

/// The reply for this request: the script step after the assistant turns it already holds.
/// A request without tools is a side request (a title, a summary): it gets text.
fn pick(wire: Wire, script: &[Reply], body: &Value) -> Reply {
    let has_tools = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    if !has_tools {
        return Reply::text("ok");
    }
    let done = match wire {
        Wire::Anthropic => items(body, "messages")
            .filter(|m| m.get("role").and_then(Value::as_str) == Some("assistant"))
            .count(),
        Wire::Responses => items(body, "input")
            .filter(|i| {
                i.get("type").and_then(Value::as_str) == Some("function_call")
                    || i.get("role").and_then(Value::as_str) == Some("assistant")
            })
            .count(),
    };
    script.get(done).cloned().unwrap_or_else(|| Reply::text("done"))
}

fn items<'a>(body: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    body.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn sse(out: &mut String, event: &str, data: Value) {
    out.push_str(&format!("event: {event}\ndata: {data}\n\n"));
}

fn anthropic_events(body: &Value, reply: &Reply) -> String {
    let mut out = String::new();
    let model = body.get("model").cloned().unwrap_or(json!("scripted"));
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    sse(
        &mut out,
        "message_start",
        json!({"type": "message_start", "message": {"id": format!("msg_{n:024}"), "type": "message", "role": "assistant",
            "model": model, "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 1, "output_tokens": 1}}}),
    );
    let (block, delta, stop) = match reply {
        Reply::Text(t) => (
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": t}),
            "end_turn",
        ),
        Reply::Tool { name, input } => (
            json!({"type": "tool_use", "id": format!("toolu_{n:024}"), "name": name, "input": {}}),
            json!({"type": "input_json_delta", "partial_json": input.to_string()}),
            "tool_use",
        ),
    };
    sse(
        &mut out,
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": block}),
    );
    sse(
        &mut out,
        "content_block_delta",
        json!({"type": "content_block_delta", "index": 0, "delta": delta}),
    );
    sse(
        &mut out,
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    );
    sse(
        &mut out,
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 5}}),
    );
    sse(&mut out, "message_stop", json!({"type": "message_stop"}));
    out
}

fn responses_events(reply: &Reply) -> String {
    let mut out = String::new();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    sse(
        &mut out,
        "response.created",
        json!({"type": "response.created", "response": {"id": format!("resp_{n}")}}),
    );
    let item = match reply {
        Reply::Text(t) => json!({"type": "message", "role": "assistant", "id": format!("msg_{n}"),
            "content": [{"type": "output_text", "text": t}]}),
        Reply::Tool { name, input } => json!({"type": "function_call", "id": format!("fc_{n}"),
            "call_id": format!("call_{n}"), "name": name, "arguments": input.to_string()}),
    };
    sse(
        &mut out,
        "response.output_item.done",
        json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
    );
    sse(
        &mut out,
        "response.completed",
        json!({"type": "response.completed", "response": {"id": format!("resp_{n}"),
            "usage": {"input_tokens": 1, "input_tokens_details": null, "output_tokens": 1,
                      "output_tokens_details": null, "total_tokens": 2}}}),
    );
    out
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// Every text the model was shown in a request, joined: message texts, tool results and
/// function-call outputs, whatever their nesting.
pub fn shown_text(body: &Value) -> String {
    let mut out = String::new();
    for key in ["system", "messages", "input", "instructions"] {
        if let Some(v) = body.get(key) {
            collect_text(v, &mut out);
        }
    }
    out
}

fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect_text(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                // Tool schemas and ids are not something the model reads as context.
                if !matches!(
                    k.as_str(),
                    "id" | "call_id" | "tool_use_id" | "cache_control" | "type"
                ) {
                    collect_text(x, out);
                }
            }
        }
        _ => {}
    }
}
