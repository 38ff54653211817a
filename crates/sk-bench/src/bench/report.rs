//! The compact `name: value` result block the benchmark prints last, and the targets it
//! grades, so runs can be pasted into docs and compared line by line (or grepped).

use std::fmt;
use std::time::Duration;

/// Lines of `name: value`, in the order pushed.
#[derive(Clone, Debug, Default)]
pub struct ResultBlock {
    title: String,
    lines: Vec<(String, String)>,
}

impl ResultBlock {
    pub fn new(title: &str) -> ResultBlock {
        ResultBlock {
            title: title.to_string(),
            lines: Vec::new(),
        }
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl fmt::Display) {
        self.lines.push((name.into(), value.to_string()));
    }

    /// Grades `measured` against `target` and records the verdict as a
    /// `target_<name>: PASS|MISS (...)` line; returns whether it passed.
    pub fn grade(&mut self, target: &Target, measured: f64) -> bool {
        let verdict = target.check(measured);
        self.push(format!("target_{}", target.name), &verdict.text);
        verdict.pass
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.lines
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for ResultBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "== {} ==", self.title)?;
        for (name, value) in &self.lines {
            writeln!(f, "{name}: {value}")?;
        }
        Ok(())
    }
}

/// Which side of the limit passes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    AtLeast(f64),
    AtMost(f64),
}

/// A performance target from the spec.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub name: &'static str,
    pub bound: Bound,
    /// Appended to numbers in the verdict ("MB/s", "MiB", "ms", "x").
    pub unit: &'static str,
    /// Decimals in the verdict; ratios such as 1.25x need two.
    pub decimals: usize,
}

/// The outcome of one check, with the numbers and, on a miss, by how much.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub pass: bool,
    pub text: String,
}

impl Target {
    pub fn check(&self, measured: f64) -> Verdict {
        let unit = self.unit;
        let (pass, op, limit) = match self.bound {
            Bound::AtLeast(limit) => (measured >= limit, ">=", limit),
            Bound::AtMost(limit) => (measured <= limit, "<=", limit),
        };
        let d = self.decimals;
        let text = if pass {
            format!("PASS ({measured:.d$}{unit} {op} {limit:.d$}{unit})")
        } else {
            let off = if limit > 0.0 {
                (measured - limit).abs() / limit * 100.0
            } else {
                f64::INFINITY
            };
            let how = match self.bound {
                Bound::AtLeast(_) => "short",
                Bound::AtMost(_) => "over",
            };
            format!("MISS ({measured:.d$}{unit}, needs {op} {limit:.d$}{unit}: {off:.1}% {how})")
        };
        Verdict { pass, text }
    }
}

/// Numbers as people read them: whole above 100, one decimal above 1, else two/three.
pub fn num(x: f64) -> String {
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.1}")
    } else if a >= 0.1 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

/// A file's size in MiB, NaN when it cannot be read (a result line still prints).
pub fn file_mib(path: &std::path::Path) -> f64 {
    std::fs::metadata(path).map_or(f64::NAN, |m| mib(m.len()))
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median (the mean of the middle two for an even count); `None` when empty.
pub fn median(samples: &[Duration]) -> Option<Duration> {
    let mut v = samples.to_vec();
    v.sort();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_say_pass_or_miss_with_the_margin() {
        let speed = Target {
            name: "ingest_mb_per_s",
            bound: Bound::AtLeast(50.0),
            unit: " MB/s",
            decimals: 1,
        };
        assert_eq!(speed.check(57.34).text, "PASS (57.3 MB/s >= 50.0 MB/s)");
        // 40 is 20% short of 50.
        assert_eq!(
            speed.check(40.0).text,
            "MISS (40.0 MB/s, needs >= 50.0 MB/s: 20.0% short)"
        );
        let ratio = Target {
            name: "db_input_ratio",
            bound: Bound::AtMost(0.6),
            unit: "x",
            decimals: 2,
        };
        assert!(ratio.check(0.6).pass);
        // 0.75 is 25% over 0.6.
        assert_eq!(ratio.check(0.75).text, "MISS (0.75x, needs <= 0.60x: 25.0% over)");
    }

    #[test]
    fn block_prints_one_name_value_per_line_and_records_grades() {
        let mut b = ResultBlock::new("t");
        b.push("records", 12);
        let t = Target {
            name: "nochange_ms",
            bound: Bound::AtMost(200.0),
            unit: " ms",
            decimals: 1,
        };
        assert!(!b.grade(&t, 250.0));
        assert_eq!(
            b.get("target_nochange_ms"),
            Some("MISS (250.0 ms, needs <= 200.0 ms: 25.0% over)")
        );
        assert_eq!(
            b.to_string(),
            "== t ==\nrecords: 12\ntarget_nochange_ms: MISS (250.0 ms, needs <= 200.0 ms: 25.0% over)\n"
        );
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let d = Duration::from_millis;
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[d(30), d(10), d(20)]), Some(d(20)));
        assert_eq!(median(&[d(40), d(10), d(20), d(30)]), Some(d(25)));
    }
}
