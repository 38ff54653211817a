//! Structure-aware inputs: valid JSON events in each agent's shape (the keys of real events,
//! formats.md §1–3), built with `arbitrary` from the fuzzer's bytes, so that mutations land
//! in the connectors' logic instead of dying in `serde_json`. Every string field is a
//! [`Text`]: arbitrary Unicode, biased towards multi-byte characters sitting exactly on the
//! byte lengths where sk cuts text, the bug class `sk_core::text` exists for.

use arbitrary::{Arbitrary, Result, Unstructured};
use serde_json::{Map, Value, json};
use sk_core::{Record, RecordKind};

mod claude;
mod codex;
mod copilot;

pub use claude::ClaudeEntry;
pub use codex::CodexLine;
pub use copilot::CopilotEvent;

/// Byte and character limits the code cuts text at (record caps, summary and excerpt
/// lengths, title and body limits, prompt heads, audit lines).
const CUTS: &[usize] = &[
    40,
    64,
    70,
    80,
    100,
    200,
    300,
    500,
    512,
    600,
    800,
    1000,
    1024,
    1500,
    2000,
    2048,
    4096,
    32 * 1024,
];

/// Characters of every UTF-8 width, and a few with surprising case mappings or meanings.
const WIDE: &[char] = &[
    'é',
    'ß',
    'İ',
    'ŉ',
    '—',
    '…',
    '€',
    '中',
    '\u{2028}',
    '\u{feff}',
    '\u{200b}',
    '😀',
    '𝔘',
    '\u{10ffff}',
];

/// Words the parsers and rules react to: cue words, tags, tool output shapes, secret markers.
const WORDS: &[&str] = &[
    "error: ",
    "error[E0432]: unresolved import `serde_yaml`",
    "command not found",
    "No such file or directory",
    "Exit code: 1\n",
    "Process exited with code 2",
    "<exited with exit code 127>",
    "exit code 1\n",
    "Traceback (most recent call last):\n",
    "FAILED",
    "panicked at",
    "warning: ",
    "we decided to ",
    "because ",
    "always run ",
    "never ",
    "don't ",
    "instead of ",
    "use ",
    "convention: ",
    "No, ",
    "that's wrong, ",
    "actually ",
    "fixed by ",
    "the fix was ",
    "- ",
    "* ",
    "1. ",
    "## ",
    "```",
    "`",
    "\n\n",
    "<overview>",
    "</overview>",
    "<work_done>",
    "</work_done>",
    "<next_steps>",
    "<technical_details>",
    "<important_files>",
    "<history>",
    "<command-name>/review</command-name>",
    "<command-args>",
    "<bash-input>",
    "<bash-stdout>",
    "<local-command-stdout>",
    "<system-reminder>",
    "<user_instructions>",
    "<environment_context>",
    "[Request interrupted by user]",
    "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-a\n+b\n*** End Patch",
    "*** Add File: ",
    "Output:\n",
    "Wall time: 0.1 seconds\n",
    "cargo test",
    "python",
    "python3",
    "git push --force origin main",
    "rm -rf /",
    "curl -fsSL https://x.sh | sh",
    "chmod -R 777 .",
    " > notes.md",
    " | tee out.txt",
    "src/main.rs",
    "/work/demo/",
    "/tmp/",
    "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
    "AKIAIOSFODNN7EXAMPLE",
    "sk-ant-api03-",
    "password=",
    "api_key: ",
    "Bearer ",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.",
    "-----BEGIN RSA PRIVATE KEY-----",
    "xoxb-",
    "Token",
    "2026-07-02T15:28:15.754Z",
];

/// Arbitrary text biased towards what breaks byte-counting code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Text> {
        let mut s = String::new();
        let pieces = u.int_in_range(0..=5)?;
        for _ in 0..pieces {
            match u.int_in_range(0..=6)? {
                0 | 1 => s.push_str(<&str>::arbitrary(u)?),
                2 => {
                    // Fill up to just below a cut, then a wide character across it.
                    let cut = *u.choose(CUTS)?;
                    let back = u.int_in_range(0..=4)?;
                    let filler = *u.choose(&['a', ' ', '\n', '.', 'é', '—'])?;
                    while s.len() + back < cut {
                        s.push(filler);
                    }
                    s.push(*u.choose(WIDE)?);
                }
                3 => {
                    let c = *u.choose(WIDE)?;
                    let n = u.int_in_range(1..=700)?;
                    s.extend(std::iter::repeat_n(c, n));
                }
                4 | 5 => s.push_str(u.choose(WORDS)?),
                _ => s.push(char::arbitrary(u)?),
            }
        }
        Ok(Text(s))
    }
}

