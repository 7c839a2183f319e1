#!/usr/bin/env bash
# Real-time fan-out benchmark: a throwaway PostgreSQL, the release `ocpizza-app`, C clients on
# one kitchen stream, N status changes. See docs/PERFORMANCE.md.
#   scripts/bench-sse.sh                          # 1000 clients, 100 changes
#   scripts/bench-sse.sh --clients 2000 --changes 50
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"

# Two sockets per client (ours and the server's), plus the database's.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ensure_postgres
PG_DIR=$(mktemp -d /tmp/ocpizza-bench-pg.XXXXXX)
PG_PORT=$(free_port)
trap 'pg_cluster_stop "$PG_DIR"; rm -rf "$PG_DIR"' EXIT
pg_cluster_start "$PG_DIR" "$PG_PORT"
rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }
OWNER_PW=$(rand); APP_PW=$(rand)
pg_bootstrap "$PG_DIR" "$PG_PORT" ocpizza_owner "$OWNER_PW" ocpizza_app "$APP_PW" ""
export TEST_PG_OWNER_URL="postgres://ocpizza_owner:$OWNER_PW@127.0.0.1:$PG_PORT/postgres"
export TEST_PG_APP_URL="postgres://ocpizza_app:$APP_PW@127.0.0.1:$PG_PORT/postgres"
log "building (release)"
SQLX_OFFLINE=true cargo build --release --quiet -p ocpizza -p ocpizza-tests --bin ocpizza-app --bin bench-sse
log "running: bench-sse $*"
target/release/bench-sse "$@"
