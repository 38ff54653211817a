//! `sk ui` through the real binary in a temporary home (`ui_support`): who it lets in (the
//! token → cookie exchange, `Host`, `Origin`, `Sec-Fetch-Site`, the CSRF field), the
//! headers every response carries, that session text — untrusted, written by whatever the
//! agent read — reaches the page escaped, a forget round trip, and search hits that open
//! their session at the matching step. `ui_browser.rs` drives the same home in a real
//! browser.

use serde_json::json;

use crate::ui_support::*;

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

    // The exchange sends the browser to a path of this server, never to another host.
    for (target, local) in [
        ("//evil.example/x", "/evil.example/x"),
        ("/\\evil.example/", "/evil.example/"),
    ] {
        let r = ui.raw("GET", &format!("{target}?token={}", ui.token), &[], "");
        r.expect(303, &format!("the token on {target}"));
        assert_eq!(r.header("location"), Some(local), "{target}");
    }

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

#[test]
fn a_search_hit_opens_its_session_at_the_matching_step() {
    let home = UiHome::new();
    let mut ui = UiServer::start(&home);
    ui.login();

    // Words only the failed call's output holds: the hit is that step, not the prompt.
    let results = ui.get("/?q=escapes+markup&kind=session");
    results.expect(200, "the search");
    let link = hrefs(&results.body)
        .into_iter()
        .find(|h| h.starts_with(&session_href(HOSTILE)))
        .unwrap_or_else(|| panic!("no hit for the hostile session:\n{}", results.body));
    assert!(link.contains("?at="), "a hit links to its record: {link}");

    let at = ui.get(&link);
    at.expect(303, "opening the hit");
    let location = at.header("location").unwrap_or_default().to_string();
    let (page, anchor) = location
        .split_once('#')
        .unwrap_or_else(|| panic!("no step anchor in {location}"));
    assert!(
        page.starts_with(&format!("{}?from=", session_href(HOSTILE))),
        "{location}"
    );

    let shown = ui.get(page);
    shown.expect(200, "the page holding the step");
    let step = shown
        .body
        .split(&format!("id=\"{anchor}\""))
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .unwrap_or_else(|| panic!("no step {anchor} on {page}:\n{}", shown.body));
    assert!(
        step.contains("escapes markup"),
        "{anchor} is the failed call:\n{step}"
    );

    // A record that is not one of this session's steps: the session's start.
    let elsewhere = ui.get(&format!("{}?at=999999999", session_href(HOSTILE)));
    elsewhere.expect(303, "a record that is not this session's");
    assert_eq!(elsewhere.header("location"), Some(session_href(HOSTILE).as_str()));

    // A search that finds nothing is in the recall telemetry, as the CLI's are.
    ui.get("/?q=zzzuimisszzz").expect(200, "a search for nothing");
    ui.stop_cleanly();
    let recall = home.json(&["status", "--recall", "--json"]);
    assert_eq!(recall["recent_misses"][0], "zzzuimisszzz", "{recall}");
}
