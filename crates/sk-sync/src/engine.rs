//! The commands' work: setting up a replica, a push and a pull, the status and removing
//! the remote. Every local write is one short transaction under sk's writer lock; the
//! network is never touched while the lock is held.

use std::time::Duration;

use rusqlite::Connection;
use serde::Serialize;
use sk_core::Paths;
use sk_core::env::{self, Source};
use sk_store::lock::WriterLock;
use sk_store::sync::{self as local, Applied};
use sk_store::write::tx;
use sk_store::{Store, StoreError};

use crate::SyncError;
use crate::config::{self, Sharing, SyncConfig};
use crate::remote::{Remote, Version};
use crate::sql;

/// Outbox rows per push transaction, and changes per pull.
const BATCH: usize = 1000;
/// The largest payload sent (the remote's limit is 1 MiB as stored; JSON text is larger
/// than its jsonb form only by whitespace, which sk's JSON has none of).
const MAX_PAYLOAD: usize = 1 << 20;
/// How long a local write waits for another sk writer.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// What `sk sync` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    Push,
    Pull,
}

/// What `sk sync setup` did.
#[derive(Debug, Clone, Serialize)]
pub struct SetupReport {
    /// The URL with its password hidden.
    pub remote: String,
    pub team: String,
    pub replica_id: String,
    pub label: String,
    /// Local changes queued for the first push (everything known so far).
    pub queued: u64,
    pub config_file: String,
    /// Which repositories' knowledge is sent.
    pub share: Sharing,
}

/// What one `sk sync` run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub remote: String,
    pub team: String,
    /// Outbox rows sent, and how many of them the remote did not have yet.
    pub pushed: u64,
    pub pushed_new: u64,
    /// Changes read from the remote (other replicas' and this one's own).
    pub pulled: u64,
    pub applied: u64,
    pub superseded: u64,
    /// Changes too large for the remote (over 1 MiB), kept here only.
    pub too_large: u64,
    /// Changes to knowledge of repositories this machine does not share (`setup
    /// --exclude-repo/--only-repo`), never sent.
    pub withheld: u64,
    /// The replica id was replaced: the remote held seqs this database never made.
    pub rekeyed: bool,
    /// The remote was re-created: everything was queued again and pulled from the start.
    pub remote_recreated: bool,
}

/// `sk sync status`: local facts only (no network), the password never included.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub configured: bool,
    pub remote: Option<String>,
    /// Where the URL comes from: "SK_SYNC_URL" or the config file's path.
    pub remote_from: Option<String>,
    pub team: Option<String>,
    pub label: Option<String>,
    pub replica_id: Option<String>,
    pub pending: i64,
    pub pushed_through: i64,
    pub last_push_at: Option<i64>,
    pub last_pull_at: Option<i64>,
    pub last_error: Option<String>,
    /// Which repositories' knowledge is sent.
    pub share: Sharing,
}

/// What `sk sync forget-remote` removed.
#[derive(Debug, Clone, Serialize)]
pub struct ForgetReport {
    pub config_removed: bool,
    pub was_enabled: bool,
    /// Outbox rows dropped without being pushed.
    pub unpushed_dropped: i64,
}

/// The URL to use: `SK_SYNC_URL`, else the config file's.
pub(crate) fn url_of(cfg: Option<&SyncConfig>) -> Option<(String, String)> {
    if let Some(url) = env::ProcessEnv.get(env::SK_SYNC_URL) {
        return Some((
            url.to_string_lossy().into_owned(),
            env::SK_SYNC_URL.name.to_string(),
        ));
    }
    cfg.map(|c| (c.url.clone(), "config".to_string()))
}

/// Runs `change` in one write transaction under the writer lock.
fn write<T>(store: &Store, change: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, SyncError> {
    let _lock = WriterLock::acquire(store.path(), "sk sync", LOCK_WAIT)?;
    let conn = store.conn();
    let sql = || StoreError::sql(store.path());
    tx::begin(conn).map_err(sql())?;
    match change(conn) {
        Ok(done) => {
            tx::commit(conn).map_err(sql())?;
            Ok(done)
        }
        Err(e) => {
            let _ = tx::rollback(conn);
            Err(sql()(e).into())
        }
    }
}

fn read<T>(store: &Store, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, SyncError> {
    f(store.conn()).map_err(|e| StoreError::sql(store.path())(e).into())
}

/// A random (v4) UUID, as PostgreSQL prints it. The bytes come from `getrandom` so that a
/// machine without randomness gets an error, not a panic.
fn new_replica_id() -> Result<String, SyncError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| SyncError::Config(format!("no randomness for a replica id: {e}")))?;
    Ok(uuid::Builder::from_random_bytes(b).into_uuid().to_string())
}

