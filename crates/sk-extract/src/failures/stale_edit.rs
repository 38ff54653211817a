//! The lesson of an edit refused because the agent's picture of the file was not the file.
//! Agents repeat these within a session (one dev-set session sent ten `Edit`s to files it
//! had not read; another had sixteen patches fail on stale context), and the refusal
//! itself says what to do differently:
//! - Claude Code's `Edit`/`Write` on a file its `Read` tool has not read in the session
//!   ("File has not been read yet"): the tool's rule, fixed by reading the file first.
//! - An edit whose context is not the file's current text (`apply_patch`'s "Failed to find
//!   expected lines", `Edit`'s "String to replace not found", "modified since read"): the
//!   lesson says how the edit then passed (after reading the lines again, as a smaller
//!   patch, by rewriting the whole file) and, when the passing patch shows it, what the
//!   file held where the refused one assumed something else.
//!
//! Decided:
//! - Fixed by the next edit of the refused file that passes; a refusal never followed by
//!   one teaches nothing. A `Write` over a file whose `Edit` was refused on stale context,
//!   or an unread file overwritten from the shell, closes the refusal with no lesson: it
//!   replaced text the agent had not read, which is no fix to teach.
//! - One lesson per refusal kind and tool per session, counting every refusal. The
//!   stale-context title states the rule for the tool, not this session's files or count
//!   (those are in the body), and the lesson carries its key (`lesson:stale-context:<tool>`):
//!   every session's occurrence is filed under one entry (`sk_extract::lesson_key`). Six
//!   dev-set entries with the same rule, each naming its files, read as six lessons.
//! - Confidence: 0.65 for the read-first rule (the fix is certain); 0.50 for stale
//!   context, +0.05 per further refusal (up to two), +0.05 when the file was read again
//!   before the edit that passed or the difference was found.

use sk_core::Record;

use super::fix::{is_patch, patched_rel, rel_files};
use crate::commands::{ToolKind, normalize_command, only_inspects, tool_kind};
use crate::text::{display_path, excerpt, relativize};
use crate::{Candidate, Evidence, SessionContext};

/// Refusals kept open at once; the oldest is dropped beyond this.
const MAX_OPEN: usize = 32;
/// Longest line of a file quoted in a body.
const LINE_CHARS: usize = 90;
/// Lines of a refused patch compared with the passing one (the first are the telling ones).
const COMPARED_LINES: usize = 20;
/// How alike a refused line and a line of the file must be to be the same line misremembered.
const MISREMEMBERED: f64 = 0.6;
/// Lines of the passing patch, and characters of a line, compared: edit distance is
/// quadratic, and a generated file's patch can hold thousands of long lines.
const PASSING_LINES: usize = 120;
const COMPARED_CHARS: usize = 160;

/// Why an edit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Refusal {
    /// The file was not read with the agent's own read tool first.
    NotRead,
    /// The edit's context or replaced text is not in the file as it is now.
    StaleContext,
}

/// The refusal a stale edit reports (an error the classifier calls
/// [`crate::errors::ErrorClass::StaleEdit`]: what counts as one is decided there). This only tells the
/// two apart, and leaves out an ambiguous match ("found 3 matches of the string to
/// replace"), whose fix is more context, not a fresher view of the file.
pub(super) fn refusal(error: &str) -> Option<Refusal> {
    let head: String = error.chars().take(300).collect::<String>().to_lowercase();
    if head.contains("has not been read yet") || head.contains("read it first before") {
        return Some(Refusal::NotRead);
    }
    let ambiguous = head.contains("not unique") || head.contains("matches of the string to replace");
    (!ambiguous).then_some(Refusal::StaleContext)
}

/// How the edit that passed differed from the refused one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum How {
    /// The file read again first, then the edit sent with its current text.
    Reread,
    /// A patch with fewer lines than the refused one (`from` → `to` hunk lines).
    Smaller { from: usize, to: usize },
    /// The whole file written anew (deleted or added whole in a patch).
    Rewrote,
    /// Changed from the shell instead (a heredoc, `sed -i`, PowerShell `-replace`).
    Shell,
    /// Resent without the file read again in between.
    Resent,
}

