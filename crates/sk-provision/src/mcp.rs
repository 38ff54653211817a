//! Registering `sk mcp` as an MCP server with each agent, in the user's own configuration
//! file, next to their other servers: Claude Code's user scope (`mcpServers` in
//! `.claude.json`), Codex CLI's `[mcp_servers.sk]` in `config.toml` (edited with
//! `toml_edit`, so the user's comments, order and formatting stay), and Copilot CLI's
//! `mcp-config.json`. The same rules as the hook files: plan first, a backup of the user's
//! file before sk first changes it, an invalid file refused with nothing changed,
//! idempotent. Undeploy removes only sk's entry; when nothing else changed since the
//! backup, the file comes back byte for byte. Formats checked against each agent's
//! documentation: docs/ARCHITECTURE.md, "MCP server".

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sk_core::{Agent, Paths};
use toml_edit::{Array, DocumentMut, Item, Table};

use crate::plan::{Action, Plan};
use crate::{ProvisionError, agents, settings};

/// The name sk's server is registered under, in every agent.
pub const SERVER_NAME: &str = "sk";

/// The file that holds the agent's MCP servers.
pub fn config_file(paths: &Paths, agent: Agent) -> PathBuf {
    match agent {
        Agent::Copilot => paths.copilot_mcp_config(),
        Agent::Claude => paths.claude_config_file.clone(),
        Agent::Codex => paths.codex_config(),
    }
}

fn purpose(agent: Agent) -> String {
    match agent {
        Agent::Copilot => "Copilot CLI MCP servers (sk's server merged in)".into(),
        Agent::Claude => "Claude Code user-scope MCP servers in .claude.json (sk's server merged in)".into(),
        Agent::Codex => "Codex CLI config.toml ([mcp_servers.sk] merged in)".into(),
    }
}

/// The entry sk registers for `agent`, running `sk mcp`.
fn json_entry(agent: Agent, sk: &Path) -> Value {
    let command = sk.to_string_lossy();
    match agent {
        Agent::Copilot => json!({ "type": "local", "command": command, "args": ["mcp"], "tools": ["*"] }),
        _ => json!({ "type": "stdio", "command": command, "args": ["mcp"], "env": {} }),
    }
}

/// The user's file with sk's server set (added, or replaced when it differs).
fn add(agent: Agent, path: &Path, current: Option<&[u8]>, sk: &Path) -> Result<Vec<u8>, ProvisionError> {
    match agent {
        Agent::Codex => {
            let mut doc = parse_toml(path, current)?;
            let servers = doc
                .entry("mcp_servers")
                .or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                })
                // A `[mcp_servers]` table or an inline `mcp_servers = { … }` alike.
                .as_table_like_mut()
                .ok_or_else(|| shape(path, "`mcp_servers` is not a table"))?;
            let command = sk.to_string_lossy();
            let mut args = Array::new();
            args.push("mcp");
            match servers.get_mut(SERVER_NAME).and_then(Item::as_table_like_mut) {
                // sk's entry is there: what sk runs is set, keys the user added (`env`,
                // `enabled`, timeouts) stay.
                Some(table) => {
                    if table.get("command").and_then(Item::as_str) != Some(command.as_ref()) {
                        table.insert("command", toml_edit::value(command.as_ref()));
                    }
                    let current = table.get("args").and_then(Item::as_array);
                    if current.is_none_or(|a| a.iter().map(|v| v.as_str()).ne([Some("mcp")])) {
                        table.insert("args", toml_edit::value(args));
                    }
                }
                None => {
                    let mut table = Table::new();
                    table.insert("command", toml_edit::value(command.as_ref()));
                    table.insert("args", toml_edit::value(args));
                    servers.insert(SERVER_NAME, Item::Table(table));
                }
            }
            Ok(doc.to_string().into_bytes())
        }
        Agent::Claude | Agent::Copilot => {
            let mut doc = parse_json(path, current)?;
            let root = doc
                .as_object_mut()
                .ok_or_else(|| shape(path, "the file is not a JSON object"))?;
            let servers = root
                .entry("mcpServers")
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .ok_or_else(|| shape(path, "\"mcpServers\" is not a JSON object"))?;
            let wanted = json_entry(agent, sk);
            match servers.get_mut(SERVER_NAME).and_then(Value::as_object_mut) {
                // sk's entry is there: what sk runs is set, keys the user added or changed
                // (`env`, `disabled`, timeouts) stay.
                Some(entry) => {
                    for (key, value) in wanted.as_object().into_iter().flatten() {
                        let owned = matches!(key.as_str(), "command" | "args");
                        if owned || !entry.contains_key(key) {
                            entry.insert(key.clone(), value.clone());
                        }
                    }
                }
                None => {
                    servers.insert(SERVER_NAME.into(), wanted);
                }
            }
            Ok(settings::render(&doc))
        }
    }
}

