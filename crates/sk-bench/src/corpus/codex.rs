//! Codex CLI rollouts: `.codex/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl` and a few
//! under `.codex/archived_sessions/`.
//!
//! Lines are `{"timestamp","type","payload"}` as in `fixtures/corpus/codex/*.jsonl`:
//! `session_meta` (with the big `base_instructions`), `turn_context`, `response_item`
//! (messages, encrypted `reasoning`, `function_call`/`function_call_output`,
//! `custom_tool_call` apply_patch) duplicated by `event_msg` items (`user_message`,
//! `agent_message`, `exec_command_end`, `patch_apply_end`, `token_count`,
//! `task_complete`), and `compacted`. Three eras of the CLI are mixed because their
//! shapes differ (legacy `shell` calls with JSON outputs vs `exec_command` chunks).

use std::fs;
use std::io;

use rand::Rng;
use rand::rngs::SmallRng;

use super::damage::LineSink;
use super::ids::{self, Blobs, Clock};
use super::json::{self, Obj, Piece};
use super::recap::Summary;
use super::script::{Action, Call, Failure, Scale, Scenario, Step, Turn};
use super::text;
use super::vocab::pick;
use super::{Ctx, SessionPlan, prompts};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Era {
    /// 0.4x: `shell` function calls whose output is a JSON string, no base instructions.
    Old,
    /// 0.128: `exec_command` with chunked text output, `base_instructions`.
    Mid,
    /// 0.144: adds `world_state`, context windows and encrypted compaction.
    New,
}

struct Writer<'a> {
    rng: &'a mut SmallRng,
    blobs: &'a Blobs,
    sink: LineSink,
    buf: Vec<u8>,
    clock: Clock,
    era: Era,
    cwd: String,
    model: &'static str,
    turn_id: String,
    total_in: u64,
    total_cached: u64,
    total_out: u64,
    window_id: String,
    first_window: String,
    windows: u32,
    recent_prompts: Vec<String>,
}

fn abs(cwd: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        rel.to_owned()
    } else {
        format!("{cwd}/{rel}")
    }
}

/// The shell command a read/search/list action becomes in Codex, which has no file tools.
fn command_for(action: &Action) -> String {
    match action {
        Action::Shell { command, .. } => command.clone(),
        Action::Read { path } => format!("sed -n '1,400p' {path}"),
        Action::Grep { pattern, path } => format!("rg -n \"{pattern}\" {path}"),
        Action::Glob { pattern } => format!("rg --files -g '{pattern}'"),
        _ => String::new(),
    }
}

fn patch_for(action: &Action) -> String {
    let mut p = String::from("*** Begin Patch\n");
    match action {
        Action::Edit { path, old, new } => {
            p.push_str(&format!("*** Update File: {path}\n@@\n"));
            for l in old.lines() {
                p.push('-');
                p.push_str(l);
                p.push('\n');
            }
            for l in new.lines() {
                p.push('+');
                p.push_str(l);
                p.push('\n');
            }
        }
        Action::Write { path, content } => {
            p.push_str(&format!("*** Add File: {path}\n"));
            for l in content.lines() {
                p.push('+');
                p.push_str(l);
                p.push('\n');
            }
        }
        _ => {}
    }
    p.push_str("*** End Patch\n");
    p
}

