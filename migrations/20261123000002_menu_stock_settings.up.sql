-- Menu, ingredient stock and pizzeria operating settings (all tenant-owned, RLS forced).

-- Operating settings: one row per pizzeria. menu_version changes with any menu change, so
-- every replica's menu cache knows when it is stale without being told.
CREATE TABLE pizzeria_settings (
    tenant_id                  uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    online_paused              boolean NOT NULL DEFAULT false,
    pause_message              text NOT NULL DEFAULT '',
    busy_extra_minutes         integer NOT NULL DEFAULT 0 CHECK (busy_extra_minutes BETWEEN 0 AND 240),
    slot_minutes               integer NOT NULL DEFAULT 15 CHECK (slot_minutes BETWEEN 5 AND 120),
    max_orders_per_slot        integer NOT NULL DEFAULT 8 CHECK (max_orders_per_slot BETWEEN 1 AND 1000),
    default_delivery_fee_cents integer NOT NULL DEFAULT 300 CHECK (default_delivery_fee_cents >= 0),
    min_delivery_order_cents   integer NOT NULL DEFAULT 1500 CHECK (min_delivery_order_cents >= 0),
    avg_prep_minutes           integer NOT NULL DEFAULT 20 CHECK (avg_prep_minutes BETWEEN 1 AND 240),
    avg_delivery_minutes       integer NOT NULL DEFAULT 20 CHECK (avg_delivery_minutes BETWEEN 1 AND 240),
    legal_name                 text NOT NULL DEFAULT '',
    siret                      text NOT NULL DEFAULT '',
    vat_number                 text NOT NULL DEFAULT '',
    menu_version               bigint NOT NULL DEFAULT 1,
    updated_at                 timestamptz NOT NULL DEFAULT now()
);

-- VAT rate per class, in basis points (1000 = 10 %).
CREATE TABLE vat_rates (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    vat_class  text NOT NULL CHECK (vat_class ~ '^[a-z_]{2,32}$'),
    rate_bp    integer NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
    label      text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, vat_class)
);

-- Weekly opening periods in the pizzeria's timezone. closes <= opens runs past midnight; the
-- period belongs to the weekday it opens on (the service day).
CREATE TABLE opening_hours (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id        uuid NOT NULL,
    weekday   smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
    opens     time NOT NULL,
    closes    time NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- A date's exceptions: a row without times closes the whole service day; rows with times
-- replace that day's weekly periods.
CREATE TABLE opening_exceptions (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id        uuid NOT NULL,
    day       date NOT NULL,
    opens     time,
    closes    time,
    note      text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    CHECK ((opens IS NULL) = (closes IS NULL))
);
CREATE INDEX opening_exceptions_day_idx ON opening_exceptions (tenant_id, day);

CREATE TABLE delivery_zones (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    postcode  text NOT NULL CHECK (postcode ~ '^[0-9A-Z -]{2,10}$'),
    fee_cents integer CHECK (fee_cents >= 0), -- NULL: the default delivery fee
    PRIMARY KEY (tenant_id, postcode)
);

CREATE TABLE categories (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id        uuid NOT NULL,
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    position  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE products (
    tenant_id      uuid NOT NULL,
    id             uuid NOT NULL,
    category_id    uuid NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('pizza', 'drink', 'dessert')),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    description    text NOT NULL DEFAULT '',
    allergens      text[] NOT NULL DEFAULT '{}',
    image_key      text,
    active         boolean NOT NULL DEFAULT true,
    position       integer NOT NULL DEFAULT 0,
    vat_class      text NOT NULL,
    sold_out       boolean NOT NULL DEFAULT false,
    sold_out_until timestamptz, -- with sold_out: until then; NULL: until further notice
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id),
    FOREIGN KEY (tenant_id, vat_class) REFERENCES vat_rates (tenant_id, vat_class)
);

CREATE TABLE product_sizes (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL,
    product_id  uuid NOT NULL,
    code        text NOT NULL CHECK (code ~ '^[a-z0-9_-]{1,20}$'),
    label       text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents > 0 AND price_cents <= 100000),
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, product_id, code),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);

