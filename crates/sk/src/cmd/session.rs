//! `sk session ID` (one session: header, timeline, files touched, knowledge it produced)
//! and `sk sessions` (the newest-first list). A session can hold thousands of records, so
//! the human timeline is streamed one line per step with long texts collapsed, and
//! reasoning is only counted.
//!
//! The `--json` results are `sk_query::session`'s types (their schema is documented there).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use sk_core::Paths;
use sk_core::time::{format_ms, now_ms};
use sk_query::session::timeline::{collapse, write_step};
use sk_query::session::{self as view, LookupError};
use sk_store::Store;
use sk_store::sessions::{self, RelatedSession, SessionHeader};

use crate::cli::{SessionArgs, SessionsArgs};
use crate::output::Out;

/// Characters of each text read for the human timeline (then collapsed to one line).
const HUMAN_TEXT_CHARS: usize = 400;
/// Files listed by the human output before "… and N more".
const HUMAN_FILES: usize = 40;

pub fn run_one(paths: &Paths, args: &SessionArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut out = Out::new();
    let store = crate::cmd::telemetry::open_store(paths)?;
    let (code, key) = show_one(&store, args, &mut out)?;
    crate::cmd::telemetry::record(&store, "session", None, &[key], out.written(), started);
    Ok(code)
}

fn show_one(store: &Store, args: &SessionArgs, out: &mut Out) -> anyhow::Result<(ExitCode, String)> {
    let conn = store.conn();
    let header = match view::resolve(conn, &args.id) {
        Ok(h) => h,
        Err(LookupError::Missing(id)) => bail!("no such session: {id} (list them with `sk sessions`)"),
        Err(e @ LookupError::Ambiguous { .. }) => bail!("{e}"),
        Err(e) => return Err(anyhow::Error::new(e).context("looking up the session")),
    };
    if args.json {
        let key = header.key.clone();
        let shown = view::load(conn, header, view::TEXT_CHARS, None).context("reading the session")?;
        out.json(&shown)?;
        return Ok((ExitCode::SUCCESS, key));
    }
    let parent = sessions::parent_of(conn, &header).context("reading the parent session")?;
    let subagents = sessions::children_of(conn, &header).context("reading sub-agent sessions")?;
    let files = sessions::files_of(conn, &header).context("reading files touched")?;
    let knowledge = sessions::knowledge_of(conn, &header).context("reading its knowledge")?;
    write_header(out, &header, parent.as_ref(), &subagents)?;
    if header.from.is_some() {
        let digest = sk_store::sync_sessions::remote_digest(conn, &header.key)
            .context("reading the session's digest")?;
        if let Some(d) = &digest {
            write_digest(out, d)?;
        }
        write_knowledge(out, &knowledge)?;
        out.flush()?;
        return Ok((ExitCode::SUCCESS, header.key.clone()));
    }
    writeln!(out)?;
    writeln!(out, "Timeline:")?;
    let mut steps = 0usize;
    let mut reasoning = 0usize;
    sessions::for_each_timeline_item(conn, &header, HUMAN_TEXT_CHARS, None, |item| {
        steps += 1;
        if item.kind == "reasoning" {
            reasoning += 1;
            return Ok(());
        }
        write_step(out, &item)
    })
    .context("reading the timeline")?;
    if steps == 0 {
        writeln!(out, "  (no records)")?;
    } else if reasoning > 0 {
        writeln!(out, "  ({reasoning} reasoning block(s) not shown; see --json)")?;
    }
    writeln!(out)?;
    writeln!(out, "Files touched ({}):", files.len())?;
    if files.is_empty() {
        writeln!(out, "  none recorded")?;
    }
    for f in files.iter().take(HUMAN_FILES) {
        writeln!(out, "  {:>4}  {}", f.records, f.path)?;
    }
    if files.len() > HUMAN_FILES {
        writeln!(out, "  … and {} more (see --json)", files.len() - HUMAN_FILES)?;
    }
    write_knowledge(out, &knowledge)?;
    out.flush()?;
    Ok((ExitCode::SUCCESS, header.key.clone()))
}

fn write_knowledge(out: &mut Out, knowledge: &[sessions::SessionEntry]) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Knowledge from this session ({}):", knowledge.len())?;
    if knowledge.is_empty() {
        writeln!(out, "  none")?;
    }
    for e in knowledge {
        writeln!(out, "  #{} [{}] {}", e.id, e.category, e.title)?;
    }
    Ok(())
}

/// A session known only from another replica: what its digest says, in place of the
/// timeline this machine does not have.
fn write_digest(out: &mut Out, d: &sk_store::sync_sessions::SessionDigest) -> std::io::Result<()> {
    writeln!(
        out,
        "{} prompt(s) · {} tool call(s) · {} failed",
        d.prompts, d.tool_calls, d.failures
    )?;
    for (name, text) in [
        ("Asked (prompts and summaries)", &d.asked),
        ("Did (tool calls and failures)", &d.did),
    ] {
        writeln!(out)?;
        writeln!(out, "{name}:")?;
        let shown = sk_core::text::prefix(text, DIGEST_SHOWN_BYTES);
        writeln!(out, "  {}", if shown.is_empty() { "(nothing)" } else { shown })?;
        if shown.len() < text.len() {
            writeln!(out, "  … (see --json)")?;
        }
    }
    Ok(())
}

/// How much of each digest column `sk session` prints.
const DIGEST_SHOWN_BYTES: usize = 1500;

