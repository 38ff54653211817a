//! The made-up world the sessions talk about: repositories, files, functions, technical
//! terms, decisions, conventions and corrections.
//!
//! Search and knowledge-extraction benchmarks need text with real, repeated, findable
//! terms (`validate_token`, `src/auth.rs`, "connection pool"), not lorem ipsum. Everything
//! is static data plus `format!` templates so generation stays fast.

use rand::Rng;
use rand::rngs::SmallRng;

use super::script::Action;

/// Picks one element of a non-empty slice.
pub fn pick<T: Copy>(rng: &mut SmallRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

pub use super::repos::{REPOS, Repo};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    TypeScript,
    Go,
}

/// The everyday commands of a language's toolchain.
pub struct Toolchain {
    pub build: &'static str,
    pub test: &'static str,
    pub lint: &'static str,
    pub fmt: &'static str,
}

impl Lang {
    pub fn toolchain(self) -> &'static Toolchain {
        match self {
            Lang::Rust => &Toolchain {
                build: "cargo build",
                test: "cargo test",
                lint: "cargo clippy --all-targets -- -D warnings",
                fmt: "cargo fmt --all",
            },
            Lang::Python => &Toolchain {
                build: "mypy lib pipeline",
                test: "pytest -q",
                lint: "ruff check .",
                fmt: "ruff format .",
            },
            Lang::TypeScript => &Toolchain {
                build: "npx tsc --noEmit",
                test: "npm test -- --run",
                lint: "npm run lint",
                fmt: "npx prettier --write src",
            },
            Lang::Go => &Toolchain {
                build: "go build ./...",
                test: "go test ./...",
                lint: "go vet ./...",
                fmt: "gofmt -w .",
            },
        }
    }

    /// (chosen, rejected, because …) triples for "we decided to use X instead of Y" lines.
    pub fn alternatives(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Lang::Rust => &[
                (
                    "thiserror",
                    "anyhow in library code",
                    "callers need to match on the error variants",
                ),
                (
                    "tokio::sync::RwLock",
                    "std::sync::Mutex",
                    "the guard is held across an .await",
                ),
                (
                    "a BTreeMap",
                    "a HashMap",
                    "the output must be deterministic for the snapshot tests",
                ),
                (
                    "sqlx with compile-time checked queries",
                    "diesel",
                    "we already keep raw SQL migrations",
                ),
                (
                    "rustls",
                    "native-tls",
                    "it avoids the OpenSSL dependency in the musl build",
                ),
                (
                    "memchr for line splitting",
                    "a regex",
                    "it is an order of magnitude faster on large logs",
                ),
                (
                    "#[serde(borrow)] on the wire structs",
                    "owned Strings",
                    "it removes an allocation per field on the hot path",
                ),
            ],
            Lang::Python => &[
                (
                    "pydantic v2 models",
                    "plain dicts",
                    "validation errors then point at the exact field",
                ),
                (
                    "ruff",
                    "flake8 and isort",
                    "one tool is faster and simpler to run in CI",
                ),
                (
                    "pathlib",
                    "os.path",
                    "it is clearer and behaves the same on Windows",
                ),
                ("polars", "pandas", "the backfill ran out of memory with pandas"),
                ("a dataclass", "a namedtuple", "we need defaults and mutability"),
                (
                    "pytest fixtures",
                    "setUp methods",
                    "they compose better across test modules",
                ),
            ],
            Lang::TypeScript => &[
                (
                    "zod schemas",
                    "hand-written type guards",
                    "the API types and the runtime checks stay in sync",
                ),
                (
                    "React Query",
                    "a custom fetch hook",
                    "it already handles caching, retries and deduplication",
                ),
                ("vitest", "jest", "it reuses the Vite config and runs much faster"),
                (
                    "Intl.NumberFormat",
                    "a manual price formatter",
                    "it handles every locale's currency rules",
                ),
                (
                    "CSS modules",
                    "styled-components",
                    "it removes the runtime styling cost",
                ),
            ],
            Lang::Go => &[
                (
                    "context.Context cancellation",
                    "a done channel",
                    "it propagates deadlines through every handler",
                ),
                (
                    "sync.Pool for buffers",
                    "allocating per request",
                    "the profile showed 40% of allocations in bytes.Buffer",
                ),
                (
                    "errgroup",
                    "a WaitGroup with an error channel",
                    "the first error cancels the other workers",
                ),
                (
                    "table-driven tests",
                    "one test function per case",
                    "adding a case is then one line",
                ),
                ("log/slog", "logrus", "it is in the standard library now"),
            ],
        }
    }

    /// House rules stated by users and repeated by agents.
    pub fn conventions(self) -> &'static [&'static str] {
        match self {
            Lang::Rust => &[
                "always run cargo fmt before committing",
                "never use unwrap() outside tests; propagate errors with ?",
                "every public function needs a doc comment",
                "keep clippy clean with -D warnings",
            ],
            Lang::Python => &[
                "always run ruff format before committing",
                "type-annotate every public function",
                "tests live under tests/ with a test_ prefix",
                "never catch a bare Exception",
            ],
            Lang::TypeScript => &[
                "run npm run lint before pushing",
                "no default exports in components",
                "use the shared formatPrice helper, never toFixed",
                "every icon button needs an aria-label",
            ],
            Lang::Go => &[
                "run gofmt and go vet before committing",
                "wrap errors with fmt.Errorf(\"...: %w\", err)",
                "no global state outside main",
                "every exported identifier has a doc comment",
            ],
        }
    }

    /// User corrections specific to the language.
    pub fn corrections(self) -> &'static [&'static str] {
        match self {
            Lang::Rust => &[
                "no, don't use unwrap here, propagate the error with ? instead",
                "don't clone the whole struct just to read one field; borrow it",
                "don't add a new crate for this, the standard library has what we need",
            ],
            Lang::Python => &[
                "no, don't swallow the exception, re-raise it with context",
                "please don't use a mutable default argument here",
                "don't use print for diagnostics, use the module logger",
            ],
            Lang::TypeScript => &[
                "no, don't use `any` here, type it properly",
                "don't put the fetch in a useEffect, use the existing hook",
                "don't mutate the state object in place",
            ],
            Lang::Go => &[
                "no, don't ignore that error, return it wrapped",
                "don't start a goroutine without a way to stop it",
                "don't use panic for a recoverable error",
            ],
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Lang::Rust => "rs",
            Lang::Python => "py",
            Lang::TypeScript => "ts",
            Lang::Go => "go",
        }
    }
}