impl How {
    /// The fix in words; `command` is the shell command that changed the file, or the
    /// call that read it again.
    fn phrase(self, command: Option<&str>) -> String {
        match (self, command) {
            (How::Reread, Some(c)) => {
                format!("reading the lines again (`{c}`), then an edit with them as they are")
            }
            (How::Reread, None) => "reading the lines again, then an edit with them as they are".to_string(),
            (How::Smaller { from, to }, _) => format!("a smaller patch ({to} hunk lines instead of {from})"),
            (How::Rewrote, _) => "rewriting the whole file".to_string(),
            (How::Shell, Some(c)) => format!("changing the file from the shell (`{c}`)"),
            (How::Shell, None) => "changing the file from the shell".to_string(),
            (How::Resent, _) => "the edit sent again with other context".to_string(),
        }
    }
}

#[derive(Debug)]
struct Open {
    refusal: Refusal,
    tool: String,
    file: String,
    /// The refused calls and their results, first to last.
    attempts: Vec<(usize, usize)>,
    /// The lines the refused edit expected to find in the file.
    expected: Vec<String>,
    /// The refused patch's hunk lines for the file (0 when not a patch).
    size: usize,
    /// The call that looked at the file after the last refusal.
    reread: Option<usize>,
    /// Why the file's text was not what the first refused edit assumed, when the session
    /// shows it.
    cause: Option<Cause>,
}

/// Why a refused edit's context was stale, as the session shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// The file was edited in the session after it was last read (or it was never read):
    /// the agent patched text it had not seen since.
    OwnEdit,
    /// The file was neither read nor changed in the session before: the edit's lines came
    /// from memory or a template.
    NeverRead,
}

impl Cause {
    fn sentence(self, file: &str) -> String {
        match self {
            Cause::OwnEdit => format!(
                "Why here: `{file}` had been edited in the session since the agent last read it; re-read a file after changing it, before patching it again."
            ),
            Cause::NeverRead => format!(
                "Why here: `{file}` had not been read in the session before the edit; its lines were written from memory or a template."
            ),
        }
    }
}

#[derive(Debug)]
struct Fixed {
    open: Open,
    fix: (usize, usize),
    how: How,
    /// "the file has `X` where the patch assumed `Y`", when the passing patch shows it.
    difference: Option<String>,
}

/// The session's refused edits: open ones, and those fixed.
#[derive(Debug, Default)]
pub(super) struct StaleEdits {
    open: Vec<Open>,
    fixed: Vec<Fixed>,
    /// Paths whose text a call showed (`Read`, `cat`, `sed -n`), with the call's index:
    /// what the agent saw when.
    reads: Vec<(String, usize)>,
    /// Files changed by edits that passed, with the call's index.
    edits: Vec<(String, usize)>,
}

impl StaleEdits {
    /// An edit `call` refused with `error` (call and result indices).
    pub fn refused(
        &mut self,
        ctx: &SessionContext,
        refusal: Refusal,
        call: &Record,
        error: &str,
        attempt: (usize, usize),
    ) {
        let Some(file) = refused_file(ctx, call, error) else {
            return;
        };
        if let Some(o) = self
            .open
            .iter_mut()
            .find(|o| o.refusal == refusal && same_file(&o.file, &file))
        {
            o.attempts.push(attempt);
            o.reread = None;
            return;
        }
        if self.open.len() >= MAX_OPEN {
            self.open.remove(0);
        }
        let last = |seen: &[(String, usize)]| {
            seen.iter()
                .filter(|(f, _)| same_file(f, &file))
                .map(|&(_, i)| i)
                .max()
        };
        let cause = match (last(&self.reads), last(&self.edits)) {
            (None, None) => Some(Cause::NeverRead),
            (read, Some(edit)) if read.is_none_or(|r| edit > r) => Some(Cause::OwnEdit),
            _ => None,
        };
        self.open.push(Open {
            cause,
            refusal,
            tool: tool_name(call),
            expected: expected_lines(error),
            size: hunk_lines(&call.text, &file).len(),
            file,
            attempts: vec![attempt],
            reread: None,
        });
    }

