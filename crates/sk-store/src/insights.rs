//! Read-only aggregates over the whole history, for overview pages (the web UI): activity
//! per day and agent, the mistakes that keep coming back, the files mistakes name, the
//! questions recall could not answer. Each reads precomputed rows — the per-session
//! counts of `session_docs` (schema v7), the `hot_files` table (v2), the telemetry table —
//! so none of them reads `records`. The database must be at the latest schema
//! ([`crate::Store::require_latest`]).

use rusqlite::{Connection, params};
use serde::Serialize;

pub use crate::brief::MistakeFile;
/// Files named by mistake entries, most mistakes first (then the latest, then by path), at
/// most `limit`: the briefing's hot files, read from the `hot_files` table its triggers
/// keep exact (schema v2). The same function as [`crate::brief::mistake_files`].
pub use crate::brief::mistake_files as hot_files;
/// Searches (`sk query`, `sk mcp`, `sk ui`) that found nothing, grouped by their text, most
/// recently asked first. Telemetry holds the query text (secrets redacted before it is
/// recorded), never sent anywhere. The same function `sk status --recall` reads.
pub use crate::telemetry::{UnansweredQuery, unanswered_queries};

/// The sessions of one agent that started on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayActivity {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub agent: String,
    pub sessions: u64,
    /// Tool calls and failed tool results of those sessions (0 for a session whose
    /// document is not built yet).
    pub tool_calls: u64,
    pub failures: u64,
}

/// Sessions per UTC day and agent, for sessions that started (else were last updated) in
/// `[since_ms, until_ms)`, with their tool calls and failures summed; ordered by day, then
/// agent. Days without sessions are absent. Only the sessions whose logs are on this
/// machine: one known from another replica's digest (`sk sync --sessions`) is someone
/// else's activity.
pub fn activity(conn: &Connection, since_ms: i64, until_ms: i64) -> rusqlite::Result<Vec<DayActivity>> {
    conn.prepare_cached(
        "SELECT strftime('%Y-%m-%d', coalesce(s.started_at, s.updated_at) / 1000, 'unixepoch') AS day,
                s.agent, count(*), coalesce(sum(d.tool_calls), 0), coalesce(sum(d.failures), 0)
         FROM sessions s LEFT JOIN session_docs d ON d.session_id = s.id
         WHERE coalesce(s.started_at, s.updated_at) >= ?1 AND coalesce(s.started_at, s.updated_at) < ?2
           AND s.remote_author IS NULL
         GROUP BY day, s.agent
         ORDER BY day, s.agent",
    )?
    .query_map(params![since_ms, until_ms], |r| {
        Ok(DayActivity {
            day: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            agent: r.get(1)?,
            sessions: count(r.get(2)?),
            tool_calls: count(r.get(3)?),
            failures: count(r.get(4)?),
        })
    })?
    .collect()
}

/// A mistake entry and how often it was seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatedMistake {
    pub id: i64,
    pub title: String,
    /// Times it was seen (extracted again, or merged from a near-duplicate).
    pub occurrences: u64,
    /// When it was last seen (ms).
    pub last_seen: i64,
    pub confidence: f64,
    /// Its repository; None for global knowledge.
    pub repo: Option<String>,
}

/// Mistake entries of at least `min_confidence` (the caller's quality floor, e.g.
/// `sk_core::knowledge::SHOWN_MIN_CONFIDENCE`), the most often seen first (then the most
/// recently seen, then by id), at most `limit`. Forgotten entries are gone from `entries`
/// and never listed.
pub fn repeated_mistakes(
    conn: &Connection,
    min_confidence: f64,
    limit: usize,
) -> rusqlite::Result<Vec<RepeatedMistake>> {
    conn.prepare_cached(
        "SELECT id, title, occurrences, last_seen, confidence, repo FROM entries
         WHERE category = ?1 AND confidence >= ?3
         ORDER BY occurrences DESC, last_seen DESC, id
         LIMIT ?2",
    )?
    .query_map(
        params![
            sk_core::Category::Mistake.as_str(),
            i64::try_from(limit).unwrap_or(i64::MAX),
            min_confidence
        ],
        |r| {
            Ok(RepeatedMistake {
                id: r.get(0)?,
                title: r.get(1)?,
                occurrences: count(r.get(2)?),
                last_seen: r.get(3)?,
                confidence: r.get(4)?,
                repo: r.get(5)?,
            })
        },
    )?
    .collect()
}

