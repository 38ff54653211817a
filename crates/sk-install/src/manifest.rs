//! The install manifest: which build is installed, when, and every file sk manages with
//! its SHA-256 and purpose. `sk doctor` checks files against it (drift), `sk uninstall`
//! removes exactly what it lists, and operators save `sk doctor --manifest` before risky
//! work to diff it afterwards (runbook §1.1).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::InstallError;
use crate::fsx;

/// Why sk manages a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// The installed `sk` binary.
    Binary,
    /// The Windows `sk.cmd` launcher.
    Launcher,
    /// The binary replaced by the last install, for `sk rollback`.
    PreviousBinary,
    /// The binary `sk rollback` moved aside, kept for investigation.
    BrokenBinary,
    /// The service definition `sk watch --install-service` wrote.
    WatchService,
}

impl Purpose {
    pub fn describe(self) -> &'static str {
        match self {
            Purpose::Binary => "sk binary",
            Purpose::Launcher => "Windows launcher (CRLF)",
            Purpose::PreviousBinary => "previous binary, for `sk rollback`",
            Purpose::BrokenBinary => "binary moved aside by `sk rollback`",
            Purpose::WatchService => "service that runs `sk watch`",
        }
    }

    /// The entries by which a shell runs sk: what `sk uninstall --launcher-only` removes.
    pub fn is_launcher(self) -> bool {
        matches!(self, Purpose::Binary | Purpose::Launcher)
    }
}

/// One file sk manages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedFile {
    pub path: PathBuf,
    pub sha256: String,
    pub purpose: Purpose,
}

/// A marked block sk added to a file the user owns (their shell rc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedBlock {
    pub path: PathBuf,
    pub purpose: String,
}

/// The manifest file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub sk_version: String,
    pub commit: String,
    /// RFC 3339, UTC.
    pub installed_at: String,
    pub files: Vec<ManagedFile>,
    #[serde(default)]
    pub blocks: Vec<ManagedBlock>,
}

impl Manifest {
    pub fn file(&self, purpose: Purpose) -> Option<&ManagedFile> {
        self.files.iter().find(|f| f.purpose == purpose)
    }

    /// Sets (or adds) the entry for `purpose`.
    pub fn set_file(&mut self, purpose: Purpose, path: PathBuf, sha256: String) {
        self.files.retain(|f| f.purpose != purpose);
        self.files.push(ManagedFile {
            path,
            sha256,
            purpose,
        });
        self.files.sort_by_key(|f| f.purpose);
    }

    pub fn remove_file(&mut self, purpose: Purpose) {
        self.files.retain(|f| f.purpose != purpose);
    }

    /// Pretty JSON with a trailing newline: stable, so two saved copies diff cleanly.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Reads the manifest; None when sk was never installed in this home.
pub fn load(path: &Path) -> Result<Option<Manifest>, InstallError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(InstallError::io("read", path)(e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| InstallError::BadManifest {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })
}

/// Writes the manifest atomically.
pub fn save(path: &Path, manifest: &Manifest) -> Result<(), InstallError> {
    fsx::write_atomic(path, manifest.to_json().as_bytes(), 0o644).map_err(InstallError::io("write", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_one_entry_per_purpose() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut m = Manifest {
            sk_version: "0.1.0".into(),
            commit: "abc".into(),
            installed_at: "2026-11-27T00:00:00Z".into(),
            files: vec![],
            blocks: vec![],
        };
        m.set_file(Purpose::Launcher, "/b/sk.cmd".into(), "1".into());
        m.set_file(Purpose::Binary, "/b/sk".into(), "2".into());
        m.set_file(Purpose::Binary, "/b/sk".into(), "3".into());
        assert_eq!(m.files.len(), 2);
        assert_eq!(m.files[0].purpose, Purpose::Binary, "sorted by purpose");
        assert_eq!(m.file(Purpose::Binary).map(|f| f.sha256.as_str()), Some("3"));
        let p = dir.path().join("m.json");
        assert!(load(&p).expect("missing is fine").is_none());
        save(&p, &m).expect("save");
        assert_eq!(load(&p).expect("load"), Some(m));
        std::fs::write(&p, "{").expect("corrupt");
        assert!(matches!(load(&p), Err(InstallError::BadManifest { .. })));
    }
}
