CREATE OR REPLACE FUNCTION notify_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP FUNCTION order_event_notice(order_events);
