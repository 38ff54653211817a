//! Sessions across replicas (schema v9, `sk sync setup --sessions`): the digest a replica
//! sends of each session whose logs it holds, and the searchable session it becomes on
//! the others. A digest is what the session's search document is made of, less what was
//! said at length: the title, the repository and branch, the prompts and summaries, the
//! tool calls, errors and the head of failed output, and the counts `sk sessions` shows.
//! Never raw logs, never the answers or other tool output, never the working directory;
//! the records it comes from were redacted when they were stored, and home folders and
//! the session's own directory are cut out of its text here.
//!
//! A pulled digest is kept in `remote_sessions` (the primary copy, last writer wins by
//! `(hlc, replica)`) and made into a `sessions` row marked with its origin, whose search
//! document is built from the digest (session_docs). A session whose logs are on this
//! machine is never replaced by a digest; when logs of a session known only from a digest
//! are indexed here, the row becomes an ordinary local session.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::search::words::push_indexed;
use crate::session_docs::{self, Built, Counts, Doc};
use crate::sync::Change;

/// The largest share of one document column a digest carries: a search needs the words a
/// session is about, which its first tens of kilobytes hold.
const DIGEST_COLUMN_BYTES: usize = 32 * 1024;

/// A session's digest as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDigest {
    pub agent: String,
    pub external_id: String,
    pub title: Option<String>,
    pub repo: Option<String>,
    pub branch: Option<String>,
    pub model: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    #[serde(default)]
    pub prompts: i64,
    #[serde(default)]
    pub tool_calls: i64,
    #[serde(default)]
    pub failures: i64,
    /// Prompts and summaries, as indexed.
    #[serde(default)]
    pub asked: String,
    /// Tool calls, errors and the head of failed output, as indexed.
    #[serde(default)]
    pub did: String,
}

/// `agent:external_id` split at its first colon.
fn split_key(key: &str) -> Option<(&str, &str)> {
    key.split_once(':')
        .filter(|(a, e)| !a.is_empty() && !e.is_empty())
}

