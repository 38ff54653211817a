//! Tool output text: source code, compiler errors, test runs, grep/glob listings, logs.
//!
//! The knowledge extractor keys on the exact shapes real tools print (`error[E0308]`,
//! `test result: FAILED`, `FAILED tests/…`, `--- FAIL:`), so those shapes are reproduced
//! here over the vocabulary of `vocab`.

use std::fmt::Write as _;

use rand::Rng;
use rand::rngs::SmallRng;

use super::vocab::{Focus, LOG_LEVELS, Lang, pick};

static FIELDS: &[&str] = &[
    "amount",
    "currency",
    "expires_at",
    "segment_id",
    "offset",
    "retries",
    "limit",
    "locale",
    "token",
    "checksum",
];
static VARS: &[&str] = &[
    "entry", "claims", "row", "batch", "item", "cursor", "page", "cfg", "conn", "buf",
];

fn camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split('_') {
        let mut c = part.chars();
        if let Some(first) = c.next() {
            out.extend(first.to_uppercase());
            out.push_str(c.as_str());
        }
    }
    out
}

/// Appends one block (a function or a type) of plausible source code.
fn code_block(out: &mut String, rng: &mut SmallRng, f: &Focus<'_>) {
    let func = pick(rng, f.repo.funcs);
    let ty = pick(rng, f.repo.types);
    let ty2 = pick(rng, f.repo.types);
    let field = pick(rng, FIELDS);
    let v = pick(rng, VARS);
    let topic = pick(rng, f.repo.topics);
    let as_type = rng.random_bool(0.3);
    let _ = match (f.repo.lang, as_type) {
        (Lang::Rust, false) => write!(
            out,
            "/// Handles {topic} for a `{ty}`.\npub fn {func}(&self, {v}: &{ty}) -> Result<{ty2}, Error> {{\n    let {field} = self.{field}.get(&{v}.id).ok_or(Error::NotFound)?;\n    if {field}.is_empty() {{\n        return Err(Error::Invalid(\"{topic}\".into()));\n    }}\n    tracing::debug!(id = %{v}.id, \"{func}\");\n    Ok({ty2}::from({field}))\n}}\n\n"
        ),
        (Lang::Rust, true) => write!(
            out,
            "#[derive(Debug, Clone, PartialEq)]\npub struct {ty} {{\n    pub id: u64,\n    pub {field}: String,\n    pub created_at: i64,\n}}\n\n"
        ),
        (Lang::Python, false) => write!(
            out,
            "def {func}({v}: {ty}, *, limit: int = 100) -> {ty2}:\n    \"\"\"Handle {topic}.\"\"\"\n    if not {v}:\n        raise ValueError(\"{topic}: empty input\")\n    items = [x for x in {v}.{field} if x is not None]\n    logger.debug(\"%s: %d items\", \"{func}\", len(items))\n    return {ty2}(items[:limit])\n\n\n"
        ),
        (Lang::Python, true) => write!(
            out,
            "@dataclass\nclass {ty}:\n    id: int\n    {field}: str = \"\"\n    created_at: float = 0.0\n\n\n"
        ),
        (Lang::TypeScript, false) => write!(
            out,
            "export async function {func}({v}: {ty}, opts: Options = {{}}): Promise<{ty2}> {{\n  // {topic}\n  const res = await client.get(`/api/{field}`, {{ params: buildParams({v}) }});\n  if (!res.ok) {{\n    throw new ApiError(`{func} failed: ${{res.status}}`);\n  }}\n  return res.data as {ty2};\n}}\n\n"
        ),
        (Lang::TypeScript, true) => write!(
            out,
            "export interface {ty} {{\n  id: string;\n  {field}: number;\n  updatedAt?: string;\n}}\n\n"
        ),
        (Lang::Go, false) => write!(
            out,
            "// {} handles {topic}.\nfunc (r *{ty}) {}(ctx context.Context, {v} string) (*{ty2}, error) {{\n\tres, err := r.store.Get(ctx, {v})\n\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"{func} %s: %w\", {v}, err)\n\t}}\n\tif len(res.Items) == 0 {{\n\t\treturn nil, errNotFound\n\t}}\n\treturn res, nil\n}}\n\n",
            camel(func),
            camel(func)
        ),
        (Lang::Go, true) => write!(
            out,
            "type {ty} struct {{\n\tID string\n\t{} int\n\tmu sync.Mutex\n}}\n\n",
            camel(field)
        ),
    };
}

