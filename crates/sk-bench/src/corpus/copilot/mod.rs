//! GitHub Copilot CLI sessions: `.copilot/session-state/<uuid>/events.jsonl` plus
//! `workspace.yaml`, checkpoints and sometimes `plan.md`.
//!
//! The envelope (`type`, `data`, `id`, `timestamp`, `parentId`, `agentId`) and the data
//! fields follow `fixtures/corpus/copilot/*.jsonl` (Copilot CLI 1.0.68): turns are
//! `user.message` → `assistant.turn_start` → `assistant.message` (toolRequests,
//! reasoningOpaque/encryptedContent) → `tool.execution_start`/`_complete` →
//! `assistant.turn_end`, with `system.message`, `assistant.usage`, compactions and
//! shutdown/resume segments as noise.

use std::fs;
use std::io;

use rand::Rng;
use rand::rngs::SmallRng;

mod meta;

use super::damage::LineSink;
use super::ids::{self, Blobs, Clock};
use super::json::{self, Obj, Piece};
use super::script::{Action, Call, Failure, Scale, Scenario, Step, Turn};
use super::text;
use super::vocab::pick;
use super::{Ctx, SessionPlan, prompts};

const MODELS: &[&str] = &[
    "claude-sonnet-4.5",
    "gpt-5-mini",
    "claude-haiku-4.5",
    "gpt-5.1-codex",
    "claude-opus-4.5",
];
const VERSIONS: &[&str] = &["1.0.68", "1.0.67", "1.0.61", "1.0.52"];

fn abs(cwd: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        rel.to_owned()
    } else {
        format!("{cwd}/{rel}")
    }
}

fn tool_name(action: &Action) -> &'static str {
    match action {
        Action::Shell { .. } => "bash",
        Action::Read { .. } => "view",
        Action::Edit { .. } => "edit",
        Action::Write { .. } => "create",
        Action::Grep { .. } => "grep",
        Action::Glob { .. } => "glob",
        Action::Task { .. } => "task",
    }
}

/// The `arguments` member of a tool request or execution start.
fn arguments(o: &mut Obj<'_>, action: &Action, cwd: &str) {
    o.obj("arguments", |a| match action {
        Action::Shell { command, description } => {
            a.str("command", command).str("description", description);
        }
        Action::Read { path } => {
            a.str("path", &abs(cwd, path));
        }
        Action::Edit { path, old, new } => {
            a.str("path", &abs(cwd, path))
                .str("old_str", old)
                .str("new_str", new);
        }
        Action::Write { path, content } => {
            a.str("path", &abs(cwd, path)).str("file_text", content);
        }
        Action::Grep { pattern, path } => {
            a.str("pattern", pattern)
                .str("path", &abs(cwd, path))
                .str("output_mode", "content")
                .bool("-n", true);
        }
        Action::Glob { pattern } => {
            a.str("pattern", pattern);
        }
        Action::Task {
            description, prompt, ..
        } => {
            a.str("name", "explorer")
                .str("agent_type", "explore")
                .str("description", description)
                .str("prompt", prompt)
                .str("mode", "sync");
        }
    });
}

fn intention(action: &Action, cwd: &str) -> String {
    match action {
        Action::Shell { description, .. } => description.clone(),
        Action::Read { path } => format!("view the file at {}.", abs(cwd, path)),
        Action::Edit { path, .. } => format!("edit the file at {}.", abs(cwd, path)),
        Action::Write { path, .. } => format!("create a new file at {}.", abs(cwd, path)),
        Action::Grep { pattern, .. } => pattern.clone(),
        Action::Glob { pattern } => pattern.clone(),
        Action::Task { description, .. } => description.clone(),
    }
}

