//! Where the remote is: the URL given to `sk sync setup`, kept in a 0600 file under sk's
//! markers folder (it may hold a password), and `SK_SYNC_URL`, which overrides it. A
//! URL is shown only through [`redact`], which hides the password.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::SyncError;

/// The stored setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncConfig {
    /// postgres://user[:password]@host[:port]/db[?sslmode=…] (or key=value pairs).
    pub url: String,
    pub team: String,
    /// This replica's label on the remote (default: the host name).
    pub label: String,
    /// Which repositories' knowledge this machine sends (absent in files written before
    /// it existed: everything).
    #[serde(default)]
    pub share: Sharing,
}

/// The repositories whose knowledge is sent (`sk sync setup --exclude-repo/--only-repo`).
/// Knowledge of no repository (recorded `--global`) is always sent: it is what a team
/// shares across projects. A pin, an unpin or a forget goes by its entry's repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    /// Never sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_repos: Vec<String>,
    /// When not empty, only these are sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_repos: Vec<String>,
    /// Whether the digests of this machine's sessions are sent too (`setup --sessions`),
    /// by the same repository rules.
    #[serde(default)]
    pub sessions: bool,
}

impl Sharing {
    /// Whether knowledge of `repo` is sent. A rule names a repository as `owner/name` or
    /// by its name alone, compared without case: entries record `owner/name` when the
    /// checkout had a remote, else the folder's name.
    pub fn allows(&self, repo: Option<&str>) -> bool {
        let Some(repo) = repo.map(str::trim).filter(|r| !r.is_empty()) else {
            return true;
        };
        let names = |rule: &String| {
            let rule = rule.trim();
            repo.eq_ignore_ascii_case(rule)
                || repo
                    .rsplit_once('/')
                    .is_some_and(|(_, name)| !rule.contains('/') && name.eq_ignore_ascii_case(rule))
        };
        if self.exclude_repos.iter().any(names) {
            return false;
        }
        self.only_repos.is_empty() || self.only_repos.iter().any(names)
    }

    /// Whether a session of `repo` is sent: only with `--sessions`, and under an allow
    /// list only when it names the session's repository (a session of no repository is
    /// not knowledge meant for everyone).
    pub fn allows_session(&self, repo: Option<&str>) -> bool {
        let known = repo.is_some_and(|r| !r.trim().is_empty());
        self.sessions && (known || self.only_repos.is_empty()) && self.allows(repo)
    }

    /// Whether an outbox row is sent.
    pub fn allows_row(&self, row: &sk_store::sync::OutboxRow) -> bool {
        if row.entity == "session" {
            self.allows_session(row.repo.as_deref())
        } else {
            self.allows(row.repo.as_deref())
        }
    }
}

/// Reads the config file; None when sync was never set up (or was removed).
pub fn load(path: &Path) -> Result<Option<SyncConfig>, SyncError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SyncError::io(path, e)),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        SyncError::Config(format!(
            "{} is not a sync configuration ({e}); run `sk sync setup URL` again",
            path.display()
        ))
    })
}

/// Writes the config file atomically, readable by its owner only (a temporary file
/// created 0600, synced, renamed over the old one).
pub fn save(path: &Path, config: &SyncConfig) -> Result<(), SyncError> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| SyncError::io(dir, e))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let json = serde_json::to_vec_pretty(config).map_err(|e| SyncError::Config(e.to_string()))?;
    let written = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(SyncError::io(path, e));
    }
    Ok(())
}

/// Removes the config file; returns whether there was one.
pub fn remove(path: &Path) -> Result<bool, SyncError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(SyncError::io(path, e)),
    }
}

