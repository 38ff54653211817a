-- sk sync: what an administrator runs ONCE per PostgreSQL database
-- (this is what `sk sync print-admin-sql` would print, followed by remote.sql).
-- Run as a superuser or a role with CREATEROLE and ownership of the database:
--   psql -d DB -v owner_role=sk_sync_owner -v user_role=sk_sync_user -f admin.sql
-- then remote.sql (same variables), then "add a user" below for each person.

\if :{?owner_role}
\else
  \set owner_role sk_sync_owner
\endif
\if :{?user_role}
\else
  \set user_role sk_sync_user
\endif

-- 1. The schema owner: owns the tables, cannot log in. Only an admin (or a
--    deliberately granted migration role) can become it, via SET ROLE.
CREATE ROLE :"owner_role" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;

-- 2. The group every sk user belongs to; privileges are granted to it, never to
--    individual users. NOLOGIN, no BYPASSRLS.
CREATE ROLE :"user_role" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;

-- 3. Database level: the owner may create the sk_sync schema; users may connect.
SELECT format('GRANT CREATE, CONNECT ON DATABASE %I TO %I', current_database(), :'owner_role') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'user_role') \gexec
-- Optional hardening (may affect other users of the database):
--   REVOKE CONNECT, TEMPORARY ON DATABASE <db> FROM PUBLIC;
-- NOTE: ALTER ROLE ... SET on the group role would NOT reach its members (role
-- settings are not inherited), so session limits are set per user below.

-- 4. Let the admin role running this become the owner (to run remote.sql and
--    future migrations). If sk should migrate by itself, grant the owner role to
--    a dedicated migration login instead of to users.
SELECT format('GRANT %I TO %I', :'owner_role', current_user) \gexec

-- ------------------------------------------------------------------ add a user
-- Per person (one PostgreSQL role per user), after remote.sql has run:
--
--   CREATE ROLE alice LOGIN PASSWORD '...' NOSUPERUSER NOBYPASSRLS;  -- or cert/SCRAM via pg_hba
--   GRANT sk_sync_user TO alice;                                      -- privileges (inherited)
--   -- a crashed/idle client must not hold back every puller (NOTES: pull horizon):
--   ALTER ROLE alice SET idle_in_transaction_session_timeout = '60s';
--   ALTER ROLE alice SET statement_timeout = '120s';
--   SET ROLE sk_sync_owner;
--   INSERT INTO sk_sync.teams (team) VALUES ('team-a') ON CONFLICT DO NOTHING;
--   INSERT INTO sk_sync.memberships (team, member) VALUES ('team-a', 'alice')
--          ON CONFLICT DO NOTHING;
--   RESET ROLE;
--
-- Remove from a team (pushes stop at once; rows already pushed stay):
--   SET ROLE sk_sync_owner;
--   DELETE FROM sk_sync.memberships WHERE team = 'team-a' AND member = 'alice';
--   RESET ROLE;
-- Remove the person entirely: REVOKE sk_sync_user FROM alice; (then DROP ROLE alice
-- after reassigning nothing: users own no objects in sk_sync).
--
-- The user then runs, on each machine:  sk sync setup postgres://alice@host/DB --team team-a
