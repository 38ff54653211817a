//! Which folder a shell command ran in, for the lesson "the same command passed run from
//! another folder": a `cd X &&` before it, else where the session's shell was. Claude
//! Code's and Copilot's shells persist between calls, so an earlier `cd` moves every later
//! command; Codex starts each command afresh in the session's folder.

use sk_core::Agent;

use crate::SessionContext;
use crate::commands::leading_cd;
use crate::text::relativize;

/// A folder as the session sees it: relative to its working folder, `""` for the working
/// folder itself, components `.` and `..` resolved.
pub(super) fn key(ctx: &SessionContext, base: &str, folder: &str) -> String {
    let folder = folder.trim_end_matches('/');
    let is_root = |f: &str| f.is_empty() || f == "." || relativize(&format!("{f}/x"), ctx.cwd) == "x";
    if is_root(folder) {
        return String::new();
    }
    let relative = relativize(folder, ctx.cwd);
    let joined = if relative.starts_with('/') || relative.starts_with('~') || base.is_empty() {
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
    parts.join("/")
}

/// Where the session's shell is, call after call.
#[derive(Debug, Default)]
pub(super) struct ShellFolder {
    here: String,
}

impl ShellFolder {
    /// Notes a shell command; returns the folder it ran in.
    pub(super) fn ran(&mut self, ctx: &SessionContext, command: &str) -> String {
        let Some(to) = leading_cd(command) else {
            return self.here_for(ctx);
        };
        let ran_in = key(ctx, &self.here_for(ctx), &to);
        if ctx.agent != Agent::Codex {
            self.here.clone_from(&ran_in);
        }
        ran_in
    }

    fn here_for(&self, ctx: &SessionContext) -> String {
        if ctx.agent == Agent::Codex {
            String::new()
        } else {
            self.here.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(agent: Agent) -> SessionContext<'static> {
        SessionContext {
            agent,
            session: "s",
            repo: None,
            cwd: Some("/work/app"),
        }
    }

    #[test]
    fn folders_are_keyed_from_the_working_folder() {
        let c = ctx(Agent::Claude);
        assert_eq!(key(&c, "", "/work/app"), "");
        assert_eq!(key(&c, "", "/work/app/"), "");
        assert_eq!(key(&c, "", "."), "");
        assert_eq!(key(&c, "", "/work/app/web"), "web");
        assert_eq!(key(&c, "", "web"), "web");
        assert_eq!(key(&c, "web", "src"), "web/src");
        assert_eq!(key(&c, "web/src", ".."), "web");
        assert_eq!(key(&c, "", "/tmp/x"), "/tmp/x");
    }

    #[test]
    fn a_persistent_shell_remembers_its_cd_and_codex_does_not() {
        let mut claude = ShellFolder::default();
        let c = ctx(Agent::Claude);
        assert_eq!(claude.ran(&c, "cd web && ls"), "web");
        assert_eq!(claude.ran(&c, "npm test"), "web");
        assert_eq!(claude.ran(&c, "cd /work/app && npm test"), "");
        let mut codex = ShellFolder::default();
        let x = ctx(Agent::Codex);
        assert_eq!(codex.ran(&x, "cd web && ls"), "web");
        assert_eq!(codex.ran(&x, "npm test"), "");
    }
}
