//! One knowledge entry with where it was seen and what it relates to: what `sk show --json`
//! and the MCP `show` tool print ([`Shown`]: every field of the entry, plus `sessions`
//! and `related`), read in one place so the two cannot drift apart.

use rusqlite::Connection;
use serde::Serialize;
use sk_store::curation::{self, ForgottenEntry};
use sk_store::knowledge::{self, Entry, Related, SessionInfo};
use sk_store::sync::{self, RemoteOrigin};

use crate::QueryError;

/// Related entries listed with an entry.
pub const RELATED: usize = 5;

/// Everything `sk show --json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    #[serde(flatten)]
    pub entry: Entry,
    pub sessions: Vec<SessionInfo>,
    pub related: Vec<Related>,
    /// Who pushed it and from which replica, for an entry pulled by `sk sync`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteOrigin>,
}

/// What an entry id names.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<Shown>),
    /// Forgotten by a person (`sk knowledge forget`): its text is gone.
    Forgotten(ForgottenEntry),
    Missing,
}

/// The entry `id` with its sessions and related entries.
pub fn show(conn: &Connection, id: i64) -> Result<Lookup, QueryError> {
    let Some(entry) = knowledge::get(conn, id)? else {
        return Ok(match curation::forgotten_entry(conn, id)? {
            Some(f) => Lookup::Forgotten(f),
            None => Lookup::Missing,
        });
    };
    let sessions = knowledge::sessions_of(conn, entry.id, None)?;
    let related = knowledge::related(conn, &entry, RELATED)?;
    let remote = sync::origin(conn, entry.id)?;
    Ok(Lookup::Found(Box::new(Shown {
        entry,
        sessions,
        related,
        remote,
    })))
}

/// The sentence a surface prints for a forgotten entry.
pub fn forgotten_message(f: &ForgottenEntry) -> String {
    let reason = f.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    format!(
        "entry {} [{}] was forgotten on {}{reason} (`sk knowledge forget`); its text is gone",
        f.id,
        f.category,
        sk_core::time::format_ms(f.forgotten_at)
    )
}
