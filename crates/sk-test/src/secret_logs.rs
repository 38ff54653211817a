//! Lays the values of [`crate::secrets`] into real session logs of the three agents, each
//! value in every context a secret reaches a log through: a chat message, a file read by a
//! tool (an env file, a key file), a tool's shell output, a diff, a JSON config written by a
//! tool call, an answer quoting it, a failed command's error and the edit that fixed it.
//!
//! One session per agent and value: its first prompt is the value's chat message (so the
//! session title is derived from it too). Every line that carries the value is remembered
//! with its byte offset ([`Placed`]), which is how sk's records are keyed, so a test can
//! say which context a stored value came from. Line shapes follow `fixtures/corpus/*`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::secrets::{Class, Item, Rng, corpus_items};

/// Where a value sits in a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    /// Claude Code: the user's prompt.
    ClaudeChat,
    /// Claude Code: the `tool_result` of a `Read` of the value's file (an `.env`, a key file).
    ClaudeRead,
    /// Claude Code: a `Bash` call writing a JSON config with a heredoc.
    ClaudeJsonConfig,
    /// Claude Code: a command failing with the value in its error, then passing after an
    /// edit (a failure → fix the extractor turns into knowledge).
    ClaudeFailedCommand,
    /// Claude Code: the `Edit` between them, replacing the value's line (its call summary
    /// keeps the head of the old text).
    ClaudeEdit,
    /// Codex CLI: the user's message.
    CodexChat,
    /// Codex CLI: the `function_call_output` of `cat` on the value's file.
    CodexCat,
    /// Codex CLI: an `apply_patch` diff adding the value.
    CodexPatch,
    /// Copilot CLI: the user's message.
    CopilotChat,
    /// Copilot CLI: the `tool.execution_complete` result of `cat` on the value's file.
    CopilotResult,
    /// Copilot CLI: the assistant's answer quoting the value.
    CopilotAnswer,
}

impl Context {
    pub const ALL: [Context; 11] = [
        Context::ClaudeChat,
        Context::ClaudeRead,
        Context::ClaudeJsonConfig,
        Context::ClaudeFailedCommand,
        Context::ClaudeEdit,
        Context::CodexChat,
        Context::CodexCat,
        Context::CodexPatch,
        Context::CopilotChat,
        Context::CopilotResult,
        Context::CopilotAnswer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::ClaudeChat => "claude-chat",
            Context::ClaudeRead => "claude-read-file",
            Context::ClaudeJsonConfig => "claude-json-config",
            Context::ClaudeFailedCommand => "claude-failed-command",
            Context::ClaudeEdit => "claude-edit",
            Context::CodexChat => "codex-chat",
            Context::CodexCat => "codex-cat-output",
            Context::CodexPatch => "codex-apply-patch",
            Context::CopilotChat => "copilot-chat",
            Context::CopilotResult => "copilot-tool-result",
            Context::CopilotAnswer => "copilot-answer",
        }
    }

    /// Whether look-alikes are laid in this context too: they do not fail commands (and an
    /// edit's summary keeps only the head of a line, so a long look-alike could not survive).
    pub fn for_class(self, class: Class) -> bool {
        class == Class::Planted || !matches!(self, Context::ClaudeFailedCommand | Context::ClaudeEdit)
    }
}

/// One log line holding an item's value.
#[derive(Debug, Clone)]
pub struct Placed {
    pub path: PathBuf,
    /// Byte offset of the line in its file: the `offset` of the records sk makes of it.
    pub offset: u64,
    /// Index into [`Corpus::items`].
    pub item: usize,
    pub context: Context,
}

/// The generated logs of one seed.
#[derive(Debug)]
pub struct Corpus {
    pub seed: u64,
    pub items: Vec<Item>,
    /// Every log file written (the inputs: they hold the values by design).
    pub logs: Vec<PathBuf>,
    pub placed: Vec<Placed>,
    /// `agent:id` of every session, one per agent and item.
    pub sessions: Vec<String>,
}