pub static GENERAL_CONVENTIONS: &[&str] = &[
    "never commit directly to main; open a pull request",
    "add a changelog entry under Unreleased in CHANGELOG.md",
    "keep commits small and focused on one change",
    "branch names follow feat/<ticket>-<slug>",
    "run the full test suite before asking for review",
];

pub static GENERAL_CORRECTIONS: &[&str] = &[
    "actually, revert that change; the old behaviour was intended",
    "that's not what I asked: keep the public API unchanged",
    "no, don't touch the existing migrations, add a new one instead",
    "stop, don't run the deploy script, only the tests",
    "please don't reformat unrelated files in the same change",
];

pub static FEATURES: &[&str] = &[
    "retry with exponential backoff",
    "a configurable timeout",
    "structured logging",
    "input validation",
    "pagination",
    "caching of results",
    "a --dry-run flag",
    "metrics counters",
    "graceful shutdown",
    "a config option for the batch size",
];

pub static FINDINGS: &[&str] = &[
    "the lock is held across an await point",
    "the cursor is not advanced when a page comes back empty",
    "the error is converted with to_string() and loses its source",
    "the cache key ignores the locale",
    "there is an off-by-one error at the end of the range",
    "the config default is read before the environment override",
    "the retry loop never sleeps between attempts",
    "a multi-byte UTF-8 character is split at the buffer boundary",
    "the timestamp is parsed as local time instead of UTC",
    "the test relies on HashMap iteration order",
];

pub static BRANCH_PREFIXES: &[&str] = &["feat", "fix", "chore", "refactor"];

pub static LOG_LEVELS: &[&str] = &["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];

/// The names that the prose and the outputs of one session revolve around.
pub struct Focus<'r> {
    pub repo: &'r Repo,
    pub file: &'static str,
    pub func: &'static str,
    pub ty: &'static str,
    pub topic: &'static str,
}

