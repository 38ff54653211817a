//! While a sub-agent marker is active for the repository, tool calls may not commit or
//! push: the dispatching agent reviews a sub-agent's work and commits it itself.

use super::shell;
use super::{Ctx, Verdict};
use crate::marker::{self, Status};
use crate::{HookError, gitroot};

pub fn run(ctx: &Ctx<'_>) -> Result<Verdict, HookError> {
    let Some(command) = ctx.inv.tool.as_ref().and_then(|t| t.command()) else {
        return Ok(Verdict::Pass(String::new()));
    };
    let Some(sub) = git_commit_or_push(command) else {
        return Ok(Verdict::Pass(String::new()));
    };
    let Some(repo) = ctx.cwd().and_then(|c| gitroot::find(&c)) else {
        return Ok(Verdict::Pass("not in a git repository".into()));
    };
    match marker::status(ctx.paths, &repo.root, ctx.now_ms) {
        Status::Active(m) => Ok(Verdict::Deny(format!(
            "sk sub-agent guard: a sub-agent was dispatched in {root} (marker set {set}, expires {until}); \
             sub-agents must not `git {sub}` — leave your changes uncommitted and report back, the dispatching \
             agent reviews and commits them. If no sub-agent is running any more, clear the marker with: \
             sk hooks marker clear --repo {root}",
            root = repo.root.display(),
            set = sk_core::time::format_ms(m.set_ms),
            until = sk_core::time::format_ms(m.until_ms),
        ))),
        Status::Invalid(why) => Ok(Verdict::Pass(format!("ignored marker: {why}"))),
        Status::Expired(_) => Ok(Verdict::Pass("marker expired".into())),
        Status::None => Ok(Verdict::Pass(String::new())),
    }
}

/// `commit` or `push` when any simple command of `command` is one.
fn git_commit_or_push(command: &str) -> Option<&'static str> {
    shell::parse(command)
        .iter()
        .filter(|s| s.program() == "git")
        .find_map(|s| {
            let args = s.args();
            let mut i = 0;
            while let Some(a) = args.get(i) {
                match a.as_str() {
                    "-C" | "-c" | "--git-dir" | "--work-tree" => i += 2,
                    a if a.starts_with('-') => i += 1,
                    "commit" => return Some("commit"),
                    "push" => return Some("push"),
                    _ => return None,
                }
            }
            None
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_commit_and_push_only() {
        assert_eq!(
            git_commit_or_push("git add -A && git commit -m x"),
            Some("commit")
        );
        assert_eq!(git_commit_or_push("git -C repo push origin x"), Some("push"));
        assert_eq!(git_commit_or_push("git log --grep commit"), None);
        assert_eq!(git_commit_or_push("echo git commit"), None);
    }
}
