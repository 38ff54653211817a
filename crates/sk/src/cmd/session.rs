//! `sk session ID` (one session: header, timeline, files touched, knowledge it produced)
//! and `sk sessions` (the newest-first list). A session can hold thousands of records, so
//! the human timeline is streamed one line per step with long texts collapsed, and
//! reasoning is only counted.
//!
//! `sk session --json` prints a stable object (bump `schema_version` on any breaking
//! change):
//!
//! ```text
//! { "schema_version": 1,
//!   "session":  { key, agent, external_id, title, repo, branch, head_commit, cwd, model,
//!                 agent_version, started_at, ended_at, updated_at (ms or null),
//!                 parent_external_id, parent: {key, title, started_at, indexed} | null,
//!                 subagents: [{key, title, started_at, indexed}],
//!                 sources: [{id, path, records}] },
//!   "timeline": [{ source, offset, part, kind, ts, tool, call_id, success, subagent,
//!                  section, text, text_chars,
//!                  result: {success, ts, text} | null }],
//!   "files":     [{ path, records }],
//!   "knowledge": [{ id, category, title }] }
//! ```
//!
//! Timeline items are in log order (source, offset, part); a tool result is nested in its
//! call's `result` and only appears on its own when its call is missing. Texts are cut to
//! 1000 characters; `text_chars` is the length of the stored text.
//!
//! `sk sessions --json` prints `{schema_version: 1, sessions: [{key, agent, external_id,
//! title, first_prompt, repo, cwd, started_at, ended_at, updated_at, parent_external_id,
//! prompts, tool_calls, failures}]}`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;
use sk_core::Paths;
use sk_core::time::{format_ms, now_ms};
use sk_store::Store;
use sk_store::sessions::{
    self, RelatedSession, Resolved, SessionEntry, SessionHeader, SessionSource, SessionSummary, TimelineItem,
    TouchedFile,
};

use crate::cli::{SessionArgs, SessionsArgs};
use crate::output::Out;

/// Characters of each text kept in `--json` output.
const JSON_TEXT_CHARS: usize = 1000;
/// Characters of each text read for the human timeline (then collapsed to one line).
const HUMAN_TEXT_CHARS: usize = 400;
/// Files listed by the human output before "… and N more".
const HUMAN_FILES: usize = 40;

#[derive(Serialize)]
struct SessionJson<'a> {
    #[serde(flatten)]
    header: &'a SessionHeader,
    parent: Option<RelatedSession>,
    subagents: Vec<RelatedSession>,
    sources: Vec<SessionSource>,
}

#[derive(Serialize)]
struct ShownSession<'a> {
    schema_version: u32,
    session: SessionJson<'a>,
    timeline: Vec<TimelineItem>,
    files: Vec<TouchedFile>,
    knowledge: Vec<SessionEntry>,
}

