//! Known mistakes, looked up at the moment they matter. After a failed tool call the error
//! text, the command and the file become one full-text query over mistake entries; the
//! best matches that really share the error's words (and the program or file) come back
//! to the agent with the fix recorded in them. Before a shell command, a mistake whose
//! recorded failing command is exactly this one, fixed by running another command, makes
//! sk ask first.
//!
//! Kept fast: the database is opened read-only, one FTS query finds candidates, and only
//! the top few are read back to score.

use sk_core::Category;
use sk_store::{knowledge, search};

use super::{Ctx, Verdict};
use crate::HookError;

/// Candidates read back from the FTS ranking.
const CANDIDATES: usize = 6;
/// Words of the error that go into the query: its head is the distinctive part.
const ERROR_TERMS: usize = 8;
/// Characters of the error looked at.
const ERROR_HEAD: usize = 800;

/// Words too common in error output to tell two failures apart.
const STOP: &[&str] = &[
    "the", "and", "for", "with", "not", "was", "from", "this", "that", "are", "but", "you", "your", "has", "have",
    "had", "error", "errors", "failed", "failure", "fail", "line", "file", "warning", "note", "help", "exit",
    "code", "status", "could", "cannot", "can", "found", "into", "when", "then", "than", "been", "more", "see",
    "run", "running", "use", "info", "debug", "true", "false", "null", "none", "some", "test", "tests", "result",
    "stderr", "stdout", "process", "command", "returned", "exited", "non", "zero",
];

/// The lookup after a failed tool call.
pub fn run_lookup(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    let Some(error) = ctx.inv.failure.as_deref() else {
        return Ok(Verdict::Pass("the tool call did not fail".into()));
    };
    let tool = ctx.inv.tool.as_ref();
    let command = tool.and_then(|t| t.command());
    let program = command.and_then(program_of);
    let files: Vec<String> = tool
        .map(|t| t.files.iter().filter_map(|f| base_name(f)).collect())
        .unwrap_or_default();
    let error_terms = key_terms(error, ERROR_TERMS);
    let mut terms = error_terms.clone();
    terms.extend(program.iter().cloned());
    if let Some(sub) = command.and_then(subcommand_of) {
        terms.push(sub);
    }
    terms.extend(files.iter().cloned());
    let Some(fts) = search::fts_query(&terms.join(" "), true) else {
        return Ok(Verdict::Pass("nothing to search for".into()));
    };
    let store = ctx.db()?;
    let conn = store.conn();
    let hits = search::entries(conn, Some(&fts), Some(Category::Mistake), &search::Filters::default(), CANDIDATES)
        .map_err(HookError::query)?;
    let mut fixes = Vec::new();
    for hit in hits.iter().filter(|h| h.confidence >= ctx.config.lookup.min_confidence) {
        let Some(text) = knowledge::entry_text(conn, hit.id).map_err(HookError::query)? else {
            continue;
        };
        let lower = text.to_lowercase();
        let shared = error_terms.iter().filter(|t| lower.contains(t.as_str())).count();
        let same_program = program.as_ref().is_some_and(|p| lower.contains(&format!("`{p}")) || lower.contains(&format!("{p} ")));
        let same_file = files.iter().any(|f| lower.contains(&f.to_lowercase()));
        // Precision first: the entry must share the error's words, and the program or file
        // unless it shares many of them.
        let needed = error_terms.len().min(2);
        if shared >= needed.max(1) && (same_program || same_file || shared >= 4) {
            fixes.push((hit, text));
        }
        if fixes.len() >= ctx.config.lookup.max_fixes {
            break;
        }
    }
    if fixes.is_empty() {
        return Ok(Verdict::Pass(format!("no known mistake matched ({} candidates)", hits.len())));
    }
    let mut out = String::from("sk: this failure matches a known mistake from earlier sessions.");
    for (hit, text) in &fixes {
        out.push_str(&format!(
            "\n\n#{} (seen {} time{}, confidence {:.2}):\n{}\nFull entry: sk show {}",
            hit.id,
            hit.occurrences,
            if hit.occurrences == 1 { "" } else { "s" },
            hit.confidence,
            text.trim_end(),
            hit.id
        ));
    }
    Ok(Verdict::Context(out))
}

