//! `sk ui` in a real browser: the home of `ui_http.rs` served by the real binary, walked by
//! `tests/ui/browser.mjs` (Playwright's `playwright-core`, pinned in tests/ui, driving
//! Debian's Chromium at /usr/bin/chromium; no browser is downloaded). It searches, walks
//! the results with the keyboard, unfolds a failed tool call, opens the hostile session
//! (nothing may run), forgets an entry, visits every page and screenshots each one into
//! `target/ui-screenshots/`.
//!
//! Without node, `tests/ui/node_modules` (`npm ci --prefix tests/ui`) or Chromium the test
//! prints why and skips; `SK_UI_BROWSER_REQUIRED=1` (set by `.ci/run`) makes that a failure.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ui_support::{UiHome, UiServer};

/// How long the whole walk may take before it is killed.
const WALK_DEADLINE: Duration = Duration::from_secs(120);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chromium() -> PathBuf {
    std::env::var_os("SK_UI_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the browser test cannot run here, if it cannot.
fn missing() -> Option<String> {
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node {
        return Some("node is not on PATH".into());
    }
    let module = repo_root().join("tests/ui/node_modules/playwright-core/package.json");
    if !module.is_file() {
        return Some(format!(
            "{} is missing (npm ci --prefix tests/ui)",
            module.display()
        ));
    }
    let browser = chromium();
    if !browser.is_file() {
        return Some(format!(
            "{} is missing (apt-get install chromium)",
            browser.display()
        ));
    }
    None
}

/// The screenshot folder, emptied: cargo's target directory (`CARGO_TARGET_DIR` when set)
/// so the pictures of the last run are easy to find and never committed.
fn screenshot_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from);
    let dir = target.join("ui-screenshots");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the screenshot folder");
    dir
}

/// Runs `node browser.mjs URL OUTDIR`, stopping it (by pid) after the deadline.
fn walk(url: &str, outdir: &Path) -> (bool, String) {
    let root = repo_root();
    let mut child = Command::new("node")
        .arg(root.join("tests/ui/browser.mjs"))
        .arg(url)
        .arg(outdir)
        .current_dir(root.join("tests/ui"))
        .env("SK_UI_CHROMIUM", chromium())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    // Both pipes drained on threads, so a talkative run cannot block on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if started.elapsed() > WALK_DEADLINE {
            // SIGTERM first: Playwright then closes the browser it started; SIGKILL would
            // leave Chromium behind.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(5));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = format!(
        "{}{}",
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default()
    );
    match status {
        Some(s) => (s.success(), out),
        None => (false, format!("{out}\nkilled after {WALK_DEADLINE:?}")),
    }
}

#[test]
fn ui_works_in_a_real_browser() {
    if let Some(why) = missing() {
        let required = std::env::var("SK_UI_BROWSER_REQUIRED").is_ok_and(|v| v == "1");
        assert!(!required, "SK_UI_BROWSER_REQUIRED=1 but {why}");
        eprintln!("SKIP sk ui browser test: {why}");
        return;
    }
    let home = UiHome::new();
    let ui = UiServer::start(&home);
    let outdir = screenshot_dir();
    let started = Instant::now();
    let (ok, out) = walk(&ui.url, &outdir);
    println!("{out}");
    println!("browser walk: {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        ok,
        "the browser walk failed:\n{out}\nsk ui stderr:\n{}",
        ui.stderr()
    );

    let mut shots: Vec<(String, u64)> = std::fs::read_dir(&outdir)
        .expect("screenshots")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().expect("metadata").len(),
            )
        })
        .collect();
    shots.sort();
    let names: Vec<&str> = shots.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "01-search.png",
        "sessions.png",
        "session-hostile.png",
        "knowledge-forgotten.png",
        "insights.png",
        "health.png",
    ] {
        assert!(names.iter().any(|n| n.ends_with(want)), "{want} among {names:?}");
    }
    for (name, bytes) in &shots {
        let png = std::fs::read(outdir.join(name)).expect("read screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
        // A blank 1280-pixel-wide page compresses to a few kilobytes; a page with text is
        // far more.
        assert!(*bytes > 15_000, "{name} is {bytes} bytes: a blank page?");
    }
    ui.stop_cleanly();
}
