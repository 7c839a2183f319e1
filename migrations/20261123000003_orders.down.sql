DROP TABLE customer_addresses;
ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_order_fk;
DROP TABLE idempotency_keys;
DROP TABLE order_counters;
DROP TABLE order_events;
DROP TABLE order_lines;
DROP TABLE orders;
