-- Backups registry and maintenance mode: operational state, in the ops schema that a restore
-- leaves as it is (DESIGN §9).

CREATE TABLE ops.backups (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('scheduled', 'manual', 'safety', 'pre_migration')),
    file_name    text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    bytes        bigint,
    sha256       text,
    local_path   text,
    s3_key       text,
    local_ok     boolean NOT NULL DEFAULT false,
    s3_ok        boolean NOT NULL DEFAULT false,
    outcome      text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'failed')),
    error        text,
    manifest     jsonb,
    verified_at  timestamptz,
    verify_error text,
    pruned_at    timestamptz
);
CREATE UNIQUE INDEX backups_file_name_key ON ops.backups (file_name);
CREATE INDEX backups_started_idx ON ops.backups (started_at DESC);

-- One row: while enabled, the app API answers 503 with the message.
CREATE TABLE ops.maintenance (
    id         smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    enabled    boolean NOT NULL DEFAULT false,
    message    text NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by text NOT NULL DEFAULT ''
);
INSERT INTO ops.maintenance (id) VALUES (1);

-- The request path reads the maintenance flag, and nothing else of ops.
GRANT USAGE ON SCHEMA ops TO ocpizza_runtime;
REVOKE ALL ON ALL TABLES IN SCHEMA ops FROM ocpizza_runtime;
GRANT SELECT ON ops.maintenance TO ocpizza_runtime;
