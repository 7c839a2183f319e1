DROP INDEX orders_queue_idx;
DROP INDEX orders_driver_idx;
ALTER TABLE orders DROP COLUMN paid_at, DROP COLUMN driver_id;
