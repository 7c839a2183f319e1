-- The admin API: offboarding pizzerias, the group menu, product images.

-- Offboarding: the export is taken, the pizzeria is closed to everyone, and the worker deletes its
-- data once `offboard_after` has passed.
ALTER TABLE tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check
    CHECK (status IN ('active', 'suspended', 'offboarding'));
ALTER TABLE tenants ADD COLUMN offboard_after timestamptz;
ALTER TABLE tenants ADD COLUMN offboard_export text;
ALTER TABLE tenants ADD CONSTRAINT tenants_offboarding_check
    CHECK ((status = 'offboarding') = (offboard_after IS NOT NULL));

-- Deletes everything a pizzeria owns, then the pizzeria: every table with a tenant_id, in
-- whatever order the foreign keys allow (a table still referenced is retried on the next pass).
CREATE FUNCTION purge_tenant(t uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r record;
    blocked int;
    passes int := 0;
BEGIN
    LOOP
        blocked := 0;
        FOR r IN SELECT c.relname FROM pg_class c
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                 ORDER BY c.relname
        LOOP
            BEGIN
                EXECUTE format('DELETE FROM public.%I WHERE tenant_id = $1', r.relname) USING t;
            EXCEPTION WHEN foreign_key_violation THEN
                blocked := blocked + 1;
            END;
        END LOOP;
        EXIT WHEN blocked = 0;
        passes := passes + 1;
        IF passes > 20 THEN
            RAISE EXCEPTION 'purge_tenant: the rows of % could not all be deleted', t;
        END IF;
    END LOOP;
    DELETE FROM tenants WHERE id = t;
END $$;
REVOKE EXECUTE ON FUNCTION purge_tenant(uuid) FROM PUBLIC;

-- The group menu: products defined once by the group, pushed to every pizzeria. Recipes name
-- ingredients (name and unit), which each pizzeria has its own rows for.
CREATE TABLE group_products (
    id          uuid PRIMARY KEY,
    category    text NOT NULL CHECK (length(category) BETWEEN 1 AND 80),
    kind        text NOT NULL CHECK (kind IN ('pizza', 'drink', 'dessert')),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    description text NOT NULL DEFAULT '',
    allergens   text[] NOT NULL DEFAULT '{}',
    vat_class   text NOT NULL,
    -- [{code, label, price_cents, recipe: [{ingredient, unit, quantity}]}]
    sizes       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON group_products FROM ocpizza_runtime;

-- A pizzeria's copy of a group product: it keeps its own prices and may hide it (active).
ALTER TABLE products ADD COLUMN group_product_id uuid REFERENCES group_products (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX products_group_product_idx ON products (tenant_id, group_product_id)
    WHERE group_product_id IS NOT NULL;
