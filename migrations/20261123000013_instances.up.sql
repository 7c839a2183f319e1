-- The running servers, as they report themselves (docs/DESIGN.md, "Backups and restores"): each
-- `ocpizza-app` and `ocpizza-admin serve` reads the maintenance flag twice a second and writes
-- here when it last did, and for which switch-on (`ops.maintenance.changed_at`) it has stopped
-- taking requests with none left in flight. A restore waits for every live one.
CREATE TABLE ops.instances (
    id          text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('app', 'admin')),
    seen_at     timestamptz NOT NULL,
    drained_for timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON ops.instances TO ocpizza_runtime;
