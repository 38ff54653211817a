//! The streaming JSON-lines reader every connector uses. It reads from a byte offset with
//! a bounded buffer, hands each candidate JSON document to the connector's decoder, and owns
//! all damage recovery (formats.md §4) so connectors only ever see candidate documents:
//!
//! - lines end at `\n` only (a raw U+2028/U+2029 inside a string is not a break); a trailing
//!   `\r` and surrounding blanks are trimmed; a UTF-8 BOM is dropped at offset 0 only;
//! - NUL bytes never reach the decoder: each run of them is reported as damage and the text
//!   on either side of it is decoded separately (a crash leaves NUL padding, and the agent
//!   may resume writing after it);
//! - a truncated event glued to complete events on one physical line: the complete events
//!   at the end of the line are cut off and decoded at their own offsets, the rest is damage;
//! - a pretty-printed object spanning lines is collected until its braces balance (bounded),
//!   and when that fails every line after its first is read again on its own;
//! - invalid UTF-8 gets one more try with the invalid bytes replaced by U+FFFD;
//! - a line longer than the limit is streamed past as damage without being held in memory;
//! - the last line is consumed only once its `\n` is on disk (it may still be being written),
//!   and every decision depends only on complete lines, so reading a growing file in pieces
//!   sees exactly what one read of the final file sees.

mod lines;
mod scan;

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

use memchr::memchr;
use sk_core::SinkError;

use crate::IngestError;
use lines::{LineSource, NextLine};
use scan::{Nesting, glued_documents, trim_blank};

/// What the connector's decoder made of one candidate document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Decoded (and possibly pushed records); move on.
    Parsed,
    /// Not valid JSON for this format; the reader may try to recover a document from it.
    /// The decoder must not have pushed anything for it: the reader may offer the same
    /// bytes again (repaired) or a part of them.
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

/// Bounds that keep one damaged file from costing unbounded memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// A longer line (without its `\n`) is skipped as damage; real events reach a few MB.
    pub max_line_bytes: usize,
    /// A pretty-printed object is given up (and its lines read one by one) beyond this size…
    pub max_multiline_bytes: usize,
    /// …or this many lines.
    pub max_multiline_lines: u64,
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_line_bytes: 64 * 1024 * 1024,
            max_multiline_bytes: 16 * 1024 * 1024,
            max_multiline_lines: 100_000,
        }
    }
}

/// The damage reasons the reader reports, so callers and tests can tell them apart.
pub mod reason {
    /// A line (or the text between NUL runs) that holds no decodable document.
    pub const MALFORMED: &str = "malformed JSON line";
    /// The truncated start of a line whose complete document(s) after it were recovered.
    pub const TRUNCATED_BEFORE_GLUED: &str = "truncated JSON before a glued document";
    /// A run of NUL bytes (crash padding).
    pub const NUL_BYTES: &str = "NUL bytes";
    /// A line longer than [`super::ReadLimits::max_line_bytes`].
    pub const LINE_TOO_LONG: &str = "line longer than the reader limit";
    /// The connector's decoder panicked on the document (a bug in sk, not in the file);
    /// the reported reason goes on with the panic's message and location.
    pub const PARSER_PANIC: &str = "internal error while decoding this event (please report)";
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `path` from byte `from` to the last complete line. `decode(offset, bytes)` gets
/// each candidate JSON document (`offset` = where it starts in the file); `damage(offset,
/// len, reason)` gets every span that could not be decoded. A final line without `\n` is
/// left unconsumed for the next run.
#[allow(clippy::type_complexity)] // the connectors' contract, spelled out on purpose
pub fn read_jsonl(
    path: &Path,
    from: u64,
    decode: &mut dyn FnMut(u64, &[u8]) -> Result<Verdict, SinkError>,
    damage: &mut dyn FnMut(u64, u64, &str) -> Result<(), SinkError>,
) -> Result<ReadStats, IngestError> {
    read_jsonl_with(path, from, &ReadLimits::default(), decode, damage)
}

/// [`read_jsonl`] with explicit limits (tests use small ones).
#[allow(clippy::type_complexity)]
pub fn read_jsonl_with(
    path: &Path,
    from: u64,
    limits: &ReadLimits,
    decode: &mut dyn FnMut(u64, &[u8]) -> Result<Verdict, SinkError>,
    damage: &mut dyn FnMut(u64, u64, &str) -> Result<(), SinkError>,
) -> Result<ReadStats, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let left = file.metadata().map_err(io)?.len().saturating_sub(from);
    let mut source = LineSource::open(file, from, left, limits.max_line_bytes).map_err(io)?;
    let mut reader = Reader {
        decode,
        damage,
        limits,
        stats: ReadStats {
            consumed: from,
            ..ReadStats::default()
        },
        multiline: Vec::new(),
    };
    reader.run(&mut source).map_err(|e| match e {
        Failure::Io(source) => io(source),
        Failure::Sink(source) => IngestError::Sink {
            path: path.to_path_buf(),
            source,
        },
    })?;
    Ok(reader.stats)
}

