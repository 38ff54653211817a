//! `sk brief` without I/O: turning what the store found for a task (BM25 scores, file
//! matches, entries, sessions, mistake-prone files) into a ranked, deduplicated briefing
//! that fits a size budget, and rendering it as markdown or an XML block for an agent's
//! context. Kept pure so ranking and budgeting are tested without a database, and so the
//! same input always yields the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sk_core::time::format_ms;
use sk_store::brief::{BriefEntry, BriefSession, FileMatch, MistakeFile};

mod gather;
pub mod git;
mod relevance;
mod render;
mod scope;
pub use gather::gather;
pub use render::{render_markdown, render_xml, xml_escape};
pub use scope::{Scope, repo_key, scope_root};
pub(crate) use scope::{entry_in_scope, recorded_here, same_repo};

/// Characters per token when a budget is given in tokens (a common rough average).
pub const CHARS_PER_TOKEN: usize = 4;
/// The budget when none is given: about 500 tokens.
pub const DEFAULT_BUDGET_CHARS: usize = 500 * CHARS_PER_TOKEN;
/// The longest task text the briefing repeats (auto-derived tasks can be long).
const MAX_TASK_CHARS: usize = 160;
/// Added to a pinned entry's score: more than any unpinned entry can reach, so pinned
/// entries lead their section.
const PINNED_FIRST: f64 = 100.0;

pub use crate::stopwords::is_stopword;

/// Parses `--budget`: a number of characters, or tokens with a `t` suffix (`300t`).
pub fn parse_budget(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (digits, per) = match t.strip_suffix(['t', 'T']) {
        Some(d) => (d.trim(), CHARS_PER_TOKEN),
        None => (t, 1),
    };
    match digits.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n.saturating_mul(per)),
        _ => Err(format!(
            "invalid budget {text:?}: give characters (2000) or tokens with a t suffix (500t)"
        )),
    }
}

/// The words of a task worth searching for, deduplicated in first-seen order, lowercased:
/// at most `max` of them.
pub fn task_terms(task: &str, max: usize) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for word in task.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
        let word = word.trim_matches('.').to_lowercase();
        // Two characters make a word in Chinese, Japanese and Korean (`重复`, `번호`).
        let shortest = if word.chars().any(sk_store::search::words::is_cjk) {
            2
        } else {
            3
        };
        if word.chars().count() < shortest || word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if is_stopword(&word) || !seen.insert(word.clone()) {
            continue;
        }
        out.push(word);
        if out.len() == max {
            break;
        }
    }
    out
}

/// The task text derived from git state: branch words, changed files, recent subjects.
pub fn task_from_git(branch: Option<&str>, files: &[String], subjects: &[String]) -> String {
    let mut parts = Vec::new();
    if let Some(b) = branch.filter(|b| !matches!(*b, "HEAD" | "main" | "master" | "trunk")) {
        let words: Vec<&str> = b.split(['/', '-', '_']).filter(|w| !w.is_empty()).collect();
        if !words.is_empty() {
            parts.push(words.join(" "));
        }
    }
    parts.extend(files.iter().cloned());
    parts.extend(
        subjects
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    );
    parts.join("; ")
}

/// Where the task text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskSource {
    Args,
    Git,
}

/// The five sections, in the order a briefing lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionName {
    Mistakes,
    Patterns,
    Decisions,
    Sessions,
    HotFiles,
}

impl SectionName {
    pub const ALL: [SectionName; 5] = [
        SectionName::Mistakes,
        SectionName::Patterns,
        SectionName::Decisions,
        SectionName::Sessions,
        SectionName::HotFiles,
    ];

