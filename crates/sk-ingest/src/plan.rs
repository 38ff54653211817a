//! Deciding, per file, how much to read: nothing (unchanged), only the new bytes
//! (appended), or everything again (new, rewritten, shrunk, or a whole-file source that
//! changed). Pure: the facts come in, a decision comes out, and the tests check decisions.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};
use sk_core::{SourceKind, SourceState};

/// Bytes at the head of a file whose hash detects a rewrite.
pub const HEAD_BYTES: u64 = 4096;

/// A file as it is on disk now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    pub mtime_ns: i64,
}

/// What to do with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Same size and mtime as last time: not even opened.
    Skip,
    /// Grown (or touched) with the same head: read from this offset.
    Append { from: u64 },
    /// New, rewritten, shrunk, or a whole-file source that changed: read from 0,
    /// replacing what it produced before.
    Reingest,
}

/// Decides what to do. `head_hash(len)` hashes the first `len` bytes of the file as it is
/// now; it is only called when the answer depends on it.
pub fn decide(
    kind: SourceKind,
    now: Stat,
    seen: Option<&SourceState>,
    head_hash: &mut dyn FnMut(u64) -> Option<String>,
) -> Action {
    let Some(seen) = seen else { return Action::Reingest };
    if now.size == seen.size && now.mtime_ns == seen.mtime_ns {
        return Action::Skip;
    }
    if kind == SourceKind::Whole || now.size < seen.consumed {
        return Action::Reingest;
    }
    if seen.head_len > 0 && head_hash(seen.head_len) != seen.head_hash {
        return Action::Reingest;
    }
    Action::Append { from: seen.consumed }
}

/// SHA-256 (hex) of the first `len` bytes of `path`; None when the file is shorter or
/// unreadable, which `decide` treats as "changed".
pub fn hash_head(path: &Path, len: u64) -> Option<String> {
    let mut buf = vec![0u8; usize::try_from(len).ok()?];
    let mut f = File::open(path).ok()?;
    f.read_exact(&mut buf).ok()?;
    Some(hex::encode(Sha256::digest(&buf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(size: u64, consumed: u64) -> SourceState {
        SourceState {
            size,
            mtime_ns: 1,
            consumed,
            head_len: 10,
            head_hash: Some("h".into()),
        }
    }

    fn same_head(_: u64) -> Option<String> {
        Some("h".into())
    }

    #[test]
    fn decisions() {
        let j = SourceKind::Jsonl;
        assert_eq!(
            decide(j, Stat { size: 5, mtime_ns: 1 }, None, &mut same_head),
            Action::Reingest
        );
        assert_eq!(
            decide(
                j,
                Stat {
                    size: 100,
                    mtime_ns: 1
                },
                Some(&seen(100, 90)),
                &mut same_head
            ),
            Action::Skip
        );
        assert_eq!(
            decide(
                j,
                Stat {
                    size: 150,
                    mtime_ns: 2
                },
                Some(&seen(100, 90)),
                &mut same_head
            ),
            Action::Append { from: 90 }
        );
        assert_eq!(
            decide(
                j,
                Stat {
                    size: 50,
                    mtime_ns: 2
                },
                Some(&seen(100, 90)),
                &mut same_head
            ),
            Action::Reingest
        );
        assert_eq!(
            decide(
                j,
                Stat {
                    size: 150,
                    mtime_ns: 2
                },
                Some(&seen(100, 90)),
                &mut |_| Some("other".into())
            ),
            Action::Reingest
        );
        assert_eq!(
            decide(
                SourceKind::Whole,
                Stat {
                    size: 150,
                    mtime_ns: 2
                },
                Some(&seen(100, 100)),
                &mut same_head
            ),
            Action::Reingest
        );
    }

    #[test]
    fn head_hash_needs_the_whole_head() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f");
        std::fs::write(&p, b"hello world").expect("write");
        assert_eq!(hash_head(&p, 5), hash_head(&p, 5));
        assert_ne!(hash_head(&p, 5), hash_head(&p, 6));
        assert_eq!(hash_head(&p, 100), None);
    }
}
