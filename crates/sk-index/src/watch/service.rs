//! `sk watch --install-service`: the text of a systemd user unit (Linux) or a launchd agent
//! (macOS) that runs `sk watch` in the foreground and restarts it if it dies. Pure text
//! here; the CLI writes it (atomically) and prints how to enable it — sk never runs
//! systemctl or launchctl for the user.

use std::path::{Path, PathBuf};

use sk_core::Paths;

/// Which service manager a platform uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Systemd,
    Launchd,
}

impl Manager {
    pub fn for_this_platform() -> Option<Manager> {
        match std::env::consts::OS {
            "linux" => Some(Manager::Systemd),
            "macos" => Some(Manager::Launchd),
            _ => None,
        }
    }

    pub fn file(self, paths: &Paths) -> PathBuf {
        match self {
            Manager::Systemd => paths.systemd_unit(),
            Manager::Launchd => paths.launchd_plist(),
        }
    }

    /// What the user runs to start it now and at every login.
    pub fn enable_hint(self, file: &Path) -> String {
        match self {
            Manager::Systemd => {
                "systemctl --user daemon-reload && systemctl --user enable --now sk-watch.service".into()
            }
            Manager::Launchd => format!("launchctl load -w {}", file.display()),
        }
    }

    pub fn disable_hint(self, file: &Path) -> String {
        match self {
            Manager::Systemd => "systemctl --user disable --now sk-watch.service".into(),
            Manager::Launchd => format!("launchctl unload -w {}", file.display()),
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// systemd quotes arguments with double quotes and backslash escapes.
fn systemd_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The service definition running `sk_bin watch` with this home's environment.
pub fn definition(manager: Manager, sk_bin: &Path, paths: &Paths) -> String {
    let bin = sk_bin.to_string_lossy();
    let home = paths.home.to_string_lossy();
    match manager {
        Manager::Systemd => format!(
            "# Written by `sk watch --install-service`; `sk watch --uninstall-service` removes it.\n\
             [Unit]\n\
             Description=sk watch: live capture of AI coding agent sessions\n\n\
             [Service]\n\
             Environment={}\n\
             ExecStart={} watch\n\
             Restart=on-failure\n\
             RestartSec=5\n\n\
             [Install]\n\
             WantedBy=default.target\n",
            systemd_quote(&format!("HOME={home}")),
            systemd_quote(&bin)
        ),
        Manager::Launchd => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <!-- Written by `sk watch --install-service`; `sk watch --uninstall-service` removes it. -->\n\
             <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
             <plist version=\"1.0\">\n<dict>\n\
             \x20 <key>Label</key><string>dev.sk.watch</string>\n\
             \x20 <key>ProgramArguments</key><array><string>{}</string><string>watch</string></array>\n\
             \x20 <key>EnvironmentVariables</key><dict><key>HOME</key><string>{}</string></dict>\n\
             \x20 <key>RunAtLoad</key><true/>\n\
             \x20 <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>\n\
             </dict>\n</plist>\n",
            xml_escape(&bin),
            xml_escape(&home)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_run_the_installed_binary_in_this_home() {
        let p = Paths::resolve(&sk_core::env::MapEnv(vec![("HOME", "/h me".into())]), None).expect("paths");
        let unit = definition(Manager::Systemd, Path::new("/h me/.copilot/bin/sk"), &p);
        assert!(
            unit.contains("ExecStart=\"/h me/.copilot/bin/sk\" watch\n"),
            "{unit}"
        );
        assert!(unit.contains("Environment=\"HOME=/h me\""));
        let plist = definition(Manager::Launchd, Path::new("/a&b/sk"), &p);
        assert!(plist.contains("<string>/a&amp;b/sk</string><string>watch</string>"));
    }
}
