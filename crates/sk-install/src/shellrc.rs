//! The marked block `sk install --add-to-path` puts in the user's shell rc file. The markers
//! make adding idempotent and let `sk uninstall` take out exactly what was added; the rest
//! of the file is the user's and is never rewritten.

use std::path::Path;

pub const BEGIN: &str =
    "# >>> sk: its bin folder on PATH (added by `sk install --add-to-path`; `sk uninstall` removes it) >>>";
pub const END: &str = "# <<< sk <<<";

/// `'it'\''s'`: a POSIX single-quoted word, safe for any folder name.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The block for `bin_dir`, in the syntax of the rc file's shell.
pub fn block(rc: &Path, bin_dir: &Path) -> String {
    let dir = sh_quote(&bin_dir.to_string_lossy());
    let line = if rc.extension().is_some_and(|e| e == "fish") {
        format!("fish_add_path --path {dir}")
    } else {
        format!("case \":$PATH:\" in *:{dir}:*) ;; *) export PATH={dir}:\"$PATH\" ;; esac")
    };
    format!("{BEGIN}\n{line}\n{END}\n")
}

/// The rc text around the block, if present: (before, the block with its final newline,
/// after).
fn split(text: &str) -> Option<(&str, &str, &str)> {
    let (before, rest) = text.split_at_checked(text.find(BEGIN)?)?;
    let (inside, _) = rest.split_once(END)?;
    let mut len = inside.len() + END.len();
    if rest.get(len..).is_some_and(|after| after.starts_with('\n')) {
        len += 1;
    }
    let (block, after) = rest.split_at_checked(len)?;
    Some((before, block, after))
}

pub fn has_block(text: &str) -> bool {
    split(text).is_some()
}

/// The rc text with `block` in it, or None when it is already there exactly.
pub fn with_block(text: &str, block: &str) -> Option<String> {
    match split(text) {
        Some((_, current, _)) if current == block => None,
        Some((before, _, after)) => Some(format!("{before}{block}{after}")),
        None => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            Some(format!("{text}{sep}{block}"))
        }
    }
}

/// The rc text without the block, or None when it has none.
pub fn without_block(text: &str) -> Option<String> {
    split(text).map(|(before, _, after)| format!("{before}{after}"))
}

/// True when `dir` is one of the folders in a PATH value.
pub fn on_path(path_var: Option<&std::ffi::OsStr>, dir: &Path) -> bool {
    path_var.is_some_and(|p| std::env::split_paths(p).any(|d| d == dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_is_idempotent_and_removing_restores_the_users_text() {
        let rc = Path::new("/h/.bashrc");
        let b = block(rc, Path::new("/h/it's/bin"));
        assert!(b.contains(r"'/h/it'\''s/bin'"), "{b}");
        let user = "alias ll='ls -l'\nexport EDITOR=vi";
        let once = with_block(user, &b).expect("added");
        assert!(once.starts_with("alias ll='ls -l'\nexport EDITOR=vi\n# >>> sk"));
        assert_eq!(with_block(&once, &b), None, "second add changes nothing");
        assert_eq!(
            without_block(&once).as_deref(),
            Some("alias ll='ls -l'\nexport EDITOR=vi\n")
        );
        assert_eq!(without_block(user), None);
        let accented = format!("# é—ü\n{once}export NOTE='naïve — ü'");
        assert_eq!(
            without_block(&accented).as_deref(),
            Some("# é—ü\nalias ll='ls -l'\nexport EDITOR=vi\nexport NOTE='naïve — ü'")
        );
        assert_eq!(with_block(&accented, &b), None);
        let fish = block(Path::new("/h/.config/fish/config.fish"), Path::new("/h/bin"));
        assert!(fish.contains("fish_add_path --path '/h/bin'"));
    }

    #[test]
    fn the_sh_block_puts_the_folder_on_path_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let rc = dir.path().join(".profile");
        let bin = dir.path().join("b in");
        std::fs::write(&rc, block(&rc, &bin)).expect("rc");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(". \"$RC\"; . \"$RC\"; printf '%s' \"$PATH\"")
            .env("RC", &rc)
            .env("PATH", "/usr/bin:/bin")
            .output()
            .expect("sh");
        let path = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(path, format!("{}:/usr/bin:/bin", bin.display()));
    }

    #[test]
    fn on_path_compares_whole_entries() {
        let p = std::ffi::OsString::from("/a/bin:/b");
        assert!(on_path(Some(&p), Path::new("/a/bin")));
        assert!(!on_path(Some(&p), Path::new("/a")));
        assert!(!on_path(None, Path::new("/a")));
    }
}
