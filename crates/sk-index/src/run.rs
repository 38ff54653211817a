//! Executing an index run: plan every file, then read the changed ones in batches.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use sk_core::{Agent, Paths};
use sk_ingest::plan::{self, Action};
use sk_store::failed::FailedSource;
use sk_store::lock::WriterLock;
use sk_store::write::{self, FileIds, tx};
use sk_store::{Store, StoreError};

use crate::discover::{Discovered, LookedIn, discover, looked_in};
use crate::pipeline;

/// Commit after this many bytes of input, so a killed run loses little and memory stays flat.
const BATCH_BYTES: u64 = 64 * 1024 * 1024;
const BATCH_FILES: usize = 2000;

/// What to index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub agents: Vec<Agent>,
    /// An explicit folder instead of the agents' default locations.
    pub path: Option<PathBuf>,
    /// Drop all derived data first and read everything again.
    pub full: bool,
    /// How long to wait for another writer before reporting the database busy.
    pub lock_wait: Duration,
    /// Who is writing, as the writer lock names it to other processes ("sk watch" makes
    /// a busy message say how to stop the watcher).
    pub command: &'static str,
    /// The build that reads (recorded with a failure, so that a new build tries again).
    pub sk_version: String,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            agents: Agent::ALL.to_vec(),
            path: None,
            full: false,
            lock_wait: Duration::from_secs(2),
            command: "sk index",
            sk_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Told about the run's progress (the CLI draws a bar from it).
pub trait Progress {
    /// Work before the logs are read (scanning stored text with new detectors, building
    /// queued search documents): `done` of `total` items of it. On a large history either
    /// takes minutes.
    fn preparing(&mut self, _what: &str, _done: u64, _total: u64) {}
    fn begin(&mut self, files: u64, bytes: u64);
    fn advance(&mut self, path: &Path, bytes: u64);
    fn finish(&mut self);
}

/// Progress that goes nowhere.
#[derive(Debug, Default)]
pub struct SilentProgress;

impl Progress for SilentProgress {
    fn begin(&mut self, _: u64, _: u64) {}
    fn advance(&mut self, _: &Path, _: u64) {}
    fn finish(&mut self) {}
}

/// A file that could not be read this run (it keeps what earlier runs stored).
#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub path: String,
    pub error: String,
}

/// Per-agent totals of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AgentSummary {
    pub files_seen: u64,
    pub files_read: u64,
    pub bytes_read: u64,
    pub records: u64,
}

/// What one run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSummary {
    pub files_seen: u64,
    pub files_read: u64,
    pub files_unchanged: u64,
    pub files_reingested: u64,
    pub bytes_read: u64,
    pub sessions_new: u64,
    pub sessions_updated: u64,
    pub records: u64,
    pub damaged_spans: u64,
    pub skipped_bytes: u64,
    pub redactions: u64,
    pub redactions_by_kind: BTreeMap<String, u64>,
    pub per_agent: BTreeMap<String, AgentSummary>,
    /// Stored text scanned again because this build's redaction detectors find more than
    /// the ones that stored it (None when that was not needed).
    pub rescrubbed: Option<sk_store::rescrub::Scrubbed>,
    /// Where the logs were looked for (said to the user when nothing was found).
    pub looked_in: Vec<LookedIn>,
    /// Files that failed in this run (each keeps what earlier runs stored).
    pub errors: Vec<FileError>,
    /// Files not tried again because they failed before and have not changed since (nor
    /// has sk): `sk status` lists them with their error.
    pub still_failing: Vec<FileError>,
    /// Summaries attached to another session by the event they name.
    pub summaries_linked: u64,
    pub elapsed_ms: u64,
    pub mb_per_s: f64,
    /// Peak resident memory of this process in KiB, where the OS reports it (Linux).
    pub peak_rss_kib: Option<u64>,
}

/// The run could not continue.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing to the database failed while indexing {path}: {detail}")]
    Write { path: String, detail: String },
}

