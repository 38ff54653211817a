//! `sk uninstall [--launcher-only]`: remove exactly what the manifest lists — never the
//! session logs, the knowledge database, its backups or the inbox — and say what was removed
//! and what was kept. Running it twice is fine: the second run finds nothing to remove.
//!
//! The caller stops the watcher before executing (it lives in sk-index). Hook registrations
//! are undone by the hooks provisioning code, which is not part of this build; its
//! uninstall step belongs in the CLI's `uninstall` command right after the watcher stop.

use std::path::{Path, PathBuf};

use sk_core::Paths;

use crate::manifest::{self, Manifest, Purpose};
use crate::{InstallError, fsx, install, shellrc};

/// What an uninstall will do.
#[derive(Debug, Clone, Default)]
pub struct UninstallPlan {
    /// Managed files to delete, with why sk had them.
    pub remove: Vec<(PathBuf, Purpose)>,
    /// Rc files whose marked block is taken out.
    pub remove_blocks: Vec<PathBuf>,
    /// What stays, and why (only things that exist).
    pub keep: Vec<(PathBuf, &'static str)>,
    /// The manifest afterwards: None deletes it (full uninstall).
    pub manifest_after: Option<Manifest>,
    /// There was a manifest to act on.
    pub installed: bool,
}

/// Decides the uninstall from the manifest. Pure apart from checking which of the kept
/// locations exist, so the report lists only real things.
pub fn plan(paths: &Paths, manifest: Option<&Manifest>, launcher_only: bool) -> UninstallPlan {
    let mut p = UninstallPlan::default();
    let exists = |path: &Path| path.exists();
    if let Some(m) = manifest {
        p.installed = true;
        let mut after = m.clone();
        for f in &m.files {
            if !launcher_only || f.purpose.is_launcher() {
                p.remove.push((f.path.clone(), f.purpose));
                after.remove_file(f.purpose);
            } else if exists(&f.path) {
                p.keep.push((f.path.clone(), f.purpose.describe()));
            }
        }
        if launcher_only {
            for b in &m.blocks {
                p.keep
                    .push((b.path.clone(), "PATH block (kept by --launcher-only)"));
            }
            p.manifest_after = Some(after);
        } else {
            p.remove_blocks = m.blocks.iter().map(|b| b.path.clone()).collect();
        }
    }
    let data: [(PathBuf, &'static str); 4] = [
        (
            paths.copilot_session_state(),
            "session logs (never touched by uninstall)",
        ),
        (paths.db.clone(), "knowledge database"),
        (
            paths.db.parent().map(|d| d.join("backups")).unwrap_or_default(),
            "database backups",
        ),
        (paths.inbox_dir(), "learn inbox"),
    ];
    for (path, why) in data {
        if exists(&path) {
            p.keep.push((path, why));
        }
    }
    p
}

/// What executing removed.
#[derive(Debug, Clone, Default)]
pub struct UninstallOutcome {
    pub removed: Vec<PathBuf>,
    /// Listed in the manifest but already gone.
    pub already_gone: Vec<PathBuf>,
    pub blocks_removed: Vec<PathBuf>,
}

/// Carries out `plan`: files, then rc blocks, then the manifest.
pub fn execute(paths: &Paths, plan: &UninstallPlan) -> Result<UninstallOutcome, InstallError> {
    let mut out = UninstallOutcome::default();
    for (path, _) in &plan.remove {
        if fsx::remove_if_exists(path).map_err(InstallError::io("remove", path))? {
            out.removed.push(path.clone());
        } else {
            out.already_gone.push(path.clone());
        }
    }
    for rc in &plan.remove_blocks {
        let text = match std::fs::read_to_string(rc) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(InstallError::io("read", rc)(e)),
        };
        if let Some(new) = shellrc::without_block(&text) {
            install::edit_user_file(rc, &new)?;
            out.blocks_removed.push(rc.clone());
        }
    }
    let manifest_path = paths.install_manifest();
    match &plan.manifest_after {
        Some(m) => manifest::save(&manifest_path, m)?,
        None if plan.installed => {
            fsx::remove_if_exists(&manifest_path).map_err(InstallError::io("remove", &manifest_path))?;
            out.removed.push(manifest_path);
        }
        None => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{ManagedBlock, ManagedFile};

    fn manifest() -> Manifest {
        let f = |p: &str, purpose| ManagedFile {
            path: p.into(),
            sha256: "x".into(),
            purpose,
        };
        Manifest {
            sk_version: "0.1.0".into(),
            commit: "c".into(),
            installed_at: "T".into(),
            files: vec![
                f("/h/.copilot/bin/sk", Purpose::Binary),
                f("/h/.copilot/bin/sk.cmd", Purpose::Launcher),
                f("/h/.copilot/bin/sk.prev", Purpose::PreviousBinary),
            ],
            blocks: vec![ManagedBlock {
                path: "/h/.bashrc".into(),
                purpose: "PATH".into(),
            }],
        }
    }

    fn paths() -> Paths {
        Paths::resolve(
            &sk_core::env::MapEnv(vec![("HOME", "/nonexistent-h".into())]),
            None,
        )
        .expect("paths")
    }

    #[test]
    fn full_uninstall_removes_every_listed_file_and_block_and_the_manifest() {
        let p = plan(&paths(), Some(&manifest()), false);
        assert_eq!(p.remove.len(), 3);
        assert_eq!(p.remove_blocks, vec![PathBuf::from("/h/.bashrc")]);
        assert!(p.manifest_after.is_none());
    }

    #[test]
    fn launcher_only_keeps_the_previous_binary_and_the_path_block() {
        let p = plan(&paths(), Some(&manifest()), true);
        let removed: Vec<Purpose> = p.remove.iter().map(|(_, k)| *k).collect();
        assert_eq!(removed, [Purpose::Binary, Purpose::Launcher]);
        assert!(p.remove_blocks.is_empty());
        let after = p.manifest_after.expect("manifest kept");
        assert_eq!(after.files.len(), 1);
        assert_eq!(after.files[0].purpose, Purpose::PreviousBinary);
    }

    #[test]
    fn without_a_manifest_nothing_is_removed() {
        let p = plan(&paths(), None, false);
        assert!(p.remove.is_empty() && p.remove_blocks.is_empty() && !p.installed);
    }
}