    fn heading(self) -> &'static str {
        match self {
            SectionName::Mistakes => "Known mistakes",
            SectionName::Patterns => "Patterns and conventions",
            SectionName::Decisions => "Decisions",
            SectionName::Sessions => "Recent related sessions",
            SectionName::HotFiles => "Hot files",
        }
    }

    fn xml_tag(self) -> &'static str {
        match self {
            SectionName::Mistakes => "mistake",
            SectionName::Patterns => "pattern",
            SectionName::Decisions => "decision",
            SectionName::Sessions => "session",
            SectionName::HotFiles => "hot-file",
        }
    }

    fn of_category(category: &str) -> Option<SectionName> {
        match category {
            "mistake" => Some(SectionName::Mistakes),
            "pattern" => Some(SectionName::Patterns),
            "decision" => Some(SectionName::Decisions),
            _ => None,
        }
    }

    /// Where an entry stands: its category's section; a pinned entry of a category without
    /// one (a tool, a discovery, …) stands among the conventions, which is what pinning
    /// makes of it.
    fn of_entry(e: &BriefEntry) -> Option<SectionName> {
        SectionName::of_category(&e.category).or(e.pinned.then_some(SectionName::Patterns))
    }
}

/// An entry's id, a session's `agent:id` or a file's path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum ItemId {
    Entry(i64),
    Key(String),
}

/// One line of the briefing. Entries fill every field; sessions and hot files leave
/// `confidence` null and add their own optional fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: ItemId,
    /// The entry's category, or `session` / `hot_file`.
    pub category: String,
    pub title: String,
    pub body_excerpt: String,
    pub files: Vec<String>,
    pub confidence: Option<f64>,
    /// Milliseconds since the epoch.
    pub last_seen: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_done: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mistakes: Option<i64>,
    /// A pinned entry (`sk knowledge pin`); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Knowledge pulled by `sk sync`: `AUTHOR on REPLICA`; absent for knowledge made here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub name: SectionName,
    pub items: Vec<Item>,
}

/// The briefing as `--json` prints it (schema_version 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Briefing {
    pub schema_version: u32,
    pub task: String,
    pub task_source: TaskSource,
    pub repo: Option<String>,
    pub files: Vec<String>,
    /// The size limit in characters; null with `--full`.
    pub budget_chars: Option<usize>,
    /// Relevant items left out to stay within the budget.
    pub omitted: usize,
    /// True when the knowledge base holds no entries and no sessions at all.
    pub empty: bool,
    /// Always the five sections, in order, possibly with no items.
    pub sections: Vec<Section>,
}

/// What the store found for the task.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub entries: Vec<BriefEntry>,
    /// BM25 per entry id (lower is better).
    pub entry_fts: Vec<(i64, f64)>,
    pub entry_files: BTreeMap<i64, FileMatch>,
    pub sessions: Vec<BriefSession>,
    pub session_fts: Vec<(i64, f64)>,
    pub session_files: Vec<i64>,
    pub mistake_files: Vec<MistakeFile>,
}

/// How much each section may hold before the budget is applied.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_entry_section: usize,
    pub sessions: usize,
    pub hot_files: usize,
    pub excerpt_chars: usize,
}

impl Limits {
    pub const BRIEF: Limits = Limits {
        per_entry_section: 5,
        sessions: 3,
        hot_files: 5,
        excerpt_chars: 220,
    };
    pub const FULL: Limits = Limits {
        per_entry_section: 25,
        sessions: 10,
        hot_files: 10,
        excerpt_chars: 600,
    };
}

/// The task and context the briefing is about.
#[derive(Debug, Clone)]
pub struct Context {
    pub task: String,
    pub task_source: TaskSource,
    pub repo: Option<String>,
    pub files: Vec<String>,
    pub empty: bool,
    /// Knowledge under this confidence is left out: `sk_core::knowledge::SHOWN_MIN_CONFIDENCE`
    /// unless the user asked for all (None).
    pub min_confidence: Option<f64>,
    /// The automatic briefing's scope: the repository (or the folder) the agent works in.
    /// Set, only knowledge of this repository and global knowledge is shown, and only
    /// sessions that ran here; None (`sk brief`): everything relevant.
    pub scope: Option<Scope>,
}

/// BM25 scores turned into 0..1 strengths relative to the best hit.
fn strengths(scores: &[(i64, f64)]) -> BTreeMap<i64, f64> {
    let best = scores.iter().map(|(_, s)| -s).fold(0.0_f64, f64::max);
    scores
        .iter()
        .map(|&(id, s)| {
            (
                id,
                if best > 0.0 {
                    (-s / best).clamp(0.0, 1.0)
                } else {
                    0.0
                },
            )
        })
        .collect()
}

