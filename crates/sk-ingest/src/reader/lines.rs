//! Physical lines of a file, read from a byte offset through one reusable buffer: lines are
//! handed out as slices of that buffer (no copy per line), and a line longer than the limit
//! is streamed past rather than held, so memory stays bounded whatever the file holds.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use memchr::memchr;

/// How much is read from the file at a time once the file is large.
const CHUNK_BYTES: usize = 1024 * 1024;
/// The smallest buffer, for small files.
const MIN_BUF: usize = 16 * 1024;

/// What comes next in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NextLine {
    /// A `\n`-terminated line: `range` (without the `\n`) indexes [`LineSource::bytes`];
    /// `len` counts the `\n` too.
    Line {
        offset: u64,
        range: Range<usize>,
        len: u64,
    },
    /// A `\n`-terminated line longer than the limit, already skipped; `len` counts the `\n`.
    TooLong { offset: u64, len: u64 },
    /// No complete line left: what remains (possibly a line still being written) starts at
    /// the offset after the last line handed out.
    End,
}

pub(crate) struct LineSource {
    file: File,
    /// Always initialised up to its length (no zeroing per read); data is `buf[start..end]`.
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    base: u64,
    /// Start of the next line in `buf`.
    start: usize,
    /// `buf[start..scanned]` is known to hold no `\n`, so refills never rescan it.
    scanned: usize,
    end: usize,
    /// The buffer never grows past this: a line longer than `max_line` is skipped before.
    max_buf: usize,
    eof: bool,
}

impl LineSource {
    /// `size_hint` (the bytes left in the file) keeps the buffer small for small files.
    pub(crate) fn open(mut file: File, from: u64, size_hint: u64, max_line: usize) -> io::Result<LineSource> {
        file.seek(SeekFrom::Start(from))?;
        let max_buf = max_line.saturating_add(CHUNK_BYTES + 1);
        let initial = usize::try_from(size_hint.saturating_add(1))
            .unwrap_or(CHUNK_BYTES)
            .clamp(MIN_BUF, CHUNK_BYTES);
        Ok(LineSource {
            file,
            buf: vec![0; initial.min(max_buf)],
            base: from,
            start: 0,
            scanned: 0,
            end: 0,
            max_buf,
            eof: false,
        })
    }

    pub(crate) fn bytes(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// Continues from `offset` (a line start already handed out) after discarding the buffer:
    /// lines after a failed multi-line attempt are read again one by one.
    pub(crate) fn rewind_to(&mut self, offset: u64) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(offset))?;
        self.base = offset;
        self.start = 0;
        self.scanned = 0;
        self.end = 0;
        self.eof = false;
        Ok(())
    }

    /// The next line; lines whose content exceeds `max_line` bytes come back as
    /// [`NextLine::TooLong`] whether or not they happened to fit the buffer, so the outcome
    /// depends on the bytes alone.
    pub(crate) fn next_line(&mut self, max_line: usize) -> io::Result<NextLine> {
        loop {
            if let Some(at) = memchr(b'\n', &self.buf[self.scanned..self.end]) {
                let newline = self.scanned + at;
                let offset = self.base + self.start as u64;
                let range = self.start..newline;
                let len = (newline + 1 - self.start) as u64;
                self.start = newline + 1;
                self.scanned = self.start;
                if range.len() > max_line {
                    return Ok(NextLine::TooLong { offset, len });
                }
                return Ok(NextLine::Line { offset, range, len });
            }
            self.scanned = self.end;
            if self.end - self.start > max_line {
                return self.skip_long_line();
            }
            if self.eof || self.fill()? == 0 {
                self.eof = true;
                return Ok(NextLine::End);
            }
        }
    }

    /// Streams past the rest of an over-long line, keeping one chunk in memory.
    fn skip_long_line(&mut self) -> io::Result<NextLine> {
        let offset = self.base + self.start as u64;
        self.buf.truncate(CHUNK_BYTES);
        self.buf.shrink_to_fit();
        loop {
            self.base += self.end as u64;
            self.start = 0;
            self.scanned = 0;
            self.end = 0;
            if self.eof || self.fill()? == 0 {
                self.eof = true;
                return Ok(NextLine::End);
            }
            if let Some(at) = memchr(b'\n', &self.buf[..self.end]) {
                self.start = at + 1;
                self.scanned = self.start;
                let len = self.base + self.start as u64 - offset;
                return Ok(NextLine::TooLong { offset, len });
            }
        }
    }

    /// Moves the unfinished line to the front of the buffer (growing it when the line fills
    /// it) and reads more after it; returns the bytes read (0 at the end of the file).
    fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        let free = self.buf.len() - self.end;
        if free < self.buf.len() / 4 || free < MIN_BUF / 4 {
            let grown = self.buf.len().saturating_mul(2).max(MIN_BUF).min(self.max_buf);
            self.buf.resize(grown, 0);
        } else if self.buf.len() > 4 * CHUNK_BYTES && self.end < CHUNK_BYTES {
            // A huge line grew the buffer; do not keep that memory for the lines after it.
            self.buf.truncate(2 * CHUNK_BYTES);
            self.buf.shrink_to_fit();
        }
        loop {
            match self.file.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}