impl Corpus {
    /// Generates the items of `seed` and writes their logs under `home`.
    pub fn write(home: &Path, seed: u64) -> Corpus {
        let mut corpus = Corpus {
            seed,
            items: corpus_items(seed),
            logs: Vec::new(),
            placed: Vec::new(),
            sessions: Vec::new(),
        };
        // Ids and times from their own stream, so they never shift the values.
        let mut rng = Rng::new(seed ^ 0x5EC2_E70A_C1E5);
        for index in 0..corpus.items.len() {
            let project = format!("svc-{index:03}");
            let cwd = format!("/home/dev/{project}");
            for agent in [Agent::Claude, Agent::Codex, Agent::Copilot] {
                let session = rng.uuid();
                let start = 36_000 + 40 * corpus.logs.len() as u64;
                let mut log = Log {
                    buf: Vec::new(),
                    clock: start,
                    tags: Vec::new(),
                };
                let item = corpus.items.get(index).expect("item");
                let (rel, agent_name) = match agent {
                    Agent::Claude => {
                        claude(&mut log, item, index, &cwd, &session);
                        (
                            format!(".claude/projects/-home-dev-{project}/{session}.jsonl"),
                            "claude",
                        )
                    }
                    Agent::Codex => {
                        codex(&mut log, item, index, &cwd, &session);
                        (
                            format!(".codex/sessions/2026/11/20/rollout-2026-11-20T10-00-00-{session}.jsonl"),
                            "codex",
                        )
                    }
                    Agent::Copilot => {
                        copilot(&mut log, item, index, &cwd, &session);
                        (
                            format!(".copilot/session-state/{session}/events.jsonl"),
                            "copilot",
                        )
                    }
                };
                let path = home.join(rel);
                std::fs::create_dir_all(path.parent().expect("log folder")).expect("create log folder");
                std::fs::write(&path, &log.buf).expect("write log");
                for (offset, item, context) in log.tags {
                    corpus.placed.push(Placed {
                        path: path.clone(),
                        offset,
                        item,
                        context,
                    });
                }
                corpus.logs.push(path);
                corpus.sessions.push(format!("{agent_name}:{session}"));
            }
        }
        corpus
    }

    /// The context and item of the line at `offset` of `path`, if it holds a value.
    pub fn placed_at(&self, path: &Path, offset: u64) -> Option<&Placed> {
        self.placed.iter().find(|p| p.offset == offset && p.path == path)
    }
}

#[derive(Debug, Clone, Copy)]
enum Agent {
    Claude,
    Codex,
    Copilot,
}

/// One log file being written.
struct Log {
    buf: Vec<u8>,
    /// Seconds since midnight of the session day.
    clock: u64,
    tags: Vec<(u64, usize, Context)>,
}

impl Log {
    /// The next timestamp, a second after the last.
    fn ts(&mut self) -> String {
        self.clock += 1;
        let (h, m, s) = (self.clock / 3600, self.clock / 60 % 60, self.clock % 60);
        format!("2026-11-20T{h:02}:{m:02}:{s:02}.000Z")
    }

    fn line(&mut self, value: &Value, tag: Option<(usize, Context)>) {
        if let Some((item, context)) = tag {
            self.tags.push((self.buf.len() as u64, item, context));
        }
        self.buf.extend_from_slice(value.to_string().as_bytes());
        self.buf.push(b'\n');
    }
}