    /// A call that does not change files: it re-reads an open refusal's file when it
    /// names it.
    pub fn looked(&mut self, call: &Record, index: usize, kind: ToolKind) {
        let edits = kind.changes_files() || is_patch(&call.text) || writes_from_shell(&call.text);
        if edits {
            return;
        }
        // A shell command counts when it only looks (`sed -n`, `cat`, `nl`; PowerShell's
        // `Get-Content`): a `git add` naming the file did not read it.
        if kind == ToolKind::Shell && !only_inspects(&call.text) && !call.text.contains("Get-Content") {
            return;
        }
        // What the agent saw of a file: its `Read`, or a command that prints its text
        // (`cat`, `sed -n`, `head`); a listing (`ls -l`, `wc -l`) shows none of it.
        if kind == ToolKind::Read {
            self.reads.extend(call.files.iter().map(|f| (f.clone(), index)));
        } else if kind == ToolKind::Shell && prints_text(&call.text) {
            self.reads
                .extend(path_words(&call.text).map(|w| (w.to_string(), index)));
        }
        if self.open.is_empty() {
            return;
        }
        for o in self.open.iter_mut().filter(|o| o.reread.is_none()) {
            if call.files.iter().any(|f| same_file(f, &o.file)) || names_file(&call.text, &o.file) {
                o.reread = Some(index);
            }
        }
    }

    /// A call that passed (call and result indices), with the files it patched (`apply_patch`
    /// in the shell, relative): it fixes the open refusals on a file it changed.
    pub fn passed(
        &mut self,
        ctx: &SessionContext,
        call: &Record,
        kind: ToolKind,
        patched: &[String],
        fix: (usize, usize),
    ) {
        let shell_write = kind == ToolKind::Shell && patched.is_empty() && writes_from_shell(&call.text);
        if !patched.is_empty() {
            self.edits.extend(patched.iter().map(|f| (f.clone(), fix.0)));
        } else if kind.changes_files() {
            self.edits
                .extend(rel_files(ctx, &call.files).into_iter().map(|f| (f, fix.0)));
        } else if shell_write {
            // `sed -i`, a redirect, a heredoc: an edit of the paths the command names.
            self.edits
                .extend(path_words(&call.text).map(|w| (w.to_string(), fix.0)));
        }
        if self.open.is_empty() {
            return;
        }
        let files = if !patched.is_empty() {
            patched.to_vec()
        } else if kind.changes_files() {
            rel_files(ctx, &call.files)
        } else if !shell_write {
            return;
        } else {
            Vec::new()
        };
        let names = |o: &Open| {
            files.iter().any(|f| same_file(f, &o.file)) || (shell_write && names_file(&call.text, &o.file))
        };
        // `Write` over a file whose `Edit` was refused on stale context, or an unread file
        // overwritten from the shell, replaced what the agent had not read: closed, with no
        // fix to teach (it is how tests get lost).
        let papered = |o: &Open| {
            (kind == ToolKind::Write && o.refusal == Refusal::StaleContext)
                || (shell_write && o.refusal == Refusal::NotRead)
        };
        let (changed, open): (Vec<Open>, Vec<Open>) =
            std::mem::take(&mut self.open).into_iter().partition(|o| names(o));
        self.open = open;
        let done: Vec<Open> = changed.into_iter().filter(|o| !papered(o)).collect();
        for o in done {
            let how = how_fixed(&o, call, kind, shell_write);
            let difference = difference(&o.expected, &hunk_old_lines(&call.text, &o.file));
            self.fixed.push(Fixed {
                open: o,
                fix,
                how,
                difference,
            });
        }
    }

