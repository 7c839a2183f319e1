-- A person's second factor: a TOTP secret, confirmed once a code from it was given back, and the
-- last step used (a code works once). Required of platform administrators, open to everyone
-- (docs/DESIGN.md, "Sessions").
CREATE TABLE totp_factors (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       bytea NOT NULL CHECK (length(secret) BETWEEN 16 AND 64),
    created_at   timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    last_step    bigint
);
