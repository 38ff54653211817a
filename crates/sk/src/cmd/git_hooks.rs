//! `sk git-hooks install|uninstall`: sk's pre-commit and pre-push hooks in one repository.

use std::process::ExitCode;

use anyhow::Context;
use sk_core::Paths;
use sk_provision::githooks;

use crate::cli::GitHooksCommand;
use crate::cmd::hooks_provision::{finish, hook_binary};

pub fn run(paths: &Paths, cmd: &GitHooksCommand) -> anyhow::Result<ExitCode> {
    let (args, installing) = match cmd {
        GitHooksCommand::Install(a) => (a, true),
        GitHooksCommand::Uninstall(a) => (a, false),
    };
    let repo = match &args.repo {
        Some(r) => r.clone(),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    let dir = githooks::hooks_dir(&repo)?;
    if installing {
        let sk = hook_binary(paths)?;
        let plan = githooks::install_plan(&dir, &sk)?;
        finish(
            plan,
            args.dry_run,
            args.json,
            &format!("sk git hooks installed in {}", dir.display()),
        )
    } else {
        finish(
            githooks::uninstall_plan(&dir),
            args.dry_run,
            args.json,
            &format!("sk git hooks removed from {}", dir.display()),
        )
    }
}