impl<'r> Focus<'r> {
    /// Draws a focus biased towards the first (most edited) files of the repository.
    pub fn draw(rng: &mut SmallRng, repo: &'r Repo) -> Focus<'r> {
        let n = repo.files.len();
        let i = if rng.random_bool(0.6) {
            rng.random_range(0..n.min(3))
        } else {
            rng.random_range(0..n)
        };
        let mut file = repo.files[i];
        if !is_source(file) {
            file = repo.files[0];
        }
        Focus {
            repo,
            file,
            func: pick(rng, repo.funcs),
            ty: pick(rng, repo.types),
            topic: pick(rng, repo.topics),
        }
    }
}

/// Whether a path holds code (as opposed to a manifest), so edits and errors can point at it.
pub fn is_source(path: &str) -> bool {
    [".rs", ".py", ".ts", ".tsx", ".go"]
        .iter()
        .any(|e| path.ends_with(e))
}

/// A test name in the style of the language's runner.
pub fn test_name(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    let case = pick(
        rng,
        &[
            "rejects_invalid_input",
            "handles_empty_input",
            "roundtrip",
            "returns_error_on_timeout",
            "respects_limit",
            "is_idempotent",
        ],
    );
    let stem = f
        .file
        .rsplit('/')
        .next()
        .unwrap_or(f.file)
        .split('.')
        .next()
        .unwrap_or("mod");
    match f.repo.lang {
        Lang::Rust => format!("{stem}::tests::{}_{case}", f.func),
        Lang::Python => format!("tests/test_{stem}.py::test_{}_{case}", f.func),
        Lang::TypeScript => format!("{} {}", f.func, case.replace('_', " ")),
        Lang::Go => {
            let mut camel = String::from("Test");
            for part in f.func.split('_').chain(case.split('_')) {
                let mut c = part.chars();
                if let Some(first) = c.next() {
                    camel.extend(first.to_uppercase());
                    camel.push_str(c.as_str());
                }
            }
            camel
        }
    }
}

/// A user's opening request for a session or a new task inside one.
pub fn task_prompt(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    let tc = f.repo.lang.toolchain();
    let feature = pick(rng, FEATURES);
    let other = pick(rng, f.repo.files);
    match rng.random_range(0..12) {
        0 => format!("Fix the failing test for `{}` in {}.", f.func, f.file),
        1 => format!(
            "`{}` fails with a type error in {}. Can you fix it?",
            tc.build, f.file
        ),
        2 => format!("Add {feature} to `{}` in {}.", f.func, f.file),
        3 => format!(
            "Refactor `{}` in {} so it handles {} correctly.",
            f.func, f.file, f.topic
        ),
        4 => format!(
            "Why is `{}` so slow with large inputs? Investigate {} and propose a fix.",
            f.func, f.topic
        ),
        5 => format!(
            "Write unit tests for `{}` covering {} and the error paths.",
            f.func, f.topic
        ),
        6 => format!(
            "Rename `{}` to `{}_v2` everywhere and update the call sites.",
            f.func, f.func
        ),
        7 => format!("Review {} for bugs related to {}.", f.file, f.topic),
        8 => format!(
            "Implement {} in `{}`; follow the existing patterns in {other}.",
            f.topic, f.ty
        ),
        9 => format!("The CI job fails on `{}`. Please make it pass.", tc.lint),
        10 => format!(
            "Explain how {} works in {} and where `{}` fits in.",
            f.topic, f.repo.name, f.func
        ),
        _ => format!(
            "Our users report that {} breaks when {}. Find the cause in {} and fix it.",
            f.topic,
            pick(
                rng,
                &[
                    "the input is empty",
                    "two requests race",
                    "the locale is not en-US",
                    "the file is larger than 2 GB",
                    "the network times out"
                ]
            ),
            f.file
        ),
    }
}

/// Assistant prose before a tool call.
pub fn step_prose(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    match rng.random_range(0..9) {
        0 => format!(
            "I'll start by reading {} to see how `{}` handles {}.",
            f.file, f.func, f.topic
        ),
        1 => format!("Let me search for the call sites of `{}` first.", f.func),
        2 => format!(
            "Running the tests to get a baseline before touching `{}`.",
            f.func
        ),
        3 => format!(
            "`{}` is defined in {}; I'll check how `{}` is constructed there.",
            f.func, f.file, f.ty
        ),
        4 => String::new(),
        5 => format!(
            "Now I'll update `{}` so that {} is handled explicitly.",
            f.func, f.topic
        ),
        6 => format!("Checking the related tests for `{}`.", f.ty),
        7 => "Let me look at the surrounding code before editing.".to_owned(),
        _ => format!("I need to see where `{}` values are created.", f.ty),
    }
}

/// "We decided to use X instead of Y because Z." — the sentence the knowledge extractor
/// looks for.
pub fn decision(rng: &mut SmallRng, lang: Lang) -> String {
    let (a, b, why) = pick(rng, lang.alternatives());
    match rng.random_range(0..3) {
        0 => format!("We decided to use {a} instead of {b} because {why}."),
        1 => format!("Decision: use {a} rather than {b}, since {why}."),
        _ => format!("I went with {a} instead of {b} because {why}."),
    }
}

/// A convention as a user states it.
pub fn convention(rng: &mut SmallRng, lang: Lang) -> String {
    let rule = if rng.random_bool(0.6) {
        pick(rng, lang.conventions())
    } else {
        pick(rng, GENERAL_CONVENTIONS)
    };
    match rng.random_range(0..3) {
        0 => format!("Also, in this repo we {rule}. Please remember that."),
        1 => format!("Reminder: {rule}."),
        _ => format!("From now on, {rule}."),
    }
}

/// A user correction of what the agent just did.
pub fn correction(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    let c = if rng.random_bool(0.6) {
        pick(rng, f.repo.lang.corrections())
    } else {
        pick(rng, GENERAL_CORRECTIONS)
    };
    let mut s = String::with_capacity(c.len() + 60);
    let mut chars = c.chars();
    if let Some(first) = chars.next() {
        s.extend(first.to_uppercase());
        s.push_str(chars.as_str());
    }
    s.push_str(&format!(" (in {}, `{}`).", f.file, f.func));
    s
}

/// A short natural-language description of a change, for summaries and commit messages.
pub fn change_summary(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    match rng.random_range(0..5) {
        0 => format!("`{}` now returns a typed error instead of panicking", f.func),
        1 => format!("{} is handled explicitly in `{}`", f.topic, f.func),
        2 => format!("fixed the off-by-one in `{}` and added a regression test", f.func),
        3 => format!("`{}` validates its input before building a `{}`", f.func, f.ty),
        _ => format!("fixed the bug where {} in {}", pick(rng, FINDINGS), f.file),
    }
}

/// Assistant prose before a tool call, matching what the call does.
pub fn action_prose(rng: &mut SmallRng, f: &Focus<'_>, action: &Action) -> String {
    match action {
        Action::Shell { command, .. } => match rng.random_range(0..3) {
            0 => format!("Running `{command}`."),
            1 => format!("Let me run `{command}` to check the current state."),
            _ => format!("Now `{command}` to verify."),
        },
        Action::Read { path } => match rng.random_range(0..3) {
            0 => format!("I'll read {path} to see how `{}` handles {}.", f.func, f.topic),
            1 => format!("Let me look at {path} before editing."),
            _ => format!("Opening {path}; the error points there."),
        },
        Action::Edit { path, .. } => format!(
            "Now I'll update `{}` in {path} so that {} is handled explicitly.",
            f.func, f.topic
        ),
        Action::Write { path, .. } => {
            format!("I'll put the new helpers in {path} to keep {} small.", f.file)
        }
        Action::Grep { pattern, .. } => {
            format!("Let me search for the call sites of `{pattern}` first.")
        }
        Action::Glob { pattern } => format!("Listing the files matching {pattern}."),
        Action::Task { .. } => {
            "This needs a broad search, so I'll delegate it to an explore sub-agent.".into()
        }
    }
}

/// A reasoning summary (Copilot `reasoningText`, Codex reasoning summary, old Claude
/// thinking text); empty a quarter of the time, as models often log none.
pub fn thinking(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    match rng.random_range(0..4) {
        0 => format!(
            "The user wants me to work on `{}`. I should first look at {} and understand how {} is handled before changing anything.",
            f.func, f.file, f.topic
        ),
        1 => format!(
            "**Inspecting {}**\n\nI need to check where `{}` is constructed and whether the tests cover {}.",
            f.file, f.ty, f.topic
        ),
        2 => String::new(),
        _ => format!(
            "Let me plan: read {}, find the bug in `{}`, fix it, then run the tests.",
            f.file, f.func
        ),
    }
}
