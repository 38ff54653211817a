//! The lesson of a ripgrep search that found nothing because what it looked for sits under
//! a hidden folder: `rg` skips hidden files and folders (names starting with `.`) and what
//! `.gitignore` lists, so `rg --files -g '*.butler.yaml'` answers nothing while
//! `.ai-clean/specs/x.butler.yaml` exists. Agents then find it another way (`find`, `ls -a`)
//! and open it; the next session should search with `--hidden` (or `-uu`) at once.
//!
//! Decided (precision first):
//! - The search is `rg` over the working folder (no path, or `.`), exit code 1 (ripgrep's
//!   "nothing matched"; 2 is an error), without `--hidden`, `-u…` or `--no-ignore`.
//! - What it looked for is its `--glob` with `--files`, else its pattern: the longest plain
//!   run of it (letters, digits, `_ . -`, three characters or more).
//! - The lesson needs proof: within the next [`WINDOW`] tool calls, a call that names that
//!   run inside a hidden folder (`.codex/…`, `./.ai-clean/…`). One lesson per session.
//! - The same search run again over hidden and ignored files (`--hidden`, `-u…`,
//!   `--no-ignore`, or a glob of everything, `-g '*'`, which overrides ignore rules) that
//!   passed — found something — within the window is proof too: only what it may search
//!   changed. The folder is then not known; the lesson says hidden or ignored files.
//! - Claude Code's own search tools skip hidden folders too (`Grep` is ripgrep; `Glob`'s
//!   `**` does not enter them): a `Glob` or `Grep` that answered "No files found" / "No
//!   matches found" for a pattern that names no hidden folder is the same search, with
//!   the same proof, and its lesson is said for that tool.

use std::sync::LazyLock;

use regex::Regex;
use sk_core::{Category, Record};

use crate::commands::{main_tokens, short_command};
use crate::{Candidate, Evidence};

/// Tool calls after the empty search in which the hidden path must turn up.
const WINDOW: usize = 6;

/// A path component that is a hidden folder (`.codex/`, not `./` or `../`).
static HIDDEN_DIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:^|[\s'"=(/])(\.[A-Za-z0-9][A-Za-z0-9_.-]*)/"#).expect("static regex"));

/// The `path:` or `path:line:` ripgrep puts before each matching line.
static RG_LINE_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^\s:][^:]*:(?:\d+:)?").expect("static regex"));

/// The exit code as Codex (`Exit code: 1`, `"exit_code":1`) and Claude (`Exit code 1`) write it.
static EXIT_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)exit code:? (\d+)|"exit_code":\s*(\d+)"#).expect("static regex"));

/// The tool that searched: the lesson is said in its terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Searcher {
    Rg,
    /// Claude Code's `Glob`.
    Glob,
    /// Claude Code's `Grep`.
    Grep,
}

/// The session's searches that found nothing, a retry over hidden files waiting for its
/// result, and the lesson once one is proven (one per session).
#[derive(Debug, Default)]
pub(super) struct HiddenSearches {
    open: Vec<EmptySearch>,
    /// A search retried over hidden and ignored files, that retry's call, and whether the
    /// retry looked for the same text the same way (else its output must show the text as
    /// the first search would have matched it).
    retry: Option<(EmptySearch, usize, bool)>,
    lesson: Option<Candidate>,
}

impl HiddenSearches {
    /// A tool call at `i`: it may name what an empty search looked for inside a hidden
    /// folder, or run that search again over hidden files.
    pub(super) fn called(&mut self, records: &[Record], i: usize) {
        if self.lesson.is_some() {
            return;
        }
        let text = &records[i].text;
        for k in 0..self.open.len() {
            let search = &mut self.open[k];
            if let Some(hidden) = search.found_in(text) {
                self.lesson = Some(search.lesson(records, Some(&hidden), i));
                return;
            }
            if let Some(same_way) = search.retried_over_hidden(text) {
                self.retry = Some((self.open.remove(k), i, same_way));
                break;
            }
        }
        self.open.retain(|s| !s.expired());
    }