/// A count SQLite returns as i64, never negative.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn store() -> (tempfile::TempDir, crate::Store) {
        let dir = tempfile::tempdir().expect("tmp");
        let store = crate::Store::open(&dir.path().join("k.db")).expect("create");
        (dir, store)
    }

    /// A session with `calls` tool calls, `failed` of whose results failed, its document
    /// queued for building.
    fn session(c: &Connection, agent: &str, id: &str, started: Option<i64>, calls: i64, failed: i64) -> i64 {
        c.execute(
            "INSERT INTO sessions (agent, external_id, started_at, updated_at) VALUES (?1, ?2, ?3, ?4)",
            params![agent, id, started, started.unwrap_or(50 * DAY)],
        )
        .expect("session");
        let sid = c.last_insert_rowid();
        c.execute(
            "INSERT INTO sources (path, agent, kind, session_id) VALUES (?1, ?2, 'jsonl', ?3)",
            params![format!("/logs/{id}"), agent, sid],
        )
        .expect("source");
        let src = c.last_insert_rowid();
        for i in 0..calls {
            let success = i >= failed;
            for (part, kind, ok) in [(0, "tool_call", None), (1, "tool_result", Some(success))] {
                c.execute(
                    "INSERT INTO records (session_id, source_id, offset, part, kind, success, text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'x')",
                    params![sid, src, i, part, kind, ok],
                )
                .expect("record");
            }
        }
        crate::session_docs::mark_pending(c, sid).expect("queue");
        sid
    }

    #[test]
    fn activity_groups_sessions_by_utc_day_and_agent_with_their_counts() {
        let (_d, store) = store();
        let c = store.conn();
        session(c, "claude", "a", Some(10 * DAY + 5), 3, 1);
        session(c, "claude", "b", Some(10 * DAY + DAY - 1), 2, 2);
        session(c, "codex", "c", Some(10 * DAY + 7), 1, 0);
        session(c, "claude", "d", Some(11 * DAY), 4, 0);
        // No start: its update time places it; outside the window either way.
        session(c, "copilot", "e", None, 1, 1);
        session(c, "claude", "late", Some(12 * DAY), 9, 9);
        crate::session_docs::build_pending(c, None).expect("build");
        // Not built yet: counted as a session, with no calls.
        session(c, "codex", "f", Some(11 * DAY + 1), 5, 5);
        // Known only from another replica's digest: not this machine's activity.
        let remote = session(c, "claude", "from-bob", Some(10 * DAY + 9), 0, 0);
        c.execute(
            "UPDATE sessions SET remote_author = 'bob', origin_replica = 'r2' WHERE id = ?1",
            [remote],
        )
        .expect("remote");

        let got = activity(c, 10 * DAY, 12 * DAY).expect("activity");
        let row = |day: &str, agent: &str, sessions, tool_calls, failures| DayActivity {
            day: day.into(),
            agent: agent.into(),
            sessions,
            tool_calls,
            failures,
        };
        assert_eq!(
            got,
            [
                row("1970-01-11", "claude", 2, 5, 3),
                row("1970-01-11", "codex", 1, 1, 0),
                row("1970-01-12", "claude", 1, 4, 0),
                row("1970-01-12", "codex", 1, 0, 0),
            ]
        );
        assert!(activity(c, 12 * DAY, 12 * DAY).expect("empty").is_empty());
    }

    fn entry(c: &Connection, category: &str, title: &str, occurrences: i64, last_seen: i64) -> i64 {
        c.execute(
            "INSERT INTO entries (category, title, body, repo, confidence, occurrences, first_seen,
                 last_seen, content_hash, created_at, updated_at)
             VALUES (?1, ?2, 'b', 'o/r', 0.7, ?3, 1, ?4, ?2, 1, 1)",
            params![category, title, occurrences, last_seen],
        )
        .expect("entry");
        c.last_insert_rowid()
    }

    #[test]
    fn repeated_mistakes_are_the_most_seen_mistakes_first() {
        let (_d, store) = store();
        let c = store.conn();
        let once = entry(c, "mistake", "once", 1, 9);
        let thrice_old = entry(c, "mistake", "thrice old", 3, 5);
        let thrice_new = entry(c, "mistake", "thrice new", 3, 8);
        let tie = entry(c, "mistake", "thrice new too", 3, 8);
        entry(c, "decision", "a decision seen often", 10, 10);

        let got = repeated_mistakes(c, 0.0, 10).expect("mistakes");
        let ids: Vec<i64> = got.iter().map(|m| m.id).collect();
        assert_eq!(ids, [thrice_new, tie, thrice_old, once]);
        assert_eq!(
            got[0],
            RepeatedMistake {
                id: thrice_new,
                title: "thrice new".into(),
                occurrences: 3,
                last_seen: 8,
                confidence: 0.7,
                repo: Some("o/r".into()),
            }
        );
        assert_eq!(repeated_mistakes(c, 0.0, 2).expect("limited").len(), 2);
        // Under the floor asked for (all of these are at 0.7): none.
        assert!(repeated_mistakes(c, 0.8, 10).expect("floored").is_empty());
    }

    #[test]
    fn hot_files_are_the_files_mistakes_name() {
        let (_d, store) = store();
        let c = store.conn();
        let a = entry(c, "mistake", "a", 1, 5);
        let b = entry(c, "mistake", "b", 1, 7);
        let d = entry(c, "decision", "d", 1, 9);
        let files = [
            (a, "src/x.rs"),
            (b, "src/x.rs"),
            (b, "src/y.rs"),
            (d, "src/z.rs"),
            // Git's own files, named by sandbox refusals: nobody's work.
            (a, ".git/HEAD.lock"),
            (b, ".git/HEAD.lock"),
            (b, "/w/app/.git/FETCH_HEAD"),
        ];
        for (id, path) in files {
            c.execute(
                "INSERT INTO entry_files (entry_id, path) VALUES (?1, ?2)",
                params![id, path],
            )
            .expect("file");
        }
        let got: Vec<(String, i64)> = hot_files(c, 10)
            .expect("hot files")
            .into_iter()
            .map(|f| (f.path, f.mistakes))
            .collect();
        assert_eq!(got, [("src/x.rs".to_string(), 2), ("src/y.rs".to_string(), 1)]);
    }

    #[test]
    fn unanswered_queries_are_grouped_by_text_since_a_time() {
        let (_d, store) = store();
        let c = store.conn();
        for (at, query, hits) in [
            (1, "old miss", 0),
            (10, "flaky test", 0),
            (11, "auth", 3),
            (12, "flaky test", 0),
            (13, "deploy key", 0),
        ] {
            c.execute(
                "INSERT INTO telemetry (at, surface, query, hits) VALUES (?1, 'query', ?2, ?3)",
                params![at, query, hits],
            )
            .expect("event");
        }
        c.execute(
            "INSERT INTO telemetry (at, surface, query, hits) VALUES (14, 'brief', 'nothing', 0)",
            [],
        )
        .expect("brief event");
        let got = unanswered_queries(c, 5, 10).expect("misses");
        let miss = |query: &str, times, last_at| UnansweredQuery {
            query: query.into(),
            times,
            last_at,
        };
        assert_eq!(got, [miss("deploy key", 1, 13), miss("flaky test", 2, 12)]);
        assert_eq!(unanswered_queries(c, 0, 10).expect("all").len(), 3);
        assert_eq!(unanswered_queries(c, 0, 1).expect("limited").len(), 1);
    }
}
