//! Who may use the UI. A web server on loopback is reachable by every web page the user
//! opens (a cross-site form post, a DNS-rebinding page that makes `evil.example` resolve to
//! 127.0.0.1) and by every local user. So, for every request:
//! - `Host` must be an address the server listens on (a rebound name is refused: 403);
//! - a per-run random token, printed in the URL by `sk ui` and valid until it stops, is
//!   exchanged for an `HttpOnly`, `SameSite=Strict` cookie (and leaves the address bar); a
//!   request with neither is 401;
//! - a request that changes anything must be a POST whose `Origin` is the server itself and
//!   that carries the per-run CSRF token in its form (checked by the handler);
//! - every response forbids scripts, styles and frames from anywhere but the server
//!   itself (Content-Security-Policy) and is never cached.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::UiError;
use crate::app::App;

/// What every response says about itself.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Debug)]
pub struct Guard {
    /// In the URL `sk ui` prints; exchanged for the cookie.
    token: String,
    /// The cookie's value: never in a URL.
    session: String,
    /// In every form that changes something.
    csrf: String,
    cookie_name: String,
    /// `Host` values that name this server.
    hosts: Vec<String>,
    /// The address to print: the one listened on (127.0.0.1 for "every address").
    shown: String,
}

fn random_hex(bytes: usize) -> Result<String, UiError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| UiError::Token(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Guard {
    pub fn new(addr: SocketAddr) -> Result<Guard, UiError> {
        let port = addr.port();
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if port == 80 {
            // Browsers leave the default port out of Host and Origin.
            hosts.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
        }
        let own = match addr {
            _ if addr.ip().is_unspecified() => format!("127.0.0.1:{port}"),
            SocketAddr::V4(a) => format!("{}:{port}", a.ip()),
            SocketAddr::V6(a) => format!("[{}]:{port}", a.ip()),
        };
        if !hosts.contains(&own) {
            hosts.push(own.clone());
        }
        Ok(Guard {
            token: random_hex(24)?,
            session: random_hex(24)?,
            csrf: random_hex(24)?,
            // One cookie per port, so two `sk ui` on one machine do not log each other out.
            // Not isolation: a browser sends a 127.0.0.1 cookie to every port of it.
            cookie_name: format!("sk_ui_{port}"),
            hosts,
            shown: own,
        })
    }

    /// The URL to open: the server's own address with the token.
    pub fn start_url(&self) -> String {
        format!("http://{}/?token={}", self.shown, self.token)
    }

    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Whether a form's CSRF field is this run's.
    pub fn csrf_ok(&self, given: &str) -> bool {
        same_secret(given, &self.csrf)
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h)))
    }

    /// A state-changing request must come from a page of this server: its `Origin` (every
    /// browser sends one on a POST) names it, and the browser does not call it cross-site.
    fn origin_ok(&self, headers: &HeaderMap) -> bool {
        let origin_ok = headers
            .get(header::ORIGIN)
            .and_then(|h| h.to_str().ok())
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(o)));
        let site_ok = headers
            .get("sec-fetch-site")
            .and_then(|h| h.to_str().ok())
            .is_none_or(|s| s == "same-origin" || s == "none");
        origin_ok && site_ok
    }

    fn cookie_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .any(|(name, value)| name == self.cookie_name && same_secret(value, &self.session))
    }

    fn set_cookie(&self) -> String {
        format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict",
            self.cookie_name, self.session
        )
    }
}

/// The query string without its `token` pair, and whether the token was there and right.
fn take_token<'q>(query: &'q str, token: &str) -> (Vec<&'q str>, Option<bool>) {
    let mut rest = Vec::new();
    let mut found = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("token=") {
            Some(given) => found = Some(found.unwrap_or(false) || same_secret(given, token)),
            None => rest.push(pair),
        }
    }
    (rest, found)
}

/// Adds the headers every response carries.
pub fn harden(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    resp
}

fn refuse(status: StatusCode, message: &str) -> Response {
    harden((status, crate::html::plain_page(status, message)).into_response())
}

/// The middleware in front of every route.
pub async fn check(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let guard = &app.guard;
    if !guard.host_ok(req.headers()) {
        return refuse(
            StatusCode::FORBIDDEN,
            "This server answers only to its own address (the Host header named another).",
        );
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD);
    if changes && !guard.origin_ok(req.headers()) {
        return refuse(
            StatusCode::FORBIDDEN,
            "Refused: a change must come from a page of this server (cross-origin request).",
        );
    }
    if let Some(query) = req.uri().query()
        && let (rest, Some(right)) = take_token(query, &guard.token)
    {
        if !right {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "Wrong token: open the link `sk ui` printed.",
            );
        }
        // Into the cookie, out of the address bar (and the history). The path is made
        // local: `//evil.example/?token=…` must not send the browser elsewhere.
        let mut location = format!("/{}", req.uri().path().trim_start_matches(['/', '\\']));
        if !rest.is_empty() {
            location.push('?');
            location.push_str(&rest.join("&"));
        }
        let mut resp = StatusCode::SEE_OTHER.into_response();
        if let (Ok(loc), Ok(cookie)) = (
            HeaderValue::from_str(&location),
            HeaderValue::from_str(&guard.set_cookie()),
        ) {
            resp.headers_mut().insert(header::LOCATION, loc);
            resp.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        return harden(resp);
    }
    if !guard.cookie_ok(req.headers()) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "This page needs the link `sk ui` printed when it started (it carries a one-run token).",
        );
    }
    let started = std::time::Instant::now();
    let mut resp = next.run(req).await;
    // The server's own time for the page (the benchmark reads it; so can a browser's
    // developer tools).
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.2}")) {
        resp.headers_mut().insert("server-timing", v);
    }
    harden(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_port_may_be_left_out() {
        let g = Guard::new("127.0.0.1:80".parse().expect("addr")).expect("guard");
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1"));
        assert!(g.host_ok(&h));
        let g = Guard::new("127.0.0.1:8080".parse().expect("addr")).expect("guard");
        assert!(!g.host_ok(&h));
    }

    #[test]
    fn the_token_is_taken_out_of_the_query() {
        let (rest, found) = take_token("q=a&token=abc&kind=all", "abc");
        assert_eq!(rest, ["q=a", "kind=all"]);
        assert_eq!(found, Some(true));
        assert_eq!(take_token("token=abd", "abc").1, Some(false));
        assert_eq!(take_token("q=token", "abc").1, None);
    }

    #[test]
    fn hosts_are_the_listening_address_only() {
        let g = Guard::new("127.0.0.1:4321".parse().expect("addr")).expect("guard");
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("localhost:4321"));
        assert!(g.host_ok(&h));
        h.insert(header::HOST, HeaderValue::from_static("evil.example:4321"));
        assert!(!g.host_ok(&h));
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:80"));
        assert!(!g.host_ok(&h));
        assert!(g.start_url().starts_with("http://127.0.0.1:4321/?token="));
        assert_ne!(g.token, g.session);
        assert!(same_secret(&g.csrf, g.csrf()) && !same_secret("x", g.csrf()));
    }
}
