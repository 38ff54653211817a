//! The directories a benchmark run works in: a scratch folder under the system temp dir
//! that disappears afterwards (unless kept), and a corpus that is reused when it already
//! holds logs, because generating a gigabyte takes longer than ingesting it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};

use crate::corpus::{self, Agent, Options};

/// A uniquely named folder under the temp dir, removed on drop unless `keep` is set, so an
/// aborted run (sk failing, Ctrl-C aside) does not leave a gigabyte behind.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
    keep: bool,
}

impl ScratchDir {
    pub fn create(prefix: &str, keep: bool) -> Result<ScratchDir> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{nanos:09}", std::process::id()));
        fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(ScratchDir { path, keep })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn keep(&self) -> bool {
        self.keep
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if !self.keep {
            // Best effort: a leftover temp folder is not worth failing the report over.
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// How the corpus for a run came to be.
#[derive(Clone, Debug)]
pub enum CorpusOrigin {
    /// Generated now, taking this long.
    Generated(Duration),
    /// Found with logs already in it.
    Reused,
}

/// Makes sure `dir` holds a corpus: reuses it when any agent folder already has a file in
/// it, else generates `total_bytes` with `seed` into it.
pub fn prepare_corpus(dir: &Path, total_bytes: u64, seed: u64) -> Result<CorpusOrigin> {
    if has_logs(dir) {
        return Ok(CorpusOrigin::Reused);
    }
    let opts = Options {
        total_bytes,
        seed,
        agents: Agent::ALL.to_vec(),
        ..Options::default()
    };
    let summary = corpus::generate(dir, &opts)
        .with_context(|| format!("generating a corpus into {}", dir.display()))?;
    Ok(CorpusOrigin::Generated(summary.elapsed))
}

/// Whether any agent folder under `home` holds at least one file.
pub fn has_logs(home: &Path) -> bool {
    Agent::ALL
        .iter()
        .any(|a| first_file(&home.join(crate::corpus::home_dir(*a))).unwrap_or(false))
}

fn first_file(dir: &Path) -> io::Result<bool> {
    if !dir.is_dir() {
        return Ok(false);
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_file() || (kind.is_dir() && first_file(&entry.path())?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Files under the agent folders of a corpus, counted on disk (independently of sk).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileTally {
    pub files: u64,
    pub bytes: u64,
    /// The size of the biggest file: if memory grows with anything, it is likely this.
    pub largest: u64,
}

pub fn tally(home: &Path) -> Result<FileTally> {
    let mut t = FileTally::default();
    for a in Agent::ALL {
        let dir = home.join(crate::corpus::home_dir(a));
        if dir.is_dir() {
            tally_into(&dir, &mut t).with_context(|| format!("listing {}", dir.display()))?;
        }
    }
    Ok(t)
}

fn tally_into(dir: &Path, t: &mut FileTally) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            tally_into(&entry.path(), t)?;
        } else if kind.is_file() {
            let len = entry.metadata()?.len();
            t.files += 1;
            t.bytes += len;
            t.largest = t.largest.max(len);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_is_removed_on_drop_unless_kept() {
        let gone = ScratchDir::create("sk-bench-test", false).expect("create");
        let gone_path = gone.path().to_path_buf();
        fs::write(gone_path.join("f"), "x").expect("write");
        drop(gone);
        assert!(!gone_path.exists());

        let kept = ScratchDir::create("sk-bench-test", true).expect("create");
        let kept_path = kept.path().to_path_buf();
        drop(kept);
        assert!(kept_path.is_dir());
        fs::remove_dir_all(&kept_path).expect("cleanup");
    }

    #[test]
    fn logs_are_found_only_inside_agent_folders() {
        let home = tempfile::tempdir().expect("tempdir");
        fs::write(home.path().join("notes.txt"), "not a log").expect("write");
        fs::create_dir_all(home.path().join(".codex/sessions/2026/01")).expect("mkdir");
        assert!(!has_logs(home.path()), "empty folders are not logs");
        fs::write(home.path().join(".codex/sessions/2026/01/a.jsonl"), "{}\n").expect("write");
        assert!(has_logs(home.path()));
    }

    #[test]
    fn tally_counts_files_bytes_and_the_largest() {
        let home = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(home.path().join(".claude/projects/p")).expect("mkdir");
        fs::create_dir_all(home.path().join(".copilot")).expect("mkdir");
        fs::write(home.path().join(".claude/projects/p/a.jsonl"), vec![b'x'; 300]).expect("write");
        fs::write(home.path().join(".copilot/b.json"), vec![b'x'; 50]).expect("write");
        fs::write(home.path().join("outside.jsonl"), vec![b'x'; 9999]).expect("write");
        assert_eq!(
            tally(home.path()).expect("tally"),
            FileTally {
                files: 2,
                bytes: 350,
                largest: 300
            }
        );
    }

    #[test]
    fn an_existing_corpus_is_reused_not_regenerated() {
        let home = tempfile::tempdir().expect("tempdir");
        let first = prepare_corpus(home.path(), 300 << 10, 7).expect("generate");
        assert!(matches!(first, CorpusOrigin::Generated(_)));
        let before = tally(home.path()).expect("tally");
        assert!(before.files > 0);
        let second = prepare_corpus(home.path(), 300 << 10, 7).expect("reuse");
        assert!(matches!(second, CorpusOrigin::Reused));
        assert_eq!(tally(home.path()).expect("tally"), before);
    }
}
