//! The streaming JSON-lines reader every connector uses. It reads from a byte offset with
//! a bounded buffer, hands each complete line to the connector's decoder, and owns all
//! damage recovery so connectors only ever see candidate JSON documents.
//! (First version: plain line splitting; damage recovery is being hardened.)

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::Path;

use sk_core::SinkError;

use crate::IngestError;

/// What the connector's decoder made of one candidate document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Decoded (and possibly pushed records); move on.
    Parsed,
    /// Not valid JSON for this format; the reader may try to recover a document from it.
    Malformed,
}

/// Totals of one read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Offset just past the last complete (`\n`-terminated) line consumed.
    pub consumed: u64,
    pub lines: u64,
    pub damaged_spans: u64,
    pub skipped_bytes: u64,
}

/// Reads `path` from byte `from` to the last complete line. `decode(offset, bytes)` gets
/// each candidate JSON document (`offset` = where it starts in the file); `damage(offset,
/// len, reason)` gets every span that could not be decoded. A final line without `\n` is
/// left unconsumed for the next run.
pub fn read_jsonl(
    path: &Path,
    from: u64,
    decode: &mut dyn FnMut(u64, &[u8]) -> Result<Verdict, SinkError>,
    damage: &mut dyn FnMut(u64, u64, &str) -> Result<(), SinkError>,
) -> Result<ReadStats, IngestError> {
    let io = |source| IngestError::Io { path: path.to_path_buf(), source };
    let sink = |source| IngestError::Sink { path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(from)).map_err(io)?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut stats = ReadStats { consumed: from, ..ReadStats::default() };
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(io)?;
        if n == 0 || buf.last() != Some(&b'\n') {
            break;
        }
        let offset = stats.consumed;
        stats.consumed += n as u64;
        stats.lines += 1;
        let line = trim_line(&buf);
        if line.is_empty() {
            continue;
        }
        if decode(offset, line).map_err(sink)? == Verdict::Malformed {
            stats.damaged_spans += 1;
            stats.skipped_bytes += n as u64;
            damage(offset, n as u64, "malformed JSON line").map_err(sink)?;
        }
    }
    Ok(stats)
}

fn trim_line(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., last] = line {
        if matches!(last, b'\n' | b'\r' | b' ' | b'\t' | 0) {
            line = rest;
        } else {
            break;
        }
    }
    line
}