/// The file as Claude Code's `Read` prints it: `N\t` before each line.
fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{}\t{l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `Bash` command that writes a JSON config holding the item.
fn json_config_command(item: &Item) -> String {
    format!(
        "mkdir -p config && cat > config/service.json <<'EOF'\n{{\n  \"service\": \"billing-api\",\n  {}: {},\n  \"region\": \"eu-west-1\"\n}}\nEOF",
        crate::secrets::json_string(&item.json_key),
        item.json_value
    )
}

/// An `apply_patch` adding the item: the whole file for key files, else the value's line
/// among unchanged neighbours.
fn patch(item: &Item) -> String {
    let mut out = String::from("*** Begin Patch\n");
    let value_line = |l: &str| !item.line.is_empty() && l.contains(item.line.lines().next().unwrap_or(""));
    if item.whole_file || !item.native.lines().any(value_line) {
        out.push_str(&format!("*** Add File: {}\n", item.file));
        for l in item.native.lines() {
            out.push_str(&format!("+{l}\n"));
        }
    } else {
        out.push_str(&format!("*** Update File: {}\n@@\n", item.file));
        for l in item.native.lines() {
            let mark = if value_line(l) { '+' } else { ' ' };
            out.push_str(&format!("{mark}{l}\n"));
        }
    }
    out.push_str("*** End Patch");
    out
}

/// The error a deploy prints when the value is wrong.
fn failure(item: &Item) -> String {
    format!(
        "Exit code 1\nError: invalid credentials in {}: {}\n    at loadConfig (src/config.js:12:11)\n    at main (src/deploy.js:4:3)",
        item.file, item.line
    )
}

fn claude(log: &mut Log, item: &Item, index: usize, cwd: &str, session: &str) {
    let mut parent: Option<String> = None;
    let mut n = 0;
    let mut push = |log: &mut Log, kind: &str, message: Value, extra: Option<Value>, tag: Option<Context>| {
        n += 1;
        let uuid = format!("{}-{n:04}", session.get(..23).unwrap_or(session));
        let mut line = json!({
            "parentUuid": parent, "isSidechain": false, "type": kind, "message": message,
            "uuid": uuid, "timestamp": log.ts(),
        });
        if let (Some(Value::Object(extra)), Some(obj)) = (extra, line.as_object_mut()) {
            obj.extend(extra);
        }
        if let Some(obj) = line.as_object_mut() {
            obj.insert("userType".into(), json!("external"));
            obj.insert("entrypoint".into(), json!("cli"));
            obj.insert("cwd".into(), json!(cwd));
            obj.insert("sessionId".into(), json!(session));
            obj.insert("version".into(), json!("2.1.132"));
            obj.insert("gitBranch".into(), json!("main"));
        }
        log.line(&line, tag.map(|c| (index, c)));
        parent = Some(uuid);
    };
    let tool_use = |id: &str, name: &str, input: Value| {
        json!({"model": "claude-opus-4-7", "id": format!("msg_{id}"), "type": "message", "role": "assistant",
               "content": [{"type": "tool_use", "id": id, "name": name, "input": input}]})
    };
    let result = |id: &str, text: &str, is_error: bool| json!({"role": "user", "content": [{"tool_use_id": id, "type": "tool_result", "content": text, "is_error": is_error}]});
    let path = format!("{cwd}/{}", item.file);

    push(
        log,
        "user",
        json!({"role": "user", "content": item.prose}),
        None,
        Some(Context::ClaudeChat),
    );
    push(
        log,
        "assistant",
        tool_use("toolu_read", "Read", json!({"file_path": path})),
        None,
        None,
    );
    let lines = item.native.lines().count();
    push(
        log,
        "user",
        result("toolu_read", &numbered(&item.native), false),
        Some(
            json!({"toolUseResult": {"type": "text", "file": {"filePath": path,
            "content": format!("{}\n", item.native), "numLines": lines, "startLine": 1, "totalLines": lines}}}),
        ),
        Some(Context::ClaudeRead),
    );
    push(
        log,
        "assistant",
        tool_use(
            "toolu_config",
            "Bash",
            json!({"command": json_config_command(item), "description": "Write the service config"}),
        ),
        None,
        Some(Context::ClaudeJsonConfig),
    );
    push(
        log,
        "user",
        result("toolu_config", "", false),
        Some(json!({"toolUseResult": {"stdout": "", "stderr": "", "interrupted": false, "isImage": false}})),
        None,
    );
    if item.class == Class::Planted {
        let deploy = json!({"command": "npm run deploy", "description": "Deploy"});
        push(
            log,
            "assistant",
            tool_use("toolu_deploy1", "Bash", deploy.clone()),
            None,
            None,
        );
        push(
            log,
            "user",
            result("toolu_deploy1", &failure(item), true),
            None,
            Some(Context::ClaudeFailedCommand),
        );
        push(
            log,
            "assistant",
            tool_use(
                "toolu_edit",
                "Edit",
                json!({"file_path": path, "old_string": item.line, "new_string": "# read from the secret store at deploy time"}),
            ),
            None,
            Some(Context::ClaudeEdit),
        );
        push(
            log,
            "user",
            result("toolu_edit", "The file has been updated.", false),
            None,
            None,
        );
        push(
            log,
            "assistant",
            tool_use("toolu_deploy2", "Bash", deploy),
            None,
            None,
        );
        push(
            log,
            "user",
            result(
                "toolu_deploy2",
                "> deploy\nDeployed billing-api to production",
                false,
            ),
            None,
            None,
        );
    }
    push(
        log,
        "assistant",
        json!({"model": "claude-opus-4-7", "id": "msg_done", "type": "message", "role": "assistant",
               "content": [{"type": "text", "text": format!("Done: {} is in place and the config is written.", item.file)}]}),
        None,
        None,
    );
}

fn codex(log: &mut Log, item: &Item, index: usize, cwd: &str, session: &str) {
    let meta = json!({"timestamp": log.ts(), "type": "session_meta", "payload": {
        "id": session, "timestamp": "2026-11-20T10:00:00.000Z", "cwd": cwd, "originator": "codex_cli_rs",
        "cli_version": "0.128.0", "source": "cli", "model_provider": "openai"}});
    log.line(&meta, None);
    let item_line = |log: &mut Log, payload: Value| json!({"timestamp": log.ts(), "type": "response_item", "payload": payload});
    let line = item_line(
        log,
        json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": item.prose}]}),
    );
    log.line(&line, Some((index, Context::CodexChat)));
    let line = item_line(
        log,
        json!({"type": "function_call", "name": "exec_command",
               "arguments": json!({"cmd": format!("cat {}", item.file), "workdir": cwd}).to_string(),
               "call_id": "call_cat"}),
    );
    log.line(&line, None);
    let output = format!(
        "Chunk ID: 7aa77b\nWall time: 0.0000 seconds\nProcess exited with code 0\nOriginal token count: {}\nOutput:\n{}\n",
        item.native.len() / 4,
        item.native
    );
    let line = item_line(
        log,
        json!({"type": "function_call_output", "call_id": "call_cat", "output": output}),
    );
    log.line(&line, Some((index, Context::CodexCat)));
    let line = item_line(
        log,
        json!({"type": "custom_tool_call", "status": "completed", "call_id": "call_patch",
               "name": "apply_patch", "input": patch(item)}),
    );
    log.line(&line, Some((index, Context::CodexPatch)));
    let line = item_line(
        log,
        json!({"type": "custom_tool_call_output", "call_id": "call_patch",
               "output": format!("Success. Updated the following files:\nM {}\n", item.file)}),
    );
    log.line(&line, None);
    let line = item_line(
        log,
        json!({"type": "message", "role": "assistant",
               "content": [{"type": "output_text", "text": format!("Updated {}.", item.file)}]}),
    );
    log.line(&line, None);
}

fn copilot(log: &mut Log, item: &Item, index: usize, cwd: &str, session: &str) {
    let mut n = 0;
    let mut event = |log: &mut Log, kind: &str, data: Value, tag: Option<Context>| {
        n += 1;
        let parent = if n == 1 {
            Value::Null
        } else {
            json!(format!("e{}", n - 1))
        };
        let line = json!({"type": kind, "id": format!("e{n}"), "parentId": parent, "timestamp": log.ts(), "data": data});
        log.line(&line, tag.map(|c| (index, c)));
    };
    event(
        log,
        "session.start",
        json!({"sessionId": session, "version": 1, "producer": "copilot-agent", "copilotVersion": "1.0.68",
               "startTime": "2026-11-20T10:00:00.000Z", "context": {"cwd": cwd}}),
        None,
    );
    event(
        log,
        "user.message",
        json!({"content": item.prose}),
        Some(Context::CopilotChat),
    );
    event(log, "assistant.turn_start", json!({}), None);
    event(
        log,
        "assistant.message",
        json!({"messageId": "m1", "model": "claude-sonnet-4.5", "content": format!("Let me look at {}.", item.file)}),
        None,
    );
    event(
        log,
        "tool.execution_start",
        json!({"toolCallId": "c1", "toolName": "bash",
               "arguments": {"command": format!("cat {}", item.file), "description": "Show the file"}}),
        None,
    );
    event(
        log,
        "tool.execution_complete",
        json!({"toolCallId": "c1", "success": true,
               "result": {"content": item.native, "detailedContent": item.native}}),
        Some(Context::CopilotResult),
    );
    event(
        log,
        "assistant.message",
        json!({"messageId": "m2", "model": "claude-sonnet-4.5",
               "content": format!("This is the line that matters:\n```\n{}\n```\nKeep it out of the repository.", item.line)}),
        Some(Context::CopilotAnswer),
    );
    event(log, "assistant.turn_end", json!({}), None);
}
