//! The writer lock: an OS file lock on `<db>.writer` whose contents name the holder (pid,
//! command, since when). SQLite itself only says "database is locked"; this file lets every
//! command say *who* holds it and how to stop them. The OS drops the lock when the holder
//! dies, so a crashed writer never leaves the database locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sk_core::paths::sidecar;

use crate::StoreError;

/// Held while a process writes to the database. Dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

/// Who holds the writer lock, as its holder wrote it down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    pub command: String,
    pub since: Option<i64>,
}

impl Holder {
    /// One sentence naming the holder and how to stop it.
    pub fn describe(&self) -> String {
        let who = match self.pid {
            Some(pid) => format!("`{}` (pid {pid})", self.command),
            None => format!("`{}`", self.command),
        };
        let since = self
            .since
            .map(|t| format!(" since {}", sk_core::time::format_ms(t)))
            .unwrap_or_default();
        let stop = if self.command.contains("watch") {
            "stop it with `sk watch --stop`".to_string()
        } else if let Some(pid) = self.pid {
            format!("wait for it to finish or stop it with `kill {pid}`")
        } else {
            "wait for it to finish".to_string()
        };
        format!("{who} is writing to it{since}; {stop}, then retry")
    }
}

impl WriterLock {
    /// Takes the lock for `db`, waiting up to `wait` for a current holder to finish.
    pub fn acquire(db: &Path, command: &str, wait: Duration) -> Result<WriterLock, StoreError> {
        let path = sidecar(db, ".writer");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(StoreError::io(&path))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    let holder = read_holder(&mut file).map(|h| h.describe());
                    return Err(StoreError::Busy {
                        path: db.to_path_buf(),
                        holder: holder.unwrap_or_else(|| {
                            "another sk process is writing to it; retry when it finishes".into()
                        }),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(StoreError::io(&path)(e)),
            }
        }
        let stamp = format!(
            "pid={}\ncommand={}\nsince={}\n",
            std::process::id(),
            command.replace('\n', " "),
            sk_core::time::now_ms()
        );
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(stamp.as_bytes()))
            .and_then(|()| file.flush())
            .map_err(StoreError::io(&path))?;
        Ok(WriterLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Clear the name before releasing, so a reader never blames a finished process.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// The current holder of `db`'s writer lock, or None when nobody holds it.
pub fn holder(db: &Path) -> Option<Holder> {
    let path = sidecar(db, ".writer");
    let mut file = OpenOptions::new().read(true).write(true).open(path).ok()?;
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(TryLockError::WouldBlock) => read_holder(&mut file).or(Some(Holder {
            pid: None,
            command: "another sk process".into(),
            since: None,
        })),
        Err(TryLockError::Error(_)) => None,
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .map(str::to_string)
    };
    let command = field("command")?;
    Some(Holder {
        pid: field("pid").and_then(|p| p.parse().ok()),
        command,
        since: field("since").and_then(|s| s.parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_names_the_first_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("k.db");
        let first = WriterLock::acquire(&db, "sk watch", Duration::ZERO).expect("first lock");
        let h = holder(&db).expect("held");
        assert_eq!(h.pid, Some(std::process::id()));
        assert_eq!(h.command, "sk watch");
        let err = WriterLock::acquire(&db, "sk index", Duration::from_millis(120)).expect_err("busy");
        let msg = err.to_string();
        assert!(err.is_busy(), "{msg}");
        assert!(
            msg.contains("sk watch") && msg.contains("sk watch --stop"),
            "{msg}"
        );
        drop(first);
        assert!(holder(&db).is_none());
        WriterLock::acquire(&db, "sk index", Duration::ZERO).expect("free again");
    }
}