/// About `lines` lines of source code in the focus repository's language.
pub fn code(rng: &mut SmallRng, f: &Focus<'_>, lines: usize) -> String {
    let mut out = String::with_capacity(lines * 40);
    let header = match f.repo.lang {
        Lang::Rust => "use crate::error::Error;\nuse std::collections::BTreeMap;\n\n",
        Lang::Python => {
            "from __future__ import annotations\n\nimport logging\nfrom dataclasses import dataclass\n\nlogger = logging.getLogger(__name__)\n\n\n"
        }
        Lang::TypeScript => {
            "import { client, buildParams } from './client';\nimport type { Options } from './types';\n\n"
        }
        Lang::Go => "package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"sync\"\n)\n\n",
    };
    out.push_str(header);
    let mut count = header.matches('\n').count();
    while count < lines {
        let before = out.len();
        code_block(&mut out, rng, f);
        count += sk_core::text::from(&out, before).matches('\n').count();
    }
    out
}

/// An (old, new) pair for an edit tool call on the focus file.
pub fn edit_pair(rng: &mut SmallRng, f: &Focus<'_>) -> (String, String) {
    let field = pick(rng, FIELDS);
    let v = pick(rng, VARS);
    let func = f.func;
    match (f.repo.lang, rng.random_range(0..3)) {
        (Lang::Rust, 0) => (
            format!("    let {field} = self.{field}.get(&{v}.id).unwrap();"),
            format!("    let {field} = self.{field}.get(&{v}.id).ok_or(Error::NotFound)?;"),
        ),
        (Lang::Rust, 1) => (
            format!("pub fn {func}(&self, {v}: {}) -> {} {{", f.ty, f.ty),
            format!(
                "pub fn {func}(&self, {v}: &{}) -> Result<{}, Error> {{",
                f.ty, f.ty
            ),
        ),
        (Lang::Rust, _) => (
            format!("    for i in 0..=self.{field}.len() {{"),
            format!("    for i in 0..self.{field}.len() {{"),
        ),
        (Lang::Python, 0) => (
            "    except Exception:\n        return None".to_owned(),
            format!(
                "    except KeyError as exc:\n        raise ParseError(\"{func}: missing {field}\") from exc"
            ),
        ),
        (Lang::Python, 1) => (
            format!("def {func}({v}, limit=[]):"),
            format!(
                "def {func}({v}: {}, limit: int | None = None) -> list[{}]:",
                f.ty, f.ty
            ),
        ),
        (Lang::Python, _) => (
            format!("    for i in range(len({v}.{field}) + 1):"),
            format!("    for i in range(len({v}.{field})):"),
        ),
        (Lang::TypeScript, 0) => (
            format!("  const {v}: any = await res.json();"),
            format!("  const {v} = {}Schema.parse(await res.json());", f.ty),
        ),
        (Lang::TypeScript, 1) => (
            format!(
                "  useEffect(() => {{ {func}(id).then(set{}) }}, []);",
                camel(field)
            ),
            format!("  const {{ data: {field} }} = useSession(id);"),
        ),
        (Lang::TypeScript, _) => (
            "  return price.toFixed(2);".to_owned(),
            "  return formatPrice(price, locale);".to_owned(),
        ),
        (Lang::Go, 0) => (
            format!("\tres, _ := r.store.Get(ctx, {v})"),
            format!(
                "\tres, err := r.store.Get(ctx, {v})\n\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"{func}: %w\", err)\n\t}}"
            ),
        ),
        (Lang::Go, 1) => (
            format!("\tgo r.{}()", camel(func)),
            format!("\tg.Go(func() error {{ return r.{}(ctx) }})", camel(func)),
        ),
        (Lang::Go, _) => (
            format!("\tfor i := 0; i <= len(r.{field}); i++ {{"),
            format!("\tfor i := 0; i < len(r.{field}); i++ {{"),
        ),
    }
}

