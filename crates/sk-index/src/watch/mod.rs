//! `sk watch`: live capture. Native file-system events (the `notify` crate) on every agent's
//! log folders, with a polling fallback where events are unavailable (network drives, the
//! inotify watch limit) and for folders that do not exist yet. Changes are debounced, then
//! the same incremental pipeline as `sk index` runs in this process: the planner skips
//! unchanged files by size and mtime, so only the changed files are read, and the writer
//! lock is taken only while writing. A busy database (another writer) is retried later —
//! the logs are the source of truth, so nothing is lost by waiting. Idle, the loop blocks
//! on a channel: no wake-ups unless a folder it waits for is still missing.

pub mod control;
pub mod service;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecursiveMode, Watcher};
use sk_core::Paths;
use sk_store::lock::WriterLock;
use sk_store::{Store, StoreError};

use crate::{IndexError, IndexOptions, SilentProgress};
use control::{Instance, WatchState};

/// The watcher could not start or stop.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("another sk watch is already running for this home{}; stop it with `sk watch --stop`", pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    AlreadyRunning { pid: Option<u32> },
    #[error("cannot access {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    #[error("cannot watch the log folders: {0}")]
    Notify(String),
    #[error("a watcher holds the lock but wrote no pid file; stop it by hand (ps aux | grep 'sk watch')")]
    NoPid,
    #[error("cannot signal the watcher (pid {pid}): {detail}")]
    Signal { pid: u32, detail: String },
    #[error(
        "the watcher (pid {pid}) did not exit within {secs}s; it may be finishing a large batch — run `sk watch --stop` again, or `kill -9 {pid}` (the database stays consistent)"
    )]
    StopTimeout { pid: u32, secs: u64 },
}

impl WatchError {
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WatchError + '_ {
        move |error| WatchError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// How the watcher behaves.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after the last change before ingesting.
    pub debounce: Duration,
    /// Use polling instead of native events everywhere.
    pub force_polling: bool,
    /// Polling interval, and how often missing folders are looked for.
    pub poll_interval: Duration,
    /// How long to wait for another writer before trying again later.
    pub lock_wait: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(500),
            force_polling: false,
            poll_interval: Duration::from_secs(2),
            lock_wait: Duration::from_secs(2),
        }
    }
}

/// Something worth a line in the foreground status or the daemon's log.
#[derive(Debug, Clone)]
pub enum Note {
    Started {
        mode: &'static str,
        roots: Vec<PathBuf>,
    },
    Watching(PathBuf),
    Ingested {
        files: u64,
        records: u64,
        entries: u64,
        ms: u64,
    },
    Busy(String),
    Error(String),
    Stopping,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Started { mode, roots } => write!(
                f,
                "watching {} folder(s) with {mode} (Ctrl-C to stop)",
                roots.len()
            ),
            Note::Watching(p) => write!(f, "now watching {}", p.display()),
            Note::Ingested {
                files,
                records,
                entries,
                ms,
            } => {
                write!(
                    f,
                    "indexed {files} file(s): {records} record(s), {entries} knowledge entr(ies) in {ms} ms"
                )
            }
            Note::Busy(who) => write!(f, "database busy ({who}); will retry"),
            Note::Error(e) => write!(f, "error: {e}"),
            Note::Stopping => write!(f, "stopping"),
        }
    }
}

enum Msg {
    Fs(notify::Result<Event>),
    Stop,
}

/// The folders whose changes matter: every agent's logs, and the learn inbox.
pub fn roots(paths: &Paths) -> Vec<PathBuf> {
    vec![
        paths.copilot_session_state(),
        paths.copilot_history_state(),
        paths.claude_projects(),
        paths.codex_sessions(),
        paths.codex_archived(),
        paths.inbox_dir(),
    ]
}

/// A change that should trigger an ingest: log files (`.jsonl`, and `.json` for Copilot's
/// legacy layout and the inbox). The database, its sidecars and sk's own markers live near
/// the logs and must not trigger themselves; reads (our own ingest) are not changes.
fn relevant(event: &Event) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    let kind_counts = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    };
    kind_counts
        && event.paths.iter().any(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e == "jsonl" || e == "json")
        })
}

/// Either kind of notify watcher, so the fallback can replace the native one.
enum AnyWatcher {
    Native(notify::RecommendedWatcher),
    Poll(notify::PollWatcher),
}