struct Writer<'a> {
    rng: &'a mut SmallRng,
    blobs: &'a Blobs,
    sink: LineSink,
    buf: Vec<u8>,
    clock: Clock,
    parent: Option<String>,
    agent_id: Option<String>,
    session_id: String,
    session_dir: String,
    model: &'static str,
    cwd: String,
    interaction: String,
    turn_id: u32,
    events: u64,
    shell_id: u32,
    lines_added: u64,
    lines_removed: u64,
    modified: Vec<String>,
    interactive: bool,
}

impl Writer<'_> {
    fn is_gpt(&self) -> bool {
        self.model.starts_with("gpt")
    }

    fn abs(&self, rel: &str) -> String {
        abs(&self.cwd, rel)
    }

    /// Writes one event; `lo..hi` is how far the clock moves before it.
    fn emit(&mut self, ty: &str, lo: i64, hi: i64, data: impl FnOnce(&mut Obj<'_>)) -> io::Result<()> {
        let id = ids::uuid4(self.rng);
        let ts = self.clock.tick(self.rng, lo, hi).iso();
        self.buf.clear();
        let parent = self.parent.as_deref();
        let agent = self.agent_id.as_deref();
        json::object(&mut self.buf, |o| {
            o.str("type", ty)
                .obj("data", data)
                .str("id", &id)
                .str("timestamp", &ts)
                .opt_str("parentId", parent);
            if let Some(a) = agent {
                o.str("agentId", a);
            }
        });
        self.sink.line(&self.buf)?;
        self.parent = Some(id);
        self.events += 1;
        Ok(())
    }

    fn system_message(&mut self) -> io::Result<()> {
        let (before, after) = prompts::copilot_system(self.interactive);
        let folder = self.session_dir.clone();
        self.emit("system.message", 200, 3000, |o| {
            o.str("role", "system").pieces(
                "content",
                &[
                    Piece::Escaped(before),
                    Piece::Text(&folder),
                    Piece::Escaped(after),
                ],
            );
        })
    }

    fn user_message(&mut self, prompt: &str) -> io::Result<()> {
        self.interaction = ids::uuid4(self.rng);
        self.turn_id = 0;
        let now = self.clock.now().iso();
        let transformed = format!(
            "<current_datetime>{now}</current_datetime>\n\n{prompt}\n\n<system_reminder>\n<sql_tables>Available tables: todos, todo_deps</sql_tables>\n</system_reminder>"
        );
        let task = ids::uuid4(self.rng);
        let interaction = self.interaction.clone();
        self.emit("user.message", 5_000, 120_000, |o| {
            o.str("content", prompt)
                .str("transformedContent", &transformed)
                .empty_arr("attachments")
                .empty_arr("supportedNativeDocumentMimeTypes")
                .str("delivery", "idle")
                .str("interactionId", &interaction)
                .str("parentAgentTaskId", &task);
        })
    }

    fn tool_call_id(&mut self) -> String {
        if self.is_gpt() {
            ids::alnum(self.rng, "call_", 24)
        } else {
            ids::alnum(self.rng, "toolu_bdrk_01", 22)
        }
    }

    /// One model response: turn start, message with tool requests, usage, tool runs, end.
    fn model_step(&mut self, step: &Step) -> io::Result<()> {
        let sub = self.agent_id.is_some();
        let turn = self.turn_id.to_string();
        self.turn_id += 1;
        let interaction = self.interaction.clone();
        if !sub {
            self.emit("assistant.turn_start", 2, 30, |o| {
                o.str("turnId", &turn).str("interactionId", &interaction);
            })?;
        }
        let call_ids: Vec<String> = (0..step.calls.len()).map(|_| self.tool_call_id()).collect();
        let message_id = ids::uuid4(self.rng);
        let gpt = self.is_gpt();
        let opaque = self.blobs.base64(self.rng, if gpt { 600 } else { 1200 });
        let encrypted = if gpt {
            let n = (300.0 * 30f64.powf(self.rng.random::<f64>())) as usize;
            Some(self.blobs.base64(self.rng, n))
        } else {
            None
        };
        let api_call = if gpt {
            self.blobs.base64(self.rng, 420)
        } else {
            ids::alnum(self.rng, "msg_bdrk_01", 22)
        };
        let request = ids::github_request_id(self.rng);
        let service = ids::uuid4(self.rng);
        let output_tokens = self.rng.random_range(20..1200);
        let cwd = self.cwd.clone();
        let parent_tool = self.agent_id.clone();
        let model = self.model;
        self.emit("assistant.message", 800, 40_000, |o| {
            o.str("messageId", &message_id)
                .str("model", model)
                .str("content", &step.text)
                .arr("toolRequests", |a| {
                    for (i, c) in step.calls.iter().enumerate() {
                        a.obj(|r| {
                            r.str("toolCallId", &call_ids[i])
                                .str("name", tool_name(&c.action));
                            arguments(r, &c.action, &cwd);
                            r.str("type", "function")
                                .str("intentionSummary", &intention(&c.action, &cwd));
                        });
                    }
                })
                .str("interactionId", &interaction)
                .str("turnId", &turn)
                .str("reasoningOpaque", &opaque);
            match &encrypted {
                Some(e) => {
                    o.str("encryptedContent", e);
                }
                None if !step.thinking.is_empty() => {
                    o.str("reasoningText", &step.thinking);
                }
                None => {}
            }
            o.num("outputTokens", output_tokens)
                .str("requestId", &request)
                .str("serviceRequestId", &service)
                .str("apiCallId", &api_call);
            if let Some(p) = &parent_tool {
                o.str("parentToolCallId", p);
            }
        })?;
        if !sub {
            let input = self.rng.random_range(2_000..90_000);
            let cached = self.rng.random_range(0..input);
            let duration = self.rng.random_range(600..40_000);
            let api = api_call.clone();
            self.emit("assistant.usage", 1, 5, |o| {
                o.str("model", model)
                    .num("inputTokens", input)
                    .num("outputTokens", output_tokens)
                    .num("cacheReadTokens", cached)
                    .num("cacheWriteTokens", 0)
                    .num("cost", 1)
                    .num("duration", duration)
                    .str("initiator", "agent")
                    .str("apiCallId", &api);
            })?;
        }
        for (i, c) in step.calls.iter().enumerate() {
            self.tool_run(&call_ids[i], &turn, c)?;
        }
        if !sub {
            self.emit("assistant.turn_end", 2, 20, |o| {
                o.str("turnId", &turn);
            })?;
        }
        Ok(())
    }

    fn tool_run(&mut self, call_id: &str, turn: &str, c: &Call) -> io::Result<()> {
        let name = tool_name(&c.action);
        let model = self.model;
        let parent_tool = self.agent_id.clone();
        let cwd = self.cwd.clone();
        let is_shell = matches!(c.action, Action::Shell { .. });
        self.emit("tool.execution_start", 1, 10, |o| {
            o.str("toolCallId", call_id).str("toolName", name);
            arguments(o, &c.action, &cwd);
            o.str("model", model).str("turnId", turn);
            if let Action::Shell { command, .. } = &c.action {
                o.obj("shellToolInfo", |i| {
                    i.arr("possiblePaths", |a| {
                        for w in command.split_whitespace().filter(|w| w.contains('/')) {
                            a.str(w);
                        }
                    })
                    .bool("hasWriteFileRedirection", command.contains('>'));
                });
            }
            if let Some(p) = &parent_tool {
                o.str("parentToolCallId", p);
            }
        })?;
        if let Action::Task { steps, .. } = &c.action {
            self.subagent(call_id, steps, &c.output)?;
        }
        let (content, detailed, error) = self.result_text(c);
        if let Action::Edit { old, new, .. } = &c.action
            && c.ok()
        {
            self.lines_added += new.lines().count() as u64;
            self.lines_removed += old.lines().count() as u64;
        }
        if let Action::Edit { path, .. } | Action::Write { path, .. } = &c.action {
            let abs = self.abs(path);
            if c.ok() && !self.modified.contains(&abs) && self.modified.len() < 50 {
                self.modified.push(abs);
            }
        }
        let interaction = self.interaction.clone();
        let exit = c.exit_code();
        let success = !matches!(c.failure, Failure::Denied | Failure::NotFound | Failure::NoMatch);
        let lo = i64::from(c.duration_ms / 2);
        let hi = i64::from(c.duration_ms) + 50;
        self.emit("tool.execution_complete", lo, hi, |o| {
            o.str("toolCallId", call_id)
                .str("model", model)
                .str("interactionId", &interaction)
                .str("turnId", turn)
                .bool("success", success);
            match &error {
                Some((msg, code)) => {
                    o.obj("error", |e| {
                        e.str("message", msg).str("code", code);
                    });
                }
                None => {
                    o.obj("result", |r| {
                        r.str("content", &content).str("detailedContent", &detailed);
                    });
                }
            }
            o.obj("toolTelemetry", |t| {
                if is_shell {
                    t.obj("properties", |p| {
                        p.str("customTimeout", "false")
                            .str("executionMode", "sync")
                            .str("detached", "false");
                    })
                    .obj("metrics", |m| {
                        m.num("commandTimeout", 30000).num("exit_code", exit);
                    });
                } else {
                    t.obj("properties", |p| {
                        p.str("command", name).str(
                            "options",
                            "{\"truncateBasedOn\":\"tokenCount\",\"truncateStyle\":\"middle\"}",
                        );
                    })
                    .obj("metrics", |m| {
                        m.num("resultLength", content.len())
                            .num("responseTokenLimit", 32000);
                    })
                    .empty_obj("restrictedProperties");
                }
            });
            if let Some(p) = &parent_tool {
                o.str("parentToolCallId", p);
            }
        })
    }

    /// (content, detailedContent, error) of a tool result.
    fn result_text(&mut self, c: &Call) -> (String, String, Option<(String, String)>) {
        match c.failure {
            Failure::Denied => {
                return (
                    String::new(),
                    String::new(),
                    Some((
                        "Permission denied and could not request permission from user".into(),
                        "denied".into(),
                    )),
                );
            }
            Failure::NotFound => {
                return (
                    String::new(),
                    String::new(),
                    Some(("Path does not exist".into(), "failure".into())),
                );
            }
            Failure::NoMatch => {
                let msg = match &c.action {
                    Action::Edit { path, .. } => format!(
                        "No match found for old_str in {}; the file may have changed. View it again before editing.",
                        self.abs(path)
                    ),
                    _ => "No match found".into(),
                };
                return (String::new(), String::new(), Some((msg, "failure".into())));
            }
            _ => {}
        }
        match &c.action {
            Action::Shell { .. } => {
                self.shell_id += 1;
                let s = format!(
                    "{}\n<shellId: {} completed with exit code {}>",
                    c.output,
                    self.shell_id,
                    c.exit_code()
                );
                (text::truncate_middle(&s, 64 * 1024), s, None)
            }
            Action::Read { path } => {
                let abs = self.abs(path);
                let n = c.output.lines().count();
                let mut detailed = format!(
                    "\ndiff --git a{abs} b{abs}\nindex 0000000..0000000 100644\n--- a{abs}\n+++ b{abs}\n@@ -1,{n} +1,{n} @@\n"
                );
                for l in c.output.lines() {
                    detailed.push(' ');
                    detailed.push_str(l);
                    detailed.push('\n');
                }
                (text::numbered(&c.output, false), detailed, None)
            }
            Action::Edit { path, old, new } => {
                let abs = self.abs(path);
                let line = self.rng.random_range(1..400);
                (
                    format!("File {abs} updated with changes."),
                    text::unified_diff(&abs, old, new, line),
                    None,
                )
            }
            Action::Write { path, content } => {
                let abs = self.abs(path);
                (
                    format!("Created file {abs} with {} characters", content.len()),
                    text::unified_diff(&abs, "", content, 1),
                    None,
                )
            }
            Action::Grep { .. } | Action::Glob { .. } => {
                let s = if c.output.is_empty() {
                    "No matches found.".to_owned()
                } else {
                    c.output.clone()
                };
                (s.clone(), s, None)
            }
            Action::Task { .. } => {
                let first = c.output.lines().next().unwrap_or("").to_owned();
                (
                    c.output.clone(),
                    format!("{first}\n\n(Full response provided to agent)"),
                    None,
                )
            }
        }
    }

    fn subagent(&mut self, call_id: &str, steps: &[Step], result: &str) -> io::Result<()> {
        let model = self.model;
        let saved_interaction = self.interaction.clone();
        let saved_turn = self.turn_id;
        self.agent_id = Some(call_id.to_owned());
        self.emit("subagent.started", 200, 3000, |o| {
            o.str("toolCallId", call_id)
                .str("agentName", "explore")
                .str("agentDisplayName", "Explore Agent")
                .str(
                    "agentDescription",
                    "Fast read-only codebase exploration: finds files, symbols and usages and reports them briefly.\n",
                )
                .str("model", model);
        })?;
        self.interaction = ids::uuid4(self.rng);
        self.turn_id = 0;
        for s in steps {
            self.model_step(s)?;
        }
        let last = Step {
            text: result.to_owned(),
            thinking: String::new(),
            calls: Vec::new(),
        };
        self.model_step(&last)?;
        self.emit("subagent.completed", 5, 50, |o| {
            o.str("toolCallId", call_id)
                .str("agentName", "explore")
                .str("agentDisplayName", "Explore Agent")
                .str("model", model);
        })?;
        self.agent_id = None;
        self.interaction = saved_interaction;
        self.turn_id = saved_turn;
        Ok(())
    }

    fn turn(&mut self, t: &Turn) -> io::Result<()> {
        self.user_message(&t.prompt)?;
        for s in &t.steps {
            self.model_step(s)?;
        }
        let last = Step {
            text: t.final_text.clone(),
            thinking: String::new(),
            calls: Vec::new(),
        };
        self.model_step(&last)
    }
}