/// Compiler or type-checker error output pointing at `file:line:col`.
pub fn compile_error(rng: &mut SmallRng, f: &Focus<'_>, line: u32, col: u32) -> String {
    let v = pick(rng, VARS);
    let file = f.file;
    match f.repo.lang {
        Lang::Rust => {
            let (code, title, note) = match rng.random_range(0..4) {
                0 => (
                    "E0308",
                    "mismatched types".to_owned(),
                    format!("expected `{}`, found `Option<&{}>`", f.ty, f.ty),
                ),
                1 => (
                    "E0382",
                    format!("borrow of moved value: `{v}`"),
                    "value borrowed here after move".to_owned(),
                ),
                2 => (
                    "E0599",
                    format!(
                        "no method named `{}` found for struct `{}` in the current scope",
                        f.func, f.ty
                    ),
                    "method not found in this type".to_owned(),
                ),
                _ => (
                    "E0425",
                    format!("cannot find value `{v}` in this scope"),
                    "not found in this scope".to_owned(),
                ),
            };
            format!(
                "   Compiling {} v0.4.2 (/home/user/{})\nerror[{code}]: {title}\n  --> {file}:{line}:{col}\n   |\n{line:>3} |     let {v} = {}(&ctx)?;\n   |         {} {note}\n\nFor more information about this error, try `rustc --explain {code}`.\nerror: could not compile `{}` (lib) due to 1 previous error",
                f.repo.name,
                f.repo.name,
                f.func,
                "^".repeat(v.len() + 3),
                f.repo.name
            )
        }
        Lang::Python => format!(
            "{file}:{line}: error: Incompatible return value type (got \"{} | None\", expected \"{}\")  [return-value]\n{file}:{}: error: Argument 1 to \"{}\" has incompatible type \"str\"; expected \"int\"  [arg-type]\nFound 2 errors in 1 file (checked 14 source files)",
            f.ty,
            f.ty,
            line + 7,
            f.func
        ),
        Lang::TypeScript => format!(
            "{file}({line},{col}): error TS2322: Type 'string | undefined' is not assignable to type 'string'.\n  Type 'undefined' is not assignable to type 'string'.\n{file}({},{}): error TS2339: Property '{}' does not exist on type '{}'.\n\nFound 2 errors in the same file, starting at: {file}:{line}",
            line + 12,
            col + 4,
            pick(rng, FIELDS),
            f.ty
        ),
        Lang::Go => format!(
            "# github.com/{}/{}/{}\n./{}:{line}:{col}: undefined: {}\n./{}:{}:{}: cannot use {v} (variable of type string) as int value in argument to {}",
            f.repo.owner,
            f.repo.name,
            file.rsplit_once('/').map_or(".", |(d, _)| d),
            file.rsplit('/').next().unwrap_or(file),
            f.func,
            file.rsplit('/').next().unwrap_or(file),
            line + 3,
            col + 2,
            f.func
        ),
    }
}