impl AnyWatcher {
    fn watch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            AnyWatcher::Native(w) => w.watch(path, RecursiveMode::Recursive),
            AnyWatcher::Poll(w) => w.watch(path, RecursiveMode::Recursive),
        }
    }
    fn mode(&self) -> &'static str {
        match self {
            AnyWatcher::Native(_) => "events",
            AnyWatcher::Poll(_) => "polling",
        }
    }
}

fn poll_watcher(tx: mpsc::Sender<Msg>, interval: Duration) -> Result<AnyWatcher, WatchError> {
    let cfg = notify::Config::default().with_poll_interval(interval);
    notify::PollWatcher::new(move |r| drop(tx.send(Msg::Fs(r))), cfg)
        .map(AnyWatcher::Poll)
        .map_err(|e| WatchError::Notify(e.to_string()))
}

/// Runs until SIGINT/SIGTERM: one ingest at start (catching up on what changed while no
/// watcher ran), then one per debounced burst of changes. `note` hears about progress.
pub fn run(paths: &Paths, opts: &WatchOptions, note: &mut dyn FnMut(Note)) -> Result<(), WatchError> {
    let _instance = Instance::acquire(paths)?;
    let (tx, rx) = mpsc::channel::<Msg>();
    install_signal_forwarding(tx.clone())?;

    let all_roots = roots(paths);
    let _ = std::fs::create_dir_all(paths.inbox_dir());
    let mut watcher = if opts.force_polling {
        poll_watcher(tx.clone(), opts.poll_interval)?
    } else {
        let native_tx = tx.clone();
        match notify::recommended_watcher(move |r| drop(native_tx.send(Msg::Fs(r)))) {
            Ok(w) => AnyWatcher::Native(w),
            Err(_) => poll_watcher(tx.clone(), opts.poll_interval)?,
        }
    };
    let mut missing: Vec<PathBuf> = Vec::new();
    for root in &all_roots {
        if !root.is_dir() {
            missing.push(root.clone());
        } else if watcher.watch(root).is_err() && matches!(watcher, AnyWatcher::Native(_)) {
            // Typically the inotify watch limit: fall back to polling for everything.
            watcher = poll_watcher(tx.clone(), opts.poll_interval)?;
            missing = all_roots.iter().filter(|r| !r.is_dir()).cloned().collect();
            for r in all_roots.iter().filter(|r| r.is_dir()) {
                watcher
                    .watch(r)
                    .map_err(|e| WatchError::Notify(format!("{}: {e}", r.display())))?;
            }
            break;
        }
    }

    let mut state = WatchState {
        pid: std::process::id(),
        started_at_ms: sk_core::time::now_ms(),
        mode: watcher.mode().to_string(),
        ..WatchState::default()
    };
    let _ = control::write_state(paths, &state);
    note(Note::Started {
        mode: watcher.mode(),
        roots: all_roots
            .iter()
            .filter(|r| !missing.contains(r))
            .cloned()
            .collect(),
    });

    let mut due: Option<Instant> = Some(Instant::now());
    let mut next_rescan = Instant::now() + opts.poll_interval;
    loop {
        let now = Instant::now();
        if due.is_some_and(|d| d <= now) {
            due = match ingest_once(paths, opts, &mut state, note) {
                Attempt::Done => None,
                Attempt::Retry => Some(Instant::now() + opts.poll_interval),
            };
            let _ = control::write_state(paths, &state);
            continue;
        }
        if !missing.is_empty() && next_rescan <= now {
            let before = missing.len();
            missing.retain(|r| {
                if r.is_dir() && watcher.watch(r).is_ok() {
                    note(Note::Watching(r.clone()));
                    false
                } else {
                    true
                }
            });
            if missing.len() < before {
                due = Some(Instant::now());
            }
            next_rescan = now + opts.poll_interval;
            continue;
        }
        let mut wake = due;
        if !missing.is_empty() {
            wake = Some(wake.map_or(next_rescan, |d| d.min(next_rescan)));
        }
        let msg = match wake {
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(now)) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(m) => m,
                Err(_) => break,
            },
        };
        match msg {
            Msg::Stop => {
                note(Note::Stopping);
                // Finish what is pending so a stop never strands a burst of changes.
                if due.is_some() {
                    ingest_once(paths, opts, &mut state, note);
                }
                break;
            }
            Msg::Fs(Ok(event)) if relevant(&event) => {
                state.last_activity_ms = Some(sk_core::time::now_ms());
                due = Some(Instant::now() + opts.debounce);
            }
            Msg::Fs(Ok(_)) => {}
            Msg::Fs(Err(e)) => {
                state.errors += 1;
                state.last_error = Some(e.to_string());
                note(Note::Error(e.to_string()));
            }
        }
    }
    state.stopped_at_ms = Some(sk_core::time::now_ms());
    let _ = control::write_state(paths, &state);
    Ok(())
}

