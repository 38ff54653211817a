//! Claude Code sessions: `.claude/projects/-home-user-<repo>/<uuid>.jsonl` plus sub-agent
//! transcripts under `<uuid>/subagents/agent-<id>.jsonl`.
//!
//! Field names and nesting follow `fixtures/corpus/claude/*.jsonl` (Claude Code 2.1.x): an
//! envelope (`parentUuid`, `isSidechain`, `type`, `uuid`, `timestamp`, `userType`,
//! `entrypoint`, `cwd`, `sessionId`, `version`, `gitBranch`), one assistant line per content
//! block sharing `message.id`, `tool_result` user lines with `toolUseResult`, thinking
//! blocks with signatures, and the bookkeeping lines (`queue-operation`,
//! `file-history-snapshot`, `ai-title`, `last-prompt`, `summary`, compact boundaries).

use std::fs;
use std::io;
use std::path::PathBuf;

use rand::Rng;
use rand::rngs::SmallRng;

use super::damage::{DamageKind, DamagePlanner, LineSink};
use super::ids::{self, Blobs, Clock};
use super::json::{self, Obj};
use super::recap::Summary;
use super::script::{Action, Call, Failure, Scale, Scenario, Step, Turn};
use super::text;
use super::vocab::pick;
use super::{Ctx, SessionPlan};

const MODELS: &[&str] = &[
    "claude-opus-4-7",
    "claude-sonnet-4-6",
    "claude-opus-4-8",
    "claude-haiku-4-5-20251001",
];
const VERSIONS: &[&str] = &["2.1.170", "2.1.132", "2.0.76", "1.0.128"];

struct Writer<'a> {
    rng: &'a mut SmallRng,
    blobs: &'a Blobs,
    damage: &'a mut DamagePlanner,
    damage_rng: &'a mut SmallRng,
    sink: LineSink,
    buf: Vec<u8>,
    scratch: Vec<u8>,
    clock: Clock,
    parent: Option<String>,
    session_id: String,
    project_dir: PathBuf,
    cwd: String,
    branch: String,
    version: &'static str,
    entrypoint: &'static str,
    model: &'static str,
    /// Files of the repository, for file-history snapshots.
    files: &'static [&'static str],
    agent_id: Option<String>,
    prompt_id: String,
    /// Sub-agent transcripts written so far: (path, bytes, damage).
    subfiles: Vec<(PathBuf, u64, Option<DamageKind>)>,
}

fn abs(cwd: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        rel.to_owned()
    } else {
        format!("{cwd}/{rel}")
    }
}

