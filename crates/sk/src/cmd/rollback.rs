//! `sk rollback`: switch to sk.prev after checking it starts (runbook §3).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sk_core::Paths;

use crate::cli::RollbackArgs;
use crate::output::Out;

pub fn run(paths: &Paths, _args: &RollbackArgs) -> anyhow::Result<ExitCode> {
    let done = sk_install::rollback::rollback(paths).context("rolling back")?;
    let mut out = Out::new();
    writeln!(
        out,
        "Rolled back: {} is now `{}`",
        done.current.display(),
        done.version_line
    )?;
    writeln!(
        out,
        "The binary it replaced is kept as {} for investigation.",
        done.broken.display()
    )?;
    writeln!(
        out,
        "Check it with `sk doctor`; reinstall a fixed build with `sk install`."
    )?;
    Ok(ExitCode::SUCCESS)
}