/// `url` as it may be shown: rebuilt from what the PostgreSQL client reads out of it
/// (user, hosts, ports, database, sslmode), with `***` for a password. Rebuilt rather than
/// edited, so that no spelling the client accepts (a `/` or `@` inside the password, a
/// `password = x` pair with spaces, a quoted value) can carry the password through. A URL
/// the client cannot read is not shown at all.
pub fn redact(url: &str) -> String {
    use std::str::FromStr;
    let Ok(c) = postgres::Config::from_str(url) else {
        return "(a connection string the PostgreSQL client cannot read)".to_string();
    };
    let user = c.get_user().unwrap_or_default();
    let password = if c.get_password().is_some() { ":***" } else { "" };
    let at = if user.is_empty() && password.is_empty() {
        ""
    } else {
        "@"
    };
    let ports = c.get_ports();
    let hosts: Vec<String> = c
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            match ports.get(i).or(ports.first()) {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .collect();
    let db = c.get_dbname().unwrap_or_default();
    let ssl = match c.get_ssl_mode() {
        postgres::config::SslMode::Disable => "?sslmode=disable",
        postgres::config::SslMode::Require => "?sslmode=require",
        _ => "",
    };
    format!("postgres://{user}{password}{at}{}/{db}{ssl}", hosts.join(","))
}

/// This machine's name, the default label of its replica.
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "sk".to_string())
}

#[cfg(test)]
mod tests {

    #[test]
    fn sharing_rules_name_repositories_with_or_without_their_owner() {
        let all = Sharing::default();
        assert!(all.allows(Some("acme/api")) && all.allows(None));
        let not_secret = Sharing {
            exclude_repos: vec!["acme/secret".into(), "scratch".into()],
            only_repos: Vec::new(),
            sessions: false,
        };
        assert!(!not_secret.allows(Some("ACME/Secret")));
        assert!(!not_secret.allows(Some("me/scratch")) && !not_secret.allows(Some("scratch")));
        assert!(not_secret.allows(Some("acme/api")) && not_secret.allows(Some("other/secret")));
        assert!(
            not_secret.allows(None),
            "knowledge of no repository is always sent"
        );
        let only_api = Sharing {
            exclude_repos: Vec::new(),
            only_repos: vec!["api".into()],
            sessions: true,
        };
        assert!(only_api.allows(Some("acme/api")) && !only_api.allows(Some("acme/web")));
        assert!(only_api.allows(None));
        // Sessions only with --sessions, by the same rules; under an allow list a session
        // of no repository stays.
        assert!(only_api.allows_session(Some("acme/api")) && !only_api.allows_session(Some("acme/web")));
        assert!(!only_api.allows_session(None));
        assert!(!all.allows_session(Some("acme/api")), "not without --sessions");
        let every = Sharing {
            sessions: true,
            ..Sharing::default()
        };
        assert!(every.allows_session(None) && every.allows_session(Some("acme/web")));
    }
    use super::*;

    #[test]
    fn passwords_are_hidden_wherever_a_url_can_carry_them() {
        assert_eq!(
            redact("postgres://alice:s3cr%40t@db.example:5432/sk?sslmode=require"),
            "postgres://alice:***@db.example:5432/sk?sslmode=require"
        );
        assert_eq!(
            redact("postgresql://alice@db/sk?password=hunter2&sslmode=require"),
            "postgres://alice:***@db:5432/sk?sslmode=require"
        );
        assert_eq!(
            redact("host=db user=alice password=hunter2 dbname=sk"),
            "postgres://alice:***@db/sk"
        );
        // Spellings the client accepts that an edit of the text would let through.
        for (url, secret) in [
            ("postgres://alice:pa/ss-SECRET@host/db", "SECRET"),
            ("host=db user=alice password = SECRET dbname=sk", "SECRET"),
            ("host=db user=alice password='two SECRET' dbname=sk", "SECRET"),
            ("postgres://a:b:SECRET@h/d", "SECRET"),
        ] {
            let shown = redact(url);
            assert!(!shown.contains(secret), "{url} -> {shown}");
        }
        assert_eq!(redact("postgres://h/d"), "postgres://h:5432/d");
        assert!(!redact("postgres://alice:SECRET@[::1").contains("SECRET"));
    }

    #[test]
    fn the_config_file_is_private_and_round_trips() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("test step");
        let path = dir.path().join("markers/sync.json");
        let c = SyncConfig {
            url: "postgres://a:pw@h/d".into(),
            team: "t".into(),
            label: "box".into(),
            share: Sharing {
                exclude_repos: vec!["acme/secret".into()],
                only_repos: Vec::new(),
                sessions: true,
            },
        };
        save(&path, &c).expect("test step");
        assert_eq!(
            fs::metadata(&path).expect("test step").permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(load(&path).expect("test step"), Some(c));
        assert!(remove(&path).expect("test step"));
        assert_eq!(load(&path).expect("test step"), None);
    }
}
