//! How a search or briefing can fail: only the database can make it fail.

/// A recall operation failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("reading the knowledge base: {0}")]
    Sql(#[from] rusqlite::Error),
    /// Only from a caller's sink (the reads themselves write nothing).
    #[error("writing the result: {0}")]
    Io(#[from] std::io::Error),
}
