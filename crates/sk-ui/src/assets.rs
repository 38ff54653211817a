//! The stylesheet, the script and the icon, compiled into the binary. Served by name from
//! a fixed table: no request path reaches the file system.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app::PageError;

pub const CSS_PATH: &str = "/assets/app.css";
pub const JS_PATH: &str = "/assets/app.js";
pub const ICON_PATH: &str = "/assets/icon.svg";

/// (name, content type, bytes).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/app.js"),
    ),
    ("icon.svg", "image/svg+xml", include_str!("../assets/icon.svg")),
];

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => ([(header::CONTENT_TYPE, *mime)], *body).into_response(),
        None => PageError::NotFound("No such asset.".into()).into_response(),
    }
}