    /// The lessons of the refusals fixed in the session, one per refusal kind and tool.
    pub fn lessons(&self, ctx: &SessionContext, records: &[Record]) -> Vec<Candidate> {
        // The read-first rule is one rule whichever tool was refused; stale context is
        // told per tool (a patch and an `Edit` are fixed differently).
        let mut groups: Vec<(Refusal, &str, Vec<&Fixed>)> = Vec::new();
        for f in &self.fixed {
            let same = |(r, t, _): &&mut (Refusal, &str, Vec<&Fixed>)| {
                *r == f.open.refusal && (*r == Refusal::NotRead || *t == f.open.tool)
            };
            match groups.iter_mut().find(same) {
                Some((_, _, g)) => g.push(f),
                None => groups.push((f.open.refusal, &f.open.tool, vec![f])),
            }
        }
        groups
            .into_iter()
            .map(|(refusal, tool, fixed)| match refusal {
                Refusal::NotRead => read_first(records, &fixed),
                Refusal::StaleContext => stale_context(ctx, records, tool, &fixed),
            })
            .collect()
    }
}

/// The lesson of edits refused on files not read first.
fn read_first(records: &[Record], fixed: &[&Fixed]) -> Candidate {
    let times: usize = fixed.iter().map(|f| f.open.attempts.len()).sum();
    let mut tools: Vec<String> = fixed.iter().map(|f| format!("`{}`", f.open.tool)).collect();
    tools.sort();
    tools.dedup();
    let (_, first_result) = fixed[0].open.attempts[0];
    let mut body = format!("Failed: {} on {}", tools.join(" and "), listed_files(fixed));
    if times > 1 {
        body.push_str(&format!(", refused {times} times in the session"));
    }
    body.push('\n');
    body.push_str(&format!("Error: {}\n", first_line(&records[first_result].text)));
    body.push_str(
        "Why: Claude Code changes an existing file only after its `Read` tool has read it in the \
         session; a file shown by a shell command (`cat`, `sed`) does not count.\n",
    );
    body.push_str("Fixed by: `Read` of the file, then the same change.\n");
    candidate(
        records,
        fixed,
        "Claude Code's `Edit` and `Write` refuse a file not yet `Read` in the session: `Read` it first"
            .to_string(),
        body,
        0.65 + crate::per_extra(times, 0.05, 2),
        "read-before-edit",
    )
}

/// The lesson of edits refused on stale context.
fn stale_context(ctx: &SessionContext, records: &[Record], tool: &str, fixed: &[&Fixed]) -> Candidate {
    let times: usize = fixed.iter().map(|f| f.open.attempts.len()).sum();
    let verb = if tool == "apply_patch" {
        "patching"
    } else {
        "editing"
    };
    // The rule, not this session's files or count (those are in the body): the same
    // lesson in every session, filed under one entry (`lesson:stale-context:<tool>`).
    let title = format!("Re-read a file right before {verb} it: `{tool}` fails on stale context");
    let (_, first_result) = fixed[0].open.attempts[0];
    let mut body = format!("Failed: `{tool}` on {}", listed_files(fixed));
    if times > 1 {
        body.push_str(&format!(", refused {times} times in the session"));
    }
    body.push('\n');
    let error = &records[first_result].text;
    body.push_str(&format!(
        "Error: {}\n",
        excerpt(&relative_error(error, ctx.cwd), 160)
    ));
    if let Some(line) = expected_lines(error)
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
    {
        body.push_str(&format!(
            "Expected: `{}`\n",
            excerpt(line, LINE_CHARS).replace('`', "'")
        ));
    }
    body.push_str("Why: the lines an edit replaces or keeps must be the file's current text, character for character.\n");
    if let Some(d) = fixed.iter().find_map(|f| f.difference.as_deref()) {
        body.push_str(&format!("Here {d}.\n"));
    }
    if let Some((cause, file)) = fixed.iter().find_map(|f| f.open.cause.map(|c| (c, &f.open.file))) {
        body.push_str(&cause.sentence(&display_path(file)));
        body.push('\n');
    }
    let mut phrases: Vec<String> = Vec::new();
    let mut seen: Vec<std::mem::Discriminant<How>> = Vec::new();
    for f in fixed {
        if seen.contains(&std::mem::discriminant(&f.how)) {
            continue;
        }
        seen.push(std::mem::discriminant(&f.how));
        let command = match f.how {
            How::Shell => Some(f.fix.0),
            How::Reread => f.open.reread,
            _ => None,
        };
        let command = command.map(|c| told(&records[c]));
        phrases.push(f.how.phrase(command.as_deref()));
    }
    body.push_str(&format!("Fixed by: {}.\n", phrases.join("; or ")));
    let informed = fixed
        .iter()
        .any(|f| f.difference.is_some() || f.how != How::Resent);
    let confidence = 0.50 + crate::per_extra(times, 0.05, 2) + if informed { 0.05 } else { 0.0 };
    let mut c = candidate(records, fixed, title, body, confidence, "stale-context");
    c.cues.push(format!("{}stale-context:{tool}", crate::LESSON_CUE));
    c
}

