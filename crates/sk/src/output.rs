//! Writing command output. Everything goes through a locked, buffered stdout and returns
//! io errors, so a closed pipe ends the command quietly instead of panicking in `println!`.
//!
//! Most of what sk prints was written by someone else: prompts, tool output, titles and
//! entries read from logs or pulled from other machines. Terminal control sequences in that
//! text (an escape that sets the window title, writes the clipboard, moves the cursor to hide
//! a line, a carriage return that overprints one) must not reach the terminal, so every
//! control character but tab and newline is shown as `�` on its way out ([`neutralize`]).
//! JSON output is unaffected: serde already escapes control characters.

use std::io::{self, BufWriter, StdoutLock, Write};

use serde::Serialize;

/// Buffered stdout for one command.
pub struct Out {
    inner: BufWriter<StdoutLock<'static>>,
    /// Bytes written so far: the output size recall telemetry records.
    written: usize,
}

impl Out {
    pub fn new() -> Out {
        Out {
            inner: BufWriter::new(io::stdout().lock()),
            written: 0,
        }
    }

    pub fn written(&self) -> usize {
        self.written
    }

    /// Pretty JSON followed by a newline.
    pub fn json<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *self, value)?;
        writeln!(self)?;
        self.inner.flush()
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !needs_neutralizing(buf) {
            let n = self.inner.write(buf)?;
            self.written += n;
            return Ok(n);
        }
        let safe = neutralize(buf);
        self.inner.write_all(&safe)?;
        self.written += safe.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What a control character is shown as.
const SHOWN: &str = "\u{FFFD}";

/// The length of the control character that starts at `buf[i]`: 1 for C0 (but tab and
/// newline) and DEL, 2 for a C1 character in UTF-8; `None` for any other byte.
fn control_at(buf: &[u8], i: usize) -> Option<usize> {
    match *buf.get(i)? {
        b'\n' | b'\t' => None,
        b if b < 0x20 || b == 0x7f => Some(1),
        0xc2 if buf.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n)) => Some(2),
        _ => None,
    }
}

fn needs_neutralizing(buf: &[u8]) -> bool {
    (0..buf.len()).any(|i| control_at(buf, i).is_some())
}

/// `buf` with every control character but tab and newline (C0, DEL, and C1 as UTF-8)
/// replaced by [`SHOWN`], and `\r\n` read as a newline. Works on bytes: a write may split
/// a UTF-8 sequence, and every other byte passes unchanged. (A C1 character split across
/// two writes passes: the buffered writer hands whole lines here in practice.)
fn neutralize(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len() + 8);
    let mut i = 0;
    while let Some(&b) = buf.get(i) {
        if b == b'\r' && buf.get(i + 1) == Some(&b'\n') {
            // A Windows line end is a line end.
            i += 1;
        } else if let Some(len) = control_at(buf, i) {
            out.extend_from_slice(SHOWN.as_bytes());
            i += len;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

/// `1536` → `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let text = "title\u{1b}]0;owned\u{7}\r\n\tok \u{1b}[31mred\u{9b}2J é 重复 \u{7f}";
        let out = String::from_utf8(neutralize(text.as_bytes())).expect("utf-8");
        assert_eq!(out, "title�]0;owned�\n\tok �[31mred�2J é 重复 �");
        // A carriage return alone overprints the line: shown; in a Windows line end: dropped.
        let out = String::from_utf8(neutralize(b"safe\rrm -rf /\r\n")).expect("utf-8");
        assert_eq!(out, "safe�rm -rf /\n");
        assert!(needs_neutralizing(text.as_bytes()));
        assert!(!needs_neutralizing("plain\ttext\né 重复 ü".as_bytes()));
    }

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(super::human_bytes(12), "12 B");
        assert_eq!(super::human_bytes(1536), "1.5 KiB");
        assert_eq!(super::human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