impl Writer<'_> {
    fn new_versions(&self) -> bool {
        self.version.starts_with("2.")
    }

    /// Writes an envelope line: `body` fills the fields between `isSidechain` and `uuid`;
    /// `after` (raw toolUseResult JSON and the source assistant uuid) follows `timestamp`.
    fn line(
        &mut self,
        lo: i64,
        hi: i64,
        body: impl FnOnce(&mut Obj<'_>),
        after: Option<(&[u8], &str)>,
    ) -> io::Result<String> {
        let uuid = ids::uuid4(self.rng);
        let ts = self.clock.tick(self.rng, lo, hi).iso();
        self.buf.clear();
        let parent = self.parent.as_deref();
        let agent = self.agent_id.as_deref();
        let (cwd, sid, version, branch, entry) = (
            &self.cwd,
            &self.session_id,
            self.version,
            &self.branch,
            self.entrypoint,
        );
        json::object(&mut self.buf, |o| {
            o.opt_str("parentUuid", parent)
                .bool("isSidechain", agent.is_some());
            if let Some(a) = agent {
                o.str("agentId", a);
            }
            body(o);
            o.str("uuid", &uuid).str("timestamp", &ts);
            if let Some((result, source)) = after {
                o.raw("toolUseResult", result)
                    .str("sourceToolAssistantUUID", source);
            }
            o.str("userType", "external")
                .str("entrypoint", entry)
                .str("cwd", cwd)
                .str("sessionId", sid)
                .str("version", version)
                .str("gitBranch", branch);
        });
        self.sink.line(&self.buf)?;
        self.parent = Some(uuid.clone());
        Ok(uuid)
    }

    /// A line outside the message chain (bookkeeping).
    fn plain(&mut self, f: impl FnOnce(&mut Obj<'_>)) -> io::Result<()> {
        self.buf.clear();
        json::object(&mut self.buf, f);
        self.sink.line(&self.buf)
    }

    fn user_prompt(&mut self, prompt: &str, first: bool) -> io::Result<()> {
        self.prompt_id = ids::uuid4(self.rng);
        let sid = self.session_id.clone();
        if self.agent_id.is_none() && self.rng.random_bool(0.3) {
            let ts = self.clock.tick(self.rng, 2_000, 60_000).iso();
            self.plain(|o| {
                o.str("type", "queue-operation")
                    .str("operation", "enqueue")
                    .str("timestamp", &ts)
                    .str("sessionId", &sid)
                    .str("content", prompt);
            })?;
            self.plain(|o| {
                o.str("type", "queue-operation")
                    .str("operation", "dequeue")
                    .str("timestamp", &ts)
                    .str("sessionId", &sid);
            })?;
        }
        let snapshot = self.agent_id.is_none() && self.rng.random_bool(0.5);
        let message_id = ids::uuid4(self.rng);
        if snapshot {
            let ts = self.clock.now().iso();
            let backup = ids::hex(self.rng, "", 16);
            let tracked = pick(self.rng, self.files);
            self.plain(|o| {
                o.str("type", "file-history-snapshot")
                    .str("messageId", &message_id)
                    .obj("snapshot", |s| {
                        s.str("messageId", &message_id)
                            .obj("trackedFileBackups", |b| {
                                if !first {
                                    b.dyn_obj(tracked, |x| {
                                        x.str("backupFileName", &format!("{backup}@v2"))
                                            .num("version", 2)
                                            .str("backupTime", &ts);
                                    });
                                }
                            })
                            .str("timestamp", &ts);
                    })
                    .bool("isSnapshotUpdate", false);
            })?;
        }
        let as_blocks = self.rng.random_bool(0.2);
        let prompt_id = self.prompt_id.clone();
        let sub = self.agent_id.is_some();
        let mode = if self.new_versions() { "default" } else { "" };
        self.line(
            3_000,
            90_000,
            |o| {
                if !sub {
                    o.str("promptId", &prompt_id);
                }
                o.str("type", "user").obj("message", |m| {
                    m.str("role", "user");
                    if as_blocks {
                        m.arr("content", |a| {
                            a.obj(|b| {
                                b.str("type", "text").str("text", prompt);
                            });
                        });
                    } else {
                        m.str("content", prompt);
                    }
                });
                if !sub && !mode.is_empty() {
                    o.str("permissionMode", mode);
                }
            },
            None,
        )?;
        Ok(())
    }

    fn tool_name(&self, action: &Action) -> &'static str {
        match action {
            Action::Shell { .. } => "Bash",
            Action::Read { .. } => "Read",
            Action::Edit { .. } => "Edit",
            Action::Write { .. } => "Write",
            Action::Grep { .. } => "Grep",
            Action::Glob { .. } => "Glob",
            Action::Task { .. } if self.version.starts_with("2.1") => "Agent",
            Action::Task { .. } => "Task",
        }
    }

    /// One API response, split into one line per content block; returns the uuid of the
    /// line that carries each tool_use block.
    fn assistant(&mut self, step: &Step, tool_ids: &[String], last: bool) -> io::Result<Vec<String>> {
        let message_id = ids::alnum(self.rng, "msg_01", 22);
        let request_id = ids::alnum(self.rng, "req_011C", 20);
        let input_tokens = self.rng.random_range(2..3000);
        let created = self.rng.random_range(0..6000);
        let read = self.rng.random_range(5_000..120_000);
        let output = self.rng.random_range(20..1500);
        self.scratch.clear();
        json::object(&mut self.scratch, |u| {
            u.num("input_tokens", input_tokens)
                .num("cache_creation_input_tokens", created)
                .num("cache_read_input_tokens", read)
                .num("output_tokens", output)
                .obj("server_tool_use", |s| {
                    s.num("web_search_requests", 0).num("web_fetch_requests", 0);
                })
                .str("service_tier", "standard")
                .obj("cache_creation", |c| {
                    c.num("ephemeral_1h_input_tokens", created)
                        .num("ephemeral_5m_input_tokens", 0);
                });
        });
        let usage = std::mem::take(&mut self.scratch);
        let stop = if last || step.calls.is_empty() {
            "end_turn"
        } else {
            "tool_use"
        };
        let model = self.model;
        let block = |w: &mut Self, lo: i64, hi: i64, content: &dyn Fn(&mut Obj<'_>)| {
            let (mid, rid, usage) = (&message_id, &request_id, &usage);
            w.line(
                lo,
                hi,
                |o| {
                    o.obj("message", |m| {
                        m.str("model", model)
                            .str("id", mid)
                            .str("type", "message")
                            .str("role", "assistant")
                            .arr("content", |a| {
                                a.obj(|b| content(b));
                            })
                            .str("stop_reason", stop)
                            .null("stop_sequence")
                            .raw("usage", usage);
                    })
                    .str("requestId", rid)
                    .str("type", "assistant");
                },
                None,
            )
        };
        if self.rng.random_bool(0.7) {
            let len = self.rng.random_range(300..1800);
            let signature = self.blobs.base64(self.rng, len);
            let thinking = if self.new_versions() {
                String::new()
            } else {
                step.thinking.clone()
            };
            block(self, 1_500, 30_000, &|b: &mut Obj<'_>| {
                b.str("type", "thinking")
                    .str("thinking", &thinking)
                    .str("signature", &signature);
            })?;
        }
        if !step.text.is_empty() {
            block(self, 200, 3_000, &|b: &mut Obj<'_>| {
                b.str("type", "text").str("text", &step.text);
            })?;
        }
        let mut uuids = Vec::with_capacity(step.calls.len());
        for (i, c) in step.calls.iter().enumerate() {
            let name = self.tool_name(&c.action);
            let cwd = self.cwd.clone();
            let id = &tool_ids[i];
            let u = block(self, 100, 1_500, &|b: &mut Obj<'_>| {
                b.str("type", "tool_use").str("id", id).str("name", name);
                input(b, &c.action, &cwd);
                b.obj("caller", |x| {
                    x.str("type", "direct");
                });
            })?;
            uuids.push(u);
        }
        Ok(uuids)
    }

    /// The `tool_result` user line for one call.
    fn tool_result(&mut self, id: &str, c: &Call, source: &str, agent: Option<&str>) -> io::Result<()> {
        let cwd = self.cwd.clone();
        let (content, is_error) = result_content(c, &cwd);
        self.scratch.clear();
        tool_use_result(&mut self.scratch, c, &cwd, &content, agent);
        let result = std::mem::take(&mut self.scratch);
        let prompt_id = self.prompt_id.clone();
        let sub = self.agent_id.is_some();
        let task_text = matches!(c.action, Action::Task { .. });
        let lo = i64::from(c.duration_ms / 2);
        let hi = i64::from(c.duration_ms) + 60;
        self.line(
            lo,
            hi,
            |o| {
                if !sub {
                    o.str("promptId", &prompt_id);
                }
                o.str("type", "user").obj("message", |m| {
                    m.str("role", "user").arr("content", |a| {
                        a.obj(|b| {
                            b.str("tool_use_id", id).str("type", "tool_result");
                            if task_text {
                                b.arr("content", |x| {
                                    x.obj(|t| {
                                        t.str("type", "text").str("text", &content);
                                    });
                                });
                            } else {
                                b.str("content", &content);
                            }
                            b.bool("is_error", is_error);
                        });
                    });
                });
            },
            Some((&result, source)),
        )?;
        self.scratch = result;
        Ok(())
    }

    fn step(&mut self, step: &Step, last: bool) -> io::Result<()> {
        let ids: Vec<String> = (0..step.calls.len())
            .map(|_| ids::alnum(self.rng, "toolu_01", 22))
            .collect();
        let uuids = self.assistant(step, &ids, last)?;
        for (i, c) in step.calls.iter().enumerate() {
            let agent = match &c.action {
                Action::Task { prompt, steps, .. } => Some(self.subagent(prompt, steps, &c.output)?),
                _ => None,
            };
            self.tool_result(&ids[i], c, &uuids[i], agent.as_deref())?;
        }
        Ok(())
    }

    /// Writes a sub-agent transcript; returns its agent id.
    fn subagent(&mut self, prompt: &str, steps: &[Step], result: &str) -> io::Result<String> {
        let agent_id = ids::hex(self.rng, "a", 16);
        let dir = self.project_dir.join(&self.session_id).join("subagents");
        fs::create_dir_all(&dir)?;
        let path = dir.join(format!("agent-{agent_id}.jsonl"));
        let damage = self.damage.next_damage();
        let sink = LineSink::create(&path, damage, 20_000, self.damage_rng)?;
        let mut child = Writer {
            rng: &mut *self.rng,
            blobs: self.blobs,
            damage: &mut *self.damage,
            damage_rng: &mut *self.damage_rng,
            sink,
            buf: Vec::new(),
            scratch: Vec::new(),
            clock: Clock::new(self.clock.now()),
            parent: None,
            session_id: self.session_id.clone(),
            project_dir: self.project_dir.clone(),
            cwd: self.cwd.clone(),
            branch: self.branch.clone(),
            version: self.version,
            entrypoint: self.entrypoint,
            model: self.model,
            files: self.files,
            agent_id: Some(agent_id.clone()),
            prompt_id: String::new(),
            subfiles: Vec::new(),
        };
        child.user_prompt(prompt, true)?;
        for s in steps {
            child.step(s, false)?;
        }
        let last = Step {
            text: result.to_owned(),
            thinking: String::new(),
            calls: Vec::new(),
        };
        child.step(&last, true)?;
        let now = child.clock.now();
        let (bytes, applied) = child.sink.finish()?;
        self.clock = Clock::new(now);
        self.subfiles.push((path, bytes, applied));
        Ok(agent_id)
    }

    fn turn(&mut self, t: &Turn, first: bool) -> io::Result<()> {
        self.user_prompt(&t.prompt, first)?;
        for s in &t.steps {
            self.step(s, false)?;
        }
        let last = Step {
            text: t.final_text.clone(),
            thinking: String::new(),
            calls: Vec::new(),
        };
        self.step(&last, true)?;
        if self.rng.random_bool(0.3) {
            let ms = self.rng.random_range(3_000..400_000);
            self.line(
                5,
                50,
                |o| {
                    o.str("type", "system")
                        .str("subtype", "turn_duration")
                        .num("durationMs", ms)
                        .bool("isMeta", false);
                },
                None,
            )?;
        }
        Ok(())
    }

    fn compact(&mut self, summary: &Summary, manual: bool) -> io::Result<()> {
        let logical = self.parent.take();
        let pre = self.rng.random_range(60_000..180_000);
        self.line(
            20_000,
            60_000,
            |o| {
                o.opt_str("logicalParentUuid", logical.as_deref())
                    .str("type", "system")
                    .str("subtype", "compact_boundary")
                    .str("content", "Conversation compacted")
                    .bool("isMeta", false)
                    .str("level", "info")
                    .obj("compactMetadata", |m| {
                        m.str("trigger", if manual { "manual" } else { "auto" })
                            .num("preTokens", pre);
                    });
            },
            None,
        )?;
        let text = format!(
            "This session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation.\n\nSummary:\n1. Primary Request and Intent:\n   {}\n\n2. Key Technical Concepts:\n{}\n3. Files and Code Sections:\n{}\n4. Errors and fixes:\n{}\n5. Pending Tasks:\n{}\n\n6. Current Work:\n{}\nPlease continue the conversation from where we left it off without asking the user any further questions. Continue with the last task that you were asked to work on.",
            summary.overview,
            summary.technical_details,
            summary.important_files,
            summary.history,
            summary.next_steps,
            summary.work_done
        );
        self.line(
            1,
            10,
            |o| {
                o.str("type", "user")
                    .obj("message", |m| {
                        m.str("role", "user").str("content", &text);
                    })
                    .bool("isVisibleInTranscriptOnly", true)
                    .bool("isCompactSummary", true);
            },
            None,
        )?;
        Ok(())
    }
}