/// Whether a stored path and a task path name the same file (exact or `/`-suffix).
fn path_matches(stored: &str, task: &str) -> bool {
    stored == task || stored.ends_with(&format!("/{task}")) || task.ends_with(&format!("/{stored}"))
}

/// Sorts by score (best first), ties broken by `key` so equal scores never reorder.
fn rank<T, K: Ord>(items: &mut [(f64, K, T)]) {
    items.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
}

/// A session's rank in the briefing, from what is known before its texts are read (so
/// `gather` reads texts only for the sessions that can be shown); None when neither the
/// task's words nor its files point at it. Newer sessions first among equals; the key
/// breaks exact ties.
pub(crate) fn session_score(
    ctx: &Context,
    text: &BTreeMap<i64, f64>,
    touched: &BTreeSet<i64>,
    s: &BriefSession,
) -> Option<f64> {
    let text = text.get(&s.id).copied();
    let touched = touched.contains(&s.id);
    if text.is_none() && !touched {
        return None;
    }
    let repo = if same_repo(ctx.repo.as_deref(), s.repo.as_deref()) {
        0.5
    } else {
        0.0
    };
    let recency = s.ended_at.or(s.started_at).unwrap_or(0) as f64 * 1e-15;
    Some(2.0 * text.unwrap_or(0.0) + if touched { 1.5 } else { 0.0 } + repo + recency)
}

/// The session ranking `assemble` uses, for `gather`.
pub(crate) fn session_strengths(found: &Found) -> (BTreeMap<i64, f64>, BTreeSet<i64>) {
    (
        strengths(&found.session_fts),
        found.session_files.iter().copied().collect(),
    )
}

