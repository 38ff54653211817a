//! One module per subcommand. `run` resolves paths once and dispatches.

mod index;
mod migrate;
mod status;

use std::process::ExitCode;

use anyhow::Context;
use sk_core::Paths;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = Paths::from_env(cli.db.clone()).context("resolving sk's locations")?;
    match cli.command {
        Command::Migrate(args) => migrate::run(&paths, &args),
        Command::Index(args) => index::run(&paths, &args),
        Command::Status(args) => status::run(&paths, &args),
    }
}
