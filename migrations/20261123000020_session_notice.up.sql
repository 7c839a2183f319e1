-- When a session ends (logout, a password change, a revoked device), the open event streams of
-- its person re-check their subscriber at once (docs/DESIGN.md, "Real time"): an access notice
-- without a pizzeria, for that person.
CREATE FUNCTION notify_session_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ocpizza_events',
        json_build_object('type', 'access', 'tenant', NULL, 'user', NEW.user_id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER sessions_end AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION notify_session_end();
