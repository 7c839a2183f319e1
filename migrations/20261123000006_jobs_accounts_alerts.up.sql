-- Background work: schedules that run once, account tokens, staff invitations, stock alerts.

-- Operational state lives in its own schema (DESIGN §9): a restore leaves it as it is.
CREATE SCHEMA ops;
CREATE TABLE ops.scheduled_runs (
    schedule      text NOT NULL,
    scheduled_for timestamptz NOT NULL,
    worker        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    executions    integer NOT NULL DEFAULT 0,
    outcome       text CHECK (outcome IN ('ok', 'failed')),
    error         text,
    -- The row is the run: whoever inserts it first runs it, every other worker skips it.
    PRIMARY KEY (schedule, scheduled_for)
);

-- Global: single-use, expiring tokens sent by email (SHA-256 stored).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
CREATE TABLE account_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
REVOKE DELETE ON account_tokens FROM ocpizza_runtime;

-- Tenant-owned: invitations to join a pizzeria's staff.
CREATE TABLE invitations (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL,
    email       text NOT NULL CHECK (email = lower(email)),
    role        text NOT NULL CHECK (role IN ('owner', 'manager', 'cashier', 'pizzaiolo', 'driver')),
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Tenant-owned: one row per crossing of an ingredient's alert threshold (an outbox: the worker
-- sends the alert and stamps notified_at, in one transaction).
CREATE TABLE stock_alerts (
    tenant_id     uuid NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    ingredient_id uuid NOT NULL,
    quantity      bigint NOT NULL,
    threshold     bigint NOT NULL,
    reason        text NOT NULL DEFAULT 'crossed' CHECK (reason IN ('crossed', 'still_low')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    notified_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ingredient_id) REFERENCES ingredients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX stock_alerts_pending_idx ON stock_alerts (id) WHERE notified_at IS NULL;

CREATE FUNCTION stock_threshold_crossed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.quantity_on_hand > OLD.alert_threshold AND NEW.quantity_on_hand <= NEW.alert_threshold THEN
        INSERT INTO stock_alerts (tenant_id, ingredient_id, quantity, threshold)
        VALUES (NEW.tenant_id, NEW.id, NEW.quantity_on_hand, NEW.alert_threshold);
        PERFORM pg_notify('ocpizza_stock_alerts', NEW.tenant_id::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stock_threshold_crossed AFTER UPDATE OF quantity_on_hand ON ingredients
    FOR EACH ROW EXECUTE FUNCTION stock_threshold_crossed();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['invitations', 'stock_alerts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;