#[cfg(unix)]
fn install_signal_forwarding(tx: mpsc::Sender<Msg>) -> Result<(), WatchError> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| WatchError::Notify(format!("cannot handle signals: {e}")))?;
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if tx.send(Msg::Stop).is_err() {
                break;
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn install_signal_forwarding(_tx: mpsc::Sender<Msg>) -> Result<(), WatchError> {
    Ok(())
}

enum Attempt {
    Done,
    Retry,
}

/// One incremental ingest + extraction + inbox flush. Busy → retry later; other errors are
/// counted and reported, and the watcher keeps going.
fn ingest_once(
    paths: &Paths,
    opts: &WatchOptions,
    state: &mut WatchState,
    note: &mut dyn FnMut(Note),
) -> Attempt {
    let started = Instant::now();
    state.last_activity_ms = Some(sk_core::time::now_ms());
    match ingest(paths, opts) {
        Ok((files, records, entries)) => {
            state.ingests += 1;
            state.files_read += files;
            state.records += records;
            state.last_ingest_ms = Some(sk_core::time::now_ms());
            if files > 0 || entries > 0 {
                note(Note::Ingested {
                    files,
                    records,
                    entries,
                    ms: started.elapsed().as_millis() as u64,
                });
            }
            Attempt::Done
        }
        Err(e) if e.is_busy() => {
            note(Note::Busy(e.to_string()));
            Attempt::Retry
        }
        Err(e) => {
            state.errors += 1;
            state.last_error = Some(e.to_string());
            note(Note::Error(e.to_string()));
            Attempt::Done
        }
    }
}

fn ingest(paths: &Paths, opts: &WatchOptions) -> Result<(u64, u64, u64), IndexError> {
    let store = Store::open(&paths.db)?;
    let index_opts = IndexOptions {
        lock_wait: opts.lock_wait,
        command: "sk watch",
        ..IndexOptions::default()
    };
    let summary = crate::run(&store, paths, &index_opts, &mut SilentProgress)?;
    let mut entries = 0;
    if summary.files_read > 0 {
        let _lock = WriterLock::acquire(&paths.db, "sk watch (extracting)", opts.lock_wait)?;
        let x = crate::extract::extract(&store, false)?;
        entries = x.new.values().sum();
        // Small bursts leave segments behind; merge once they add up (or after a big one).
        crate::consolidate::after_run(&store, summary.bytes_read)?;
    }
    let queued = crate::learn::inbox::pending(paths).map_err(|e| {
        IndexError::Store(StoreError::Io {
            path: paths.inbox_dir(),
            error: e,
        })
    })?;
    if !queued.is_empty() {
        let lock = WriterLock::acquire(&paths.db, "sk watch (flushing the inbox)", opts.lock_wait)?;
        crate::learn::flush_inbox(&store, paths, &lock).map_err(|e| IndexError::Write {
            path: paths.inbox_dir().display().to_string(),
            detail: e.to_string(),
        })?;
    }
    Ok((summary.files_read, summary.records, entries))
}

impl IndexError {
    /// Another process holds the database: worth retrying later.
    pub fn is_busy(&self) -> bool {
        matches!(self, IndexError::Store(e) if e.is_busy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind};

    fn ev(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn only_log_changes_trigger_an_ingest() {
        let w = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        assert!(relevant(&ev(w, "/h/.claude/projects/p/s.jsonl")));
        assert!(relevant(&ev(
            EventKind::Create(CreateKind::File),
            "/h/.copilot/markers/inbox/1.json"
        )));
        assert!(relevant(&ev(
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            "/x/a.jsonl"
        )));
        assert!(
            !relevant(&ev(
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                "/x/a.jsonl"
            )),
            "our own reads"
        );
        assert!(
            !relevant(&ev(w, "/h/.copilot/session-state/knowledge.db-wal")),
            "the database itself"
        );
        assert!(!relevant(&ev(w, "/h/.copilot/session-state/knowledge.db.writer")));
    }
}
