//! The compact text each tool hands the model next to its structured result: what a model
//! reads first, so it is short, one line per thing, and names the tool and id that open
//! more. The structured result carries every field.

use std::fmt::Write as _;

use sk_core::time::format_ms;
use sk_index::learn::Reply as Learned;
use sk_query::Results;
use sk_query::entry::Shown;
use sk_query::session::timeline::{collapse, write_step};
use sk_query::session::{SessionList, ShownSession};

pub fn search(r: &Results, compact: &str) -> String {
    let mut out = String::new();
    if r.hits.is_empty() {
        out.push_str("No matches.\n");
    } else {
        out.push_str("K = knowledge entry (open: show {id}), S = session (open: session {id})\n");
        if r.relaxed {
            out.push_str("No hit has every word; these have some of them.\n");
        }
        out.push_str(compact);
    }
    if r.omitted > 0 {
        let _ = writeln!(
            out,
            "({} more hit(s) left out to stay within the budget)",
            r.omitted
        );
    }
    out
}

pub fn session(s: &ShownSession) -> String {
    let h = &s.session.header;
    let mut out = format!("{} — {}\n", h.key, h.title.as_deref().unwrap_or("(untitled)"));
    let place: Vec<String> = [("repo", &h.repo), ("branch", &h.branch), ("cwd", &h.cwd)]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| format!("{name}: {v}")))
        .collect();
    if !place.is_empty() {
        let _ = writeln!(out, "{}", place.join(" · "));
    }
    if let Some(at) = h.started_at {
        let _ = writeln!(out, "started {}", format_ms(at));
    }
    let mut lines = Vec::new();
    for item in s.timeline.iter().filter(|i| i.kind != "reasoning") {
        // Writing into a Vec cannot fail.
        let _ = write_step(&mut lines, item);
    }
    out.push_str(&String::from_utf8_lossy(&lines));
    if let Some(p) = &s.page {
        let end = p.offset + s.timeline.len();
        let _ = write!(out, "\n(steps {}–{} of {}", p.offset, end, p.total);
        match p.next_offset {
            Some(next) => {
                let _ = writeln!(out, "; more: session with offset {next})");
            }
            None => out.push_str(")\n"),
        }
    }
    if !s.knowledge.is_empty() {
        out.push_str("Knowledge from this session:\n");
        for e in &s.knowledge {
            let _ = writeln!(out, "  #{} [{}] {}", e.id, e.category, e.title);
        }
    }
    out
}

pub fn entry(s: &Shown) -> String {
    let e = &s.entry;
    let mut out = format!("#{} [{}] {}\n", e.id, e.category, e.title);
    let _ = writeln!(
        out,
        "confidence {:.2} · seen {} time(s) · last {}{}",
        e.confidence,
        e.occurrences,
        format_ms(e.last_seen),
        e.repo
            .as_deref()
            .map(|r| format!(" · repo {r}"))
            .unwrap_or_default()
    );
    if let Some(r) = &s.remote {
        let _ = writeln!(out, "from {} on {} (sk sync)", r.author, r.replica);
    }
    if !e.files.is_empty() {
        let _ = writeln!(out, "files: {}", e.files.join(", "));
    }
    let _ = writeln!(out, "\n{}", e.body);
    if !s.sessions.is_empty() {
        out.push_str("\nSessions (open: session {id}):\n");
        for x in &s.sessions {
            let _ = writeln!(
                out,
                "  {} {}{}",
                x.session_key,
                x.started_at.map(format_ms).unwrap_or_default(),
                x.title
                    .as_deref()
                    .map(|t| format!(" — {}", collapse(t, 80, false)))
                    .unwrap_or_default()
            );
        }
    }
    if !s.related.is_empty() {
        out.push_str("\nRelated (open: show {id}):\n");
        for r in &s.related {
            let _ = writeln!(out, "  #{} [{}] {} ({})", r.id, r.category, r.title, r.reason);
        }
    }
    out
}

pub fn sessions(l: &SessionList) -> String {
    if l.sessions.is_empty() {
        return "No sessions match.\n".to_string();
    }
    let mut out = String::from("Newest first (open: session {id}):\n");
    for s in &l.sessions {
        let what = s
            .title
            .as_deref()
            .or(s.first_prompt.as_deref())
            .unwrap_or("(no prompt)");
        let _ = writeln!(
            out,
            "{} {} {}{} ({} prompt(s), {} call(s), {} failed)",
            s.key,
            s.started_at.map(format_ms).unwrap_or_else(|| "-".into()),
            collapse(what, 80, false),
            s.repo.as_deref().map(|r| format!(" [{r}]")).unwrap_or_default(),
            s.prompts,
            s.tool_calls,
            s.failures
        );
    }
    out
}

pub fn learned(r: &Learned) -> String {
    match (r.id, &r.queued) {
        (Some(id), _) if r.merged => format!(
            "Merged into #{id} [{}] {} (its text is kept; tags, files and provenance added)\n",
            r.category, r.title
        ),
        (Some(id), _) => format!("Learned #{id} [{}] {}\n", r.category, r.title),
        (None, Some(file)) => format!(
            "The database is busy ({}); queued in {} and stored by the next `sk index`.\n",
            r.busy.as_deref().unwrap_or("another process"),
            file.display()
        ),
        (None, None) => format!("Recorded [{}] {}\n", r.category, r.title),
    }
}
