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
use sk_query::stopwords::is_error_noise;
use sk_store::{knowledge, search};

use super::{Ctx, Verdict};
use crate::HookError;

/// Candidates read back from the FTS ranking.
const CANDIDATES: usize = 6;
/// Words of the error that go into the query: its head is the distinctive part.
const ERROR_TERMS: usize = 12;
/// Characters of the error looked at.
const ERROR_HEAD: usize = 800;
/// Distinctive words of the error that go into the FTS query.
const PROBE_TERMS: usize = 4;

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
    let mut probe = distinctive(error, PROBE_TERMS);
    // An error that is only an exit code ("Exit code 49": `python3` as the Windows store
    // alias) is looked up by the program and the code: a lesson such as "passed with
    // `python`, not `python3`" states its fix whatever the error said.
    let bare_exit = probe
        .is_empty()
        .then(|| bare_exit_code(error))
        .flatten()
        .zip(program.clone());
    if let Some((code, program)) = &bare_exit {
        probe = vec![program.clone(), code.clone()];
    }
    if probe.is_empty() {
        return Ok(Verdict::Pass("no words to search for".into()));
    }
    let store = ctx.db()?;
    let conn = store.conn();
    // AND of the error's most distinctive words, then of fewer: an AND with one rare word
    // is cheap whatever the others, and it keeps FTS5 from scoring half the table.
    let mut hits = Vec::new();
    for n in [probe.len(), 2, 1] {
        if n > probe.len() {
            continue;
        }
        let Some(fts) = search::fts_query(&probe[..n].join(" "), false) else {
            continue;
        };
        hits = search::entries(
            conn,
            Some(&fts),
            Some(Category::Mistake.as_str()),
            // The floor inside the query, so entries under it never take a candidate's
            // place (and pinned ones pass it, as everywhere).
            &search::Filters {
                min_confidence: Some(ctx.config.lookup.min_confidence),
                ..search::Filters::default()
            },
            CANDIDATES,
        )
        .map_err(HookError::query)?;
        if !hits.is_empty() {
            break;
        }
    }
    let mut fixes = Vec::new();
    for hit in &hits {
        let Some(text) = knowledge::entry_text(conn, hit.id).map_err(HookError::query)? else {
            continue;
        };
        let lower = text.to_lowercase();
        let shared = error_terms.iter().filter(|t| lower.contains(t.as_str())).count();
        let same_program = program
            .as_ref()
            .is_some_and(|p| lower.contains(&format!("`{p}")) || lower.contains(&format!("{p} ")));
        let same_file = files.iter().any(|f| lower.contains(&f.to_lowercase()));
        // Precision first: the entry must share the error's words, and the program or file
        // unless it shares many of them; a bare exit code, the same code and program.
        let needed = error_terms.len().min(2);
        let matches = match &bare_exit {
            Some((code, _)) => same_program && lower.contains(&format!("exit code {code}")),
            None => shared >= needed.max(1) && (same_program || same_file || shared >= 4),
        };
        if matches {
            fixes.push((hit, text));
        }
        if fixes.len() >= ctx.config.lookup.max_fixes {
            break;
        }
    }
    if fixes.is_empty() {
        return Ok(Verdict::Pass(format!(
            "no known mistake matched ({} candidates)",
            hits.len()
        )));
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
    let Some(program) = program_of(&normalized) else {
        return Ok(Verdict::Pass(String::new()));
    };
    // The extractor titles a corrected command "`prog`: command not found; `other` worked":
    // a title-only AND on those words is a narrow, cheap probe, run before every command.
    let Some(fts) = search::title_query(&[program.as_str(), "command", "found"]) else {
        return Ok(Verdict::Pass(String::new()));
    };
    let store = ctx.db()?;
    let conn = store.conn();
    let hits = search::entries(
        conn,
        Some(&fts),
        Some(Category::Mistake.as_str()),
        &search::Filters {
            min_confidence: Some(ctx.config.lookup.warn_min_confidence),
            ..search::Filters::default()
        },
        5,
    )
    .map_err(HookError::query)?;
    let failed_line = format!("Failed: `{normalized}`");
    for hit in &hits {
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
    for w in head.split(|c: char| !c.is_alphanumeric()) {
        let w = w.to_lowercase();
        if w.chars().count() < 3
            || w.chars().all(|c| c.is_ascii_digit())
            || is_error_noise(&w)
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

/// The words of an error most likely to single out one mistake: identifiers the message
/// quotes (`serde_yaml`, 'foo'), then codes mixing letters and digits (E0432), then longer
/// words before shorter ones; noise words never.
fn distinctive(text: &str, max: usize) -> Vec<String> {
    let head: String = text.chars().take(ERROR_HEAD).collect();
    let mut scored: Vec<(u8, usize, usize, String)> = Vec::new();
    let mut quoted = false;
    let mut word = String::new();
    let mut position = 0;
    let mut flush = |word: &mut String, quoted: bool, scored: &mut Vec<(u8, usize, usize, String)>| {
        let w = std::mem::take(word).to_lowercase();
        if w.chars().count() < 3 || w.chars().all(|c| c.is_ascii_digit()) || is_error_noise(&w) {
            return;
        }
        if scored.iter().any(|s| s.3 == w) {
            return;
        }
        let mixed = w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic);
        let class = if quoted {
            0
        } else if mixed {
            1
        } else {
            2
        };
        position += 1;
        scored.push((class, usize::MAX - w.chars().count(), position, w));
    };
    for c in head.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, quoted, &mut scored);
            if matches!(c, '`' | '\'' | '"') {
                quoted = !quoted;
            }
        }
    }
    flush(&mut word, quoted, &mut scored);
    scored.sort();
    scored.into_iter().take(max).map(|s| s.3).collect()
}

/// The code of an error that says nothing but a non-zero exit code ("Exit code 49",
/// "exit code: 2").
fn bare_exit_code(error: &str) -> Option<String> {
    let lower = error.trim().to_lowercase();
    let code = lower.strip_prefix("exit code")?.trim_start_matches([':', ' ']);
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_digit()) && code != "0").then(|| code.to_string())
}

fn program_of(command: &str) -> Option<String> {
    super::shell::parse(command)
        .into_iter()
        .find(|s| !matches!(s.program(), "cd" | "export" | "source" | "set"))
        .map(|s| s.program().to_lowercase())
        .filter(|p| !p.is_empty())
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
    fn only_a_bare_non_zero_exit_code_is_one() {
        assert_eq!(bare_exit_code("Exit code 49").as_deref(), Some("49"));
        assert_eq!(bare_exit_code("exit code: 2\n").as_deref(), Some("2"));
        assert_eq!(bare_exit_code("Exit code 0"), None);
        assert_eq!(bare_exit_code("Exit code 1\nerror: no such table"), None);
        assert_eq!(bare_exit_code("failed"), None);
    }

    #[test]
    fn key_terms_skip_noise() {
        assert_eq!(
            key_terms(
                "error[E0433]: failed to resolve: use of undeclared crate `tokio_util` at line 12",
                6
            ),
            vec!["e0433", "resolve", "undeclared", "crate", "tokio", "util"]
        );
        assert_eq!(
            program_of("cd /r && RUST_LOG=1 cargo test -p x").as_deref(),
            Some("cargo")
        );
        assert_eq!(
            distinctive(
                "error[E0432]: unresolved import `serde_yaml`\n --> src/settings.rs:1:5",
                4
            ),
            vec!["serde", "yaml", "e0432", "unresolved"]
        );
    }
}
