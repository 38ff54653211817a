//! The synthetic corpus generator: a fake `$HOME` full of Copilot CLI, Claude Code and
//! Codex CLI session logs, for ingest benchmarks and scale tests.
//!
//! `generate` splits the requested size evenly across the agents and writes each agent's
//! sessions on its own thread with its own seeded RNG, so the output is identical byte for
//! byte for a given seed whatever the scheduling. Session sizes follow a mix of many small,
//! many medium and a few large sessions (see `SizePlanner`).

mod claude;
mod codex;
mod copilot;
pub mod damage;
mod ids;
mod json;
mod prompts;
mod recap;
mod repos;
mod script;
mod text;
mod vocab;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as WallClock};

use anyhow::{Context as _, Result, bail};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub use damage::DamageKind;
use damage::DamagePlanner;
use ids::{Blobs, Instant};
use script::Scale;

pub use sk_core::Agent;

/// The folder under the fake home that holds `agent`'s data.
pub fn home_dir(agent: Agent) -> &'static str {
    match agent {
        Agent::Copilot => ".copilot",
        Agent::Claude => ".claude",
        Agent::Codex => ".codex",
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Approximate total size in bytes, split evenly across `agents`.
    pub total_bytes: u64,
    pub seed: u64,
    pub agents: Vec<Agent>,
    /// Fraction of session files that get one kind of damage.
    pub damage_rate: f64,
}

/// The seed used when none is given, so that plain runs reproduce each other.
pub const DEFAULT_SEED: u64 = 0x5eed_2026_c0de;

impl Default for Options {
    fn default() -> Options {
        Options {
            total_bytes: 1 << 30,
            seed: DEFAULT_SEED,
            agents: Agent::ALL.to_vec(),
            damage_rate: 0.01,
        }
    }
}

/// A session file that was written damaged on purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DamagedFile {
    pub path: PathBuf,
    pub kind: DamageKind,
}

/// What one agent's thread wrote.
#[derive(Clone, Debug, Default)]
pub struct AgentSummary {
    pub sessions: u64,
    /// Session log files (main transcripts plus sub-agent transcripts).
    pub session_files: u64,
    /// All files, including metadata such as `workspace.yaml` and checkpoints.
    pub files: u64,
    pub bytes: u64,
    pub damaged: Vec<DamagedFile>,
}

/// What `generate` wrote.
#[derive(Clone, Debug)]
pub struct Summary {
    pub agents: Vec<(Agent, AgentSummary)>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn files(&self) -> u64 {
        self.agents.iter().map(|(_, s)| s.files).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.agents.iter().map(|(_, s)| s.bytes).sum()
    }

    pub fn damaged(&self) -> impl Iterator<Item = &DamagedFile> {
        self.agents.iter().flat_map(|(_, s)| s.damaged.iter())
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:>9} {:>14} {:>9} {:>14} {:>8}",
            "agent", "sessions", "session files", "files", "bytes", "damaged"
        )?;
        for (agent, s) in &self.agents {
            writeln!(
                f,
                "{:<8} {:>9} {:>14} {:>9} {:>14} {:>8}",
                agent.as_str(),
                s.sessions,
                s.session_files,
                s.files,
                s.bytes,
                s.damaged.len()
            )?;
        }
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "total: {} files, {:.1} MiB in {:.1} s ({:.0} MiB/s)",
            self.files(),
            self.bytes() as f64 / 1048576.0,
            secs,
            self.bytes() as f64 / 1048576.0 / secs.max(1e-9)
        )
    }
}

/// Parses sizes such as `10MB`, `1GB`, `512KiB` or `4096` (bytes). Units are binary
/// (1 MB = 1024 × 1024 bytes).
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .with_context(|| format!("not a size: {s:?} (try 10MB or 1GB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => bail!("unknown size unit {other:?} in {s:?} (use KB, MB or GB)"),
    };
    Ok((n * mult as f64) as u64)
}

