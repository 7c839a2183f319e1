-- A menu version that never comes back (docs/DESIGN.md, "Menu and availability"). It used to count edits,
-- so a restore took it back and later edits landed again on versions an app had cached with
-- other prices. Now each change takes the database clock in microseconds (or one more than the
-- last version, whichever is larger): a restored version is older than any version cached
-- after the backup, and every edit after a restore is newer than all of them.
CREATE OR REPLACE FUNCTION menu_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
BEGIN
    UPDATE pizzeria_settings
       SET menu_version = greatest(menu_version + 1,
                                   (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
     WHERE tenant_id = t;
    RETURN NULL;
END $$;
