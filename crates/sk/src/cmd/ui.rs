//! `sk ui`: serve the local web interface until Ctrl-C. Everything but starting it (and
//! opening a browser with `--open`) lives in `sk-ui`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use sk_core::{Paths, env};

use crate::cli::UiArgs;

pub fn run(paths: Paths, args: &UiArgs) -> anyhow::Result<ExitCode> {
    let doctor = sk_install::doctor::Context {
        paths: paths.clone(),
        path_var: env::Source::get(&env::ProcessEnv, env::PATH),
        build: super::install::build_info(),
    };
    if args.bind.is_unspecified() {
        // Requests must name the server's address (the DNS-rebinding check); "every
        // address" names none.
        anyhow::bail!(
            "--bind {} listens everywhere, and sk ui accepts only requests that name its own address: give the one address to listen on (e.g. the machine's LAN address), or use an SSH tunnel to 127.0.0.1",
            args.bind
        );
    }
    let mut options = sk_ui::Options::new(doctor);
    options.bind = args.bind;
    options.port = args.port;
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {} — other machines can reach this server; only the token in the URL keeps them out",
            args.bind
        );
    }
    let open = args.open;
    sk_ui::serve(paths, options, super::stop::signal(), |started| {
        // The URL on stdout, alone on its line, so scripts (and tests) can read it.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", started.url);
        let _ = out.flush();
        eprintln!("sk ui: serving on http://{} — Ctrl-C stops it", started.addr);
        if open {
            open_browser(&started.url);
        }
    })
    .context("sk ui")?;
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` with the desktop's opener, as an argument (never through a shell). A
/// failure is only reported: the URL is printed anyway.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("sk ui: could not start {opener} to open the browser ({e}); open the URL above yourself");
    }
}
