//! Writing command output. Everything goes through a locked, buffered stdout and returns
//! io errors, so a closed pipe ends the command quietly instead of panicking in `println!`.

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
        let n = self.inner.write(buf)?;
        self.written += n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
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
    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(super::human_bytes(12), "12 B");
        assert_eq!(super::human_bytes(1536), "1.5 KiB");
        assert_eq!(super::human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