/// The user's file without sk's server, or `None` when it has none. An `mcpServers` (or
/// `[mcp_servers]`) left empty goes too with `drop_empty` (sk made it, unless the backup
/// says the user had it).
fn remove(
    agent: Agent,
    path: &Path,
    current: &[u8],
    drop_empty: bool,
) -> Result<Option<Vec<u8>>, ProvisionError> {
    match agent {
        Agent::Codex => {
            let mut doc = parse_toml(path, Some(current))?;
            let Some(servers) = doc.get_mut("mcp_servers").and_then(Item::as_table_like_mut) else {
                return Ok(None);
            };
            if servers.remove(SERVER_NAME).is_none() {
                return Ok(None);
            }
            if servers.is_empty() && drop_empty {
                doc.remove("mcp_servers");
            }
            Ok(Some(doc.to_string().into_bytes()))
        }
        Agent::Claude | Agent::Copilot => {
            let mut doc = parse_json(path, Some(current))?;
            let Some(root) = doc.as_object_mut() else {
                return Err(shape(path, "the file is not a JSON object"));
            };
            let Some(servers) = root.get_mut("mcpServers").and_then(Value::as_object_mut) else {
                return Ok(None);
            };
            if servers.shift_remove(SERVER_NAME).is_none() {
                return Ok(None);
            }
            if servers.is_empty() && drop_empty {
                root.shift_remove("mcpServers");
            }
            Ok(Some(settings::render(&doc)))
        }
    }
}

/// sk's entry as canonical text (what the lock signs), `None` when absent or unreadable.
pub fn entry(paths: &Paths, agent: Agent) -> Option<String> {
    let path = config_file(paths, agent);
    let bytes = std::fs::read(&path).ok()?;
    match agent {
        Agent::Codex => {
            // Every key of the table (an added `env` or `cwd` changes what runs), as
            // canonical JSON: comments and formatting are the user's and do not count.
            let doc = parse_toml(&path, Some(&bytes)).ok()?;
            let t = doc.get("mcp_servers")?.get(SERVER_NAME)?;
            Some(toml_item_json(t).to_string())
        }
        Agent::Claude | Agent::Copilot => {
            let doc = parse_json(&path, Some(&bytes)).ok()?;
            doc.get("mcpServers")?.get(SERVER_NAME).map(Value::to_string)
        }
    }
}

/// The program sk's entry runs, when registered.
pub fn registered_program(paths: &Paths, agent: Agent) -> Option<PathBuf> {
    let path = config_file(paths, agent);
    let bytes = std::fs::read(&path).ok()?;
    let command = match agent {
        Agent::Codex => parse_toml(&path, Some(&bytes))
            .ok()?
            .get("mcp_servers")?
            .get(SERVER_NAME)?
            .get("command")?
            .as_str()?
            .to_string(),
        _ => parse_json(&path, Some(&bytes))
            .ok()?
            .get("mcpServers")?
            .get(SERVER_NAME)?
            .get("command")?
            .as_str()?
            .to_string(),
    };
    Some(PathBuf::from(command))
}

/// Which agents have sk's MCP server registered, with their file.
pub fn deployed(paths: &Paths) -> Vec<(Agent, PathBuf)> {
    Agent::ALL
        .iter()
        .filter(|&&a| entry(paths, a).is_some())
        .map(|&a| (a, config_file(paths, a)))
        .collect()
}

/// The file to write for `path`: where a symbolic link leads (a config kept in a dotfiles
/// repository stays a link, and the repository gets the change), else `path` itself.
fn written_file(path: PathBuf) -> PathBuf {
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        std::fs::canonicalize(&path).unwrap_or(path)
    } else {
        path
    }
}

/// Registers `sk mcp` (run by the binary `sk`) with `agents`. The caller checks the lock.
pub fn deploy_plan(paths: &Paths, agents: &[Agent], sk: &Path) -> Result<Plan, ProvisionError> {
    let mut plan = Plan::default();
    for &agent in agents {
        let path = written_file(config_file(paths, agent));
        let current = read(&path)?;
        let wanted = add(agent, &path, current.as_deref(), sk)?;
        let action = match &current {
            Some(c) if *c == wanted => Action::Unchanged,
            Some(_) => {
                let backup = agents::backup_path(&path);
                Action::Write {
                    bytes: wanted,
                    backup: (!backup.exists()).then_some(backup),
                    mode: None,
                }
            }
            None => Action::Write {
                bytes: wanted,
                backup: None,
                mode: Some(0o600),
            },
        };
        plan.push(path, purpose(agent), action);
    }
    Ok(plan)
}

