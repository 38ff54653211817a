//! The PostgreSQL side of `sk sync`: connecting (TLS through rustls when the URL asks),
//! the version check every sync starts with, replica registration, idempotent pushes
//! and the `(xid, id)` pull cursor of docs/design/sync/NOTES.md. Values are always bound
//! parameters; the only SQL text built here is the embedded schema (`crate::sql`).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};
use sk_store::sync::{Change, OutboxRow};

use crate::SyncError;
use crate::sql::{self, CLIENT_SCHEMA};

/// How long connecting may take unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An open connection to the remote.
pub struct Remote {
    client: Client,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Remote")
    }
}

/// The remote's `meta` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub schema_version: i32,
    pub min_client_schema: i32,
    pub instance_id: String,
}

/// What the version check decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Ok,
    /// The remote is older than this sk: migrate it (as the owner) first.
    Migrate,
}

/// Parses `url`, mapping libpq's `sslmode=verify-full`/`verify-ca` onto the client's
/// `require` (rustls always verifies the certificate chain and the host name, so every
/// TLS connection sk makes is verify-full). Returns the config and whether TLS is asked.
pub fn parse_url(url: &str) -> Result<(Config, bool), SyncError> {
    // libpq's `prefer` and `allow` fall back to plain text when TLS fails, which an
    // attacker on the path can force: sk does not pretend to offer them.
    let lower = url.to_ascii_lowercase();
    if ["sslmode=prefer", "sslmode=allow"]
        .iter()
        .any(|m| lower.contains(m))
    {
        return Err(SyncError::Usage(format!(
            "{}: sk does not fall back from TLS to plain text; use sslmode=require (TLS, the server's \
             certificate verified) or sslmode=disable",
            crate::config::redact(url)
        )));
    }
    let mapped = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    let mut config = Config::from_str(&mapped).map_err(|e| {
        SyncError::Config(format!(
            "the remote URL {} is not valid: {}",
            crate::config::redact(url),
            pg_detail(&e)
        ))
    })?;
    let tls = config.get_ssl_mode() == SslMode::Require;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("sk sync");
    }
    Ok((config, tls))
}

