//! Git hooks: `pre-commit` and `pre-push` scripts that run `sk hooks git …` and then the
//! hook they replaced. A user's own hook is moved to `<name>.backup` and chained (run
//! afterwards with the same arguments and stdin, its exit code respected), so installing
//! sk never turns off anyone's checks; uninstalling moves it back byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ProvisionError;
use crate::plan::{Action, Plan};

/// The hooks sk installs.
pub const HOOKS: &[&str] = &["pre-commit", "pre-push"];

/// The line that marks a script as sk's.
const MARK: &str = "# sk-managed git hook";

/// The folder git runs hooks from for the repository at `repo`, honouring `core.hooksPath`.
pub fn hooks_dir(repo: &Path) -> Result<PathBuf, ProvisionError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .map_err(|e| ProvisionError::Git(format!("cannot run git: {e}; is git installed and on PATH?")))?;
    if !out.status.success() {
        return Err(ProvisionError::Git(format!(
            "{} is not inside a git repository ({}); pass --repo DIR",
            repo.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(PathBuf::from(dir))
}

/// The script for hook `name`: run sk's check (exit non-zero blocks), then the backup.
/// sk's check gets no stdin so that the chained hook still receives git's (pre-push reads
/// the refs being pushed from it). A missing sk binary lets the commit through: hooks fail
/// open, like the agent hooks.
pub fn script(sk: &Path, name: &str) -> String {
    let sk = sk.to_string_lossy().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n\
         {MARK}: runs sk's checks, then the hook it replaced ({name}.backup, if any).\n\
         # `sk git-hooks uninstall` removes this file and restores {name}.backup byte for byte.\n\
         sk_bin='{sk}'\n\
         if [ -x \"$sk_bin\" ]; then\n\
         \x20   \"$sk_bin\" hooks git {name} \"$@\" </dev/null || exit $?\n\
         fi\n\
         backup=\"$(dirname \"$0\")/{name}.backup\"\n\
         if [ -x \"$backup\" ]; then\n\
         \x20   exec \"$backup\" \"$@\"\n\
         fi\n\
         exit 0\n"
    )
}

pub fn is_sk_hook(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| {
        String::from_utf8_lossy(&b)
            .lines()
            .take(3)
            .any(|l| l.starts_with(MARK))
    })
}

pub fn backup_of(hook: &Path) -> PathBuf {
    sk_core::paths::sidecar(hook, ".backup")
}

/// Installs sk's hooks into `dir`.
pub fn install_plan(dir: &Path, sk: &Path) -> Result<Plan, ProvisionError> {
    let mut plan = Plan::default();
    for name in HOOKS {
        let path = dir.join(name);
        let wanted = script(sk, name);
        let purpose = format!("git {name} hook running sk's checks");
        let write = Action::Write {
            bytes: wanted.clone().into_bytes(),
            backup: None,
            mode: Some(0o755),
        };
        if !path.exists() {
            plan.push(&path, purpose, write);
        } else if is_sk_hook(&path) {
            let same = std::fs::read(&path).is_ok_and(|b| b == wanted.as_bytes());
            plan.push(&path, purpose, if same { Action::Unchanged } else { write });
        } else {
            let backup = backup_of(&path);
            if backup.exists() {
                return Err(ProvisionError::BackupExists { path, backup });
            }
            plan.push(
                &path,
                format!("your {name} hook, kept and run after sk's"),
                Action::Rename { to: backup },
            );
            plan.push(&path, purpose, write);
        }
    }
    Ok(plan)
}

/// Removes sk's hooks from `dir` and puts the user's back.
pub fn uninstall_plan(dir: &Path) -> Plan {
    let mut plan = Plan::default();
    for name in HOOKS {
        let path = dir.join(name);
        let backup = backup_of(&path);
        let ours = is_sk_hook(&path);
        if ours {
            plan.push(
                &path,
                format!("git {name} hook running sk's checks"),
                Action::Remove,
            );
        } else if path.exists() {
            plan.push(
                &path,
                format!("git {name} hook"),
                Action::LeftAlone {
                    reason: "not sk's".into(),
                },
            );
            continue;
        }
        if backup.exists() {
            plan.push(
                &backup,
                format!("your {name} hook, restored"),
                Action::Rename { to: path.clone() },
            );
        } else if !ours {
            plan.push(&path, format!("git {name} hook"), Action::Unchanged);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_quotes_the_binary_path_for_sh() {
        let s = script(Path::new("/home/o'neil/bin/sk"), "pre-commit");
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains("sk_bin='/home/o'\\''neil/bin/sk'\n"), "{s}");
        assert!(s.contains("\"$sk_bin\" hooks git pre-commit \"$@\" </dev/null || exit $?"));
        assert!(!s.contains('\r'), "LF only: sh on every platform");
    }
}
