//! Knowledge entries in the database: inserting, merging a recurrence into an existing
//! entry, forgetting what one session contributed (so re-extraction replaces instead of
//! piling up), and reading entries back with their provenance. Deciding *whether* two
//! entries are near-duplicates is not SQL and lives with the extractor; this module only
//! offers the few neighbours worth comparing.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sk_core::Category;

/// Confidence added per further session an entry recurred in.
pub const RECURRENCE_BONUS: f64 = 0.05;
/// Extracted knowledge never claims more certainty than this.
pub const MAX_EXTRACTED_CONFIDENCE: f64 = 0.95;

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Extracted,
    Manual,
    Imported,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Extracted => "extracted",
            Origin::Manual => "manual",
            Origin::Imported => "imported",
        }
    }
    fn parse(s: &str) -> Origin {
        match s {
            "manual" => Origin::Manual,
            "imported" => Origin::Imported,
            _ => Origin::Extracted,
        }
    }
}

/// Who recorded a hand-written entry (`sk learn --source`). Extracted entries have none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntrySource {
    /// A person ran `sk learn` (the default).
    #[default]
    User,
    /// An agent ran `sk learn --source agent` on its own initiative.
    Agent,
}

impl EntrySource {
    pub fn as_str(self) -> &'static str {
        match self {
            EntrySource::User => "user",
            EntrySource::Agent => "agent",
        }
    }
    fn parse(s: &str) -> Option<EntrySource> {
        match s {
            "user" => Some(EntrySource::User),
            "agent" => Some(EntrySource::Agent),
            _ => None,
        }
    }
}

/// A new entry, or a recurrence of one.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub category: Category,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub files: Vec<String>,
    pub repo: Option<String>,
    pub task: Option<String>,
    pub origin: Origin,
    pub confidence: f64,
    pub content_hash: String,
    /// The cues that fired, for `sk show --why`.
    pub why: Vec<String>,
    /// Who recorded it, for hand-written entries.
    pub source: Option<EntrySource>,
}

/// One place an entry was seen: `session_key` is `agent:external_id` ('' for none).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Seen {
    pub session_key: String,
    pub event_id: String,
    pub seen_at: i64,
}

/// A stored entry with everything `sk show` and export need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub category: Category,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub files: Vec<String>,
    pub repo: Option<String>,
    pub task: Option<String>,
    pub origin: Origin,
    pub confidence: f64,
    pub occurrences: i64,
    pub first_seen: i64,
    pub last_seen: i64,
    pub content_hash: String,
    pub why: Vec<String>,
    pub sources: Vec<Seen>,
    /// Always eligible for briefings (`sk knowledge pin`). Absent from exports before v6.
    #[serde(default)]
    pub pinned: bool,
    /// When a person last edited the title, body or category (`sk knowledge edit`).
    #[serde(default)]
    pub edited_at: Option<i64>,
    /// Who recorded a hand-written entry: `user` or `agent`; null for extracted entries.
    #[serde(default)]
    pub source: Option<EntrySource>,
}

/// The session key provenance uses: stable across rebuilds, unlike row ids.
pub fn session_key(agent: &str, external_id: &str) -> String {
    format!("{agent}:{external_id}")
}

pub fn find_by_hash(conn: &Connection, hash: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM entries WHERE content_hash = ?1")?
        .query_row([hash], |r| r.get(0))
        .optional()
}

/// The oldest extracted entry of `category` that teaches the rule lesson `key` (one line
/// of its cues, `why`): a tool's rule learned in another session is the same lesson
/// whatever that session's files and wording (`sk_extract::lesson_key`).
pub fn find_by_lesson(conn: &Connection, category: Category, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT id FROM entries
         WHERE category = ?1 AND origin = 'extracted'
           AND instr(char(10) || coalesce(why, '') || char(10), char(10) || ?2 || char(10)) > 0
         ORDER BY id LIMIT 1",
    )?
    .query_row(params![category.as_str(), key], |r| r.get(0))
    .optional()
}