/// Per-agent state shared by that agent's session writers.
pub(crate) struct Ctx {
    pub rng: SmallRng,
    pub blobs: Blobs,
    pub home: PathBuf,
    pub damage_rng: SmallRng,
    damage: DamagePlanner,
    next_start: i64,
    mean_gap_ms: i64,
    pub summary: AgentSummary,
    /// Claude: the last message uuid and title of the previous session per project, for
    /// `summary` entries that point into another file.
    pub claude_leaves: Vec<(&'static str, String, String)>,
}

/// One session to write.
pub(crate) struct SessionPlan {
    pub target: u64,
    pub scale: Scale,
    pub start: Instant,
    pub damage: Option<DamageKind>,
}

impl Ctx {
    /// Writes an auxiliary file (metadata, checkpoint) and counts it.
    pub fn write_aux(&mut self, path: &Path, contents: &str) -> io::Result<()> {
        fs::write(path, contents)?;
        self.summary.files += 1;
        self.summary.bytes += contents.len() as u64;
        Ok(())
    }

    /// Counts a finished session transcript and records its damage.
    pub fn record_session_file(&mut self, path: PathBuf, bytes: u64, damage: Option<DamageKind>) {
        self.summary.files += 1;
        self.summary.session_files += 1;
        self.summary.bytes += bytes;
        if let Some(kind) = damage {
            self.summary.damaged.push(DamagedFile { path, kind });
        }
    }
}

/// Chooses session sizes: many small (5–50 KB), many medium (100 KB–2 MB, skewed to the
/// low end), and about one large (10–60 MB) per 170 MB of budget. The mean of the small
/// and medium mix is about 115 KB, which gives more than 5,000 session files per GB.
struct SizePlanner {
    budget: u64,
    large_total: u64,
    large_done: u64,
}

const KB: f64 = 1024.0;
const MB: f64 = 1024.0 * 1024.0;

impl SizePlanner {
    fn new(budget: u64) -> SizePlanner {
        let large_total = if budget as f64 >= 40.0 * MB {
            ((budget as f64 / (170.0 * MB)).round() as u64).max(1)
        } else {
            0
        };
        SizePlanner {
            budget,
            large_total,
            large_done: 0,
        }
    }

