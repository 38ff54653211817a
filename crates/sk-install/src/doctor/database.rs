//! The `database` check: the knowledge base opens, its schema is the one this build
//! expects (older: `sk migrate`; newer: the sk that wrote it), `PRAGMA quick_check` passes;
//! and `failing-logs`: log files that could not be ingested.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn check_database(ctx: &Context, out: &mut Vec<Finding>) {
    const N: &str = "database";
    let db = &ctx.paths.db;
    let wal = sk_core::paths::sidecar(db, "-wal");
    let shm = sk_core::paths::sidecar(db, "-shm");
    if !db.exists() {
        if wal.exists() || shm.exists() {
            return push(
                out,
                N,
                Level::Warn,
                format!(
                    "{} is missing but its -wal/-shm sidecars are left over",
                    db.display()
                ),
                Some(format!("rm -f {} {}", wal.display(), shm.display())),
            );
        }
        return push(
            out,
            N,
            Level::Warn,
            format!("{} does not exist yet", db.display()),
            Some("sk index".into()),
        );
    }
    let health = match sk_store::status::health(db) {
        Ok(h) => h,
        Err(e) => {
            return push(
                out,
                N,
                Level::Fail,
                format!("{} does not open: {e}", db.display()),
                Some("sk migrate --restore BACKUP (docs/RUNBOOK.md §2.2)".into()),
            );
        }
    };
    if health.schema_version < health.expected_schema_version {
        push(
            out,
            N,
            Level::Fail,
            format!(
                "schema v{} is older than this sk's v{}",
                health.schema_version, health.expected_schema_version
            ),
            Some("sk migrate".into()),
        );
    } else if health.schema_version > health.expected_schema_version {
        push(
            out,
            N,
            Level::Fail,
            format!(
                "schema v{} is newer than this sk understands (v{})",
                health.schema_version, health.expected_schema_version
            ),
            Some("install the newer sk that wrote it (sk install from that build)".into()),
        );
    } else if health.quick_check != "ok" {
        push(
            out,
            N,
            Level::Fail,
            format!(
                "PRAGMA quick_check on {} reported: {}",
                db.display(),
                health.quick_check
            ),
            Some("sk migrate --restore BACKUP (docs/RUNBOOK.md §2.2)".into()),
        );
    } else {
        push(
            out,
            N,
            Level::Ok,
            format!(
                "{} opens, schema v{} is current, quick_check ok",
                db.display(),
                health.schema_version
            ),
            None,
        );
    }
    if let Some(first) = health.failing_files.first() {
        push(
            out,
            "failing-logs",
            Level::Warn,
            format!(
                "{} log file(s) could not be ingested and are skipped until they change; first: {}: {}",
                health.failing_files.len(),
                first.path,
                first.error
            ),
            Some("sk status (lists them); an upgraded sk tries them again on `sk index`".into()),
        );
    }
}
