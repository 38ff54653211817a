//! Writing sk's small state files (bypass list, markers, the Copilot instructions section)
//! so a crash or a concurrent hook never leaves half a file: temp file in the same folder,
//! fsync, rename. Files that carry authority (secret, markers) are created 0600.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::HookError;

/// Replaces `path` with `bytes` atomically; `private` makes the file 0600.
pub fn write(path: &Path, bytes: &[u8], private: bool) -> Result<(), HookError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(HookError::io(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = create(&tmp, private)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(HookError::io(path))
}

/// Creates `path` exclusively (fails if it exists), 0600 when `private`.
pub fn create(path: &Path, private: bool) -> std::io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    opts.open(path)
}