/// The entry: every refusal and the edit that passed as evidence, the refused files.
fn candidate(
    records: &[Record],
    fixed: &[&Fixed],
    title: String,
    body: String,
    confidence: f32,
    tag: &str,
) -> Candidate {
    let mut evidence = Vec::new();
    let mut files = Vec::new();
    for f in fixed {
        for &(c, r) in &f.open.attempts {
            evidence.push(Evidence::of(&records[c]));
            evidence.push(Evidence::of(&records[r]));
        }
        evidence.push(Evidence::of(&records[f.fix.0]));
        evidence.push(Evidence::of(&records[f.fix.1]));
        files.push(f.open.file.clone());
    }
    Candidate {
        category: sk_core::Category::Mistake,
        title,
        body,
        tags: vec!["failure-fix".to_string(), "edit".to_string(), tag.to_string()],
        files,
        confidence,
        evidence,
        cues: vec!["rule:failure-fix".to_string(), format!("match:{tag}")],
    }
}

/// A call as a fix names it: a shell command around what it does (a long PowerShell or
/// `bash -lc` wrapper is cut from the front), another tool by its name.
fn told(call: &Record) -> String {
    let tool = call.tool.as_deref().unwrap_or("");
    if !matches!(tool_kind(tool, &call.text), ToolKind::Shell) {
        return tool.to_string();
    }
    let command = normalize_command(&call.text);
    let at = write_at(&command).unwrap_or(0);
    // Start a little before what it does, on a character boundary (the offset may come
    // from the lower-cased text).
    let mut start = at.saturating_sub(24);
    while !command.is_char_boundary(start) {
        start -= 1;
    }
    let shown = command.get(start..).unwrap_or(&command);
    let prefix = if start > 0 { "…" } else { "" };
    format!("{prefix}{}", excerpt(shown, 60).replace('`', "'"))
}

