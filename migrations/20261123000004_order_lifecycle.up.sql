-- The order lifecycle: who delivers, when it was paid.
ALTER TABLE orders
    ADD COLUMN driver_id uuid REFERENCES users (id),
    ADD COLUMN paid_at timestamptz;
CREATE INDEX orders_driver_idx ON orders (tenant_id, driver_id, service_day) WHERE driver_id IS NOT NULL;
CREATE INDEX orders_queue_idx ON orders (tenant_id, status, placed_at) WHERE status IN ('received', 'preparing');
