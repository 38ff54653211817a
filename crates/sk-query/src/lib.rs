//! Search, ranking and briefings over the knowledge base, and the result types that every
//! surface (the CLI's `--json`, hooks, the MCP server, the web UI) serializes, so they cannot
//! drift apart. SQL stays in `sk-store`: this crate asks it for candidate rows with raw
//! BM25 scores and decides the order, the shape and the size of what is shown.

pub mod brief;
pub mod entry;
mod error;
pub mod gitroot;
pub mod here;
pub mod rank;
pub mod reader;
pub mod render;
pub mod results;
pub mod search;
pub mod session;
pub mod snippet;
pub mod stopwords;

pub use brief::repo_key;
pub use error::QueryError;
pub use rank::RankParams;
pub use results::{Hit, HitKind, Results, SCHEMA_VERSION};
pub use search::{Kind, Request, search};
