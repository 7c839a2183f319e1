#!/usr/bin/env bash
# Regenerates the committed `.sqlx/` query data after a query changed. It describes the queries
# against a fresh, empty, fully migrated database (like the check in scripts/test.sh does), so the
# result does not depend on the data or statistics of a development database.
# Needs the local cluster of scripts/dev.sh (run it once).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .data/credentials.env ] || { echo "run scripts/dev.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
source .data/credentials.env
BASE="postgres://ocpizza_owner:$OWNER_PASSWORD@127.0.0.1:${DEV_PG_PORT:-25432}"
DB="ocpizza_prepare_$$"
psql -q "$BASE/postgres" -c "CREATE DATABASE $DB"
trap 'psql -q "$BASE/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
# The migrator itself compiles from the committed data, or else against the development database.
SQLX_OFFLINE=true cargo build --quiet -p ocpizza-admin 2>/dev/null \
  || DATABASE_URL="$BASE/ocpizza" SQLX_OFFLINE=false cargo build --quiet -p ocpizza-admin
OCPIZZA_DATABASE__ADMIN_URL="$BASE/$DB" target/debug/ocpizza-admin migrate up
DATABASE_URL="$BASE/$DB" SQLX_OFFLINE=false cargo sqlx prepare --workspace -- --all-targets
