//! What happens in a session, independent of how an agent writes it down.
//!
//! A `Scenario` produces one `Turn` at a time (user prompt, assistant steps with tool
//! calls and their outcomes, final answer), so a session of any size streams through a
//! writer without being held in memory. The three agent writers render the same turns in
//! their own formats. Failures are followed by fixes (an edit on the failing file and a
//! successful re-run of the same command), within the turn or in a later one, because the
//! knowledge extractor looks for exactly those failure → fix sequences.

use rand::Rng;
use rand::rngs::SmallRng;

use super::text;
use super::vocab::{self, Focus, Lang, Repo, pick};

/// What a tool call does, in agent-neutral terms. Paths are relative to the repository.
pub enum Action {
    Shell {
        command: String,
        description: String,
    },
    Read {
        path: String,
    },
    Edit {
        path: String,
        old: String,
        new: String,
    },
    Write {
        path: String,
        content: String,
    },
    Grep {
        pattern: String,
        path: String,
    },
    Glob {
        pattern: String,
    },
    /// A sub-agent: its own steps, then a result returned to the parent.
    Task {
        agent_type: &'static str,
        description: String,
        prompt: String,
        steps: Vec<Step>,
    },
}

/// Why a call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    None,
    /// The command ran and exited non-zero.
    ExitCode(i32),
    /// The file to read does not exist.
    NotFound,
    /// The harness refused permission.
    Denied,
    /// The edit's old text was not found in the file.
    NoMatch,
}

pub struct Call {
    pub action: Action,
    pub failure: Failure,
    /// Command output, file content, matches or the sub-agent's answer.
    pub output: String,
    pub duration_ms: u32,
}

impl Call {
    pub fn ok(&self) -> bool {
        self.failure == Failure::None
    }

    pub fn exit_code(&self) -> i32 {
        match self.failure {
            Failure::ExitCode(c) => c,
            Failure::None => 0,
            _ => 1,
        }
    }
}

/// One model response: prose, reasoning, and the tool calls it requests.
pub struct Step {
    pub text: String,
    pub thinking: String,
    pub calls: Vec<Call>,
}

pub struct Turn {
    pub prompt: String,
    pub steps: Vec<Step>,
    pub final_text: String,
}

pub(super) struct PendingFix {
    pub(super) command: String,
    file: &'static str,
    func: &'static str,
    pub(super) test: String,
}

/// How large a session is meant to be; scales file reads and outputs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Small,
    Medium,
    Large,
}

pub struct Scenario {
    pub repo: &'static Repo,
    pub branch: String,
    pub(super) main: Focus<'static>,
    scale: Scale,
    pub(super) pending: Option<PendingFix>,
    pub(super) history: Vec<String>,
    pub(super) touched: Vec<&'static str>,
    pub(super) decisions: Vec<String>,
    /// Whether sub-agent calls may be generated (Codex writes sub-agents to other files).
    pub allow_task: bool,
    /// Huge (1–2 MB) tool outputs still allowed in this session.
    pub huge_left: u32,
    turns: u32,
}

pub(super) fn slug(s: &str) -> String {
    let mut out = String::new();
    for w in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w.to_ascii_lowercase());
    }
    out
}

impl Scenario {
    pub fn new(rng: &mut SmallRng, scale: Scale, allow_task: bool) -> Scenario {
        let repo = &vocab::REPOS[rng.random_range(0..vocab::REPOS.len())];
        let main = Focus::draw(rng, repo);
        let branch = if rng.random_bool(0.3) {
            "main".to_owned()
        } else {
            format!(
                "{}/{}-{}",
                pick(rng, vocab::BRANCH_PREFIXES),
                rng.random_range(100..999),
                slug(main.topic)
            )
        };
        let huge_left = match scale {
            Scale::Large => rng.random_range(1..=3),
            _ => 0,
        };
        Scenario {
            repo,
            branch,
            main,
            scale,
            pending: None,
            history: Vec::new(),
            touched: Vec::new(),
            decisions: Vec::new(),
            allow_task,
            huge_left,
            turns: 0,
        }
    }