/// "`a.md`, `b.md` and 3 more": the refused files as the body lists them.
fn listed_files(fixed: &[&Fixed]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for f in fixed {
        let p = format!("`{}`", display_path(&f.open.file));
        if !shown.contains(&p) {
            shown.push(p);
        }
    }
    let more = shown.len().saturating_sub(4);
    shown.truncate(4);
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// How the edit `call` that passed differed from the refused one.
fn how_fixed(open: &Open, call: &Record, kind: ToolKind, shell_write: bool) -> How {
    if shell_write {
        return How::Shell;
    }
    // A patch that deletes the file (to add it anew) or adds it whole.
    let rewrote = kind == ToolKind::Write
        || call.text.lines().any(|l| {
            let l = l.trim();
            let named = l
                .strip_prefix("*** Add File: ")
                .or_else(|| l.strip_prefix("*** Delete File: "));
            named.is_some_and(|f| same_file(f.trim(), &open.file))
        });
    if rewrote {
        return How::Rewrote;
    }
    let size = hunk_lines(&call.text, &open.file).len();
    if open.size > 0 && size > 0 && size * 3 <= open.size * 2 {
        return How::Smaller {
            from: open.size,
            to: size,
        };
    }
    if open.reread.is_some() {
        How::Reread
    } else {
        How::Resent
    }
}

/// What the file held where the refused edit assumed something else: a line the refused
/// edit expected that the passing patch keeps or replaces in another form.
fn difference(expected: &[String], passing: &[&str]) -> Option<String> {
    let passing: Vec<&str> = passing
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .take(PASSING_LINES)
        .collect();
    let folded = |l: &str| fold(&l.chars().take(COMPARED_CHARS).collect::<String>());
    let assumed: Vec<&str> = expected.iter().map(|l| l.trim()).collect();
    for e in expected.iter().map(|l| l.trim()).take(COMPARED_LINES) {
        if e.chars().count() < 8 || passing.contains(&e) {
            continue;
        }
        // A line the refused edit also expected is in the file as it assumed: not a
        // misremembered form of another one.
        let e_folded = folded(e);
        let best = passing
            .iter()
            .filter(|p| !assumed.contains(p))
            .map(|p| (strsim::normalized_levenshtein(&e_folded, &folded(p)), *p))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((score, p)) = best
            && score >= MISREMEMBERED
        {
            let typographic = fold(e) == fold(p);
            let mut d = format!(
                "the file has `{}` where the edit assumed `{}`",
                excerpt(p, LINE_CHARS).replace('`', "'"),
                excerpt(e, LINE_CHARS).replace('`', "'")
            );
            if typographic {
                d.push_str(" (the file's dashes, quotes or spaces are not the plain ASCII ones)");
            }
            return Some(d);
        }
    }
    None
}

/// The text with typographic dashes, quotes and spaces read as their ASCII forms.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
            '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' => ' ',
            c => c,
        })
        .collect()
}

/// The file the refusal is about: the one the patch error names, else the call's.
fn refused_file(ctx: &SessionContext, call: &Record, error: &str) -> Option<String> {
    let cwd = ctx.cwd.map(|c| c.replace('\\', "/"));
    if let Some(rest) = error.split("expected lines in ").nth(1) {
        let line = rest.lines().next()?.trim().trim_end_matches(':');
        if !line.is_empty() {
            return Some(relativize(&line.replace('\\', "/"), cwd.as_deref()));
        }
    }
    patched_rel(ctx, &call.text)
        .into_iter()
        .chain(rel_files(ctx, &call.files))
        .next()
}

/// The tool as the lesson names it: `apply_patch` for a patch, whatever ran it.
fn tool_name(call: &Record) -> String {
    if is_patch(&call.text) {
        return "apply_patch".to_string();
    }
    let tool = call.tool.as_deref().unwrap_or("edit");
    tool.rsplit(['.', '/']).next().unwrap_or(tool).to_string()
}

/// The lines a refused edit expected to find: the patch error lists them after its first
/// line; `Edit`'s error after `String:`.
fn expected_lines(error: &str) -> Vec<String> {
    let rest = match error.split_once("String: ") {
        Some((_, s)) => s,
        None => error.split_once('\n').map_or("", |(_, s)| s),
    };
    rest.lines().take(COMPARED_LINES).map(str::to_string).collect()
}

/// The hunk lines (` `, `-`, `+`) a patch has for `file`.
fn hunk_lines<'t>(text: &'t str, file: &str) -> Vec<&'t str> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.trim_start().strip_prefix("*** ") {
            inside = header
                .strip_prefix("Update File: ")
                .is_some_and(|f| same_file(f.trim(), file));
            continue;
        }
        if inside && line.starts_with([' ', '-', '+']) {
            out.push(line);
        }
    }
    out
}

