//! Which folder a shell command ran in, for the lesson "the same command passed run from
//! another folder": a `cd X &&` before it, else where the session's shell was. Claude
//! Code's and Copilot's shells persist between calls, so an earlier `cd` moves every later
//! command — within the project: Claude Code moves the shell back when a `cd` leaves it
//! ("Shell cwd was reset to …"). Codex starts each command afresh in the session's folder.
//! A folder sk cannot know (`cd "$(git rev-parse --show-toplevel)"`, `cd -`) is unknown.

use sk_core::Agent;

use crate::SessionContext;
use crate::commands::leading_cd;
use crate::text::relativize;

/// A folder as the session sees it: relative to its working folder, `""` for the working
/// folder itself, `.` and `..` resolved, Windows separators as `/`; an absolute folder
/// outside the project stays absolute. `None` when the shell computes it.
pub(super) fn key(ctx: &SessionContext, base: &str, folder: &str) -> Option<String> {
    if folder.contains(['$', '`']) || folder == "-" || folder.starts_with('~') {
        return None;
    }
    let slashed = |p: &str| p.replace('\\', "/");
    let cwd = ctx.cwd.map(slashed);
    let folder = slashed(folder);
    let folder = match folder.trim_end_matches('/') {
        // `cd /` is the file system's root, not the project's.
        "" if folder.starts_with('/') => return Some("/".into()),
        trimmed => trimmed.to_string(),
    };
    let is_root = |f: &str| f.is_empty() || f == "." || relativize(&format!("{f}/x"), cwd.as_deref()) == "x";
    if is_root(&folder) {
        return Some(String::new());
    }
    let relative = relativize(&folder, cwd.as_deref());
    let joined = if is_absolute(&relative) || base.is_empty() {
        relative
    } else {
        format!("{base}/{relative}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." if !parts.is_empty() => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// `/x`, or a Windows drive (`E:/x`).
fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    path.starts_with('/')
        || (chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.next() == Some(':'))
}

/// Where the session's shell is, call after call: `None` once sk cannot know.
#[derive(Debug)]
pub(super) struct ShellFolder {
    here: Option<String>,
}

impl Default for ShellFolder {
    fn default() -> Self {
        ShellFolder {
            here: Some(String::new()),
        }
    }
}

impl ShellFolder {
    /// Notes a shell command; returns the folder it ran in.
    pub(super) fn ran(&mut self, ctx: &SessionContext, command: &str) -> Option<String> {
        let here = if ctx.agent == Agent::Codex {
            Some(String::new())
        } else {
            self.here.clone()
        };
        let Some(to) = leading_cd(command) else {
            return here;
        };
        let ran_in = here.and_then(|h| key(ctx, &h, &to));
        // Outside the project, Claude Code moves the shell back to it.
        let stays = ran_in.as_deref().is_none_or(|k| !is_absolute(k));
        if ctx.agent != Agent::Codex && stays {
            self.here.clone_from(&ran_in);
        }
        ran_in
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(agent: Agent, cwd: &'static str) -> SessionContext<'static> {
        SessionContext {
            agent,
            session: "s",
            repo: None,
            cwd: Some(cwd),
        }
    }

    fn k(c: &SessionContext, base: &str, folder: &str) -> Option<String> {
        key(c, base, folder)
    }

    #[test]
    fn folders_are_keyed_from_the_working_folder() {
        let c = ctx(Agent::Claude, "/work/app");
        for (base, folder, want) in [
            ("", "/work/app", Some("")),
            ("", "/work/app/", Some("")),
            ("", ".", Some("")),
            ("", "/work/app/web", Some("web")),
            ("", "web", Some("web")),
            ("web", "src", Some("web/src")),
            ("web/src", "..", Some("web")),
            ("", "/tmp/x", Some("/tmp/x")),
            ("", "/", Some("/")),
            ("", "\"$(git rev-parse --show-toplevel)\"", None),
            ("", "-", None),
            ("", "~/app", None),
        ] {
            assert_eq!(k(&c, base, folder).as_deref(), want, "{base} {folder}");
        }
    }

    #[test]
    fn windows_folders_are_keyed_whatever_the_separator() {
        let c = ctx(Agent::Claude, "C:\\Users\\me\\app");
        for (base, folder, want) in [
            ("", "C:\\Users\\me\\app\\", ""),
            ("", "C:/Users/me/app", ""),
            ("", "C:\\Users\\me\\app\\web", "web"),
            ("web", "E:/data", "E:/data"),
        ] {
            assert_eq!(k(&c, base, folder).as_deref(), Some(want), "{base} {folder}");
        }
    }

    #[test]
    fn a_persistent_shell_remembers_its_cd_within_the_project_and_codex_does_not() {
        let c = ctx(Agent::Claude, "/work/app");
        let mut claude = ShellFolder::default();
        assert_eq!(claude.ran(&c, "cd web && ls").as_deref(), Some("web"));
        assert_eq!(claude.ran(&c, "npm test").as_deref(), Some("web"));
        assert_eq!(claude.ran(&c, "cd /work/app && npm test").as_deref(), Some(""));
        // Outside the project: Claude Code resets the shell to it.
        assert_eq!(claude.ran(&c, "cd /tmp && git clone x").as_deref(), Some("/tmp"));
        assert_eq!(claude.ran(&c, "npm test").as_deref(), Some(""));
        // A folder the shell computes: unknown from then on.
        assert_eq!(
            claude.ran(&c, "cd \"$(git rev-parse --show-toplevel)\" && ls"),
            None
        );
        assert_eq!(claude.ran(&c, "npm test"), None);
        let x = ctx(Agent::Codex, "/work/app");
        let mut codex = ShellFolder::default();
        assert_eq!(codex.ran(&x, "cd web && ls").as_deref(), Some("web"));
        assert_eq!(codex.ran(&x, "npm test").as_deref(), Some(""));
    }
}