/// Whether an entry with `hash` was seen anywhere but in `session_key`: another session,
/// or a person (`sk learn`, an import). Knowledge that only this session produced is not.
pub fn known_beyond(conn: &Connection, hash: &str, session_key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM entries e JOIN entry_sources s ON s.entry_id = e.id
                        WHERE e.content_hash = ?1 AND s.session_key <> ?2)",
    )?
    .query_row([hash, session_key], |r| r.get(0))
}

/// The latest time a provenance row under `session_key` was written — for the key every
/// `sk learn` call records, when a lesson was last recorded by hand. None when never.
pub fn last_seen_under(conn: &Connection, session_key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT max(seen_at) FROM entry_sources WHERE session_key = ?1")?
        .query_row([session_key], |r| r.get(0))
}

/// Entries of `category` whose title or body shares words with `text`, best first: the
/// only ones worth a near-duplicate comparison.
pub fn neighbours(
    conn: &Connection,
    category: Category,
    text: &str,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .take(24)
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.title || char(10) || e.body FROM entries_fts f JOIN entries e ON e.id = f.rowid
         WHERE entries_fts MATCH ?1 AND e.category = ?2 ORDER BY bm25(entries_fts) LIMIT ?3",
    )?;
    stmt.query_map(
        params![terms.join(" OR "), category.as_str(), limit as i64],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .collect()
}

/// An entry's repository as stored: `owner/name` whatever shape it arrived in (a URL from
/// an export or a replica of an older version, credentials included: `sk_core::repo`).
fn stored_repo(repo: Option<&str>) -> Option<String> {
    repo.map(sk_core::repo::canonical).filter(|r| !r.is_empty())
}

/// Inserts a new entry with its provenance; returns its id.
pub fn insert(conn: &Connection, draft: &Draft, seen: &[Seen]) -> rusqlite::Result<i64> {
    let now = sk_core::time::now_ms();
    let first = seen.iter().map(|s| s.seen_at).min().unwrap_or(now);
    let last = seen.iter().map(|s| s.seen_at).max().unwrap_or(now);
    conn.prepare_cached(&format!(
        "INSERT INTO entries (id, category, title, body, tags, repo, task, origin, confidence, occurrences,
             first_seen, last_seen, content_hash, why, created_at, updated_at, source)
         VALUES ({NEXT_ID}, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?12, ?13, ?13, ?14)"
    ))?
    .execute(params![
        draft.category.as_str(),
        draft.title,
        draft.body,
        join_tags(&draft.tags),
        stored_repo(draft.repo.as_deref()),
        draft.task,
        draft.origin.as_str(),
        draft.confidence.clamp(0.0, 1.0),
        first,
        last,
        draft.content_hash,
        draft.why.join("\n"),
        now,
        draft.source.map(EntrySource::as_str)
    ])?;
    let id = conn.last_insert_rowid();
    add_occurrence(conn, id, draft, seen)?;
    Ok(id)
}

/// The id a new entry gets: past every entry, and past every id a forgotten entry had
/// (`crate::curation::FORGOTTEN_IDS_UPTO`, kept even when the tombstone is lifted), so
/// that `sk show` of a forgotten id never shows another entry. SQLite alone would reuse
/// the largest id once that entry is deleted.
const NEXT_ID: &str = "(SELECT max(coalesce((SELECT max(id) FROM entries), 0),
        coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'forgotten_ids_upto'), 0)) + 1)";

/// Records that `draft` was seen again (exact or near duplicate of entry `id`): adds its
/// provenance, files and tags, and recomputes occurrences, confidence and first/last seen.
/// Adding the same provenance twice changes nothing.
pub fn add_occurrence(conn: &Connection, id: i64, draft: &Draft, seen: &[Seen]) -> rusqlite::Result<()> {
    add_provenance(conn, id, draft, seen)?;
    refresh(conn, id)
}