/// Removes sk's server from `agents`, and nothing else. A file that held nothing but it
/// and had no previous version is removed; one that is, but for sk's entry, what the
/// backup holds gets the backup's exact bytes back.
pub fn undeploy_plan(paths: &Paths, agents: &[Agent]) -> Result<Plan, ProvisionError> {
    let mut plan = Plan::default();
    for &agent in agents {
        let path = written_file(config_file(paths, agent));
        let action = match read(&path)? {
            None => Action::Unchanged,
            Some(current) => match remove(agent, &path, &current, true)? {
                None => Action::Unchanged,
                Some(rest) => {
                    let backup = agents::backup_path(&path);
                    let original = std::fs::read(&backup).ok();
                    // The user may have had an empty `mcpServers` before sk added to it.
                    let kept = remove(agent, &path, &current, false)?.unwrap_or_default();
                    let matches =
                        |o: &Vec<u8>| same_document(agent, o, &rest) || same_document(agent, o, &kept);
                    if original.as_ref().is_some_and(matches) {
                        Action::Write {
                            bytes: original.unwrap_or_default(),
                            backup: None,
                            mode: None,
                        }
                    } else if is_empty(agent, &rest) && !backup.exists() {
                        Action::Remove
                    } else {
                        Action::Write {
                            bytes: rest,
                            backup: None,
                            mode: None,
                        }
                    }
                }
            },
        };
        plan.push(path, purpose(agent), action);
    }
    Ok(plan)
}

fn read(path: &Path) -> Result<Option<Vec<u8>>, ProvisionError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ProvisionError::Io {
            path: path.into(),
            error: e,
        }),
    }
}

fn parse_json(path: &Path, bytes: Option<&[u8]>) -> Result<Value, ProvisionError> {
    // Not UTF-8 is not JSON: refused, never rewritten with replacement characters.
    let text = std::str::from_utf8(bytes.unwrap_or_default()).map_err(|e| ProvisionError::InvalidJson {
        path: path.into(),
        detail: e.to_string(),
    })?;
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(text).map_err(|e| ProvisionError::InvalidJson {
        path: path.into(),
        detail: e.to_string(),
    })
}

fn parse_toml(path: &Path, bytes: Option<&[u8]>) -> Result<DocumentMut, ProvisionError> {
    let text = std::str::from_utf8(bytes.unwrap_or_default()).map_err(|e| ProvisionError::InvalidToml {
        path: path.into(),
        detail: e.to_string(),
    })?;
    text.parse::<DocumentMut>()
        .map_err(|e| ProvisionError::InvalidToml {
            path: path.into(),
            detail: e.to_string().trim().to_string(),
        })
}

/// A TOML item as JSON with sorted keys: the same settings give the same text whatever
/// their formatting, comments or order.
fn toml_item_json(item: &Item) -> Value {
    fn value(v: &toml_edit::Value) -> Value {
        match v {
            toml_edit::Value::String(s) => json!(s.value()),
            toml_edit::Value::Integer(i) => json!(i.value()),
            toml_edit::Value::Float(f) => json!(f.value()),
            toml_edit::Value::Boolean(b) => json!(b.value()),
            toml_edit::Value::Datetime(d) => json!(d.value().to_string()),
            toml_edit::Value::Array(a) => Value::Array(a.iter().map(value).collect()),
            toml_edit::Value::InlineTable(t) => {
                let sorted: std::collections::BTreeMap<&str, Value> =
                    t.iter().map(|(k, v)| (k, value(v))).collect();
                json!(sorted)
            }
        }
    }
    match item {
        Item::None => Value::Null,
        Item::Value(v) => value(v),
        Item::Table(t) => {
            let sorted: std::collections::BTreeMap<&str, Value> =
                t.iter().map(|(k, i)| (k, toml_item_json(i))).collect();
            json!(sorted)
        }
        Item::ArrayOfTables(a) => Value::Array(
            a.iter()
                .map(|t| toml_item_json(&Item::Table(t.clone())))
                .collect(),
        ),
    }
}

fn shape(path: &Path, what: &str) -> ProvisionError {
    ProvisionError::UnexpectedShape {
        path: path.into(),
        what: what.into(),
    }
}

