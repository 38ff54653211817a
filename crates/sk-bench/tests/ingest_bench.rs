//! End-to-end checks of `sk-bench-ingest` against a fake `sk` (a shell script): what the
//! child is given (a scrubbed environment with the corpus as HOME and a scratch SK_DB),
//! what the result block reports from the JSON and the files on disk, and that a failing
//! sk fails the benchmark with the agreed message.

// Tests may slice strings by byte offsets: a panic there fails the test, not a user's run.
#![allow(clippy::string_slice)]

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// Serialises writing and running fake scripts: a script still open for writing in one
/// test while another test forks can make exec fail with "text file busy".
static SCRIPTS: Mutex<()> = Mutex::new(());

/// A summary in the shape `sk index --json` prints; the numbers are chosen by hand.
const SUMMARY: &str = r#"{"files_seen":6000,"files_read":6000,"files_unchanged":0,"bytes_read":10485760,
"sessions_new":4000,"records":50000,"damaged_spans":7,"errors":[],"elapsed_ms":5,"mb_per_s":2000.0,
"peak_rss_kib":RSS}"#;

fn write_fake_sk(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("fake-sk");
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn corpus_with_a_log(root: &Path) -> PathBuf {
    let dir = root.join(".codex/sessions/2026/01/05");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join("rollout.jsonl"), "{\"type\":\"session_meta\"}\n").expect("write log");
    root.to_path_buf()
}

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sk-bench-ingest"))
        .args(args)
        // Must not reach the child: the benchmark has to scrub agent variables.
        .env("COPILOT_HOME", "/nonexistent/real-home/.copilot")
        .output()
        .expect("run sk-bench-ingest")
}

fn line<'a>(stdout: &'a str, name: &str) -> &'a str {
    let prefix = format!("{name}: ");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name:?} line in:\n{stdout}"))
}

