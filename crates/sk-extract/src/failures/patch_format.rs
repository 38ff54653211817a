//! The lesson of a patch Codex's `apply_patch` refused as malformed, then applied once
//! resent well-formed: which rule of the patch format the agent broke. Agents repeat this
//! slip within a session (one dev-set session sent five `*** Add File` patches with
//! unprefixed lines), so the session's first one, with its fix, is worth a lesson; stale
//! context ("Failed to find expected lines") is not a format slip and stays the harness's
//! business.
//!
//! Decided:
//! - Keyed on the parser's own report, `invalid hunk at line N`, read against line N of
//!   the patch the call sent: a line with no `+` in an `*** Add File` section, or a line
//!   with none of ` `, `-`, `+` in an `*** Update File` hunk. Any other malformation is
//!   left to the general failure rule.
//! - Fixed by the next `apply_patch` that passes on a file the refused one named; a slip
//!   never fixed in the session teaches nothing.
//! - One lesson per rule per session: later slips of the same rule are counted in it.

use sk_core::{Category, Record};

use crate::text::{display_path, relative_in};
use crate::{Candidate, Evidence, SessionContext};

/// The format rule a refused patch broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Slip {
    /// A line of an added file without the `+` every such line needs.
    AddFileLineUnprefixed,
    /// A line of an update hunk that is neither context (` `), removal (`-`) nor addition (`+`).
    UpdateLineUnprefixed,
}

impl Slip {
    fn title(self) -> &'static str {
        match self {
            Slip::AddFileLineUnprefixed => {
                "`apply_patch`: in an `Add File` section start every line with `+`, blank lines too"
            }
            Slip::UpdateLineUnprefixed => {
                "`apply_patch`: in an `Update File` hunk start every line with a space, `-` or `+`"
            }
        }
    }

    fn why(self) -> &'static str {
        match self {
            Slip::AddFileLineUnprefixed => {
                "in an `*** Add File:` section every line of the new file is written with a leading `+`, \
                 an empty line as a lone `+`; a line without it ends the section, and the parser then \
                 reads it as the next file's header"
            }
            Slip::UpdateLineUnprefixed => {
                "in an `*** Update File:` hunk every line starts with a space (unchanged context), `-` \
                 (removed) or `+` (added), and each hunk opens with `@@`; an unprefixed line (often a \
                 blank or wrapped line of a long replacement) breaks the hunk"
            }
        }
    }

    fn fix(self) -> &'static str {
        match self {
            Slip::AddFileLineUnprefixed => {
                "the same patch resent with `+` before every line, blank ones included"
            }
            Slip::UpdateLineUnprefixed => {
                "the patch resent with every hunk line prefixed (or split into smaller hunks)"
            }
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Slip::AddFileLineUnprefixed => "add-file-prefix",
            Slip::UpdateLineUnprefixed => "update-hunk-prefix",
        }
    }
}

/// The format rule a refused `apply_patch` broke, from the parser's error and the patch
/// the call sent; `None` when the failure is not such a slip.
pub(super) fn slip(call_text: &str, error: &str) -> Option<Slip> {
    let rest = error.split("invalid hunk at line ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let line_no: usize = digits.parse().ok()?;
    let lines = patch_lines(call_text)?;
    let at = bad_line(&lines, line_no, quoted_line(rest))?;
    let bad = lines[at];
    let section = lines
        .get(..at)?
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("*** ").filter(|h| h.contains(" File: ")))?;
    if section.starts_with("Add File: ") && !bad.starts_with('+') && !bad.starts_with("*** ") {
        return Some(Slip::AddFileLineUnprefixed);
    }
    if section.starts_with("Update File: ")
        && !bad.starts_with([' ', '+', '-'])
        && !bad.starts_with("@@")
        && !bad.starts_with("*** ")
    {
        return Some(Slip::UpdateLineUnprefixed);
    }
    None
}

/// The patch's lines as the parser numbers them, from `*** Begin Patch` (line 1). The
/// ingest keeps a shell call's patch whole but drops that first line from a patch sent as
/// Codex's own `apply_patch` tool: it is put back.
fn patch_lines(call_text: &str) -> Option<Vec<&str>> {
    if let Some(start) = call_text.find("*** Begin Patch") {
        return Some(call_text.get(start..)?.lines().collect());
    }
    let body = call_text.trim_start();
    let first = body.lines().next()?;
    let is_section = ["*** Add File: ", "*** Update File: ", "*** Delete File: "]
        .iter()
        .any(|h| first.starts_with(h));
    is_section.then(|| std::iter::once("*** Begin Patch").chain(body.lines()).collect())
}

