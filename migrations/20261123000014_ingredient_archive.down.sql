DELETE FROM ingredients WHERE archived_at IS NOT NULL
    AND NOT EXISTS (SELECT FROM stock_movements m WHERE m.tenant_id = ingredients.tenant_id AND m.ingredient_id = ingredients.id);
DROP INDEX ingredients_live_name_key;
ALTER TABLE ingredients ADD CONSTRAINT ingredients_tenant_id_name_key UNIQUE (tenant_id, name);
ALTER TABLE ingredients DROP COLUMN archived_at;