/// [`add_occurrence`] without the recomputation, for a caller that adds many occurrences
/// in one transaction and calls [`refresh`] once per entry before committing: an entry
/// seen in a thousand sessions would otherwise rescan its thousand provenance rows for
/// every one of them.
pub fn add_provenance(conn: &Connection, id: i64, draft: &Draft, seen: &[Seen]) -> rusqlite::Result<()> {
    for s in seen {
        conn.prepare_cached(
            "INSERT INTO entry_sources (entry_id, session_key, event_id, seen_at, confidence) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (entry_id, session_key, event_id) DO UPDATE SET confidence = max(confidence, excluded.confidence)",
        )?
        .execute(params![id, s.session_key, s.event_id, s.seen_at, draft.confidence])?;
    }
    for f in &draft.files {
        conn.prepare_cached("INSERT OR IGNORE INTO entry_files (entry_id, path) VALUES (?1, ?2)")?
            .execute(params![id, f])?;
    }
    if draft.source == Some(EntrySource::User) {
        // A person recording what an agent recorded vouches for it.
        conn.prepare_cached("UPDATE entries SET source = 'user' WHERE id = ?1 AND source = 'agent'")?
            .execute([id])?;
    }
    if !draft.tags.is_empty() {
        let current: String = conn
            .prepare_cached("SELECT tags FROM entries WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let mut tags = split_tags(&current);
        for t in &draft.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        let joined = join_tags(&tags);
        if joined != current {
            conn.prepare_cached("UPDATE entries SET tags = ?2 WHERE id = ?1")?
                .execute(params![id, joined])?;
        }
    }
    Ok(())
}

/// Derives occurrences (distinct sessions), confidence and first/last seen from provenance.
pub fn refresh(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    // One pass over the entry's provenance rows (an aggregate without GROUP BY always
    // yields one row, NULLs when there are none).
    conn.prepare_cached(
        "UPDATE entries SET (occurrences, confidence, first_seen, last_seen) = (
             SELECT max(1, count(DISTINCT s.session_key)),
                    CASE WHEN entries.origin = 'extracted' THEN min(?2,
                        coalesce(max(s.confidence), entries.confidence)
                        + ?3 * max(0, count(DISTINCT s.session_key) - 1))
                    ELSE entries.confidence END,
                    coalesce(min(s.seen_at), entries.first_seen),
                    coalesce(max(s.seen_at), entries.last_seen)
             FROM entry_sources s WHERE s.entry_id = ?1)
         WHERE id = ?1",
    )?
    .execute(params![id, MAX_EXTRACTED_CONFIDENCE, RECURRENCE_BONUS])
    .map(|_| ())
}

