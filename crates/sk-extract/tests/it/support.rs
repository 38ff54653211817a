//! Shared helpers: reading a corpus log through its real connector, and building
//! synthetic sessions record by record.

use std::path::PathBuf;

use sk_core::{Agent, Record, RecordKind, SourceFile, SourceKind};
use sk_extract::{Candidate, SessionContext, extract};
use sk_ingest::memory_sink::MemorySink;

/// `fixtures/corpus/<rel>` in this repository (real logs, Apache-2.0, see PROVENANCE.md).
pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/corpus")
        .join(rel)
}

/// Every corpus log with the agent that wrote it.
pub const CORPUS: [(Agent, &str); 8] = [
    (Agent::Claude, "claude/convo.jsonl"),
    (Agent::Claude, "claude/convo-compacted.jsonl"),
    (Agent::Copilot, "copilot/real-session.jsonl"),
    (Agent::Copilot, "copilot/compacted-real.jsonl"),
    (Agent::Copilot, "copilot/convo.jsonl"),
    (Agent::Copilot, "copilot/sample-session.jsonl"),
    (Agent::Codex, "codex/convo.jsonl"),
    (Agent::Codex, "codex/compacted-real.jsonl"),
];

/// Reads one corpus log with its connector into memory.
pub fn read_corpus(agent: Agent, rel: &str) -> MemorySink {
    let src = SourceFile {
        agent,
        path: corpus(rel),
        kind: SourceKind::Jsonl,
        session: rel.to_string(),
        parent_session: None,
    };
    let mut sink = MemorySink::default();
    sk_ingest::connector(agent)
        .read(&src, 0, &mut sink)
        .expect("corpus file reads");
    sink
}

/// Extracts from one corpus log, with the working directory the log reports.
pub fn extract_corpus(agent: Agent, rel: &str) -> Vec<Candidate> {
    let sink = read_corpus(agent, rel);
    let ctx = SessionContext {
        agent,
        session: rel,
        repo: sink.meta.repo.as_deref(),
        cwd: sink.meta.cwd.as_deref(),
    };
    extract(&ctx, &sink.records)
}

/// Builds a synthetic session; offsets grow by 100 per record, ids are `e<offset>`.
#[derive(Default)]
pub struct Session {
    pub records: Vec<Record>,
    next_call: u32,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    fn push(&mut self, mut r: Record) -> &mut Session {
        let offset = (self.records.len() as u64 + 1) * 100;
        r.offset = offset;
        r.event_id = Some(format!("e{offset}"));
        r.ts = Some(1_700_000_000_000 + offset as i64);
        self.records.push(r);
        self
    }

    pub fn prompt(&mut self, text: &str) -> &mut Session {
        self.push(Record::new(RecordKind::Prompt, 0, text))
    }

    pub fn answer(&mut self, text: &str) -> &mut Session {
        self.push(Record::new(RecordKind::Answer, 0, text))
    }

    pub fn summary(&mut self, section: &str, text: &str) -> &mut Session {
        let mut r = Record::new(RecordKind::Summary, 0, text);
        r.section = Some(section.to_string());
        self.push(r)
    }

    pub fn task_summary(&mut self, text: &str) -> &mut Session {
        self.push(Record::new(RecordKind::TaskSummary, 0, text))
    }

    /// A tool call and its result; `files` are the call's files.
    pub fn tool(
        &mut self,
        tool: &str,
        call_text: &str,
        files: &[&str],
        ok: bool,
        output: &str,
    ) -> &mut Session {
        self.next_call += 1;
        let id = format!("call{}", self.next_call);
        let mut call = Record::new(RecordKind::ToolCall, 0, call_text);
        call.tool = Some(tool.to_string());
        call.call_id = Some(id.clone());
        call.files = files.iter().map(|f| f.to_string()).collect();
        self.push(call);
        let mut result = Record::new(RecordKind::ToolResult, 0, output);
        result.call_id = Some(id);
        result.success = Some(ok);
        self.push(result)
    }

    pub fn bash(&mut self, command: &str, ok: bool, output: &str) -> &mut Session {
        self.tool("Bash", command, &[], ok, output)
    }

    pub fn edit(&mut self, file: &str, old: &str, new: &str) -> &mut Session {
        self.tool(
            "Edit",
            &format!("{file}\n- {old}\n+ {new}"),
            &[file],
            true,
            "The file has been updated.",
        )
    }

