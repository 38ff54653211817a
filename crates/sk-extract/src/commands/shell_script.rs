//! A command that only hands one quoted script to another shell, as an agent on Windows or
//! in a sandbox writes it: the script is the command it runs.

use std::sync::LazyLock;

use regex::Regex;

/// A command that only hands one quoted script to another shell (`powershell -Command
/// "net localgroup …"`, `bash -c '…'`, `cmd /c "…"`), as an agent on Windows or in a
/// sandbox writes it: the script is the command. Codex's argv form is unwrapped at ingest.
static SHELL_SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)^\s*(?:(?:powershell|pwsh)(?:\.exe)?(?:\s+-(?:NoProfile|NonInteractive|NoLogo|ExecutionPolicy\s+\w+))*\s+-(?:Command|c)|(?:bash|sh|zsh)(?:\.exe)?(?:\s+-[a-z]+)*?\s+-[a-z]*c|cmd(?:\.exe)?(?:\s+/[dsqk])*\s+/c)\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*$"#,
    )
    .expect("static regex")
});

/// The script a command hands to another shell, when that is all it does.
pub(super) fn shell_script(command: &str) -> Option<String> {
    let c = SHELL_SCRIPT.captures(command)?;
    match (c.get(1), c.get(2)) {
        (Some(double), _) => Some(double.as_str().replace("\\\"", "\"")),
        (_, Some(single)) => Some(single.as_str().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::normalize_command;

    #[test]
    fn a_script_handed_to_another_shell_is_the_command() {
        assert_eq!(
            normalize_command("powershell -Command \"net localgroup docker-users \\\"me\\\" /add\""),
            "net localgroup docker-users \"me\" /add"
        );
        assert_eq!(normalize_command("bash -lc 'cargo test -p a'"), "cargo test -p a");
        assert_eq!(normalize_command("cmd /c \"dir C:\\Users\""), "dir C:\\Users");
        // With the options agents add: an execution policy, `set -e` as a flag, cmd's /s.
        assert_eq!(
            normalize_command("powershell -NoProfile -ExecutionPolicy Bypass -Command \"Get-ChildItem\""),
            "Get-ChildItem"
        );
        assert_eq!(normalize_command("bash -ec 'make test'"), "make test");
        assert_eq!(normalize_command("bash -l -c 'make test'"), "make test");
        assert_eq!(normalize_command("cmd /s /c \"dir\""), "dir");
        // A flag that takes the script from elsewhere is not a script handed over.
        assert_eq!(normalize_command("bash -x 'run.sh'"), "bash -x 'run.sh'");
        // Anything around the script keeps the command as written.
        assert_eq!(
            normalize_command("bash -c 'make' && echo done"),
            "bash -c 'make' && echo done"
        );
    }
}