/// The `input` object of a tool_use block.
fn input(b: &mut Obj<'_>, action: &Action, cwd: &str) {
    b.obj("input", |i| match action {
        Action::Shell { command, description } => {
            i.str("command", command).str("description", description);
        }
        Action::Read { path } => {
            i.str("file_path", &abs(cwd, path));
        }
        Action::Edit { path, old, new } => {
            i.bool("replace_all", false)
                .str("file_path", &abs(cwd, path))
                .str("old_string", old)
                .str("new_string", new);
        }
        Action::Write { path, content } => {
            i.str("file_path", &abs(cwd, path)).str("content", content);
        }
        Action::Grep { pattern, path } => {
            i.str("pattern", pattern)
                .str("path", &abs(cwd, path))
                .str("output_mode", "content")
                .bool("-n", true);
        }
        Action::Glob { pattern } => {
            i.str("pattern", pattern);
        }
        Action::Task {
            agent_type,
            description,
            prompt,
            ..
        } => {
            i.str("description", description)
                .str("subagent_type", agent_type)
                .str("prompt", prompt);
        }
    });
}

/// The text of a tool_result and whether it is an error.
fn result_content(c: &Call, cwd: &str) -> (String, bool) {
    match (&c.action, c.failure) {
        (Action::Write { path, .. } | Action::Edit { path, .. }, Failure::Denied) => (
            format!(
                "Claude requested permissions to write to {}, but you haven't granted it yet.",
                abs(cwd, path)
            ),
            true,
        ),
        (_, Failure::Denied) => ("This command requires approval".to_owned(), true),
        (_, Failure::NotFound) => (
            format!("File does not exist. Note: your current working directory is {cwd}."),
            true,
        ),
        (Action::Edit { old, .. }, Failure::NoMatch) => (
            format!("<tool_use_error>String to replace not found in file.\nString: {old}</tool_use_error>"),
            true,
        ),
        (Action::Shell { .. }, Failure::ExitCode(code)) => (format!("Exit code {code}\n{}", c.output), true),
        (Action::Shell { .. }, _) => (text::truncate_middle(&c.output, 30_000), false),
        (Action::Read { .. }, _) => (text::numbered(&c.output, true), false),
        (Action::Edit { path, .. }, _) => (
            format!("The file {} has been updated successfully.", abs(cwd, path)),
            false,
        ),
        (Action::Write { path, .. }, _) => {
            (format!("File created successfully at: {}", abs(cwd, path)), false)
        }
        (Action::Grep { .. } | Action::Glob { .. }, _) if c.output.is_empty() => {
            ("No matches found".to_owned(), false)
        }
        _ => (c.output.clone(), false),
    }
}

