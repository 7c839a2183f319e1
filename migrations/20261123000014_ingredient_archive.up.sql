-- An ingredient with stock history cannot be deleted (its movements are the ledger), so deleting
-- it archives it (docs/DESIGN.md, "Stock"): hidden from the lists, not usable in a recipe or by
-- hand, its name free for a new ingredient; its history stays readable.
ALTER TABLE ingredients ADD COLUMN archived_at timestamptz;
ALTER TABLE ingredients DROP CONSTRAINT ingredients_tenant_id_name_key;
CREATE UNIQUE INDEX ingredients_live_name_key ON ingredients (tenant_id, name) WHERE archived_at IS NULL;
