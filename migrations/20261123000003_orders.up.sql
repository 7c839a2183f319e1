-- Orders, their lines and events, order numbers, idempotency keys, saved addresses.

CREATE TABLE orders (
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    uuid NOT NULL,
    service_day           date NOT NULL,
    number                integer NOT NULL CHECK (number > 0),
    channel               text NOT NULL CHECK (channel IN ('web', 'phone', 'counter')),
    fulfilment            text NOT NULL CHECK (fulfilment IN ('delivery', 'takeaway')),
    status                text NOT NULL CHECK (status IN ('pending_payment', 'received', 'preparing', 'ready',
                              'out_for_delivery', 'delivered', 'picked_up', 'cancelled', 'returned')),
    -- Who: a signed-in customer, or a guest / walk-in (contact only).
    customer_id           uuid REFERENCES users (id),
    is_guest              boolean NOT NULL DEFAULT false,
    contact_name          text NOT NULL,
    contact_phone         text NOT NULL,
    contact_email         text,
    placed_by             uuid REFERENCES users (id), -- staff who took a phone/counter order
    -- Delivery address snapshot.
    delivery_line         text,
    delivery_postcode     text,
    delivery_city         text,
    delivery_instructions text,
    delivery_lat          double precision,
    delivery_lon          double precision,
    -- When: as soon as possible, or a slot.
    requested_slot_start  timestamptz,
    requested_slot_end    timestamptz,
    slot_start            timestamptz, -- the slot the order counts against (capacity)
    estimated_at          timestamptz NOT NULL, -- ready (takeaway) or delivered (delivery)
    -- Money, in cents, VAT included; vat = [{rate_bp, base_cents, vat_cents}].
    payment_method        text NOT NULL CHECK (payment_method IN ('cash', 'card', 'online')),
    payment_status        text NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('unpaid', 'paid', 'refunded')),
    subtotal_cents        bigint NOT NULL CHECK (subtotal_cents >= 0),
    delivery_fee_cents    bigint NOT NULL CHECK (delivery_fee_cents >= 0),
    total_cents           bigint NOT NULL CHECK (total_cents >= 0),
    vat                   jsonb NOT NULL,
    note                  text NOT NULL DEFAULT '',
    tracking_token        text NOT NULL UNIQUE,
    -- Timestamps of each status.
    placed_at             timestamptz NOT NULL DEFAULT now(),
    preparing_at          timestamptz,
    ready_at              timestamptz,
    out_for_delivery_at   timestamptz,
    delivered_at          timestamptz,
    picked_up_at          timestamptz,
    cancelled_at          timestamptz,
    returned_at           timestamptz,
    cancel_reason         text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, service_day, number),
    CHECK (fulfilment = 'takeaway' OR (delivery_line IS NOT NULL AND delivery_postcode IS NOT NULL)),
    CHECK ((requested_slot_start IS NULL) = (requested_slot_end IS NULL))
);
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX orders_day_idx ON orders (tenant_id, service_day, status);
CREATE INDEX orders_slot_idx ON orders (tenant_id, slot_start) WHERE slot_start IS NOT NULL;

CREATE TABLE order_lines (
    tenant_id        uuid NOT NULL,
    order_id         uuid NOT NULL,
    line_no          smallint NOT NULL,
    customer_id      uuid,
    product_id       uuid NOT NULL, -- snapshot: no FK, a product may leave the menu
    size_id          uuid NOT NULL,
    product_name     text NOT NULL,
    size_label       text NOT NULL,
    kind             text NOT NULL,
    extras           jsonb NOT NULL DEFAULT '[]', -- [{id, name, price_cents}]
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 50),
    unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
    vat_rate_bp      integer NOT NULL,
    line_total_cents bigint NOT NULL CHECK (line_total_cents >= 0),
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);

-- Every status change (the first one: placement), ordered by commit.
CREATE TABLE order_events (
    tenant_id     uuid NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    order_id      uuid NOT NULL,
    customer_id   uuid,
    from_status   text,
    to_status     text NOT NULL,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_role    text NOT NULL, -- customer, guest, owner, manager, cashier, pizzaiolo, driver, system
    reason        text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX order_events_order_idx ON order_events (tenant_id, order_id, id);
REVOKE UPDATE, DELETE ON order_events FROM ocpizza_runtime;

-- Human order numbers per pizzeria and service day.
CREATE TABLE order_counters (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    service_day date NOT NULL,
    last_number integer NOT NULL,
    PRIMARY KEY (tenant_id, service_day)
);

-- Idempotency-Key of POSTs, scoped to (pizzeria, principal, key); kept 24 h at least.
CREATE TABLE idempotency_keys (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    principal     text NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  bytea NOT NULL,
    -- Set before the first request commits: another request never sees them empty.
    status_code   smallint,
    response_body jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, principal, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- Stock movements may now point to their order.
ALTER TABLE stock_movements
    ADD CONSTRAINT stock_movements_order_fk FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_lines', 'order_events', 'order_counters', 'idempotency_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
    -- A customer reads their own orders in every pizzeria (DESIGN §9); writes go through the tenant policy.
    FOREACH t IN ARRAY ARRAY['orders', 'order_lines', 'order_events']
    LOOP
        EXECUTE format('CREATE POLICY own_orders ON %I FOR SELECT USING (customer_id = app_user_id())', t);
    END LOOP;
END $$;

-- Global, per account: a signed-in customer's saved delivery addresses (their own rows only).
CREATE TABLE customer_addresses (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        text NOT NULL DEFAULT '',
    line         text NOT NULL,
    postcode     text NOT NULL,
    city         text NOT NULL,
    instructions text NOT NULL DEFAULT '',
    latitude     double precision,
    longitude    double precision,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_addresses_user_idx ON customer_addresses (user_id);
ALTER TABLE customer_addresses ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_addresses FORCE ROW LEVEL SECURITY;
CREATE POLICY own_addresses ON customer_addresses
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
