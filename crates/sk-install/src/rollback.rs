//! `sk rollback` (runbook §3): switch back to the binary the last install replaced, but
//! only after checking that it starts (`sk.prev --version` exits 0). The binary rolled
//! back from is kept as `sk.broken` for investigation, never deleted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sk_core::Paths;

use crate::manifest::{self, Manifest, Purpose};
use crate::{BuildInfo, InstallError, binary_name, fsx, install};

/// How long a previous binary may take to print its version before it counts as broken.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// What a rollback did.
#[derive(Debug, Clone)]
pub struct RollbackOutcome {
    pub current: PathBuf,
    pub broken: PathBuf,
    /// What the restored binary printed for `--version`.
    pub version_line: String,
}

/// Runs `bin --version` without a shell, with a deadline. Ok(first line of stdout) when it
/// exits 0, else a description of what went wrong.
pub fn probe_version(bin: &Path) -> Result<String, String> {
    let mut child = Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("it cannot be started: {e}"))?;
    let deadline = Instant::now() + VERSION_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`--version` did not finish within {}s",
                    VERSION_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for it failed: {e}")),
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("reading its output failed: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        Ok(stdout.lines().next().unwrap_or("").trim().to_string())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = stderr
            .lines()
            .chain(stdout.lines())
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        Err(match out.status.code() {
            Some(c) if said.is_empty() => format!("`--version` exited {c}"),
            Some(c) => format!("`--version` exited {c}: {said}"),
            None => "`--version` was killed by a signal".into(),
        })
    }
}

/// Checks `sk.prev`, then swaps: the current binary becomes `sk.broken` and `sk.prev`
/// becomes the binary. `sk` itself is replaced by one rename, so it never goes missing.
pub fn rollback(paths: &Paths) -> Result<RollbackOutcome, InstallError> {
    let prev = install::previous_path(paths);
    let current = paths.bin_dir().join(binary_name());
    let broken = install::broken_path(paths);
    if !prev.is_file() {
        return Err(InstallError::NoPrevious { path: prev });
    }
    let version_line = probe_version(&prev).map_err(|detail| InstallError::PreviousBroken {
        path: prev.clone(),
        detail,
    })?;
    if current.is_file() {
        fsx::duplicate_atomic(&current, &broken)
            .map_err(InstallError::io("keep the current binary as", &broken))?;
    }
    std::fs::rename(&prev, &current).map_err(InstallError::io("move the previous binary to", &current))?;

    let manifest_path = paths.install_manifest();
    let mut m = manifest::load(&manifest_path)?.unwrap_or_else(|| Manifest {
        sk_version: String::new(),
        commit: String::new(),
        installed_at: String::new(),
        files: Vec::new(),
        blocks: Vec::new(),
    });
    let build = BuildInfo::parse_version_line(&version_line).unwrap_or(BuildInfo {
        version: version_line.clone(),
        commit: "unknown".into(),
    });
    m.sk_version = build.version;
    m.commit = build.commit;
    m.installed_at = sk_core::time::format_ms(sk_core::time::now_ms());
    let hash = |p: &Path| fsx::sha256_file(p).map_err(InstallError::io("read", p));
    m.set_file(Purpose::Binary, current.clone(), hash(&current)?);
    m.remove_file(Purpose::PreviousBinary);
    if broken.is_file() {
        m.set_file(Purpose::BrokenBinary, broken.clone(), hash(&broken)?);
    }
    manifest::save(&manifest_path, &m)?;
    Ok(RollbackOutcome {
        current,
        broken,
        version_line,
    })
}