/// The line the parser quoted in its error (`'' is not a valid hunk header`, `…, got:
/// 'text'`), when it quoted one.
fn quoted_line(rest: &str) -> Option<&str> {
    let after_number = rest.split_once(", ")?.1;
    if let Some(q) = after_number.strip_prefix('\'') {
        return q.split_once("' is not a valid hunk header").map(|(line, _)| line);
    }
    let got = after_number.split_once("got: '")?.1;
    got.rfind('\'').and_then(|end| got.get(..end))
}

/// The index of the offending line: line `line_no` when it is the quoted one (or nothing
/// was quoted), else the quoted line nearest to it (the parser counts one further in some
/// reports).
fn bad_line(lines: &[&str], line_no: usize, quoted: Option<&str>) -> Option<usize> {
    let at = line_no.checked_sub(1)?;
    let Some(q) = quoted else {
        return (at < lines.len()).then_some(at);
    };
    let near = [Some(at), at.checked_sub(1), at.checked_add(1)];
    if let Some(i) = near.into_iter().flatten().find(|&i| lines.get(i) == Some(&q)) {
        return Some(i);
    }
    // Further away, only a line that says something (an empty one is everywhere).
    if at < lines.len() && !q.is_empty() {
        return lines.iter().position(|l| *l == q);
    }
    None
}

/// A format slip waiting for the patch that fixes it.
#[derive(Debug)]
pub(super) struct OpenSlip {
    pub slip: Slip,
    /// The refused calls and their results, first to last.
    pub attempts: Vec<(usize, usize)>,
    /// The files the refused patch named, relative to the session's folder.
    pub files: Vec<String>,
}

/// The session's format slips: open ones, and per rule the first one fixed (its lesson)
/// with how many more of the same rule followed.
#[derive(Debug, Default)]
pub(super) struct Slips {
    open: Vec<OpenSlip>,
    fixed: std::collections::BTreeMap<Slip, (OpenSlip, (usize, usize), usize)>,
}

impl Slips {
    /// A patch refused for `slip` (call and result indices).
    pub fn refused(&mut self, slip: Slip, attempt: (usize, usize), files: Vec<String>) {
        match self.open.iter_mut().find(|o| o.slip == slip && o.files == files) {
            Some(o) => o.attempts.push(attempt),
            None => self.open.push(OpenSlip {
                slip,
                attempts: vec![attempt],
                files,
            }),
        }
    }

    /// A patch on `files` passed (call and result indices): it fixes every open slip on
    /// one of them.
    pub fn passed(&mut self, files: &[String], fix: (usize, usize)) {
        let (fixed, open): (Vec<OpenSlip>, Vec<OpenSlip>) = std::mem::take(&mut self.open)
            .into_iter()
            .partition(|o| o.files.iter().any(|f| files.contains(f)));
        self.open = open;
        for o in fixed {
            match self.fixed.get_mut(&o.slip) {
                Some((_, _, repeats)) => *repeats += o.attempts.len(),
                None => {
                    self.fixed.insert(o.slip, (o, fix, 0));
                }
            }
        }
    }

    /// The lessons of the slips fixed in the session, one per rule.
    pub fn lessons(&self, ctx: &SessionContext, records: &[Record]) -> Vec<Candidate> {
        self.fixed
            .values()
            .map(|(o, fix, repeats)| lesson(ctx, records, o, *repeats, *fix))
            .collect()
    }
}