    /// The result at `result` of the call at `call`: a search that found nothing is noted,
    /// and a retry over hidden files that passed proves its lesson.
    pub(super) fn answered(
        &mut self,
        cwd: Option<&str>,
        tool: &str,
        failed: bool,
        (call, call_text): (usize, &str),
        (result, result_text): (usize, &str),
        records: &[Record],
    ) {
        if self.lesson.is_some() {
            return;
        }
        if let Some((search, retry, same_way)) = self.retry.take() {
            if retry == call {
                if !failed && (same_way || search.would_have_matched(result_text)) {
                    self.lesson = Some(search.lesson(records, None, call));
                }
                return;
            }
            self.retry = Some((search, retry, same_way));
        }
        self.open.extend(empty_search(
            cwd,
            tool,
            failed,
            call_text,
            result_text,
            call,
            result,
        ));
    }

    pub(super) fn lesson(self) -> Option<Candidate> {
        self.lesson
    }
}

/// A search that found nothing, waiting for the hidden path that explains it.
#[derive(Debug)]
pub(super) struct EmptySearch {
    searcher: Searcher,
    /// The search's call and result.
    call: usize,
    result: usize,
    /// What it looked for, lowercased.
    looked_for: String,
    /// The same, as written: a retry that changed its case may have matched for that.
    written: String,
    /// Whether the search ignored case (`-i`, `-S`).
    ignores_case: bool,
    /// Whether it matched file names (`rg --files`, `Glob`) rather than their text.
    names_files: bool,
    /// Tool calls seen since.
    calls_since: usize,
}

/// What a search (`tool`) looked for, when it searched the working folder and its result
/// says it found nothing.
fn empty_search(
    cwd: Option<&str>,
    tool: &str,
    failed: bool,
    call_text: &str,
    result_text: &str,
    call: usize,
    result: usize,
) -> Option<EmptySearch> {
    let searcher = match tool.rsplit(['.', '/']).next().unwrap_or(tool) {
        "Glob" => Searcher::Glob,
        "Grep" => Searcher::Grep,
        // rg exits 1 when it found nothing: a passing result is not that (and is unread).
        _ if failed => return rg_search(call_text, result_text, call, result),
        _ => return None,
    };
    if result_text.len() > crate::SHORT_OUTPUT_BYTES
        || !matches!(result_text.trim(), "No files found" | "No matches found")
    {
        return None;
    }
    // The call reads `pattern[ in path][ (glob)]`; a path other than the working folder
    // is not a search of it.
    let line = call_text.lines().next().unwrap_or_default().trim();
    let line = line
        .strip_suffix(')')
        .and_then(|l| l.rsplit_once(" ("))
        .map_or(line, |(l, _)| l);
    let (pattern, dir) = line.rsplit_once(" in ").unwrap_or((line, "."));
    let dir = dir.replace('\\', "/");
    let cwd = cwd.map(|c| c.replace('\\', "/"));
    if !matches!(dir.as_str(), "." | "./")
        && Some(dir.trim_end_matches('/')) != cwd.as_deref().map(|c| c.trim_end_matches('/'))
    {
        return None;
    }
    // A pattern that names a hidden folder looked there.
    if pattern.contains("/.") || pattern.starts_with('.') {
        return None;
    }
    Some(EmptySearch {
        searcher,
        call,
        result,
        looked_for: plain_run(pattern)?,
        written: written_run(pattern)?,
        ignores_case: false,
        names_files: searcher == Searcher::Glob,
        calls_since: 0,
    })
}