/// Whether two files hold the same settings (JSON: the same values; TOML: the same text,
/// as `toml_edit` keeps it).
fn same_document(agent: Agent, a: &[u8], b: &[u8]) -> bool {
    match agent {
        Agent::Codex => a == b,
        _ => match (
            serde_json::from_slice::<Value>(a),
            serde_json::from_slice::<Value>(b),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        },
    }
}

fn is_empty(agent: Agent, bytes: &[u8]) -> bool {
    match agent {
        Agent::Codex => String::from_utf8_lossy(bytes).trim().is_empty(),
        _ => serde_json::from_slice::<Value>(bytes).is_ok_and(|v| v.as_object().is_some_and(Map::is_empty)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SK: &str = "/home/u/.copilot/bin/sk";

    fn round_trip(agent: Agent, original: &str) -> (String, String) {
        let path = Path::new("/x");
        let added = add(agent, path, Some(original.as_bytes()), Path::new(SK)).expect("add");
        let removed = remove(agent, path, &added, true)
            .expect("remove")
            .expect("had sk");
        (
            String::from_utf8(added).expect("utf-8"),
            String::from_utf8(removed).expect("utf-8"),
        )
    }

    #[test]
    fn codex_keeps_comments_order_and_other_servers() {
        let original = "# my settings\nmodel = \"o3\" # the good one\n\n[mcp_servers.docs]\n# docs server\ncommand = \"npx\"\nargs = [\"-y\", \"docs\"]\n\n[profiles.fast]\nmodel = \"mini\"\n";
        let (added, removed) = round_trip(Agent::Codex, original);
        let block = "[mcp_servers.sk]\ncommand = \"/home/u/.copilot/bin/sk\"\nargs = [\"mcp\"]\n\n";
        // Next to the user's other server, everything of theirs as it was.
        assert_eq!(added.replacen(block, "", 1), original, "{added}");
        assert_eq!(removed, original);
        let again = add(
            Agent::Codex,
            Path::new("/x"),
            Some(added.as_bytes()),
            Path::new(SK),
        )
        .expect("add");
        assert_eq!(String::from_utf8(again).expect("utf-8"), added, "idempotent");
    }

    #[test]
    fn codex_servers_written_inline_take_sks_entry_inline() {
        let original = "mcp_servers = { docs = { command = \"npx\" } }\n";
        let (added, removed) = round_trip(Agent::Codex, original);
        let doc = parse_toml(Path::new("/x"), Some(added.as_bytes())).expect("toml");
        let sk = doc
            .get("mcp_servers")
            .and_then(|s| s.get(SERVER_NAME))
            .expect("sk entry");
        assert_eq!(sk.get("command").and_then(Item::as_str), Some(SK), "{added}");
        assert!(doc.get("mcp_servers").and_then(|s| s.get("docs")).is_some());
        assert_eq!(removed, original);
    }

    #[test]
    fn codex_without_servers_gets_only_sks_table_and_loses_it_again() {
        let original = "model = \"o3\"\n";
        let (added, removed) = round_trip(Agent::Codex, original);
        assert_eq!(
            added,
            "model = \"o3\"\n\n[mcp_servers.sk]\ncommand = \"/home/u/.copilot/bin/sk\"\nargs = [\"mcp\"]\n"
        );
        assert_eq!(removed, original);
    }

    #[test]
    fn json_agents_keep_the_users_servers() {
        for agent in [Agent::Claude, Agent::Copilot] {
            let original = "{\n  \"numStartups\": 3,\n  \"mcpServers\": {\n    \"docs\": {\n      \"command\": \"npx\"\n    }\n  }\n}\n";
            let (added, removed) = round_trip(agent, original);
            let doc: Value = serde_json::from_str(&added).expect("json");
            assert_eq!(doc["mcpServers"]["docs"]["command"], "npx");
            assert_eq!(doc["mcpServers"]["sk"]["args"], json!(["mcp"]));
            assert_eq!(removed, original, "{agent}");
        }
        let (added, _) = round_trip(Agent::Copilot, "{}");
        let doc: Value = serde_json::from_str(&added).expect("json");
        assert_eq!(doc["mcpServers"]["sk"]["type"], "local");
        assert_eq!(doc["mcpServers"]["sk"]["tools"], json!(["*"]));
    }

    #[test]
    fn a_redeploy_sets_what_sk_runs_and_keeps_what_the_user_added() {
        let claude = "{\"mcpServers\":{\"sk\":{\"command\":\"/old/sk\",\"args\":[\"mcp\"],\"env\":{\"SK_DB\":\"/d/k.db\"},\"disabled\":true}}}";
        let added = add(
            Agent::Claude,
            Path::new("/x"),
            Some(claude.as_bytes()),
            Path::new(SK),
        )
        .expect("add");
        let doc: Value = serde_json::from_slice(&added).expect("json");
        assert_eq!(doc["mcpServers"]["sk"]["command"], SK);
        assert_eq!(doc["mcpServers"]["sk"]["env"]["SK_DB"], "/d/k.db");
        assert_eq!(doc["mcpServers"]["sk"]["disabled"], true);
        assert_eq!(doc["mcpServers"]["sk"]["type"], "stdio", "missing keys are added");
        let codex = "[mcp_servers.sk]\ncommand = \"/old/sk\"\nargs = [\"mcp\"]\nstartup_timeout_sec = 30 # slow disk\n";
        let added = add(
            Agent::Codex,
            Path::new("/x"),
            Some(codex.as_bytes()),
            Path::new(SK),
        )
        .expect("add");
        let text = String::from_utf8(added).expect("utf-8");
        assert!(text.contains(&format!("command = \"{SK}\"")), "{text}");
        assert!(text.contains("startup_timeout_sec = 30 # slow disk"), "{text}");
    }

    #[test]
    fn codexs_entry_as_signed_covers_every_key_and_not_the_formatting() {
        let a = parse_toml(
            Path::new("/x"),
            Some(b"[mcp_servers.sk]\ncommand = \"sk\"\nargs = [\"mcp\"]\n"),
        )
        .expect("toml");
        let b = parse_toml(
            Path::new("/x"),
            Some(b"[mcp_servers.sk] # mine\nargs = [ \"mcp\" ]\ncommand = \"sk\"\n"),
        )
        .expect("toml");
        let c = parse_toml(
            Path::new("/x"),
            Some(b"[mcp_servers.sk]\ncommand = \"sk\"\nargs = [\"mcp\"]\n[mcp_servers.sk.env]\nLD_PRELOAD = \"/tmp/x.so\"\n"),
        )
        .expect("toml");
        let json = |d: &DocumentMut| toml_item_json(&d["mcp_servers"]["sk"]).to_string();
        assert_eq!(json(&a), json(&b));
        assert_ne!(json(&a), json(&c), "an added env is seen");
    }

    #[test]
    fn an_empty_servers_object_the_user_had_can_come_back() {
        let original = "{\n  \"mcpServers\": {}\n}\n";
        let added = add(
            Agent::Claude,
            Path::new("/x"),
            Some(original.as_bytes()),
            Path::new(SK),
        )
        .expect("add");
        let kept = remove(Agent::Claude, Path::new("/x"), &added, false)
            .expect("remove")
            .expect("had sk");
        assert!(same_document(Agent::Claude, original.as_bytes(), &kept));
        let dropped = remove(Agent::Claude, Path::new("/x"), &added, true)
            .expect("remove")
            .expect("had sk");
        assert_eq!(String::from_utf8(dropped).expect("utf-8").trim(), "{}");
    }

    #[test]
    fn a_linked_config_is_written_where_the_link_leads() {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("dotfiles-config.toml");
        std::fs::write(&target, "model = \"o3\"\n").expect("write");
        let link = dir.path().join("config.toml");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&target, &link).expect("link");
            assert_eq!(
                written_file(link.clone()),
                std::fs::canonicalize(&target).expect("canonical")
            );
        }
        assert_eq!(written_file(target.clone()), target, "a plain file is itself");
    }

    #[test]
    fn invalid_files_are_refused() {
        let not_utf8 = add(
            Agent::Claude,
            Path::new("/x"),
            Some(b"{\"a\": \"caf\xe9\"}"),
            Path::new(SK),
        );
        assert!(matches!(not_utf8, Err(ProvisionError::InvalidJson { .. })));
        let bad_json = add(Agent::Claude, Path::new("/x"), Some(b"{ nope"), Path::new(SK));
        assert!(matches!(bad_json, Err(ProvisionError::InvalidJson { .. })));
        let bad_toml = add(Agent::Codex, Path::new("/x"), Some(b"[[["), Path::new(SK));
        assert!(matches!(bad_toml, Err(ProvisionError::InvalidToml { .. })));
        let wrong = add(
            Agent::Codex,
            Path::new("/x"),
            Some(b"mcp_servers = 3\n"),
            Path::new(SK),
        );
        assert!(matches!(wrong, Err(ProvisionError::UnexpectedShape { .. })));
    }
}