/// Output of a test run that fails `test`.
pub fn test_failure(rng: &mut SmallRng, f: &Focus<'_>, test: &str, total: u32) -> String {
    let line = rng.random_range(20..400);
    let (left, right) = (rng.random_range(0..500), rng.random_range(0..500));
    let passed = total.saturating_sub(1);
    match f.repo.lang {
        Lang::Rust => format!(
            "    Finished `test` profile [unoptimized + debuginfo] target(s) in 3.{:02}s\n     Running unittests src/lib.rs (target/debug/deps/{}-9f1c2b7e4d3a6b58)\n\nrunning {total} tests\ntest {test} ... FAILED\n\nfailures:\n\n---- {test} stdout ----\n\nthread '{test}' panicked at {}:{line}:9:\nassertion `left == right` failed\n  left: {left}\n right: {right}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    {test}\n\ntest result: FAILED. {passed} passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.{:02}s\n\nerror: test failed, to rerun pass `--lib`",
            rng.random_range(10..99),
            f.repo.name.replace('-', "_"),
            f.file,
            rng.random_range(10..99)
        ),
        Lang::Python => format!(
            "F{}\n=================================== FAILURES ===================================\n___________________ {} ___________________\n\n    def {}():\n>       assert {}(sample) == {right}\nE       AssertionError: assert {left} == {right}\n\n{}:{line}: AssertionError\n=========================== short test summary info ============================\nFAILED {test} - AssertionError: assert {left} == {right}\n1 failed, {passed} passed in 0.{:02}s",
            ".".repeat(passed.min(60) as usize),
            test.rsplit("::").next().unwrap_or(test),
            test.rsplit("::").next().unwrap_or(test),
            f.func,
            test.split("::").next().unwrap_or(test),
            rng.random_range(10..99)
        ),
        Lang::TypeScript => format!(
            " FAIL  tests/{}.test.ts > {test}\nAssertionError: expected {left} to be {right} // Object.is equality\n ❯ tests/{}.test.ts:{line}:27\n\n Test Files  1 failed | 2 passed (3)\n      Tests  1 failed | {passed} passed ({total})\n   Duration  1.{:02}s",
            f.func,
            f.func,
            rng.random_range(10..99)
        ),
        Lang::Go => format!(
            "--- FAIL: {test} (0.00s)\n    {}_test.go:{line}: {}() = {left}, want {right}\nFAIL\nFAIL\tgithub.com/{}/{}/{}\t0.0{:02}s\nFAIL",
            f.file
                .rsplit('/')
                .next()
                .unwrap_or("x")
                .trim_end_matches(".go")
                .trim_end_matches("_test"),
            f.func,
            f.repo.owner,
            f.repo.name,
            f.file.rsplit_once('/').map_or(".", |(d, _)| d),
            rng.random_range(10..99)
        ),
    }
}

/// Output of a passing test run.
pub fn test_success(rng: &mut SmallRng, f: &Focus<'_>, total: u32) -> String {
    match f.repo.lang {
        Lang::Rust => {
            let mut s = format!(
                "    Finished `test` profile [unoptimized + debuginfo] target(s) in 2.{:02}s\n     Running unittests src/lib.rs (target/debug/deps/{}-9f1c2b7e4d3a6b58)\n\nrunning {total} tests\n",
                rng.random_range(10..99),
                f.repo.name.replace('-', "_")
            );
            for _ in 0..total.min(12) {
                let t = super::vocab::test_name(rng, f);
                let _ = writeln!(s, "test {t} ... ok");
            }
            let _ = write!(
                s,
                "\ntest result: ok. {total} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.{:02}s",
                rng.random_range(10..99)
            );
            s
        }
        Lang::Python => format!(
            "{} [100%]\n{total} passed in 1.{:02}s",
            ".".repeat(total.min(70) as usize),
            rng.random_range(10..99)
        ),
        Lang::TypeScript => format!(
            " ✓ tests/{}.test.ts ({total} tests) {}ms\n\n Test Files  3 passed (3)\n      Tests  {total} passed ({total})\n   Duration  1.{:02}s",
            f.func,
            rng.random_range(20..300),
            rng.random_range(10..99)
        ),
        Lang::Go => format!(
            "ok  \tgithub.com/{}/{}/{}\t0.0{:02}s\nok  \tgithub.com/{}/{}/cmd\t0.00{}s",
            f.repo.owner,
            f.repo.name,
            f.file.rsplit_once('/').map_or(".", |(d, _)| d),
            rng.random_range(10..99),
            f.repo.owner,
            f.repo.name,
            rng.random_range(1..9)
        ),
    }
}

/// Output of a successful build, lint or format command.
pub fn build_success(rng: &mut SmallRng, f: &Focus<'_>) -> String {
    match f.repo.lang {
        Lang::Rust => format!(
            "   Compiling {} v0.4.2 (/home/user/{})\n    Finished `dev` profile [unoptimized + debuginfo] target(s) in {}.{:02}s",
            f.repo.name,
            f.repo.name,
            rng.random_range(1..30),
            rng.random_range(10..99)
        ),
        Lang::Python => "Success: no issues found in 14 source files".to_owned(),
        Lang::TypeScript | Lang::Go => String::new(),
    }
}

