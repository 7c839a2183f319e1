-- Real time and delivery: event kinds, drivers' positions, NOTIFY on every event.

ALTER TABLE order_events
    ADD COLUMN kind text NOT NULL DEFAULT 'status' CHECK (kind IN ('status', 'modified', 'assigned'));
UPDATE order_events SET kind = 'modified' WHERE from_status = to_status;

-- A driver's positions while an order is out for delivery (deleted when it arrives or returns).
CREATE TABLE delivery_positions (
    tenant_id   uuid NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    order_id    uuid NOT NULL,
    customer_id uuid,
    driver_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    accuracy_m  real NOT NULL CHECK (accuracy_m >= 0),
    recorded_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX delivery_positions_order_idx ON delivery_positions (tenant_id, order_id, id);
ALTER TABLE delivery_positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_positions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON delivery_positions
    USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY own_orders ON delivery_positions FOR SELECT USING (customer_id = app_user_id());

-- Every order event and position is announced to every app instance (LISTEN ocpizza_events),
-- on commit only: a rolled-back change announces nothing.
CREATE FUNCTION notify_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o record;
BEGIN
    SELECT number, fulfilment, driver_id, estimated_at INTO o
    FROM orders WHERE tenant_id = NEW.tenant_id AND id = NEW.order_id;
    PERFORM pg_notify('ocpizza_events', json_build_object(
        'type', 'order', 'id', NEW.id, 'tenant', NEW.tenant_id, 'order', NEW.order_id,
        'customer', NEW.customer_id, 'kind', NEW.kind, 'from', NEW.from_status, 'to', NEW.to_status,
        'role', NEW.actor_role, 'at', NEW.at, 'number', o.number, 'fulfilment', o.fulfilment,
        'driver', o.driver_id, 'estimated_at', o.estimated_at)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER notify_order_event AFTER INSERT ON order_events
    FOR EACH ROW EXECUTE FUNCTION notify_order_event();

CREATE FUNCTION notify_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ocpizza_events', json_build_object(
        'type', 'position', 'tenant', NEW.tenant_id, 'order', NEW.order_id, 'customer', NEW.customer_id,
        'latitude', NEW.latitude, 'longitude', NEW.longitude, 'accuracy_m', NEW.accuracy_m,
        'at', NEW.recorded_at)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER notify_position AFTER INSERT ON delivery_positions
    FOR EACH ROW EXECUTE FUNCTION notify_position();