type LocalFacts = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// The digest of session `key` when its logs are on this machine and it has records; None
/// otherwise (it went away, or it is itself known only from a digest).
pub fn digest(conn: &Connection, key: &str) -> rusqlite::Result<Option<SessionDigest>> {
    let Some((agent, external_id)) = split_key(key) else {
        return Ok(None);
    };
    let facts: Option<LocalFacts> = conn
        .prepare_cached(
            "SELECT id, title, repo, cwd, branch, model, started_at, ended_at FROM sessions
             WHERE agent = ?1 AND external_id = ?2 AND remote_author IS NULL",
        )?
        .query_row([agent, external_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()?;
    let Some((id, title, repo, cwd, branch, model, started_at, ended_at)) = facts else {
        return Ok(None);
    };
    let built = session_docs::collect(conn, id, title, repo.clone(), None, branch.clone())?;
    if built.first.is_none() {
        return Ok(None);
    }
    let cut = |text: &str| {
        let head = sk_core::text::prefix(text, DIGEST_COLUMN_BYTES);
        scrub_paths(head, cwd.as_deref())
    };
    Ok(Some(SessionDigest {
        agent: agent.to_string(),
        external_id: external_id.to_string(),
        title: built
            .shown_title
            .as_deref()
            .map(|t| scrub_paths(t, cwd.as_deref())),
        repo,
        branch,
        model,
        started_at,
        ended_at,
        prompts: built.counts.prompts,
        tool_calls: built.counts.tool_calls,
        failures: built.counts.failures,
        asked: cut(&built.doc.asked),
        did: cut(&built.doc.did),
    }))
}

/// `text` with the session's working directory written as `.` (so paths inside the
/// repository keep their shape), then every other absolute path cut to its last component
/// (`/home/alice/.ssh/config` → `…/config`): a path outside the repository names this
/// machine's layout and often its user, and only its file name helps a search.
pub fn scrub_paths(text: &str, cwd: Option<&str>) -> String {
    let text = match cwd.map(|c| c.trim_end_matches(['/', '\\'])) {
        Some(c) if c.len() > 1 => text.replace(c, "."),
        _ => text.to_string(),
    };
    cut_absolute_paths(&hide_user_names(&text))
}

/// Home folders (`/home/NAME`, `/Users/NAME`, `C:\Users\NAME`) with NAME written `~`,
/// wherever they are: also where no path is taken to start (`-I/home/…`,
/// `file:///Users/…`) and where the home folder is the whole path, whose last component
/// would otherwise be kept.
fn hide_user_names(text: &str) -> String {
    const HOMES: [&str; 3] = ["/home/", "/Users/", "\\Users\\"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, marker)) = HOMES
        .iter()
        .filter_map(|m| rest.find(m).map(|i| (i, *m)))
        .min_by_key(|(i, _)| *i)
    {
        let (head, after) = rest.split_at(at + marker.len());
        let name = after
            .find(|c: char| c == '/' || c == '\\' || ends_path(c))
            .unwrap_or(after.len());
        let (user, tail) = after.split_at(name);
        out.push_str(head);
        if !user.is_empty() {
            out.push('~');
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Whether a path may start after `c` (a word boundary, not inside a URL or a word).
fn starts_word(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || "\"'`=([<{,;".contains(c))
}

/// Whether `c` ends a path.
fn ends_path(c: char) -> bool {
    c.is_whitespace() || "\"'`)]>},;".contains(c)
}

/// Replaces each absolute path (`/a/b`, `~/a`, `C:\\a\\b`) of two or more components by
/// `…/` and its last component.
fn cut_absolute_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let drive = c.is_ascii_alphabetic() && {
            let mut it = rest.chars().skip(1);
            it.next() == Some(':') && matches!(it.next(), Some('\\' | '/'))
        };
        let absolute = c == '/' || drive || (c == '~' && rest.get(1..2) == Some("/"));
        if absolute && starts_word(prev) {
            let len = rest.find(ends_path).unwrap_or(rest.len());
            let (path, after) = rest.split_at(len);
            let parts: Vec<&str> = path
                .split(['/', '\\'])
                .filter(|p| !p.is_empty() && *p != "~" && !p.ends_with(':'))
                .collect();
            match parts.as_slice() {
                [.., _, last] => {
                    out.push_str("…/");
                    out.push_str(last);
                }
                _ => out.push_str(path),
            }
            prev = path.chars().last();
            rest = after;
            continue;
        }
        out.push(c);
        prev = Some(c);
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    out
}

/// Applies a pulled session digest inside the caller's transaction; returns whether it
/// changed anything. A digest of a session whose logs are here, one older than the digest
/// held, or one that does not parse, changes nothing.
pub(crate) fn apply(conn: &Connection, c: &Change, now: i64) -> rusqlite::Result<bool> {
    if c.op != "put" {
        return Ok(false);
    }
    let Ok(d) = serde_json::from_str::<SessionDigest>(&c.payload) else {
        return Ok(false);
    };
    let agent_known = d.agent.parse::<sk_core::Agent>().is_ok();
    if !agent_known || split_key(&c.entity_key) != Some((d.agent.as_str(), d.external_id.as_str())) {
        return Ok(false);
    }
    let local: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE agent = ?1 AND external_id = ?2 AND remote_author IS NULL)",
        )?
        .query_row([&d.agent, &d.external_id], |r| r.get(0))?;
    if local {
        return Ok(false);
    }
    let held: Option<(i64, String)> = conn
        .prepare_cached("SELECT hlc, replica_id FROM remote_sessions WHERE session_key = ?1")?
        .query_row([&c.entity_key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if held.is_some_and(|(h, r)| (h, r.as_str()) >= (c.hlc, c.replica_id.as_str())) {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT OR REPLACE INTO remote_sessions
             (session_key, agent, external_id, title, repo, branch, model, started_at, ended_at, prompts,
              tool_calls, failures, asked, did, remote_author, origin_replica, replica_id, hlc, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?
    .execute(params![
        c.entity_key,
        d.agent,
        d.external_id,
        d.title,
        // A replica of an older version sends the URL it stored (credentials included).
        d.repo.as_deref().map(sk_core::repo::canonical),
        d.branch,
        d.model,
        d.started_at,
        d.ended_at,
        d.prompts.max(0),
        d.tool_calls.max(0),
        d.failures.max(0),
        d.asked,
        d.did,
        c.author,
        c.label,
        c.replica_id,
        c.hlc,
        now
    ])?;
    materialize(conn, &c.entity_key)?;
    Ok(true)
}

/// Makes the remote session `key` a searchable `sessions` row (unless its logs are here)
/// and queues its document.
fn materialize(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (agent, external_id, repo, branch, model, started_at, ended_at, updated_at,
                               extracted_at, remote_author, origin_replica)
         SELECT agent, external_id, repo, branch, model, started_at, ended_at, received_at, received_at,
                remote_author, origin_replica
         FROM remote_sessions WHERE session_key = ?1
         ON CONFLICT (agent, external_id) DO UPDATE SET
             repo = excluded.repo, branch = excluded.branch, model = excluded.model,
             started_at = excluded.started_at, ended_at = excluded.ended_at, updated_at = excluded.updated_at,
             extracted_at = excluded.extracted_at, remote_author = excluded.remote_author,
             origin_replica = excluded.origin_replica
         WHERE sessions.remote_author IS NOT NULL",
    )?
    .execute([key])?;
    if let Some((agent, external_id)) = split_key(key) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO session_docs_pending (session_id)
             SELECT id FROM sessions WHERE agent = ?1 AND external_id = ?2 AND remote_author IS NOT NULL",
        )?
        .execute([agent, external_id])?;
    }
    Ok(())
}

/// Makes every remote session searchable again after a full rebuild cleared the derived
/// rows (their documents are built by the next writer, with the rest of the queue).
pub fn materialize_all(conn: &Connection) -> rusqlite::Result<u64> {
    let keys: Vec<String> = conn
        .prepare("SELECT session_key FROM remote_sessions ORDER BY session_key")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for key in &keys {
        materialize(conn, key)?;
    }
    Ok(keys.len() as u64)
}

/// The document of a session known only from a pulled digest (session_docs::build).
pub(crate) fn remote_doc(conn: &Connection, session_id: i64) -> rusqlite::Result<Option<Built>> {
    conn.prepare_cached(
        "SELECT r.title, r.repo, r.branch, r.asked, r.did, r.prompts, r.tool_calls, r.failures
         FROM sessions s JOIN remote_sessions r ON r.agent = s.agent AND r.external_id = s.external_id
         WHERE s.id = ?1",
    )?
    .query_row([session_id], |r| {
        let title: Option<String> = r.get(0)?;
        let repo: Option<String> = r.get(1)?;
        let branch: Option<String> = r.get(2)?;
        let mut doc = Doc {
            asked: r.get(3)?,
            did: r.get(4)?,
            ..Doc::default()
        };
        for part in [title.as_deref(), repo.as_deref(), branch.as_deref()]
            .into_iter()
            .flatten()
        {
            push_indexed(&mut doc.title, part);
        }
        Ok(Built {
            doc,
            first: None,
            last: None,
            shown_title: title,
            counts: Counts {
                prompts: r.get(5)?,
                tool_calls: r.get(6)?,
                failures: r.get(7)?,
            },
        })
    })
    .optional()
}

/// Where a session came from when it is known only from `sk sync`: `AUTHOR on REPLICA`.
pub fn origin(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    let Some((agent, external_id)) = split_key(key) else {
        return Ok(None);
    };
    conn.prepare_cached(&format!(
        "SELECT {} FROM sessions WHERE agent = ?1 AND external_id = ?2",
        crate::sync::ORIGIN_SQL
    ))?
    .query_row([agent, external_id], |r| r.get(0))
    .optional()
    .map(Option::flatten)
}

/// What a remote session's digest says, for `sk session` (it has no records here).
pub fn remote_digest(conn: &Connection, key: &str) -> rusqlite::Result<Option<SessionDigest>> {
    conn.prepare_cached(
        "SELECT agent, external_id, title, repo, branch, model, started_at, ended_at, prompts, tool_calls,
                failures, asked, did
         FROM remote_sessions WHERE session_key = ?1",
    )?
    .query_row([key], |r| {
        Ok(SessionDigest {
            agent: r.get(0)?,
            external_id: r.get(1)?,
            title: r.get(2)?,
            repo: r.get(3)?,
            branch: r.get(4)?,
            model: r.get(5)?,
            started_at: r.get(6)?,
            ended_at: r.get(7)?,
            prompts: r.get(8)?,
            tool_calls: r.get(9)?,
            failures: r.get(10)?,
            asked: r.get(11)?,
            did: r.get(12)?,
        })
    })
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_repository_leave_the_text() {
        assert_eq!(
            scrub_paths(
                "cd /home/alice/src/shop && cat /home/alice/src/shop/src/lib.rs /Users/Bob/.ssh/config",
                Some("/home/alice/src/shop/")
            ),
            "cd . && cat ./src/lib.rs …/config"
        );
        assert_eq!(
            scrub_paths(
                "wrote C:\\Users\\eve\\x.txt and '~/notes/todo.md' (/root/.cargo/env)",
                None
            ),
            "wrote …/x.txt and '…/todo.md' (…/env)"
        );
        // URLs, relative paths, a lone root folder and words with slashes stay.
        assert_eq!(
            scrub_paths("see https://example.com/a/b, src/main.rs, /tmp and and/or", None),
            "see https://example.com/a/b, src/main.rs, /tmp and and/or"
        );
    }

    #[test]
    fn no_user_name_is_left_in_a_path() {
        for (text, cwd) in [
            ("cd /home/alice", None),
            ("ls /Users/alice/", Some("/Users/alice/src/shop")),
            ("HOME=/home/alice", None),
            ("PermissionError: [Errno 13] '/home/alice'", None),
            ("cc -I/home/alice/include main.c", None),
            ("opened file:///Users/alice/report.html", None),
            ("dir C:\\Users\\alice", None),
        ] {
            let out = scrub_paths(text, cwd);
            assert!(!out.contains("alice"), "{text:?} -> {out:?}");
        }
    }

    #[test]
    fn any_text_scrubs_without_a_panic() {
        let alphabet: Vec<char> = "/\\~:Cc ab\"'`=(é…\u{1F600}\n.".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = scrub_paths(&s, Some("/a/é"));
            let _ = scrub_paths(&s, None);
        }
    }

    #[test]
    fn keys_split_at_the_first_colon() {
        assert_eq!(split_key("codex:a:b"), Some(("codex", "a:b")));
        assert_eq!(split_key("codex:"), None);
        assert_eq!(split_key("nokey"), None);
    }
}
