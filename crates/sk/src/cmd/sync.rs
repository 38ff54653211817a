//! `sk sync …`: prints what `sk_sync` did. A URL is only ever shown redacted (the
//! library hands out nothing else).

use std::io::Write;
use std::process::ExitCode;

use sk_core::Paths;
use sk_core::env::{self, Source};
use sk_core::time::format_ms;
use sk_sync::{Direction, SyncError, sql};

use crate::cli::{SyncArgs, SyncCommand};
use crate::exit;
use crate::output::Out;

pub fn run(paths: &Paths, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let outcome = match &args.command {
        None => sync(paths, Direction::Both, args.json),
        Some(SyncCommand::Push(a)) => sync(paths, Direction::Push, a.json),
        Some(SyncCommand::Pull(a)) => sync(paths, Direction::Pull, a.json),
        Some(SyncCommand::Setup(a)) => setup(paths, a),
        Some(SyncCommand::Status(a)) => status(paths, a.json),
        Some(SyncCommand::ForgetRemote(a)) => forget(paths, a.json),
        Some(SyncCommand::PrintAdminSql(a)) => {
            let names = sql::AdminNames {
                team: &a.team,
                user: &a.user,
                owner_role: &a.owner_role,
                user_role: &a.group_role,
            };
            sql::admin_sql(&names).map(|text| -> anyhow::Result<ExitCode> {
                let mut out = Out::new();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                Ok(ExitCode::SUCCESS)
            })
        }
    };
    match outcome {
        Ok(done) => done,
        Err(e) if e.is_usage() => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(exit::USAGE))
        }
        Err(e) => Err(anyhow::Error::new(e)),
    }
}

type Outcome = Result<anyhow::Result<ExitCode>, SyncError>;

fn sync(paths: &Paths, direction: Direction, json: bool) -> Outcome {
    let r = sk_sync::run(paths, direction)?;
    Ok((|| {
        let mut out = Out::new();
        if json {
            out.json(&r)?;
            return Ok(ExitCode::SUCCESS);
        }
        if direction != Direction::Pull {
            writeln!(
                out,
                "pushed {} change(s) to {} (team {}), {} new to the remote",
                r.pushed, r.remote, r.team, r.pushed_new
            )?;
        }
        if direction != Direction::Push {
            writeln!(
                out,
                "pulled {} change(s): {} applied, {} already here or superseded",
                r.pulled, r.applied, r.superseded
            )?;
        }
        if r.too_large > 0 {
            writeln!(
                out,
                "{} change(s) over 1 MiB were not sent (the remote refuses them); they stay on this machine",
                r.too_large
            )?;
        }
        if r.withheld > 0 {
            writeln!(
                out,
                "{} change(s) to knowledge of repositories this machine does not share were not sent",
                r.withheld
            )?;
        }
        if r.rekeyed {
            writeln!(
                out,
                "this database got a new replica id: the remote held changes it never made (a restored or copied database)"
            )?;
        }
        if r.remote_recreated {
            writeln!(
                out,
                "the remote was re-created: everything here was queued again and pulled from the start"
            )?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })())
}

fn setup(paths: &Paths, args: &crate::cli::SetupArgs) -> Outcome {
    let url = match &args.url {
        Some(u) => u.clone(),
        None => match env::ProcessEnv.get(env::SK_SYNC_URL) {
            Some(u) => u.to_string_lossy().into_owned(),
            None => {
                return Err(SyncError::Usage(
                    "give the remote's URL: sk sync setup postgres://ROLE@HOST/DB --team TEAM".into(),
                ));
            }
        },
    };
    let share = sk_sync::config::Sharing {
        exclude_repos: args.exclude_repos.clone(),
        only_repos: args.only_repos.clone(),
        sessions: args.sessions,
    };
    let r = sk_sync::setup(paths, &url, args.team.as_deref(), args.label.as_deref(), share)?;
    Ok((|| {
        let mut out = Out::new();
        if args.json {
            out.json(&r)?;
            return Ok(ExitCode::SUCCESS);
        }
        writeln!(out, "sync set up: {} (team {})", r.remote, r.team)?;
        writeln!(out, "replica {} labelled {:?}", r.replica_id, r.label)?;
        writeln!(
            out,
            "{} change(s) queued for the first push; run `sk sync`",
            r.queued
        )?;
        writeln!(out, "{}", sharing(&r.share))?;
        writeln!(out, "URL stored in {} (readable by you only)", r.config_file)?;
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })())
}

fn status(paths: &Paths, json: bool) -> Outcome {
    let s = sk_sync::status(paths)?;
    Ok((|| {
        let mut out = Out::new();
        if json {
            out.json(&s)?;
            return Ok(ExitCode::SUCCESS);
        }
        if !s.configured {
            writeln!(out, "sync: not set up (`sk sync setup URL --team TEAM`)")?;
            out.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        let when = |t: Option<i64>| t.map(format_ms).unwrap_or_else(|| "never".into());
        writeln!(
            out,
            "remote:  {} (from {})",
            s.remote.as_deref().unwrap_or("-"),
            s.remote_from.as_deref().unwrap_or("-")
        )?;
        writeln!(out, "team:    {}", s.team.as_deref().unwrap_or("-"))?;
        writeln!(
            out,
            "replica: {} ({})",
            s.replica_id.as_deref().unwrap_or("-"),
            s.label.as_deref().unwrap_or("")
        )?;
        writeln!(out, "pending: {} change(s) to push", s.pending)?;
        writeln!(out, "sharing: {}", sharing(&s.share))?;
        writeln!(
            out,
            "last push: {} · last pull: {}",
            when(s.last_push_at),
            when(s.last_pull_at)
        )?;
        if let Some(e) = &s.last_error {
            writeln!(out, "last error: {e}")?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })())
}

fn forget(paths: &Paths, json: bool) -> Outcome {
    let r = sk_sync::forget_remote(paths)?;
    Ok((|| {
        let mut out = Out::new();
        if json {
            out.json(&r)?;
            return Ok(ExitCode::SUCCESS);
        }
        if !r.was_enabled && !r.config_removed {
            writeln!(out, "no sync remote was set up; nothing changed")?;
        } else {
            writeln!(
                out,
                "sync removed: the stored URL and this database's sync state are gone; all knowledge stays"
            )?;
            if r.unpushed_dropped > 0 {
                writeln!(
                    out,
                    "{} change(s) that were never pushed were dropped",
                    r.unpushed_dropped
                )?;
            }
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })())
}

/// The sharing rules in one line, as setup and status print them.
fn sharing(share: &sk_sync::config::Sharing) -> String {
    let mut rule = match share.only_repos.as_slice() {
        [] => "sends knowledge of every repository".to_string(),
        only => format!("sends knowledge of {} only", only.join(", ")),
    };
    if !share.exclude_repos.is_empty() {
        rule.push_str(&format!(", never of {}", share.exclude_repos.join(", ")));
    }
    rule.push_str(" (and what belongs to none)");
    if share.sessions {
        rule.push_str("; sends session digests by the same rules");
    }
    rule
}
