//! The hook registrations of Claude Code (`settings.json`) and Codex (`hooks.json`): both
//! map an event name to a list of matcher groups, each with its own list of command hooks.
//! sk adds its groups and later removes exactly its own hooks, leaving every other key,
//! group and hook of the user's file as it was (key order included).

use serde_json::{Map, Value, json};

/// One hook sk registers: the event, an optional tool/source matcher, the command, and a
/// timeout in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub event: &'static str,
    pub matcher: Option<&'static str>,
    pub command: String,
    pub timeout_s: u32,
}

/// Whether a hook command runs sk's hook entry point: its program is a file named `sk`
/// or `sk.exe` (quoted or not, PowerShell `&` or not) followed by `hooks run`.
pub fn is_sk_command(command: &str) -> bool {
    sk_program(command).is_some()
}

/// The program of an sk hook command (`/home/u/.copilot/bin/sk`), `None` for any other
/// command.
pub fn sk_program(command: &str) -> Option<String> {
    let rest = command.trim_start();
    let rest = rest.strip_prefix('&').map(str::trim_start).unwrap_or(rest);
    let (program, args) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let (word, args) = split_quoted(rest.strip_prefix(q)?, q)?;
            (word.to_string(), args)
        }
        _ => {
            let (p, a) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            (p.to_string(), a)
        }
    };
    // Inside double quotes a POSIX shell drops the backslash before " \ $ `.
    let program = if rest.starts_with('"') {
        unescape_double_quoted(&program)
    } else {
        program
    };
    let name = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&program)
        .to_ascii_lowercase();
    ((name == "sk" || name == "sk.exe") && args.split_whitespace().take(2).eq(["hooks", "run"]))
        .then_some(program)
}

/// A quoted word (after its opening quote) split at its closing quote: (the word, what
/// follows the closing quote). A backslash escapes the next character inside double quotes;
/// nothing is escaped inside single quotes.
fn split_quoted(s: &str, quote: char) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quote == '"' => escaped = true,
            c if c == quote => {
                let (word, after) = s.split_at_checked(i)?;
                return Some((word, after.strip_prefix(quote)?));
            }
            _ => {}
        }
    }
    None
}

fn unescape_double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| matches!(n, '"' | '\\' | '$' | '`')) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Every sk program a settings document registers.
pub fn sk_programs(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for groups in doc
        .get("hooks")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        for group in groups.as_array().into_iter().flatten() {
            for hook in group.get("hooks").and_then(Value::as_array).into_iter().flatten() {
                if let Some(p) = hook.get("command").and_then(Value::as_str).and_then(sk_program)
                    && !found.contains(&p)
                {
                    found.push(p);
                }
            }
        }
    }
    found
}

/// Why a settings document cannot be edited safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape(pub String);

fn object<'a>(value: &'a mut Value, what: &str) -> Result<&'a mut Map<String, Value>, Shape> {
    value
        .as_object_mut()
        .ok_or_else(|| Shape(format!("{what} is not a JSON object")))
}

/// Removes every sk hook; groups and events left empty by that are removed too, and so is
/// the `hooks` object when nothing is left in it. Returns whether anything changed.
pub fn strip(doc: &mut Value) -> Result<bool, Shape> {
    let root = object(doc, "the file")?;
    let Some(hooks) = root.get_mut("hooks") else {
        return Ok(false);
    };
    let events = object(hooks, "\"hooks\"")?;
    let mut changed = false;
    for (event, groups) in events.iter_mut() {
        let groups = groups
            .as_array_mut()
            .ok_or_else(|| Shape(format!("\"hooks\".\"{event}\" is not a list")))?;
        for group in groups.iter_mut() {
            let Some(list) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
                continue;
            };
            let before = list.len();
            list.retain(|h| {
                !h.get("command")
                    .and_then(Value::as_str)
                    .is_some_and(is_sk_command)
            });
            if list.len() != before {
                changed = true;
            }
        }
        groups.retain(|g| {
            g.get("hooks")
                .and_then(Value::as_array)
                .is_none_or(|l| !l.is_empty())
        });
    }
    if changed {
        events.retain(|_, groups| groups.as_array().is_none_or(|g| !g.is_empty()));
        if events.is_empty() {
            root.remove("hooks");
        }
    }
    Ok(changed)
}

