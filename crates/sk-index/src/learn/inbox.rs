//! The inbox: where `sk learn` leaves a lesson while another process holds the database,
//! so recording knowledge never fails because `sk watch` or `sk index` is running. One
//! file per lesson, written atomically (temporary name, fsync, rename) and private to the
//! user; replayed oldest first under the writer lock. A file is deleted only after its
//! lesson committed, and a file that cannot be stored is set aside with the reason next
//! to it — never deleted, because it may be the only copy of what someone wrote.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};
use sk_core::Paths;
use sk_store::knowledge::Seen;
use sk_store::lock::WriterLock;
use sk_store::write::tx;
use sk_store::{Store, StoreError};

use super::{Learned, Lesson, record};

/// Version of the queued-file format this build writes and reads.
pub const INBOX_SCHEMA_VERSION: u32 = 1;
/// Suffix of a file that could not be stored; `<name>.reason` says why.
pub const REJECTED_SUFFIX: &str = ".rejected";
pub const REASON_SUFFIX: &str = ".reason";

/// One queued lesson with the provenance it was recorded with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedLesson {
    pub schema_version: u32,
    /// When `sk learn` ran (ms since the epoch).
    pub queued_at: i64,
    #[serde(flatten)]
    pub lesson: Lesson,
    pub sources: Vec<Seen>,
}

impl QueuedLesson {
    pub fn new(lesson: Lesson, sources: Vec<Seen>) -> QueuedLesson {
        QueuedLesson {
            schema_version: INBOX_SCHEMA_VERSION,
            queued_at: sk_core::time::now_ms(),
            lesson,
            sources,
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Writes `queued` into `dir` (created 0700) as `<UTC stamp>-<pid>-<counter>.json`, mode
/// 0600, atomically; returns the file's path.
/// Queued lessons are pretty JSON, so a person can read (and repair) a rejected one.
pub fn queue(dir: &Path, queued: &QueuedLesson) -> io::Result<PathBuf> {
    let bytes = serde_json::to_vec_pretty(queued).map_err(io::Error::other)?;
    create_private_dir(dir)?;
    let stamp = millisecond_stamp(queued.queued_at);
    let pid = std::process::id();
    loop {
        let name = format!(
            "{stamp}-{pid}-{:04}.json",
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = dir.join(&name);
        if path.exists() {
            continue;
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        let written = write_private(&tmp, &bytes).and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        sync_dir(dir);
        return Ok(path);
    }
}

/// `20261127T201148.123Z`: sorts in time order, so file names alone order the replay.
fn millisecond_stamp(ms: i64) -> String {
    let seconds = sk_core::time::file_stamp(ms);
    match seconds.strip_suffix('Z') {
        Some(head) => format!("{head}.{:03}Z", ms.rem_euclid(1000)),
        None => seconds,
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// A new file readable only by the user, fully on disk before it is renamed into place.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename or delete in `dir` durable. Best effort: not every platform can open a
/// folder for syncing, and the file itself is already on disk.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Queued files, oldest first. A missing inbox is an empty one.
pub fn pending(paths: &Paths) -> io::Result<Vec<PathBuf>> {
    let dir = paths.inbox_dir();
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".json") && !name.starts_with('.') && entry.file_type()?.is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// A queued file that was stored.
#[derive(Debug, Clone, Serialize)]
pub struct Flushed {
    pub file: PathBuf,
    #[serde(flatten)]
    pub learned: Learned,
}

/// A queued file that was set aside.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    /// Where it is now (`<name>.rejected`).
    pub file: PathBuf,
    pub reason: String,
}

/// What one flush did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlushSummary {
    pub flushed: Vec<Flushed>,
    pub rejected: Vec<Rejected>,
}

/// The flush stopped; files not yet replayed stay queued.
#[derive(Debug, thiserror::Error)]
pub enum FlushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the inbox {}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
}

/// Replays the inbox into `store`, oldest first, one transaction per file. Takes the held
/// writer lock as proof that no other process writes meanwhile.
pub fn flush_inbox(store: &Store, paths: &Paths, _held: &WriterLock) -> Result<FlushSummary, FlushError> {
    let mut summary = FlushSummary::default();
    let inbox = paths.inbox_dir();
    let files = pending(paths).map_err(|error| FlushError::Io {
        path: inbox.clone(),
        error,
    })?;
    for file in files {
        let bytes = match fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                summary
                    .rejected
                    .push(reject(&file, &format!("cannot be read: {e}"))?);
                continue;
            }
        };
        let queued = match serde_json::from_slice::<QueuedLesson>(&bytes).map_err(|e| e.to_string()) {
            Ok(q) => q,
            Err(e) => {
                summary
                    .rejected
                    .push(reject(&file, &format!("is not a queued entry: {e}"))?);
                continue;
            }
        };
        if queued.schema_version > INBOX_SCHEMA_VERSION {
            let why = format!(
                "was written by a newer sk (inbox format v{}); flush it with that version",
                queued.schema_version
            );
            summary.rejected.push(reject(&file, &why)?);
            continue;
        }
        if let Err(refusal) = queued.lesson.check() {
            summary.rejected.push(reject(&file, &refusal.to_string())?);
            continue;
        }
        let forgotten = super::forgotten_for_agent(store.conn(), &queued.lesson)
            .map_err(StoreError::sql(store.path()))?;
        if let Some(at) = forgotten {
            let why = format!(
                "an agent recorded knowledge a person forgot on {} (`sk knowledge forget`); only a person brings it back",
                sk_core::time::format_ms(at)
            );
            summary.rejected.push(reject(&file, &why)?);
            continue;
        }
        let learned = store_one(store, &queued)?;
        fs::remove_file(&file).map_err(|error| FlushError::Io {
            path: file.clone(),
            error,
        })?;
        sync_dir(&inbox);
        summary.flushed.push(Flushed { file, learned });
    }
    Ok(summary)
}

fn store_one(store: &Store, queued: &QueuedLesson) -> Result<Learned, StoreError> {
    let conn = store.conn();
    let sql = || StoreError::sql(store.path());
    tx::begin(conn).map_err(sql())?;
    match record(conn, &queued.lesson, &queued.sources) {
        Ok(learned) => {
            tx::commit(conn).map_err(sql())?;
            Ok(learned)
        }
        Err(e) => {
            let _ = tx::rollback(conn);
            Err(sql()(e))
        }
    }
}

/// Renames `file` to `<name>.rejected` with `<name>.reason` beside it. The reason is
/// written first, so a crash in between leaves the file queued to be judged again.
fn reject(file: &Path, reason: &str) -> Result<Rejected, FlushError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |error| FlushError::Io { path, error }
    };
    let with_suffix = |suffix: &str| {
        let mut s = file.as_os_str().to_os_string();
        s.push(suffix);
        PathBuf::from(s)
    };
    let reason_file = with_suffix(REASON_SUFFIX);
    let rejected = with_suffix(REJECTED_SUFFIX);
    let _ = fs::remove_file(&reason_file);
    write_private(&reason_file, format!("{reason}\n").as_bytes()).map_err(io_err(&reason_file))?;
    fs::rename(file, &rejected).map_err(io_err(file))?;
    if let Some(dir) = file.parent() {
        sync_dir(dir);
    }
    Ok(Rejected {
        file: rejected,
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_sort_in_time_order() {
        let a = millisecond_stamp(1_790_000_000_999);
        let b = millisecond_stamp(1_790_000_001_000);
        assert!(a < b, "{a} {b}");
        assert!(a.ends_with(".999Z"), "{a}");
    }
}