-- Extras a customer may add to a pizza.
CREATE TABLE extras (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    price_cents integer NOT NULL CHECK (price_cents >= 0 AND price_cents <= 10000),
    active      boolean NOT NULL DEFAULT true,
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- Quantities are integers in the ingredient's unit (g, ml or piece).
CREATE TABLE ingredients (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    unit             text NOT NULL CHECK (unit IN ('g', 'ml', 'piece')),
    quantity_on_hand bigint NOT NULL DEFAULT 0 CHECK (quantity_on_hand >= 0),
    alert_threshold  bigint NOT NULL DEFAULT 0 CHECK (alert_threshold >= 0),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE recipe_items (
    tenant_id     uuid NOT NULL,
    size_id       uuid NOT NULL,
    ingredient_id uuid NOT NULL,
    quantity      bigint NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (tenant_id, size_id, ingredient_id),
    FOREIGN KEY (tenant_id, size_id) REFERENCES product_sizes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, ingredient_id) REFERENCES ingredients (tenant_id, id)
);

CREATE TABLE extra_recipe_items (
    tenant_id     uuid NOT NULL,
    extra_id      uuid NOT NULL,
    ingredient_id uuid NOT NULL,
    quantity      bigint NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (tenant_id, extra_id, ingredient_id),
    FOREIGN KEY (tenant_id, extra_id) REFERENCES extras (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, ingredient_id) REFERENCES ingredients (tenant_id, id)
);

-- The stock ledger: append-only. Inserting a movement moves quantity_on_hand by its delta
-- (trigger below), so the quantity on hand is always the sum of the movements, and the CHECK on
-- ingredients refuses any movement that would make it negative.
CREATE TABLE stock_movements (
    tenant_id     uuid NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    ingredient_id uuid NOT NULL,
    delta         bigint NOT NULL CHECK (delta <> 0),
    reason        text NOT NULL CHECK (reason IN ('order', 'cancellation', 'modification', 'restock', 'waste', 'inventory')),
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    order_id      uuid,
    note          text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ingredient_id) REFERENCES ingredients (tenant_id, id)
);
CREATE INDEX stock_movements_ingredient_idx ON stock_movements (tenant_id, ingredient_id, id);
REVOKE UPDATE, DELETE ON stock_movements FROM ocpizza_runtime;

CREATE FUNCTION stock_movement_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ingredients SET quantity_on_hand = quantity_on_hand + NEW.delta
    WHERE tenant_id = NEW.tenant_id AND id = NEW.ingredient_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ingredient % not found', NEW.ingredient_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER stock_movement_apply AFTER INSERT ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movement_apply();

-- Any change to what the menu shows bumps the pizzeria's menu_version.
CREATE FUNCTION menu_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
BEGIN
    UPDATE pizzeria_settings SET menu_version = menu_version + 1 WHERE tenant_id = t;
    RETURN NULL;
END $$;
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON categories FOR EACH ROW EXECUTE FUNCTION menu_touch();
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON products FOR EACH ROW EXECUTE FUNCTION menu_touch();
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON product_sizes FOR EACH ROW EXECUTE FUNCTION menu_touch();
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON extras FOR EACH ROW EXECUTE FUNCTION menu_touch();
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON recipe_items FOR EACH ROW EXECUTE FUNCTION menu_touch();
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON extra_recipe_items FOR EACH ROW EXECUTE FUNCTION menu_touch();
CREATE TRIGGER menu_touch AFTER INSERT OR UPDATE OR DELETE ON vat_rates FOR EACH ROW EXECUTE FUNCTION menu_touch();
-- Renaming an ingredient changes recipe memos, not the menu; quantity changes never do.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pizzeria_settings', 'vat_rates', 'opening_hours', 'opening_exceptions',
                             'delivery_zones', 'categories', 'products', 'product_sizes', 'extras',
                             'ingredients', 'recipe_items', 'extra_recipe_items', 'stock_movements']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END $$;

-- Every existing pizzeria gets its settings and the French VAT classes.
INSERT INTO pizzeria_settings (tenant_id) SELECT id FROM tenants;
INSERT INTO vat_rates (tenant_id, vat_class, rate_bp, label)
SELECT t.id, v.vat_class, v.rate_bp, v.label
FROM tenants t CROSS JOIN (VALUES
    ('food', 1000, 'Restauration à emporter ou livrée (10 %)'),
    ('soft_drink', 1000, 'Boissons sans alcool à consommer immédiatement (10 %)'),
    ('alcohol', 2000, 'Boissons alcoolisées (20 %)')
) AS v (vat_class, rate_bp, label);
