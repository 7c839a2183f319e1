-- A pizzeria's shared devices (the kitchen tablet, the counter till, a driver's phone): each is
-- an account of its own with one staff role here and no password, signed in by a device session
-- an owner or manager opens, names and can revoke. Device sessions follow the rules of every
-- session (an absolute end, the idle limit, a check on each request), with their own, longer,
-- absolute lifetime (docs/DESIGN.md, "Sessions").
CREATE TABLE devices (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    role       text NOT NULL CHECK (role IN ('cashier', 'pizzaiolo', 'driver')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (user_id)
);
REVOKE DELETE ON devices FROM ocpizza_runtime;
ALTER TABLE devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE devices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON devices
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
