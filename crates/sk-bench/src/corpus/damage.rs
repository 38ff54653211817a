//! Damaged files, as real session logs come: the cases of formats.md §4.
//!
//! Every session file is written through a `LineSink`, which counts bytes (so sessions hit
//! their target size) and, for the few files picked for damage, corrupts them the way
//! crashes, editors and concurrent writers do: trailing NUL bytes, a truncated line glued
//! to the next, a last line without a newline, invalid UTF-8 inside a string, CRLF line
//! endings, a UTF-8 BOM.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use rand::Rng;
use rand::rngs::SmallRng;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DamageKind {
    TrailingNul,
    GluedLine,
    NoFinalNewline,
    InvalidUtf8,
    Crlf,
    Bom,
}

impl DamageKind {
    pub const ALL: [DamageKind; 6] = [
        DamageKind::TrailingNul,
        DamageKind::GluedLine,
        DamageKind::NoFinalNewline,
        DamageKind::InvalidUtf8,
        DamageKind::Crlf,
        DamageKind::Bom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DamageKind::TrailingNul => "trailing-nul",
            DamageKind::GluedLine => "glued-line",
            DamageKind::NoFinalNewline => "no-final-newline",
            DamageKind::InvalidUtf8 => "invalid-utf8",
            DamageKind::Crlf => "crlf",
            DamageKind::Bom => "bom",
        }
    }
}

/// Picks the files to damage. Error diffusion instead of a coin flip per file keeps the
/// realised rate within one file of the requested rate even for small corpora, and
/// cycling through the kinds gives every kind a chance as soon as a few files are damaged.
pub struct DamagePlanner {
    rate: f64,
    acc: f64,
    next_kind: usize,
}

impl DamagePlanner {
    pub fn new(rng: &mut SmallRng, rate: f64) -> DamagePlanner {
        DamagePlanner {
            rate: rate.clamp(0.0, 1.0),
            acc: rng.random::<f64>(),
            next_kind: rng.random_range(0..DamageKind::ALL.len()),
        }
    }

    /// The damage for the next session file, if any.
    pub fn next_damage(&mut self) -> Option<DamageKind> {
        self.acc += self.rate;
        if self.acc >= 1.0 {
            self.acc -= 1.0;
            let kind = DamageKind::ALL[self.next_kind % DamageKind::ALL.len()];
            self.next_kind += 1;
            Some(kind)
        } else {
            None
        }
    }
}

