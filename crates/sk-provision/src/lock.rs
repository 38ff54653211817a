//! Locking deployed hooks: a manifest of every file sk deployed plus the binary they run
//! (SHA-256, size, modification time) and of sk's MCP server entries, HMAC-signed with the local secret, and the deployed
//! files made read-only. While the manifest exists the hooks are locked: deploy and
//! undeploy refuse, and `verify` reports any file that changed, vanished, or a manifest
//! whose signature does not match. Unlocking reports drift first and never rewrites the
//! manifest to hide it.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sk_core::Paths;

use crate::{ProvisionError, agents, atomic, mcp, secret};

const MANIFEST_VERSION: u32 = 1;

/// One file under the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracked {
    pub path: PathBuf,
    pub purpose: String,
    pub sha256: String,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch: with the size, the cheap check.
    pub mtime_ns: u64,
    /// Permission bits before locking, restored by unlock (Unix only).
    pub mode: Option<u32>,
    /// Deployed files are made read-only; the binary is tracked but left as it is.
    pub read_only: bool,
    /// For sk's MCP server entry in an agent's file: `sha256` is the entry's (the rest of
    /// the file is the user's and the agent's, rewritten by the agent as it runs, so it is
    /// neither hashed nor made read-only). Absent from manifests of hooks only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp_entry: Option<sk_core::Agent>,
}

/// The signed manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub locked_at: String,
    pub files: Vec<Tracked>,
    pub signature: String,
}

/// What `verify` found wrong with one file (or the manifest itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: PathBuf,
    pub issue: Issue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    Changed,
    Removed,
    Unreadable,
    SignatureInvalid,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Issue::Changed => "changed since it was locked",
            Issue::Removed => "removed since it was locked",
            Issue::Unreadable => "cannot be read",
            Issue::SignatureInvalid => {
                "manifest signature does not match (the manifest was edited, or the secret changed)"
            }
        })
    }
}

/// The state of the lock and every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub locked: bool,
    pub locked_at: Option<String>,
    pub files: usize,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `lock` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LockOutcome {
    /// `read_only`: the deployed files, now read-only; `tracked`: hashed but left as they are.
    Locked {
        read_only: Vec<PathBuf>,
        tracked: Vec<PathBuf>,
    },
    AlreadyLocked {
        since: String,
    },
}

pub fn is_locked(paths: &Paths) -> bool {
    paths.hooks_lock_manifest().exists()
}

/// Locks every deployed hook file and records `sk`, the binary they run.
pub fn lock(paths: &Paths, sk: &Path, now: &str) -> Result<LockOutcome, ProvisionError> {
    if let Some(m) = read_manifest(paths)? {
        return Ok(LockOutcome::AlreadyLocked { since: m.locked_at });
    }
    let deployed = agents::deployed(paths);
    let servers = mcp::deployed(paths);
    if deployed.is_empty() && servers.is_empty() {
        return Err(ProvisionError::NothingDeployed);
    }
    let mut files = Vec::new();
    for (agent, path) in &deployed {
        files.push(track(path, &format!("{agent} hook registrations"), true)?);
    }
    for (agent, path) in &servers {
        files.push(track_entry(paths, *agent, path));
    }
    files.push(track(sk, "the sk binary the hooks run", false)?);
    let key = secret::load_or_create(&paths.secret_file())?;
    let mut manifest = Manifest {
        version: MANIFEST_VERSION,
        locked_at: now.to_string(),
        files,
        signature: String::new(),
    };
    manifest.signature = secret::sign(&key, &signed_bytes(&manifest));
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    atomic::write(&paths.hooks_lock_manifest(), &bytes, Some(0o600))?;
    for f in manifest.files.iter().filter(|f| f.read_only) {
        set_read_only(&f.path, true, f.mode)?;
    }
    let (read_only, tracked): (Vec<&Tracked>, Vec<&Tracked>) =
        manifest.files.iter().partition(|f| f.read_only);
    Ok(LockOutcome::Locked {
        read_only: read_only.into_iter().map(|f| f.path.clone()).collect(),
        tracked: tracked.into_iter().map(|f| f.path.clone()).collect(),
    })
}

/// Checks every locked file's hash and the manifest's signature.
pub fn verify(paths: &Paths) -> Result<Report, ProvisionError> {
    check(paths, false)
}

/// [`verify`] for the hook hot path: a file whose size and modification time are as
/// recorded is taken as unchanged without hashing it.
pub fn quick_verify(paths: &Paths) -> Result<Report, ProvisionError> {
    check(paths, true)
}