/// The `toolUseResult` member: structured for successes, `"Error: …"` for failures.
fn tool_use_result(out: &mut Vec<u8>, c: &Call, cwd: &str, content: &str, agent: Option<&str>) {
    if !c.ok() {
        let msg = format!(
            "Error: {}",
            content
                .trim_start_matches("<tool_use_error>")
                .trim_end_matches("</tool_use_error>")
        );
        json::push_str(out, &msg);
        return;
    }
    json::object(out, |r| match &c.action {
        Action::Shell { .. } => {
            r.str("stdout", &c.output)
                .str("stderr", "")
                .bool("interrupted", false)
                .bool("isImage", false)
                .bool("noOutputExpected", c.output.is_empty());
        }
        Action::Read { path } => {
            let n = c.output.lines().count();
            r.str("type", "text").obj("file", |f| {
                f.str("filePath", &abs(cwd, path))
                    .str("content", &c.output)
                    .num("numLines", n)
                    .num("startLine", 1)
                    .num("totalLines", n);
            });
        }
        Action::Edit { path, old, new } => {
            r.str("filePath", &abs(cwd, path))
                .str("oldString", old)
                .str("newString", new)
                .null("originalFile")
                .arr("structuredPatch", |a| {
                    a.obj(|p| {
                        p.num("oldStart", 1)
                            .num("oldLines", old.lines().count())
                            .num("newStart", 1)
                            .num("newLines", new.lines().count())
                            .arr("lines", |l| {
                                for x in old.lines() {
                                    l.str(&format!("-{x}"));
                                }
                                for x in new.lines() {
                                    l.str(&format!("+{x}"));
                                }
                            });
                    });
                })
                .bool("userModified", false)
                .bool("replaceAll", false);
        }
        Action::Write { path, content } => {
            r.str("type", "create")
                .str("filePath", &abs(cwd, path))
                .str("content", content)
                .empty_arr("structuredPatch")
                .null("originalFile");
        }
        Action::Grep { .. } => {
            let n = c.output.lines().count();
            r.str("mode", "content")
                .num("numFiles", n.min(5))
                .empty_arr("filenames")
                .str("content", &c.output)
                .num("numLines", n);
        }
        Action::Glob { .. } => {
            r.arr("filenames", |a| {
                for l in c.output.lines().filter(|l| !l.starts_with("No files")) {
                    a.str(&abs(cwd, l));
                }
            })
            .num("durationMs", c.duration_ms)
            .num("numFiles", c.output.lines().count())
            .bool("truncated", false);
        }
        Action::Task {
            agent_type, prompt, ..
        } => {
            r.str("status", "completed")
                .str("prompt", prompt)
                .opt_str("agentId", agent)
                .str("agentType", agent_type)
                .arr("content", |a| {
                    a.obj(|t| {
                        t.str("type", "text").str("text", content);
                    });
                })
                .num("totalDurationMs", c.duration_ms)
                .num("totalTokens", 8000 + content.len())
                .num("totalToolUseCount", 2);
        }
    });
}

