//! Finding, describing and stopping the one watcher of a home. The watcher holds an OS lock
//! on `markers/watch.lock` for its whole life, so "is one running?" never depends on a pid
//! that may have been reused; the pid file and the state file say who it is and what it did.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sk_core::Paths;

use super::WatchError;

/// What the watcher writes down about itself (`markers/watch.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WatchState {
    pub pid: u32,
    pub started_at_ms: i64,
    /// "events" (native file-system notifications) or "polling".
    pub mode: String,
    /// The last time a change was seen or an ingest ran.
    pub last_activity_ms: Option<i64>,
    pub last_ingest_ms: Option<i64>,
    pub ingests: u64,
    pub files_read: u64,
    pub records: u64,
    pub errors: u64,
    pub last_error: Option<String>,
    pub stopped_at_ms: Option<i64>,
}

/// Whether a watcher runs, as far as the files tell.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WatcherStatus {
    pub running: bool,
    pub pid: Option<u32>,
    /// A pid file left by a watcher that is gone.
    pub stale_pid: Option<u32>,
    pub state: Option<WatchState>,
}

/// Held by the running watcher: the instance lock plus the pid file it wrote.
#[derive(Debug)]
pub struct Instance {
    _lock: File,
    pid_file: std::path::PathBuf,
}

impl Instance {
    /// Becomes the home's watcher, or reports the one that already is.
    pub fn acquire(paths: &Paths) -> Result<Instance, WatchError> {
        let dir = paths.markers_dir();
        std::fs::create_dir_all(&dir).map_err(WatchError::io(&dir))?;
        let lock_path = paths.watch_lock();
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(WatchError::io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(WatchError::AlreadyRunning {
                    pid: read_pid(&paths.watch_pid()),
                });
            }
            Err(TryLockError::Error(e)) => return Err(WatchError::io(&lock_path)(e)),
        }
        let pid_file = paths.watch_pid();
        write_small(&pid_file, format!("{}\n", std::process::id()).as_bytes())
            .map_err(WatchError::io(&pid_file))?;
        Ok(Instance {
            _lock: lock,
            pid_file,
        })
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Removed before the lock goes (field order), so a new watcher never loses its file.
        let _ = std::fs::remove_file(&self.pid_file);
    }
}

/// Temp + rename, so a reader never sees half a file.
fn write_small(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = sk_core::paths::sidecar(path, &format!(".tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

pub fn write_state(paths: &Paths, state: &WatchState) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    write_small(&paths.watch_state(), &text)
}

pub fn read_state(paths: &Paths) -> Option<WatchState> {
    let text = std::fs::read(paths.watch_state()).ok()?;
    serde_json::from_slice(&text).ok()
}

fn read_pid(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// True when some process holds the instance lock.
fn lock_held(paths: &Paths) -> bool {
    let Ok(file) = OpenOptions::new().read(true).write(true).open(paths.watch_lock()) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}

pub fn status(paths: &Paths) -> WatcherStatus {
    let running = lock_held(paths);
    let pid = read_pid(&paths.watch_pid());
    WatcherStatus {
        running,
        pid: if running { pid } else { None },
        stale_pid: if running { None } else { pid },
        state: read_state(paths),
    }
}

/// What `sk watch --stop` found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum StopOutcome {
    Stopped { pid: u32 },
    StaleCleaned { pid: u32 },
    NotRunning,
}

/// Signals the watcher to stop, waits (up to `wait`) for it to finish its current batch and
/// exit, and cleans a stale pid file.
pub fn stop(paths: &Paths, wait: Duration) -> Result<StopOutcome, WatchError> {
    let s = status(paths);
    if !s.running {
        return Ok(match s.stale_pid {
            Some(pid) => {
                let _ = std::fs::remove_file(paths.watch_pid());
                StopOutcome::StaleCleaned { pid }
            }
            None => StopOutcome::NotRunning,
        });
    }
    let pid = s.pid.ok_or(WatchError::NoPid)?;
    terminate(pid)?;
    let deadline = Instant::now() + wait;
    while lock_held(paths) {
        if Instant::now() >= deadline {
            return Err(WatchError::StopTimeout {
                pid,
                secs: wait.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(paths.watch_pid());
    Ok(StopOutcome::Stopped { pid })
}

#[cfg(unix)]
fn terminate(pid: u32) -> Result<(), WatchError> {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let raw = i32::try_from(pid).map_err(|_| WatchError::NoPid)?;
    kill(Pid::from_raw(raw), Signal::SIGTERM).map_err(|e| WatchError::Signal {
        pid,
        detail: e.to_string(),
    })
}

#[cfg(not(unix))]
fn terminate(pid: u32) -> Result<(), WatchError> {
    Err(WatchError::Signal {
        pid,
        detail: "stopping a watcher is only supported on Unix here".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(home: &Path) -> Paths {
        Paths::resolve(
            &sk_core::env::MapEnv(vec![("HOME", home.as_os_str().to_owned())]),
            None,
        )
        .expect("paths")
    }

    #[test]
    fn one_instance_per_home_and_a_left_pid_file_is_stale() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = paths(dir.path());
        assert!(!status(&p).running);
        let first = Instance::acquire(&p).expect("first");
        let s = status(&p);
        assert!(s.running);
        assert_eq!(s.pid, Some(std::process::id()));
        assert!(matches!(
            Instance::acquire(&p),
            Err(WatchError::AlreadyRunning { pid: Some(pid) }) if pid == std::process::id()
        ));
        drop(first);
        assert!(!status(&p).running);
        assert!(!p.watch_pid().exists(), "pid file removed on exit");
        std::fs::write(p.watch_pid(), "999999\n").expect("stale pid");
        assert_eq!(status(&p).stale_pid, Some(999_999));
        assert_eq!(
            stop(&p, Duration::ZERO).expect("clean"),
            StopOutcome::StaleCleaned { pid: 999_999 }
        );
        assert!(!p.watch_pid().exists());
        assert_eq!(stop(&p, Duration::ZERO).expect("again"), StopOutcome::NotRunning);
    }
}
