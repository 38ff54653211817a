//! The server's state and its routes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rusqlite::Connection;
use sk_core::Paths;
use sk_query::reader::{ReadError, Reader};

use crate::guard::Guard;
use crate::{UiError, assets, html, pages};

/// How `sk ui` was started.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// For the Health page's `sk doctor` checks.
    pub doctor: sk_install::doctor::Context,
}

impl Options {
    pub fn new(doctor: sk_install::doctor::Context) -> Options {
        Options {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            doctor,
        }
    }
}

#[derive(Debug)]
pub struct App {
    pub paths: Paths,
    pub guard: Guard,
    pub doctor: sk_install::doctor::Context,
    reader: Mutex<Reader>,
}

impl App {
    pub fn new(paths: Paths, options: Options, addr: SocketAddr) -> Result<Arc<App>, UiError> {
        Ok(Arc::new(App {
            reader: Mutex::new(Reader::new(paths.db.clone())),
            paths,
            guard: Guard::new(addr)?,
            doctor: options.doctor,
        }))
    }

    /// Runs `read` in one read snapshot of the knowledge base.
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T, ReadError>) -> Result<T, PageError> {
        // A poisoned lock only means an earlier request panicked; `Reader::read` reopens
        // the connection after any failure.
        let mut reader = self.reader.lock().unwrap_or_else(PoisonError::into_inner);
        reader.read(read).map_err(PageError::from)
    }
}

/// Why a page could not be shown, as the person reading it needs to hear it.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// Another writer held the database: nothing was changed.
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NoDatabase(String),
    #[error("{0}")]
    Internal(String),
}

impl From<ReadError> for PageError {
    fn from(e: ReadError) -> PageError {
        let busy = match &e {
            ReadError::Open(s) => s.is_busy(),
            ReadError::Sql(s) => matches!(
                s.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            _ => false,
        };
        match e {
            ReadError::Missing(_) => PageError::NoDatabase(e.to_string()),
            other if busy => PageError::Busy(format!(
                "The knowledge base is busy ({other}): reload in a moment."
            )),
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<sk_query::QueryError> for PageError {
    fn from(e: sk_query::QueryError) -> PageError {
        PageError::Internal(e.to_string())
    }
}

impl From<rusqlite::Error> for PageError {
    fn from(e: rusqlite::Error) -> PageError {
        PageError::Internal(format!("reading the knowledge base: {e}"))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = match &self {
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Busy(_) | PageError::NoDatabase(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, html::plain_page(status, &self.to_string())).into_response()
    }
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::search::page))
        .route("/sessions", get(pages::sessions::page))
        .route("/session/{key}", get(pages::session::page))
        .route("/knowledge", get(pages::knowledge::list))
        .route("/knowledge/{id}", get(pages::knowledge::entry))
        .route("/knowledge/{id}/forget", post(pages::knowledge::forget))
        .route("/knowledge/{id}/pin", post(pages::knowledge::pin))
        .route("/knowledge/{id}/unpin", post(pages::knowledge::unpin))
        .route("/knowledge/{id}/edit", post(pages::knowledge::edit))
        .route("/insights", get(pages::insights::page))
        .route("/health", get(pages::health::page))
        .route("/assets/{name}", get(assets::serve))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::guard::check,
        ))
        .with_state(app)
}

async fn not_found() -> PageError {
    PageError::NotFound("No such page.".into())
}