/// What an `rg` call looked for, when it searched the working folder and exited 1.
fn rg_search(call_text: &str, result_text: &str, call: usize, result: usize) -> Option<EmptySearch> {
    let tokens = rg_tokens(call_text)?;
    if !found_nothing(result_text) {
        return None;
    }
    let mut files = false;
    let mut glob = None;
    let mut positional = Vec::new();
    let mut i = 1;
    while let Some(t) = tokens.get(i) {
        match t.as_str() {
            "--hidden" | "--no-ignore" => return None,
            f if f.starts_with("-u") || f.starts_with("-.") => return None,
            "--files" => files = true,
            "-g" | "--glob" | "-e" | "--regexp" | "-t" | "--type" | "-T" | "--type-not" | "-m"
            | "--max-count" | "-A" | "-B" | "-C" | "--max-depth" | "-d" => {
                let value = tokens.get(i + 1).cloned();
                if matches!(t.as_str(), "-g" | "--glob") {
                    glob = value;
                } else if matches!(t.as_str(), "-e" | "--regexp") {
                    positional.insert(0, value.unwrap_or_default());
                }
                i += 1;
            }
            f if f.starts_with("-g") && f.len() > 2 => glob = f.get(2..).map(str::to_string),
            f if f.starts_with('-') => {}
            _ => positional.push(t.clone()),
        }
        i += 1;
    }
    let (looked_for, paths) = if files {
        (glob?, positional.as_slice())
    } else {
        let (pattern, paths) = positional.split_first()?;
        (pattern.clone(), paths)
    };
    if paths.iter().any(|p| !matches!(p.as_str(), "." | "./")) {
        return None;
    }
    let written = written_run(&looked_for)?;
    Some(EmptySearch {
        searcher: Searcher::Rg,
        call,
        result,
        looked_for: written.to_lowercase(),
        written,
        ignores_case: ignores_case(&tokens),
        names_files: files,
        calls_since: 0,
    })
}

/// The words of an `rg` call, quotes taken off; `None` for another program.
fn rg_tokens(call_text: &str) -> Option<Vec<String>> {
    let tokens: Vec<String> = main_tokens(call_text)
        .into_iter()
        .map(|t| t.trim_matches(['\'', '"']).to_string())
        .collect();
    (tokens.first().map(String::as_str) == Some("rg")).then_some(tokens)
}

/// Whether `call_text` is an `rg` search over hidden and ignored files. Its output is
/// what proves a retry found what the first search missed, so extraction reads it even
/// when it is long and the call passed ([`crate::TextNeeds`]).
pub(crate) fn searches_hidden(call_text: &str) -> bool {
    rg_tokens(call_text).is_some_and(|tokens| widened_over_hidden(&tokens))
}

/// Whether an `rg` call's words widen it over hidden and ignored files: `--hidden`, `-u…`,
/// `--no-ignore`, or a glob of everything (`-g '*'`, which overrides ignore rules).
fn widened_over_hidden(tokens: &[String]) -> bool {
    let everything = |g: &str| matches!(g.trim_matches(['\'', '"']), "*" | "**" | "**/*");
    tokens.iter().enumerate().any(|(k, t)| match t.as_str() {
        "--hidden" | "--no-ignore" => true,
        f if f.starts_with("-u") => true,
        "-g" | "--glob" => tokens.get(k + 1).is_some_and(|g| everything(g)),
        f => f.strip_prefix("-g").is_some_and(everything),
    })
}

/// ripgrep's exit code 1: nothing matched (an error is 2).
fn found_nothing(text: &str) -> bool {
    EXIT_CODE
        .captures(text)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .is_some_and(|m| m.as_str() == "1")
}

/// The longest run of letters, digits, `_`, `.`, `-` in a pattern or glob, without leading
/// or trailing dots, lowercased; `None` under three characters.
fn plain_run(pattern: &str) -> Option<String> {
    written_run(pattern).map(|r| r.to_lowercase())
}

/// [`plain_run`] as written, in its own case.
fn written_run(pattern: &str) -> Option<String> {
    let best = pattern
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .map(|r| r.trim_matches(['.', '-']))
        .max_by_key(|r| r.chars().count())?;
    (best.chars().count() >= 3).then(|| best.to_string())
}

/// Whether an `rg` call's words make it ignore case.
fn ignores_case(tokens: &[String]) -> bool {
    tokens
        .iter()
        .any(|t| matches!(t.as_str(), "-i" | "--ignore-case" | "-S" | "--smart-case"))
}