impl Writer<'_> {
    fn item(&mut self, ty: &str, lo: i64, hi: i64, payload: impl FnOnce(&mut Obj<'_>)) -> io::Result<()> {
        let ts = self.clock.tick(self.rng, lo, hi).iso();
        self.buf.clear();
        json::object(&mut self.buf, |o| {
            o.str("timestamp", &ts).str("type", ty).obj("payload", payload);
        });
        self.sink.line(&self.buf)
    }

    fn event(&mut self, lo: i64, hi: i64, payload: impl FnOnce(&mut Obj<'_>)) -> io::Result<()> {
        self.item("event_msg", lo, hi, payload)
    }

    fn message(&mut self, role: &str, texts: &[&str], phase: Option<&str>, id: bool) -> io::Result<()> {
        let kind = if role == "assistant" {
            "output_text"
        } else {
            "input_text"
        };
        let msg_id = if id && self.era == Era::New {
            Some(ids::hex(self.rng, "msg_", 50))
        } else {
            None
        };
        let turn = (self.era == Era::New).then(|| self.turn_id.clone());
        self.item("response_item", 1, 40, |o| {
            o.str("type", "message");
            if let Some(i) = &msg_id {
                o.str("id", i);
            }
            o.str("role", role).arr("content", |a| {
                for t in texts {
                    a.obj(|c| {
                        c.str("type", kind).str("text", t);
                    });
                }
            });
            if let Some(p) = phase {
                o.str("phase", p);
            }
            if let Some(t) = &turn {
                o.obj("internal_chat_message_metadata_passthrough", |m| {
                    m.str("turn_id", t);
                });
            }
        })
    }

    fn token_count(&mut self) -> io::Result<()> {
        let input = self.rng.random_range(9_000..40_000u64);
        let cached = input * self.rng.random_range(50..95) / 100;
        let output = self.rng.random_range(10..1500u64);
        let reasoning = output / 3;
        self.total_in += input;
        self.total_cached += cached;
        self.total_out += output;
        let (ti, tc, to) = (self.total_in, self.total_cached, self.total_out);
        let resets = self.clock.now().unix_secs() + 14_400;
        let used = (ti % 97) as f64;
        self.event(1, 30, |o| {
            o.str("type", "token_count")
                .obj("info", |i| {
                    i.obj("total_token_usage", |u| {
                        u.num("input_tokens", ti)
                            .num("cached_input_tokens", tc)
                            .num("output_tokens", to)
                            .num("reasoning_output_tokens", to / 3)
                            .num("total_tokens", ti + to);
                    })
                    .obj("last_token_usage", |u| {
                        u.num("input_tokens", input)
                            .num("cached_input_tokens", cached)
                            .num("output_tokens", output)
                            .num("reasoning_output_tokens", reasoning)
                            .num("total_tokens", input + output);
                    })
                    .num("model_context_window", 258_400);
                })
                .obj("rate_limits", |r| {
                    r.str("limit_id", "codex")
                        .null("limit_name")
                        .obj("primary", |p| {
                            p.num("used_percent", format_args!("{used:.1}"))
                                .num("window_minutes", 300)
                                .num("resets_at", resets);
                        })
                        .null("secondary")
                        .null("credits")
                        .str("plan_type", "team")
                        .null("rate_limit_reached_type");
                });
        })
    }

    fn step(&mut self, step: &Step) -> io::Result<()> {
        let enc_len = self.rng.random_range(400..4000);
        let encrypted = self.blobs.fernet(self.rng, enc_len);
        let summary = step.thinking.as_str();
        self.item("response_item", 800, 20_000, |o| {
            o.str("type", "reasoning")
                .arr("summary", |a| {
                    if !summary.is_empty() {
                        a.obj(|s| {
                            s.str("type", "summary_text").str("text", summary);
                        });
                    }
                })
                .null("content")
                .str("encrypted_content", &encrypted);
        })?;
        if self.era == Era::Old && !summary.is_empty() {
            self.event(1, 5, |o| {
                o.str("type", "agent_reasoning").str("text", summary);
            })?;
        }
        if !step.text.is_empty() {
            self.agent_message(&step.text, "commentary")?;
        }
        for c in &step.calls {
            self.call(c)?;
        }
        self.token_count()
    }

    fn agent_message(&mut self, text: &str, phase: &str) -> io::Result<()> {
        let era = self.era;
        self.event(200, 4000, |o| {
            o.str("type", "agent_message").str("message", text);
            if era != Era::Old {
                o.str("phase", phase).null("memory_citation");
            }
        })?;
        self.message("assistant", &[text], (era != Era::Old).then_some(phase), true)
    }

    fn call(&mut self, c: &Call) -> io::Result<()> {
        let call_id = ids::alnum(self.rng, "call_", 24);
        match &c.action {
            Action::Edit { .. } | Action::Write { .. } if self.era != Era::Old => {
                self.apply_patch(&call_id, c)
            }
            Action::Task { .. } => Ok(()),
            _ => self.exec(&call_id, c),
        }
    }

    /// (output, exit code) of a command as Codex saw it.
    fn command_result(c: &Call) -> (String, i32) {
        match (&c.action, c.failure) {
            (Action::Read { path }, Failure::NotFound) => {
                (format!("sed: can't read {path}: No such file or directory\n"), 2)
            }
            (Action::Grep { .. }, _) if c.output.is_empty() => (String::new(), 1),
            (Action::Edit { path, old, .. }, Failure::NoMatch) => {
                (format!("Failed to find expected lines in {path}:\n{old}"), 1)
            }
            (Action::Edit { .. } | Action::Write { .. }, Failure::Denied) => (
                "patch rejected: writing outside of the project; rejected by user approval settings"
                    .to_owned(),
                1,
            ),
            (Action::Edit { path, .. }, _) => {
                (format!("Success. Updated the following files:\nM {path}\n"), 0)
            }
            (Action::Write { path, .. }, _) => {
                (format!("Success. Updated the following files:\nA {path}\n"), 0)
            }
            _ => (c.output.clone(), c.exit_code()),
        }
    }

    fn exec(&mut self, call_id: &str, c: &Call) -> io::Result<()> {
        let old = self.era == Era::Old;
        let is_patch = matches!(c.action, Action::Edit { .. } | Action::Write { .. });
        let cmd = if is_patch {
            String::new()
        } else {
            command_for(&c.action)
        };
        let patch = if is_patch {
            patch_for(&c.action)
        } else {
            String::new()
        };
        let cwd = self.cwd.clone();
        let args = json::object_string(|a| {
            if old {
                a.arr("command", |x| {
                    if is_patch {
                        x.str("apply_patch").str(&patch);
                    } else {
                        x.str("bash").str("-lc").str(&cmd);
                    }
                })
                .str("workdir", &cwd)
                .num("timeout_ms", 120_000);
            } else {
                a.str("cmd", &cmd)
                    .str("workdir", &cwd)
                    .num("yield_time_ms", 10_000)
                    .num("max_output_tokens", 10_000);
            }
        });
        let name = if old { "shell" } else { "exec_command" };
        self.item("response_item", 100, 3000, |o| {
            o.str("type", "function_call")
                .str("name", name)
                .str("arguments", &args)
                .str("call_id", call_id);
        })?;
        let (output, exit) = Self::command_result(c);
        let secs = f64::from(c.duration_ms) / 1000.0;
        let turn = self.turn_id.clone();
        let process = self.rng.random_range(1000..99_999);
        let argv0 = if is_patch { "apply_patch" } else { "/bin/bash" };
        let lo = i64::from(c.duration_ms / 2);
        let hi = i64::from(c.duration_ms) + 60;
        self.event(lo, hi, |o| {
            o.str("type", "exec_command_end").str("call_id", call_id);
            if !old {
                o.str("process_id", &process.to_string()).str("turn_id", &turn);
            }
            o.arr("command", |x| {
                x.str(argv0);
                if !is_patch {
                    x.str("-lc").str(&cmd);
                }
            })
            .str("cwd", &cwd)
            .arr("parsed_cmd", |x| {
                x.obj(|p| match &c.action {
                    Action::Read { path } => {
                        p.str("type", "read")
                            .str("cmd", &cmd)
                            .str("name", path.rsplit('/').next().unwrap_or(path))
                            .str("path", path);
                    }
                    Action::Grep { pattern, path } => {
                        p.str("type", "search")
                            .str("cmd", &cmd)
                            .str("query", pattern)
                            .str("path", path);
                    }
                    Action::Glob { .. } => {
                        p.str("type", "list_files").str("cmd", &cmd).null("path");
                    }
                    _ => {
                        p.str("type", "unknown").str("cmd", &cmd);
                    }
                });
            });
            if !old {
                o.str("source", "unified_exec_startup");
            }
            let big = output.len() > 256 * 1024;
            let (stdout, stderr) = match (exit == 0, big) {
                (_, true) => ("", ""),
                (true, false) => (output.as_str(), ""),
                (false, false) => ("", output.as_str()),
            };
            let formatted = if big {
                text::truncate_middle(&output, 40_000)
            } else {
                output.clone()
            };
            o.str("stdout", stdout)
                .str("stderr", stderr)
                .str("aggregated_output", &output)
                .num("exit_code", exit)
                .obj("duration", |d| {
                    d.num("secs", c.duration_ms / 1000)
                        .num("nanos", (c.duration_ms % 1000) * 1_000_000);
                })
                .str("formatted_output", &formatted)
                .str("status", if exit == 0 { "completed" } else { "failed" });
        })?;
        let text = if old {
            json::object_string(|r| {
                r.str("output", &text::truncate_middle(&output, 40_000))
                    .obj("metadata", |m| {
                        m.num("exit_code", exit)
                            .num("duration_seconds", format_args!("{secs:.1}"));
                    });
            })
        } else {
            let chunk = ids::hex(self.rng, "", 6);
            format!(
                "Chunk ID: {chunk}\nWall time: {secs:.4} seconds\nProcess exited with code {exit}\nOriginal token count: {}\nOutput:\n{}",
                output.len() / 4,
                text::truncate_middle(&output, 40_000)
            )
        };
        self.item("response_item", 1, 20, |o| {
            o.str("type", "function_call_output")
                .str("call_id", call_id)
                .str("output", &text);
        })
    }

    fn apply_patch(&mut self, call_id: &str, c: &Call) -> io::Result<()> {
        let patch = patch_for(&c.action);
        let turn = self.turn_id.clone();
        let item_id = ids::hex(self.rng, "ctc_", 50);
        let new_era = self.era == Era::New;
        self.item("response_item", 500, 8000, |o| {
            o.str("type", "custom_tool_call");
            if new_era {
                o.str("id", &item_id);
            }
            o.str("status", "completed")
                .str("call_id", call_id)
                .str("name", "apply_patch")
                .str("input", &patch);
        })?;
        let (output, exit) = Self::command_result(c);
        let cwd = self.cwd.clone();
        self.event(20, 400, |o| {
            o.str("type", "patch_apply_end")
                .str("call_id", call_id)
                .str("turn_id", &turn)
                .str("stdout", if exit == 0 { &output } else { "" })
                .str("stderr", if exit == 0 { "" } else { &output })
                .bool("success", exit == 0)
                .obj("changes", |ch| match &c.action {
                    Action::Edit { path, old, new } => {
                        let diff = format!("@@\n-{old}\n+{new}\n");
                        ch.dyn_obj(&abs(&cwd, path), |x| {
                            x.str("type", "update")
                                .str("unified_diff", &diff)
                                .null("move_path");
                        });
                    }
                    Action::Write { path, content } => {
                        ch.dyn_obj(&abs(&cwd, path), |x| {
                            x.str("type", "add").str("content", content);
                        });
                    }
                    _ => {}
                })
                .str("status", if exit == 0 { "completed" } else { "failed" });
        })?;
        let result = json::object_string(|r| {
            r.str("output", &output).obj("metadata", |m| {
                m.num("exit_code", exit).num("duration_seconds", "0.0");
            });
        });
        self.item("response_item", 1, 30, |o| {
            o.str("type", "custom_tool_call_output")
                .str("call_id", call_id)
                .str("output", &result);
        })
    }

    fn turn_header(&mut self, first: bool) -> io::Result<()> {
        let now = self.clock.now();
        self.turn_id = ids::uuid7(self.rng, now.0);
        let turn = self.turn_id.clone();
        if self.era != Era::Old {
            self.event(1, 10, |o| {
                o.str("type", "task_started")
                    .str("turn_id", &turn)
                    .num("started_at", now.unix_secs())
                    .num("model_context_window", 258_400)
                    .str("collaboration_mode_kind", "default");
            })?;
            if first || self.era == Era::New {
                self.message("developer", &[prompts::codex_permissions()], None, false)?;
            }
        }
        let cwd = self.cwd.clone();
        let date = now.date();
        if first {
            let env = format!(
                "<environment_context>\n  <cwd>{cwd}</cwd>\n  <shell>bash</shell>\n  <current_date>{date}</current_date>\n  <timezone>Europe/Berlin</timezone>\n</environment_context>"
            );
            self.message("user", &[&env], None, false)?;
            if self.era == Era::New {
                self.item("world_state", 0, 2, |o| {
                    o.bool("full", true).obj("state", |s| {
                        s.empty_obj("agents_md")
                            .bool("apps_instructions", true)
                            .obj("environments", |e| {
                                e.obj("environments", |x| {
                                    x.obj("local", |l| {
                                        l.str("cwd", &cwd).str("status", "available").str("shell", "bash");
                                    });
                                })
                                .str("current_date", &date)
                                .str("timezone", "Europe/Berlin");
                            })
                            .bool("plugins_instructions", true);
                    });
                })?;
            }
        }
        let (era, model) = (self.era, self.model);
        self.item("turn_context", 0, 3, |o| {
            if era != Era::Old {
                o.str("turn_id", &turn);
            }
            o.str("cwd", &cwd);
            if era != Era::Old {
                o.str("current_date", &date).str("timezone", "Europe/Berlin");
            }
            o.str("approval_policy", "on-request").obj("sandbox_policy", |s| {
                s.str(if era == Era::Old { "mode" } else { "type" }, "workspace-write")
                    .bool("network_access", false)
                    .bool("exclude_tmpdir_env_var", false)
                    .bool("exclude_slash_tmp", false);
            });
            o.str("model", model);
            if era != Era::Old {
                o.str("personality", "pragmatic")
                    .obj("collaboration_mode", |c| {
                        c.str("mode", "default").obj("settings", |x| {
                            x.str("model", model)
                                .str("reasoning_effort", "high")
                                .null("developer_instructions");
                        });
                    })
                    .bool("realtime_active", false);
            }
            o.str("effort", "high").str("summary", "auto");
        })
    }

    fn turn(&mut self, t: &Turn, first: bool) -> io::Result<()> {
        self.turn_header(first)?;
        let turn_start = self.clock.now();
        self.message("user", &[&t.prompt], None, false)?;
        let era = self.era;
        self.event(0, 2, |o| {
            o.str("type", "user_message")
                .str("message", &t.prompt)
                .empty_arr("images");
            if era != Era::Old {
                o.empty_arr("local_images").empty_arr("text_elements");
            }
        })?;
        if self.recent_prompts.len() >= 3 {
            self.recent_prompts.remove(0);
        }
        self.recent_prompts.push(t.prompt.clone());
        for s in &t.steps {
            self.step(s)?;
        }
        self.agent_message(&t.final_text, "final_answer")?;
        self.token_count()?;
        let now = self.clock.now();
        let turn = self.turn_id.clone();
        self.event(1, 20, |o| {
            o.str("type", "task_complete");
            if era != Era::Old {
                o.str("turn_id", &turn);
            }
            o.str("last_agent_message", &t.final_text);
            if era != Era::Old {
                o.num("completed_at", now.unix_secs())
                    .num("duration_ms", now.0 - turn_start.0);
            }
        })
    }

    fn compact(&mut self, summary: &Summary) -> io::Result<()> {
        let text = format!(
            "Summary of the conversation so far:\n\n{}\n\nHistory:\n{}\nFiles:\n{}\nDetails:\n{}\nNext steps:\n{}",
            summary.overview,
            summary.history,
            summary.important_files,
            summary.technical_details,
            summary.next_steps
        );
        let prompts = self.recent_prompts.clone();
        match self.era {
            Era::Old => self.item("compacted", 10_000, 60_000, |o| {
                o.str("message", &text);
            }),
            Era::Mid => self.item("compacted", 10_000, 60_000, |o| {
                o.str("message", &text).arr("replacement_history", |a| {
                    for p in &prompts {
                        a.obj(|m| {
                            m.str("type", "message").str("role", "user").arr("content", |c| {
                                c.obj(|t| {
                                    t.str("type", "input_text").str("text", p);
                                });
                            });
                        });
                    }
                });
            }),
            Era::New => {
                let enc_len = self.rng.random_range(1500..6000);
                let encrypted = self.blobs.fernet(self.rng, enc_len);
                let cmp = ids::hex(self.rng, "cmp_", 50);
                let previous = self.window_id.clone();
                self.window_id = ids::uuid7(self.rng, self.clock.now().0);
                self.windows += 1;
                let (first, window, n) = (self.first_window.clone(), self.window_id.clone(), self.windows);
                self.item("compacted", 10_000, 60_000, |o| {
                    o.str("message", "")
                        .arr("replacement_history", |a| {
                            for p in &prompts {
                                a.obj(|m| {
                                    m.str("type", "message").str("role", "user").arr("content", |c| {
                                        c.obj(|t| {
                                            t.str("type", "input_text").str("text", p);
                                        });
                                    });
                                });
                            }
                            a.obj(|m| {
                                m.str("type", "compaction")
                                    .str("id", &cmp)
                                    .str("encrypted_content", &encrypted);
                            });
                        })
                        .num("window_number", n)
                        .str("first_window_id", &first)
                        .str("previous_window_id", &previous)
                        .str("window_id", &window);
                })?;
                self.token_count()?;
                self.event(1, 5, |o| {
                    o.str("type", "context_compacted");
                })
            }
        }
    }
}

/// Writes one Codex rollout.
pub(crate) fn write_session(ctx: &mut Ctx, plan: &SessionPlan) -> io::Result<()> {
    let mut sc = Scenario::new(&mut ctx.rng, plan.scale, false);
    let rng = &mut ctx.rng;
    let era = if plan.target < 30_000 && rng.random_bool(0.7) {
        Era::Old
    } else {
        pick(rng, &[Era::Old, Era::Mid, Era::Mid, Era::New, Era::New])
    };
    let (version, originator, model) = match era {
        Era::Old => (
            pick(rng, &["0.46.0", "0.39.0"]),
            "codex_cli_rs",
            pick(rng, &["gpt-5-codex", "gpt-5"]),
        ),
        Era::Mid => ("0.128.0", pick(rng, &["codex_exec", "codex_cli_rs"]), "gpt-5.5"),
        Era::New => ("0.144.4", "codex-tui", pick(rng, &["gpt-5.6-sol", "gpt-5.5"])),
    };
    let id = ids::uuid7(rng, plan.start.0);
    let p = plan.start.parts();
    let stamp = format!(
        "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}",
        p.year, p.month, p.day, p.hour, p.minute, p.second
    );
    let dir = if rng.random_bool(0.03) {
        ctx.home.join(".codex/archived_sessions")
    } else {
        ctx.home
            .join(".codex/sessions")
            .join(format!("{:04}", p.year))
            .join(format!("{:02}", p.month))
            .join(format!("{:02}", p.day))
    };
    fs::create_dir_all(&dir)?;
    let path = dir.join(format!("rollout-{stamp}-{id}.jsonl"));
    let sink = LineSink::create(&path, plan.damage, plan.target, &mut ctx.damage_rng)?;
    let rng = &mut ctx.rng;
    let head = ids::hex(rng, "", 40);
    let window = ids::uuid7(rng, plan.start.0 + 5);
    let mut w = Writer {
        rng,
        blobs: &ctx.blobs,
        sink,
        buf: Vec::with_capacity(1 << 14),
        clock: Clock::new(plan.start),
        era,
        cwd: format!("/home/user/{}", sc.repo.name),
        model,
        turn_id: String::new(),
        total_in: 0,
        total_cached: 0,
        total_out: 0,
        window_id: window.clone(),
        first_window: window,
        windows: 0,
        recent_prompts: Vec::new(),
    };
    let start_iso = plan.start.iso();
    let cwd = w.cwd.clone();
    let repo_url = format!("git@github.com:{}/{}.git", sc.repo.owner, sc.repo.name);
    let first_window = w.first_window.clone();
    w.item("session_meta", 5, 60, |o| {
        if era == Era::New {
            o.str("session_id", &id);
        }
        o.str("id", &id)
            .str("timestamp", &start_iso)
            .str("cwd", &cwd)
            .str("originator", originator)
            .str("cli_version", version);
        match era {
            Era::Old => {
                o.null("instructions");
            }
            Era::Mid | Era::New => {
                o.str("source", if originator == "codex_exec" { "exec" } else { "cli" });
                if era == Era::New {
                    o.str("thread_source", "user");
                }
                o.str("model_provider", "openai").obj("base_instructions", |b| {
                    b.pieces("text", &[Piece::Escaped(prompts::codex_base_instructions())]);
                });
                if era == Era::New {
                    o.str("history_mode", "legacy").obj("context_window", |c| {
                        c.str("window_id", &first_window);
                    });
                }
            }
        }
        o.obj("git", |g| {
            g.str("commit_hash", &head)
                .str("branch", &sc.branch)
                .str("repository_url", &repo_url);
        });
    })?;
    let target = plan.target;
    let mut next_compaction = match plan.scale {
        Scale::Small => u64::MAX,
        Scale::Medium if w.rng.random_bool(0.4) => (target as f64 * w.rng.random_range(0.45..0.75)) as u64,
        Scale::Medium => u64::MAX,
        Scale::Large => w.rng.random_range(3_000_000..8_000_000),
    };
    let mut first = true;
    loop {
        let turn = sc.next_turn(w.rng);
        w.turn(&turn, first)?;
        first = false;
        let bytes = w.sink.bytes();
        if bytes >= target {
            break;
        }
        if bytes >= next_compaction {
            let summary = sc.summary(w.rng);
            w.compact(&summary)?;
            next_compaction = match plan.scale {
                Scale::Large => bytes + w.rng.random_range(3_000_000..8_000_000),
                _ => u64::MAX,
            };
        }
    }
    let (bytes, applied) = w.sink.finish()?;
    ctx.record_session_file(path, bytes, applied);
    Ok(())
}
