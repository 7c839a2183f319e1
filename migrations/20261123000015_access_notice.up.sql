-- Who may follow a pizzeria's event streams changes with its staff (added, role changed,
-- removed) and its status (suspended, offboarded): announce it on the events channel, so every
-- open stream of that pizzeria re-checks its subscriber and closes if they may no longer see it
-- (docs/DESIGN.md, "Real time").
CREATE FUNCTION notify_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t uuid;
    u uuid;
BEGIN
    IF TG_TABLE_NAME = 'memberships' THEN
        t := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
        u := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
    ELSE
        t := NEW.id;
        u := NULL;
    END IF;
    PERFORM pg_notify('ocpizza_events',
        json_build_object('type', 'access', 'tenant', t, 'user', u)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_access AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION notify_access_change();
CREATE TRIGGER tenants_access AFTER UPDATE ON tenants
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.offboard_after IS DISTINCT FROM NEW.offboard_after)
    EXECUTE FUNCTION notify_access_change();
