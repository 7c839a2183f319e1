-- Foundation: tenants, accounts, memberships, refresh tokens, audit logs; privileges and RLS.
-- Runs as the owner role. The runtime role reaches tables only through the NOLOGIN group role
-- ocpizza_runtime, created beforehand by scripts/sql/bootstrap-roles.sql.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ocpizza_runtime') THEN
        RAISE EXCEPTION 'role ocpizza_runtime does not exist: run scripts/sql/bootstrap-roles.sql as a superuser first (docs/OPERATIONS.md)';
    END IF;
END $$;

-- Every table and sequence this role creates from now on is usable by the runtime role; global
-- tables then take back what the request path must not do.
ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ocpizza_runtime;
ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO ocpizza_runtime;
GRANT SELECT ON _sqlx_migrations TO ocpizza_runtime;

-- The tenant of the current transaction, NULL when none is set (DESIGN §3: a pooled connection
-- reads '' after a transaction-local set_config, hence nullif).
CREATE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

-- Global: one row per pizzeria.
CREATE TABLE tenants (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    address_line text NOT NULL DEFAULT '',
    postcode     text NOT NULL DEFAULT '',
    city         text NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    latitude     double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude    double precision CHECK (longitude BETWEEN -180 AND 180),
    timezone     text NOT NULL DEFAULT 'Europe/Paris',
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON tenants FROM ocpizza_runtime;

-- Global: accounts are shared by every pizzeria (a customer orders from several).
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
    password_hash text,
    name          text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    locale        text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
REVOKE DELETE ON users FROM ocpizza_runtime;

-- Global: the group's platform administrators.
CREATE TABLE platform_admins (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON platform_admins FROM ocpizza_runtime;

-- Global: rotating refresh tokens, stored as SHA-256 of the token; a family is one login.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    audience    text NOT NULL CHECK (audience IN ('app', 'admin')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
REVOKE DELETE ON refresh_tokens FROM ocpizza_runtime;

-- Global: platform administrators' actions.
CREATE TABLE platform_audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action        text NOT NULL,
    target        text NOT NULL DEFAULT '',
    details       jsonb NOT NULL DEFAULT '{}',
    at            timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON platform_audit_log FROM ocpizza_runtime;

-- Tenant-owned: who works in which pizzeria, with which role.
CREATE TABLE memberships (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('owner', 'manager', 'cashier', 'pizzaiolo', 'driver')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, role)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Tenant-owned: a pizzeria's own actions.
CREATE TABLE tenant_audit_log (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action        text NOT NULL,
    target        text NOT NULL DEFAULT '',
    details       jsonb NOT NULL DEFAULT '{}',
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
REVOKE UPDATE, DELETE ON tenant_audit_log FROM ocpizza_runtime;

-- Row-level security (DESIGN §3) on every tenant-owned table.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
-- A signed-in user reads their own memberships in every pizzeria (login, /me); read-only.
CREATE POLICY own_memberships ON memberships FOR SELECT USING (user_id = app_user_id());

ALTER TABLE tenant_audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_audit_log
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