/// Connects and checks the remote's version (migrating an older one when allowed).
fn open_remote(url: &str) -> Result<(Remote, crate::remote::Meta), SyncError> {
    let mut remote = Remote::connect(url)?;
    let (mut meta, version) = remote.check_version()?;
    if version == Version::Migrate {
        remote.migrate()?;
        meta = remote.meta()?;
    }
    Ok((remote, meta))
}

/// `sk sync setup`: checks the remote, picks the team, registers this database as a
/// replica, queues what it already knows and stores the URL (0600).
pub fn setup(
    paths: &Paths,
    url: &str,
    team: Option<&str>,
    label: Option<&str>,
    share: Sharing,
) -> Result<SetupReport, SyncError> {
    if let Some(t) = team {
        sql::check_team(t)?;
    }
    let label = label.map(str::to_string).unwrap_or_else(config::host_name);
    let (mut remote, meta) = open_remote(url)?;
    let teams = remote.my_teams()?;
    let team = match team {
        Some(t) if teams.iter().any(|m| m == t) => t.to_string(),
        Some(t) => {
            return Err(SyncError::Refused(format!(
                "this role is not a member of team {t:?} on the remote (its teams: {}): ask an administrator \
                 to add it (`sk sync print-admin-sql --team {t} --user ROLE`)",
                list(&teams)
            )));
        }
        None => match teams.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(SyncError::Refused(
                    "this role is not a member of any team on the remote: ask an administrator to add it \
                     (`sk sync print-admin-sql --team TEAM --user ROLE`)"
                        .into(),
                ));
            }
            many => {
                return Err(SyncError::Usage(format!(
                    "this role is in several teams ({}): choose one with --team",
                    list(many)
                )));
            }
        },
    };
    let store = Store::open(&paths.db)?;
    let st = read(&store, local::state)?;
    let same = st.enabled
        && st.team.as_deref() == Some(&team)
        && st.instance_id.as_deref() == Some(&meta.instance_id);
    let mut replica = match (&st.replica_id, same) {
        (Some(id), true) => id.clone(),
        _ => new_replica_id()?,
    };
    let mut tries = 0;
    while !remote.register(&replica, &team, &label)? {
        tries += 1;
        if tries > 3 {
            return Err(SyncError::Refused(
                "could not register a replica id of this role on the remote".into(),
            ));
        }
        replica = new_replica_id()?;
    }
    let file = paths.sync_config();
    // Other sharing rules than last time: what they withheld may now go (and the rest
    // again, idempotently), so everything is queued anew.
    let share_changed = config::load(&file)?.is_some_and(|old| old.share != share);
    let queued = write(&store, |conn| {
        if same && st.replica_id.as_deref() == Some(replica.as_str()) {
            conn.execute("UPDATE sync_state SET label = ?1", [&label])?;
            local::set_share_sessions(conn, share.sessions)?;
            return if share_changed {
                local::requeue(conn)
            } else {
                Ok(0)
            };
        }
        local::disable(conn)?;
        local::set_share_sessions(conn, share.sessions)?;
        local::enable(conn, &replica, &team, &label, &meta.instance_id)
    })?;
    config::save(
        &file,
        &SyncConfig {
            url: url.to_string(),
            team: team.clone(),
            label: label.clone(),
            share: share.clone(),
        },
    )?;
    Ok(SetupReport {
        remote: config::redact(url),
        team,
        replica_id: replica,
        label,
        queued,
        config_file: file.display().to_string(),
        share,
    })
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// `sk sync [push|pull]`. A failure is also remembered as the last error for `status`.
pub fn run(paths: &Paths, direction: Direction) -> Result<RunReport, SyncError> {
    let cfg = config::load(&paths.sync_config())?;
    if !paths.db.exists() {
        return Err(SyncError::NotConfigured);
    }
    let store = Store::open(&paths.db)?;
    let st = read(&store, local::state)?;
    let (Some((url, _)), true, Some(team)) = (url_of(cfg.as_ref()), st.enabled, st.team.clone()) else {
        return Err(SyncError::NotConfigured);
    };
    let share = cfg.map(|c| c.share).unwrap_or_default();
    let outcome = run_with(&store, &url, &team, &share, direction);
    let error = outcome.as_ref().err().map(|e| e.to_string());
    // Remembering the outcome must not hide it; a busy database says so itself.
    let _ = write(&store, |conn| local::set_error(conn, error.as_deref()));
    outcome
}

