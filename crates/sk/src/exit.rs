//! Exit codes and the single place errors are printed. Documented in README.md:
//! 0 success, 1 the command failed, 2 usage error, 3 the database is busy, 4 `sk index`
//! ingested what it could but some log files failed (each named on stderr).

use std::process::ExitCode;

pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const BUSY: u8 = 3;
/// `sk index`: the run committed, but at least one file could not be read.
pub const PARTIAL: u8 = 4;

/// Prints `err` once with its context chain and picks the exit code. A closed stdout
/// (`sk status | head -1`) is not an error.
pub fn report(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return ExitCode::SUCCESS;
        }
    }
    eprintln!("error: {err:#}");
    let busy = err.chain().any(|c| {
        c.downcast_ref::<sk_store::StoreError>()
            .is_some_and(sk_store::StoreError::is_busy)
    });
    ExitCode::from(if busy { BUSY } else { FAILURE })
}