#[derive(Serialize)]
struct Listed {
    schema_version: u32,
    sessions: Vec<SessionSummary>,
}

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
    let header = match sessions::resolve(conn, &args.id).context("looking up the session")? {
        Resolved::One(h) => *h,
        Resolved::None => bail!("no such session: {} (list them with `sk sessions`)", args.id),
        Resolved::Ambiguous(keys) => {
            let more = if keys.len() > sessions::MAX_CANDIDATES {
                "\n  …"
            } else {
                ""
            };
            let listed: Vec<String> = keys
                .iter()
                .take(sessions::MAX_CANDIDATES)
                .map(|k| format!("\n  {k}"))
                .collect();
            bail!(
                "session id `{}` is ambiguous; it matches:{}{more}\ngive more of the id, or `agent:id`",
                args.id,
                listed.concat()
            )
        }
    };
    let parent = sessions::parent_of(conn, &header).context("reading the parent session")?;
    let subagents = sessions::children_of(conn, &header).context("reading sub-agent sessions")?;
    let sources = sessions::sources_of(conn, &header).context("reading the session's files")?;
    let files = sessions::files_of(conn, &header).context("reading files touched")?;
    let knowledge = sessions::knowledge_of(conn, &header).context("reading its knowledge")?;
    if args.json {
        let mut timeline = Vec::new();
        sessions::for_each_timeline_item(conn, &header, JSON_TEXT_CHARS, |item| {
            timeline.push(item);
            Ok(())
        })
        .context("reading the timeline")?;
        out.json(&ShownSession {
            schema_version: 1,
            session: SessionJson {
                header: &header,
                parent,
                subagents,
                sources,
            },
            timeline,
            files,
            knowledge,
        })?;
        return Ok((ExitCode::SUCCESS, header.key.clone()));
    }
    write_header(out, &header, parent.as_ref(), &subagents)?;
    writeln!(out)?;
    writeln!(out, "Timeline:")?;
    let mut steps = 0usize;
    let mut reasoning = 0usize;
    sessions::for_each_timeline_item(conn, &header, HUMAN_TEXT_CHARS, |item| {
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
    writeln!(out)?;
    writeln!(out, "Knowledge from this session ({}):", knowledge.len())?;
    if knowledge.is_empty() {
        writeln!(out, "  none")?;
    }
    for e in &knowledge {
        writeln!(out, "  #{} [{}] {}", e.id, e.category, e.title)?;
    }
    out.flush()?;
    Ok((ExitCode::SUCCESS, header.key.clone()))
}

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

/// One timeline line. Sub-agent steps are marked so they read as nested.
fn write_step(out: &mut Out, item: &TimelineItem) -> std::io::Result<()> {
    let indent = if item.subagent { "  │ " } else { "  " };
    let cut = item.text_chars > item.text.chars().count() as i64;
    // Texts shown by their first line are marked as cut when anything follows it.
    let more = cut || item.text.trim().contains('\n');
    match item.kind.as_str() {
        "prompt" => {
            let at = item.ts.map(format_ms).unwrap_or_default();
            writeln!(out)?;
            writeln!(out, "{indent}── {at} prompt")?;
            writeln!(out, "{indent}> {}", collapse(&item.text, 300, cut))
        }
        "answer" => writeln!(out, "{indent}answer: {}", collapse(&item.text, 200, cut)),
        "tool_call" => {
            let tool = item.tool.as_deref().unwrap_or("tool");
            let args = collapse(first_line(&item.text), 100, cut || item.text.contains('\n'));
            match &item.result {
                Some(r) if r.success == Some(false) => writeln!(
                    out,
                    "{indent}✗ {tool} {args} — {}",
                    collapse(first_line(&r.text), 160, r.text.contains('\n'))
                ),
                Some(r) if r.success == Some(true) => writeln!(out, "{indent}✓ {tool} {args}"),
                Some(_) => writeln!(out, "{indent}· {tool} {args}"),
                None => writeln!(out, "{indent}· {tool} {args} (no result)"),
            }
        }
        "tool_result" => {
            let mark = match item.success {
                Some(false) => "✗",
                Some(true) => "✓",
                None => "·",
            };
            writeln!(
                out,
                "{indent}{mark} result of an unknown call: {}",
                collapse(first_line(&item.text), 160, more)
            )
        }
        "summary" | "task_summary" => writeln!(
            out,
            "{indent}[{}{}] {}",
            if item.kind == "summary" {
                "compaction"
            } else {
                "task summary"
            },
            item.section
                .as_deref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default(),
            collapse(first_line(&item.text), 200, more)
        ),
        "error" => writeln!(
            out,
            "{indent}! error: {}",
            collapse(first_line(&item.text), 200, cut)
        ),
        other => writeln!(
            out,
            "{indent}{other}{}: {}",
            item.section
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default(),
            collapse(first_line(&item.text), 160, more)
        ),
    }
}

fn first_line(text: &str) -> &str {
    text.trim_start().lines().next().unwrap_or("")
}

/// Whitespace runs collapsed to one space and the text cut to `max` characters; `…` marks
/// text that was cut here or before (`already_cut`).
fn collapse(text: &str, max: usize, already_cut: bool) -> String {
    let mut s = String::with_capacity(text.len().min(max * 4));
    let mut chars = 0;
    let mut cut = false;
    for word in text.split_whitespace() {
        if chars > 0 {
            s.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= max {
                cut = true;
                break;
            }
            s.push(c);
            chars += 1;
        }
        if cut {
            break;
        }
    }
    if (cut || already_cut) && !s.is_empty() {
        s.push('…');
    }
    s
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
    let filter = sessions::ListFilter {
        agent: args.agent.map(|a| a.as_str()),
        repo: args.repo.as_deref(),
        since_ms,
        limit: args.limit,
    };
    let listed = sessions::list(store.conn(), &filter).context("listing sessions")?;
    let mut out = Out::new();
    if args.json {
        out.json(&Listed {
            schema_version: 1,
            sessions: listed,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
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
            "{}  {:<7}  {short:<8}  {}{}  ({} prompt(s), {} call(s), {} failed)",
            s.started_at
                .map(format_ms)
                .unwrap_or_else(|| "unknown start       ".into()),
            s.agent,
            collapse(what, 60, false),
            s.repo.as_deref().map(|r| format!("  [{r}]")).unwrap_or_default(),
            s.prompts,
            s.tool_calls,
            s.failures
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

    #[test]
    fn collapse_keeps_one_line_and_marks_cuts() {
        assert_eq!(collapse("a\n\n  b", 10, false), "a b");
        assert_eq!(collapse("abcdef", 3, false), "abc…");
        assert_eq!(collapse("abc", 3, true), "abc…");
        assert_eq!(collapse("ééé", 2, false), "éé…");
    }
}