/// The lesson of a slip fixed by the passing patch `fix` (call and result).
fn lesson(
    ctx: &SessionContext,
    records: &[Record],
    open: &OpenSlip,
    repeats: usize,
    fix: (usize, usize),
) -> Candidate {
    let (_, first_result) = open.attempts[0];
    let error = records[first_result]
        .text
        .lines()
        .find(|l| l.contains("invalid hunk at line"))
        .unwrap_or_default()
        .trim();
    let error = error
        .strip_prefix("apply_patch verification failed: ")
        .unwrap_or(error);
    let what = match open.slip {
        Slip::AddFileLineUnprefixed => "adding",
        Slip::UpdateLineUnprefixed => "updating",
    };
    let shown: Vec<String> = open
        .files
        .iter()
        .map(|f| format!("`{}`", display_path(f)))
        .collect();
    let mut body = format!("Failed: `apply_patch` {what} {}\n", shown.join(", "));
    body.push_str(&format!("Error: {}\n", relative_in(error, ctx.cwd)));
    body.push_str(&format!("Why: {}.\n", open.slip.why()));
    body.push_str(&format!("Fixed by: {}.\n", open.slip.fix()));
    let times = open.attempts.len() + repeats;
    if times > 1 {
        body.push_str(&format!("The same slip happened {times} times in the session.\n"));
    }

    let mut confidence: f32 = 0.60;
    if times > 1 {
        confidence += crate::per_extra(times, 0.05, 2);
    }
    let mut evidence: Vec<Evidence> = open
        .attempts
        .iter()
        .flat_map(|&(c, r)| [Evidence::of(&records[c]), Evidence::of(&records[r])])
        .collect();
    evidence.push(Evidence::of(&records[fix.0]));
    evidence.push(Evidence::of(&records[fix.1]));
    Candidate {
        category: Category::Mistake,
        title: open.slip.title().to_string(),
        body,
        tags: vec![
            "failure-fix".to_string(),
            "apply-patch".to_string(),
            open.slip.tag().to_string(),
        ],
        files: open.files.clone(),
        confidence,
        evidence,
        cues: vec![
            "rule:failure-fix".to_string(),
            "match:patch-format".to_string(),
            format!("patch:{}", open.slip.tag()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADD: &str = "apply_patch *** Begin Patch\n*** Add File: docs/a.md\n+# Title\n\nText\n*** End Patch";

    #[test]
    fn an_unprefixed_line_of_an_added_file_is_the_slip() {
        let err = "invalid hunk at line 4, '' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}'";
        assert_eq!(slip(ADD, err), Some(Slip::AddFileLineUnprefixed));
        let err = "apply_patch verification failed: invalid hunk at line 4, '' is not a valid hunk header";
        assert_eq!(slip(ADD, err), Some(Slip::AddFileLineUnprefixed));
    }

    #[test]
    fn an_unprefixed_line_of_an_update_hunk_is_the_slip() {
        let call =
            "apply_patch *** Begin Patch\n*** Update File: a.md\n@@\n-old\n+new\nwrapped tail\n*** End Patch";
        let err = "invalid hunk at line 6, Expected update hunk to start with a @@ context marker, got: 'wrapped tail'";
        assert_eq!(slip(call, err), Some(Slip::UpdateLineUnprefixed));
    }

    #[test]
    fn a_patch_sent_as_the_apply_patch_tool_is_read_without_its_first_line() {
        // The ingest keeps the sections of a custom-tool patch, not `*** Begin Patch`.
        let call = "*** Add File: docs/a.md\n+# Title\n\nText";
        let err = "invalid hunk at line 4, '' is not a valid hunk header";
        assert_eq!(slip(call, err), Some(Slip::AddFileLineUnprefixed));
    }

    #[test]
    fn the_quoted_line_wins_when_the_parser_counts_one_further() {
        // An update hunk without `@@` is reported one line late, quoting the line.
        let call = "apply_patch *** Begin Patch\n*** Update File: a.py\n def f():\nreturn 1\n*** End Patch";
        let err =
            "invalid hunk at line 5, Expected update hunk to start with a @@ context marker, got: 'return 1'";
        assert_eq!(slip(call, err), Some(Slip::UpdateLineUnprefixed));
    }

    #[test]
    fn other_failures_are_not_format_slips() {
        // The line the parser names is well-formed: something else is wrong.
        assert_eq!(
            slip(
                ADD,
                "invalid hunk at line 3, '+# Title' is not a valid hunk header"
            ),
            None
        );
        assert_eq!(slip(ADD, "Failed to find expected lines in docs/a.md"), None);
        assert_eq!(slip(ADD, "invalid hunk at line 99, ''"), None);
        assert_eq!(slip(ADD, "invalid hunk at line 0, ''"), None);
        assert_eq!(slip("cat a.md", "invalid hunk at line 1, ''"), None);
    }
}
