//! One module per page. Each handler reads its query, asks `sk-query`/`sk-store` inside
//! one read snapshot, and renders with `crate::html`.

pub mod health;
pub mod insights;
pub mod knowledge;
pub mod search;
pub mod session;
pub mod sessions;

use crate::app::PageError;

/// The highest page number a listing accepts: far beyond any real history, small enough
/// that `page × page size` never overflows.
const MAX_PAGE: usize = 1_000_000;

/// A page number from the query, bounded (see [`MAX_PAGE`]).
pub fn page_number(asked: usize) -> usize {
    asked.min(MAX_PAGE)
}

/// A date bound from a form field: `YYYY-MM-DD`, an RFC 3339 time or `7d` (as the CLI).
pub fn point(field: &str, text: &str, now: i64) -> Result<Option<i64>, PageError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    sk_core::time::parse_point(text, now).map(Some).ok_or_else(|| {
        PageError::BadRequest(format!(
            "{field}: `{text}` is not a date (YYYY-MM-DD, an RFC 3339 time, or a duration ago such as 7d)"
        ))
    })
}

/// An agent name from a form field (empty: any).
pub fn agent(text: &str) -> Result<Option<sk_core::Agent>, PageError> {
    if text.is_empty() {
        return Ok(None);
    }
    sk_core::Agent::ALL
        .into_iter()
        .find(|a| a.as_str() == text)
        .map(Some)
        .ok_or_else(|| PageError::BadRequest(format!("no such agent: `{text}`")))
}

/// A knowledge category from a form field (empty: any).
pub fn category(text: &str) -> Result<Option<sk_core::Category>, PageError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| PageError::BadRequest(format!("no such category: `{text}`")))
}