/// Every relevant item per section, best first, before any budget.
pub fn assemble(ctx: &Context, found: &Found, limits: Limits) -> Vec<Section> {
    let fts = strengths(&found.entry_fts);
    let mut per_section: BTreeMap<SectionName, Vec<(f64, i64, Item)>> = BTreeMap::new();
    let mut seen_ids = BTreeSet::new();
    for e in &found.entries {
        let Some(section) = SectionName::of_entry(e) else {
            continue;
        };
        if !seen_ids.insert(e.id) {
            continue;
        }
        let text = fts.get(&e.id).copied();
        let file = found.entry_files.get(&e.id).copied();
        // A mistake is only worth a line when it concerns this task; patterns and
        // decisions also stand as conventions of the repository, and so does anything a
        // person pinned.
        let unmatched = text.is_none() && file.is_none();
        let foreign =
            e.repo.as_deref().is_some_and(|r| !r.is_empty()) && !recorded_here(ctx, e.repo.as_deref());
        if unmatched && (foreign || (section == SectionName::Mistakes && !e.pinned)) {
            continue;
        }
        // Pinned entries come first in their section, ranked among themselves as usual.
        let score = if e.pinned { PINNED_FIRST } else { 0.0 }
            + 3.0 * text.unwrap_or(0.0)
            + match file {
                Some(FileMatch::Path) => 3.0,
                Some(FileMatch::Name) => 1.5,
                None => 0.0,
            }
            + e.confidence
            + 0.3 * (1.0 + e.occurrences.max(0) as f64).ln()
            + if same_repo(ctx.repo.as_deref(), e.repo.as_deref()) {
                0.5
            } else {
                0.0
            };
        per_section.entry(section).or_default().push((
            score,
            e.id,
            Item {
                id: ItemId::Entry(e.id),
                category: e.category.clone(),
                title: one_line(&e.title, 200),
                body_excerpt: one_line(&e.body, limits.excerpt_chars),
                files: e.files.clone(),
                confidence: Some(e.confidence),
                last_seen: Some(e.last_seen),
                work_done: None,
                next_steps: None,
                mistakes: None,
                pinned: e.pinned,
                from: e.from.clone(),
            },
        ));
    }

    let (session_text, session_files) = session_strengths(found);
    let mut sessions = Vec::new();
    for s in &found.sessions {
        let Some(score) = session_score(ctx, &session_text, &session_files, s) else {
            continue;
        };
        let when = s.ended_at.or(s.started_at);
        let title = s
            .title
            .as_deref()
            .or(s.first_prompt.as_deref())
            .map(|t| one_line(t, 120))
            .unwrap_or_else(|| "(untitled)".into());
        let work_done = s.work_done.as_deref().map(|t| one_line(t, limits.excerpt_chars));
        let next_steps = s.next_steps.as_deref().map(|t| one_line(t, limits.excerpt_chars));
        let excerpt = match (&work_done, &next_steps) {
            (Some(w), Some(n)) => format!("done: {w} next: {n}"),
            (Some(w), None) => format!("done: {w}"),
            (None, Some(n)) => format!("next: {n}"),
            (None, None) => String::new(),
        };
        sessions.push((
            score,
            s.key.clone(),
            Item {
                id: ItemId::Key(s.key.clone()),
                category: "session".into(),
                title,
                body_excerpt: excerpt,
                files: Vec::new(),
                confidence: None,
                last_seen: when,
                work_done,
                next_steps,
                mistakes: None,
                pinned: false,
                from: None,
            },
        ));
    }
    rank(&mut sessions);

    let mut entry_sections: BTreeMap<SectionName, Vec<Item>> = BTreeMap::new();
    for (name, mut items) in per_section {
        rank(&mut items);
        entry_sections.insert(
            name,
            items
                .into_iter()
                .take(limits.per_entry_section)
                .map(|(_, _, i)| i)
                .collect(),
        );
    }

    // Hot files: the task's own files first, then those of the mistakes shown, then (in
    // the automatic briefing, whose files are this repository's) the most mistake-prone
    // overall. A briefing asked for by a person spans every repository: a file that is
    // neither the task's nor a shown mistake's is another project's, not this task's.
    let shown_mistake_files: BTreeSet<&str> = entry_sections
        .get(&SectionName::Mistakes)
        .into_iter()
        .flatten()
        .flat_map(|i| i.files.iter().map(String::as_str))
        .collect();
    let mut hot: Vec<(f64, String, Item)> = found
        .mistake_files
        .iter()
        .filter_map(|f| {
            let tier = if ctx.files.iter().any(|t| path_matches(&f.path, t)) {
                2.0
            } else if shown_mistake_files.contains(f.path.as_str()) {
                1.0
            } else {
                0.0
            };
            if tier == 0.0 && ctx.scope.is_none() {
                return None;
            }
            let score = tier * 1e6 + f.mistakes as f64 + f.last_seen as f64 * 1e-16;
            let noun = if f.mistakes == 1 { "mistake" } else { "mistakes" };
            Some((
                score,
                f.path.clone(),
                Item {
                    id: ItemId::Key(f.path.clone()),
                    category: "hot_file".into(),
                    title: f.path.clone(),
                    body_excerpt: format!("{} {noun}, last {}", f.mistakes, day(f.last_seen)),
                    files: vec![f.path.clone()],
                    confidence: None,
                    last_seen: Some(f.last_seen),
                    work_done: None,
                    next_steps: None,
                    mistakes: Some(f.mistakes),
                    pinned: false,
                    from: None,
                },
            ))
        })
        .collect();
    rank(&mut hot);

    SectionName::ALL
        .iter()
        .map(|&name| Section {
            name,
            items: match name {
                SectionName::Sessions => sessions
                    .iter()
                    .take(limits.sessions)
                    .map(|s| s.2.clone())
                    .collect(),
                SectionName::HotFiles => hot.iter().take(limits.hot_files).map(|h| h.2.clone()).collect(),
                other => entry_sections.remove(&other).unwrap_or_default(),
            },
        })
        .collect()
}

