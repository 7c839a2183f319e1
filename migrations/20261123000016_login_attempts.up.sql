-- Login attempts of the last minute, per email and per client address (docs/DESIGN.md, "Admin
-- API tokens"): kept in the database so the throttle holds across replicas and across the two
-- servers (a 429 from the app is a 429 from the admin API). The worker's daily pruning forgets
-- old rows; each check forgets its own key's.
CREATE TABLE ops.login_attempts (
    key text        NOT NULL,
    at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX login_attempts_key_at_idx ON ops.login_attempts (key, at);
GRANT SELECT, INSERT, DELETE ON ops.login_attempts TO ocpizza_runtime;
