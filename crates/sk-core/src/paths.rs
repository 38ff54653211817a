//! Every location sk reads or writes, resolved once from the environment (product.md §3).
//! Nothing else in the workspace computes a home-relative path: tests point `HOME` and the
//! agent variables at a temporary folder and the whole product follows.

use std::path::{Path, PathBuf};

use crate::env::{self, Source};

/// The home directory could not be determined.
#[derive(Debug, thiserror::Error)]
#[error("cannot find the home directory: set HOME (or USERPROFILE on Windows)")]
pub struct NoHome;

/// All resolved locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub home: PathBuf,
    /// `$COPILOT_HOME` or `~/.copilot`.
    pub copilot_home: PathBuf,
    /// `$CLAUDE_CONFIG_DIR` or `~/.claude`.
    pub claude_home: PathBuf,
    /// `$CODEX_HOME` or `~/.codex`.
    pub codex_home: PathBuf,
    /// Claude Code's own state file, which holds the user-scope `mcpServers`:
    /// `$CLAUDE_CONFIG_DIR/.claude.json` when that variable is set, else `~/.claude.json`.
    pub claude_config_file: PathBuf,
    /// The knowledge database: `--db`, else `$SK_DB`, else `<copilot_home>/session-state/knowledge.db`.
    pub db: PathBuf,
}

impl Paths {
    /// Resolves from the real process environment.
    pub fn from_env(db_flag: Option<PathBuf>) -> Result<Paths, NoHome> {
        Paths::resolve(&env::ProcessEnv, db_flag)
    }

    /// Resolves from any variable source; `db_flag` is the global `--db` option.
    pub fn resolve(src: &dyn Source, db_flag: Option<PathBuf>) -> Result<Paths, NoHome> {
        let home = src
            .get(env::HOME)
            .or_else(|| src.get(env::USERPROFILE))
            .map(PathBuf::from)
            .ok_or(NoHome)?;
        let under_home = |var, dir: &str| src.get(var).map(PathBuf::from).unwrap_or_else(|| home.join(dir));
        let copilot_home = under_home(env::COPILOT_HOME, ".copilot");
        let claude_home = under_home(env::CLAUDE_CONFIG_DIR, ".claude");
        let claude_config_file = match src.get(env::CLAUDE_CONFIG_DIR) {
            Some(dir) => PathBuf::from(dir).join(".claude.json"),
            None => home.join(".claude.json"),
        };
        let codex_home = under_home(env::CODEX_HOME, ".codex");
        let db = db_flag
            .or_else(|| src.get(env::SK_DB).map(PathBuf::from))
            .unwrap_or_else(|| copilot_home.join("session-state").join("knowledge.db"));
        Ok(Paths {
            home,
            copilot_home,
            claude_home,
            codex_home,
            claude_config_file,
            db,
        })
    }

    /// Copilot CLI per-session folders (`<id>/events.jsonl`, …).
    pub fn copilot_session_state(&self) -> PathBuf {
        self.copilot_home.join("session-state")
    }
    /// Legacy Copilot layout: one pretty-printed JSON per session.
    pub fn copilot_history_state(&self) -> PathBuf {
        self.copilot_home.join("history-session-state")
    }
    /// Copilot's own cross-session index (read-only, optional).
    pub fn copilot_session_store(&self) -> PathBuf {
        self.copilot_home.join("session-store.db")
    }
    /// Copilot hook registrations (`*.json`).
    pub fn copilot_hooks_dir(&self) -> PathBuf {
        self.copilot_home.join("hooks")
    }
    /// The hook registration file sk owns among Copilot's (every `*.json` there is loaded).
    pub fn copilot_sk_hooks_file(&self) -> PathBuf {
        self.copilot_hooks_dir().join("sk.json")
    }
    /// Claude Code transcripts.
    pub fn claude_projects(&self) -> PathBuf {
        self.claude_home.join("projects")
    }
    /// Claude Code user settings, where hooks are registered.
    pub fn claude_settings(&self) -> PathBuf {
        self.claude_home.join("settings.json")
    }
    /// Codex CLI rollouts, `YYYY/MM/DD/rollout-*.jsonl`.
    /// Codex CLI's configuration (`[mcp_servers.*]` among the user's settings).
    pub fn codex_config(&self) -> PathBuf {
        self.codex_home.join("config.toml")
    }