/// The briefing with as many items as fit in `budget` characters of `render`'s output.
/// Items are offered round by round (each section's best, then each one's second, …) so a
/// small budget still covers several sections; an item that does not fit is left out
/// whole, never cut.
pub fn fit(
    ctx: &Context,
    ranked: Vec<Section>,
    budget: Option<usize>,
    render: &dyn Fn(&Briefing) -> String,
) -> Briefing {
    let total: usize = ranked.iter().map(|s| s.items.len()).sum();
    let mut briefing = Briefing {
        schema_version: 1,
        task: one_line(&ctx.task, MAX_TASK_CHARS),
        task_source: ctx.task_source,
        repo: ctx.repo.clone(),
        files: ctx.files.clone(),
        budget_chars: budget,
        omitted: 0,
        empty: ctx.empty,
        sections: ranked
            .iter()
            .map(|s| Section {
                name: s.name,
                items: Vec::new(),
            })
            .collect(),
    };
    let Some(budget) = budget else {
        briefing.sections = ranked;
        return briefing;
    };
    // Measured with the largest possible omission count, so the final (smaller or equal)
    // count can only shorten the output.
    briefing.omitted = total;
    let mut queues: Vec<std::vec::IntoIter<Item>> = ranked.into_iter().map(|s| s.items.into_iter()).collect();
    let mut kept = 0;
    loop {
        let mut offered = false;
        for (index, queue) in queues.iter_mut().enumerate() {
            let Some(item) = queue.next() else { continue };
            offered = true;
            briefing.sections[index].items.push(item);
            if render(&briefing).chars().count() > budget {
                briefing.sections[index].items.pop();
            } else {
                kept += 1;
            }
        }
        if !offered {
            break;
        }
    }
    briefing.omitted = total - kept;
    briefing
}

/// `2026-11-27` from milliseconds: a briefing does not need the time of day.
pub(crate) fn day(ms: i64) -> String {
    format_ms(ms).chars().take(10).collect()
}

/// Whitespace collapsed to single spaces, cut to `max` characters at a word boundary when
/// one is near, marked with `...`. ASCII marker so character and byte budgets agree.
pub fn one_line(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let keep = max.saturating_sub(3);
    let cut: String = collapsed.chars().take(keep).collect();
    let at_word = match cut.rsplit_once(' ') {
        Some((before, _)) if before.len() * 4 >= cut.len() * 3 => before,
        _ => cut.as_str(),
    };
    format!("{}...", at_word.trim_end())
}

#[cfg(test)]
mod tests {
    use super::render::markdown_item;
    use super::*;

    fn entry(id: i64, category: &str, title: &str, confidence: f64) -> BriefEntry {
        BriefEntry {
            id,
            category: category.into(),
            title: title.into(),
            body: format!("body of {title}"),
            repo: None,
            confidence,
            occurrences: 1,
            last_seen: 1_700_000_000_000,
            files: Vec::new(),
            pinned: false,
            from: None,
        }
    }

    fn ctx() -> Context {
        Context {
            task: "fix auth".into(),
            task_source: TaskSource::Args,
            repo: None,
            files: Vec::new(),
            empty: false,
            min_confidence: None,
            scope: None,
        }
    }

    #[test]
    fn budgets_parse_as_chars_or_tokens() {
        assert_eq!(parse_budget("2000"), Ok(2000));
        assert_eq!(parse_budget("300t"), Ok(1200));
        assert!(parse_budget("0").is_err());
        assert!(parse_budget("lots").is_err());
    }

    #[test]
    fn repo_keys_ignore_url_shape() {
        assert_eq!(
            repo_key("git@github.com:Owner/Name.git").as_deref(),
            Some("owner/name")
        );
        assert_eq!(
            repo_key("https://github.com/owner/name/").as_deref(),
            Some("owner/name")
        );
        assert_eq!(repo_key("owner/name").as_deref(), Some("owner/name"));
        assert_eq!(repo_key("name"), None);
    }

    #[test]
    fn task_terms_drop_noise_and_repeats() {
        assert_eq!(
            task_terms("Fix the auth timeout, fix AUTH in src/auth.rs 42", 10),
            vec!["fix", "auth", "timeout", "src", "auth.rs"]
        );
        assert_eq!(
            task_terms("修复 重复 번호 입력 x", 10),
            vec!["修复", "重复", "번호", "입력"]
        );
    }

    #[test]
    fn git_task_uses_branch_words_files_and_subjects() {
        let t = task_from_git(
            Some("feat/auth-timeout_fix"),
            &["src/auth.rs".into()],
            &["Raise limit".into()],
        );
        assert_eq!(t, "feat auth timeout fix; src/auth.rs; Raise limit");
    }

