DROP TABLE ops.deliveries;
