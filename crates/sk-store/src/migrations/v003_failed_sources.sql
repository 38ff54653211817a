-- Schema v3: log files that could not be ingested are remembered, so that one file a
-- parser bug cannot read is not retried (and its error not printed again) on every run,
-- and so that `sk status` and `sk doctor` can name it. A row stands for one version of the
-- file (size and mtime) read by one version of sk: when either changes, the file is tried
-- again, and a success removes the row.
CREATE TABLE failed_sources (
    path        TEXT PRIMARY KEY,
    agent       TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    sk_version  TEXT NOT NULL,
    error       TEXT NOT NULL,
    first_failed_at INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1
);