/// The message of a PostgreSQL client error: the server's own text (with its detail and
/// hint) when it sent one, else the client's error and its cause.
pub fn pg_detail(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = db.message().to_string();
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {h}"));
        }
        return s;
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl Remote {
    /// Connects to `url`. `sslmode=require` (or verify-full) uses TLS with the Mozilla
    /// root certificates; without it no TLS is attempted (libpq's default `prefer` would
    /// try TLS without verifying the server, which protects nothing against an attacker).
    pub fn connect(url: &str) -> Result<Remote, SyncError> {
        let (mut config, tls) = parse_url(url)?;
        let redacted = crate::config::redact(url);
        let fail = |e: postgres::Error| SyncError::Connect {
            remote: redacted.clone(),
            detail: pg_detail(&e),
        };
        let client = if tls {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            // ring, not aws-lc-rs: no C/cmake toolchain to build. rustls marks ring's
            // provider deprecated only because it offers no post-quantum key exchange.
            #[allow(deprecated)]
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let tls_config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| SyncError::Config(format!("TLS setup failed: {e}")))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            config
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls_config))
                .map_err(fail)?
        } else {
            config.ssl_mode(SslMode::Disable);
            config.connect(NoTls).map_err(fail)?
        };
        Ok(Remote { client })
    }

    fn query_err(what: &'static str) -> impl Fn(postgres::Error) -> SyncError {
        move |e| SyncError::Remote {
            what,
            detail: pg_detail(&e),
        }
    }

    /// Reads `meta`; a remote without the schema (or without access to it) is reported
    /// with what an administrator has to do.
    pub fn meta(&mut self) -> Result<Meta, SyncError> {
        let row = self
            .client
            .query_opt(
                "SELECT schema_version, min_client_schema, instance_id::text FROM sk_sync.meta",
                &[],
            )
            .map_err(|e| match e.code().map(|c| c.code()) {
                // undefined_table, invalid_schema_name, insufficient_privilege
                Some("42P01" | "3F000" | "42501") => SyncError::NoSchema(pg_detail(&e)),
                _ => Remote::query_err("reading the remote's schema version")(e),
            })?;
        let Some(row) = row else {
            return Err(SyncError::NoSchema("sk_sync.meta has no row".into()));
        };
        Ok(Meta {
            schema_version: row.get(0),
            min_client_schema: row.get(1),
            instance_id: row.get(2),
        })
    }

    /// The check every sync starts with: ok, migrate, or refuse with "upgrade sk".
    pub fn check_version(&mut self) -> Result<(Meta, Version), SyncError> {
        let meta = self.meta()?;
        decide(&meta).map(|v| (meta, v))
    }

    /// Migrates an older remote to this build's schema: only a member of the schema's
    /// owner role may, and then in one transaction under the advisory lock remote.sql
    /// takes. Anyone else is told to ask an administrator.
    pub fn migrate(&mut self) -> Result<(), SyncError> {
        let row = self
            .client
            .query_one(
                "SELECT n.nspowner::regrole::text, pg_has_role(current_user, n.nspowner, 'MEMBER'),
                        (SELECT a.grantee::regrole::text FROM aclexplode(n.nspacl) a
                         WHERE a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner AND a.grantee <> 0
                         ORDER BY 1 LIMIT 1)
                 FROM pg_namespace n WHERE n.nspname = 'sk_sync'",
                &[],
            )
            .map_err(Remote::query_err("finding the remote schema's owner"))?;
        let owner: String = row.get(0);
        let member: bool = row.get(1);
        let users: Option<String> = row.get(2);
        let (true, Some(users)) = (member, users) else {
            return Err(SyncError::Refused(format!(
                "the remote schema is older than this sk's (v{CLIENT_SCHEMA}) and only a member of its \
                 owner role may migrate it: give an administrator the output of `sk sync print-admin-sql`"
            )));
        };
        // regrole::text quotes names that need it; the schema text wants bare names.
        let bare = |s: &str| s.trim_matches('"').replace("\"\"", "\"");
        let script = sql::remote_sql(&bare(&owner), &bare(&users))?;
        let mut tx = self
            .client
            .transaction()
            .map_err(Remote::query_err("starting the migration"))?;
        tx.batch_execute(&script)
            .map_err(Remote::query_err("migrating the remote schema"))?;
        tx.commit().map_err(Remote::query_err("committing the migration"))
    }

    /// The teams the connecting role belongs to.
    pub fn my_teams(&mut self) -> Result<Vec<String>, SyncError> {
        Ok(self
            .client
            .query(
                "SELECT team FROM sk_sync.memberships WHERE member = current_user ORDER BY team",
                &[],
            )
            .map_err(Remote::query_err("reading your team memberships"))?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    /// Registers `replica_id` for `team` as the connecting role (idempotent). Returns
    /// false when the id is taken by someone else, or registered for another team.
    pub fn register(&mut self, replica_id: &str, team: &str, label: &str) -> Result<bool, SyncError> {
        self.client
            .execute(
                "INSERT INTO sk_sync.replicas (replica_id, team, label) VALUES (CAST($1::text AS uuid), $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&replica_id, &team, &label],
            )
            .map_err(Remote::query_err("registering this replica"))?;
        let mine = self
            .client
            .query_opt(
                "SELECT team = $2 AND owner = current_user FROM sk_sync.replicas
                 WHERE replica_id = CAST($1::text AS uuid)",
                &[&replica_id, &team],
            )
            .map_err(Remote::query_err("checking this replica's registration"))?;
        Ok(mine.is_some_and(|r| r.get::<_, bool>(0)))
    }

    /// The largest seq the remote holds for this replica (0: none).
    pub fn max_seq(&mut self, team: &str, replica_id: &str) -> Result<i64, SyncError> {
        self.client
            .query_one(
                "SELECT coalesce(max(seq), 0) FROM sk_sync.changes
                 WHERE team = $1 AND replica_id = CAST($2::text AS uuid)",
                &[&team, &replica_id],
            )
            .map(|r| r.get(0))
            .map_err(Remote::query_err("reading what this replica pushed before"))
    }

    /// Pushes one batch in one transaction; rows the remote already has are skipped
    /// (`ON CONFLICT DO NOTHING` on `(team, replica_id, seq)`). Returns how many were new.
    pub fn push(&mut self, team: &str, replica_id: &str, rows: &[OutboxRow]) -> Result<u64, SyncError> {
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let hlcs: Vec<i64> = rows.iter().map(|r| r.hlc).collect();
        let entities: Vec<&str> = rows.iter().map(|r| r.entity.as_str()).collect();
        let keys: Vec<&str> = rows.iter().map(|r| r.entity_key.as_str()).collect();
        let ops: Vec<&str> = rows.iter().map(|r| r.op.as_str()).collect();
        let payloads: Vec<&str> = rows.iter().map(|r| r.payload.as_str()).collect();
        let mut tx = self
            .client
            .transaction()
            .map_err(Remote::query_err("starting a push"))?;
        let new = tx
            .execute(
                "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op, payload)
                 SELECT $1, CAST($2::text AS uuid), s, h, e, k, o, CAST(p AS jsonb)
                 FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
                      AS t (s, h, e, k, o, p)
                 ON CONFLICT (team, replica_id, seq) DO NOTHING",
                &[
                    &team,
                    &replica_id,
                    &seqs,
                    &hlcs,
                    &entities,
                    &keys,
                    &ops,
                    &payloads,
                ],
            )
            .map_err(Remote::query_err("pushing changes"))?;
        crate::fault_point("push-before-commit", || tx.batch_execute("SELECT 1").is_ok());
        tx.commit().map_err(Remote::query_err("committing a push"))?;
        Ok(new)
    }

    /// Whether every row of `rows` the remote holds (by replica and seq) is that same
    /// change (clock, entry, operation): true after a retried push, false when a copy of
    /// this database pushed other changes under the same replica id and seqs.
    pub fn holds(&mut self, team: &str, replica_id: &str, rows: &[OutboxRow]) -> Result<bool, SyncError> {
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let theirs = self
            .client
            .query(
                "SELECT seq, hlc, entity_key, op FROM sk_sync.changes
                 WHERE team = $1 AND replica_id = CAST($2::text AS uuid) AND seq = ANY($3::bigint[])",
                &[&team, &replica_id, &seqs],
            )
            .map_err(Remote::query_err("checking pushed changes"))?;
        Ok(theirs.iter().all(|t| {
            let seq: i64 = t.get(0);
            rows.iter().any(|r| {
                r.seq == seq
                    && r.hlc == t.get::<_, i64>(1)
                    && r.entity_key == t.get::<_, String>(2)
                    && r.op == t.get::<_, String>(3)
            })
        }))
    }

    /// Other replicas' changes after the cursor: `(settled, held back)`, the second being
    /// those a still-open transaction somewhere in the cluster keeps from pulls for now.
    pub fn behind(
        &mut self,
        team: &str,
        replica_id: &str,
        after: (&str, i64),
    ) -> Result<(i64, i64), SyncError> {
        let row = self
            .client
            .query_one(
                "SELECT count(*) FILTER (WHERE xid < pg_snapshot_xmin(pg_current_snapshot())),
                        count(*) FILTER (WHERE xid >= pg_snapshot_xmin(pg_current_snapshot()))
                 FROM sk_sync.changes
                 WHERE team = $1 AND replica_id <> CAST($2::text AS uuid)
                   AND (xid, id) > (CAST($3::text AS xid8), $4)",
                &[&team, &replica_id, &after.0, &after.1],
            )
            .map_err(Remote::query_err("counting the changes to pull"))?;
        Ok((row.get(0), row.get(1)))
    }

    /// The oldest transaction still running on the server (the pull horizon), as text.
    pub fn horizon(&mut self) -> Result<u64, SyncError> {
        let text: String = self
            .client
            .query_one("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[])
            .map_err(Remote::query_err("reading the pull horizon"))?
            .get(0);
        text.parse()
            .map_err(|_| SyncError::Config(format!("the server sent an unreadable transaction id {text:?}")))
    }

    /// Up to `limit` changes of `team` after the cursor `(xid, id)`, settled ones only
    /// (their transaction is older than every running one), in cursor order. Returns them
    /// with each one's cursor position.
    pub fn pull(
        &mut self,
        team: &str,
        after: (&str, i64),
        limit: i64,
    ) -> Result<Vec<(String, i64, Change)>, SyncError> {
        let mut tx = self
            .client
            .build_transaction()
            .read_only(true)
            .start()
            .map_err(Remote::query_err("starting a pull"))?;
        tx.batch_execute(PULL_PLAN)
            .map_err(Remote::query_err("starting a pull"))?;
        // The labels come from one small query per batch rather than a join.
        let rows = tx
            .query(PULL_SQL, &[&team, &after.0, &after.1, &limit])
            .map_err(Remote::query_err("pulling changes"))?;
        let labels: std::collections::HashMap<String, String> = tx
            .query(
                "SELECT replica_id::text, label FROM sk_sync.replicas WHERE team = $1",
                &[&team],
            )
            .map_err(Remote::query_err("reading replica labels"))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        tx.commit().map_err(Remote::query_err("ending a pull"))?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    r.get(1),
                    Change {
                        replica_id: r.get(2),
                        hlc: r.get(3),
                        entity: r.get(4),
                        entity_key: r.get(5),
                        op: r.get(6),
                        payload: r.get(7),
                        author: r.get(8),
                        label: labels.get(&r.get::<_, String>(2)).cloned().unwrap_or_default(),
                    },
                )
            })
            .collect())
    }
}