    /// Copilot CLI's MCP servers (`mcpServers`).
    pub fn copilot_mcp_config(&self) -> PathBuf {
        self.copilot_home.join("mcp-config.json")
    }

    pub fn codex_sessions(&self) -> PathBuf {
        self.codex_home.join("sessions")
    }
    /// Codex CLI hook registrations (shared with the user's own hooks).
    pub fn codex_hooks_file(&self) -> PathBuf {
        self.codex_home.join("hooks.json")
    }
    /// Codex CLI archived rollouts.
    pub fn codex_archived(&self) -> PathBuf {
        self.codex_home.join("archived_sessions")
    }
    /// Where `sk install` puts the binary.
    pub fn bin_dir(&self) -> PathBuf {
        self.copilot_home.join("bin")
    }
    /// Markers, audit log, pid and lock files.
    pub fn markers_dir(&self) -> PathBuf {
        self.copilot_home.join("markers")
    }
    /// The signed integrity manifest of locked hook files; present exactly while locked.
    pub fn hooks_lock_manifest(&self) -> PathBuf {
        self.markers_dir().join("hooks-lock.json")
    }
    /// The 0600 secret that signs sk's manifests and markers.
    pub fn secret_file(&self) -> PathBuf {
        self.markers_dir().join("sk.secret")
    }
    /// Durable inbox for `sk learn` while the database is busy.
    pub fn inbox_dir(&self) -> PathBuf {
        self.markers_dir().join("inbox")
    }
    /// The install manifest: every file `sk install` manages, with its hash and purpose.
    pub fn install_manifest(&self) -> PathBuf {
        self.markers_dir().join("install-manifest.json")
    }
    /// `sk watch`: held (OS lock) by the one running watcher of this home.
    pub fn watch_lock(&self) -> PathBuf {
        self.markers_dir().join("watch.lock")
    }
    /// `sk watch`: the running watcher's pid.
    pub fn watch_pid(&self) -> PathBuf {
        self.markers_dir().join("watch.pid")
    }
    /// `sk watch`: start time, last activity, last ingest and error count (JSON).
    pub fn watch_state(&self) -> PathBuf {
        self.markers_dir().join("watch.json")
    }
    /// `sk watch --daemon`: its log (rotated to `watch.log.1`).
    pub fn watch_log(&self) -> PathBuf {
        self.markers_dir().join("watch.log")
    }
    /// The systemd user unit `sk watch --install-service` writes on Linux.
    pub fn systemd_unit(&self) -> PathBuf {
        self.home.join(".config/systemd/user/sk-watch.service")
    }
    /// The launchd agent `sk watch --install-service` writes on macOS.
    pub fn launchd_plist(&self) -> PathBuf {
        self.home.join("Library/LaunchAgents/dev.sk.watch.plist")
    }
    /// The rc file of the user's shell (the file name of `$SHELL`), where
    /// `sk install --add-to-path` puts its block. Always under HOME.
    pub fn shell_rc(&self, shell: Option<&str>) -> PathBuf {
        let name = shell
            .and_then(|s| Path::new(s).file_name())
            .and_then(|n| n.to_str())
            .unwrap_or("");
        match name {
            "bash" => self.home.join(".bashrc"),
            "zsh" => self.home.join(".zshrc"),
            "fish" => self.home.join(".config/fish/config.fish"),
            _ => self.home.join(".profile"),
        }
    }
    /// Hook rule settings (`sk hooks rules`); absent means every rule at its default.
    pub fn hooks_config(&self) -> PathBuf {
        self.markers_dir().join("hooks-config.json")
    }
    /// One JSON line per hook invocation, rotated by size to `hooks-audit.jsonl.1`.
    pub fn hooks_audit(&self) -> PathBuf {
        self.markers_dir().join("hooks-audit.jsonl")
    }
    /// Rules switched off by `sk hooks disable`, each with a reason and an expiry.
    pub fn hooks_bypass(&self) -> PathBuf {
        self.markers_dir().join("hooks-bypass.json")
    }
    /// Copilot CLI's user-level instructions file, where sk keeps a marked briefing section.
    pub fn copilot_instructions(&self) -> PathBuf {
        self.copilot_home.join("copilot-instructions.md")
    }
    /// `sk sync`: the remote's URL (it may hold a password: 0600), team and label.
    pub fn sync_config(&self) -> PathBuf {
        self.markers_dir().join("sync.json")
    }
    /// The file that names the process currently writing to the database.
    pub fn writer_lock(&self) -> PathBuf {
        sidecar(&self.db, ".writer")
    }
}