/// Removes sk's hooks, then adds `wanted`, one group per registration, after the user's.
pub fn merge(doc: &mut Value, wanted: &[Registration]) -> Result<(), Shape> {
    strip(doc)?;
    let root = object(doc, "the file")?;
    let hooks = root.entry("hooks").or_insert_with(|| Value::Object(Map::new()));
    let events = object(hooks, "\"hooks\"")?;
    for r in wanted {
        let mut group = Map::new();
        if let Some(m) = r.matcher {
            group.insert("matcher".into(), json!(m));
        }
        group.insert(
            "hooks".into(),
            json!([{ "type": "command", "command": r.command, "timeout": r.timeout_s }]),
        );
        let list = events.entry(r.event).or_insert_with(|| Value::Array(Vec::new()));
        list.as_array_mut()
            .ok_or_else(|| Shape(format!("\"hooks\".\"{}\" is not a list", r.event)))?
            .push(Value::Object(group));
    }
    Ok(())
}

/// Whether the document registers any sk hook.
pub fn has_sk_hooks(doc: &Value) -> bool {
    let mut copy = doc.clone();
    strip(&mut copy).unwrap_or(false)
}

/// The bytes sk writes: two-space pretty JSON and a final newline, as the agents write.
pub fn render(doc: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(event: &'static str, matcher: Option<&'static str>) -> Registration {
        Registration {
            event,
            matcher,
            command: format!("\"/opt/sk bin/sk\" hooks run {event}"),
            timeout_s: 10,
        }
    }

    #[test]
    fn recognises_sk_commands_in_every_quoting() {
        for yes in [
            "sk hooks run PreToolUse",
            "/home/u/.copilot/bin/sk hooks run SessionStart",
            "\"/opt/sk bin/sk\" hooks run PreToolUse",
            "& 'C:\\Users\\u\\.copilot\\bin\\sk.exe' hooks run preToolUse",
            "C:\\tools\\SK.EXE hooks  run x",
        ] {
            assert!(is_sk_command(yes), "{yes}");
        }
        assert_eq!(
            sk_program("\"/home/é—ü/sk\" hooks run x").as_deref(),
            Some("/home/é—ü/sk")
        );
        assert_eq!(
            sk_program("'/home/目录/sk'hooks run x").as_deref(),
            Some("/home/目录/sk")
        );
        for no in [
            "skx hooks run PreToolUse",
            "/usr/bin/python3 sk hooks run",
            "sk hooks deploy",
            "echo sk hooks run",
            "\"unterminated sk hooks run",
            "\"é—",
            "'",
            "",
        ] {
            assert!(!is_sk_command(no), "{no}");
        }
    }

    #[test]
    fn merge_keeps_the_users_keys_groups_and_order_and_is_idempotent() {
        let original = r#"{"model":"opus","hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"my-lint"}]}]},"zeta":1}"#;
        let mut doc: Value = serde_json::from_str(original).expect("fixture");
        merge(
            &mut doc,
            &[reg("PreToolUse", Some("Bash")), reg("SessionStart", None)],
        )
        .expect("merge");
        let keys: Vec<&str> = doc
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["model", "hooks", "zeta"], "key order kept");
        let pre = doc["hooks"]["PreToolUse"].as_array().expect("list");
        assert_eq!(pre.len(), 2);
        assert_eq!(
            pre[0]["hooks"][0]["command"], "my-lint",
            "the user's hook stays first"
        );
        assert!(has_sk_hooks(&doc));
        let once = render(&doc);
        merge(
            &mut doc,
            &[reg("PreToolUse", Some("Bash")), reg("SessionStart", None)],
        )
        .expect("merge again");
        assert_eq!(render(&doc), once, "deploying twice changes nothing");

        assert!(strip(&mut doc).expect("strip"));
        assert_eq!(
            doc,
            serde_json::from_str::<Value>(original).expect("fixture"),
            "undeploy restores the user's file"
        );
        assert!(!strip(&mut doc).expect("strip again"), "nothing left to remove");
    }

    #[test]
    fn a_group_shared_with_the_user_loses_only_sks_hook() {
        let mut doc = json!({"hooks": {"PostToolUse": [{"matcher": "*", "hooks": [
            {"type": "command", "command": "sk hooks run PostToolUse"},
            {"type": "command", "command": "notify-send done"}
        ]}]}});
        assert!(strip(&mut doc).expect("strip"));
        assert_eq!(
            doc,
            json!({"hooks": {"PostToolUse": [{"matcher": "*", "hooks": [
                {"type": "command", "command": "notify-send done"}
            ]}]}})
        );
    }

    #[test]
    fn refuses_shapes_it_does_not_understand() {
        assert!(strip(&mut json!([1, 2])).is_err());
        assert!(strip(&mut json!({"hooks": "none"})).is_err());
        assert!(
            merge(
                &mut json!({"hooks": {"PreToolUse": {"matcher": "x"}}}),
                &[reg("PreToolUse", None)]
            )
            .is_err()
        );
        assert_eq!(strip(&mut json!({"other": true})), Ok(false));
    }
}