/// Indexes everything `opts` selects into `store`.
pub fn run(
    store: &Store,
    paths: &Paths,
    opts: &IndexOptions,
    progress: &mut dyn Progress,
) -> Result<IndexSummary, IndexError> {
    let started = Instant::now();
    let _lock = WriterLock::acquire(store.path(), opts.command, opts.lock_wait)?;
    let conn = store.conn();
    let sql = |e: rusqlite::Error| IndexError::Write {
        path: store.path().display().to_string(),
        detail: e.to_string(),
    };

    // A larger page cache keeps the growing indexes' upper levels in memory during ingest.
    write::set_cache_mib(conn, 64).map_err(sql)?;
    sk_store::fts::set_flush_bytes(conn, sk_store::fts::FLUSH_BYTES).map_err(sql)?;
    if opts.full {
        write::clear_derived(conn, store.path())?;
    }
    // Documents queued by a migration (or a run killed between its batches) first: the
    // batches below rebuild only the sessions they touch.
    // Secrets an older detector set let through are redacted before anything else.
    let scan_again = crate::rescrub::needed(conn).map_err(sql)?;
    let was_empty = sk_store::rescrub::stored_version(conn).map_err(sql)?.is_none();
    let rescrubbed = if scan_again {
        let mut told = |done, total| progress.preparing("scanning stored text for secrets", done, total);
        Some(crate::rescrub::run(conn, true, &mut told).map_err(sql)?)
    } else {
        None
    };
    tx::begin(conn).map_err(sql)?;
    sk_store::session_docs::canonical_repos(conn).map_err(sql)?;
    tx::commit(conn).map_err(sql)?;
    if sk_store::session_docs::pending_count(conn).map_err(sql)? > 0 {
        tx::begin(conn).map_err(sql)?;
        fill_repos(conn).map_err(sql)?;
        tx::commit(conn).map_err(sql)?;
        let mut told = |done, total| progress.preparing("building search documents", done, total);
        sk_store::session_docs::drain(conn, &mut told).map_err(sql)?;
    }
    let known = write::known_sources(store)?;
    let failed: HashMap<String, FailedSource> = sk_store::failed::list(store)?
        .into_iter()
        .map(|f| (f.path.clone(), f))
        .collect();
    let found = discover(paths, &opts.agents, opts.path.as_ref());

    let mut summary = IndexSummary {
        files_seen: found.len() as u64,
        rescrubbed,
        looked_in: looked_in(paths, &opts.agents, opts.path.as_ref()),
        ..IndexSummary::default()
    };
    let mut planned: Vec<(Discovered, Action, bool)> = Vec::with_capacity(found.len());
    for d in found {
        summary
            .per_agent
            .entry(d.source.agent.to_string())
            .or_default()
            .files_seen += 1;
        let path_text = d.source.path.to_string_lossy();
        if let Some(f) = failed.get(path_text.as_ref())
            && f.size == d.stat.size
            && f.mtime_ns == d.stat.mtime_ns
            && f.sk_version == opts.sk_version
        {
            summary.still_failing.push(FileError {
                path: f.path.clone(),
                error: f.error.clone(),
            });
            continue;
        }
        let seen = known.get(path_text.as_ref());
        let path = d.source.path.clone();
        let action = plan::decide(d.source.kind, d.stat, seen, &mut |len| {
            plan::hash_head(&path, len)
        });
        // Only for files about to be read, so an unchanged file is still never opened. An
        // appended file's head is unchanged, so it keeps the session it had.
        let mut d = d;
        if action != Action::Skip
            && let Some(id) = sk_ingest::connector(d.source.agent).declared_session(&d.source.path)
        {
            d.source.session = id;
        }
        planned.push((d, action, seen.is_some()));
    }
    // A session whose log was rewritten is rebuilt from all of its files: its metadata is
    // a merge over them, and the old file's contribution must go.
    let rebuilt: HashSet<(Agent, String)> = planned
        .iter()
        .filter(|(_, action, known)| *known && *action == Action::Reingest)
        .map(|(d, _, _)| (d.source.agent, d.source.session.clone()))
        .collect();
    let mut work: Vec<(Discovered, Action)> = Vec::new();
    for (d, action, _) in planned {
        let action = if rebuilt.contains(&(d.source.agent, d.source.session.clone())) {
            Action::Reingest
        } else {
            action
        };
        match action {
            Action::Skip => summary.files_unchanged += 1,
            action => work.push((d, action)),
        }
    }

    let total_bytes: u64 = work
        .iter()
        .map(|(d, a)| d.stat.size.saturating_sub(from_of(*a)))
        .sum();
    progress.begin(work.len() as u64, total_bytes);
    let sessions_before = write::session_count(conn).map_err(sql)?;
    let mut touched_sessions = HashSet::new();
    let mut files = FileIds::new();
    let failed_paths = failed;

    for batch in batches(&work) {
        // A file that fails is rare (it vanished, or a parser bug panicked): the batch is
        // rolled back and redone without it. Per-file savepoints would be simpler but make
        // FTS5 flush its pending index at every file, which costs half the ingest time.
        let mut excluded: Vec<usize> = Vec::new();
        let done = loop {
            tx::begin(conn).map_err(StoreError::sql(store.path()))?;
            let outcome =
                pipeline::ingest_batch(conn, &mut files, batch, &excluded, &rebuilt).map_err(|detail| {
                    IndexError::Write {
                        path: store.path().display().to_string(),
                        detail,
                    }
                })?;
            let (done, failed) = (outcome.done, outcome.failed);
            let failed_before = &failed_paths;
            match failed {
                None => {
                    remember_failures(conn, batch, &excluded, &summary.errors, opts).map_err(sql)?;
                    for (i, _) in &done {
                        let path = batch[*i].0.source.path.to_string_lossy();
                        if failed_before.contains_key(path.as_ref()) {
                            sk_store::failed::forget(conn, &path).map_err(sql)?;
                        }
                    }
                    write::index_pending_text(conn).map_err(sql)?;
                    fill_repos(conn).map_err(sql)?;
                    sk_store::session_docs::build_pending(conn, None).map_err(sql)?;
                    // In the batch's own transaction: a run killed after the commit must
                    // not leave summaries unlinked, since the next run reads nothing.
                    summary.summaries_linked += write::link_summaries(conn).map_err(sql)?;
                    write::set_meta(conn, "last_indexed_at", &sk_core::time::now_ms().to_string())
                        .map_err(sql)?;
                    tx::commit(conn).map_err(sql)?;
                    break done;
                }
                Some((i, error)) => {
                    tx::rollback(conn).map_err(sql)?;
                    // Ids interned in the rolled-back transaction no longer exist.
                    files.clear();
                    excluded.push(i);
                    summary.errors.push(FileError {
                        path: batch[i].0.source.path.display().to_string(),
                        error,
                    });
                }
            }
        };
        for (i, read) in done {
            let (d, action) = &batch[i];
            touched_sessions.insert((d.source.agent, d.source.session.clone()));
            summary.add(d, *action, &read);
        }
        for (d, action) in batch.iter() {
            progress.advance(&d.source.path, d.stat.size.saturating_sub(from_of(*action)));
        }
    }
    progress.finish();
    if was_empty {
        // Everything stored so far went through this build's detectors.
        crate::rescrub::mark_current(conn).map_err(sql)?;
    }
    // Also when nothing was read: "last indexed" is when sk last looked, not last found.
    write::set_meta(conn, "last_indexed_at", &sk_core::time::now_ms().to_string()).map_err(sql)?;
    // The recall commands' usage lines wait in a spool for a writer; this is one.
    let _ = sk_store::telemetry::drain(store);

    let sessions_after = write::session_count(conn).map_err(sql)?;
    summary.sessions_new = sessions_after.saturating_sub(sessions_before);
    summary.sessions_updated = (touched_sessions.len() as u64).saturating_sub(summary.sessions_new);
    let elapsed = started.elapsed();
    summary.elapsed_ms = elapsed.as_millis() as u64;
    summary.mb_per_s = if elapsed.as_secs_f64() > 0.0 {
        summary.bytes_read as f64 / 1_048_576.0 / elapsed.as_secs_f64()
    } else {
        0.0
    };
    summary.peak_rss_kib = peak_rss_kib();
    Ok(summary)
}

