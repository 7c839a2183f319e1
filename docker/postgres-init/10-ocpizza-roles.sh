#!/bin/bash
# Run once by the postgres image on an empty data directory: the two roles of docs/DESIGN.md,
# "Database roles" (owner with BYPASSRLS for migrations, backups and the platform; the runtime
# role of the request path) and the database, with the same script as any other cluster
# (scripts/sql/bootstrap-roles.sql).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner=ocpizza_owner -v owner_password="$DB_OWNER_PASSWORD" \
  -v app=ocpizza_app -v app_password="$DB_APP_PASSWORD" \
  -v database=ocpizza -f /ocpizza-sql/bootstrap-roles.sql
