//! The "dispatched sub-agent" marker: while a sub-agent works in a repository, commits
//! and pushes from tool calls are refused, so the dispatching agent reviews the work and
//! commits it. One file per git root in the markers folder, HMAC-signed with the 0600 key
//! (a hand-written or copied marker is ignored), expiring after a few hours so a crashed
//! session cannot block a repository forever.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sk_core::Paths;

use sk_provision::{atomic, secret};

use crate::HookError;

/// A marker as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub git_root: String,
    pub set_ms: i64,
    pub until_ms: i64,
    pub sig: String,
}

/// What `sk hooks marker status` and the rule see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    None,
    Active(Marker),
    Expired(Marker),
    /// A file whose signature does not verify (or no key exists): ignored.
    Invalid(String),
}

impl Marker {
    fn message(&self) -> String {
        format!(
            "sk-subagent-marker v1\n{}\n{}\n{}",
            self.git_root, self.set_ms, self.until_ms
        )
    }
}

/// `subagent-<hash of the root>.json`: one marker per repository, whatever its path spells.
pub fn path_for(paths: &Paths, git_root: &Path) -> PathBuf {
    let digest = Sha256::digest(git_root.to_string_lossy().as_bytes());
    paths
        .markers_dir()
        .join(format!("subagent-{}.json", hex::encode(&digest[..8])))
}

/// Sets (or renews) the marker for `git_root`, creating the key on first use.
pub fn set(paths: &Paths, git_root: &Path, for_ms: i64, now_ms: i64) -> Result<Marker, HookError> {
    let key = secret::load_or_create(&paths.secret_file())?;
    let mut m = Marker {
        git_root: git_root.to_string_lossy().into_owned(),
        set_ms: now_ms,
        until_ms: now_ms.saturating_add(for_ms),
        sig: String::new(),
    };
    m.sig = secret::sign(&key, m.message().as_bytes());
    let path = path_for(paths, git_root);
    let text = serde_json::to_string_pretty(&m).map_err(|e| HookError::BadFile {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    atomic::write(&path, text.as_bytes(), Some(0o600))?;
    Ok(m)
}

/// Removes the marker; true when there was one.
pub fn clear(paths: &Paths, git_root: &Path) -> Result<bool, HookError> {
    let path = path_for(paths, git_root);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(HookError::io(&path)(e)),
    }
}

/// The marker for `git_root`. Never creates the key: without one, no marker can verify.
pub fn status(paths: &Paths, git_root: &Path, now_ms: i64) -> Status {
    let path = path_for(paths, git_root);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Status::None,
        Err(e) => return Status::Invalid(format!("cannot read {}: {e}", path.display())),
    };
    let Ok(m) = serde_json::from_slice::<Marker>(&bytes) else {
        return Status::Invalid(format!("{} is not a marker", path.display()));
    };
    let key = match secret::load(&paths.secret_file()) {
        Ok(Some(k)) => k,
        Ok(None) => return Status::Invalid("no signing key exists".into()),
        Err(e) => return Status::Invalid(e.to_string()),
    };
    if m.git_root != git_root.to_string_lossy() || !secret::verify(&key, m.message().as_bytes(), &m.sig) {
        return Status::Invalid(format!("{} has a bad signature", path.display()));
    }
    if m.until_ms <= now_ms {
        Status::Expired(m)
    } else {
        Status::Active(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(home: &Path) -> Paths {
        let env = sk_core::env::MapEnv(vec![("HOME", home.as_os_str().to_owned())]);
        Paths::resolve(&env, None).expect("home")
    }

    #[test]
    fn set_verify_expire_forge_clear() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = paths(dir.path());
        let root = dir.path().join("repo");
        assert_eq!(status(&p, &root, 0), Status::None);
        let m = set(&p, &root, 1000, 100).expect("set");
        assert_eq!(status(&p, &root, 500), Status::Active(m.clone()));
        assert_eq!(status(&p, &root, 1100), Status::Expired(m.clone()));
        assert_eq!(
            status(&p, &dir.path().join("other"), 500),
            Status::None,
            "scoped by root"
        );
        // Extending the expiry by hand breaks the signature.
        let forged = Marker {
            until_ms: 99_999,
            ..m
        };
        fs::write(path_for(&p, &root), serde_json::to_vec(&forged).expect("json")).expect("forge");
        assert!(matches!(status(&p, &root, 500), Status::Invalid(_)));
        assert!(clear(&p, &root).expect("clear"));
        assert!(!clear(&p, &root).expect("clear twice"));
    }
}