impl From<&Text> for Value {
    fn from(t: &Text) -> Value {
        Value::String(t.0.clone())
    }
}

/// An identifier from a small pool, so calls meet their results and rewinds find their
/// event; sometimes arbitrary text.
#[derive(Debug, Clone)]
pub struct Id(pub String);

impl<'a> Arbitrary<'a> for Id {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Id> {
        Ok(Id(if u.ratio(1, 8)? {
            Text::arbitrary(u)?.0
        } else {
            format!("id{}", u.int_in_range(0..=5)?)
        }))
    }
}

/// A tool name every connector or rule knows, or arbitrary text.
#[derive(Debug, Clone)]
pub struct ToolName(pub String);

const TOOLS: &[&str] = &[
    "bash",
    "Bash",
    "shell",
    "shell_command",
    "exec_command",
    "local_shell",
    "powershell",
    "edit",
    "Edit",
    "MultiEdit",
    "create",
    "view",
    "Read",
    "Write",
    "NotebookEdit",
    "str_replace_editor",
    "str_replace",
    "read_file",
    "glob",
    "Glob",
    "Grep",
    "rg",
    "Task",
    "Agent",
    "task",
    "WebFetch",
    "WebSearch",
    "apply_patch",
    "update_plan",
    "read_many",
    "mcp__github__get_issue",
];

impl<'a> Arbitrary<'a> for ToolName {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<ToolName> {
        Ok(ToolName(if u.ratio(1, 10)? {
            Text::arbitrary(u)?.0
        } else {
            (*u.choose(TOOLS)?).to_string()
        }))
    }
}

/// A timestamp in one of the shapes logs use, or junk.
#[derive(Debug, Clone, Arbitrary)]
pub enum Stamp {
    Iso(u32),
    Millis(i64),
    Seconds(f64),
    Junk(Text),
    Absent,
}

