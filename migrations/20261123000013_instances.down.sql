DROP TABLE ops.instances;
