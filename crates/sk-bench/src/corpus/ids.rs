//! Identifiers, opaque blobs and timestamps in the shapes the agents write.
//!
//! Everything is drawn from the caller's seeded RNG so that a seed reproduces the corpus
//! byte for byte; nothing here reads the wall clock.

use rand::rngs::SmallRng;
use rand::{Rng, RngCore};

const HEX: &[u8; 16] = b"0123456789abcdef";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn format_uuid(b: [u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[(byte >> 4) as usize] as char);
        s.push(HEX[(byte & 15) as usize] as char);
    }
    s
}

/// A random (version 4) UUID, as Copilot and Claude use for ids.
pub fn uuid4(rng: &mut SmallRng) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(b)
}

/// A time-ordered (version 7) UUID, as Codex uses for sessions and turns.
pub fn uuid7(rng: &mut SmallRng, unix_ms: i64) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    let ms = unix_ms.max(0) as u64;
    for (i, byte) in b.iter_mut().take(6).enumerate() {
        *byte = (ms >> (40 - 8 * i)) as u8;
    }
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(b)
}

/// `prefix` followed by `n` random characters of `alphabet`.
fn token(rng: &mut SmallRng, prefix: &str, n: usize, alphabet: &[u8]) -> String {
    let mut s = String::with_capacity(prefix.len() + n);
    s.push_str(prefix);
    for _ in 0..n {
        s.push(alphabet[rng.random_range(0..alphabet.len())] as char);
    }
    s
}

/// Alphanumeric id such as `toolu_01HfUZ7xMaPh8ESUWWUaRA6X` or `call_pWDHJ70kEnRtA5WMMk7X3wlu`.
pub fn alnum(rng: &mut SmallRng, prefix: &str, n: usize) -> String {
    token(rng, prefix, n, ALNUM)
}

/// Lower-case hex id such as Claude's sub-agent `aef08691ddf654768`.
pub fn hex(rng: &mut SmallRng, prefix: &str, n: usize) -> String {
    token(rng, prefix, n, HEX)
}

/// Copilot's GitHub request id, e.g. `967B:F981C:1C54A6A:1DFEB5A:6A468392`.
pub fn github_request_id(rng: &mut SmallRng) -> String {
    format!(
        "{:X}:{:X}:{:X}:{:X}:{:X}",
        rng.random_range(0x1000..0xFFFFu32),
        rng.random_range(0x10000..0xFFFFFu32),
        rng.random_range(0x100000..0xFFFFFFFu32),
        rng.random_range(0x100000..0xFFFFFFFu32),
        rng.random_range(0x6A000000..0x6AFFFFFFu32)
    )
}

/// Pools of random base64 text from which opaque blobs (signatures, encrypted reasoning,
/// Fernet tokens) are cut. Drawing fresh random bytes for every blob would dominate the
/// generation time; slicing a pool at a random offset looks just as opaque.
pub struct Blobs {
    std: String,
    url: String,
}

const POOL: usize = 1 << 20;

impl Blobs {
    pub fn new(rng: &mut SmallRng) -> Blobs {
        let mut raw = vec![0u8; POOL];
        rng.fill_bytes(&mut raw);
        let std: String = raw.iter().map(|b| B64[(b & 63) as usize] as char).collect();
        let url: String = raw
            .iter()
            .rev()
            .map(|b| B64_URL[(b >> 2) as usize] as char)
            .collect();
        Blobs { std, url }
    }

    fn cut<'a>(pool: &'a str, rng: &mut SmallRng, len: usize) -> &'a str {
        let len = len.min(POOL - 1);
        let start = rng.random_range(0..POOL - len);
        sk_core::text::window(pool, start, start + len)
    }

    /// Standard base64 of about `len` characters, padded to a multiple of four.
    pub fn base64(&self, rng: &mut SmallRng, len: usize) -> String {
        let len = (len / 4).max(1) * 4;
        let mut s = Self::cut(&self.std, rng, len).to_owned();
        if rng.random_bool(0.5) {
            s.pop();
            s.push('=');
        }
        s
    }

    /// A Fernet token (`gAAAAAB…`, URL-safe base64) as Codex writes for encrypted content.
    pub fn fernet(&self, rng: &mut SmallRng, len: usize) -> String {
        let body = Self::cut(&self.url, rng, len.max(60));
        let mut s = String::with_capacity(body.len() + 10);
        s.push_str("gAAAAAB");
        s.push_str(body);
        s.push('=');
        s
    }
}

/// A point in time in Unix milliseconds with an ISO-8601 rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(pub i64);

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's civil-from-days.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Calendar parts of an instant (UTC).
pub struct Parts {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub milli: u32,
}

impl Instant {
    pub fn parts(self) -> Parts {
        let days = self.0.div_euclid(86_400_000);
        let rem = self.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        Parts {
            year,
            month,
            day,
            hour: (rem / 3_600_000) as u32,
            minute: (rem / 60_000 % 60) as u32,
            second: (rem / 1000 % 60) as u32,
            milli: (rem % 1000) as u32,
        }
    }

    /// `2026-07-21T22:56:15.806Z`
    pub fn iso(self) -> String {
        let p = self.parts();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            p.year, p.month, p.day, p.hour, p.minute, p.second, p.milli
        )
    }

    /// `2026-07-21`
    pub fn date(self) -> String {
        let p = self.parts();
        format!("{:04}-{:02}-{:02}", p.year, p.month, p.day)
    }

    pub fn unix_secs(self) -> i64 {
        self.0 / 1000
    }
}

/// The session clock: every event moves it forward by a plausible amount.
pub struct Clock {
    now: i64,
}

impl Clock {
    pub fn new(start: Instant) -> Clock {
        Clock { now: start.0 }
    }

    pub fn now(&self) -> Instant {
        Instant(self.now)
    }

    /// Advances by a random number of milliseconds in `lo..=hi` and returns the new time.
    pub fn tick(&mut self, rng: &mut SmallRng, lo: i64, hi: i64) -> Instant {
        self.now += rng.random_range(lo..=hi.max(lo));
        Instant(self.now)
    }
}

#[cfg(test)]
#[allow(clippy::string_slice)] // tests may slice: a panic fails the test
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn iso_matches_known_dates() {
        // 1784674575790 ms is the sessionStartTime of fixtures/corpus/copilot/compacted-real.jsonl,
        // whose startTime field reads 2026-07-21T22:56:15.790Z.
        assert_eq!(Instant(1_784_674_575_790).iso(), "2026-07-21T22:56:15.790Z");
        assert_eq!(Instant(0).iso(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Instant(951_782_400_000).date(), "2000-02-29");
    }

    #[test]
    fn uuids_have_version_and_variant() {
        let mut rng = SmallRng::seed_from_u64(1);
        let a = uuid4(&mut rng);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        let b = uuid7(&mut rng, 1_784_674_575_790);
        assert_eq!(&b[14..15], "7");
        // 1784674575790 = 0x019f86c9_... per the Codex rollout ids of the same day.
        assert!(b.starts_with("019f8"), "{b}");
    }
}