/// `grep -rn` style matches for `pattern`.
pub fn grep_output(rng: &mut SmallRng, f: &Focus<'_>, pattern: &str, hits: usize) -> String {
    let mut s = String::with_capacity(hits * 80);
    for _ in 0..hits {
        let file = pick(rng, f.repo.files);
        let v = pick(rng, VARS);
        let arg = pick(rng, VARS);
        let field = pick(rng, FIELDS);
        let line = rng.random_range(1..600);
        let _ = match f.repo.lang {
            Lang::Rust => writeln!(s, "{file}:{line}:    let {v} = {pattern}(&{arg}, {field})?;"),
            Lang::Python => writeln!(s, "{file}:{line}:    {v} = {pattern}({arg}, {field}={field})"),
            Lang::TypeScript => {
                writeln!(
                    s,
                    "{file}:{line}:  const {v} = await {pattern}({arg}, {{ {field} }});"
                )
            }
            Lang::Go => writeln!(
                s,
                "{file}:{line}:\t{v}, err := {pattern}(ctx, {arg}.{})",
                camel(field)
            ),
        };
    }
    s
}

/// A file listing for a glob.
pub fn glob_output(rng: &mut SmallRng, f: &Focus<'_>, ext: &str) -> String {
    if rng.random_bool(0.08) {
        return String::new();
    }
    let mut s = String::new();
    for file in f.repo.files.iter().filter(|p| p.ends_with(ext)) {
        s.push_str(file);
        s.push('\n');
    }
    s
}

/// About `bytes` bytes of application log lines: the huge single-line tool outputs.
pub fn huge_log(rng: &mut SmallRng, f: &Focus<'_>, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 200);
    let mut ms: u64 = rng.random_range(0..86_400_000);
    while s.len() < bytes {
        ms += rng.random_range(1..400);
        let _ = writeln!(
            s,
            "2026-03-{:02}T{:02}:{:02}:{:02}.{:03}Z {} {} request_id={:08x} {}={} op={} latency_ms={} status={}",
            rng.random_range(1..29),
            ms / 3_600_000 % 24,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000,
            pick(rng, LOG_LEVELS),
            f.repo.name,
            rng.random::<u32>(),
            pick(rng, FIELDS),
            rng.random_range(0..100_000),
            pick(rng, f.repo.funcs),
            rng.random_range(1..900),
            pick(rng, &[200, 200, 200, 201, 204, 400, 404, 500, 503])
        );
    }
    s
}

/// What a tool shows the model of a very large output: head and tail around a marker.
/// Logs keep the full text elsewhere on the same line (detailedContent, stdout), which is
/// what makes those lines huge.
pub fn truncate_middle(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_owned();
    }
    let head = sk_core::text::prefix(s, limit * 3 / 4);
    let tail = sk_core::text::suffix(s, limit / 4);
    let omitted = sk_core::text::window(s, head.len(), s.len().saturating_sub(tail.len()))
        .lines()
        .count();
    format!("{head}\n\n[... {omitted} lines truncated ...]\n\n{tail}")
}

/// A unified diff for an edit, as Copilot's `detailedContent` shows it.
pub fn unified_diff(path: &str, old: &str, new: &str, line: u32) -> String {
    let mut s = format!(
        "\ndiff --git a{path} b{path}\nindex 0000000..0000000 100644\n--- a{path}\n+++ b{path}\n@@ -{line},{} +{line},{} @@\n",
        old.lines().count(),
        new.lines().count()
    );
    for l in old.lines() {
        s.push('-');
        s.push_str(l);
        s.push('\n');
    }
    for l in new.lines() {
        s.push('+');
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// Numbers lines the way a tool shows a file: `"{n}. "` (Copilot) or `"{n:>6}\t"` (Claude).
pub fn numbered(content: &str, tab_style: bool) -> String {
    let mut s = String::with_capacity(content.len() + content.len() / 4);
    for (i, l) in content.lines().enumerate() {
        if tab_style {
            let _ = writeln!(s, "{:>6}\t{l}", i + 1);
        } else {
            let _ = writeln!(s, "{}. {l}", i + 1);
        }
    }
    s
}
