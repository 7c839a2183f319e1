-- A session is one login (of a person) or one paired device: every access token names its
-- session (`sid`), and every request checks that the session is neither revoked nor past its
-- absolute end, so logout, a password change or a revoked device take effect at once
-- (docs/DESIGN.md, "Sessions"). The refresh tokens of a session are its rotating family.
CREATE TABLE sessions (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    audience    text NOT NULL CHECK (audience IN ('app', 'admin')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- The absolute end: refreshing never moves it.
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;
REVOKE DELETE ON sessions FROM ocpizza_runtime;

-- Every login so far becomes a session: it ends when its last refresh token would have.
INSERT INTO sessions (id, user_id, audience, created_at, expires_at, revoked_at)
SELECT family_id,
       (array_agg(user_id))[1],
       (array_agg(audience))[1],
       min(created_at),
       greatest(max(expires_at), min(created_at) + interval '1 second'),
       CASE WHEN bool_and(revoked_at IS NOT NULL) THEN max(revoked_at) END
FROM refresh_tokens
GROUP BY family_id;

ALTER TABLE refresh_tokens
    ADD CONSTRAINT refresh_tokens_session_fkey
    FOREIGN KEY (family_id) REFERENCES sessions (id) ON DELETE CASCADE;