/// The provenance rows one session has contributed: `(entry id, event id)`.
/// Only extracted entries count: a manual entry's link to the session it was learned in
/// belongs to the person who recorded it, not to the extractor.
pub fn session_provenance(conn: &Connection, session_key: &str) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached(
        "SELECT s.entry_id, s.event_id FROM entry_sources s JOIN entries e ON e.id = s.entry_id
         WHERE s.session_key = ?1 AND e.origin = 'extracted' ORDER BY s.entry_id, s.event_id",
    )?
    .query_map([session_key], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// Drops provenance rows a session no longer supports (it was re-extracted and those
/// candidates are gone). Extracted entries left with no provenance are deleted; manual
/// and imported entries never are, nor entries a person edited (their text is the
/// person's now). Returns how many entries were deleted.
pub fn drop_provenance(
    conn: &Connection,
    session_key: &str,
    stale: &[(i64, String)],
) -> rusqlite::Result<u64> {
    let mut deleted = 0;
    for (id, event_id) in stale {
        conn.prepare_cached(
            "DELETE FROM entry_sources WHERE entry_id = ?1 AND session_key = ?2 AND event_id = ?3",
        )?
        .execute(params![id, session_key, event_id])?;
        let (left, origin, edited): (i64, String, bool) = conn
            .prepare_cached(
                "SELECT (SELECT count(*) FROM entry_sources WHERE entry_id = ?1), origin, edited_at IS NOT NULL
                 FROM entries WHERE id = ?1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if left == 0 && origin == Origin::Extracted.as_str() && !edited {
            conn.prepare_cached("DELETE FROM entries WHERE id = ?1")?
                .execute([id])?;
            deleted += 1;
        } else {
            refresh(conn, *id)?;
        }
    }
    Ok(deleted)
}

/// A session whose records should be (re-)extracted.
#[derive(Debug, Clone)]
pub struct SessionToExtract {
    pub id: i64,
    pub agent: String,
    pub external_id: String,
    pub repo: Option<String>,
    pub cwd: Option<String>,
}

/// Sessions changed since their last extraction (all of them with `full`). Never a session
/// known only from another replica's digest (`sk sync --sessions`): it has no records
/// here, and extracting it would drop the sightings pulled with it as stale.
pub fn sessions_to_extract(conn: &Connection, full: bool) -> rusqlite::Result<Vec<SessionToExtract>> {
    let sql = if full {
        "SELECT id, agent, external_id, repo, cwd FROM sessions WHERE remote_author IS NULL ORDER BY id"
    } else {
        "SELECT id, agent, external_id, repo, cwd FROM sessions
         WHERE remote_author IS NULL AND (extracted_at IS NULL OR updated_at > extracted_at) ORDER BY id"
    };
    conn.prepare(sql)?
        .query_map([], |r| {
            Ok(SessionToExtract {
                id: r.get(0)?,
                agent: r.get(1)?,
                external_id: r.get(2)?,
                repo: r.get(3)?,
                cwd: r.get(4)?,
            })
        })?
        .collect()
}

pub fn mark_extracted(conn: &Connection, session_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE sessions SET extracted_at = max(updated_at, ?2) WHERE id = ?1")?
        .execute(params![session_id, sk_core::time::now_ms()])
        .map(|_| ())
}

/// One session's records in file order, as the extractor reads them.
///
/// `wants_text(kind, success, bytes, call_id)` decides per record whether its text is
/// read: SQLite only loads a large text (from its overflow pages) when the column is asked
/// for, so skipping the texts a caller never reads skips most of the I/O. `saw_call(call_id,
/// text)` is told each tool call as it is read, so that what is wanted of its result may
/// depend on it (`sk_extract::TextNeeds`).
pub fn session_records(
    conn: &Connection,
    session_id: i64,
    wants_text: impl Fn(Option<sk_core::RecordKind>, Option<bool>, usize, Option<&str>) -> bool,
    saw_call: impl Fn(Option<&str>, &str),
) -> rusqlite::Result<Vec<sk_core::Record>> {
    // Files come joined by a unit separator in the same row: one query per session, not
    // one per record.
    let mut stmt = conn.prepare_cached(
        "SELECT r.offset, r.part, r.kind, r.ts, r.event_id, r.message_id, r.call_id, r.tool, r.success,
                r.subagent, r.section, r.refers_to, r.text,
                (SELECT group_concat(f.path, char(31)) FROM record_files rf JOIN files f ON f.id = rf.file_id
                 WHERE rf.record_id = r.id),
                octet_length(r.text)
         FROM records r WHERE r.session_id = ?1 ORDER BY r.source_id, r.offset, r.part",
    )?;
    stmt.query_map([session_id], |r| {
        let kind = sk_core::RecordKind::parse(&r.get::<_, String>(2)?);
        let success: Option<bool> = r.get(8)?;
        // `octet_length` reads the size without loading the text (SQLite keeps it in the
        // record header): a long output left out costs nothing.
        let bytes: i64 = r.get(14)?;
        let call_id: Option<String> = r.get(6)?;
        let wanted = wants_text(
            kind,
            success,
            usize::try_from(bytes).unwrap_or(usize::MAX),
            call_id.as_deref(),
        );
        let text: String = if wanted { r.get(12)? } else { String::new() };
        if kind == Some(sk_core::RecordKind::ToolCall) {
            saw_call(call_id.as_deref(), &text);
        }
        let files: Option<String> = r.get(13)?;
        let mut files: Vec<String> = files
            .map(|f| f.split('\u{1f}').map(str::to_string).collect())
            .unwrap_or_default();
        files.sort();
        Ok(sk_core::Record {
            kind,
            offset: r.get::<_, i64>(0)? as u64,
            part: r.get(1)?,
            ts: r.get(3)?,
            event_id: r.get(4)?,
            message_id: r.get(5)?,
            call_id,
            tool: r.get(7)?,
            success,
            subagent: r.get(9)?,
            section: r.get(10)?,
            refers_to: r.get(11)?,
            text,
            files,
        })
    })?
    .collect()
}

/// One entry with its files and provenance.
pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Entry>> {
    let row = conn
        .prepare_cached(
            "SELECT id, category, title, body, tags, repo, task, origin, confidence, occurrences, first_seen, last_seen,
                    content_hash, why, pinned, edited_at, source FROM entries WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let category: String = r.get(1)?;
            let origin: String = r.get(7)?;
            let tags: String = r.get(4)?;
            let why: Option<String> = r.get(13)?;
            let source: Option<String> = r.get(16)?;
            Ok(Entry {
                id: r.get(0)?,
                category: category.parse().unwrap_or(Category::Discovery),
                title: r.get(2)?,
                body: r.get(3)?,
                tags: split_tags(&tags),
                files: Vec::new(),
                repo: r.get(5)?,
                task: r.get(6)?,
                origin: Origin::parse(&origin),
                confidence: r.get(8)?,
                occurrences: r.get(9)?,
                first_seen: r.get(10)?,
                last_seen: r.get(11)?,
                content_hash: r.get(12)?,
                why: why.map(|w| w.lines().map(str::to_string).collect()).unwrap_or_default(),
                sources: Vec::new(),
                pinned: r.get(14)?,
                edited_at: r.get(15)?,
                source: source.as_deref().and_then(EntrySource::parse),
            })
        })
        .optional()?;
    let Some(mut entry) = row else { return Ok(None) };
    entry.files = conn
        .prepare_cached("SELECT path FROM entry_files WHERE entry_id = ?1 ORDER BY path")?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    entry.sources = conn
        .prepare_cached(
            "SELECT session_key, event_id, seen_at FROM entry_sources WHERE entry_id = ?1 ORDER BY seen_at, session_key, event_id",
        )?
        .query_map([id], |r| Ok(Seen { session_key: r.get(0)?, event_id: r.get(1)?, seen_at: r.get(2)? }))?
        .collect::<Result<_, _>>()?;
    Ok(Some(entry))
}

/// Ids of entries, optionally of one category, in a stable order (for export).
pub fn ids(conn: &Connection, category: Option<Category>) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM entries WHERE ?1 IS NULL OR category = ?1 ORDER BY id")?;
    stmt.query_map([category.map(Category::as_str)], |r| r.get(0))?
        .collect()
}

