//! Whether a failed command's output says the agent's sandbox stopped it, and what the
//! sandbox kept it from: the network (a host that did not resolve), writing under `.git`
//! (`FETCH_HEAD`, a ref's lock file) or some other write. Codex runs commands in a sandbox
//! without network access whose writable roots may leave `.git` out; a command that fails
//! there and then passes unchanged with escalated permissions teaches that it needs them
//! (see `failures`). Only what the message itself says counts: a test that failed is not a
//! sandbox refusal, whatever came after it.

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{excerpt, file_name};

/// What the sandbox kept a command from doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Restriction {
    /// No network: a name did not resolve or the network was unreachable. The host, when
    /// the message names it.
    Network(Option<String>),
    /// A lock file could not be created (`.git/HEAD.lock`, a ref's lock). Its path.
    Lock(String),
    /// A file under `.git` could not be written (`.git/FETCH_HEAD`). Its path from `.git/`.
    GitWrite(String),
    /// The operation was refused ("Operation not permitted", "Permission denied", "failed
    /// in sandbox").
    Denied,
}

/// Longest host or path said in a title.
const NAME_CHARS: usize = 28;
/// Longest line of the message kept as the error.
const LINE_CHARS: usize = 240;

/// A refusal: what was blocked, and the line of the output that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub what: Restriction,
    pub line: String,
}

impl Restriction {
    /// Why, in a few words for a title: "no network: cannot resolve github.com"; without
    /// `detailed`, without the host or file ("no network: host not resolved").
    pub(crate) fn why(&self, detailed: bool) -> String {
        match self {
            Restriction::Network(Some(host)) if detailed && host.chars().count() <= NAME_CHARS => {
                format!("no network: cannot resolve {host}")
            }
            Restriction::Network(_) => "no network: host not resolved".into(),
            Restriction::Lock(path) if path.contains(".git") => "cannot create a .git lock file".into(),
            Restriction::Lock(path) if detailed => format!("cannot create {}", short_name(path)),
            Restriction::Lock(_) => "cannot create a lock file".into(),
            Restriction::GitWrite(path) if detailed && path.chars().count() <= NAME_CHARS => {
                format!("cannot write {path}")
            }
            Restriction::GitWrite(_) => "cannot write in .git".into(),
            Restriction::Denied => "operation not permitted".into(),
        }
    }

    /// Why, as a sentence for a body: the same for every session that hit it, so that the
    /// lesson learned in several sessions reads (and merges) as one.
    pub(crate) fn explain(&self) -> String {
        match self {
            Restriction::Network(_) => {
                "the sandbox has no network access, so host names do not resolve.".into()
            }
            Restriction::Lock(path) if path.contains(".git") => {
                "the sandbox does not let commands create lock files under .git.".into()
            }
            Restriction::Lock(_) => "the sandbox does not let the command create its lock file.".into(),
            Restriction::GitWrite(path) => format!("the sandbox does not let commands write {path}."),
            Restriction::Denied => "the sandbox refused the operation.".into(),
        }
    }

    /// A tag for the entry.
    pub(crate) fn tag(&self) -> &'static str {
        match self {
            Restriction::Network(_) => "network",
            Restriction::Lock(_) | Restriction::GitWrite(_) => "git",
            Restriction::Denied => "sandbox",
        }
    }

    /// Whether the message names what was blocked (a host, a path).
    pub(crate) fn names_resource(&self) -> bool {
        !matches!(self, Restriction::Network(None) | Restriction::Denied)
    }
}

fn short_name(path: &str) -> String {
    excerpt(file_name(path), NAME_CHARS)
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// Name resolution and an unreachable network. The host is captured when named.
static NETWORK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)could not resolve (?:host(?:name)?|proxy)[: ]+'?([\w.-]+)|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)[: ]+([\w.-]+)|temporary failure in name resolution|name or service not known|nodename nor servname provided|failed to lookup address information|(?-u:\b)dns error(?-u:\b)|network is unreachable|(?-u:\b)enetunreach(?-u:\b)|(?-u:\b)eai_again(?-u:\b)",
    )
});
static LOCK: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)unable to create ['"]?([^'"\s]+\.lock)['"]?|cannot lock ref '([^']+)'"#));
static GIT_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:cannot|could not|unable to|failed to) (?:open|write|create|rename|unlink)(?: file)? ['"]?((?:[^'"\s]*/)?\.git/[^'"\s:]+)"#,
    )
});
static DENIED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)operation not permitted|permission denied|read-only file system|failed in sandbox|(?-u:\b)sandbox(?:ed)? (?:denied|blocked)",
    )
});