/// `knowledge.db` + `-wal` → `knowledge.db-wal`: SQLite's sidecar naming.
pub fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    fn env(pairs: &[(&'static str, &str)]) -> MapEnv {
        MapEnv(pairs.iter().map(|(k, v)| (*k, (*v).into())).collect())
    }

    #[test]
    fn defaults_derive_from_home() {
        let p = Paths::resolve(&env(&[("HOME", "/h")]), None).expect("home set");
        assert_eq!(p.copilot_home, PathBuf::from("/h/.copilot"));
        assert_eq!(p.claude_home, PathBuf::from("/h/.claude"));
        assert_eq!(p.codex_home, PathBuf::from("/h/.codex"));
        assert_eq!(p.claude_config_file, PathBuf::from("/h/.claude.json"));
        assert_eq!(p.db, PathBuf::from("/h/.copilot/session-state/knowledge.db"));
        assert_eq!(
            p.writer_lock(),
            PathBuf::from("/h/.copilot/session-state/knowledge.db.writer")
        );
    }

    #[test]
    fn install_and_watch_files_live_under_copilot_home_and_rc_follows_the_shell() {
        let p = Paths::resolve(&env(&[("HOME", "/h")]), None).expect("home set");
        assert_eq!(
            p.install_manifest(),
            PathBuf::from("/h/.copilot/markers/install-manifest.json")
        );
        assert_eq!(p.watch_pid(), PathBuf::from("/h/.copilot/markers/watch.pid"));
        assert_eq!(p.shell_rc(Some("/usr/bin/zsh")), PathBuf::from("/h/.zshrc"));
        assert_eq!(p.shell_rc(Some("/bin/bash")), PathBuf::from("/h/.bashrc"));
        assert_eq!(
            p.shell_rc(Some("/usr/local/bin/fish")),
            PathBuf::from("/h/.config/fish/config.fish")
        );
        assert_eq!(p.shell_rc(None), PathBuf::from("/h/.profile"));
    }

    #[test]
    fn overrides_win_and_flag_beats_env() {
        let e = env(&[
            ("HOME", "/h"),
            ("COPILOT_HOME", "/c"),
            ("CLAUDE_CONFIG_DIR", "/cl"),
            ("CODEX_HOME", "/cx"),
            ("SK_DB", "/db/k.db"),
        ]);
        let p = Paths::resolve(&e, None).expect("home set");
        assert_eq!(p.copilot_session_state(), PathBuf::from("/c/session-state"));
        assert_eq!(p.claude_projects(), PathBuf::from("/cl/projects"));
        assert_eq!(p.codex_sessions(), PathBuf::from("/cx/sessions"));
        assert_eq!(p.claude_config_file, PathBuf::from("/cl/.claude.json"));
        assert_eq!(p.codex_config(), PathBuf::from("/cx/config.toml"));
        assert_eq!(p.copilot_mcp_config(), PathBuf::from("/c/mcp-config.json"));
        assert_eq!(p.db, PathBuf::from("/db/k.db"));
        let p = Paths::resolve(&e, Some("/flag.db".into())).expect("home set");
        assert_eq!(p.db, PathBuf::from("/flag.db"));
    }

    #[test]
    fn empty_values_count_as_unset_and_missing_home_is_an_error() {
        let p = Paths::resolve(&env(&[("HOME", "/h"), ("CODEX_HOME", "")]), None).expect("home set");
        assert_eq!(p.codex_home, PathBuf::from("/h/.codex"));
        assert!(Paths::resolve(&env(&[]), None).is_err());
        let p = Paths::resolve(&env(&[("USERPROFILE", "/w")]), None).expect("userprofile");
        assert_eq!(p.home, PathBuf::from("/w"));
    }
}