fn run_with(
    store: &Store,
    url: &str,
    team: &str,
    share: &Sharing,
    direction: Direction,
) -> Result<RunReport, SyncError> {
    let mut report = RunReport {
        remote: config::redact(url),
        team: team.to_string(),
        ..RunReport::default()
    };
    let (mut remote, meta) = open_remote(url)?;
    let st = read(store, local::state)?;
    if st.instance_id.as_deref() != Some(meta.instance_id.as_str()) {
        // A re-created (or restored) remote: what it lost is queued again, and it is
        // read from the start (applying is idempotent).
        write(store, |conn| {
            local::reset_cursor(conn, &meta.instance_id)?;
            local::requeue(conn)
        })?;
        report.remote_recreated = true;
    }
    let mut replica = st.replica_id.clone().unwrap_or_default();
    let label = st.label.clone().unwrap_or_default();
    let made = read(store, local::max_seq_made)?;
    let registered = !replica.is_empty() && remote.register(&replica, team, &label)?;
    let remote_seq = if registered {
        remote.max_seq(team, &replica)?
    } else {
        0
    };
    if !registered || remote_seq > made {
        // Someone else's id, or the remote holds seqs this database never made (it was
        // restored from a backup, or copied): its new changes would be taken for
        // duplicates, so it becomes a new replica.
        replica = rekey(store, &mut remote, team)?;
        report.rekeyed = true;
    } else if remote_seq < read(store, local::state)?.sent_through && !report.remote_recreated {
        // The remote lost changes it had from here: the same remote restored from an
        // older backup (its instance id unchanged). Everything is sent again and read
        // from the start, as for a re-created remote.
        write(store, |conn| {
            local::reset_cursor(conn, &meta.instance_id)?;
            local::requeue(conn)
        })?;
        report.remote_recreated = true;
    }
    if direction != Direction::Pull {
        push(store, &mut remote, team, share, &mut replica, &mut report)?;
    }
    if direction != Direction::Push {
        pull(store, &mut remote, team, &mut report)?;
    }
    Ok(report)
}

/// Gives this database a new replica id, registered on the remote.
fn rekey(store: &Store, remote: &mut Remote, team: &str) -> Result<String, SyncError> {
    let label = read(store, local::state)?.label.unwrap_or_default();
    let replica = new_replica_id()?;
    if !remote.register(&replica, team, &label)? {
        return Err(SyncError::Refused(
            "could not register a new replica id on the remote".into(),
        ));
    }
    write(store, |conn| local::set_replica(conn, &replica))?;
    Ok(replica)
}

/// Outbox rows past `pushed_through`, a batch per remote transaction; `pushed_through`
/// moves only after the remote committed, so a crash in between makes the next push of
/// those rows a no-op there.
fn push(
    store: &Store,
    remote: &mut Remote,
    team: &str,
    share: &Sharing,
    replica: &mut String,
    report: &mut RunReport,
) -> Result<(), SyncError> {
    loop {
        let rows = read(store, |c| local::pending(c, BATCH))?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            break;
        };
        // The remote refuses a payload over 1 MiB (its CHECK), and one such row would
        // fail its whole batch on every sync from then on: it stays local, counted.
        // A queued session that went away has nothing to send.
        let (fits, too_large): (Vec<_>, Vec<_>) = rows
            .iter()
            .filter(|r| !r.vanished())
            .cloned()
            .partition(|r| r.payload.len() <= MAX_PAYLOAD);
        report.too_large += too_large.len() as u64;
        // Knowledge of a repository this machine does not share is never sent; its rows
        // leave the outbox with the batch, like the others.
        let (fits, withheld): (Vec<_>, Vec<_>) = fits.into_iter().partition(|r| share.allows_row(r));
        report.withheld += withheld.len() as u64;
        if !fits.is_empty() {
            let mut new = remote.push(team, replica, &fits)?;
            if new < fits.len() as u64 && !remote.holds(team, replica, &fits)? {
                // The remote already holds some of these seqs for this replica with other
                // changes: a copy of this database (same replica id) pushed them. Ours
                // would be dropped as duplicates, so this database becomes a new replica
                // and sends the batch under the new id.
                *replica = rekey(store, remote, team)?;
                report.rekeyed = true;
                new = remote.push(team, replica, &fits)?;
            }
            report.pushed_new += new;
        }
        crate::fault_point("push-after-commit", || true);
        report.pushed += fits.len() as u64;
        let now = sk_core::time::now_ms();
        let sent = fits.iter().map(|r| r.seq).max();
        write(store, |conn| local::mark_pushed(conn, last, sent, now))?;
        if rows.len() < BATCH {
            break;
        }
    }
    Ok(())
}

