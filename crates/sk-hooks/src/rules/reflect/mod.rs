//! When the agent is about to stop after a session in which something failed and was then
//! fixed, or the user corrected it, and no entry covers that yet, ask it — once per
//! session — to record the lesson with `sk learn`. The extractor can say *what* failed and
//! passed; only the model that did the work can say *why*. Opt-in, and only for the agents
//! whose Stop hook can ask for one more turn (Claude Code, Codex).
//!
//! It never loops: not when the agent is already continuing for a stop hook
//! (`stop_hook_active`), not in a sub-agent, and at most once per session (a marker file
//! created exclusively). Any failure — no transcript, no database — lets the stop happen.

mod scan;

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use sk_core::{Agent, Category, Paths};
use sk_extract::Candidate;
use sk_store::knowledge;

use super::{Ctx, Verdict};
use crate::HookError;

/// Markers of sessions already asked are swept after this long.
const MARKER_DAYS: u64 = 30;

pub fn run(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    let inv = ctx.inv;
    let pass = |why: &str| Ok(Verdict::Pass(why.to_string()));
    if !matches!(inv.agent, Agent::Claude | Agent::Codex) {
        return pass("only Claude Code and Codex are asked");
    }
    if inv.stop_hook_active {
        return pass("the agent is already continuing for a stop hook");
    }
    if inv.subagent {
        return pass("a sub-agent");
    }
    let Some(session) = inv.session_id.as_deref().filter(|s| !s.trim().is_empty()) else {
        return pass("no session id");
    };
    let Some(transcript) = inv.transcript_path.as_deref().filter(|t| !t.is_empty()) else {
        return pass("no transcript path");
    };
    let cwd = inv.cwd.as_ref().map(|c| c.to_string_lossy().into_owned());
    let found = scan::scan(inv.agent, session, transcript.as_ref(), cwd.as_deref())?;
    if found.lessons.is_empty() {
        return pass(&format!(
            "no failure → fix or correction in the last {} KiB",
            found.bytes / 1024
        ));
    }
    let conn = ctx.db()?.conn();
    let key = knowledge::session_key(inv.agent.as_str(), session);
    let learned_ms =
        knowledge::last_seen_under(conn, sk_index::learn::MANUAL_SESSION_KEY).map_err(HookError::query)?;
    let mut open = Vec::new();
    let mut reasons = Vec::new();
    for lesson in &found.lessons {
        let first = lesson.evidence.first();
        let after = |at: u64| first.is_some_and(|e| at > e.offset);
        let reason = if found.learned_at.iter().any(|at| after(*at)) {
            Some("the agent ran `sk learn` after it")
        } else if matches!((learned_ms, first.and_then(|e| e.ts)), (Some(l), Some(t)) if l >= t) {
            Some("a lesson was recorded with `sk learn` since")
        } else if knowledge::known_beyond(conn, &lesson.content_hash(), &key).map_err(HookError::query)? {
            Some("an entry from another session has it")
        } else {
            None
        };
        match reason {
            Some(r) if !reasons.contains(&r) => reasons.push(r),
            Some(_) => {}
            None => open.push(lesson),
        }
    }
    let Some(pick) = pick(&open) else {
        return pass(&format!(
            "{} lesson(s), each covered: {}",
            found.lessons.len(),
            reasons.join("; ")
        ));
    };
    if !claim(ctx.paths, &key)? {
        return pass("already asked in this session");
    }
    Ok(Verdict::Continue(ask(pick, open.len().saturating_sub(1))))
}

/// The lesson to name: the latest, which the agent remembers best (lessons come in file
/// order, by their first record).
fn pick<'a>(open: &[&'a Candidate]) -> Option<&'a Candidate> {
    open.last().copied()
}