/// The pre-tool warning: this exact command failed before, as a confident mistake, and a
/// different command is what worked.
pub fn run_warn(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    let Some(command) = ctx.inv.tool.as_ref().and_then(|t| t.command()) else {
        return Ok(Verdict::Pass(String::new()));
    };
    let normalized = sk_extract::normalize_command(command);
    // Only the program and its first words: an AND query on them is selective and cheap.
    let words: Vec<&str> = normalized.split_whitespace().take(5).collect();
    if words.is_empty() {
        return Ok(Verdict::Pass(String::new()));
    }
    let Some(fts) = search::fts_query(&words.join(" "), false) else {
        return Ok(Verdict::Pass(String::new()));
    };
    let store = ctx.db()?;
    let conn = store.conn();
    let hits = search::entries(conn, Some(&fts), Some(Category::Mistake), &search::Filters::default(), 3)
        .map_err(HookError::query)?;
    let failed_line = format!("Failed: `{normalized}`");
    for hit in hits.iter().filter(|h| h.confidence >= ctx.config.lookup.warn_min_confidence) {
        let Some(text) = knowledge::entry_text(conn, hit.id).map_err(HookError::query)? else {
            continue;
        };
        let failed_here = text
            .lines()
            .any(|l| l.trim() == failed_line || l.trim().starts_with(&format!("{failed_line} (")));
        // Only a mistake whose fix was a *different* command says this command is wrong;
        // when the same command later passed, the failure was about the code, not the call.
        let passed_with = text
            .lines()
            .find_map(|l| l.strip_prefix("Then passed: `"))
            .and_then(|l| l.strip_suffix('`'));
        if let Some(better) = passed_with.filter(|p| failed_here && *p != normalized) {
            return Ok(Verdict::Ask(format!(
                "sk: `{normalized}` failed before (known mistake #{}, confidence {:.2}): {}. What worked instead: \
                 `{better}`. Details: sk show {}",
                hit.id, hit.confidence, hit.title, hit.id
            )));
        }
    }
    Ok(Verdict::Pass(String::new()))
}

/// Distinctive lowercase words of `text`, in order of first appearance.
fn key_terms(text: &str, max: usize) -> Vec<String> {
    let head: String = text.chars().take(ERROR_HEAD).collect();
    let mut out: Vec<String> = Vec::new();
    for w in head.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        let w = w.to_lowercase();
        if w.chars().count() < 3
            || w.chars().all(|c| c.is_ascii_digit())
            || STOP.contains(&w.as_str())
            || out.contains(&w)
        {
            continue;
        }
        out.push(w);
        if out.len() == max {
            break;
        }
    }
    out
}

fn program_of(command: &str) -> Option<String> {
    super::shell::parse(command)
        .into_iter()
        .find(|s| !matches!(s.program(), "cd" | "export" | "source" | "set"))
        .map(|s| s.program().to_lowercase())
        .filter(|p| !p.is_empty())
}

fn subcommand_of(command: &str) -> Option<String> {
    let first = super::shell::parse(command)
        .into_iter()
        .find(|s| !matches!(s.program(), "cd" | "export" | "source" | "set"))?;
    first
        .args()
        .iter()
        .find(|a| !a.starts_with('-'))
        .filter(|a| a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .map(|a| a.to_lowercase())
}

fn base_name(path: &str) -> Option<String> {
    path.rsplit(['/', '\\'])
        .next()
        .filter(|b| !b.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_terms_skip_noise() {
        assert_eq!(
            key_terms("error[E0433]: failed to resolve: use of undeclared crate or module `tokio` at line 12", 5),
            vec!["e0433", "resolve", "undeclared", "crate", "module"]
        );
        assert_eq!(program_of("cd /r && RUST_LOG=1 cargo test -p x").as_deref(), Some("cargo"));
        assert_eq!(subcommand_of("cargo --locked build -p x").as_deref(), Some("build"));
    }
}