/// Which entries a listing shows, by the quality floor that decides what briefings,
/// hooks and search show by default (pinned entries are always above it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualityBand {
    All,
    Shown,
    Below,
}

/// One page of entry ids for a listing (pinned first, then by confidence, newest sighting,
/// id), and how many entries the listing has in all.
pub fn page(
    conn: &Connection,
    category: Option<Category>,
    band: QualityBand,
    floor: f64,
    offset: usize,
    limit: usize,
) -> rusqlite::Result<(Vec<i64>, u64)> {
    let band = match band {
        QualityBand::All => 0,
        QualityBand::Shown => 1,
        QualityBand::Below => 2,
    };
    const WHERE: &str = "(?1 IS NULL OR category = ?1)
        AND (?2 = 0 OR (?2 = 1) = (pinned = 1 OR confidence >= ?3))";
    let category = category.map(Category::as_str);
    let ids = conn
        .prepare_cached(&format!(
            "SELECT id FROM entries WHERE {WHERE}
             ORDER BY pinned DESC, confidence DESC, last_seen DESC, id LIMIT ?4 OFFSET ?5"
        ))?
        .query_map(params![category, band, floor, limit as i64, offset as i64], |r| {
            r.get(0)
        })?
        .collect::<Result<_, _>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM entries WHERE {WHERE}"))?
        .query_row(params![category, band, floor], |r| r.get(0))?;
    Ok((ids, total.max(0) as u64))
}