/// Changes after the cursor, a batch at a time; each batch is applied and the cursor
/// stored in one local transaction.
fn pull(store: &Store, remote: &mut Remote, team: &str, report: &mut RunReport) -> Result<(), SyncError> {
    let st = read(store, local::state)?;
    let last: u64 = st.last_xid.parse().unwrap_or(0);
    if remote.horizon()? < last {
        // The server's transaction ids are behind the cursor: another cluster (a
        // restore). Read everything again.
        write(store, |conn| {
            local::reset_cursor(conn, st.instance_id.as_deref().unwrap_or_default())
        })?;
    }
    loop {
        let st = read(store, local::state)?;
        let rows = remote.pull(team, (&st.last_xid, st.last_id), BATCH as i64)?;
        let Some((xid, id, _)) = rows.last() else {
            // Nothing new: still a successful pull.
            let now = sk_core::time::now_ms();
            write(store, |conn| local::mark_pulled(conn, now))?;
            break;
        };
        let cursor = (xid.clone(), *id);
        let n = rows.len();
        // This replica's own changes are applied too, not skipped: they are superseded by
        // the clocks that made them (equal, not newer), except in a copy of this database
        // that shares its replica id and has not pushed yet; skipping them would move
        // its cursor past the original's changes for good.
        let changes: Vec<_> = rows.into_iter().map(|(_, _, c)| c).collect();
        let now = sk_core::time::now_ms();
        let done: Applied = write(store, |conn| {
            local::apply(conn, &changes, (&cursor.0, cursor.1), now)
        })?;
        report.pulled += n as u64;
        report.applied += done.applied;
        report.superseded += done.superseded;
        if n < BATCH {
            break;
        }
    }
    Ok(())
}

/// `sk sync status`: what this database knows, without the network.
pub fn status(paths: &Paths) -> Result<Status, SyncError> {
    let file = paths.sync_config();
    let cfg = config::load(&file)?;
    let st = if paths.db.exists() {
        let store = Store::open_readonly(&paths.db)?;
        store.require_latest()?;
        Some(read(&store, local::state)?)
    } else {
        None
    };
    let url = url_of(cfg.as_ref());
    let enabled = st.as_ref().is_some_and(|s| s.enabled);
    Ok(Status {
        configured: enabled && url.is_some(),
        remote: url.as_ref().map(|(u, _)| config::redact(u)),
        remote_from: url.map(|(_, from)| {
            if from == "config" {
                file.display().to_string()
            } else {
                from
            }
        }),
        team: st
            .as_ref()
            .and_then(|s| s.team.clone())
            .or_else(|| cfg.as_ref().map(|c| c.team.clone())),
        label: st.as_ref().and_then(|s| s.label.clone()),
        replica_id: st.as_ref().and_then(|s| s.replica_id.clone()),
        pending: st.as_ref().map_or(0, |s| s.pending),
        pushed_through: st.as_ref().map_or(0, |s| s.pushed_through),
        last_push_at: st.as_ref().and_then(|s| s.last_push_at),
        last_pull_at: st.as_ref().and_then(|s| s.last_pull_at),
        last_error: st.and_then(|s| s.last_error),
        share: cfg.map(|c| c.share).unwrap_or_default(),
    })
}

/// `sk sync forget-remote`: removes the config file and this database's sync state
/// (outbox, clocks, cursor, replica id). Every entry stays, pulled ones included.
pub fn forget_remote(paths: &Paths) -> Result<ForgetReport, SyncError> {
    let config_removed = config::remove(&paths.sync_config())?;
    let (was_enabled, unpushed_dropped) = if paths.db.exists() {
        let store = Store::open(&paths.db)?;
        write(&store, |conn| {
            let st = local::state(conn)?;
            local::disable(conn)?;
            Ok((st.enabled, st.pending))
        })?
    } else {
        (false, 0)
    };
    Ok(ForgetReport {
        config_removed,
        was_enabled,
        unpushed_dropped,
    })
}
