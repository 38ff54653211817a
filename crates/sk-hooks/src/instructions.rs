//! Copilot CLI ignores what a sessionStart hook prints, so its briefing goes where Copilot
//! reads standing context: a marked section of `$COPILOT_HOME/copilot-instructions.md`.
//! Only the text between sk's two marker lines is ever replaced; the user's own text stays
//! byte for byte. Planning is pure ([`plan`]); [`apply`] backs the file up once and writes
//! atomically. A file with a damaged section (one marker without the other) is left alone.

use std::fs;
use std::path::Path;

use sk_provision::atomic;

use crate::HookError;

pub const BEGIN: &str = "<!-- sk:briefing:begin (written by `sk hooks run sessionStart`; replaced at every session start — edit outside this section) -->";
pub const END: &str = "<!-- sk:briefing:end -->";
const BEGIN_PREFIX: &str = "<!-- sk:briefing:begin";

/// The file's new content with the section set to `body`; None when `existing` holds an
/// unmatched marker (sk will not guess where its section ends).
pub fn plan(existing: Option<&str>, body: &str) -> Option<String> {
    let section = format!("{BEGIN}\n{}\n{END}\n", body.trim_end());
    let Some(text) = existing.filter(|t| !t.is_empty()) else {
        return Some(section);
    };
    match (text.split_once(BEGIN_PREFIX), text.split_once(END)) {
        (Some((before, _)), Some((up_to_end, after))) if before.len() < up_to_end.len() => {
            let after = after.strip_prefix('\n').unwrap_or(after);
            Some(format!("{before}{section}{after}"))
        }
        (None, None) => {
            let sep = if text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Some(format!("{text}{sep}{section}"))
        }
        _ => None,
    }
}

/// Writes the section into `path`. The first time sk touches an existing file it keeps a
/// copy as `copilot-instructions.md.sk-backup`. An empty body only empties a section that
/// is there: a missing file, or the user's own file without sk's section, is left alone.
pub fn apply(path: &Path, body: &str) -> Result<bool, HookError> {
    let existing = match fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(HookError::io(path)(e)),
    };
    if body.trim().is_empty() && !existing.as_deref().is_some_and(|t| t.contains(BEGIN_PREFIX)) {
        return Ok(false);
    }
    let Some(next) = plan(existing.as_deref(), body) else {
        return Err(HookError::BadFile {
            path: path.to_path_buf(),
            detail: format!(
                "it has one of sk's section markers without the other; fix or remove `{END}` by hand"
            ),
        });
    };
    if existing.as_deref() == Some(next.as_str()) {
        return Ok(false);
    }
    if let Some(old) = &existing {
        let backup = sk_core::paths::sidecar(path, ".sk-backup");
        if !old.contains(BEGIN_PREFIX) && !backup.exists() {
            atomic::write(&backup, old.as_bytes(), None)?;
        }
    }
    atomic::write(path, next.as_bytes(), None)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_section_only_empties_one_that_is_there() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("copilot-instructions.md");
        assert!(!apply(&path, "").expect("no file"), "nothing written for nothing");
        assert!(!path.exists());
        std::fs::write(&path, "# My rules\n").expect("user file");
        assert!(!apply(&path, "").expect("user file"));
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "# My rules\n");
        assert!(!dir.path().join("copilot-instructions.md.sk-backup").exists());
        assert!(apply(&path, "zanzibar").expect("write"));
        assert!(apply(&path, "").expect("empty it"));
        assert!(!std::fs::read_to_string(&path).expect("read").contains("zanzibar"));
    }

    #[test]
    fn only_the_section_changes() {
        let first = plan(None, "brief 1").expect("new");
        assert_eq!(first, format!("{BEGIN}\nbrief 1\n{END}\n"));
        let user = "# My rules\n\nAlways use tabs.";
        let added = plan(Some(user), "brief 1").expect("append");
        assert!(added.starts_with("# My rules\n\nAlways use tabs.\n\n<!-- sk:briefing:begin"));
        let with_tail = format!("{added}\nMore of my rules.\n");
        let replaced = plan(Some(&with_tail), "brief 2").expect("replace");
        assert_eq!(replaced, with_tail.replace("brief 1", "brief 2"));
        assert_eq!(
            plan(Some(&replaced), "brief 2").as_deref(),
            Some(replaced.as_str()),
            "idempotent"
        );
        assert_eq!(plan(Some(&format!("x\n{END}\n")), "b"), None);
        assert_eq!(plan(Some(&format!("{BEGIN}\nno end")), "b"), None);
    }

    #[test]
    fn multibyte_text_around_the_section_is_kept() {
        let user = format!("# Règles — é\n{BEGIN}\nold\n{END}\nü—\n");
        assert_eq!(
            plan(Some(&user), "brief").as_deref(),
            Some(format!("# Règles — é\n{BEGIN}\nbrief\n{END}\nü—\n").as_str())
        );
        assert_eq!(plan(Some(&format!("é{END}—{BEGIN}")), "b"), None);
    }

    #[test]
    fn apply_backs_up_once_and_keeps_user_text() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("copilot-instructions.md");
        fs::write(&path, "mine\n").expect("user file");
        assert!(apply(&path, "one").expect("apply"));
        assert!(!apply(&path, "one").expect("unchanged"));
        assert!(apply(&path, "two").expect("apply"));
        let backup = dir.path().join("copilot-instructions.md.sk-backup");
        assert_eq!(fs::read_to_string(backup).expect("backup"), "mine\n");
        let now = fs::read_to_string(&path).expect("read");
        assert!(now.starts_with("mine\n\n") && now.contains("\ntwo\n") && !now.contains("one"));
    }
}