/// Per-category entry counts.
pub fn counts(conn: &Connection) -> rusqlite::Result<Vec<(String, i64)>> {
    conn.prepare("SELECT category, count(*) FROM entries GROUP BY category ORDER BY category")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

fn join_tags(tags: &[String]) -> String {
    tags.join(",")
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A session an entry was seen in, as `sk show` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    pub session_key: String,
    pub started_at: Option<i64>,
    pub repo: Option<String>,
    pub cwd: Option<String>,
    pub title: Option<String>,
}

/// The sessions an entry was seen in that are still in the database, the most recent
/// sighting first, at most `limit` (a listing's "learned in" reads three, `sk show` all),
/// titled as every other surface titles a session.
pub fn sessions_of(
    conn: &Connection,
    entry_id: i64,
    limit: Option<usize>,
) -> rusqlite::Result<Vec<SessionInfo>> {
    conn.prepare_cached(&format!(
        "SELECT x.session_key, sessions.started_at, sessions.repo, sessions.cwd, {}
         FROM (SELECT session_key, max(seen_at) AS seen,
                      substr(session_key, 1, instr(session_key, ':') - 1) AS agent,
                      substr(session_key, instr(session_key, ':') + 1) AS external_id
               FROM entry_sources WHERE entry_id = ?1 AND session_key != '' GROUP BY session_key) x
         JOIN sessions ON sessions.agent = x.agent AND sessions.external_id = x.external_id
         ORDER BY x.seen DESC, x.session_key LIMIT ?2",
        crate::sessions::SHOWN_TITLE
    ))?
    .query_map(
        params![entry_id, limit.map_or(-1, |n| i64::try_from(n).unwrap_or(-1))],
        |r| {
            Ok(SessionInfo {
                session_key: r.get(0)?,
                started_at: r.get(1)?,
                repo: r.get(2)?,
                cwd: r.get(3)?,
                title: r.get(4)?,
            })
        },
    )?
    .collect()
}

/// An entry related to another, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub reason: String,
}