impl Stamp {
    fn value(&self) -> Option<Value> {
        Some(match self {
            Stamp::Iso(s) => {
                let (d, h, m, sec) = (s % 28 + 1, s / 28 % 24, s / 672 % 60, s / 40320 % 60);
                Value::String(format!("2026-07-{d:02}T{h:02}:{m:02}:{sec:02}.{:03}Z", s % 1000))
            }
            Stamp::Millis(n) => json!(n),
            Stamp::Seconds(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Stamp::Junk(t) => Value::from(t),
            Stamp::Absent => return None,
        })
    }
}

/// A small JSON value of any shape, with [`Text`] strings and keys from the formats.
#[derive(Debug, Clone)]
pub struct AnyJson(pub Value);

const KEYS: &[&str] = &[
    "command",
    "path",
    "file_path",
    "filePath",
    "old_str",
    "new_str",
    "old_string",
    "new_string",
    "content",
    "file_text",
    "pattern",
    "description",
    "prompt",
    "input",
    "edits",
    "paths",
    "url",
    "query",
    "text",
    "type",
    "message",
    "output",
    "stdout",
    "stderr",
    "exit_code",
    "metadata",
    "success",
    "is_error",
    "workdir",
    "cmd",
];

fn any_json(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let pick = if depth >= 3 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(u)?),
        2 => json!(i64::arbitrary(u)?),
        3 | 4 => Value::from(&Text::arbitrary(u)?),
        5 => {
            let n = u.int_in_range(0..=4)?;
            Value::Array((0..n).map(|_| any_json(u, depth + 1)).collect::<Result<_>>()?)
        }
        _ => {
            let n = u.int_in_range(0..=5)?;
            let mut map = Map::new();
            for _ in 0..n {
                let key = if u.ratio(1, 6)? {
                    Text::arbitrary(u)?.0
                } else {
                    (*u.choose(KEYS)?).to_string()
                };
                map.insert(key, any_json(u, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

impl<'a> Arbitrary<'a> for AnyJson {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<AnyJson> {
        Ok(AnyJson(any_json(u, 0)?))
    }
}

/// Tool arguments in the shapes the agents send: a shell command (string or argv), an edit,
/// a file write, a path, a JSON-encoded string, or anything.
#[derive(Debug, Clone, Arbitrary)]
pub enum Args {
    Command(Text),
    Argv(Vec<Text>),
    Edit {
        path: Text,
        old: Text,
        new: Text,
        claude: bool,
    },
    Write {
        path: Text,
        text: Text,
    },
    Path(Text),
    /// The arguments as a JSON-encoded string (older Copilot, Codex `arguments`). One level
    /// only: nested encodings double their escapes at every level and grow exponentially.
    Encoded(Box<Args>),
    Any(AnyJson),
}

impl Args {
    pub fn value(&self) -> Value {
        match self {
            Args::Command(c) => json!({"command": c.0, "description": "run it"}),
            Args::Argv(argv) => json!({"command": argv.iter().map(|a| a.0.as_str()).collect::<Vec<_>>()}),
            Args::Edit {
                path,
                old,
                new,
                claude: true,
            } => {
                json!({"file_path": path.0, "old_string": old.0, "new_string": new.0})
            }
            Args::Edit { path, old, new, .. } => json!({"path": path.0, "old_str": old.0, "new_str": new.0}),
            Args::Write { path, text } => json!({"path": path.0, "file_text": text.0, "content": text.0}),
            Args::Path(p) => json!({"path": p.0}),
            Args::Encoded(inner) => match inner.as_ref() {
                Args::Encoded(_) => inner.value(),
                plain => Value::String(plain.value().to_string()),
            },
            Args::Any(v) => v.0.clone(),
        }
    }
}

/// The tagged sections of a Copilot compaction summary or checkpoint.
#[derive(Debug, Clone, Arbitrary)]
pub struct Sections(pub Vec<(u8, Text, bool)>);

const SECTIONS: &[&str] = &[
    "overview",
    "history",
    "work_done",
    "technical_details",
    "important_files",
    "next_steps",
    "checkpoint_title",
];

impl Sections {
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (tag, body, closed) in &self.0 {
            let name = SECTIONS[*tag as usize % SECTIONS.len()];
            out.push_str(&format!("<{name}>\n{}\n", body.0));
            if *closed {
                out.push_str(&format!("</{name}>\n"));
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Records, for the extractor alone

#[derive(Debug, Clone, Arbitrary)]
pub struct FuzzRecord {
    kind: u8,
    /// Added to the previous record's offset (0 = another part of the same line).
    step: u8,
    event: Option<Id>,
    call: Option<Id>,
    tool: Option<ToolName>,
    success: Option<bool>,
    subagent: bool,
    section: Option<u8>,
    text: Text,
    files: Vec<Text>,
}

const RECORD_SECTIONS: &[&str] = &[
    "overview",
    "history",
    "work_done",
    "technical_details",
    "important_files",
    "next_steps",
    "compact",
    "summary",
    "plan.md",
];

/// Turns generated records into a session in file order (offsets ascending, parts counted
/// within a line), as the store hands them to the extractor.
pub fn records(generated: &[FuzzRecord]) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::with_capacity(generated.len());
    let mut offset = 0u64;
    let mut part = 0u32;
    for g in generated {
        if g.step == 0 && !out.is_empty() {
            part += 1;
        } else {
            offset += u64::from(g.step);
            part = 0;
        }
        out.push(Record {
            kind: Some(RecordKind::ALL[g.kind as usize % RecordKind::ALL.len()]),
            offset,
            part,
            event_id: g.event.as_ref().map(|e| e.0.clone()),
            message_id: None,
            ts: Some(1_783_000_000_000 + offset as i64),
            call_id: g.call.as_ref().map(|c| c.0.clone()),
            tool: g.tool.as_ref().map(|t| t.0.clone()),
            success: g.success,
            subagent: g.subagent,
            section: g
                .section
                .map(|s| RECORD_SECTIONS[s as usize % RECORD_SECTIONS.len()].to_string()),
            refers_to: None,
            text: g.text.0.clone(),
            files: g.files.iter().map(|f| f.0.clone()).collect(),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------

fn texts(items: &[Text]) -> Vec<Value> {
    items.iter().map(Value::from).collect()
}

fn put_opt(v: &mut Value, key: &str, text: &Option<Text>) {
    if let Some(t) = text {
        v[key] = Value::from(t);
    }
}

fn put_id(v: &mut Value, key: &str, id: &Option<Id>) {
    if let Some(id) = id {
        v[key] = Value::String(id.0.clone());
    }
}

/// JSON lines, one per value, each ending in `\n`.
pub fn jsonl(lines: impl IntoIterator<Item = Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}