/// Codex's words around every command that exited non-zero in its sandbox: "failed in
/// sandbox LinuxSeccomp with execution error: sandbox denied exec error, exit code: 2,
/// stdout: …, stderr: …". They are said whatever the cause (a failing test, a shell syntax
/// error), so they say nothing of their own.
static EXEC_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^failed in sandbox \w+ with execution error: sandbox denied exec error, exit code: (-?\d+), stdout: ",
    )
});

/// The command's own output inside Codex's generic sandbox wrapper ("exit code 2", then its
/// stdout and stderr), when the wrapper is there and the command printed something; `None`
/// otherwise. With nothing printed the wrapper is all there is, and it stays a refusal.
pub(crate) fn own_output(text: &str) -> Option<String> {
    let c = EXEC_ERROR.captures(text)?;
    let code = c.get(1).map_or("", |m| m.as_str());
    let rest = sk_core::text::from(text, c.get(0).map_or(0, |m| m.end()));
    let (stdout, stderr) = match rest.rfind(", stderr: ") {
        Some(at) => (
            sk_core::text::split_at(rest, at).0,
            sk_core::text::from(rest, at + ", stderr: ".len()),
        ),
        None => (rest, ""),
    };
    let printed = [stdout.trim(), stderr.trim()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    (!printed.is_empty()).then(|| format!("exit code {code}\n{printed}"))
}

/// What the sandbox kept the command from, when the output says so, with the line that
/// says it; `None` for any other failure. The network is checked first and a bare refusal
/// is read from its last line: a shell's start-up complaint ("/bin/ps: Operation not
/// permitted") often stands before the message that matters. Inside Codex's generic
/// wrapper only what the command printed counts.
pub(crate) fn refusal(text: &str) -> Option<Refusal> {
    match own_output(text) {
        Some(own) => refusal_in(&own),
        None => refusal_in(text),
    }
}

fn refusal_in(text: &str) -> Option<Refusal> {
    let line = |at: usize| line_at(text, at);
    if let Some(c) = NETWORK.captures(text) {
        let host = c
            .get(1)
            .or_else(|| c.get(2))
            .map(|m| m.as_str().trim_end_matches('.').to_string())
            .filter(|h| !h.is_empty());
        let at = c.get(0).map_or(0, |m| m.start());
        return Some(Refusal {
            what: Restriction::Network(host),
            line: line(at),
        });
    }
    if let Some(c) = LOCK.captures(text) {
        let path = match (c.get(1), c.get(2)) {
            (Some(lock), _) => from_git(lock.as_str()),
            (None, Some(reference)) => format!(".git/{}.lock", reference.as_str()),
            (None, None) => ".git".to_string(),
        };
        let at = c.get(0).map_or(0, |m| m.start());
        return Some(Refusal {
            what: Restriction::Lock(path),
            line: line(at),
        });
    }
    if let Some(path) = GIT_WRITE.captures(text).and_then(|c| c.get(1)) {
        return Some(Refusal {
            what: Restriction::GitWrite(from_git(path.as_str())),
            line: line(path.start()),
        });
    }
    DENIED.find_iter(text).last().map(|m| Refusal {
        what: Restriction::Denied,
        line: line(m.start()),
    })
}

/// The line of `text` holding byte `at`, trimmed and cut.
fn line_at(text: &str, at: usize) -> String {
    let (before, after) = sk_core::text::split_at(text, at);
    let start = before
        .rfind('\n')
        .map_or(before, |i| sk_core::text::from(before, i + 1));
    let end = after.split('\n').next().unwrap_or("");
    excerpt(format!("{start}{end}").trim(), LINE_CHARS)
}

/// A path from its `.git/` on (`/Users/x/repo/.git/HEAD.lock` → `.git/HEAD.lock`); other
/// paths whole.
fn from_git(path: &str) -> String {
    match path.rfind(".git/") {
        Some(at) => sk_core::text::from(path, at).to_string(),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn restriction(text: &str) -> Option<Restriction> {
        refusal(text).map(|r| r.what)
    }

    #[test]
    fn what_the_sandbox_blocked() {
        let r = |t: &str| restriction(t);
        assert_eq!(
            r("failed in sandbox: error: cannot open '.git/FETCH_HEAD': Operation not permitted"),
            Some(Restriction::GitWrite(".git/FETCH_HEAD".into()))
        );
        assert_eq!(
            r(
                "fatal: cannot lock ref 'refs/heads/001-x': Unable to create '/u/p/.git/refs/heads/001-x.lock': Operation not permitted"
            ),
            Some(Restriction::Lock(".git/refs/heads/001-x.lock".into()))
        );
        assert_eq!(
            r("error: cannot lock ref 'HEAD': something"),
            Some(Restriction::Lock(".git/HEAD.lock".into()))
        );
        assert_eq!(
            r(
                "/bin/ps: Operation not permitted\nssh: Could not resolve hostname github.com: -65563\nfatal: Could not read"
            ),
            Some(Restriction::Network(Some("github.com".into())))
        );
        assert_eq!(
            r("cause: Error: getaddrinfo ENOTFOUND db.example.com\n at x"),
            Some(Restriction::Network(Some("db.example.com".into())))
        );
        assert_eq!(
            r("curl: (6) Could not resolve host: api.github.com"),
            Some(Restriction::Network(Some("api.github.com".into())))
        );
        assert_eq!(
            r("Temporary failure in name resolution"),
            Some(Restriction::Network(None))
        );
        assert_eq!(
            r("failed in sandbox: Operation not permitted"),
            Some(Restriction::Denied)
        );
        assert_eq!(
            r("touch: /etc/x: Read-only file system"),
            Some(Restriction::Denied)
        );
    }

    #[test]
    fn the_line_that_says_it_is_kept() {
        let r =
            refusal("exit code 1\n> migrate\nnoise\n  cause: Error: getaddrinfo ENOTFOUND h.example\n  at x")
                .expect("refusal");
        assert_eq!(r.line, "cause: Error: getaddrinfo ENOTFOUND h.example");
        let r = refusal("/bin/ps: Operation not permitted\nrm: x: Operation not permitted").expect("refusal");
        assert_eq!(
            (r.what, r.line.as_str()),
            (Restriction::Denied, "rm: x: Operation not permitted")
        );
        let r = refusal("é—\nfatal: cannot lock ref 'HEAD': no").expect("refusal");
        assert_eq!(r.line, "fatal: cannot lock ref 'HEAD': no");
        let r = refusal("Operation not permitted").expect("refusal");
        assert_eq!(r.line, "Operation not permitted");
    }

    #[test]
    fn codex_s_wrapper_is_read_for_what_the_command_printed() {
        let syntax = "failed in sandbox LinuxSeccomp with execution error: sandbox denied exec error, exit code: 2, stdout: , stderr: bash: -c: line 1: unexpected EOF while looking for matching `\"'\n";
        assert_eq!(
            own_output(syntax).as_deref(),
            Some("exit code 2\nbash: -c: line 1: unexpected EOF while looking for matching `\"'")
        );
        assert_eq!(restriction(syntax), None);
        let tests = "failed in sandbox MacosSeatbelt with execution error: sandbox denied exec error, exit code: 1, stdout: .F   [100%]\nFAILED tests/test_a.py::test_b, stderr: ";
        assert_eq!(restriction(tests), None);
        // What the command printed still says when the sandbox stopped it.
        let heredoc = "failed in sandbox MacosSeatbelt with execution error: sandbox denied exec error, exit code: 1, stdout: , stderr: bash: cannot create temp file for here document: Operation not permitted\n";
        assert_eq!(restriction(heredoc), Some(Restriction::Denied));
        // Nothing printed: the wrapper is all there is.
        let silent = "failed in sandbox LinuxSeccomp with execution error: sandbox denied exec error, exit code: 1, stdout: , stderr: ";
        assert_eq!(own_output(silent), None);
        assert_eq!(restriction(silent), Some(Restriction::Denied));
        for odd in [
            "failed in sandbox",
            "failed in sandbox X with execution error: sandbox denied exec error, exit code: 1, stdout: é, stderr: ü",
        ] {
            let _ = own_output(odd);
            let _ = refusal(odd);
        }
    }

    #[test]
    fn other_failures_are_not_the_sandbox() {
        for t in [
            "",
            "exit code 1",
            "test result: FAILED. 1 passed; 2 failed",
            "error[E0308]: mismatched types",
            "npm ERR! code E404",
            "fatal: not a git repository",
            "é—ü .git/",
        ] {
            assert_eq!(restriction(t), None, "{t:?}");
        }
    }

    #[test]
    fn titles_stay_short_and_general() {
        assert_eq!(
            Restriction::Network(Some("aws-1-sa-east-1.pooler.supabase.com".into())).why(true),
            "no network: host not resolved"
        );
        assert_eq!(
            Restriction::Lock(".git/refs/heads/001-x.lock".into()).why(true),
            "cannot create a .git lock file"
        );
        assert_eq!(
            Restriction::GitWrite(".git/FETCH_HEAD".into()).why(true),
            "cannot write .git/FETCH_HEAD"
        );
        assert_eq!(
            Restriction::GitWrite(".git/FETCH_HEAD".into()).why(false),
            "cannot write in .git"
        );
        assert_eq!(
            Restriction::Lock("/tmp/é.lock".into()).why(true),
            "cannot create é.lock"
        );
        assert_eq!(
            Restriction::Network(Some("github.com".into())).why(false),
            "no network: host not resolved"
        );
    }
}
