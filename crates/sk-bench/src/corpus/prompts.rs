//! The big, repeated instruction texts: Copilot's `system.message`, Codex's
//! `session_meta.base_instructions` and developer message.
//!
//! Real logs repeat 18–28 KB of system prompt per session (and again after every
//! compaction); an indexer must store them once, not per event, and a benchmark must make
//! it pay that cost. The texts are written for this corpus (not copied from any agent) and
//! escaped once per process.

use std::fmt::Write as _;
use std::sync::OnceLock;

use super::json;

const COPILOT_CORE: &str = "# Tone and style
* Keep answers short when the task is routine; explain your approach first when the task is complex.
* Your output is shown in a terminal, so prefer plain text and short Markdown lists over tables.

# Searching and delegating
* Stay inside the current working directory and its children unless the user asks otherwise.
* Prefer code intelligence tools, then glob, then grep with a glob filter, then the shell.
* Give sub-agents complete context: they cannot see this conversation.

# Using tools efficiently
* For simple tasks act directly with view, edit, grep and glob; delegate only long, separable work.
* When several operations are independent, request them in one response so they run in parallel.
* Chain related shell commands with && and keep their output short (--quiet, --no-pager, head).
* Default to synchronous sub-agents; poll a background agent only when you have other work.

<code_change_instructions>
<rules_for_code_changes>
* Make precise changes that fully solve the request; do not modify unrelated code.
* Do not fix unrelated pre-existing problems, but do fix bugs your change causes or touches.
* Update documentation that describes the code you change.
* Validate that existing behaviour still works after your change.
</rules_for_code_changes>
<linting_building_testing>
* Run only the linters, builds and tests the repository already has.
* Run them before and after a change so you know which failures you caused.
* When a test fails, read the failure, fix the cause, and run the same command again.
</linting_building_testing>
<git>
* Never rewrite published history. Never commit secrets.
* Commit only when the user asks; write a short imperative subject line.
</git>
</code_change_instructions>

<environment_limitations>
You have no internet access except through the documented fetch tools. You cannot open a browser.
You cannot push to remote repositories unless the user has configured credentials.
</environment_limitations>
";

/// Tools described in the Copilot system prompt (and thus in every copy of it).
const COPILOT_TOOLS: &[(&str, &str)] = &[
    (
        "bash",
        "Runs a shell command in a persistent session; returns stdout, stderr and the exit code",
    ),
    ("write_bash", "Sends input to a running interactive shell session"),
    (
        "read_bash",
        "Reads new output from a shell session started in async mode",
    ),
    (
        "stop_bash",
        "Stops a running shell session and frees its resources",
    ),
    (
        "list_bash",
        "Lists active shell sessions with their ids and commands",
    ),
    (
        "view",
        "Shows a file with line numbers, or lists a directory two levels deep",
    ),
    (
        "create",
        "Creates a new file with the given content; fails if the file exists",
    ),
    (
        "edit",
        "Replaces exactly one occurrence of old_str with new_str in a file",
    ),
    (
        "grep",
        "Searches file contents with a regular expression (ripgrep semantics)",
    ),
    (
        "glob",
        "Finds files by name with a glob pattern such as src/**/*.rs",
    ),
    (
        "task",
        "Starts a sub-agent with its own context window for a separable task",
    ),
    ("read_agent", "Reads the result of a background sub-agent"),
    ("list_agents", "Lists running and finished sub-agents"),
    ("web_fetch", "Fetches a URL and returns its content as Markdown"),
    (
        "report_intent",
        "Reports what you are about to do, shown to the user as a status line",
    ),
    (
        "update_todo",
        "Updates the session todo list stored in the session database",
    ),
    ("sql", "Runs a read-only SQL query against the session database"),
    ("fetch_documentation", "Looks up the CLI's own documentation"),
    ("github_get_issue", "Reads an issue with its comments"),
    (
        "github_list_pull_requests",
        "Lists pull requests of the current repository",
    ),
    ("github_get_pull_request_diff", "Reads the diff of a pull request"),
    (
        "github_search_code",
        "Searches code across repositories the user can read",
    ),
    (
        "github_get_workflow_run_logs",
        "Reads the logs of a CI workflow run",
    ),
    (
        "store_memory",
        "Stores a fact about the repository for future sessions",
    ),
    (
        "skill",
        "Loads a skill's instructions when the task matches its description",
    ),
];

fn tool_docs(out: &mut String, tools: &[(&str, &str)], rounds: usize) {
    out.push_str("\n<tools>\n");
    for (name, what) in tools {
        let _ = write!(
            out,
            "<tool name=\"{name}\">\n{what}.\nUsage notes:\n* Call {name} only when it is the most direct way to make progress; prefer a single well-formed call over several speculative ones.\n* Arguments must match the schema exactly; unknown arguments are rejected and the call fails without side effects.\n* The result of {name} is returned to you verbatim and truncated in the middle when it exceeds the token limit, so narrow the request (a path, a pattern, a line range) when you expect a large result.\n"
        );
        for i in 0..rounds {
            let _ = writeln!(
                out,
                "* Example {}: when the user asks for something that {name} can answer, call it with the narrowest arguments, read the result, and say in one sentence what you learned before the next call.",
                i + 1
            );
        }
        out.push_str("</tool>\n");
    }
    out.push_str("</tools>\n");
}