/// Names the repository of each session about to get its search document whose log
/// recorded a working directory but no repository: the `origin` remote of the git
/// repository around that directory when it exists on this machine, else the folder's
/// name — something to tell sessions apart by, and to filter with `--repo`.
fn fill_repos(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let mut known: HashMap<String, String> = HashMap::new();
    for (id, cwd) in sk_store::session_docs::pending_without_repo(conn)? {
        let repo = known
            .entry(cwd.clone())
            .or_insert_with(|| {
                // Only an absolute path is looked up: a relative one (or a Windows path read
                // on Unix) would be resolved against this process's own directory.
                let dir = Path::new(&cwd);
                let found = if dir.is_absolute() {
                    sk_query::here::find(dir)
                } else {
                    None
                };
                match found {
                    Some(here) => here.repo.unwrap_or_else(|| {
                        sk_store::session_docs::folder_name(&here.root.to_string_lossy()).to_string()
                    }),
                    None => sk_store::session_docs::folder_name(&cwd).to_string(),
                }
            })
            .clone();
        if !repo.is_empty() {
            sk_store::session_docs::set_repo(conn, id, &repo)?;
        }
    }
    Ok(())
}

/// Stores the failures of this batch's `excluded` files (their errors are the last
/// `excluded.len()` entries of `errors`, pushed in the same order), inside the batch's
/// transaction.
fn remember_failures(
    conn: &rusqlite::Connection,
    batch: &[(Discovered, Action)],
    excluded: &[usize],
    errors: &[FileError],
    opts: &IndexOptions,
) -> rusqlite::Result<()> {
    let now = sk_core::time::now_ms();
    let ours = errors
        .get(errors.len().saturating_sub(excluded.len())..)
        .unwrap_or_default();
    for (&i, e) in excluded.iter().zip(ours) {
        let Some((d, _)) = batch.get(i) else { continue };
        sk_store::failed::remember(
            conn,
            &sk_store::failed::Failure {
                path: &e.path,
                agent: d.source.agent.as_str(),
                size: d.stat.size,
                mtime_ns: d.stat.mtime_ns,
                sk_version: &opts.sk_version,
                error: &e.error,
            },
            now,
        )?;
    }
    Ok(())
}