/// Writes one Copilot session directory.
pub(crate) fn write_session(ctx: &mut Ctx, plan: &SessionPlan) -> io::Result<()> {
    let sid = ids::uuid4(&mut ctx.rng);
    let dir = ctx.home.join(".copilot/session-state").join(&sid);
    fs::create_dir_all(&dir)?;
    let path = dir.join("events.jsonl");
    let sink = LineSink::create(&path, plan.damage, plan.target, &mut ctx.damage_rng)?;
    let mut sc = Scenario::new(&mut ctx.rng, plan.scale, true);
    let rng = &mut ctx.rng;
    let model = pick(rng, MODELS);
    let version = pick(rng, VERSIONS);
    let interactive = rng.random_bool(0.75);
    // Small sessions often come from older CLI versions that did not log the system prompt.
    let logs_system_prompt = plan.target >= 40_000 || rng.random_bool(0.3);
    let head = ids::hex(rng, "", 40);
    let mut w = Writer {
        rng,
        blobs: &ctx.blobs,
        sink,
        buf: Vec::with_capacity(1 << 14),
        clock: Clock::new(plan.start),
        parent: None,
        agent_id: None,
        session_id: sid.clone(),
        session_dir: format!("/home/user/.copilot/session-state/{sid}"),
        model,
        cwd: format!("/home/user/{}", sc.repo.name),
        interaction: String::new(),
        turn_id: 0,
        events: 0,
        shell_id: 0,
        lines_added: 0,
        lines_removed: 0,
        modified: Vec::new(),
        interactive,
    };
    let start_iso = plan.start.iso();
    let session_id = w.session_id.clone();
    w.emit("session.start", 5, 30, |o| {
        o.str("sessionId", &session_id)
            .num("version", 1)
            .str("producer", "copilot-agent")
            .str("copilotVersion", version)
            .str("startTime", &start_iso)
            .null("contextTier");
        w_context(o, &sc, &head);
        o.bool("alreadyInUse", false).bool("remoteSteerable", false);
    })?;
    w.emit("session.model_change", 300, 2000, |o| {
        o.str("newModel", if interactive { "auto" } else { model })
            .null("reasoningEffort");
    })?;
    if logs_system_prompt {
        w.system_message()?;
    }
    let target = plan.target;
    let mut next_compaction = match plan.scale {
        Scale::Small => u64::MAX,
        Scale::Medium if w.rng.random_bool(0.45) => (target as f64 * w.rng.random_range(0.45..0.75)) as u64,
        Scale::Medium => u64::MAX,
        Scale::Large => w.rng.random_range(3_000_000..8_000_000),
    };
    let mut resume_at = if plan.scale != Scale::Small && w.rng.random_bool(0.15) {
        (target as f64 * w.rng.random_range(0.3..0.7)) as u64
    } else {
        u64::MAX
    };
    let mut checkpoints: Vec<(String, String)> = Vec::new();
    let mut titled = false;
    let mut last_final;
    loop {
        let turn = sc.next_turn(w.rng);
        w.turn(&turn)?;
        last_final = turn.final_text;
        if !titled && w.rng.random_bool(0.5) {
            titled = true;
            let title = sc.title();
            w.emit("session.title_changed", 5, 200, |o| {
                o.str("title", &title);
            })?;
        }
        let bytes = w.sink.bytes();
        if bytes >= target {
            break;
        }
        if bytes >= next_compaction {
            let (name, content) = compaction(&mut w, &sc, checkpoints.len() + 1)?;
            checkpoints.push((name, content));
            next_compaction = match plan.scale {
                Scale::Large => bytes + w.rng.random_range(3_000_000..8_000_000),
                _ => u64::MAX,
            };
        }
        if bytes >= resume_at {
            resume_at = u64::MAX;
            shutdown(&mut w, plan)?;
            w.clock.tick(w.rng, 600_000, 172_800_000);
            let (count, model) = (w.events, w.model);
            let resume_time = w.clock.now().iso();
            let head2 = head.clone();
            w.emit("session.resume", 5, 100, |o| {
                o.str("resumeTime", &resume_time)
                    .num("eventCount", count)
                    .str("selectedModel", model)
                    .null("reasoningEffort");
                w_context(o, &sc, &head2);
                o.bool("alreadyInUse", false);
            })?;
            w.system_message()?;
        }
    }
    if !interactive && w.rng.random_bool(0.5) {
        w.emit("session.task_complete", 10, 500, |o| {
            o.str("summary", &last_final).bool("success", true);
        })?;
    }
    shutdown(&mut w, plan)?;
    let end = w.clock.now();
    let modified = w.modified.len();
    let (bytes, applied) = w.sink.finish()?;
    ctx.record_session_file(path, bytes, applied);

    meta::write_files(ctx, &dir, &sc, plan, end, modified, &checkpoints)?;
    Ok(())
}

