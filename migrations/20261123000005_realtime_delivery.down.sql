DROP TABLE delivery_positions;
DROP FUNCTION notify_position();
DROP TRIGGER notify_order_event ON order_events;
DROP FUNCTION notify_order_event();
ALTER TABLE order_events DROP COLUMN kind;
