//! `sk ui`: a local web interface to find, read and curate what the agents did.
//!
//! An HTTP server on loopback, on a single-threaded tokio runtime that only `sk ui`
//! starts (the hook path never links its way here). Pages are rendered on the server from
//! the same `sk-query` functions as the CLI, one read snapshot per request, with `maud`,
//! which escapes every value it interpolates: session text is untrusted and must reach
//! the browser as text. Every asset is compiled into the binary; nothing is fetched from
//! the network and no request path reaches the file system. [`guard`] keeps other sites
//! and other local users out: a per-run token, a cookie, `Host` and `Origin` checks, CSRF
//! tokens on every change, a strict Content-Security-Policy.

mod app;
mod assets;
mod guard;
mod html;
mod pages;
mod svg;

use std::net::SocketAddr;
use std::time::Duration;

use sk_core::Paths;

pub use app::Options;

/// Why `sk ui` could not serve.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("making the access token: {0}")]
    Token(String),
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// What `sk ui` prints once it listens.
#[derive(Debug, Clone)]
pub struct Started {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The URL to open: it carries the access token.
    pub url: String,
}

/// Serves the UI until `stop` resolves (the binary's SIGINT / SIGTERM). `started` is called
/// once the socket listens (to print the URL and, with `--open`, open a browser).
pub fn serve(
    paths: Paths,
    options: Options,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    started: impl FnOnce(&Started),
) -> Result<(), UiError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(UiError::Runtime)?;
    let outcome = rt.block_on(async move {
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| UiError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| UiError::Bind { addr, source })?;
        let app = app::App::new(paths, options, addr)?;
        let url = app.guard.start_url();
        started(&Started { addr, url });
        let router = app::router(app);
        axum::serve(listener, router)
            .with_graceful_shutdown(stop)
            .await
            .map_err(UiError::Serve)
    });
    rt.shutdown_timeout(Duration::from_millis(200));
    outcome
}