fn w_context(o: &mut Obj<'_>, sc: &Scenario, head: &str) {
    let cwd = format!("/home/user/{}", sc.repo.name);
    o.obj("context", |c| {
        c.str("cwd", &cwd)
            .str("gitRoot", &cwd)
            .str("branch", &sc.branch)
            .str("headCommit", head)
            .str("repository", &format!("{}/{}", sc.repo.owner, sc.repo.name))
            .str("hostType", "github");
    });
}

/// Compaction events; returns the checkpoint file name and content.
fn compaction(w: &mut Writer<'_>, sc: &Scenario, number: usize) -> io::Result<(String, String)> {
    let system = w.rng.random_range(5000..7000);
    let tools = w.rng.random_range(6000..9000);
    let conversation = w.rng.random_range(20_000..150_000);
    w.emit("session.compaction_start", 1000, 20_000, |o| {
        o.num("systemTokens", system)
            .num("conversationTokens", conversation)
            .num("toolDefinitionsTokens", tools);
    })?;
    let summary = sc.summary(w.rng);
    let content = summary.tagged();
    let name = format!("{number:03}-{}.md", summary.slug());
    let path = format!("{}/checkpoints/{name}", w.session_dir);
    let post = w.rng.random_range(1500..6000);
    let request = ids::github_request_id(w.rng);
    let model = w.model;
    let messages = w.rng.random_range(10..400);
    w.emit("session.compaction_complete", 10_000, 60_000, |o| {
        o.bool("success", true)
            .num("preCompactionTokens", conversation)
            .num("postCompactionTokens", post)
            .num("preCompactionMessagesLength", messages)
            .num("messagesRemoved", messages - 1)
            .num("tokensRemoved", conversation - post)
            .str("summaryContent", &content)
            .num("checkpointNumber", number)
            .str("checkpointPath", &path)
            .obj("compactionTokensUsed", |t| {
                t.num("inputTokens", conversation + system)
                    .num("outputTokens", post)
                    .num("cacheReadTokens", system)
                    .num("cacheWriteTokens", 0)
                    .num("duration", 42_000)
                    .str("model", model);
            })
            .str("requestId", &request)
            .num("systemTokens", system)
            .num("conversationTokens", post)
            .num("toolDefinitionsTokens", tools);
    })?;
    w.system_message()?;
    Ok((name, content))
}

