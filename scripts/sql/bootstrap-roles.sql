-- Creates the two database roles of OC Pizza (docs/ARCHITECTURE.md, "Database roles") and the
-- database itself. Run as a superuser once per cluster, with psql variables:
--   psql -v owner=ocpizza_owner -v owner_password=... -v app=ocpizza_app -v app_password=... \
--        -v database=ocpizza -f scripts/sql/bootstrap-roles.sql
-- Idempotent: re-running it updates passwords and attributes and creates what is missing.
--
--  ocpizza_runtime  NOLOGIN group role that migrations grant table privileges to.
--  :owner           owns the schema, runs migrations, backups, cross-tenant reads (BYPASSRLS).
--  :app             the login role of the request path: member of ocpizza_runtime, nothing more.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT format('CREATE ROLE ocpizza_runtime NOLOGIN')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ocpizza_runtime') \gexec

SELECT format('CREATE ROLE %I LOGIN', :'owner')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER CREATEDB BYPASSRLS NOCREATEROLE PASSWORD %L',
              :'owner', :'owner_password') \gexec

SELECT format('CREATE ROLE %I LOGIN', :'app')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOBYPASSRLS NOCREATEROLE PASSWORD %L',
              :'app', :'app_password') \gexec
SELECT format('GRANT ocpizza_runtime TO %I', :'app') \gexec

SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
WHERE :'database' <> '' AND NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