/// The pull: changes of team $1 after the cursor ($2 = xid as text, $3 = id), settled ones
/// only, at most $4, in cursor order. ORDER BY names the table's columns (c.xid), never
/// the output's: an output column called xid would be its text, and text order ("1000" <
/// "999") would move the cursor past rows not handed out yet. Ordered by the real columns,
/// the planner walks the changes_pull index from the cursor and stops at the limit.
pub const PULL_SQL: &str = "SELECT c.xid::text AS xid_text, c.id, c.replica_id::text, c.hlc, c.entity,
        c.entity_key, c.op, c.payload::text, c.author::text
 FROM sk_sync.changes c
 WHERE c.team = $1 AND c.xid < pg_snapshot_xmin(pg_current_snapshot())
   AND (c.xid, c.id) > (CAST($2::text AS xid8), $3)
 ORDER BY c.xid, c.id LIMIT $4";

/// Said before [`PULL_SQL`] in its transaction: right after a bulk push the table has no
/// statistics yet (users cannot ANALYZE), and the planner then sorts every row after the
/// cursor for each batch (230 ms a batch at 100,000 rows, against 2 ms on the index).
pub const PULL_PLAN: &str = "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off";

/// The version rule of NOTES.md: refuse when the remote needs a newer client, migrate
/// when it is older than this client, else ok.
pub fn decide(meta: &Meta) -> Result<Version, SyncError> {
    if meta.min_client_schema > CLIENT_SCHEMA {
        return Err(SyncError::Refused(format!(
            "remote schema {} needs sk with schema >= {}, this sk has {CLIENT_SCHEMA}: upgrade sk",
            meta.schema_version, meta.min_client_schema
        )));
    }
    Ok(if meta.schema_version < CLIENT_SCHEMA {
        Version::Migrate
    } else {
        Version::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(v: i32, min: i32) -> Meta {
        Meta {
            schema_version: v,
            min_client_schema: min,
            instance_id: String::new(),
        }
    }

    #[test]
    fn the_version_rule_matches_the_proof() {
        assert_eq!(decide(&meta(1, 1)).expect("test step"), Version::Ok);
        assert_eq!(decide(&meta(2, 1)).expect("test step"), Version::Ok);
        assert_eq!(decide(&meta(0, 0)).expect("test step"), Version::Migrate);
        let refused = decide(&meta(3, 3)).expect_err("must fail").to_string();
        assert!(
            refused.contains("remote schema 3 needs sk with schema >= 3") && refused.contains("upgrade sk"),
            "{refused}"
        );
    }

    #[test]
    fn verify_full_means_tls_and_no_mode_means_none() {
        assert!(
            parse_url("postgres://a@h/d?sslmode=verify-full")
                .expect("test step")
                .1
        );
        assert!(
            parse_url("postgres://a@h/d?sslmode=require")
                .expect("test step")
                .1
        );
        assert!(!parse_url("postgres://a@h/d").expect("test step").1);
        assert!(
            !parse_url("postgres://a@h/d?sslmode=disable")
                .expect("test step")
                .1
        );
        // A mode that may fall back to plain text is refused, not silently downgraded.
        for mode in ["prefer", "allow", "PREFER"] {
            let refused = parse_url(&format!("postgres://a:hunter2@h/d?sslmode={mode}"))
                .expect_err("must fail")
                .to_string();
            assert!(
                refused.contains("does not fall back") && !refused.contains("hunter2"),
                "{refused}"
            );
        }
        let bad = parse_url("postgres://a:hunter2@h/d?sslmode=bogus")
            .expect_err("must fail")
            .to_string();
        assert!(!bad.contains("hunter2"), "{bad}");
    }
}
