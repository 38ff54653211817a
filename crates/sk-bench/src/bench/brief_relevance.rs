//! Whether `sk brief` shows what a task is about, on the real-log development set: part of
//! `sk-bench-recall --eval-dir`. Two sets of tasks: the set's questions (the answer files
//! say which session they are about) and the first prompt of every session of the logs (a
//! new session starting on the same work as an old one). An entry counts as related when
//! it was extracted from a session of the task's answer files; a briefing's sessions count
//! as found when the answer session is among them. A proxy: an entry of another session
//! can still help (the same tool failing elsewhere), so the precision is a lower bound;
//! what it tells apart is a briefing that lists whatever shares a word with the task.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context as _, Result};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use super::eval::{KnownIds, Question, Sk};
use super::report::ResultBlock;

/// The longest first prompt used as a task (a briefing's task is a line or a paragraph).
const TASK_CHARS: usize = 600;
/// Prompts shorter than this many words are greetings or commands, not tasks.
const TASK_MIN_WORDS: usize = 4;

/// One task and the log files it is about.
struct Task {
    text: String,
    about: BTreeSet<String>,
}

/// What the briefings of one set of tasks showed.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    tasks: usize,
    entries_shown: usize,
    entries_related: usize,
    /// Tasks whose answer session has entries that a briefing may show.
    tasks_with_related_entries: usize,
    /// Of those, the tasks whose briefing showed one.
    tasks_given_related_entries: usize,
    sessions_shown: usize,
    tasks_with_answer_session: usize,
}

/// The log files of each session key (`agent:external_id`) and of each shown entry.
struct Provenance {
    session_files: BTreeMap<String, BTreeSet<String>>,
    entry_files: BTreeMap<i64, BTreeSet<String>>,
    /// Entries a default briefing may show (at or above the quality floor).
    shown_entries: BTreeSet<i64>,
}

fn open(db: &Path) -> Result<Connection> {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", db.display()))
}

fn provenance(conn: &Connection, known: &KnownIds) -> Result<Provenance> {
    let mut session_files = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT agent || ':' || external_id, external_id FROM sessions")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (key, external) = row?;
        let files: BTreeSet<String> = known.rank_files(external.as_bytes()).into_iter().collect();
        if !files.is_empty() {
            session_files.insert(key, files);
        }
    }
    let mut entry_files: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT entry_id, session_key FROM entry_sources")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (id, key) = row?;
        if let Some(files) = session_files.get(&key) {
            entry_files.entry(id).or_default().extend(files.iter().cloned());
        }
    }
    let shown_entries = conn
        .prepare("SELECT id FROM entries WHERE confidence >= ?1 OR pinned = 1")?
        .query_map([sk_core::knowledge::SHOWN_MIN_CONFIDENCE], |r| r.get::<_, i64>(0))?
        .collect::<Result<_, _>>()?;
    Ok(Provenance {
        session_files,
        entry_files,
        shown_entries,
    })
}

/// Each session's first prompt that reads as a task, as a task about that session.
fn first_prompts(conn: &Connection, p: &Provenance) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare(
        "SELECT s.agent || ':' || s.external_id, r.text FROM sessions s JOIN records r ON r.session_id = s.id
         WHERE r.kind = 'prompt' AND r.subagent = 0 ORDER BY r.id",
    )?;
    let mut seen = BTreeSet::new();
    let mut tasks = Vec::new();
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (key, text) = row?;
        let Some(files) = p.session_files.get(&key) else {
            continue;
        };
        if seen.contains(&key) || text.split_whitespace().count() < TASK_MIN_WORDS || text.starts_with('<') {
            continue;
        }
        seen.insert(key);
        tasks.push(Task {
            text: text.chars().take(TASK_CHARS).collect(),
            about: files.clone(),
        });
    }
    Ok(tasks)
}

fn tally(sk: &Sk, known: &KnownIds, p: &Provenance, tasks: &[Task]) -> Result<Tally> {
    let mut t = Tally::default();
    for task in tasks {
        let args = ["brief", "--json", "--", task.text.as_str()].map(str::to_string);
        let (out, ok, _) = sk.run(&args)?;
        if !ok {
            anyhow::bail!("sk brief failed for the task {:?}", task.text);
        }
        let doc: Value = serde_json::from_slice(&out).context("reading sk brief --json")?;
        t.tasks += 1;
        let related_exists = p
            .entry_files
            .iter()
            .any(|(id, files)| p.shown_entries.contains(id) && !files.is_disjoint(&task.about));
        t.tasks_with_related_entries += usize::from(related_exists);
        let mut gave_related = false;
        for section in doc["sections"].as_array().into_iter().flatten() {
            let items = section["items"].as_array().map_or(&[][..], Vec::as_slice);
            match section["name"].as_str() {
                Some("mistakes" | "patterns" | "decisions") => {
                    for item in items {
                        t.entries_shown += 1;
                        let related = item["id"]
                            .as_i64()
                            .and_then(|id| p.entry_files.get(&id))
                            .is_some_and(|files| !files.is_disjoint(&task.about));
                        t.entries_related += usize::from(related);
                        gave_related |= related;
                    }
                }
                Some("sessions") => {
                    t.sessions_shown += items.len();
                    let found = items.iter().any(|i| {
                        let key = i["id"].as_str().unwrap_or_default();
                        known
                            .rank_files(key.as_bytes())
                            .iter()
                            .any(|f| task.about.contains(f))
                    });
                    t.tasks_with_answer_session += usize::from(found);
                }
                _ => {}
            }
        }
        t.tasks_given_related_entries += usize::from(related_exists && gave_related);
    }
    Ok(t)
}

/// Runs the briefings of both task sets and adds their lines to `block`.
pub fn measure(sk: &Sk, known: &KnownIds, questions: &[Question], block: &mut ResultBlock) -> Result<()> {
    // As the CJK measurement does: without a database to read (a stand-in `sk` in the
    // benchmark's own tests), say so and measure the rest.
    let read = open(&sk.db).and_then(|conn| Ok((provenance(&conn, known)?, conn)));
    let (p, conn) = match read {
        Ok(read) => read,
        Err(e) => {
            eprintln!("note: no briefing measurement: {e:#}");
            return Ok(());
        }
    };
    let asked: Vec<Task> = questions
        .iter()
        .map(|q| Task {
            text: q.query.clone(),
            about: q.answers.clone(),
        })
        .collect();
    let started: Vec<Task> = first_prompts(&conn, &p)?;
    for (name, tasks) in [("questions", &asked), ("first_prompts", &started)] {
        let t = tally(sk, known, &p, tasks)?;
        let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        block.push(format!("brief_{name}_tasks"), t.tasks);
        block.push(format!("brief_{name}_entries_shown"), t.entries_shown);
        block.push(format!("brief_{name}_entries_related"), t.entries_related);
        block.push(
            format!("brief_{name}_entries_related_share"),
            format!("{:.3}", share(t.entries_related, t.entries_shown)),
        );
        block.push(
            format!("brief_{name}_tasks_given_related_entries"),
            format!(
                "{} of {}",
                t.tasks_given_related_entries, t.tasks_with_related_entries
            ),
        );
        block.push(format!("brief_{name}_sessions_shown"), t.sessions_shown);
        block.push(
            format!("brief_{name}_answer_session_listed"),
            format!("{} of {}", t.tasks_with_answer_session, t.tasks),
        );
    }
    Ok(())
}
