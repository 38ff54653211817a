//! Runs the real `sk index --json` as a child process against a fake home, so the benchmark
//! measures exactly what a user would run (process start, DB open, discovery, ingest,
//! close), and reads its summary JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;

/// The fields of `sk index --json` the benchmark reports. Mirrors the part of
/// `sk_index::IndexSummary` it needs; other fields are ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexSummary {
    pub files_seen: u64,
    pub files_read: u64,
    pub files_unchanged: u64,
    pub bytes_read: u64,
    pub records: u64,
    pub sessions_new: u64,
    pub damaged_spans: u64,
    pub elapsed_ms: u64,
    pub mb_per_s: f64,
    /// `None` where the OS does not report it (the JSON holds `null`).
    pub peak_rss_kib: Option<u64>,
    /// Files sk could not read this run.
    pub file_errors: u64,
    /// Time of the knowledge extraction that follows ingest (`extract.elapsed_ms`), when
    /// this sk runs one.
    pub extract_ms: Option<u64>,
}

/// One finished `sk index` run: the wall time measured around the child process and the
/// summary it printed.
#[derive(Clone, Debug)]
pub struct IndexRun {
    pub wall: Duration,
    pub summary: IndexSummary,
    /// The child's VmHWM as last seen by polling /proc while it ran. sk's own
    /// `peak_rss_kib` is taken when ingest ends, so it misses whatever runs after it in the
    /// same process (knowledge extraction); this covers the whole process.
    pub observed_peak_rss_kib: Option<u64>,
}

/// Where and how to run sk.
#[derive(Clone, Debug)]
pub struct SkInvocation {
    pub sk: PathBuf,
    /// The corpus directory, which becomes the child's `HOME`.
    pub home: PathBuf,
    /// The database the child writes (`SK_DB`).
    pub db: PathBuf,
    /// Extra arguments after `index --json` (e.g. `--no-extract`).
    pub extra_args: Vec<String>,
}

impl SkInvocation {
    /// Runs `sk index --json` once. The child gets a cleared environment with only `PATH`,
    /// `HOME` and `SK_DB`, so no `COPILOT_HOME`, `CLAUDE_CONFIG_DIR` or `CODEX_HOME` from
    /// the caller can point it at a real home.
    pub fn index(&self) -> Result<IndexRun> {
        let mut cmd = Command::new(&self.sk);
        cmd.arg("index")
            .arg("--json")
            .args(&self.extra_args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("SK_DB", &self.db)
            .current_dir(&self.home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let child = cmd
            .spawn()
            .with_context(|| format!("sk index failed: could not start {}", self.sk.display()))?;
        let watcher = RssWatcher::start(child.id());
        let waited = child.wait_with_output();
        let wall = started.elapsed();
        let observed_peak_rss_kib = watcher.stop();
        let output = waited.context("sk index failed: waiting for it")?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            bail!(
                "sk index failed: {}: {}",
                output.status,
                tail(stderr.trim(), 2000)
            );
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let summary = parse_summary(&stdout).context("sk index failed: unreadable --json output")?;
        Ok(IndexRun {
            wall,
            summary,
            observed_peak_rss_kib,
        })
    }
}

/// Polls a child's VmHWM on its own thread, so the thread timing the child still sees it
/// exit at once.
struct RssWatcher {
    stop: Arc<AtomicBool>,
    handle: thread::JoinHandle<Option<u64>>,
}

/// Often enough to catch a late peak, rarely enough to cost nothing on a shared machine.
const RSS_POLL: Duration = Duration::from_millis(5);

impl RssWatcher {
    fn start(pid: u32) -> RssWatcher {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_seen = Arc::clone(&stop);
        let status = PathBuf::from(format!("/proc/{pid}/status"));
        let handle = thread::spawn(move || {
            let mut peak: Option<u64> = None;
            while !stop_seen.load(Ordering::Relaxed) {
                // A zombie's status has no VmHWM; the last live reading stands.
                if let Some(kib) = std::fs::read_to_string(&status)
                    .ok()
                    .as_deref()
                    .and_then(vm_hwm_kib)
                {
                    peak = Some(peak.map_or(kib, |p| p.max(kib)));
                }
                thread::sleep(RSS_POLL);
            }
            peak
        });
        RssWatcher { stop, handle }
    }

    fn stop(self) -> Option<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().ok().flatten()
    }
}

/// The `VmHWM:` value (KiB) of a `/proc/<pid>/status` text.
fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The last `max` bytes of `s` (on a char boundary): the end of sk's stderr holds the
/// error chain, the beginning may be noise.
fn tail(s: &str, max: usize) -> &str {
    sk_core::text::suffix(s, max)
}

/// Reads the summary object printed by `sk index --json`.
pub fn parse_summary(stdout: &str) -> Result<IndexSummary> {
    let value: Value = serde_json::from_str(stdout.trim())
        .with_context(|| format!("not JSON: {:?}", stdout.chars().take(200).collect::<String>()))?;
    let obj = value
        .as_object()
        .ok_or_else(|| anyhow!("the summary is not a JSON object"))?;
    let count = |name: &str| -> Result<u64> {
        obj.get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| anyhow!("the summary has no unsigned integer {name:?}"))
    };
    let peak_rss_kib = match obj.get("peak_rss_kib") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| anyhow!("peak_rss_kib is not an unsigned integer"))?,
        ),
    };
    Ok(IndexSummary {
        files_seen: count("files_seen")?,
        files_read: count("files_read")?,
        files_unchanged: count("files_unchanged")?,
        bytes_read: count("bytes_read")?,
        records: count("records")?,
        sessions_new: count("sessions_new")?,
        damaged_spans: count("damaged_spans")?,
        elapsed_ms: count("elapsed_ms")?,
        mb_per_s: obj
            .get("mb_per_s")
            .and_then(Value::as_f64)
            .ok_or_else(|| anyhow!("the summary has no number \"mb_per_s\""))?,
        peak_rss_kib,
        file_errors: obj
            .get("errors")
            .and_then(Value::as_array)
            .map_or(0, |a| a.len() as u64),
        extract_ms: obj
            .get("extract")
            .and_then(|x| x.get("elapsed_ms"))
            .and_then(Value::as_u64),
    })
}

