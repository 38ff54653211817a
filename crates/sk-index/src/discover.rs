//! Finding source files: every connector over its default folders, or over one folder the
//! user named, with the file facts needed to decide what changed.

use std::path::PathBuf;

use sk_core::{Agent, Paths, SourceFile};
use sk_ingest::plan::Stat;

/// A source file and its current size and mtime.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub source: SourceFile,
    pub stat: Stat,
}

/// Every source of the given agents, under their default roots or under `path`.
/// Files that vanish or cannot be stat'ed between discovery and stat are left out.
/// Each agent's folders are walked on their own thread: on a no-change run the walk and
/// its `stat` calls are nearly all the work.
pub fn discover(paths: &Paths, agents: &[Agent], path: Option<&PathBuf>) -> Vec<Discovered> {
    let mut found: Vec<Discovered> = std::thread::scope(|scope| {
        let walkers: Vec<_> = agents
            .iter()
            .map(|&agent| scope.spawn(move || discover_agent(paths, agent, path)))
            .collect();
        walkers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    // Byte order, not `Path` order: comparing components is most of a no-change run's CPU,
    // and byte order keeps each folder's files adjacent just the same (batches rely on it).
    found.sort_by(|a, b| a.source.path.as_os_str().cmp(b.source.path.as_os_str()));
    found.dedup_by(|a, b| a.source.path.as_os_str() == b.source.path.as_os_str());
    found
}

fn discover_agent(paths: &Paths, agent: Agent, path: Option<&PathBuf>) -> Vec<Discovered> {
    let mut found = Vec::new();
    let conn = sk_ingest::connector(agent);
    let roots = match path {
        Some(p) => vec![p.clone()],
        None => conn.default_roots(paths),
    };
    for root in roots.iter().filter(|r| r.is_dir()) {
        conn.discover(root, &mut |source| {
            // The database lives inside Copilot's session-state folder: never ingest it.
            if source.path.as_os_str() == paths.db.as_os_str() {
                return;
            }
            if let Some(stat) = stat(&source.path) {
                found.push(Discovered { source, stat });
            }
        });
    }
    found
}

/// A folder an index run looked in, for a run that found nothing to say where it looked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LookedIn {
    pub agent: Agent,
    pub path: PathBuf,
    pub exists: bool,
    /// The variable that moves it (none for a `--path` folder).
    pub variable: Option<&'static str>,
}

/// The folders [`discover`] walks for these agents.
pub fn looked_in(paths: &Paths, agents: &[Agent], path: Option<&PathBuf>) -> Vec<LookedIn> {
    let mut out = Vec::new();
    for &agent in agents {
        let roots = match path {
            Some(p) => vec![p.clone()],
            None => sk_ingest::connector(agent).default_roots(paths),
        };
        for root in roots {
            out.push(LookedIn {
                agent,
                exists: root.is_dir(),
                path: root,
                variable: path.is_none().then(|| agent.home_var().name),
            });
        }
    }
    out
}

fn stat(path: &std::path::Path) -> Option<Stat> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    Some(Stat {
        size: meta.len(),
        mtime_ns,
    })
}