fn write_header(
    out: &mut Out,
    h: &SessionHeader,
    parent: Option<&RelatedSession>,
    subagents: &[RelatedSession],
) -> std::io::Result<()> {
    writeln!(out, "{} — {}", h.key, h.title.as_deref().unwrap_or("(untitled)"))?;
    let field = |name: &str, v: &Option<String>| v.as_deref().map(|v| format!("{name}: {v}"));
    let place: Vec<String> = [
        field("repo", &h.repo),
        field("branch", &h.branch),
        field("commit", &h.head_commit),
        field("cwd", &h.cwd),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !place.is_empty() {
        writeln!(out, "{}", place.join(" · "))?;
    }
    let version = h.agent_version.as_deref().map(|v| format!("{} {v}", h.agent));
    let build: Vec<String> = [field("model", &h.model), version]
        .into_iter()
        .flatten()
        .collect();
    if !build.is_empty() {
        writeln!(out, "{}", build.join(" · "))?;
    }
    let when = |t: Option<i64>| t.map(format_ms).unwrap_or_else(|| "unknown".into());
    let took = match (h.started_at, h.ended_at) {
        (Some(a), Some(b)) if b >= a => format!(" ({})", duration((b - a) / 1000)),
        _ => String::new(),
    };
    writeln!(
        out,
        "started {} · ended {}{took}",
        when(h.started_at),
        when(h.ended_at)
    )?;
    if let Some(f) = &h.from {
        writeln!(
            out,
            "from {f} (sk sync): its logs are on that machine; shown here is the digest it shared"
        )?;
    }
    if let Some(p) = parent {
        let note = if p.indexed { "" } else { " (not indexed)" };
        writeln!(out, "parent: {}{}{note}", p.key, titled(p.title.as_deref()))?;
    }
    if !subagents.is_empty() {
        writeln!(out, "sub-agent sessions:")?;
        for s in subagents {
            writeln!(out, "  {}{}", s.key, titled(s.title.as_deref()))?;
        }
    }
    Ok(())
}

fn titled(title: Option<&str>) -> String {
    title.map(|t| format!(" — {t}")).unwrap_or_default()
}

fn duration(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

pub fn run_list(paths: &Paths, args: &SessionsArgs) -> anyhow::Result<ExitCode> {
    let since_ms = match args.since.as_deref().map(|s| parse_since(s, now_ms())) {
        None => None,
        Some(Ok(ms)) => Some(ms),
        Some(Err(msg)) => {
            eprintln!("error: {msg}\n\nUsage: sk sessions [--since YYYY-MM-DD|7d|12h|30m]");
            return Ok(ExitCode::from(crate::exit::USAGE));
        }
    };
    let store = crate::cmd::telemetry::open_store(paths)?;
    // The counts and sorts read schema v7's columns: say to migrate rather than "no such column".
    store.require_latest()?;
    let filter = sessions::ListFilter {
        agent: args.agent.map(|a| a.as_str()),
        repo: args.repo.as_deref(),
        since_ms,
        limit: args.limit,
        offset: args.offset,
        sort: args.sort.into(),
    };
    let listed = view::list(store.conn(), &filter).context("listing sessions")?;
    let mut out = Out::new();
    if args.json {
        out.json(&listed)?;
        return Ok(ExitCode::SUCCESS);
    }
    let listed = listed.sessions;
    if listed.is_empty() {
        let filtered = args.agent.is_some() || args.repo.is_some() || args.since.is_some();
        writeln!(
            out,
            "{}",
            if filtered {
                "No sessions match."
            } else {
                "No sessions indexed yet: run `sk index`."
            }
        )?;
    }
    for s in &listed {
        let what = s
            .title
            .as_deref()
            .or(s.first_prompt.as_deref())
            .unwrap_or("(no prompt)");
        let short: String = s.external_id.chars().take(8).collect();
        writeln!(
            out,
            "{}  {:<7}  {short:<8}  {}{}  ({} prompt(s), {} call(s), {} failed){}",
            s.started_at
                .map(format_ms)
                .unwrap_or_else(|| "unknown start       ".into()),
            s.agent,
            collapse(what, 60, false),
            s.repo.as_deref().map(|r| format!("  [{r}]")).unwrap_or_default(),
            s.prompts,
            s.tool_calls,
            s.failures,
            s.from
                .as_deref()
                .map(|f| format!("  from {f} (sk sync)"))
                .unwrap_or_default()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `YYYY-MM-DD` (midnight UTC) or a duration ago: `7d`, `12h`, `30m`, `2w`.
fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    sk_core::time::parse_point(text, now).ok_or_else(|| {
        format!(
            "invalid --since `{text}`: expected a date (YYYY-MM-DD) or a duration ago such as 7d, 12h or 30m"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_dates_and_durations_only() {
        let now = 10 * 86_400_000;
        assert_eq!(parse_since("7d", now), Ok(3 * 86_400_000));
        assert_eq!(parse_since("12h", now), Ok(now - 12 * 3_600_000));
        assert_eq!(parse_since("30m", now), Ok(now - 30 * 60_000));
        assert_eq!(parse_since("1970-01-02", now), Ok(86_400_000));
        for bad in [
            "",
            "7",
            "d",
            "7y",
            "-7d",
            "2026-13-01",
            "2026-1-01",
            "yesterday",
            "9999999999999999999d",
        ] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }
}
