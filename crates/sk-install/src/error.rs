//! Every way installing, uninstalling or rolling back can fail, named after the failure so
//! the CLI can say what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot {action} {path}: {error}")]
    Io {
        action: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "the install manifest {path} is not valid JSON ({detail}); move it aside and run `sk install` again"
    )]
    BadManifest { path: PathBuf, detail: String },
    #[error(
        "no previous binary to roll back to: {path} does not exist (an upgrade with `sk install` keeps the replaced binary there)"
    )]
    NoPrevious { path: PathBuf },
    #[error(
        "refusing to roll back: the previous binary {path} does not start ({detail}); the current binary is unchanged"
    )]
    PreviousBroken { path: PathBuf, detail: String },
    #[error("sk is not installed here: {path} does not exist; run `sk install` first")]
    NotInstalled { path: PathBuf },
}

impl InstallError {
    pub fn io<'a>(
        action: &'static str,
        path: &'a std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> InstallError + 'a {
        move |error| InstallError::Io {
            action,
            path: path.to_path_buf(),
            error,
        }
    }
}
