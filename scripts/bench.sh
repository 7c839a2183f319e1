#!/usr/bin/env bash
# Order placement benchmark: a throwaway PostgreSQL (like scripts/test.sh), the app built in
# release mode in-process, N guest orders from C concurrent clients on one pizzeria.
#   scripts/bench.sh                      # 2000 orders, 16 clients
#   scripts/bench.sh --orders 5000 --clients 32 --pool 20
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"

ensure_postgres
PG_DIR=$(mktemp -d /tmp/ocpizza-bench-pg.XXXXXX)
PG_PORT=$(free_port)
trap 'pg_cluster_stop "$PG_DIR"; rm -rf "$PG_DIR"' EXIT
# Durable settings (fsync on): the figures are those of a real database.
pg_cluster_start "$PG_DIR" "$PG_PORT"
rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }
OWNER_PW=$(rand); APP_PW=$(rand)
pg_bootstrap "$PG_DIR" "$PG_PORT" ocpizza_owner "$OWNER_PW" ocpizza_app "$APP_PW" ""
export TEST_PG_OWNER_URL="postgres://ocpizza_owner:$OWNER_PW@127.0.0.1:$PG_PORT/postgres"
export TEST_PG_APP_URL="postgres://ocpizza_app:$APP_PW@127.0.0.1:$PG_PORT/postgres"
log "building (release)"
SQLX_OFFLINE=true cargo build --release --quiet -p ocpizza-tests --bin bench-orders
log "running: bench-orders $*"
target/release/bench-orders "$@"
