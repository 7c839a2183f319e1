-- What a pizzeria's public menu document depends on, read in one statement (docs/DESIGN.md,
-- "Menu and availability"): the pizzeria of a slug and its status, its menu version and the
-- quantity on hand of each of its ingredients. The function sets the transaction's tenant
-- itself before it reads settings and ingredients, so their row-level security applies as it
-- does to every tenant read; it runs with the caller's rights (no SECURITY DEFINER).
-- No row: no pizzeria has that slug.
CREATE FUNCTION menu_state(p_slug text)
RETURNS TABLE (tenant_id uuid, status text, menu_version bigint,
               ingredient_ids uuid[], quantities bigint[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE slug = p_slug;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM set_config('app.tenant_id', t.id::text, true);
    RETURN QUERY
        SELECT t.id, t.status, s.menu_version,
               coalesce((SELECT array_agg(i.id ORDER BY i.id) FROM ingredients i
                          WHERE i.tenant_id = t.id), '{}'),
               coalesce((SELECT array_agg(i.quantity_on_hand ORDER BY i.id) FROM ingredients i
                          WHERE i.tenant_id = t.id), '{}')
          FROM pizzeria_settings s
         WHERE s.tenant_id = t.id;
END $$;