/// The lines a patch keeps or removes in `file`: its picture of the file.
fn hunk_old_lines<'t>(text: &'t str, file: &str) -> Vec<&'t str> {
    hunk_lines(text, file)
        .into_iter()
        .filter(|l| !l.starts_with('+'))
        .filter_map(|l| l.get(1..))
        .collect()
}

/// Whether a shell command writes a file (a redirect, an in-place edit, PowerShell's
/// content commands).
fn writes_from_shell(command: &str) -> bool {
    write_at(command).is_some()
}

/// Where a shell command's write begins (byte offset), if it writes a file.
fn write_at(command: &str) -> Option<usize> {
    // `>`/`>>` after a blank or an operator, not `->`, `=>`, `2>` or `>>` in `Vec<Vec<u8>>`.
    static REDIRECT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?:^|[\s;&|(])1?>>?\s*([^\s;&|<>]+)"#).expect("static regex")
    });
    const WRITES: [&str; 7] = [
        "sed -i",
        "perl -pi",
        "-replace",
        "set-content",
        "out-file",
        "writealltext",
        "write_text(",
    ];
    let lower = command.to_lowercase();
    let marked = WRITES.iter().filter_map(|w| lower.find(w));
    let redirected = REDIRECT
        .captures_iter(command)
        .filter(|c| {
            c.get(1)
                .is_some_and(|t| t.as_str() != "/dev/null" && !t.as_str().starts_with('&'))
        })
        .filter_map(|c| c.get(0).map(|m| m.start()));
    marked.chain(redirected).min()
}

/// Whether a command names `file` as a path (a word that is the file or ends with it at
/// a folder boundary), not merely contains its name (`src/lexer/mod.rs` is not
/// `src/parser/mod.rs`).
fn names_file(text: &str, file: &str) -> bool {
    shell_words(text).any(|t| same_file(t, file))
}

/// Programs that print a file's text.
#[rustfmt::skip]
const TEXT_PRINTERS: &[&str] = &[
    "cat", "sed", "head", "tail", "nl", "bat", "less", "more", "awk", "type", "get-content", "gc",
];

/// Whether a command prints a file's text (`cat`, `sed -n`, `head`, `nl`, PowerShell's
/// `Get-Content`) in one of its steps.
fn prints_text(command: &str) -> bool {
    crate::commands::segments(command).into_iter().any(|step| {
        crate::commands::program(step)
            .is_some_and(|p| TEXT_PRINTERS.contains(&p.to_ascii_lowercase().as_str()))
    })
}

/// The words of a command that may be paths: they hold a `.` or a `/`.
fn path_words(text: &str) -> impl Iterator<Item = &str> {
    shell_words(text).filter(|w| w.len() > 2 && (w.contains('.') || w.contains('/')))
}

/// A command's words, split at blanks, quotes, brackets and shell operators.
fn shell_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\'' | '"' | '`' | '(' | ')' | ';' | '|' | '&' | '<' | '>' | '='
            )
    })
}

/// The first line of an error, trimmed.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// The error's first line with the session folder's paths made relative.
fn relative_error(text: &str, cwd: Option<&str>) -> String {
    let line = first_line(text).replace('\\', "/");
    match cwd.map(|c| c.replace('\\', "/")) {
        Some(c) if !c.is_empty() => line.replace(&format!("{}/", c.trim_end_matches('/')), ""),
        _ => line,
    }
}

/// Whether two spellings name the same file: one ends with the other at a folder
/// boundary (a patch says `specs/a.md`, the error `C:\w\specs/a.md`).
fn same_file(a: &str, b: &str) -> bool {
    let (a, b) = (a.replace('\\', "/"), b.replace('\\', "/"));
    let (a, b) = (a.trim_start_matches("./"), b.trim_start_matches("./"));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    long == short || long.ends_with(&format!("/{short}"))
}