/// The message the agent continues with: what happened, and the command that records it.
fn ask(lesson: &Candidate, others: usize) -> String {
    let corrected = lesson.cues.iter().any(|c| c == "rule:user-correction");
    let event = if corrected {
        format!("the user corrected you ({})", lesson.title)
    } else {
        // The title says what failed; the extractor's body, what changed and what passed.
        let after = lesson
            .body
            .lines()
            .filter(|l| l.starts_with("In between:") || l.starts_with("Then passed:"));
        std::iter::once(lesson.title.as_str())
            .chain(after)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let event = sk_ingest::redact::redact(&event).map_or(event, |r| r.text);
    let more = match others {
        0 => String::new(),
        n => format!(" ({n} more like it)"),
    };
    let (flag, body) = match lesson.category {
        Category::Pattern => ("--pattern", "<body: how it is done here, and why>"),
        _ => ("--mistake", "<body: what failed, why, and what fixed it>"),
    };
    let worth = match corrected {
        true => "If it holds beyond this task",
        false => "If its cause was not obvious",
    };
    format!(
        "sk: before you stop — this session has a lesson no sk entry covers yet: {event}{more}.\n\
         {worth}, record it for later sessions with one command, then stop:\n\
         sk learn {flag} --source agent \"<title: the lesson, one line>\" \"{body}\"\n\
         If there is nothing worth keeping, just stop; sk asks once per session."
    )
}

/// Claims the session's one ask: true the first time, false ever after. One file per
/// session, created exclusively, so two hooks racing for a session cannot both ask.
fn claim(paths: &Paths, key: &str) -> Result<bool, HookError> {
    let dir = paths.markers_dir().join("reflect");
    fs::create_dir_all(&dir).map_err(HookError::io(&dir))?;
    let digest = Sha256::digest(key.as_bytes());
    let path = dir.join(hex::encode(&digest[..12]));
    match OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(mut f) => {
            // The key is for whoever looks into the folder; the name alone decides.
            let _ = writeln!(f, "{key}");
            sweep(&dir, &path);
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(HookError::io(&path)(e)),
    }
}

/// Removes markers older than [`MARKER_DAYS`]: their sessions are long over.
fn sweep(dir: &std::path::Path, keep: &std::path::Path) {
    let Some(cutoff) = SystemTime::now().checked_sub(Duration::from_secs(MARKER_DAYS * 86_400)) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else { return };
    let old: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < cutoff))
        .map(|e| e.path())
        .filter(|p| p != keep)
        .collect();
    for p in old {
        let _ = fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(title: &str, body: &str, cue: &str, confidence: f32) -> Candidate {
        Candidate {
            category: Category::Mistake,
            title: title.into(),
            body: body.into(),
            tags: Vec::new(),
            files: Vec::new(),
            confidence,
            evidence: Vec::new(),
            cues: vec![cue.into()],
        }
    }

    #[test]
    fn the_ask_names_the_event_and_the_command() {
        let fix = lesson(
            "`cargo build` failed: unresolved import `serde_yaml`",
            "Failed: `cargo build` (Bash)\nIn between: edited Cargo.toml\nThen passed: `cargo build`\n",
            "rule:failure-fix",
            0.8,
        );
        let text = ask(&fix, 1);
        assert!(
            text.contains(
                "covers yet: `cargo build` failed: unresolved import `serde_yaml`; \
                 In between: edited Cargo.toml; Then passed: `cargo build` (1 more like it).\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nsk learn --mistake --source agent \"<title"),
            "{text}"
        );
        let correction = lesson(
            "Use pnpm, not npm",
            "The user said: …",
            "rule:user-correction",
            0.6,
        );
        let text = ask(&correction, 0);
        assert!(
            text.contains("the user corrected you (Use pnpm, not npm).\n"),
            "{text}"
        );
    }

    #[test]
    fn a_session_is_claimed_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let env = sk_core::env::MapEnv(vec![("HOME", dir.path().as_os_str().to_owned())]);
        let paths = Paths::resolve(&env, None).expect("paths");
        assert!(claim(&paths, "claude:s1").expect("first"));
        assert!(!claim(&paths, "claude:s1").expect("second"));
        assert!(claim(&paths, "codex:s1").expect("another session"));
    }
}