/// Entries linked to `entry`, strongest link first: fix-for links (below), then entries
/// that concern the same files, then entries on the same topic (shared words).
pub fn related(conn: &Connection, entry: &Entry, limit: usize) -> rusqlite::Result<Vec<Related>> {
    let mut out = fix_links(conn, entry, limit)?;
    let same_file: Vec<Related> = conn
        .prepare_cached(
            "SELECT e.id, e.category, e.title, min(f.path) FROM entry_files f JOIN entries e ON e.id = f.entry_id
             WHERE f.path IN (SELECT path FROM entry_files WHERE entry_id = ?1) AND e.id != ?1
             GROUP BY e.id ORDER BY e.confidence DESC, e.id LIMIT ?2",
        )?
        .query_map(params![entry.id, limit as i64], |r| {
            Ok(Related { id: r.get(0)?, category: r.get(1)?, title: r.get(2)?, reason: format!("same file {}", r.get::<_, String>(3)?) })
        })?
        .collect::<Result<_, _>>()?;
    for r in same_file {
        if out.len() < limit && !out.iter().any(|o| o.id == r.id) {
            out.push(r);
        }
    }
    if out.len() < limit {
        for cat in Category::ALL {
            for (id, _) in neighbours(conn, cat, &entry.title, limit)? {
                if id != entry.id
                    && !out.iter().any(|r| r.id == id)
                    && out.len() < limit
                    && let Some(e) = get(conn, id)?
                {
                    out.push(Related {
                        id,
                        category: e.category.to_string(),
                        title: e.title,
                        reason: "same topic".into(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Fix-for links, derived from provenance rather than stored: a mistake is "fixed by" a
/// pattern, decision, refactor… that a session which made the mistake recorded at the same
/// time or later about one of the same files; that entry is a "fix for" the mistake. An
/// extracted failure→fix mistake already carries its own fix in its body; these links add
/// the lessons drawn from it, and lead from a convention back to the mistake behind it.
/// Sessions (the newest) in which [`fix_links`] looks for an entry's fix: an entry seen in
/// hundreds of sessions joined every other entry of each (0.3 s for one `sk show` on the
/// 1 GB benchmark history; 2 ms with this bound).
const FIX_LINK_SESSIONS: i64 = 20;

fn fix_links(conn: &Connection, entry: &Entry, limit: usize) -> rusqlite::Result<Vec<Related>> {
    let is_mistake = entry.category == Category::Mistake;
    conn.prepare_cached(
        "SELECT e.id, e.category, e.title, min(f.path)
         FROM (SELECT entry_id, session_key, max(seen_at) AS seen_at FROM entry_sources
               WHERE entry_id = ?1 AND session_key != ''
               GROUP BY session_key ORDER BY seen_at DESC LIMIT ?4) mine
         JOIN entry_sources theirs ON theirs.session_key = mine.session_key AND theirs.entry_id != mine.entry_id
         JOIN entries e ON e.id = theirs.entry_id
         JOIN entry_files f ON f.entry_id = e.id AND f.path IN (SELECT path FROM entry_files WHERE entry_id = ?1)
         WHERE CASE WHEN ?2 THEN e.category != 'mistake' AND theirs.seen_at >= mine.seen_at
                    ELSE e.category = 'mistake' AND theirs.seen_at <= mine.seen_at END
         GROUP BY e.id ORDER BY e.confidence DESC, e.id LIMIT ?3",
    )?
    .query_map(params![entry.id, is_mistake, limit as i64, FIX_LINK_SESSIONS], |r| {
        let path: String = r.get(3)?;
        Ok(Related {
            id: r.get(0)?,
            category: r.get(1)?,
            title: r.get(2)?,
            reason: if is_mistake { format!("fixed by (same session, {path})") } else { format!("fix for (same session, {path})") },
        })
    })?
    .collect()
}

/// Ids and titles of one category's entries, oldest first: `sk learn` compares a
/// hand-written title with these after a normalisation that is not SQL.
pub fn titles(conn: &Connection, category: Category) -> rusqlite::Result<Vec<(i64, String)>> {
    conn.prepare_cached("SELECT id, title FROM entries WHERE category = ?1 ORDER BY id")?
        .query_map([category.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// Writes an exported entry back as it was: every stored field verbatim, derived values
/// (occurrences, confidence, first/last seen) not recomputed, so export → import → export
/// gives the same entries. `source_confidence` is what each provenance row claims (the
/// export does not carry it). Returns the new id; the entry's own id is not reused.
pub fn restore(conn: &Connection, entry: &Entry, source_confidence: f64) -> rusqlite::Result<i64> {
    let now = sk_core::time::now_ms();
    conn.prepare_cached(&format!(
        "INSERT INTO entries (id, category, title, body, tags, repo, task, origin, confidence, occurrences,
             first_seen, last_seen, content_hash, why, created_at, updated_at, pinned, edited_at, source)
         VALUES ({NEXT_ID}, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, ?17)"
    ))?
    .execute(params![
        entry.category.as_str(),
        entry.title,
        entry.body,
        join_tags(&entry.tags),
        stored_repo(entry.repo.as_deref()),
        entry.task,
        entry.origin.as_str(),
        entry.confidence,
        entry.occurrences,
        entry.first_seen,
        entry.last_seen,
        entry.content_hash,
        entry.why.join("\n"),
        now,
        entry.pinned,
        entry.edited_at,
        entry.source.map(EntrySource::as_str)
    ])?;
    let id = conn.last_insert_rowid();
    for f in &entry.files {
        conn.prepare_cached("INSERT OR IGNORE INTO entry_files (entry_id, path) VALUES (?1, ?2)")?
            .execute(params![id, f])?;
    }
    for s in &entry.sources {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO entry_sources (entry_id, session_key, event_id, seen_at, confidence)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            id,
            s.session_key,
            s.event_id,
            s.seen_at,
            source_confidence.clamp(0.0, 1.0)
        ])?;
    }
    Ok(id)
}

/// Whether entry `id` exists.
pub fn exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM entries WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// Title and body of one entry, joined as the near-duplicate measure compares them.
pub fn entry_text(conn: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT title || char(10) || body FROM entries WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// An entry's title and the cues that made it (`why`, one per line), for deciding whether
/// a near-duplicate may merge into it.
pub fn entry_title_and_cues(conn: &Connection, id: i64) -> rusqlite::Result<Option<(String, Vec<String>)>> {
    conn.prepare_cached("SELECT title, why FROM entries WHERE id = ?1")?
        .query_row([id], |r| {
            let why: Option<String> = r.get(1)?;
            Ok((
                r.get(0)?,
                why.map(|w| w.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
            ))
        })
        .optional()
}
