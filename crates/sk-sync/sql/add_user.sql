
-- ------------------------------------------------------------------ add a user
-- One PostgreSQL role per person. Set a password (or use certificates through
-- pg_hba.conf) yourself: ALTER ROLE {user} PASSWORD '...';
DO $sk$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {user_lit}) THEN
        CREATE ROLE {user} LOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$sk$;
GRANT {users} TO {user};
-- A crashed or idle client must not hold back every puller (role settings are not
-- inherited from the group, so they are set per user).
ALTER ROLE {user} SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE {user} SET statement_timeout = '120s';
SET ROLE {owner};
INSERT INTO sk_sync.teams (team) VALUES ({team_lit}) ON CONFLICT DO NOTHING;
INSERT INTO sk_sync.memberships (team, member) VALUES ({team_lit}, {user_lit}) ON CONFLICT DO NOTHING;
RESET ROLE;
-- Remove from the team later (pushes and reads stop at once; rows already pushed stay):
--   SET ROLE {owner};
--   DELETE FROM sk_sync.memberships WHERE team = {team_lit} AND member = {user_lit};
--   RESET ROLE;
-- The user then runs, on each machine:
--   sk sync setup 'postgres://USER@HOST/DB' --team TEAM