enum Failure {
    Io(std::io::Error),
    Sink(SinkError),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl From<SinkError> for Failure {
    fn from(e: SinkError) -> Failure {
        Failure::Sink(e)
    }
}

/// What became of one piece of a line.
enum Piece {
    Blank,
    Decoded,
    /// Nothing in it decoded; the caller reports it.
    Unusable,
    /// The first line of an object continued on later lines.
    Opens(Nesting),
}

#[allow(clippy::type_complexity)]
struct Reader<'a> {
    decode: &'a mut dyn FnMut(u64, &[u8]) -> Result<Verdict, SinkError>,
    damage: &'a mut dyn FnMut(u64, u64, &str) -> Result<(), SinkError>,
    limits: &'a ReadLimits,
    stats: ReadStats,
    /// Reused buffer for pretty-printed objects.
    multiline: Vec<u8>,
}

impl Reader<'_> {
    fn run(&mut self, source: &mut LineSource) -> Result<(), Failure> {
        loop {
            match source.next_line(self.limits.max_line_bytes)? {
                NextLine::End => return Ok(()),
                NextLine::TooLong { offset, len } => {
                    self.report(offset, len, reason::LINE_TOO_LONG)?;
                    self.consume(offset + len);
                }
                NextLine::Line { offset, range, len } => {
                    let line = source.bytes(range);
                    let (bom, body) = strip_bom(offset, line);
                    let Some(nesting) = self.body(offset, len, bom, body, true)? else {
                        self.consume(offset + len);
                        continue;
                    };
                    self.multiline.clear();
                    self.multiline.extend_from_slice(body);
                    self.multiline.push(b'\n');
                    let first = FirstLine { offset, len, bom };
                    if !self.collect_multiline(source, first, nesting)? {
                        // Still open at the end of the file: maybe still being written.
                        return Ok(());
                    }
                }
            }
        }
    }

    fn consume(&mut self, to: u64) {
        self.stats.consumed = to;
        self.stats.lines += 1;
    }

    fn report(&mut self, offset: u64, len: u64, why: &str) -> Result<(), SinkError> {
        if len == 0 {
            return Ok(());
        }
        self.stats.damaged_spans += 1;
        self.stats.skipped_bytes += len;
        (self.damage)(offset, len, why)
    }

    /// Decodes what one physical line holds: `body` is the line without its `\n` and
    /// without the `bom` bytes in front; `len` counts both. Returns the nesting when the
    /// line opens a multi-line object and `may_open` allows collecting one; the caller
    /// then owns the line.
    fn body(
        &mut self,
        offset: u64,
        len: u64,
        bom: u64,
        body: &[u8],
        may_open: bool,
    ) -> Result<Option<Nesting>, SinkError> {
        let body_offset = offset + bom;
        if memchr(0, body).is_none() {
            return match self.piece(body_offset, body, may_open)? {
                Piece::Opens(nesting) => Ok(Some(nesting)),
                Piece::Unusable => self.report(offset, len, reason::MALFORMED).map(|()| None),
                Piece::Blank | Piece::Decoded => Ok(None),
            };
        }
        let mut at = 0;
        while at < body.len() {
            let run_end = match body[at] {
                0 => {
                    let end = body[at..]
                        .iter()
                        .position(|&b| b != 0)
                        .map_or(body.len(), |n| at + n);
                    self.report(body_offset + at as u64, (end - at) as u64, reason::NUL_BYTES)?;
                    end
                }
                _ => {
                    let end = memchr(0, &body[at..]).map_or(body.len(), |n| at + n);
                    if let Piece::Unusable = self.piece(body_offset + at as u64, &body[at..end], false)? {
                        self.report(body_offset + at as u64, (end - at) as u64, reason::MALFORMED)?;
                    }
                    end
                }
            };
            at = run_end;
        }
        Ok(None)
    }

    /// Decodes a NUL-free piece of a line, recovering what it can; damage inside a piece that
    /// yielded a document is reported here, a wholly unusable piece is left to the caller.
    fn piece(&mut self, offset: u64, piece: &[u8], may_open: bool) -> Result<Piece, SinkError> {
        let (lead, doc) = trim_blank(piece);
        if doc.is_empty() {
            return Ok(Piece::Blank);
        }
        let doc_offset = offset + lead as u64;
        if self.try_decode(doc_offset, doc)? {
            return Ok(Piece::Decoded);
        }
        let recovered = self.recover_glued(doc_offset, doc)?;
        // Pretty-printed documents start in the first column. Checked last: a truncated event
        // glued to a complete one also leaves braces open, and is far more common.
        if let (Piece::Unusable, true, 0, b'{') = (&recovered, may_open, lead, doc[0])
            && let Some(nesting) = Nesting::open_after(doc)
        {
            return Ok(Piece::Opens(nesting));
        }
        Ok(recovered)
    }

    /// A line that is not one document may be documents glued together, after a truncated
    /// one or after a lost newline; decodes those and reports the rest.
    fn recover_glued(&mut self, offset: u64, doc: &[u8]) -> Result<Piece, SinkError> {
        let spans = glued_documents(doc);
        if spans
            .first()
            .is_none_or(|first| first.start == 0 && first.end == doc.len())
        {
            // Nothing, or the whole line again, which already failed.
            return Ok(Piece::Unusable);
        }
        let mut decoded_up_to = None;
        for span in spans {
            if self.try_decode(offset + span.start as u64, &doc[span.clone()])? {
                let gap_start = decoded_up_to.unwrap_or(0);
                let why = if decoded_up_to.is_none() {
                    reason::TRUNCATED_BEFORE_GLUED
                } else {
                    reason::MALFORMED
                };
                self.report(offset + gap_start as u64, (span.start - gap_start) as u64, why)?;
                decoded_up_to = Some(span.end);
            }
        }
        let Some(decoded_end) = decoded_up_to else {
            return Ok(Piece::Unusable);
        };
        self.report(
            offset + decoded_end as u64,
            (doc.len() - decoded_end) as u64,
            reason::MALFORMED,
        )?;
        Ok(Piece::Decoded)
    }

    /// Offers `doc` to the decoder, and once more with invalid UTF-8 replaced.
    fn try_decode(&mut self, offset: u64, doc: &[u8]) -> Result<bool, SinkError> {
        if self.decode_contained(offset, doc)? == Verdict::Parsed {
            return Ok(true);
        }
        if std::str::from_utf8(doc).is_ok() {
            return Ok(false);
        }
        let repaired: Cow<'_, str> = String::from_utf8_lossy(doc);
        Ok(self.decode_contained(offset, repaired.as_bytes())? == Verdict::Parsed)
    }

    /// One call of the connector's decoder, with a panic in it contained to this document:
    /// the document is reported as damage naming the panic, and the file reads on. Records
    /// the decoder pushed for it before panicking stay (they were complete records).
    fn decode_contained(&mut self, offset: u64, doc: &[u8]) -> Result<Verdict, SinkError> {
        match sk_core::panic::catch(|| (self.decode)(offset, doc)) {
            Ok(verdict) => verdict,
            Err(panic) => {
                let why = format!("{}: {panic}", reason::PARSER_PANIC);
                self.report(offset, doc.len() as u64, &why)?;
                Ok(Verdict::Parsed)
            }
        }
    }

    /// Reads the lines after the first line of a pretty-printed object (its body already in
    /// `self.multiline`) until its braces balance, and decodes the whole. When it never
    /// balances within the limits or does not decode, the first line is handled on its own
    /// and reading resumes with the second. Returns false when the file ended first:
    /// nothing from the first line on is consumed.
    fn collect_multiline(
        &mut self,
        source: &mut LineSource,
        first: FirstLine,
        mut nesting: Nesting,
    ) -> Result<bool, Failure> {
        let start = first.offset + first.bom;
        let second_line = first.offset + first.len;
        let mut lines = 1u64;
        let decoded_through = loop {
            let (offset, range, len) = match source.next_line(self.limits.max_line_bytes)? {
                NextLine::End => return Ok(false),
                NextLine::TooLong { .. } => break None,
                NextLine::Line { offset, range, len } => (offset, range, len),
            };
            let line = source.bytes(range);
            lines += 1;
            // A new top-level document, a string running past the line end (never in
            // pretty-printed JSON) or NULs: this was not a multi-line object.
            if line.first() == Some(&b'{')
                || memchr(0, line).is_some()
                || !nesting.feed(line)
                || nesting.in_string
            {
                break None;
            }
            self.multiline.extend_from_slice(line);
            self.multiline.push(b'\n');
            if self.multiline.len() > self.limits.max_multiline_bytes
                || lines > self.limits.max_multiline_lines
            {
                break None;
            }
            if nesting.depth == 0 {
                let whole = std::mem::take(&mut self.multiline);
                let decoded = self.try_decode(start, &whole);
                self.multiline = whole;
                break decoded?.then_some(offset + len);
            }
        };
        if let Some(end) = decoded_through {
            self.stats.consumed = end;
            self.stats.lines += lines;
            return Ok(true);
        }
        let buffered = std::mem::take(&mut self.multiline);
        let body_len = (first.len - first.bom - 1) as usize;
        let outcome = self.body(first.offset, first.len, first.bom, &buffered[..body_len], false);
        self.multiline = buffered;
        outcome?;
        self.consume(second_line);
        source.rewind_to(second_line)?;
        Ok(true)
    }
}

/// Where the first line of a multi-line candidate sits in the file.
#[derive(Debug, Clone, Copy)]
struct FirstLine {
    offset: u64,
    /// With the `\n`.
    len: u64,
    bom: u64,
}

/// The BOM is only a BOM at the very start of the file.
fn strip_bom(offset: u64, line: &[u8]) -> (u64, &[u8]) {
    match line.strip_prefix(BOM) {
        Some(rest) if offset == 0 => (BOM.len() as u64, rest),
        _ => (0, line),
    }
}
