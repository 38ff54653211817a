//! One module per subcommand. `run` resolves paths once and dispatches.

mod brief;
mod doctor;
mod extract;
mod git_hooks;
pub mod hooks;
mod hooks_provision;
mod index;
mod install;
mod knowledge;
mod learn;
mod mcp;
mod migrate;
mod query;
mod redact;
mod rollback;
mod session;
mod show;
mod status;
mod stop;
mod sync;
mod telemetry;
mod ui;
mod uninstall;
mod watch;

use std::process::ExitCode;

use anyhow::Context;
use sk_core::Paths;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = Paths::from_env(cli.db.clone()).context("resolving sk's locations")?;
    match cli.command {
        Command::Migrate(args) => migrate::run(&paths, &args),
        Command::Index(args) => index::run(&paths, &args),
        Command::Extract(args) => extract::run(&paths, &args),
        Command::Redact(args) => redact::run(&paths, &args),
        Command::Learn(args) => learn::run(&paths, &args),
        Command::Show(args) => show::run(&paths, &args),
        Command::Query(args) => query::run(&paths, &args),
        Command::Knowledge(args) => knowledge::run(&paths, &args),
        Command::Brief(args) => brief::run(&paths, &args),
        Command::Session(args) => session::run_one(&paths, &args),
        Command::Sessions(args) => session::run_list(&paths, &args),
        Command::Status(args) => status::run(&paths, &args),
        Command::GitHooks(cmd) => git_hooks::run(&paths, &cmd),
        Command::Install(args) => install::run(&paths, &args),
        Command::Doctor(args) => doctor::run(&paths, &args),
        Command::Uninstall(args) => uninstall::run(&paths, &args),
        Command::Rollback(args) => rollback::run(&paths, &args),
        Command::Watch(args) => watch::run(&paths, &args),
        Command::Hooks(args) => hooks::run(&paths, &args),
        Command::Sync(args) => sync::run(&paths, &args),
        Command::Mcp => mcp::run(paths),
        Command::Ui(args) => ui::run(paths, &args),
    }
}
