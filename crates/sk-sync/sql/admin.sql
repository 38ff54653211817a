-- sk sync: what an administrator runs ONCE per PostgreSQL database, printed by
-- `sk sync print-admin-sql` (this part, then the remote schema, then the user's part).
-- Its design and proof: docs/design/sync/NOTES.md. Run the whole output as a superuser or
-- a role with CREATEROLE that owns the database, in one transaction:
--   sk sync print-admin-sql --team TEAM --user ROLE | psql -d DB -v ON_ERROR_STOP=1 -1 -f -
-- Re-running it is safe: every step checks first.

-- 1. The schema owner: owns the tables, cannot log in. Only an admin (or a deliberately
--    granted migration role) can become it, via SET ROLE.
-- 2. The group every sk user belongs to; privileges go to it, never to single users.
--    Neither role may ever have SUPERUSER or BYPASSRLS: both skip row-level security.
DO $sk$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {owner_lit}) THEN
        CREATE ROLE {owner} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {users_lit}) THEN
        CREATE ROLE {users} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    -- 3. Database level: the owner may create the sk_sync schema; users may connect.
    --    (Optional hardening, which may affect other users of the database:
    --    REVOKE CONNECT, TEMPORARY ON DATABASE <db> FROM PUBLIC.)
    EXECUTE format('GRANT CREATE, CONNECT ON DATABASE %I TO %I', current_database(), {owner_lit});
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), {users_lit});
END
$sk$;

-- 4. The admin running this may become the owner (to create the schema below and run
--    future migrations). To let sk migrate by itself, grant the owner role to a dedicated
--    migration login instead of to users.
GRANT {owner} TO CURRENT_USER;
