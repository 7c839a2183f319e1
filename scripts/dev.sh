#!/usr/bin/env bash
# Runs OC Pizza locally on a fresh Debian/Ubuntu machine: installs PostgreSQL 15 if missing,
# keeps a cluster under .data/ on its own port, creates the roles, migrates, seeds the demo
# pizzerias, then runs the API, the admin API and the worker until Ctrl-C. Data and generated
# credentials are reused next time.
#
#   scripts/dev.sh                 # API on http://127.0.0.1:8080, admin API on :8081
#   DEV_APP_PORT=9000 DEV_ADMIN_PORT=9001 scripts/dev.sh
#
# Its own settings (DEV_PG_PORT, DEV_APP_PORT, DEV_ADMIN_PORT, DEV_WORKER_PORT) stay outside the
# OCPIZZA_ namespace, which the binaries' strict configuration reads whole.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"

DATA=$ROOT/.data
PG_DIR=$DATA/pg
PG_PORT=${DEV_PG_PORT:-25432}
APP_PORT=${DEV_APP_PORT:-8080}
ADMIN_PORT=${DEV_ADMIN_PORT:-8081}
WORKER_PORT=${DEV_WORKER_PORT:-8090}
CREDS=$DATA/credentials.env

command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain (rustup) first"
command -v python3 >/dev/null || apt_install python3
command -v curl >/dev/null || apt_install curl ca-certificates
if [ ! -x "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ]; then
  as_root mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
ensure_postgres

log "building the binaries"
cargo build --workspace --bins --quiet
BIN=$ROOT/target/debug

mkdir -p "$DATA"
if [ ! -f "$CREDS" ]; then
  log "generating local credentials in $CREDS"
  rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
  umask 077
  cat >"$CREDS" <<CREDS
OWNER_PASSWORD=$(rand)
APP_PASSWORD=$(rand)
JWT_SECRET=$("$BIN/ocpizza-admin" secret generate)
CREDS
fi
# shellcheck disable=SC1090
source "$CREDS"

pids=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_cluster_stop "$PG_DIR"
  log "stopped (data kept in $DATA)"
}
# From here on any exit, a failed step included, stops what was started.
trap cleanup INT TERM EXIT
pg_cluster_start "$PG_DIR" "$PG_PORT"
pg_bootstrap "$PG_DIR" "$PG_PORT" ocpizza_owner "$OWNER_PASSWORD" ocpizza_app "$APP_PASSWORD" ocpizza

export OCPIZZA_DATABASE__ADMIN_URL="postgres://ocpizza_owner:$OWNER_PASSWORD@127.0.0.1:$PG_PORT/ocpizza"
APP_DB_URL="postgres://ocpizza_app:$APP_PASSWORD@127.0.0.1:$PG_PORT/ocpizza"
export OCPIZZA_AUTH__JWT_SECRET=$JWT_SECRET

"$BIN/ocpizza-admin" migrate up
"$BIN/ocpizza-admin" demo seed >/dev/null

# ocpizza-app only ever gets the runtime role's URL (docs/DESIGN.md, "Database roles").
env -u OCPIZZA_DATABASE__ADMIN_URL OCPIZZA_DATABASE__URL="$APP_DB_URL" \
  OCPIZZA_HTTP__PORT="$APP_PORT" OCPIZZA_HTTP__PUBLIC_URL="http://127.0.0.1:$APP_PORT" \
  "$BIN/ocpizza-app" &
pids+=($!)

# The admin API: the runtime role for a franchise's requests (inside its RLS), the owner role for
# platform-wide reads and writes. Product images and exports under .data/.
OCPIZZA_DATABASE__URL="$APP_DB_URL" OCPIZZA_ADMIN__PORT="$ADMIN_PORT" \
  OCPIZZA_HTTP__PUBLIC_URL="http://127.0.0.1:$APP_PORT" \
  OCPIZZA_IMAGES__DIR="$DATA/images" OCPIZZA_ADMIN__EXPORT_DIR="$DATA/exports" \
  OCPIZZA_BACKUP__DIR="$DATA/backups" "$BIN/ocpizza-admin" serve &
pids+=($!)

# The worker: emails (written under .data/mail without an SMTP server), alerts, schedules.
OCPIZZA_WORKER__HTTP_PORT="$WORKER_PORT" OCPIZZA_EMAIL__FILE_DIR="$DATA/mail" \
  OCPIZZA_HTTP__PUBLIC_URL="http://127.0.0.1:$APP_PORT" "$BIN/ocpizza-worker" &
pids+=($!)

wait_ready() { # URL NAME PID
  local deadline=$(( $(date +%s) + 60 ))
  until curl -fsS "$1" >/dev/null 2>&1; do
    kill -0 "$3" 2>/dev/null || die "$2 exited; see its log above"
    [ "$(date +%s)" -lt "$deadline" ] || die "$2 not ready after 60 s"
    sleep 0.2
  done
}
wait_ready "http://127.0.0.1:$APP_PORT/readyz" ocpizza-app "${pids[0]}"
wait_ready "http://127.0.0.1:$ADMIN_PORT/readyz" "ocpizza-admin serve" "${pids[1]}"
wait_ready "http://127.0.0.1:$WORKER_PORT/healthz" ocpizza-worker "${pids[2]}"

cat <<INFO

  OC Pizza is running.
    API          http://127.0.0.1:$APP_PORT/api/v1/pizzerias
    API docs     http://127.0.0.1:$APP_PORT/docs   (OpenAPI: /openapi.json)
    Admin API    http://127.0.0.1:$ADMIN_PORT/admin/v1   docs: http://127.0.0.1:$ADMIN_PORT/docs
    Probes       http://127.0.0.1:$APP_PORT/healthz  /readyz   admin: :$ADMIN_PORT/readyz   worker: http://127.0.0.1:$WORKER_PORT/healthz
    Emails       written to $DATA/mail/*.eml (no SMTP server in development)
    PostgreSQL   127.0.0.1:$PG_PORT, database ocpizza (credentials in $CREDS)

  Demo accounts (password: pizza-demo-2026)
    customer     client@demo.ocpizza.fr
    group admin  admin@demo.ocpizza.fr   (admin API; second factor: TOTP secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)
    staff        <role>.<pizzeria>@demo.ocpizza.fr   role: owner manager cashier pizzaiolo driver
                 e.g. pizzaiolo.paris-bastille@demo.ocpizza.fr

  Operator CLI against this cluster (in another terminal):
    scripts/admin.sh tenant list

  Ctrl-C stops everything.
INFO
wait -n "${pids[@]}"
