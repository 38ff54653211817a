-- sk sync: remote schema, version 1 (moved from docs/design/sync/remote.sql, where its
-- design and proof are recorded). sk runs this text in ONE transaction, as a member of the
-- schema owner role, with the two role placeholders replaced by the quoted identifiers of the
-- owner role and the group role of sk users (sk_sync::sql::remote_sql). It is also the
-- second part of what `sk sync print-admin-sql` prints for an administrator.
-- Every statement is idempotent (IF NOT EXISTS / CREATE OR REPLACE / DROP POLICY IF
-- EXISTS) so re-running it at the same version is a no-op.

SET ROLE {owner};
SELECT pg_advisory_xact_lock(hashtext('sk_sync.migrate'));

CREATE SCHEMA IF NOT EXISTS sk_sync;
-- Nobody but the owner creates anything in the schema.
REVOKE ALL ON SCHEMA sk_sync FROM PUBLIC;
GRANT USAGE ON SCHEMA sk_sync TO {users};

-- ---------------------------------------------------------------- meta / version
-- One row. schema_version: what this remote is. min_client_schema: the oldest
-- client schema that may still read AND write it (additive changes keep it low;
-- a change old clients would mis-handle, e.g. a new op, raises it).
-- instance_id: random per remote; a client that sees it change (remote lost and
-- re-created) resets its pull cursor and re-pushes its outbox.
CREATE TABLE IF NOT EXISTS sk_sync.meta (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    schema_version     integer NOT NULL,
    min_client_schema  integer NOT NULL,
    instance_id        uuid    NOT NULL DEFAULT gen_random_uuid(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    migrated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sk_sync.meta (schema_version, min_client_schema) VALUES (1, 1)
ON CONFLICT (singleton) DO NOTHING;
-- (a v2 migration would end with:
--  UPDATE sk_sync.meta SET schema_version = 2, min_client_schema = ?, migrated_at = now()
--  WHERE schema_version < 2;)

-- ---------------------------------------------------------------- teams
CREATE TABLE IF NOT EXISTS sk_sync.teams (
    team        text PRIMARY KEY CHECK (team ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A PostgreSQL role (one per user) is a member of a team. Only the admin/owner
-- writes this table; users see only their own membership rows.
CREATE TABLE IF NOT EXISTS sk_sync.memberships (
    team        text NOT NULL REFERENCES sk_sync.teams ON DELETE CASCADE,
    member      name NOT NULL,              -- compared with current_user
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, member)
);
CREATE INDEX IF NOT EXISTS memberships_member ON sk_sync.memberships (member, team);

-- ---------------------------------------------------------------- replicas
-- One replica = one local sk database syncing with this remote for one team.
-- replica_id is globally unique here, so a replica id belongs to exactly one role:
-- nobody can push under someone else's id, in any team.
CREATE TABLE IF NOT EXISTS sk_sync.replicas (
    replica_id  uuid PRIMARY KEY,
    team        text NOT NULL REFERENCES sk_sync.teams,
    owner       name NOT NULL DEFAULT current_user,
    label       text NOT NULL DEFAULT '' CHECK (length(label) <= 200),  -- e.g. hostname
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- change log
-- Append-only. (team, replica_id, seq) is the idempotency key of a push.
-- Pull cursor = (xid, id): xid is the pushing transaction's 64-bit id; a row is
-- handed out only once xid < pg_snapshot_xmin(pg_current_snapshot()), i.e. once
-- every transaction that could still commit rows with a smaller cursor is over.
-- id only orders rows inside one transaction (all become visible together).
CREATE TABLE IF NOT EXISTS sk_sync.changes (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    xid         xid8   NOT NULL DEFAULT pg_current_xact_id(),
    team        text   NOT NULL REFERENCES sk_sync.teams,
    replica_id  uuid   NOT NULL REFERENCES sk_sync.replicas,
    seq         bigint NOT NULL CHECK (seq > 0),
    hlc         bigint NOT NULL CHECK (hlc > 0),   -- (unix ms << 16) | logical counter
    entity      text   NOT NULL CHECK (entity IN ('entry', 'session')),
    entity_key  text   NOT NULL CHECK (length(entity_key) BETWEEN 1 AND 200),
    op          text   NOT NULL CHECK (op IN ('put', 'forget', 'pin', 'unpin', 'occurrence')),
    payload     jsonb  NOT NULL DEFAULT '{}'::jsonb
                       CHECK (pg_column_size(payload) <= 1048576),
    author      name   NOT NULL DEFAULT current_user,
    pushed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id),
    UNIQUE (team, replica_id, seq)
);
CREATE INDEX IF NOT EXISTS changes_pull ON sk_sync.changes (team, xid, id);

-- ---------------------------------------------------------------- privileges
-- Users: read what RLS lets them; insert only the columns they may choose
-- (id, xid, author, pushed_at always come from the server); never UPDATE/DELETE.
REVOKE ALL ON ALL TABLES IN SCHEMA sk_sync FROM PUBLIC;
REVOKE ALL ON sk_sync.meta, sk_sync.teams, sk_sync.memberships, sk_sync.replicas,
              sk_sync.changes FROM {users};
GRANT SELECT ON sk_sync.meta, sk_sync.teams, sk_sync.memberships TO {users};
GRANT SELECT ON sk_sync.replicas TO {users};
GRANT INSERT (replica_id, team, label) ON sk_sync.replicas TO {users};
GRANT SELECT ON sk_sync.changes TO {users};
GRANT INSERT (team, replica_id, seq, hlc, entity, entity_key, op, payload)
      ON sk_sync.changes TO {users};
-- The identity sequence behind changes.id needs no grant (identity columns are
-- filled without a USAGE check); a bigserial/DEFAULT nextval() column would.

-- ---------------------------------------------------------------- row-level security
-- ENABLE alone exempts the table owner; FORCE makes the owner obey too (superusers
-- and BYPASSRLS roles still bypass: never give those to sk users).
ALTER TABLE sk_sync.teams       ENABLE ROW LEVEL SECURITY;
ALTER TABLE sk_sync.teams       FORCE  ROW LEVEL SECURITY;
ALTER TABLE sk_sync.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE sk_sync.memberships FORCE  ROW LEVEL SECURITY;
ALTER TABLE sk_sync.replicas    ENABLE ROW LEVEL SECURITY;
ALTER TABLE sk_sync.replicas    FORCE  ROW LEVEL SECURITY;
ALTER TABLE sk_sync.changes     ENABLE ROW LEVEL SECURITY;
ALTER TABLE sk_sync.changes     FORCE  ROW LEVEL SECURITY;

-- The owner administers (forced RLS would otherwise lock it out as well).
DROP POLICY IF EXISTS owner_all ON sk_sync.teams;
CREATE POLICY owner_all ON sk_sync.teams       TO {owner} USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS owner_all ON sk_sync.memberships;
CREATE POLICY owner_all ON sk_sync.memberships TO {owner} USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS owner_all ON sk_sync.replicas;
CREATE POLICY owner_all ON sk_sync.replicas    TO {owner} USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS owner_all ON sk_sync.changes;
CREATE POLICY owner_all ON sk_sync.changes     TO {owner} USING (true) WITH CHECK (true);

-- memberships: a user sees only their own rows. The other policies' sub-queries on
-- memberships run with the caller's rights and are filtered by this very policy,
-- so "teams I am in" needs no SECURITY DEFINER function.
DROP POLICY IF EXISTS member_self ON sk_sync.memberships;
CREATE POLICY member_self ON sk_sync.memberships FOR SELECT TO {users}
    USING (member = current_user);

DROP POLICY IF EXISTS member_read ON sk_sync.teams;
CREATE POLICY member_read ON sk_sync.teams FOR SELECT TO {users}
    USING (team IN (SELECT m.team FROM sk_sync.memberships m WHERE m.member = current_user));

-- replicas: team members see each other's replicas (origin labels); a user
-- registers replicas only as themselves and only in a team they belong to.
DROP POLICY IF EXISTS member_read ON sk_sync.replicas;
CREATE POLICY member_read ON sk_sync.replicas FOR SELECT TO {users}
    USING (team IN (SELECT m.team FROM sk_sync.memberships m WHERE m.member = current_user));
DROP POLICY IF EXISTS register_self ON sk_sync.replicas;
CREATE POLICY register_self ON sk_sync.replicas FOR INSERT TO {users}
    WITH CHECK (owner = current_user
                AND team IN (SELECT m.team FROM sk_sync.memberships m
                             WHERE m.member = current_user));

-- changes: read your teams' rows; insert only into a team you are (still) in, under
-- a replica id you own that is registered for that team, as yourself.
DROP POLICY IF EXISTS member_read ON sk_sync.changes;
CREATE POLICY member_read ON sk_sync.changes FOR SELECT TO {users}
    USING (team IN (SELECT m.team FROM sk_sync.memberships m WHERE m.member = current_user));
DROP POLICY IF EXISTS push_own ON sk_sync.changes;
CREATE POLICY push_own ON sk_sync.changes FOR INSERT TO {users}
    WITH CHECK (author = current_user
                AND team IN (SELECT m.team FROM sk_sync.memberships m
                             WHERE m.member = current_user)
                AND EXISTS (SELECT 1 FROM sk_sync.replicas r
                            WHERE r.replica_id = changes.replica_id
                              AND r.team = changes.team
                              AND r.owner = current_user));
-- No UPDATE or DELETE policy for users (and no such privilege): the log is append-only.

-- The version this text makes: an older remote is brought up to it (sk migrates only
-- a remote whose schema_version is below its own), a newer one is left as it is.
UPDATE sk_sync.meta SET schema_version = 1, min_client_schema = greatest(min_client_schema, 1), migrated_at = now()
WHERE schema_version < 1;

RESET ROLE;