#[test]
fn reports_the_json_and_disk_figures_and_isolates_the_child() {
    let _serial = SCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = corpus_with_a_log(&tmp.path().join("home"));
    let log = tmp.path().join("calls.log");
    let sk = write_fake_sk(
        tmp.path(),
        &format!(
            "printf '%s|%s|%s|%s\\n' \"$HOME\" \"$SK_DB\" \"${{COPILOT_HOME:-}}\" \"$*\" >> {log}\n\
             head -c 3000 /dev/zero > \"$SK_DB\"\n\
             head -c 1000 /dev/zero > \"$SK_DB-wal\"\n\
             head -c 9999 /dev/zero > \"$SK_DB-shm\"\n\
             cat <<'JSON'\n{json}\nJSON",
            log = log.display(),
            json = SUMMARY.replace("RSS", "307200")
        ),
    );
    let out = bench(&[
        "--sk",
        sk.to_str().expect("utf8"),
        "--corpus",
        corpus.to_str().expect("utf8"),
        "--repeat-nochange",
        "3",
        "--sk-arg=--no-extract",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    assert_eq!(line(&stdout, "corpus_origin"), "reused");
    assert_eq!(line(&stdout, "input_bytes"), "10485760");
    assert_eq!(line(&stdout, "input_mib"), "10.0");
    assert_eq!(line(&stdout, "records"), "50000");
    assert_eq!(line(&stdout, "damaged_spans"), "7");
    // 307200 KiB = 300 MiB, over the 200 MiB limit.
    assert_eq!(line(&stdout, "peak_rss_mib"), "300");
    assert!(line(&stdout, "target_peak_rss_mib").starts_with("MISS (300.0 MiB"));
    // The database plus its WAL (3000 + 1000 bytes), not the -shm file.
    assert_eq!(line(&stdout, "db_bytes"), "4000");
    // 4000 / 10485760 = 0.000381...
    assert_eq!(line(&stdout, "db_input_ratio"), "0.000");
    assert!(line(&stdout, "target_db_input_ratio").starts_with("PASS"));
    assert_eq!(line(&stdout, "nochange_runs"), "3");
    assert_eq!(line(&stdout, "nochange_session_files"), "6000");
    assert!(
        !stdout.contains("nochange_note"),
        "6000 files meet the 5000 the target needs"
    );
    assert_eq!(line(&stdout, "extract_phase_s"), "n/a");
    assert_eq!(line(&stdout, "sk_command"), "sk index --json --no-extract");
    for target in ["ingest_mb_per_s", "nochange_median_ms", "peak_rss_process_mib"] {
        let verdict = line(&stdout, &format!("target_{target}"));
        assert!(
            verdict.starts_with("PASS") || verdict.starts_with("MISS"),
            "{verdict}"
        );
    }

    let calls = fs::read_to_string(&log).expect("calls log");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 4, "one full ingest and three no-change runs");
    let first: Vec<&str> = calls[0].split('|').collect();
    assert_eq!(first[0], corpus.to_str().expect("utf8"), "HOME is the corpus");
    assert!(first[1].ends_with("/db/knowledge.db"), "{}", first[1]);
    assert_eq!(first[2], "", "agent variables from the caller are scrubbed");
    assert_eq!(first[3], "index --json --no-extract");
    assert!(
        calls.iter().all(|c| c.split('|').nth(1) == Some(first[1])),
        "one database"
    );

    // The scratch database goes away without --keep; the given corpus stays.
    let db = PathBuf::from(first[1]);
    assert!(!db.exists(), "scratch database removed");
    assert!(corpus.join(".codex").is_dir(), "the given corpus is kept");
}

#[test]
fn a_failing_sk_fails_the_benchmark_with_its_error() {
    let _serial = SCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = corpus_with_a_log(&tmp.path().join("home"));
    let sk = write_fake_sk(
        tmp.path(),
        "echo 'Error: database is locked by sk index (pid 42)' >&2\nexit 3",
    );
    let out = bench(&[
        "--sk",
        sk.to_str().expect("utf8"),
        "--corpus",
        corpus.to_str().expect("utf8"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("benchmark ingest: sk index failed:"), "{stderr}");
    assert!(stderr.contains("exit status: 3"), "{stderr}");
    assert!(
        stderr.contains("database is locked by sk index (pid 42)"),
        "{stderr}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("target_"),
        "no verdicts on failure"
    );
}

#[test]
fn scale_mode_compares_peak_memory_across_sizes() {
    let _serial = SCRIPTS.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("corpora");
    corpus_with_a_log(&root.join("corpus-1mb"));
    corpus_with_a_log(&root.join("corpus-4mb"));
    // The bigger corpus reports twice the memory: not flat.
    let sk = write_fake_sk(
        tmp.path(),
        &format!(
            "case \"$HOME\" in *corpus-4mb) rss=40960;; *) rss=20480;; esac\n\
             echo '{}' | sed \"s/RSS/$rss/\"",
            SUMMARY.replace('\n', "")
        ),
    );
    let out = bench(&[
        "--sk",
        sk.to_str().expect("utf8"),
        "--scale",
        "--scale-sizes",
        "1MB,4MB",
        "--corpus",
        root.to_str().expect("utf8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(line(&stdout, "scale_1mb_generate_s"), "n/a (reused)");
    assert_eq!(line(&stdout, "scale_1mb_peak_rss_mib"), "20.0");
    assert_eq!(line(&stdout, "scale_4mb_peak_rss_mib"), "40.0");
    assert_eq!(line(&stdout, "scale_rss_growth"), "2.000x");
    assert_eq!(
        line(&stdout, "target_scale_rss_growth"),
        "MISS (2.00x, needs <= 1.25x: 60.0% over)"
    );
    assert!(line(&stdout, "target_scale_peak_rss_mib").starts_with("PASS (40.0 MiB"));
    assert!(
        stdout.contains("RSS MiB (sk)"),
        "side-by-side table printed:\n{stdout}"
    );
}