/// Writes one Claude session (and its sub-agent transcripts).
pub(crate) fn write_session(ctx: &mut Ctx, plan: &SessionPlan) -> io::Result<()> {
    let sid = ids::uuid4(&mut ctx.rng);
    let mut sc = Scenario::new(&mut ctx.rng, plan.scale, true);
    let project_dir = ctx
        .home
        .join(".claude/projects")
        .join(format!("-home-user-{}", sc.repo.name));
    fs::create_dir_all(&project_dir)?;
    let path = project_dir.join(format!("{sid}.jsonl"));
    let sink = LineSink::create(&path, plan.damage, plan.target, &mut ctx.damage_rng)?;
    let previous = ctx
        .claude_leaves
        .iter()
        .find(|(repo, _, _)| *repo == sc.repo.name)
        .map(|(_, leaf, title)| (leaf.clone(), title.clone()));
    let rng = &mut ctx.rng;
    let model = pick(rng, MODELS);
    let version = pick(rng, VERSIONS);
    let entrypoint = if rng.random_bool(0.8) { "cli" } else { "sdk-cli" };
    let mut w = Writer {
        rng,
        blobs: &ctx.blobs,
        damage: &mut ctx.damage,
        damage_rng: &mut ctx.damage_rng,
        sink,
        buf: Vec::with_capacity(1 << 14),
        scratch: Vec::with_capacity(1 << 12),
        clock: Clock::new(plan.start),
        parent: None,
        session_id: sid.clone(),
        project_dir: project_dir.clone(),
        cwd: format!("/home/user/{}", sc.repo.name),
        branch: sc.branch.clone(),
        version,
        entrypoint,
        model,
        files: sc.repo.files,
        agent_id: None,
        prompt_id: String::new(),
        subfiles: Vec::new(),
    };
    if let Some((leaf, title)) = &previous
        && w.rng.random_bool(0.3)
    {
        w.plain(|o| {
            o.str("type", "summary")
                .str("summary", title)
                .str("leafUuid", leaf);
        })?;
    }
    let title = sc.title();
    let target = plan.target;
    let mut next_compaction = match plan.scale {
        Scale::Small => u64::MAX,
        Scale::Medium if w.rng.random_bool(0.4) => (target as f64 * w.rng.random_range(0.45..0.75)) as u64,
        Scale::Medium => u64::MAX,
        Scale::Large => w.rng.random_range(3_000_000..8_000_000),
    };
    let mut first = true;
    let mut last_prompt;
    loop {
        let turn = sc.next_turn(w.rng);
        w.turn(&turn, first)?;
        if first {
            w.plain(|o| {
                o.str("type", "ai-title")
                    .str("aiTitle", &title)
                    .str("sessionId", &sid);
            })?;
            first = false;
        }
        last_prompt = turn.prompt;
        let bytes = w.sink.bytes();
        if bytes >= target {
            break;
        }
        if bytes >= next_compaction {
            let summary = sc.summary(w.rng);
            let manual = w.rng.random_bool(0.3);
            w.compact(&summary, manual)?;
            next_compaction = match plan.scale {
                Scale::Large => bytes + w.rng.random_range(3_000_000..8_000_000),
                _ => u64::MAX,
            };
        }
    }
    let leaf = w.parent.clone().unwrap_or_default();
    let short: String = last_prompt.chars().take(200).collect();
    w.plain(|o| {
        o.str("type", "last-prompt")
            .str("lastPrompt", &short)
            .str("leafUuid", &leaf)
            .str("sessionId", &sid);
    })?;
    let subfiles = std::mem::take(&mut w.subfiles);
    let (bytes, applied) = w.sink.finish()?;
    ctx.record_session_file(path, bytes, applied);
    for (p, b, d) in subfiles {
        ctx.record_session_file(p, b, d);
    }
    let entry = (sc.repo.name, leaf, title);
    match ctx.claude_leaves.iter_mut().find(|(r, _, _)| *r == sc.repo.name) {
        Some(slot) => *slot = entry,
        None => ctx.claude_leaves.push(entry),
    }
    Ok(())
}
