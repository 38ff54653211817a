//! Which step fixed a failure, and how a title says it. The fix is the step that made
//! the retry pass, not the first thing tried: of the changes in between that did
//! something, the one that addresses the error (it shares its words, or edits a file it
//! names).

use sk_core::Record;

use super::{Attempt, Change, FIX_COMMAND_CHARS, FixMatch, OpenFailure};
use crate::SessionContext;
use crate::commands::{
    ToolKind, cd_folder, main_tokens, normalize_command, only_inspects, program, program_change,
    short_command, tool_kind,
};
use crate::text::{display_path, excerpt, file_name, relativize};

/// The step that made the retry pass, among the changes between the failure and the
/// passing call that did something (an edit, or a command that does more than look:
/// reading and searching is how the agent found the fix, not the fix). Of those, the one
/// that shares the most words with the error and the failed command (`git config --add
/// safe.directory` for "dubious ownership … safe.directory"; an edit of the file the error
/// names), the latest on a tie, so that a commit made later in passing is not taken for
/// the fix.
pub(super) fn fix_step<'c>(
    records: &[Record],
    failure: &OpenFailure,
    between: &[&'c Change],
) -> Option<&'c Change> {
    let first = &failure.attempts[0];
    let failed = &records[first.call].text;
    let mut clues = words(&first.error.excerpt);
    clues.extend(words(failed));
    if let Some(program) = program(failed) {
        clues.remove(&program);
    }
    let targets = script_targets(failed);
    let mut best: Option<(usize, &'c Change)> = None;
    for &c in between {
        let text = match c.kind {
            ToolKind::Shell if only_inspects(&records[c.call].text) => continue,
            ToolKind::Shell => records[c.call].text.clone(),
            k if k.changes_files() => c.files.join(" "),
            _ => continue,
        };
        let mut shared = words(&text).intersection(&clues).count();
        // A script target names a file by its stem (`pnpm test:rbac` runs rbac.ts's
        // tests). Only such a target counts: a branch (`main`), a flag (`--lib`) or a
        // message's words ("git config") are not file names.
        if c.kind.changes_files()
            && c.files
                .iter()
                .any(|f| stem(f).is_some_and(|s| targets.contains(&s)))
        {
            shared += 1;
        }
        // An edit of the very file the failed command ran or the error names is the
        // likeliest fix, whatever a command in between has in common with the message.
        let shared = if c.kind.changes_files() && shared > 0 {
            shared + EDIT_OF_NAMED_FILE
        } else {
            shared
        };
        if best.is_none_or(|(n, _)| shared >= n) {
            best = Some((shared, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The names a command's script targets give (`test:rbac` → `rbac`, `npm run lint:css` →
/// `css`), lower-cased, three characters or more; a URL is none.
fn script_targets(command: &str) -> std::collections::BTreeSet<String> {
    command
        .split_whitespace()
        .filter(|t| !t.contains("://") && !t.starts_with('-'))
        .filter_map(|t| t.trim_matches(['\'', '"']).rsplit_once(':'))
        .map(|(_, name)| name.to_lowercase())
        .filter(|name| {
            name.chars().count() >= 3
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
        })
        .collect()
}

/// A file's name without its folder and last extension, lower-cased, when that is a word
/// of three characters or more (`src/lib/rbac.ts` → `rbac`).
fn stem(path: &str) -> Option<String> {
    let (stem, _) = crate::text::file_name(path).rsplit_once('.')?;
    (stem.chars().count() >= 3).then(|| stem.to_lowercase())
}

/// What an edit of a file the failure names counts for, against a command's shared words.
const EDIT_OF_NAMED_FILE: usize = 100;

/// Lower-cased words of three characters or more (paths and dotted names kept whole),
/// without the ones every command and message has.
pub(super) fn words(text: &str) -> std::collections::BTreeSet<String> {
    const COMMON: [&str; 14] = [
        "the", "and", "for", "with", "not", "error", "failed", "fatal", "this", "that", "from", "git",
        "cannot", "exit",
    ];
    let mut out = std::collections::BTreeSet::new();
    for w in text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))) {
        let w = w.trim_matches(['.', '-', '/']).to_lowercase();
        // A path also counts by its file name: the error says /w/app/src/db.rs, the edit src/db.rs.
        let name = w.rsplit('/').next().unwrap_or("").to_string();
        for w in [w, name] {
            if w.chars().count() >= 3 && !COMMON.contains(&w.as_str()) {
                out.insert(w);
            }
        }
    }
    out
}

/// The fix in a few words for a title: "fixed by `npm i -D vite`", "fixed by editing
/// src/db.rs", "passed as `pytest -q tests/a.py`" (the same task with other arguments).
pub(super) fn fix_phrase(
    ctx: &SessionContext,
    records: &[Record],
    how: FixMatch,
    step: Option<&Change>,
    last: &Attempt,
    (ok, ran_in): (&Record, Option<&str>),
) -> Option<String> {
    let failed_call = last.call;
    match step {
        // Cut, never shortened: `short_command` turns long paths into file names, and a
        // fix whose path was rewritten (`safe.directory gt`) would mislead.
        Some(c) if c.kind == ToolKind::Shell => Some(format!(
            "fixed by `{}`",
            excerpt(&normalize_command(&records[c.call].text), FIX_COMMAND_CHARS)
        )),
        Some(c) => {
            let file = c
                .files
                .first()
                .map(|f| relativize(f, ctx.cwd))
                .map_or_else(|| "a file".to_string(), |f| short_path(&f));
            Some(format!("fixed by editing {file}"))
        }
        None if how == FixMatch::Quoted => Some(
            // A glob zsh refused may be dropped as well as quoted.
            match last.glob.as_deref() {
                Some(glob) if !ok.text.contains(glob) => "passed without it".to_string(),
                _ => "passed once quoted".to_string(),
            },
        ),
        None if how == FixMatch::Revised => Some(revision_phrase(&records[failed_call].text, &ok.text)),
        None if how == FixMatch::Relocated => {
            // The session's own folder, after the shell had moved elsewhere, is its root.
            Some(
                match ran_in
                    .map(str::to_string)
                    .or_else(|| cd_folder(&ok.text).and_then(|f| super::folder::key(ctx, "", &f)))
                {
                    Some(root) if root.is_empty() => "passed run from the project root".to_string(),
                    Some(to) => format!("passed run from `{}`", title_words(&to)),
                    None => format!("passed as `{}`", short_command(&ok.text, FIX_COMMAND_CHARS)),
                },
            )
        }
        None if how == FixMatch::Swapped => {
            program_change(&records[failed_call].text, &ok.text).map(|(failed, ok, prefixed)| {
                let (failed, ok) = (title_words(&failed), title_words(&ok));
                if prefixed {
                    format!("passed run with `{ok}`")
                } else {
                    format!("passed with `{ok}`, not `{failed}`")
                }
            })
        }
        None if how == FixMatch::SameTask => Some(format!(
            "passed as `{}`",
            short_command(&ok.text, FIX_COMMAND_CHARS)
        )),
        None => None,
    }
}

/// What a revised command changed, in a few words: "passed with `--features`, not
/// `--feature`", "passed without `--force`", "passed with `--yes`". The words that
/// changed are the lesson; the rest of the command is in the body.
fn revision_phrase(failed: &str, ok: &str) -> String {
    let (a, b) = (main_tokens(failed), main_tokens(ok));
    let join = |words: Vec<&String>| -> String {
        let w: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
        excerpt(&w.join(" "), REVISION_WORDS_CHARS).replace('`', "'")
    };
    let removed = join(a.iter().filter(|t| !b.contains(t)).collect());
    let added = join(b.iter().filter(|t| !a.contains(t)).collect());
    match (added.is_empty(), removed.is_empty()) {
        (false, false) => format!("passed with `{added}`, not `{removed}`"),
        (false, true) => format!("passed with `{added}`"),
        (true, false) => format!("passed without `{removed}`"),
        (true, true) => format!("passed as `{}`", short_command(ok, FIX_COMMAND_CHARS)),
    }
}

/// Longest run of changed words a revision's phrase shows, each side.
const REVISION_WORDS_CHARS: usize = 18;

/// A program (or a prefix) cut for a title, with no backtick to break its code span. A
/// long path keeps its end, where the environment shows: `…/.venv/bin/python`.
fn title_words(words: &str) -> String {
    let parts: Vec<&str> = words.split('/').collect();
    let words = if words.chars().count() > REVISION_WORDS_CHARS && parts.len() > 3 && !words.contains(' ') {
        format!("…/{}", parts[parts.len() - 3..].join("/"))
    } else {
        excerpt(words, REVISION_WORDS_CHARS)
    };
    words.replace('`', "'")
}

/// Every file an `apply_patch` text updates, adds or deletes (Codex edits files by running
/// `apply_patch` in its shell), in order.
fn patched_files(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().filter_map(|l| {
        ["*** Update File: ", "*** Add File: ", "*** Delete File: "]
            .iter()
            .find_map(|p| l.trim().strip_prefix(p))
            .map(|f| f.trim().to_string())
    })
}

/// Whether a call's text is an `apply_patch` patch (it names a file to update, add or
/// delete).
pub(super) fn is_patch(text: &str) -> bool {
    patched_files(text).next().is_some()
}

/// The files an `apply_patch` text names, relative to the session's folder.
pub(crate) fn patched_rel(ctx: &SessionContext, text: &str) -> Vec<String> {
    let mut files: Vec<String> = patched_files(text).map(|f| relativize(&f, ctx.cwd)).collect();
    files.dedup();
    files
}

/// What a call does to files, the one place both rules ask: its kind, a patch applied
/// from the shell (Codex's `apply_patch`) read as an edit, and the files it changes
/// relative to the session's folder (a patch's own files first; none for a call that
/// changes none).
pub(crate) fn file_change(ctx: &SessionContext, call: &Record) -> (ToolKind, Vec<String>) {
    let kind = tool_kind(call.tool.as_deref().unwrap_or(""), &call.text);
    let patched = if matches!(kind, ToolKind::Shell | ToolKind::Edit) {
        patched_rel(ctx, &call.text)
    } else {
        Vec::new()
    };
    match kind {
        ToolKind::Shell if !patched.is_empty() => (ToolKind::Edit, patched),
        _ if patched.is_empty() && kind.changes_files() => (kind, rel_files(ctx, &call.files)),
        _ => (kind, patched),
    }
}

/// A call's files relative to the session's folder, empty ones dropped.
pub(crate) fn rel_files(ctx: &SessionContext, files: &[String]) -> Vec<String> {
    files
        .iter()
        .map(|f| relativize(f, ctx.cwd))
        .filter(|f| !f.is_empty())
        .collect()
}

/// A path short enough for a title: whole when short, else its file name.
fn short_path(path: &str) -> String {
    let shown = display_path(path);
    if shown.chars().count() <= 28 {
        shown
    } else {
        file_name(&shown).to_string()
    }
}
