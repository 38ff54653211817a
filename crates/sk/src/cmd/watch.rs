//! `sk watch`: live capture in the foreground, as a daemon (`--daemon` re-runs this binary
//! detached, with its output in a rotated log), and the controls around it (`--status`,
//! `--stop`, `--install-service`). The watching itself is sk-index's `watch` module.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use sk_core::Paths;
use sk_index::watch::control::{self, StopOutcome};
use sk_index::watch::service::{self, Manager};
use sk_index::watch::{self as watcher, WatchError, WatchOptions};

use crate::cli::WatchArgs;
use crate::output::Out;

/// The daemon's log is rotated past this size (one old copy kept: `watch.log.1`).
const LOG_ROTATE_BYTES: u64 = 1024 * 1024;

pub fn run(paths: &Paths, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let opts = WatchOptions {
        debounce: Duration::from_millis(args.debounce_ms),
        force_polling: args.poll,
        ..WatchOptions::default()
    };
    if args.status {
        return status(paths, args.json);
    }
    if args.stop {
        return stop(paths);
    }
    if args.install_service {
        return install_service(paths);
    }
    if args.uninstall_service {
        return uninstall_service(paths);
    }
    if args.daemon {
        return daemon(paths, args);
    }
    if args.daemon_child {
        let log = paths.watch_log();
        let sync_log = log.clone();
        sync_on_interval(paths, args.sync_every, move |line| log_line(&sync_log, line));
        let mut note = |n: watcher::Note| log_line(&log, &n.to_string());
        watcher::run(paths, &opts, &mut note).context("sk watch")?;
        return Ok(ExitCode::SUCCESS);
    }
    sync_on_interval(paths, args.sync_every, |line| {
        eprintln!("{} sk watch: {line}", clock())
    });
    let mut note = |n: watcher::Note| eprintln!("{} sk watch: {n}", clock());
    watcher::run(paths, &opts, &mut note).context("sk watch")?;
    Ok(ExitCode::SUCCESS)
}

/// `sk sync` (push, then pull) every `secs` seconds on a thread of its own, while sync is
/// set up; the watcher's ingest never waits for the network. A sync that fails (offline,
/// a busy database) is logged and tried again at the next interval; one cut short when
/// the watcher stops loses nothing (pushes are idempotent, pulls resume at the cursor).
fn sync_on_interval(paths: &Paths, secs: u64, log: impl Fn(&str) + Send + 'static) {
    if secs == 0 {
        return;
    }
    let paths = paths.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(secs));
            if !sk_sync::status(&paths).is_ok_and(|s| s.configured) {
                continue;
            }
            match sk_sync::run(&paths, sk_sync::Direction::Both) {
                Ok(r) => {
                    if r.pushed + r.pulled > 0 {
                        log(&format!(
                            "sync: pushed {}, pulled {} ({} applied)",
                            r.pushed, r.pulled, r.applied
                        ));
                    }
                }
                // The whole chain ("the knowledge base: database is locked"), not its head.
                Err(e) => log(&format!("sync failed: {:#}", anyhow::Error::new(e))),
            }
        }
    });
}

fn clock() -> String {
    sk_core::time::format_ms(sk_core::time::now_ms())
}

fn log_line(log: &Path, text: &str) {
    if std::fs::metadata(log).is_ok_and(|m| m.len() > LOG_ROTATE_BYTES) {
        let _ = std::fs::rename(log, sk_core::paths::sidecar(log, ".1"));
    }
    if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(log) {
        let _ = writeln!(f, "{} {text}", clock());
    }
}

