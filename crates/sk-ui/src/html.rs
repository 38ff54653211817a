//! The page shell and the small pieces every page uses. Everything goes through `maud`'s
//! `html!`, which escapes every interpolated value; `PreEscaped` is used only for markup
//! this crate writes itself (the SVG charts), never for stored text.

use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};

/// The pages in the navigation bar: (path, label).
const NAV: &[(&str, &str)] = &[
    ("/", "Search"),
    ("/sessions", "Sessions"),
    ("/knowledge", "Knowledge"),
    ("/insights", "Insights"),
    ("/health", "Health"),
];

/// A whole page: head, navigation (with `active` marked), then `body`.
pub fn layout(title: &str, active: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · sk" }
                link rel="stylesheet" href=(crate::assets::CSS_PATH);
                link rel="icon" href=(crate::assets::ICON_PATH);
                script src=(crate::assets::JS_PATH) defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "sk" }
                    nav {
                        @for (path, label) in NAV {
                            @if *path == active {
                                a.active href=(path) aria-current="page" { (label) }
                            } @else {
                                a href=(path) { (label) }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page that only says something (an error, a refusal).
pub fn plain_page(status: StatusCode, message: &str) -> Markup {
    layout(
        status.canonical_reason().unwrap_or("Error"),
        "",
        html! {
            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
            p.message { (message) }
        },
    )
}

/// A snippet whose matches are wrapped in `[` `]` (sk-query's snippets never hold other
/// brackets: they are made round), with the matches marked.
pub fn snippet(text: &str) -> Markup {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('[') {
        match after.split_once(']') {
            Some((hit, tail)) => {
                parts.push((before, false));
                parts.push((hit, true));
                rest = tail;
            }
            None => break,
        }
    }
    html! {
        @for (part, hit) in parts {
            @if hit { mark { (part) } } @else { (part) }
        }
        (rest)
    }
}

/// A time in ms since the epoch as `YYYY-MM-DD HH:MM` (UTC), or "—".
pub fn when(ms: Option<i64>) -> String {
    match ms {
        Some(ms) => sk_core::time::format_ms(ms)
            .replace('T', " ")
            .chars()
            .take(16)
            .collect(),
        None => "—".into(),
    }
}

/// A duration between two times, as a person reads it.
pub fn duration(start: Option<i64>, end: Option<i64>) -> String {
    let (Some(s), Some(e)) = (start, end) else {
        return "—".into();
    };
    let mins = e.saturating_sub(s).max(0) / 60_000;
    match mins {
        0 => "<1 min".into(),
        m if m < 60 => format!("{m} min"),
        m => format!("{}h {:02}m", m / 60, m % 60),
    }
}

/// The pager under a listing: `page` (0-based) of the pages `total` items fill at
/// `per_page`, with links to its neighbours made by `link`.
pub fn pager(page: usize, total: u64, per_page: usize, link: impl Fn(usize) -> String) -> Markup {
    let pages = usize::try_from(total)
        .unwrap_or(usize::MAX)
        .div_ceil(per_page)
        .max(1);
    html! {
        nav.pager {
            @if page > 0 { a rel="prev" href=(link(page.min(pages) - 1)) { "← previous" } " " }
            "page " (page + 1) " of " (pages)
            @if page + 1 < pages { " " a rel="next" href=(link(page + 1)) { "next →" } }
        }
    }
}

/// A session page's address.
pub fn session_href(key: &str) -> String {
    format!("/session/{}", encode(key))
}

/// Everything but RFC 3986's unreserved characters.
const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but unreserved characters (for a path segment or a query value).
pub fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, RESERVED).to_string()
}

/// A query string from pairs, empty values left out.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_matches_and_escape_everything() {
        let m = snippet("a [match] <script>alert(1)</script> [b").into_string();
        assert_eq!(m, "a <mark>match</mark> &lt;script&gt;alert(1)&lt;/script&gt; [b");
    }

    #[test]
    fn queries_are_encoded() {
        assert_eq!(query(&[("q", "a b&c"), ("kind", "")]), "?q=a%20b%26c");
        assert_eq!(session_href("claude:ab/c"), "/session/claude%3Aab%2Fc");
    }
}
