//! The vocabulary every other sk crate shares: agents, normalized records, the sink that
//! connectors push into, timestamps, and the one place that turns the environment into paths.
//! Nothing here performs SQL or reads logs; it only names things.

pub mod agent;
pub mod env;
pub mod escalation;
pub mod knowledge;
pub mod panic;
pub mod paths;
pub mod record;
pub mod repo;
pub mod text;
pub mod time;

pub use agent::Agent;
pub use knowledge::Category;
pub use paths::Paths;
pub use record::{Record, RecordKind, SessionMeta, Sink, SinkError, SourceFile, SourceKind, SourceState};