pub(crate) fn from_of(action: Action) -> u64 {
    match action {
        Action::Append { from } => from,
        _ => 0,
    }
}

/// Groups the work so each transaction covers a bounded amount of input, never splitting
/// one session's files (work is sorted by path, so they are adjacent): a session rebuilt
/// from several files commits all of them or none.
fn batches(work: &[(Discovered, Action)]) -> Vec<&[(Discovered, Action)]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, (d, a)) in work.iter().enumerate() {
        bytes += d.stat.size.saturating_sub(from_of(*a));
        let same_session_next = work
            .get(i + 1)
            .is_some_and(|(n, _)| n.source.agent == d.source.agent && n.source.session == d.source.session);
        if !same_session_next && (bytes >= BATCH_BYTES || i + 1 - start >= BATCH_FILES) {
            out.push(&work[start..=i]);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < work.len() {
        out.push(&work[start..]);
    }
    out
}

/// What reading one file produced.
#[derive(Debug)]
pub(crate) struct FileRead {
    pub bytes: u64,
    pub records: u64,
    pub damaged_spans: u64,
    pub skipped_bytes: u64,
    pub redactions: BTreeMap<&'static str, u64>,
}

impl IndexSummary {
    fn add(&mut self, d: &Discovered, action: Action, read: &FileRead) {
        self.files_read += 1;
        if action == Action::Reingest {
            self.files_reingested += 1;
        }
        self.bytes_read += read.bytes;
        self.records += read.records;
        self.damaged_spans += read.damaged_spans;
        self.skipped_bytes += read.skipped_bytes;
        for (kind, n) in &read.redactions {
            self.redactions += n;
            *self.redactions_by_kind.entry((*kind).to_string()).or_default() += n;
        }
        let agent = self.per_agent.entry(d.source.agent.to_string()).or_default();
        agent.files_read += 1;
        agent.bytes_read += read.bytes;
        agent.records += read.records;
    }
}

/// VmHWM from /proc/self/status: the benchmark reads it from `sk index --json` to check
/// that memory stays flat whatever the corpus size.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