    #[test]
    fn text_and_file_matches_add_up_and_unmatched_mistakes_are_left_out() {
        let found = Found {
            entries: vec![
                entry(1, "mistake", "text only", 0.5),
                entry(2, "mistake", "file match", 0.5),
                entry(3, "mistake", "unrelated", 0.9),
                entry(4, "pattern", "standing convention", 0.7),
            ],
            entry_fts: vec![(1, -2.0)],
            entry_files: BTreeMap::from([(2, FileMatch::Path), (1, FileMatch::Name)]),
            ..Found::default()
        };
        let sections = assemble(&ctx(), &found, Limits::BRIEF);
        let ids = |n: usize| sections[n].items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(0), vec![ItemId::Entry(1), ItemId::Entry(2)]);
        assert_eq!(ids(1), vec![ItemId::Entry(4)]);
        assert!(sections[2].items.is_empty());
    }

    #[test]
    fn pinned_entries_stand_first_without_matching_the_task_unless_foreign() {
        let pinned = |id, category, title, repo: Option<&str>| BriefEntry {
            pinned: true,
            repo: repo.map(str::to_string),
            ..entry(id, category, title, 0.1)
        };
        let found = Found {
            entries: vec![
                entry(1, "mistake", "matches the task", 0.9),
                pinned(2, "mistake", "pinned, unrelated", None),
                pinned(
                    3,
                    "tool",
                    "use just, not make",
                    Some("git@github.com:Acme/Shop.git"),
                ),
                pinned(4, "pattern", "pinned in another repository", Some("acme/other")),
                entry(5, "tool", "an unpinned tool never stands", 0.9),
            ],
            entry_fts: vec![(1, -2.0), (5, -2.0)],
            ..Found::default()
        };
        let ctx = Context {
            scope: None,
            repo: Some("acme/shop".into()),
            ..ctx()
        };
        let sections = assemble(&ctx, &found, Limits::BRIEF);
        let ids = |n: usize| sections[n].items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(0), vec![ItemId::Entry(2), ItemId::Entry(1)], "pinned first");
        assert_eq!(
            ids(1),
            vec![ItemId::Entry(3)],
            "a pinned tool stands among conventions"
        );
        assert!(sections[0].items[0].pinned && !sections[0].items[1].pinned);
        assert_eq!(sections[1].items[0].category, "tool");
    }

    #[test]
    fn budget_is_never_exceeded_and_items_stay_whole() {
        let found = Found {
            entries: (1..=8)
                .map(|i| entry(i, "mistake", &format!("mistake number {i}"), 0.5))
                .collect(),
            entry_fts: (1..=8).map(|i| (i, -1.0)).collect(),
            ..Found::default()
        };
        let sections = assemble(&ctx(), &found, Limits::BRIEF);
        for budget in [10, 120, 200, 400] {
            let b = fit(&ctx(), sections.clone(), Some(budget), &render_markdown);
            let text = render_markdown(&b);
            // Below the size of the bare frame nothing can be left out any more.
            let frame = render_markdown(&fit(&ctx(), sections.clone(), Some(1), &render_markdown));
            assert!(
                text.chars().count() <= budget.max(frame.chars().count()),
                "{budget}: {text}"
            );
            assert_eq!(b.omitted + b.sections[0].items.len(), 5);
            for item in &b.sections[0].items {
                assert!(text.contains(&markdown_item(SectionName::Mistakes, item)));
            }
        }
        let full = fit(&ctx(), sections, None, &render_markdown);
        assert_eq!(full.sections[0].items.len(), 5);
        assert_eq!(full.omitted, 0);
    }

    #[test]
    fn xml_escapes_markup_and_quotes() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos; "
        );
    }

    #[test]
    fn one_line_cuts_at_words() {
        assert_eq!(one_line("a  b\n c", 10), "a b c");
        assert_eq!(one_line("é— ü—é ñ", 6), "é—...");
        assert_eq!(one_line("alpha beta gamma delta", 15), "alpha beta...");
    }
}