    fn next(&mut self, rng: &mut SmallRng, used: u64) -> Option<(u64, Scale)> {
        if used >= self.budget || (used > 0 && self.budget - used < 3000) {
            return None;
        }
        let remaining = self.budget - used;
        let due = self.large_done < self.large_total
            && used as f64 >= self.budget as f64 * (self.large_done as f64 + 0.3) / self.large_total as f64;
        let (target, scale) = if due {
            self.large_done += 1;
            let t = rng.random_range(10.0 * MB..60.0 * MB) as u64;
            (t.min(self.budget / 3), Scale::Large)
        } else if rng.random_bool(0.76) {
            let t = (5.0 * KB) * 10f64.powf(rng.random::<f64>());
            (t as u64, Scale::Small)
        } else {
            let u: f64 = rng.random();
            let t = (100.0 * KB) * 20f64.powf(u * u);
            (t as u64, Scale::Medium)
        };
        Some((target.min(remaining).max(4000), scale))
    }
}

fn agent_seed(seed: u64, agent: Agent) -> u64 {
    let salt = match agent {
        Agent::Copilot => 0x436f_7069_6c6f_7421,
        Agent::Claude => 0x436c_6175_6465_2121,
        Agent::Codex => 0x436f_6465_7821_2121,
    };
    (seed ^ salt).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// 2026-01-05T08:00:00Z, the first session of the corpus.
const EPOCH_MS: i64 = 1_767_600_000_000;
/// Sessions are spread over about 180 days.
const SPAN_MS: i64 = 180 * 86_400_000;

fn run_agent(agent: Agent, budget: u64, opts: &Options, home: &Path) -> Result<AgentSummary> {
    let mut rng = SmallRng::seed_from_u64(agent_seed(opts.seed, agent));
    let blobs = Blobs::new(&mut rng);
    let mut damage_rng = SmallRng::seed_from_u64(agent_seed(opts.seed, agent) ^ 0xda4a_6e00);
    let damage = DamagePlanner::new(&mut damage_rng, opts.damage_rate);
    let expected_sessions = (budget as f64 / (115.0 * KB)).max(1.0);
    let mut ctx = Ctx {
        rng,
        blobs,
        home: home.to_path_buf(),
        damage_rng,
        damage,
        next_start: EPOCH_MS,
        mean_gap_ms: (SPAN_MS as f64 / expected_sessions) as i64,
        summary: AgentSummary::default(),
        claude_leaves: Vec::new(),
    };
    let mut sizes = SizePlanner::new(budget);
    while let Some((target, scale)) = sizes.next(&mut ctx.rng, ctx.summary.bytes) {
        let gap = ctx.rng.random_range(0..=2 * ctx.mean_gap_ms.max(1));
        ctx.next_start += gap;
        let plan = SessionPlan {
            target,
            scale,
            start: Instant(ctx.next_start),
            damage: ctx.damage.next_damage(),
        };
        let written = match agent {
            Agent::Copilot => copilot::write_session(&mut ctx, &plan),
            Agent::Claude => claude::write_session(&mut ctx, &plan),
            Agent::Codex => codex::write_session(&mut ctx, &plan),
        };
        written.with_context(|| format!("writing a {agent} session under {}", home.display()))?;
        ctx.summary.sessions += 1;
    }
    Ok(ctx.summary)
}

/// Writes a corpus under `out`, laid out like a home directory
/// (`out/.copilot/session-state/…`, `out/.claude/projects/…`, `out/.codex/sessions/…`).
///
/// Refuses to write into an existing agent folder, so it can never mix with (or clobber)
/// real logs.
pub fn generate(out: &Path, opts: &Options) -> Result<Summary> {
    let started = WallClock::now();
    if opts.agents.is_empty() {
        bail!("no agents selected");
    }
    let mut agents = Vec::new();
    for a in Agent::ALL {
        if opts.agents.contains(&a) {
            agents.push(a);
        }
    }
    for a in &agents {
        let dir = out.join(home_dir(*a));
        if dir.exists() {
            bail!(
                "{} already exists; generate into an empty --out directory",
                dir.display()
            );
        }
    }
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let budget = opts.total_bytes / agents.len() as u64;
    let results: Vec<(Agent, Result<AgentSummary>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = agents
            .iter()
            .map(|&a| (a, scope.spawn(move || run_agent(a, budget, opts, out))))
            .collect();
        handles
            .into_iter()
            .map(|(a, h)| {
                let r = h
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the {a} generator panicked")));
                (a, r)
            })
            .collect()
    });
    let mut summaries = Vec::new();
    for (a, r) in results {
        summaries.push((a, r?));
    }
    Ok(Summary {
        agents: summaries,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("10MB").expect("test"), 10 << 20);
        assert_eq!(parse_size("1GB").expect("test"), 1 << 30);
        assert_eq!(parse_size("1.5 KiB").expect("test"), 1536);
        assert_eq!(parse_size("4096").expect("test"), 4096);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("3 parsecs").is_err());
    }

    #[test]
    fn planner_mix_gives_thousands_of_sessions_per_gigabyte() {
        let mut rng = SmallRng::seed_from_u64(5);
        let budget = 1u64 << 30;
        let mut p = SizePlanner::new(budget);
        let (mut used, mut n, mut large) = (0u64, 0u64, 0u64);
        while let Some((t, scale)) = p.next(&mut rng, used) {
            used += t;
            n += 1;
            large += u64::from(scale == Scale::Large);
        }
        assert!(n >= 5000, "{n} sessions");
        assert!((3..=10).contains(&large), "{large} large sessions");
    }
}
