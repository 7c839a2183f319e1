CREATE OR REPLACE FUNCTION menu_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
BEGIN
    UPDATE pizzeria_settings SET menu_version = menu_version + 1 WHERE tenant_id = t;
    RETURN NULL;
END $$;
