-- The announcement of an order event is defined once, here: the NOTIFY trigger sends it and the
-- event streams replay it (`SELECT order_event_notice(e) FROM order_events e`), so a live
-- event and a replayed one cannot differ. Rust reads it as `realtime::OrderNotice`.
CREATE FUNCTION order_event_notice(e order_events) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'type', 'order', 'id', e.id, 'tenant', e.tenant_id, 'order', e.order_id,
        'customer', e.customer_id, 'kind', e.kind, 'from', e.from_status, 'to', e.to_status,
        'role', e.actor_role, 'at', e.at, 'number', o.number, 'fulfilment', o.fulfilment,
        'driver', o.driver_id, 'estimated_at', o.estimated_at)
    FROM orders o WHERE o.tenant_id = e.tenant_id AND o.id = e.order_id
$$;

CREATE OR REPLACE FUNCTION notify_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ocpizza_events', order_event_notice(NEW)::text);
    RETURN NULL;
END $$;