/// Fields whose string value may carry the invalid UTF-8 bytes.
const TEXT_MARKERS: [&[u8]; 4] = [
    b"\"content\":\"",
    b"\"text\":\"",
    b"\"message\":\"",
    b"\"prompt\":\"",
];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Moves `cut` back to an ASCII byte so a truncation never splits a UTF-8 sequence (that
/// would be a second kind of damage in the same file).
fn ascii_boundary(line: &[u8], mut cut: usize) -> usize {
    while cut > 1 && !line[cut].is_ascii() {
        cut -= 1;
    }
    cut
}

/// Writes the lines of one session file, counting bytes and applying its damage.
pub struct LineSink {
    out: BufWriter<File>,
    bytes: u64,
    lines: u64,
    damage: Option<DamageKind>,
    /// Byte offset after which a mid-file damage (glued line, invalid UTF-8) is applied.
    trigger_at: u64,
    applied: bool,
    held: Vec<u8>,
    cut_fraction: f64,
    nul_count: usize,
}

impl LineSink {
    /// `target` is the intended file size, used to place mid-file damage inside the file.
    pub fn create(
        path: &Path,
        damage: Option<DamageKind>,
        target: u64,
        rng: &mut SmallRng,
    ) -> io::Result<LineSink> {
        let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
        let mut bytes = 0;
        let mut applied = false;
        if damage == Some(DamageKind::Bom) {
            out.write_all(b"\xEF\xBB\xBF")?;
            bytes = 3;
            applied = true;
        }
        Ok(LineSink {
            out,
            bytes,
            lines: 0,
            damage,
            trigger_at: (target as f64 * rng.random_range(0.2..0.7)) as u64,
            applied,
            held: Vec::new(),
            cut_fraction: rng.random_range(0.2..0.8),
            nul_count: rng.random_range(16..4096),
        })
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes + self.held.len() as u64
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.out.write_all(b)?;
        self.bytes += b.len() as u64;
        Ok(())
    }

    /// Writes one JSON line (without its newline).
    pub fn line(&mut self, line: &[u8]) -> io::Result<()> {
        self.lines += 1;
        let mid_file = !self.applied && self.lines > 2 && self.bytes >= self.trigger_at;
        match self.damage {
            Some(DamageKind::Crlf) => {
                self.applied = true;
                self.put(line)?;
                self.put(b"\r\n")
            }
            Some(DamageKind::GluedLine) if mid_file && line.len() > 8 => {
                self.applied = true;
                let cut = ascii_boundary(line, (line.len() as f64 * self.cut_fraction) as usize);
                self.put(&line[..cut])
            }
            Some(DamageKind::InvalidUtf8) if mid_file => {
                let at = TEXT_MARKERS
                    .iter()
                    .find_map(|m| find(line, m).map(|p| p + m.len()));
                match at {
                    Some(p) => {
                        self.applied = true;
                        self.put(&line[..p])?;
                        self.put(b"\xFF\xFE\xC3(")?;
                        self.put(&line[p..])?;
                    }
                    None => self.put(line)?,
                }
                self.put(b"\n")
            }
            Some(DamageKind::NoFinalNewline) => {
                if !self.held.is_empty() {
                    let held = std::mem::take(&mut self.held);
                    self.put(&held)?;
                    self.put(b"\n")?;
                }
                self.held.extend_from_slice(line);
                Ok(())
            }
            _ => {
                self.put(line)?;
                self.put(b"\n")
            }
        }
    }

    /// Flushes the file; returns its size and the damage that was actually applied.
    pub fn finish(mut self) -> io::Result<(u64, Option<DamageKind>)> {
        match self.damage {
            Some(DamageKind::NoFinalNewline) if !self.held.is_empty() => {
                let held = std::mem::take(&mut self.held);
                // Half the time the writer was interrupted mid-line, half the time just
                // before the newline.
                let len = if self.cut_fraction < 0.5 {
                    ascii_boundary(&held, (held.len() as f64 * self.cut_fraction * 2.0) as usize).max(1)
                } else {
                    held.len()
                };
                self.put(&held[..len])?;
                self.applied = true;
            }
            Some(DamageKind::TrailingNul) => {
                let zeros = vec![0u8; self.nul_count];
                self.put(&zeros)?;
                self.applied = true;
            }
            _ => {}
        }
        self.out.flush()?;
        let applied = if self.applied { self.damage } else { None };
        Ok((self.bytes, applied))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn planner_honours_the_rate_within_one_file() {
        let mut rng = SmallRng::seed_from_u64(7);
        let mut p = DamagePlanner::new(&mut rng, 0.05);
        let hits = (0..1000).filter(|_| p.next_damage().is_some()).count();
        assert!((49..=51).contains(&hits), "{hits}");
    }

    #[test]
    fn each_kind_damages_as_named() {
        let dir = tempfile::tempdir().expect("test");
        let line = br#"{"type":"user.message","data":{"content":"hello world, this is text"}}"#;
        for kind in DamageKind::ALL {
            let mut rng = SmallRng::seed_from_u64(3);
            let path = dir.path().join(kind.name());
            let mut sink = LineSink::create(&path, Some(kind), 200, &mut rng).expect("test");
            for _ in 0..8 {
                sink.line(line).expect("test");
            }
            let (size, applied) = sink.finish().expect("test");
            assert_eq!(applied, Some(kind));
            let bytes = std::fs::read(&path).expect("test");
            assert_eq!(bytes.len() as u64, size);
            let ok = std::str::from_utf8(&bytes).is_ok();
            match kind {
                DamageKind::TrailingNul => assert_eq!(bytes.last(), Some(&0)),
                DamageKind::GluedLine => assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 7),
                DamageKind::NoFinalNewline => assert_ne!(bytes.last(), Some(&b'\n')),
                DamageKind::InvalidUtf8 => assert!(!ok),
                DamageKind::Crlf => assert!(bytes.ends_with(b"}\r\n")),
                DamageKind::Bom => assert!(bytes.starts_with(b"\xEF\xBB\xBF{")),
            }
        }
    }
}
