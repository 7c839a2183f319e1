#!/usr/bin/env bash
# The OpenAPI contract checked by a fuzzer: schemathesis (PyPI) reads each server's document,
# sends requests built from it (valid ones and deliberately invalid ones) and checks every
# answer: no 5xx, documented status codes, content types, headers and bodies, invalid data
# refused, authentication not ignored, deleted resources gone. Run by scripts/test.sh (stage "API
# fuzzing") against a fresh database of its cluster; on its own:
#
#   FUZZ_OWNER_URL=postgres://owner:…@127.0.0.1:5432/fuzz FUZZ_APP_URL=postgres://app:…@…/fuzz \
#     scripts/fuzz.sh
#
# The database must be new: the script migrates it and seeds the demo pizzerias, then starts
# ocpizza-app and `ocpizza-admin serve` (the debug build in target/) on free loopback ports and
# fuzzes the app API as the owner of paris-bastille and the admin API as the platform
# administrator. FUZZ_EXAMPLES caps the examples per operation (default 25), FUZZ_SEED fixes the
# seed (default 20261203), so a run is reproducible. Left out: the event streams (they never end:
# tests/tests/api/live.rs covers them) and the maintenance switch (it would close both APIs
# for the rest of the run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"
# shellcheck source=lib/smoke.sh
source "$SCRIPTS_DIR/lib/smoke.sh"

[ -n "${FUZZ_OWNER_URL:-}" ] || die "FUZZ_OWNER_URL: the URL of a new database, as its owner role"
[ -n "${FUZZ_APP_URL:-}" ] || die "FUZZ_APP_URL: the URL of the same database, as the runtime role"
EXAMPLES=${FUZZ_EXAMPLES:-25}
SEED=${FUZZ_SEED:-20261203}
SCHEMATHESIS=${FUZZ_SCHEMATHESIS:-$ROOT/.test-venv/bin/schemathesis}
BIN=$ROOT/target/debug
[ -x "$SCHEMATHESIS" ] || die "schemathesis is missing ($SCHEMATHESIS): scripts/test.sh installs it"
for bin in ocpizza-app ocpizza-admin; do
  [ -x "$BIN/$bin" ] || die "$BIN/$bin is missing: cargo build --workspace --bins"
done

WORK=$(mktemp -d /tmp/ocpizza-fuzz.XXXXXX)
pids=()
finish() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    for log_file in "$WORK"/*.log; do
      [ -f "$log_file" ] || continue
      echo "--- last lines of $log_file"; tail -n 30 "$log_file"
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap finish EXIT

OCPIZZA_DATABASE__ADMIN_URL=$FUZZ_OWNER_URL "$BIN/ocpizza-admin" migrate up >/dev/null
OCPIZZA_DATABASE__ADMIN_URL=$FUZZ_OWNER_URL "$BIN/ocpizza-admin" demo seed >/dev/null

APP_PORT=$(free_port)
ADMIN_PORT=$(free_port)
export OCPIZZA_AUTH__JWT_SECRET
OCPIZZA_AUTH__JWT_SECRET=$("$BIN/ocpizza-admin" secret generate)
export OCPIZZA_HTTP__PUBLIC_URL=http://127.0.0.1:$APP_PORT OCPIZZA_DATABASE__URL=$FUZZ_APP_URL \
  OCPIZZA_IMAGES__DIR=$WORK/images OCPIZZA_LOG__LEVEL=warn
OCPIZZA_HTTP__PORT=$APP_PORT "$BIN/ocpizza-app" >"$WORK/app.log" 2>&1 &
pids+=($!)
OCPIZZA_DATABASE__ADMIN_URL=$FUZZ_OWNER_URL OCPIZZA_ADMIN__PORT=$ADMIN_PORT \
  OCPIZZA_ADMIN__EXPORT_DIR=$WORK/exports OCPIZZA_BACKUP__DIR=$WORK/backups \
  "$BIN/ocpizza-admin" serve >"$WORK/admin.log" 2>&1 &
pids+=($!)
wait_for "the app API is ready" 60 curl -fsS "http://127.0.0.1:$APP_PORT/readyz" \
  || die "ocpizza-app did not become ready"
wait_for "the admin API is ready" 60 curl -fsS "http://127.0.0.1:$ADMIN_PORT/readyz" \
  || die "ocpizza-admin serve did not become ready"

OWNER_TOKEN=$(demo_login "http://127.0.0.1:$APP_PORT/api/v1" owner.paris-bastille@demo.ocpizza.fr)
ADMIN_TOKEN=$(demo_login "http://127.0.0.1:$ADMIN_PORT/admin/v1" admin@demo.ocpizza.fr "$(demo_totp)")

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance
CHECKS+=,response_schema_conformance,response_headers_conformance,negative_data_rejection
CHECKS+=,ignored_auth,use_after_free

# fuzz NAME ORIGIN BASE_PATH TOKEN [schemathesis options…]
fuzz() {
  local name=$1 origin=$2 base=$3 token=$4 started
  shift 4
  started=$(date +%s)
  log "fuzzing the $name API ($EXAMPLES examples per operation, seed $SEED)"
  if ! (cd "$WORK" && "$SCHEMATHESIS" run "$origin/openapi.json" --url "$origin$base" \
        --checks "$CHECKS" --seed "$SEED" --max-examples "$EXAMPLES" \
        --generation-database none --request-timeout 20 --no-color \
        --warnings off --header "Authorization: Bearer $token" "$@" >"$WORK/$name.out" 2>&1); then
    if grep -q "= FAILURES =" "$WORK/$name.out"; then
      sed -n '/= FAILURES =/,$p' "$WORK/$name.out"
    else
      tail -n 40 "$WORK/$name.out"
    fi
    die "the $name API does not keep its OpenAPI contract (above)"
  fi
  log "the $name API keeps its contract: $(grep -Eo '[0-9]+ generated' "$WORK/$name.out" | head -1) cases in $(since "$started")"
}

fuzz app "http://127.0.0.1:$APP_PORT" /api/v1 "$OWNER_TOKEN" --exclude-path-regex '/events$'
fuzz admin "http://127.0.0.1:$ADMIN_PORT" /admin/v1 "$ADMIN_TOKEN" --exclude-path '/maintenance'
