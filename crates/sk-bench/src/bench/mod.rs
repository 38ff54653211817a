//! The ingest benchmark behind `sk-bench-ingest`: runs the release `sk` binary over a
//! synthetic corpus and grades the numbers against the performance targets, so every
//! claim in `docs/PERFORMANCE.md` comes from one repeatable command.

pub mod brief_relevance;
pub mod cjk;
pub mod eval;
pub mod hooks;
pub mod ingest;
pub mod knowledge;
pub mod mcp;
pub mod recall;
pub mod report;
pub mod scale;
pub mod sk_index;
pub mod startup;
pub mod sync;
pub mod ui;
pub mod workspace;

use report::{Bound, Target};

/// Full ingest throughput: input MiB over wall seconds of `sk index`.
pub const INGEST_MB_PER_S: Target = Target {
    name: "ingest_mb_per_s",
    bound: Bound::AtLeast(50.0),
    unit: " MB/s",
    decimals: 1,
};

/// Peak resident memory of `sk index`, in MiB.
pub const PEAK_RSS_MIB: Target = Target {
    name: "peak_rss_mib",
    bound: Bound::AtMost(200.0),
    unit: " MiB",
    decimals: 1,
};

/// The same limit on the whole `sk index` process, as polled from /proc: sk's own figure
/// stops at the end of ingest and misses the extraction that follows in the same process.
pub const PEAK_RSS_PROCESS_MIB: Target = Target {
    name: "peak_rss_process_mib",
    bound: Bound::AtMost(200.0),
    unit: " MiB",
    decimals: 1,
};

/// Database (file plus WAL) over input bytes.
pub const DB_INPUT_RATIO: Target = Target {
    name: "db_input_ratio",
    bound: Bound::AtMost(0.6),
    unit: "x",
    decimals: 2,
};

/// Median wall time of `sk index` when nothing changed (stated for >= 5,000 session files).
pub const NOCHANGE_MEDIAN_MS: Target = Target {
    name: "nochange_median_ms",
    bound: Bound::AtMost(200.0),
    unit: " ms",
    decimals: 1,
};

/// The session-file count the no-change target is stated for.
pub const NOCHANGE_MIN_FILES: u64 = 5000;

/// Peak RSS of the biggest scale corpus over that of the smallest. "Flat" is this
/// benchmark's reading of the memory goal: 4x the input may cost at most 25% more memory.
pub const SCALE_RSS_GROWTH: Target = Target {
    name: "scale_rss_growth",
    bound: Bound::AtMost(1.25),
    unit: "x",
    decimals: 2,
};

/// The sk binary a benchmark measures, as an absolute path (its children run in other
/// folders); an error that says how to build it when it is not there.
pub fn sk_binary(path: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    if !path.is_file() {
        anyhow::bail!(
            "no sk binary at {} (build it with `cargo build --release -p sk`)",
            path.display()
        );
    }
    Ok(std::path::absolute(path)?)
}

/// What a server benchmark (`sk-bench-mcp`, `sk-bench-ui`) measures: which binary, on
/// which database.
#[derive(Debug, clap::Args)]
pub struct ServerTarget {
    /// The sk binary to measure (build it with `cargo build --release -p sk`).
    #[arg(long, default_value = "target/release/sk")]
    pub sk: std::path::PathBuf,
    /// A database already built from the corpus; built with `sk index` from --corpus when absent.
    #[arg(long)]
    pub db: Option<std::path::PathBuf>,
    /// The corpus (`sk-gen-corpus --size 1GB --out DIR`).
    #[arg(long)]
    pub corpus: Option<std::path::PathBuf>,
}

/// The database a server benchmark measures: `db` as given, or one `sk index` builds from
/// `corpus` into `work` (saying so, since it takes a while).
pub fn database(
    sk: &std::path::Path,
    db: Option<&std::path::Path>,
    corpus: Option<&std::path::Path>,
    work: &std::path::Path,
) -> anyhow::Result<std::path::PathBuf> {
    match (db, corpus) {
        (Some(db), _) => Ok(std::path::absolute(db)?),
        (None, Some(corpus)) => {
            let db = work.join("knowledge.db");
            eprintln!("building the database from {} …", corpus.display());
            recall::build_db(sk, corpus, &db)?;
            Ok(db)
        }
        (None, None) => anyhow::bail!("give --db (a database built from the corpus) or --corpus"),
    }
}

/// The 1, 5 and 15 minute load averages, because the benchmark machine may be shared and a
/// busy machine explains a slow run.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
