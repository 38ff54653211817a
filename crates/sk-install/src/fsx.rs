//! The file operations installing needs: hashing, and writes that a crash can never leave
//! half done (temp file in the same folder, fsync, rename, fsync the folder).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Hex SHA-256 of a file, streamed (the same function the hook lock manifest uses).
pub use sk_provision::lock::sha256_file;

/// Hex SHA-256 of bytes.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash of `path`, or None when it does not exist (or cannot be read).
pub fn sha256_if_exists(path: &Path) -> Option<String> {
    if path.is_file() {
        sha256_file(path).ok()
    } else {
        None
    }
}

/// `dir/.name.sk-tmp-PID`: in the destination's folder so the rename is atomic.
fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.sk-tmp-{}", std::process::id()))
}

/// Writes `bytes` to `path` atomically with the given unix mode (sk-provision's writer:
/// one implementation for every file sk puts in place).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    sk_provision::atomic::write_io(path, bytes, Some(mode))
}

/// Copies `from` to `to` atomically; `to` is executable.
pub fn copy_atomic(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    let tmp = temp_beside(to);
    let result = (|| {
        let mut src = File::open(from)?;
        let mut dst = create_with_mode(&tmp, 0o755)?;
        io::copy(&mut src, &mut dst)?;
        dst.sync_all()?;
        drop(dst);
        fs::rename(&tmp, to)?;
        sync_dir(to)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Makes `to` an exact copy of `from` without ever removing `to` first: a hard link (or a
/// copy where links are not possible) under a temporary name, then a rename over `to`.
pub fn duplicate_atomic(from: &Path, to: &Path) -> io::Result<()> {
    let tmp = temp_beside(to);
    let _ = fs::remove_file(&tmp);
    if fs::hard_link(from, &tmp).is_err() {
        return copy_atomic(from, to);
    }
    match fs::rename(&tmp, to).and_then(|()| sync_dir(to)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Removes a file; a file that is already gone is fine (uninstall is idempotent).
pub fn remove_if_exists(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn create_with_mode(path: &Path, mode: u32) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let file = opts.open(path)?;
    // The umask may have narrowed the mode; executables must stay executable.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    Ok(file)
}

/// Makes the rename itself durable (POSIX); a no-op where folders cannot be opened.
fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The unix mode bits of an existing file (0o644 when unknown), so rewriting a user's rc
/// file keeps its permissions.
pub fn mode_of(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = fs::metadata(path) {
            return m.permissions().mode() & 0o7777;
        }
    }
    let _ = path;
    0o644
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f");
        write_atomic(&p, b"one", 0o644).expect("write");
        write_atomic(&p, b"two", 0o644).expect("rewrite");
        assert_eq!(fs::read(&p).expect("read"), b"two");
        let q = dir.path().join("g");
        duplicate_atomic(&p, &q).expect("dup");
        assert_eq!(sha256_file(&q).expect("hash"), sha256_bytes(b"two"));
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(remove_if_exists(&q).expect("rm"));
        assert!(!remove_if_exists(&q).expect("rm again"));
    }
}