fn status(paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let s = control::status(paths);
    let mut out = Out::new();
    if json {
        out.json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let fmt = |t: Option<i64>| t.map(sk_core::time::format_ms).unwrap_or_else(|| "never".into());
    match (s.running, s.pid, s.stale_pid) {
        (true, pid, _) => {
            let st = s.state.clone().unwrap_or_default();
            let up = (sk_core::time::now_ms() - st.started_at_ms).max(0) / 1000;
            writeln!(
                out,
                "sk watch is running (pid {}), up {}h{:02}m{:02}s, mode {}",
                pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
                up / 3600,
                up / 60 % 60,
                up % 60,
                st.mode
            )?;
            writeln!(
                out,
                "last ingest: {}; last activity: {}",
                fmt(st.last_ingest_ms),
                fmt(st.last_activity_ms)
            )?;
            writeln!(
                out,
                "ingests: {}, files read: {}, records: {}, errors: {}",
                st.ingests, st.files_read, st.records, st.errors
            )?;
            if let Some(e) = &st.last_error {
                writeln!(out, "last error: {e}")?;
            }
        }
        (false, _, Some(pid)) => writeln!(
            out,
            "sk watch is not running (stale pid file for pid {pid}; `sk watch --stop` removes it)"
        )?,
        (false, _, None) => writeln!(out, "sk watch is not running")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn stop(paths: &Paths) -> anyhow::Result<ExitCode> {
    let mut out = Out::new();
    match control::stop(paths, Duration::from_secs(60))? {
        StopOutcome::Stopped { pid } => writeln!(out, "Stopped sk watch (pid {pid})")?,
        StopOutcome::StaleCleaned { pid } => writeln!(
            out,
            "sk watch was not running; removed its stale pid file (pid {pid})"
        )?,
        StopOutcome::NotRunning => writeln!(out, "sk watch is not running")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts this binary again as `sk watch --daemon-child`, detached from the terminal (own
/// process group, no stdin, output to the log), and waits until it holds the instance lock.
fn daemon(paths: &Paths, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let s = control::status(paths);
    if s.running {
        return Err(WatchError::AlreadyRunning { pid: s.pid }.into());
    }
    let markers = paths.markers_dir();
    std::fs::create_dir_all(&markers).with_context(|| format!("creating {}", markers.display()))?;
    let log = paths.watch_log();
    log_line(&log, "starting (--daemon)");
    let out_file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .with_context(|| format!("opening {}", log.display()))?;
    let err_file = out_file.try_clone()?;
    let exe = std::env::current_exe().context("finding the running binary")?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "watch",
        "--daemon-child",
        "--debounce-ms",
        &args.debounce_ms.to_string(),
        "--sync-every",
        &args.sync_every.to_string(),
    ]);
    if args.poll {
        cmd.arg("--poll");
    }
    // The child resolves the same database even when it came from --db.
    cmd.env(sk_core::env::SK_DB.name, &paths.db)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out_file))
        .stderr(Stdio::from(err_file));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: Ctrl-C in this terminal does not reach it.
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().context("starting the watcher")?;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = control::status(paths);
        if s.running && s.pid == Some(child.id()) {
            break;
        }
        if let Some(code) = child.try_wait()? {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let last: Vec<&str> = tail.lines().rev().take(3).collect();
            anyhow::bail!(
                "the watcher exited at start ({code}); its log {} ends with:\n{}",
                log.display(),
                last.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        if Instant::now() >= deadline {
            anyhow::bail!(
                "the watcher (pid {}) did not start within 15s; see {}",
                child.id(),
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Out::new();
    writeln!(
        out,
        "sk watch started in the background (pid {}); log: {}",
        child.id(),
        log.display()
    )?;
    writeln!(
        out,
        "`sk watch --status` reports on it, `sk watch --stop` stops it."
    )?;
    Ok(ExitCode::SUCCESS)
}

fn install_service(paths: &Paths) -> anyhow::Result<ExitCode> {
    let Some(manager) = Manager::for_this_platform() else {
        anyhow::bail!(
            "no service manager support on {}: run `sk watch --daemon` at login instead",
            std::env::consts::OS
        );
    };
    let bin = paths.bin_dir().join(sk_install::binary_name());
    if !bin.is_file() {
        anyhow::bail!(
            "{} is not installed: run `sk install` first (the service runs the installed binary)",
            bin.display()
        );
    }
    let file = manager.file(paths);
    let text = service::definition(manager, &bin, paths);
    sk_install::fsx::write_atomic(&file, text.as_bytes(), 0o644)
        .with_context(|| format!("writing {}", file.display()))?;
    // Recorded in the manifest so `sk uninstall` removes it and `sk doctor` sees drift.
    let mpath = paths.install_manifest();
    if let Some(mut m) = sk_install::manifest::load(&mpath)? {
        m.set_file(
            sk_install::Purpose::WatchService,
            file.clone(),
            sk_install::fsx::sha256_bytes(text.as_bytes()),
        );
        sk_install::manifest::save(&mpath, &m)?;
    }
    let mut out = Out::new();
    writeln!(out, "Wrote {}:", file.display())?;
    write!(out, "{text}")?;
    writeln!(out, "Enable it with: {}", manager.enable_hint(&file))?;
    Ok(ExitCode::SUCCESS)
}

fn uninstall_service(paths: &Paths) -> anyhow::Result<ExitCode> {
    let Some(manager) = Manager::for_this_platform() else {
        anyhow::bail!("no service manager support on {}", std::env::consts::OS);
    };
    let file = manager.file(paths);
    let mut out = Out::new();
    let removed =
        sk_install::fsx::remove_if_exists(&file).with_context(|| format!("removing {}", file.display()))?;
    let mpath = paths.install_manifest();
    if let Some(mut m) = sk_install::manifest::load(&mpath)?
        && m.file(sk_install::Purpose::WatchService).is_some()
    {
        m.remove_file(sk_install::Purpose::WatchService);
        sk_install::manifest::save(&mpath, &m)?;
    }
    if removed {
        writeln!(out, "Removed {}", file.display())?;
        writeln!(
            out,
            "If it was enabled, also run: {}",
            manager.disable_hint(&file)
        )?;
    } else {
        writeln!(
            out,
            "No service definition at {}: nothing to remove",
            file.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