impl EmptySearch {
    /// A later tool call: the hidden folder it names the looked-for run in, if it does;
    /// `None` also once the window has passed (the caller then drops the search).
    pub(super) fn found_in(&mut self, call_text: &str) -> Option<String> {
        self.calls_since += 1;
        let lower = call_text.to_lowercase();
        let at = lower.find(&self.looked_for)?;
        let before = lower.get(..at).unwrap_or_default();
        // The hidden folder must be on the path that leads to the run.
        let token_start = before
            .rfind(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .map_or(0, |i| i + 1);
        let path = call_text.get(token_start..at + self.looked_for.len())?;
        HIDDEN_DIR
            .captures(path)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
    }

    /// Whether `call_text` is this `rg` search run again over hidden and ignored files:
    /// the same looked-for run (any case), with `--hidden`, `-u…`, `--no-ignore` or a glob
    /// of everything. `Some(true)` when nothing else changed that could make it match;
    /// `Some(false)` when the retry also changed the run's case (`mcp`, then `MCP`) or
    /// newly ignores case: then only its output can prove the point.
    fn retried_over_hidden(&self, call_text: &str) -> Option<bool> {
        if self.searcher != Searcher::Rg {
            return None;
        }
        let tokens = rg_tokens(call_text)?;
        let widened = widened_over_hidden(&tokens);
        let runs: Vec<String> = tokens
            .iter()
            .skip(1)
            .filter(|t| !t.starts_with('-'))
            .filter_map(|t| written_run(t))
            .filter(|run| run.to_lowercase() == self.looked_for)
            .collect();
        if !widened || runs.is_empty() {
            return None;
        }
        let same_case = self.ignores_case || runs.contains(&self.written);
        Some(same_case && (self.ignores_case || !ignores_case(&tokens)))
    }

    /// Whether a retry's output shows what the first search looked for as that search
    /// would have matched it: in its case, unless it ignored case, and in a line's text,
    /// not the `path:line:` rg puts before it (`docs/mcp.md:3:the MCP server` holds no
    /// "mcp" it could have matched).
    fn would_have_matched(&self, output: &str) -> bool {
        output.lines().any(|line| {
            let seen = if self.names_files {
                line
            } else {
                RG_LINE_PREFIX
                    .find(line)
                    .map_or(line, |m| sk_core::text::from(line, m.end()))
            };
            if self.ignores_case {
                seen.to_lowercase().contains(&self.looked_for)
            } else {
                seen.contains(&self.written)
            }
        })
    }

    pub(super) fn expired(&self) -> bool {
        self.calls_since >= WINDOW
    }

    /// The lesson: the search, where the thing was (the hidden folder, when a later call
    /// named it), and what to run next time.
    fn lesson(&self, records: &[Record], hidden: Option<&str>, found: usize) -> Candidate {
        let search = short_command(&records[self.call].text, 60);
        let found_with = short_command(&records[found].text, 80);
        let (title, searched, why, next) = match self.searcher {
            Searcher::Rg => (
                match hidden {
                    Some(hidden) => format!(
                        "`rg` skips hidden folders such as `{hidden}/`: search again with `--hidden` or `-uu`"
                    ),
                    None => "`rg` skips hidden and ignored files: search again with `--hidden` or `-uu`"
                        .to_string(),
                },
                format!("`{search}` found nothing (exit code 1)"),
                "ripgrep skips hidden files and folders (names starting with `.`) and what .gitignore lists",
                "when a search finds nothing that should exist, run it again with `rg --hidden` \
                 (hidden files) or `rg -uu` (hidden and ignored files), or use `find`",
            ),
            Searcher::Glob => (
                format!(
                    "Claude Code's `Glob` skips hidden folders such as `{}/`: name the folder in the pattern",
                    hidden.unwrap_or_default()
                ),
                format!("`Glob` for `{search}` found no files"),
                "Claude Code's `Glob` does not enter folders whose names start with `.` unless the pattern names them",
                "when a file that should exist is not found, name the hidden folder in the pattern \
                 (`**/.config/…`) or list it with `ls -a`",
            ),
            Searcher::Grep => (
                format!(
                    "Claude Code's `Grep` skips hidden folders such as `{}/`: give the folder as its path",
                    hidden.unwrap_or_default()
                ),
                format!("`Grep` for `{search}` found no matches"),
                "Claude Code's `Grep` runs ripgrep, which skips hidden files and folders (names starting with `.`) and what .gitignore lists",
                "when a search finds nothing that should exist, give the hidden folder as the search's path, \
                 or run `rg --hidden` in the shell",
            ),
        };
        let where_found = match hidden {
            Some(hidden) => format!("It was under the hidden folder `{hidden}/`: found with `{found_with}`."),
            None => format!("The same search over hidden and ignored files found it: `{found_with}`."),
        };
        let body = format!(
            "Searched: {searched}.\n\
             {where_found}\n\
             Why: {why}.\n\
             Next time: {next}.\n"
        );
        let tag = match self.searcher {
            Searcher::Rg => "rg",
            Searcher::Glob => "glob",
            Searcher::Grep => "grep",
        };
        Candidate {
            category: Category::Mistake,
            title,
            body,
            tags: vec![tag.into(), "hidden-files".into()],
            files: Vec::new(),
            confidence: 0.60,
            evidence: vec![
                Evidence::of(&records[self.call]),
                Evidence::of(&records[self.result]),
                Evidence::of(&records[found]),
            ],
            cues: vec!["rule:failure-fix".into(), "match:hidden-search".into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(call: &str, result: &str) -> Option<String> {
        empty_search(None, "shell", true, call, result, 0, 1).map(|s| s.looked_for)
    }

    #[test]
    fn an_empty_rg_over_the_working_folder_is_noted_with_what_it_looked_for() {
        let empty = "Exit code: 1\nWall time: 0.1 seconds\nOutput:\n";
        assert_eq!(
            search("rg --files -g '*.butler.yaml'", empty).as_deref(),
            Some("butler.yaml")
        );
        assert_eq!(search("rg \"mcp\"", empty).as_deref(), Some("mcp"));
        assert_eq!(search("rg -n 'TODO' .", empty).as_deref(), Some("todo"));
        // Searched elsewhere, with hidden files already, found something, or failed.
        assert_eq!(search("rg mcp src", empty), None);
        assert_eq!(search("rg --hidden mcp", empty), None);
        assert_eq!(search("rg -uu mcp", empty), None);
        assert_eq!(search("rg mcp", "Exit code: 0\nOutput:\nsrc/a.rs:1:mcp"), None);
        assert_eq!(search("rg mcp", "Exit code: 10\nOutput:\n"), None);
        assert_eq!(
            search("rg mcp", r#"{"output":"","metadata":{"exit_code":1}}"#).as_deref(),
            Some("mcp")
        );
        assert_eq!(
            search("rg mcp", "Exit code: 2\nOutput:\nrg: regex parse error"),
            None
        );
        assert_eq!(search("grep -r mcp .", empty), None);
        assert_eq!(search("rg ab", empty), None, "too short to recognise");
    }

    #[test]
    fn claude_code_s_glob_and_grep_that_found_nothing_are_noted() {
        let glob = |pattern: &str, said: &str| {
            empty_search(None, "Glob", false, pattern, said, 0, 1).map(|s| s.looked_for)
        };
        assert_eq!(glob("**/zellij*", "No files found").as_deref(), Some("zellij"));
        assert_eq!(
            empty_search(None, "Grep", false, "ProjectTracker", "No matches found\n", 0, 1)
                .map(|s| s.looked_for)
                .as_deref(),
            Some("projecttracker")
        );
        // Found something, or already looked in a hidden folder.
        assert_eq!(glob("**/zellij*", "/w/.config/zellij/config.kdl"), None);
        assert_eq!(glob("**/.config/zellij/**", "No files found"), None);
        assert_eq!(glob(".github/**/*.yml", "No files found"), None);
    }

    #[test]
    fn the_hidden_folder_must_lead_to_what_was_looked_for() {
        let mut s = empty_search(
            None,
            "shell",
            true,
            "rg --files -g '*.butler.yaml'",
            "Exit code: 1\nOutput:\n",
            0,
            1,
        )
        .expect("noted");
        assert_eq!(s.found_in("find . -name '*.butler.yaml'"), None);
        assert_eq!(
            s.found_in("cat ./.ai-clean/specs/doc-spec.butler.yaml")
                .as_deref(),
            Some(".ai-clean")
        );
        // A hidden folder elsewhere on the line is not where it was.
        assert_eq!(s.found_in("cat .git/config notes.butler.yaml"), None);
        assert!(!s.expired());
    }
}
