//! The `sk` binary: parse arguments, run one command, map the outcome to an exit code in
//! exactly one place. Business logic lives in the library crates.

mod cli;
mod cmd;
mod exit;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    // A panic prints one line, never a backtrace; one caught around a parser prints nothing
    // (it is reported as that file's or event's failure instead).
    sk_core::panic::install_hook();
    // The hook program runs before every agent tool call: carved out before clap (§3.6).
    if let Some(code) = cmd::hooks::fast_path() {
        return code;
    }
    let parsed = cli::Cli::command()
        .version(cli::version())
        .try_get_matches()
        .and_then(|m| cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(exit::USAGE));
        }
    };
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}