fn shutdown(w: &mut Writer<'_>, plan: &SessionPlan) -> io::Result<()> {
    let size = w.sink.bytes();
    let model = w.model;
    let input = w.events * 900 + 5000;
    let output = w.events * 60;
    let cached = input * 3 / 4;
    let requests = w.turn_id.max(1);
    let (added, removed) = (w.lines_added, w.lines_removed);
    let modified = w.modified.clone();
    let start_ms = plan.start.0;
    let api_ms = w.events * 700;
    w.emit("session.shutdown", 100, 20_000, |o| {
        o.str("shutdownType", "routine")
            .num("totalPremiumRequests", requests)
            .num("totalNanoAiu", input * 25_000)
            .obj("tokenDetails", |t| {
                t.obj("input", |x| {
                    x.num("tokenCount", input - cached);
                })
                .obj("cache_read", |x| {
                    x.num("tokenCount", cached);
                })
                .obj("output", |x| {
                    x.num("tokenCount", output);
                });
            })
            .num("totalApiDurationMs", api_ms)
            .num("sessionStartTime", start_ms)
            .num("eventsFileSizeBytes", size)
            .obj("codeChanges", |c| {
                c.num("linesAdded", added)
                    .num("linesRemoved", removed)
                    .arr("filesModified", |a| {
                        for m in &modified {
                            a.str(m);
                        }
                    });
            })
            .obj("modelMetrics", |m| {
                m.dyn_obj(model, |x| {
                    x.obj("requests", |r| {
                        r.num("count", requests).num("cost", requests);
                    })
                    .obj("usage", |u| {
                        u.num("inputTokens", input)
                            .num("outputTokens", output)
                            .num("cacheReadTokens", cached)
                            .num("cacheWriteTokens", 0)
                            .num("reasoningTokens", output / 2);
                    });
                });
            })
            .str("currentModel", model)
            .num("currentTokens", 14_000 + input % 50_000)
            .num("systemTokens", 6100)
            .num("conversationTokens", input % 50_000)
            .num("toolDefinitionsTokens", 7681);
    })
}