/// Copilot's system prompt, pre-escaped, split around the session folder line:
/// (before, after). `interactive` selects the opening paragraph.
pub fn copilot_system(interactive: bool) -> (&'static [u8], &'static [u8]) {
    static INTERACTIVE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    static BATCH: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    let cell = if interactive { &INTERACTIVE } else { &BATCH };
    let (a, b) = cell.get_or_init(|| {
        let mut s = String::with_capacity(30_000);
        s.push_str(if interactive {
            "You are the GitHub Copilot CLI, a terminal assistant built by GitHub. You are an interactive CLI tool that helps users with software engineering tasks.\n\n"
        } else {
            "You are the GitHub Copilot CLI, a terminal assistant built by GitHub. You are running in non-interactive mode and cannot ask the user anything: work on the task until it is complete.\n\n"
        });
        s.push_str(COPILOT_CORE);
        tool_docs(&mut s, COPILOT_TOOLS, if interactive { 2 } else { 1 });
        s.push_str("\n<session_context>\nSession folder: ");
        let mut before = Vec::new();
        json::push_escaped(&mut before, &s);
        let tail = "\n\nContents:\n- files/: Persistent storage for session artifacts\n\nfiles/ persists across checkpoints for artifacts that should not be committed (plans, notes, diagrams).\n</session_context>\n<task_completion>\n* A task is complete only when the expected outcome is verified.\n* If an approach fails, try an alternative before concluding that the task is impossible.\n</task_completion>\nRespond concisely to the user, but be thorough in your work.";
        let mut after = Vec::new();
        json::push_escaped(&mut after, tail);
        (before, after)
    });
    (a, b)
}

const CODEX_CORE: &str = "You are Codex, a coding agent. You and the user share one workspace, and your job is to work with them until their goal is actually handled.

# Personality

You are a pragmatic software engineer. You state facts and decisions directly, keep the user informed about what you are doing, and skip filler.

## Values
- Clarity: make reasoning and trade-offs explicit so decisions are easy to check.
- Pragmatism: aim for what works and keeps the task moving.
- Rigor: expect technical arguments to hold up; point out weak assumptions politely.

# Working in the repository

- Read before you write: find the code that matters with rg and a few targeted reads.
- Keep changes minimal and consistent with the surrounding style.
- Use apply_patch for every edit; never write files with shell redirection.
- After a change, run the narrowest test that covers it, then the wider suite.
- If a command fails, read the error, fix the cause, and run the same command again.

# Sandbox and approvals

Commands run in a sandbox. Writing outside the workspace or using the network may need approval. When a command is rejected, explain what you wanted to do and propose an alternative that stays inside the sandbox.

# Final answers

Lead with the outcome. Mention the files you changed with their paths, the commands you ran and whether they passed. Keep it short; offer next steps only when they are useful.
";

const CODEX_TOOLS: &[(&str, &str)] = &[
    (
        "exec_command",
        "Runs a command in a PTY and returns its output, exit code and wall time",
    ),
    (
        "write_stdin",
        "Writes to the standard input of a running exec session",
    ),
    (
        "apply_patch",
        "Applies a patch in the *** Begin Patch / *** End Patch format",
    ),
    (
        "update_plan",
        "Records the current plan as a list of steps with their status",
    ),
    ("view_image", "Attaches a local image to the conversation"),
    ("spawn_agent", "Starts a sub-agent thread with its own context"),
    (
        "wait_agent",
        "Waits for a sub-agent to finish and returns its answer",
    ),
    (
        "web_search",
        "Searches the web when the sandbox allows network access",
    ),
    (
        "list_mcp_resources",
        "Lists resources exposed by configured MCP servers",
    ),
    ("read_mcp_resource", "Reads one MCP resource"),
    (
        "request_user_input",
        "Asks the user a question and waits for the answer",
    ),
    (
        "shell",
        "Runs a command through the login shell (legacy interface)",
    ),
];

/// Codex `base_instructions.text`, escaped (without quotes).
pub fn codex_base_instructions() -> &'static [u8] {
    static CELL: OnceLock<Vec<u8>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut s = String::with_capacity(22_000);
        s.push_str(CODEX_CORE);
        tool_docs(&mut s, CODEX_TOOLS, 4);
        let mut v = Vec::new();
        json::push_escaped(&mut v, &s);
        v
    })
}

/// The developer message with sandbox permissions that Codex repeats at each turn.
pub fn codex_permissions() -> &'static str {
    "<permissions instructions>\nFilesystem sandboxing defines which files can be read or written. `sandbox_mode` is `workspace-write`: reading any file is allowed, and editing files in `cwd` and `writable_roots` is allowed. Editing files elsewhere requires approval. Network access is restricted.\nApproval policy is `on-request`: commands run in the sandbox by default; request escalated permissions only when a command needs the network or a path outside the workspace, and say why in one sentence.\nWhen a command is rejected, do not retry it unchanged: explain the problem and propose an alternative.\n</permissions instructions>"
}
