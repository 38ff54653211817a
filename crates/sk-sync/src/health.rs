//! What `sk doctor` says about sync: is a remote set up, does it answer, is its schema
//! one this sk understands, how far behind is this replica, and what failed last. Never
//! writes; an unreachable remote is a warning, since working offline is normal.

use serde::Serialize;
use sk_core::Paths;
use sk_store::Store;
use sk_store::sync as local;

use crate::config;
use crate::remote::Remote;

/// The remote's side, when it answered.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteHealth {
    pub schema_version: i32,
    /// Other replicas' changes waiting to be pulled.
    pub to_pull: i64,
    /// Of those, held back by a transaction still open on the server.
    pub held_back: i64,
}

/// The sync part of the doctor's report.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// The remote, password hidden.
    pub remote: String,
    pub team: String,
    /// Local changes not pushed yet.
    pub pending: i64,
    pub last_push_at: Option<i64>,
    pub last_pull_at: Option<i64>,
    pub last_error: Option<String>,
    /// The remote's answer, or why there was none.
    pub remote_state: Result<RemoteHealth, String>,
}

/// None when sync is not set up for this database.
pub fn check(paths: &Paths) -> Option<Health> {
    let cfg = config::load(&paths.sync_config()).ok().flatten();
    let (url, _) = crate::engine::url_of(cfg.as_ref())?;
    if !paths.db.exists() {
        return None;
    }
    let store = Store::open_readonly(&paths.db).ok()?;
    let st = local::state(store.conn()).ok()?;
    let (true, Some(team)) = (st.enabled, st.team.clone()) else {
        return None;
    };
    let remote_state = (|| {
        let mut r = Remote::connect(&url)?;
        let (meta, _) = r.check_version()?;
        let replica = st.replica_id.clone().unwrap_or_default();
        let (to_pull, held_back) = r.behind(&team, &replica, (&st.last_xid, st.last_id))?;
        Ok::<_, crate::SyncError>(RemoteHealth {
            schema_version: meta.schema_version,
            to_pull,
            held_back,
        })
    })()
    .map_err(|e| e.to_string());
    Some(Health {
        remote: config::redact(&url),
        team,
        pending: st.pending,
        last_push_at: st.last_push_at,
        last_pull_at: st.last_pull_at,
        last_error: st.last_error,
        remote_state,
    })
}