    /// A short title for the session (Copilot `summary`, Claude `ai-title`).
    pub fn title(&self) -> String {
        let mut t = format!("{} {} in {}", self.main.func, self.main.topic, self.main.file);
        if let Some(c) = t.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        t
    }

    fn focus(&self, rng: &mut SmallRng) -> Focus<'static> {
        if rng.random_bool(0.5) {
            Focus {
                repo: self.repo,
                file: self.main.file,
                func: self.main.func,
                ty: self.main.ty,
                topic: self.main.topic,
            }
        } else {
            Focus::draw(rng, self.repo)
        }
    }

    fn touch(&mut self, file: &'static str) {
        if !self.touched.contains(&file) {
            if self.touched.len() >= 8 {
                self.touched.remove(0);
            }
            self.touched.push(file);
        }
    }

    fn read_lines(&self, rng: &mut SmallRng) -> usize {
        match self.scale {
            Scale::Small => rng.random_range(10..40),
            Scale::Medium => rng.random_range(25..180),
            Scale::Large => rng.random_range(30..400),
        }
    }

    fn step(&self, rng: &mut SmallRng, f: &Focus<'_>, calls: Vec<Call>) -> Step {
        let text = if rng.random_bool(0.25) {
            String::new()
        } else {
            match calls.first() {
                Some(c) => vocab::action_prose(rng, f, &c.action),
                None => vocab::step_prose(rng, f),
            }
        };
        Step {
            text,
            thinking: vocab::thinking(rng, f),
            calls,
        }
    }

    fn shell(command: String, description: &str, failure: Failure, output: String) -> Call {
        Call {
            action: Action::Shell {
                command,
                description: description.to_owned(),
            },
            failure,
            output,
            duration_ms: 0,
        }
    }

    fn read(&self, rng: &mut SmallRng, f: &Focus<'_>) -> Call {
        if rng.random_bool(0.04) {
            let missing = f.file.replace(".", "/mod.");
            return Call {
                action: Action::Read { path: missing },
                failure: Failure::NotFound,
                output: String::new(),
                duration_ms: 0,
            };
        }
        let lines = self.read_lines(rng);
        Call {
            action: Action::Read {
                path: f.file.to_owned(),
            },
            failure: Failure::None,
            output: text::code(rng, f, lines),
            duration_ms: 0,
        }
    }

    fn edit(&mut self, rng: &mut SmallRng, f: &Focus<'static>, may_miss: bool) -> Call {
        let (old, new) = text::edit_pair(rng, f);
        self.touch(f.file);
        let failure = if may_miss && rng.random_bool(0.05) {
            Failure::NoMatch
        } else {
            Failure::None
        };
        Call {
            action: Action::Edit {
                path: f.file.to_owned(),
                old,
                new,
            },
            failure,
            output: String::new(),
            duration_ms: 0,
        }
    }

    fn run_tests(&self, rng: &mut SmallRng, f: &Focus<'_>, command: &str) -> Call {
        let total = rng.random_range(8..180);
        Self::shell(
            command.to_owned(),
            "Run the test suite",
            Failure::None,
            text::test_success(rng, f, total),
        )
    }

    fn grep(&self, rng: &mut SmallRng, f: &Focus<'_>) -> Call {
        let hits = rng.random_range(0..12);
        let dir = f.file.split('/').next().unwrap_or(".").to_owned();
        Call {
            action: Action::Grep {
                pattern: f.func.to_owned(),
                path: dir,
            },
            failure: Failure::None,
            output: text::grep_output(rng, f, f.func, hits),
            duration_ms: 0,
        }
    }

    fn glob(&self, rng: &mut SmallRng, f: &Focus<'_>) -> Call {
        let ext = f.file.rsplit('.').next().unwrap_or("rs");
        let top = f.file.split('/').next().unwrap_or("src");
        Call {
            action: Action::Glob {
                pattern: format!("{top}/**/*.{ext}"),
            },
            failure: Failure::None,
            output: text::glob_output(rng, f, ext),
            duration_ms: 0,
        }
    }

    fn fail_code(&self) -> i32 {
        match self.repo.lang {
            Lang::Rust => 101,
            _ => 1,
        }
    }

    /// The next turn of the conversation.
    pub fn next_turn(&mut self, rng: &mut SmallRng) -> Turn {
        self.turns += 1;
        let f = self.focus(rng);
        let tc = self.repo.lang.toolchain();
        let mut steps = Vec::new();
        let prompt;
        let mut final_text;

        let pending = if self.pending.is_some() && rng.random_bool(0.7) {
            self.pending.take()
        } else {
            None
        };
        if let Some(p) = pending {
            // A failure left over from an earlier turn: fix it now.
            let pf = Focus {
                repo: self.repo,
                file: p.file,
                func: p.func,
                ty: f.ty,
                topic: f.topic,
            };
            prompt = format!(
                "`{}` is still failing ({}). Please fix it before we move on.",
                p.command,
                if p.test.is_empty() {
                    "see the last run"
                } else {
                    &p.test
                }
            );
            let read = self.read(rng, &pf);
            steps.push(self.step(rng, &pf, vec![read]));
            let edit = self.edit(rng, &pf, false);
            steps.push(self.step(rng, &pf, vec![edit]));
            let rerun = self.run_tests(rng, &pf, &p.command);
            steps.push(self.step(rng, &pf, vec![rerun]));
            final_text = format!(
                "Fixed: {}. `{}` passes now.",
                vocab::change_summary(rng, &pf),
                p.command
            );
        } else if self.scale == Scale::Small && rng.random_bool(0.7) {
            (prompt, final_text) = self.light_turn(rng, &f, &mut steps);
        } else if self.huge_left > 0 && rng.random_bool(0.2) {
            self.huge_left -= 1;
            let size = rng.random_range(1_000_000..2_000_000);
            prompt = format!(
                "Check the server log for errors around `{}` and tell me what you find.",
                f.func
            );
            let out = text::huge_log(rng, &f, size);
            let cmd = format!("cat logs/{}.log", self.repo.name);
            steps.push(self.step(
                rng,
                &f,
                vec![Self::shell(cmd, "Show the server log", Failure::None, out)],
            ));
            final_text = format!(
                "The log is large; the errors cluster around `{}` with status 500/503, which matches {}.",
                f.func,
                pick(rng, vocab::FINDINGS)
            );
        } else {
            let kind = rng.random_range(0..100);
            match kind {
                0..=12 => {
                    // Build breaks, read, edit, rebuild, test.
                    prompt = vocab::task_prompt(rng, &f);
                    let line = rng.random_range(12..400);
                    let col = rng.random_range(5..40);
                    let err = text::compile_error(rng, &f, line, col);
                    let build = Self::shell(
                        tc.build.to_owned(),
                        "Build the project",
                        Failure::ExitCode(self.fail_code()),
                        err,
                    );
                    steps.push(self.step(rng, &f, vec![build]));
                    let read = self.read(rng, &f);
                    steps.push(self.step(rng, &f, vec![read]));
                    let edit = self.edit(rng, &f, true);
                    let missed = edit.failure == Failure::NoMatch;
                    steps.push(self.step(rng, &f, vec![edit]));
                    if missed {
                        let reread = self.read(rng, &f);
                        let retry = self.edit(rng, &f, false);
                        steps.push(self.step(rng, &f, vec![reread, retry]));
                    }
                    let ok = text::build_success(rng, &f);
                    let rebuild = Self::shell(tc.build.to_owned(), "Build the project", Failure::None, ok);
                    let tests = self.run_tests(rng, &f, tc.test);
                    steps.push(self.step(rng, &f, vec![rebuild]));
                    steps.push(self.step(rng, &f, vec![tests]));
                    final_text = format!(
                        "The build error at {}:{line} is fixed: {}. `{}` and `{}` pass.",
                        f.file,
                        vocab::change_summary(rng, &f),
                        tc.build,
                        tc.test
                    );
                }
                13..=23 => {
                    // A test fails, gets fixed, passes.
                    prompt = vocab::task_prompt(rng, &f);
                    let test = vocab::test_name(rng, &f);
                    let total = rng.random_range(8..180);
                    let out = text::test_failure(rng, &f, &test, total);
                    let run = Self::shell(
                        tc.test.to_owned(),
                        "Run the tests",
                        Failure::ExitCode(self.fail_code()),
                        out,
                    );
                    steps.push(self.step(rng, &f, vec![run]));
                    let grep = self.grep(rng, &f);
                    let read = self.read(rng, &f);
                    steps.push(self.step(rng, &f, vec![grep, read]));
                    let edit = self.edit(rng, &f, false);
                    steps.push(self.step(rng, &f, vec![edit]));
                    let rerun = self.run_tests(rng, &f, tc.test);
                    steps.push(self.step(rng, &f, vec![rerun]));
                    final_text = format!(
                        "`{test}` failed because {}. Fixed in {}; all tests pass.",
                        pick(rng, vocab::FINDINGS),
                        f.file
                    );
                }
                24..=50 => {
                    // Feature work; sometimes the tests still fail at the end.
                    prompt = vocab::task_prompt(rng, &f);
                    let grep = self.grep(rng, &f);
                    steps.push(self.step(rng, &f, vec![grep]));
                    let read = self.read(rng, &f);
                    steps.push(self.step(rng, &f, vec![read]));
                    let edit = self.edit(rng, &f, true);
                    steps.push(self.step(rng, &f, vec![edit]));
                    if rng.random_bool(0.3) {
                        let new_file = format!(
                            "{}/{}_helpers.{}",
                            f.file.rsplit_once('/').map_or("src", |(d, _)| d),
                            f.func.to_lowercase(),
                            self.repo.lang.extension()
                        );
                        let lines = self.read_lines(rng);
                        let content = text::code(rng, &f, lines);
                        steps.push(self.step(
                            rng,
                            &f,
                            vec![Call {
                                action: Action::Write {
                                    path: new_file,
                                    content,
                                },
                                failure: Failure::None,
                                output: String::new(),
                                duration_ms: 0,
                            }],
                        ));
                    }
                    if rng.random_bool(0.2) {
                        let test = vocab::test_name(rng, &f);
                        let total = rng.random_range(8..180);
                        let out = text::test_failure(rng, &f, &test, total);
                        let run = Self::shell(
                            tc.test.to_owned(),
                            "Run the tests",
                            Failure::ExitCode(self.fail_code()),
                            out,
                        );
                        steps.push(self.step(rng, &f, vec![run]));
                        self.pending = Some(PendingFix {
                            command: tc.test.to_owned(),
                            file: f.file,
                            func: f.func,
                            test: test.clone(),
                        });
                        final_text = format!(
                            "I implemented the change in {}, but `{test}` still fails; it looks like {}. Should I continue?",
                            f.file,
                            pick(rng, vocab::FINDINGS)
                        );
                    } else {
                        let run = self.run_tests(rng, &f, tc.test);
                        steps.push(self.step(rng, &f, vec![run]));
                        final_text = format!(
                            "Done: {}. {}",
                            vocab::change_summary(rng, &f),
                            vocab::decision(rng, self.repo.lang)
                        );
                    }
                }
                51..=66 => {
                    // Investigation only.
                    prompt = vocab::task_prompt(rng, &f);
                    let glob = self.glob(rng, &f);
                    let grep = self.grep(rng, &f);
                    steps.push(self.step(rng, &f, vec![glob, grep]));
                    let g2 = Focus::draw(rng, self.repo);
                    let a = self.read(rng, &f);
                    let b = self.read(rng, &g2);
                    steps.push(self.step(rng, &f, vec![a, b]));
                    final_text = format!(
                        "`{}` in {} is where {} happens. The root cause is that {}. {}",
                        f.func,
                        f.file,
                        f.topic,
                        pick(rng, vocab::FINDINGS),
                        vocab::decision(rng, self.repo.lang)
                    );
                }
                67..=74 if self.turns > 1 => {
                    // The user corrects the previous change.
                    prompt = vocab::correction(rng, &f);
                    let edit = self.edit(rng, &f, false);
                    steps.push(self.step(rng, &f, vec![edit]));
                    let fmt = Self::shell(tc.fmt.to_owned(), "Format", Failure::None, String::new());
                    let run = self.run_tests(rng, &f, tc.test);
                    steps.push(self.step(rng, &f, vec![fmt, run]));
                    final_text = format!(
                        "You're right. I changed `{}` in {} accordingly and the tests still pass.",
                        f.func, f.file
                    );
                }
                75..=80 => {
                    // A convention, then formatting and a commit.
                    let rule = vocab::convention(rng, self.repo.lang);
                    prompt = format!("Commit the work so far. {rule}");
                    let fmt = Self::shell(tc.fmt.to_owned(), "Format the code", Failure::None, String::new());
                    steps.push(self.step(rng, &f, vec![fmt]));
                    let msg = vocab::change_summary(rng, &f);
                    let commit = Self::shell(
                        format!("git add -A && git commit -m \"{}\"", msg.replace('`', "")),
                        "Commit the changes",
                        Failure::None,
                        format!(
                            "[{} {:07x}] {}\n 2 files changed, {} insertions(+), {} deletions(-)",
                            self.branch,
                            rng.random_range(0..0x0fff_ffffu32),
                            msg.replace('`', ""),
                            rng.random_range(1..80),
                            rng.random_range(0..40)
                        ),
                    );
                    steps.push(self.step(rng, &f, vec![commit]));
                    final_text = format!("Committed. Noted: {}", rule.to_lowercase());
                }
                81..=83 => {
                    // The harness refuses a write outside the workspace; write inside instead.
                    let name = self.repo.name;
                    prompt = format!(
                        "Add a config file for {name} with the default {} and run the tests.",
                        f.topic
                    );
                    let body = format!("[{name}]\nlimit = 100\ntimeout_ms = 5000\n# {}\n", f.topic);
                    let denied = Call {
                        action: Action::Write {
                            path: format!("/etc/{name}/config.toml"),
                            content: body.clone(),
                        },
                        failure: Failure::Denied,
                        output: String::new(),
                        duration_ms: 0,
                    };
                    steps.push(self.step(rng, &f, vec![denied]));
                    let local = Call {
                        action: Action::Write {
                            path: format!("config/{name}.toml"),
                            content: body,
                        },
                        failure: Failure::None,
                        output: String::new(),
                        duration_ms: 0,
                    };
                    steps.push(self.step(rng, &f, vec![local]));
                    let run = self.run_tests(rng, &f, tc.test);
                    steps.push(self.step(rng, &f, vec![run]));
                    final_text = format!(
                        "Writing /etc/{name}/config.toml was denied (permission denied), so the config now lives in config/{name}.toml and is loaded by `{}`. Tests pass.",
                        f.func
                    );
                }
                84..=86 => {
                    // Permission denied, then a working alternative.
                    prompt = format!("Run the deploy checks for {} and then the tests.", self.repo.name);
                    let denied = Self::shell(
                        "./scripts/check-deploy.sh".to_owned(),
                        "Run the deploy checks",
                        Failure::ExitCode(126),
                        "bash: ./scripts/check-deploy.sh: Permission denied".to_owned(),
                    );
                    steps.push(self.step(rng, &f, vec![denied]));
                    let fixed = Self::shell(
                        "chmod +x scripts/check-deploy.sh && ./scripts/check-deploy.sh".to_owned(),
                        "Make the script executable and run it",
                        Failure::None,
                        "deploy checks: 12 passed, 0 failed".to_owned(),
                    );
                    steps.push(self.step(rng, &f, vec![fixed]));
                    let run = self.run_tests(rng, &f, tc.test);
                    steps.push(self.step(rng, &f, vec![run]));
                    final_text = "The script was not executable (permission denied); after `chmod +x` the deploy checks and the tests pass.".to_owned();
                }
                87..=92 if self.allow_task => {
                    prompt = format!(
                        "Find every place that touches {} and summarise how `{}` is used.",
                        f.topic, f.func
                    );
                    let grep = self.grep(rng, &f);
                    let first = self.step(rng, &f, vec![grep]);
                    let read = self.read(rng, &f);
                    let second = self.step(rng, &f, vec![read]);
                    let inner = vec![first, second];
                    let result = format!(
                        "`{}` is called from {} places; the main path is in {}. {} is handled in `{}`.",
                        f.func,
                        rng.random_range(2..12),
                        f.file,
                        f.topic,
                        f.ty
                    );
                    let task = Call {
                        action: Action::Task {
                            agent_type: "Explore",
                            description: format!("Find uses of {}", f.func),
                            prompt: format!(
                                "Search the repository for every use of `{}` and report file:line locations with a one-line note each.",
                                f.func
                            ),
                            steps: inner,
                        },
                        failure: Failure::None,
                        output: result.clone(),
                        duration_ms: 0,
                    };
                    steps.push(self.step(rng, &f, vec![task]));
                    final_text = format!("The sub-agent reports: {result}");
                }
                _ => {
                    prompt = format!(
                        "Should we keep the current approach for {} in {}, or is there something better?",
                        f.topic, self.repo.name
                    );
                    final_text = format!(
                        "{} The current code in {} can be migrated incrementally, starting with `{}`.",
                        vocab::decision(rng, self.repo.lang),
                        f.file,
                        f.func
                    );
                }
            }
        }
        if rng.random_bool(0.15) {
            final_text.push(' ');
            final_text.push_str(&vocab::decision(rng, self.repo.lang));
        }
        if final_text.contains("instead of") || final_text.contains("rather than") {
            if self.decisions.len() >= 4 {
                self.decisions.remove(0);
            }
            self.decisions.push(final_text.clone());
        }
        if self.history.len() >= 6 {
            self.history.remove(0);
        }
        self.history.push(prompt.clone());
        self.touch(f.file);
        for (i, s) in steps.iter_mut().enumerate() {
            for c in &mut s.calls {
                c.duration_ms = 40 + (i as u32 * 7919 + c.output.len() as u32) % 9000;
            }
        }
        Turn {
            prompt,
            steps,
            final_text,
        }
    }

    /// A short turn for small sessions: a question, one read, or one test run.
    fn light_turn(
        &mut self,
        rng: &mut SmallRng,
        f: &Focus<'static>,
        steps: &mut Vec<Step>,
    ) -> (String, String) {
        let tc = self.repo.lang.toolchain();
        match rng.random_range(0..3) {
            0 => (
                format!("Quick question: how does `{}` deal with {}?", f.func, f.topic),
                format!(
                    "`{}` in {} handles {} by validating the `{}` first. {}",
                    f.func,
                    f.file,
                    f.topic,
                    f.ty,
                    vocab::decision(rng, self.repo.lang)
                ),
            ),
            1 => {
                let mut read = self.read(rng, f);
                if read.ok() {
                    let lines = rng.random_range(8..24);
                    read.output = text::code(rng, f, lines);
                }
                steps.push(self.step(rng, f, vec![read]));
                let q = match rng.random_range(0..3) {
                    0 => format!("Where is {} handled in {}?", f.topic, self.repo.name),
                    1 => format!("What does `{}` in {} do?", f.func, f.file),
                    _ => format!("Show me how `{}` is built.", f.ty),
                };
                (
                    q,
                    format!(
                        "In {}: `{}` takes care of {}; the tests for it are next to it.",
                        f.file, f.func, f.topic
                    ),
                )
            }
            _ => {
                if rng.random_bool(0.15) {
                    let test = vocab::test_name(rng, f);
                    let total = rng.random_range(8..60);
                    let out = text::test_failure(rng, f, &test, total);
                    let run = Self::shell(
                        tc.test.to_owned(),
                        "Run the tests",
                        Failure::ExitCode(self.fail_code()),
                        out,
                    );
                    steps.push(self.step(rng, f, vec![run]));
                    self.pending = Some(PendingFix {
                        command: tc.test.to_owned(),
                        file: f.file,
                        func: f.func,
                        test: test.clone(),
                    });
                    (
                        format!("Run the tests for `{}`.", f.func),
                        format!(
                            "`{test}` fails: {}. I can fix it next.",
                            pick(rng, vocab::FINDINGS)
                        ),
                    )
                } else {
                    let run = self.run_tests(rng, f, tc.test);
                    steps.push(self.step(rng, f, vec![run]));
                    (
                        format!("Run the tests for `{}`.", f.func),
                        format!("All tests pass (`{}`).", tc.test),
                    )
                }
            }
        }
    }
}
