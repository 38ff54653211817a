//! The start-up benchmark behind `sk-bench-startup` (runbook §6.1): warm-up runs, then timed
//! runs of each command, median and p99. A run that exits non-zero is the failure the runbook
//! names ("benchmark startup: warmup #N failed"), because a binary that cannot start is the
//! regression this exists to catch; slow runs only grade MISS, since timings are noisy.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::report::{self, Bound, ResultBlock, Target};

/// product.md §6: `sk --version` start-up median ≤ 2 ms.
pub const VERSION_MEDIAN: Target = Target {
    name: "startup_version_median_ms",
    bound: Bound::AtMost(2.0),
    unit: " ms",
    decimals: 2,
};

/// One command to time: sk's arguments, and optionally a file fed to its stdin.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub args: Vec<String>,
    pub stdin: Option<PathBuf>,
}

impl Case {
    /// `"--version"`, or `"hooks run preToolUse@payload.json"` (stdin from the file).
    pub fn parse(spec: &str) -> Case {
        let (args, stdin) = match spec.rsplit_once('@') {
            Some((a, f)) => (a, Some(PathBuf::from(f))),
            None => (spec, None),
        };
        Case {
            args: args.split_whitespace().map(str::to_string).collect(),
            stdin,
        }
    }

    pub fn label(&self) -> String {
        format!("sk {}", self.args.join(" "))
    }
}

#[derive(Debug, Clone)]
pub struct StartupConfig {
    pub sk: PathBuf,
    pub cases: Vec<Case>,
    pub warmup: usize,
    pub runs: usize,
    /// The HOME the runs see: a scratch folder, never the real one.
    pub home: PathBuf,
}

/// Runs sk once; Err says how it failed.
fn run_once(sk: &Path, case: &Case, home: &Path) -> Result<Duration> {
    let stdin = match &case.stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?),
        None => Stdio::null(),
    };
    let started = Instant::now();
    let status = Command::new(sk)
        .args(&case.args)
        .env_clear()
        .env("HOME", home)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("starting {}", sk.display()))?;
    let took = started.elapsed();
    if !status.success() {
        bail!("exited with {status}");
    }
    Ok(took)
}

/// The p-th percentile by nearest rank; `None` when empty.
pub fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    let mut v = samples.to_vec();
    v.sort();
    if v.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

pub fn run(cfg: &StartupConfig) -> Result<ResultBlock> {
    let mut block = ResultBlock::new("startup");
    block.push("sk", cfg.sk.display());
    block.push("warmup_runs", cfg.warmup);
    block.push("timed_runs", cfg.runs);
    for (ci, case) in cfg.cases.iter().enumerate() {
        for i in 1..=cfg.warmup {
            if let Err(e) = run_once(&cfg.sk, case, &cfg.home) {
                bail!("warmup #{i} failed: `{}` {e:#}", case.label());
            }
        }
        let mut samples = Vec::with_capacity(cfg.runs);
        for i in 1..=cfg.runs {
            match run_once(&cfg.sk, case, &cfg.home) {
                Ok(d) => samples.push(d),
                Err(e) => bail!("run #{i} failed: `{}` {e:#}", case.label()),
            }
        }
        let median = report::median(&samples).map(report::ms).unwrap_or(0.0);
        let p99 = percentile(&samples, 99.0).map(report::ms).unwrap_or(0.0);
        block.push(format!("case_{ci}"), case.label());
        block.push(format!("case_{ci}_median_ms"), format!("{median:.2}"));
        block.push(format!("case_{ci}_p99_ms"), format!("{p99:.2}"));
        if case.args == ["--version"] {
            block.grade(&VERSION_MEDIAN, median);
        }
    }
    Ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_parse_args_and_an_optional_stdin_file() {
        assert_eq!(
            Case::parse("--version"),
            Case {
                args: vec!["--version".into()],
                stdin: None
            }
        );
        let c = Case::parse("hooks run preToolUse@/tmp/allow.json");
        assert_eq!(c.args, ["hooks", "run", "preToolUse"]);
        assert_eq!(c.stdin.as_deref(), Some(Path::new("/tmp/allow.json")));
    }

    #[test]
    fn p99_is_the_nearest_rank() {
        let d = Duration::from_millis;
        let samples: Vec<Duration> = (1..=100).map(d).collect();
        assert_eq!(percentile(&samples, 99.0), Some(d(99)));
        assert_eq!(percentile(&samples, 50.0), Some(d(50)));
        assert_eq!(percentile(&[d(7)], 99.0), Some(d(7)));
        assert_eq!(percentile(&[], 99.0), None);
    }

    #[test]
    fn a_binary_that_fails_is_reported_at_the_first_warmup() {
        let home = tempfile::tempdir().expect("tempdir");
        let cfg = StartupConfig {
            sk: PathBuf::from("/bin/false"),
            cases: vec![Case::parse("--version")],
            warmup: 3,
            runs: 5,
            home: home.path().to_path_buf(),
        };
        let err = run(&cfg).expect_err("false fails");
        assert!(err.to_string().starts_with("warmup #1 failed"), "{err}");
    }
}