/// Bytes the database occupies after a run: the main file plus its write-ahead log (the
/// `-shm` index is a fixed-size scratch file and is not counted).
pub fn db_bytes(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    [db.to_path_buf(), PathBuf::from(wal)]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shape `sk index --json` prints (sk_index::IndexSummary serialised by serde).
    const SAMPLE: &str = r#"{"files_seen":12,"files_read":10,"files_unchanged":2,"files_reingested":0,
        "bytes_read":123456,"sessions_new":9,"sessions_updated":1,"records":789,"damaged_spans":3,
        "skipped_bytes":40,"redactions":0,"redactions_by_kind":{},"per_agent":{},
        "errors":[{"path":"/x","error":"denied"}],"summaries_linked":0,"elapsed_ms":250,
        "mb_per_s":0.47,"peak_rss_kib":20480}"#;

    #[test]
    fn summary_fields_are_read() {
        let s = parse_summary(SAMPLE).expect("parse");
        assert_eq!(
            s,
            IndexSummary {
                files_seen: 12,
                files_read: 10,
                files_unchanged: 2,
                bytes_read: 123456,
                records: 789,
                sessions_new: 9,
                damaged_spans: 3,
                elapsed_ms: 250,
                mb_per_s: 0.47,
                peak_rss_kib: Some(20480),
                file_errors: 1,
                extract_ms: None,
            }
        );
    }

    #[test]
    fn null_peak_rss_is_none_and_missing_counts_are_errors() {
        let s = parse_summary(&SAMPLE.replace("20480", "null")).expect("parse");
        assert_eq!(s.peak_rss_kib, None);
        let err = parse_summary(&SAMPLE.replace("\"records\"", "\"recs\"")).expect_err("no records");
        assert!(format!("{err:#}").contains("records"), "{err:#}");
        assert!(parse_summary("Indexed 3 files").is_err());
    }

    #[test]
    fn extraction_time_is_read_when_present() {
        let with_extract = SAMPLE.replace(
            r#""peak_rss_kib":20480}"#,
            r#""peak_rss_kib":20480,"extract":{"sessions":3,"elapsed_ms":2774}}"#,
        );
        assert_eq!(
            parse_summary(&with_extract).expect("parse").extract_ms,
            Some(2774)
        );
    }

    #[test]
    fn vm_hwm_is_read_from_proc_status() {
        let status = "Name:\tsk\nVmPeak:\t  99999 kB\nVmHWM:\t   15204 kB\nVmRSS:\t 9000 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(15204));
        assert_eq!(vm_hwm_kib("Name:\tsk\nState:\tZ (zombie)\n"), None);
    }

    #[test]
    fn db_size_counts_the_wal_but_not_shm() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("k.db");
        assert_eq!(db_bytes(&db), 0);
        std::fs::write(&db, vec![0u8; 4096]).expect("write");
        std::fs::write(dir.path().join("k.db-wal"), vec![0u8; 1000]).expect("write");
        std::fs::write(dir.path().join("k.db-shm"), vec![0u8; 32768]).expect("write");
        assert_eq!(db_bytes(&db), 5096);
    }

    #[test]
    fn tail_keeps_the_end_on_a_char_boundary() {
        assert_eq!(tail("abc", 10), "abc");
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("aéé", 3), "é");
    }
}
