//! Writing files other programs own (an agent's settings, a git hook) without ever leaving
//! them half-written: a temporary file in the same folder, fsync, then rename over.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::ProvisionError;

/// Replaces `path` with `bytes` atomically. `mode` (Unix permission bits) applies to the
/// new file; without it the file keeps the old file's permissions (or the default).
pub fn write(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<(), ProvisionError> {
    write_io(path, bytes, mode).map_err(ProvisionError::io(path))
}

/// [`write`] for callers that report plain I/O errors (the installer).
pub fn write_io(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.sk-tmp-{}", std::process::id()));
    // Left over by a crashed process that had this pid: never ours to keep.
    let _ = fs::remove_file(&tmp);
    let result = (|| {
        let mut file = create_new(&tmp, mode)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        apply_mode(&tmp, mode, path)?;
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates `path` exclusively, with `mode` from the first byte on (a private file is never
/// readable by others, not even while it is being written).
pub fn create_new(path: &Path, mode: Option<u32>) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(m) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(m);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

/// Copies `from` to `to` (with its permissions), through a temporary file.
pub fn copy(from: &Path, to: &Path) -> Result<(), ProvisionError> {
    let bytes = fs::read(from).map_err(ProvisionError::io(from))?;
    let mode = fs::metadata(from).ok().and_then(|m| unix_mode(&m));
    write(to, &bytes, mode)
}

/// Gives the temporary file `mode`, or else the permissions of the file it replaces.
fn apply_mode(tmp: &Path, mode: Option<u32>, replaced: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = mode.or_else(|| fs::metadata(replaced).ok().and_then(|m| unix_mode(&m)));
        if let Some(m) = mode {
            fs::set_permissions(tmp, fs::Permissions::from_mode(m))?;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (tmp, mode, replaced);
    }
    Ok(())
}

/// Unix permission bits of a file, `None` elsewhere.
pub fn unix_mode(meta: &fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(meta.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Makes the rename durable; best effort (not every platform can fsync a folder).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