fn check(paths: &Paths, trust_stat: bool) -> Result<Report, ProvisionError> {
    let Some(manifest) = read_manifest(paths)? else {
        return Ok(Report {
            locked: false,
            locked_at: None,
            files: 0,
            problems: Vec::new(),
        });
    };
    let mut problems = Vec::new();
    let key = secret::load(&paths.secret_file()).ok().flatten();
    if !key.is_some_and(|k| secret::verify(&k, &signed_bytes(&manifest), &manifest.signature)) {
        problems.push(Problem {
            path: paths.hooks_lock_manifest(),
            issue: Issue::SignatureInvalid,
        });
    }
    for f in &manifest.files {
        if let Some(agent) = f.mcp_entry {
            // The hook hot path guards hook files; the MCP entries are checked by `verify`.
            if !trust_stat && mcp::entry(paths, agent).map(|e| sha256_text(&e)) != Some(f.sha256.clone()) {
                problems.push(Problem {
                    path: f.path.clone(),
                    issue: if mcp::entry(paths, agent).is_some() {
                        Issue::Changed
                    } else {
                        Issue::Removed
                    },
                });
            }
            continue;
        }
        let meta = match std::fs::metadata(&f.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(Problem {
                    path: f.path.clone(),
                    issue: Issue::Removed,
                });
                continue;
            }
            Err(_) => {
                problems.push(Problem {
                    path: f.path.clone(),
                    issue: Issue::Unreadable,
                });
                continue;
            }
        };
        if trust_stat && meta.len() == f.size && mtime_ns(&meta) == f.mtime_ns {
            continue;
        }
        match sha256_file(&f.path) {
            Ok(hash) if hash == f.sha256 => {}
            Ok(_) => problems.push(Problem {
                path: f.path.clone(),
                issue: Issue::Changed,
            }),
            Err(_) => problems.push(Problem {
                path: f.path.clone(),
                issue: Issue::Unreadable,
            }),
        }
    }
    Ok(Report {
        locked: true,
        locked_at: Some(manifest.locked_at.clone()),
        files: manifest.files.len(),
        problems,
    })
}

/// Verifies (so drift is reported, not hidden), gives the deployed files their write
/// permission back and removes the manifest. Unlocking unlocked hooks changes nothing.
pub fn unlock(paths: &Paths) -> Result<Report, ProvisionError> {
    let report = verify(paths)?;
    if let Some(manifest) = read_manifest(paths)? {
        for f in manifest.files.iter().filter(|f| f.read_only && f.path.exists()) {
            set_read_only(&f.path, false, f.mode)?;
        }
    }
    let path = paths.hooks_lock_manifest();
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(ProvisionError::Io { path, error: e });
        }
        _ => {}
    }
    Ok(report)
}

fn read_manifest(paths: &Paths) -> Result<Option<Manifest>, ProvisionError> {
    let path = paths.hooks_lock_manifest();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ProvisionError::Io { path, error: e }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ProvisionError::BadManifest {
            path,
            detail: e.to_string(),
        })
}

/// What the signature covers: everything in the manifest but the signature.
fn signed_bytes(m: &Manifest) -> Vec<u8> {
    serde_json::to_vec(&(m.version, &m.locked_at, &m.files)).unwrap_or_default()
}

fn track(path: &Path, purpose: &str, read_only: bool) -> Result<Tracked, ProvisionError> {
    let meta = std::fs::metadata(path).map_err(ProvisionError::io(path))?;
    Ok(Tracked {
        path: path.to_path_buf(),
        purpose: purpose.to_string(),
        sha256: sha256_file(path).map_err(ProvisionError::io(path))?,
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        mode: atomic::unix_mode(&meta),
        read_only,
        mcp_entry: None,
    })
}

/// sk's MCP server entry in `agent`'s file (present: [`mcp::deployed`] listed it).
fn track_entry(paths: &Paths, agent: sk_core::Agent, path: &Path) -> Tracked {
    Tracked {
        path: path.to_path_buf(),
        purpose: format!("sk's MCP server entry for {agent}"),
        sha256: mcp::entry(paths, agent)
            .map(|e| sha256_text(&e))
            .unwrap_or_default(),
        size: 0,
        mtime_ns: 0,
        mode: None,
        read_only: false,
        mcp_entry: Some(agent),
    }
}

fn sha256_text(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Read-only: every write bit cleared. Writable again: the mode recorded before locking
/// (or owner-writable where none was recorded).
fn set_read_only(path: &Path, read_only: bool, mode: Option<u32>) -> Result<(), ProvisionError> {
    let meta = std::fs::metadata(path).map_err(ProvisionError::io(path))?;
    let mut permissions = meta.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = permissions.mode() & 0o7777;
        let next = if read_only {
            current & !0o222
        } else {
            mode.unwrap_or(current | 0o200)
        };
        permissions.set_mode(next);
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        permissions.set_readonly(read_only);
    }
    std::fs::set_permissions(path, permissions).map_err(ProvisionError::io(path))
}