    pub fn extract(&self) -> Vec<Candidate> {
        self.extract_as(Agent::Claude)
    }

    pub fn extract_as(&self, agent: Agent) -> Vec<Candidate> {
        let ctx = SessionContext {
            agent,
            session: "synthetic",
            repo: None,
            cwd: Some("/work/app"),
        };
        extract(&ctx, &self.records)
    }
}

/// One line per candidate, for failure messages.
pub fn show(cands: &[Candidate]) -> String {
    cands
        .iter()
        .map(|c| {
            format!(
                "[{} {:.2}] {} | files={:?} cues={:?}",
                c.category, c.confidence, c.title, c.files, c.cues
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The mistakes extracted from `s` read as `agent`'s session.
pub fn mistakes_as(s: &Session, agent: Agent) -> Vec<Candidate> {
    s.extract_as(agent)
        .into_iter()
        .filter(|c| c.category == sk_core::Category::Mistake)
        .collect()
}

/// A Codex `apply_patch` call's text around the patch's sections.
pub fn patch(body: &str) -> String {
    format!("apply_patch *** Begin Patch\n{body}\n*** End Patch")
}

/// Codex's refusal of a patch whose context is not in the file: the message lists every
/// line of the chunk it looked for.
pub fn patch_not_found(file: &str, lines: &str) -> String {
    format!("apply_patch verification failed: Failed to find expected lines in {file}:\n{lines}")
}

/// The records as extraction loads them: the texts `TextNeeds` says are never read are
/// left blank.
pub fn as_loaded(records: &[Record]) -> Vec<Record> {
    let mut loaded = records.to_vec();
    sk_extract::TextNeeds::blank_unread(&mut loaded);
    loaded
}

/// The user corrections (rule 2) extracted from `s` as a session of `agent`.
pub fn corrections_as(s: &Session, agent: Agent) -> Vec<Candidate> {
    s.extract_as(agent)
        .into_iter()
        .filter(|c| has_cue(c, "rule:user-correction"))
        .collect()
}

/// A `git push` over https that could not ask for a user name, as Claude Code logs it.
pub const NO_USERNAME: &str =
    "Exit code 128\nfatal: could not read Username for 'https://github.com': No such device or address";

/// Output longer than [`sk_extract::SHORT_OUTPUT_BYTES`] ending in `text`, so that a
/// successful one is read only when its call hides its exit status.
pub fn long_output(text: &str) -> String {
    format!(
        "{text}\n{}",
        "Fetching gem metadata from https://rubygems.org/\n".repeat(3)
    )
}

/// The reason Claude Code logs when the user refuses a tool call and says why.
pub const REFUSED: &str = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). The user provided the following reason for the rejection:  ";

/// The mistakes extracted from `records` of a session of `agent` in `cwd`.
pub fn mistakes_in(records: &[Record], agent: Agent, cwd: &str) -> Vec<Candidate> {
    let ctx = SessionContext {
        agent,
        session: "synthetic",
        repo: None,
        cwd: Some(cwd),
    };
    extract(&ctx, records)
        .into_iter()
        .filter(|c| c.category == sk_core::Category::Mistake)
        .collect()
}

/// Whether a candidate carries the cue `cue` (the rule or match that made it).
pub fn has_cue(c: &Candidate, cue: &str) -> bool {
    c.cues.iter().any(|x| x == cue)
}

/// The line of a body that quotes the agent's own words for why (`cause`), if any.
pub fn why_line(body: &str) -> Option<&str> {
    body.lines()
        .find_map(|l| l.strip_prefix("Why, in the agent's words: "))
}

/// A session in which the user corrects the agent's VM launcher ("I want the GUI
/// login"), then the agent gives these `answers` and changes the launcher.
pub fn vm_login_correction(answers: &[&str]) -> Session {
    let mut s = Session::new();
    s.prompt("make the VM start with the GUI login")
        .edit("/work/app/vm.sh", "rdp $HOST", "rdp /u:admin $HOST")
        .answer("Relaunch the VM to get the login screen.")
        .prompt("no, I don't want to type the domain password in the console, I want the GUI login");
    for answer in answers {
        s.answer(answer);
    }
    s.edit(
        "/work/app/vm.sh",
        "rdp /u:admin $HOST",
        "rdp /u:placeholder $HOST",
    );
    s
}
