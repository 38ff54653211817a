//! How a long-running server command (`sk mcp`, `sk ui`) is told to stop: SIGTERM or
//! SIGINT (Ctrl-C). One definition, handed to each server, so they stop alike.

/// Resolves on the first SIGTERM or SIGINT. Never resolves when the handlers cannot be
/// installed (the server then stops only by its own end: EOF for `sk mcp`). Must be first
/// polled inside the server's runtime, which it is: the servers poll it there.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
