#!/usr/bin/env bash
# Benchmarks, on a throwaway durable PostgreSQL (like scripts/test.sh) with the app built in
# release mode and run in-process:
#   scripts/bench.sh                      # order placement: 2000 orders, 16 clients
#   scripts/bench.sh --orders 5000 --clients 32 --pool 20
#   scripts/bench.sh --menu               # menu reads beside /healthz (wrk, 64 connections, 10 s)
#   scripts/bench.sh --menu --seconds 20 --connections 128
# Figures and how to read them: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"

bench="bench-orders"
if [[ ${1:-} == --menu ]]; then
  bench="bench-menu"
  shift
  command -v wrk >/dev/null || { log "installing wrk"; apt_install wrk; }
fi

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
SQLX_OFFLINE=true cargo build --release --quiet -p ocpizza-tests --bin "$bench"
log "running: $bench $*"
target/release/"$bench" "$@"
