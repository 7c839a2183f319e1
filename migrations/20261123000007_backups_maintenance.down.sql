REVOKE USAGE ON SCHEMA ops FROM ocpizza_runtime;
DROP TABLE ops.maintenance;
DROP TABLE ops.backups;
