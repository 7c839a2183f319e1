#!/usr/bin/env bash
# End-to-end test of compose.yaml on a machine without a Docker engine or a registry: the stack is
# run by docker-compose (Debian's, the Python 1.29 line: compose v2 is not packaged here) against
# podman's Docker-compatible API, with the override scripts/standins/compose.override.yaml (the
# stand-ins of PostgreSQL 15, MinIO and Mailpit, and the host network). Then the commands of
# docs/OPERATIONS.md: `up -d` (start order, health checks, the roles made by the init script,
# migrations and demo data), `ps`, an order on :8080 confirmed by email on :8025, the admin API
# on :8081, a backup into MinIO, `logs -f`, `stop`/`start` (graceful, data kept), `down`/`up`
# (volumes kept), `down -v`. Prints each stage's time. Needs root (podman, apt); installs what is
# missing. It uses the host ports of compose.yaml (5432, 8080, 8081, 8090, 9000, 1025, 8025).
#
#   scripts/compose-smoke.sh [--from-source]    # default: the image from the host's release binaries
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"
# shellcheck source=lib/podman.sh
source "$SCRIPTS_DIR/lib/podman.sh"
# shellcheck source=lib/smoke.sh
source "$SCRIPTS_DIR/lib/smoke.sh"

FROM_SOURCE=0
case "${1:-}" in
  --from-source) FROM_SOURCE=1 ;;
  "") ;;
  *) die "usage: scripts/compose-smoke.sh [--from-source]" ;;
esac

WORK=${SMOKE_DIR:-$ROOT/.data/smoke}
PROJECT=ocpizza
SOCK=$WORK/podman.sock
SERVICE_PID="" DRIVER_PID=""
STACK_PORTS=(5432 8080 8081 8090 9000 1025 8025)
finish() {
  local rc=$?
  if [ -n "$SERVICE_PID" ]; then
    [ "$rc" -eq 0 ] || { compose ps || true; compose logs --tail 30 || true; } 2>&1 | tail -80 >&2
    compose down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  [ -z "$DRIVER_PID" ] || kill "$DRIVER_PID" 2>/dev/null || true
  [ -z "$SERVICE_PID" ] || { kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; } || true
  podman_release
  print_timings
  if [ "$rc" -eq 0 ]; then log "compose smoke test passed"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap finish EXIT

# compose.yaml as docker-compose 1.29 reads it (scripts/standins/compose_v1.py), with the override.
COMPOSE=(env DOCKER_HOST="unix://$SOCK" COMPOSE_HTTP_TIMEOUT=300 docker-compose -p "$PROJECT"
  --project-directory "$ROOT" -f "$WORK/compose.yaml" -f "$SCRIPTS_DIR/standins/compose.override.yaml")
compose() { "${COMPOSE[@]}" "$@"; }
container() { echo "${PROJECT}_$1_1"; }
health() { podman inspect -f '{{.State.Health.Status}}' "$(container "$1")" 2>/dev/null; }
exit_code() { podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(container "$1")"; }
all_healthy() {
  local s
  for s in postgres minio mailpit app admin worker; do [ "$(health "$s")" = healthy ] || return 1; done
}

stage "install podman, docker-compose and tools"
command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain first"
podman_setup "$WORK"
command -v docker-compose >/dev/null || apt_install docker-compose
for port in "${STACK_PORTS[@]}"; do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is taken: compose.yaml needs it"
done
stage_done

stage "images (base, stand-ins, ocpizza:local)"
ensure_base_image
build_standin localhost/ocpizza-standin/postgres:15 "$SCRIPTS_DIR/standins/postgres"
build_standin localhost/ocpizza-standin/minio:latest "$SCRIPTS_DIR/standins/services:minio"
build_standin localhost/ocpizza-standin/mc:latest "$SCRIPTS_DIR/standins/services:mc"
build_standin localhost/ocpizza-standin/mailpit:latest "$SCRIPTS_DIR/standins/services:mailpit"
# compose.yaml's `image: ocpizza:local`, built from its `build:` section's Dockerfile.
if [ "$FROM_SOURCE" = 1 ]; then build_image_from_source localhost/ocpizza:local
else build_image_prebuilt localhost/ocpizza:local; fi
log "ocpizza:local: $(image_mib localhost/ocpizza:local) MiB"
stage_done

stage "podman API and compose file"
rm -f "$SOCK"
podman system service --time=0 "unix://$SOCK" >"$WORK/podman-service.log" 2>&1 &
SERVICE_PID=$!
wait_for "podman API on $SOCK" 30 curl -fsS --unix-socket "$SOCK" http://d/_ping \
  || die "podman system service did not answer (log: $WORK/podman-service.log)"
# (Debian's python3: docker-compose brings its YAML module.)
/usr/bin/python3 "$SCRIPTS_DIR/standins/compose_v1.py" compose.yaml "$WORK/compose.yaml" "$PROJECT"
compose config -q
# No engine schedules the HEALTHCHECKs here (podman does it with systemd timers): this loop runs
# each running container's check every 2 s, where an engine would at each service's interval.
( while true; do
    for c in $(podman ps -q --filter "label=com.docker.compose.project=$PROJECT"); do
      podman healthcheck run "$c" >/dev/null 2>&1 || true
    done
    sleep 2
  done ) &
DRIVER_PID=$!
compose down -v --remove-orphans >/dev/null 2>&1 || true
stage_done

stage "docker compose up -d"
timeout 600 "${COMPOSE[@]}" up -d
wait_for "every service healthy" 180 all_healthy || { compose ps; die "not every service became healthy"; }
loopback_only "${STACK_PORTS[@]}"
for one_shot in migrate minio-buckets; do
  [ "$(exit_code "$one_shot")" = "exited 0" ] || die "$one_shot: $(exit_code "$one_shot"), not exited 0"
done
compose ps
stage_done

stage "the stack at work"
# The init script made the two roles of docs/DESIGN.md, "Database roles": the app's cannot
# bypass row-level security.
[ "$(compose exec -T postgres psql -U postgres -d ocpizza -Atc \
  "SELECT rolbypassrls::text || rolsuper::text FROM pg_roles WHERE rolname = 'ocpizza_app'")" = falsefalse ] \
  || die "ocpizza_app is missing or may bypass row-level security"
demo_order http://localhost:8080
confirmation_caught() {
  curl -fsS http://localhost:8025/api/v1/messages \
    | json 'any(t["Address"] == "client@demo.ocpizza.fr" for m in d["messages"] for t in m["To"])' | grep -qx True
}
wait_for "the order's confirmation email is in Mailpit (:8025)" 60 confirmation_caught \
  || die "no email to client@demo.ocpizza.fr reached Mailpit"
OPS=$(demo_login http://localhost:8081/admin/v1 admin@demo.ocpizza.fr "$(demo_totp)")
curl -fsS "http://localhost:8081/admin/v1/tenants?q=bastille" -H "authorization: Bearer $OPS" \
  | grep -q '"paris-bastille"' || die "the admin API does not list paris-bastille"
log "admin API (:8081): paris-bastille listed for the platform administrator"
# The stack made its own secrets at first start (no well-known secret ships in compose.yaml).
SECRET=$(compose exec -T app cat /var/lib/ocpizza/secrets/jwt-secret | tr -d '\r\n')
[ "${#SECRET}" -ge 32 ] || die "the stack's JWT secret was not generated (${#SECRET} bytes)"
grep -q "$SECRET" compose.yaml && die "the stack's JWT secret is written in compose.yaml"
METRICS_TOKEN=$(compose exec -T app cat /var/lib/ocpizza/secrets/metrics-token | tr -d '\r\n')
[ "$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/metrics)" = 401 ] \
  || die "/metrics answers without its token"
curl -fsS http://localhost:8080/metrics -H "authorization: Bearer $METRICS_TOKEN" | grep -q '^# TYPE' \
  || die "/metrics refuses its own token"
log "secrets generated at first start; /metrics needs its token (401 without)"
compose exec -T worker ocpizza-admin backup run | tail -2
# shellcheck disable=SC2016 # expanded in the container
BACKUPS=$(compose exec -T minio sh -c 'mc alias set smoke http://127.0.0.1:9000 "$MINIO_ROOT_USER" \
  "$MINIO_ROOT_PASSWORD" >/dev/null && mc ls smoke/ocpizza-backups')
grep -q '\.dump' <<<"$BACKUPS" || die "no dump in MinIO's ocpizza-backups bucket: $BACKUPS"
# OUTCOME ok, then both copies (LOCAL, S3) read back and their checksums ok.
LIST=$(compose exec -T worker ocpizza-admin backup list 2>&1) || true
grep -Eq ' ok +[0-9]+  ok +ok ' <<<"$LIST" \
  || die "backup list does not show a good backup with both copies intact: $LIST"
log "backup list: the backup is good in both places"
log "backup copied to MinIO: $(grep -c '\.dump' <<<"$BACKUPS") dump(s) in ocpizza-backups"
LOGS=$(timeout 5 "${COMPOSE[@]}" logs -f app || true)
grep -q '"level":"INFO"' <<<"$LOGS" || die "no JSON log line in \`logs -f app\`"
stage_done

stage "docker compose stop / start"
compose stop
for s in app admin worker; do
  [ "$(exit_code "$s")" = "exited 0" ] || die "$s: $(exit_code "$s") after stop (not a graceful exit)"
done
log "app, admin and worker stopped on SIGTERM with exit code 0"
compose start
wait_for "every service healthy again" 180 all_healthy || die "not healthy after start"
[ "$(order_status)" = received ] || die "order $ORDER_NUMBER lost after stop/start"
stage_done

stage "docker compose down / up -d (volumes kept)"
compose down
podman volume exists "${PROJECT}_pgdata" || die "down removed the pgdata volume"
timeout 600 "${COMPOSE[@]}" up -d
wait_for "every service healthy after down/up" 180 all_healthy || die "not healthy after down/up"
[ "$(exit_code migrate)" = "exited 0" ] || die "migrate failed on a second up: $(exit_code migrate)"
[ "$(order_status)" = received ] || die "order $ORDER_NUMBER lost after down/up"
log "order $ORDER_NUMBER still there; migrations and demo data re-run without harm"
[ "$(compose exec -T app cat /var/lib/ocpizza/secrets/jwt-secret | tr -d '\r\n')" = "$SECRET" ] \
  || die "the JWT secret changed on a second up"
curl -fsS http://localhost:8081/admin/v1/me -H "authorization: Bearer $OPS" >/dev/null \
  || die "a token issued before down/up is refused: the secret or the session was lost"
log "the secret was kept: a session opened before down/up still works"
stage_done

stage "docker compose down -v"
compose down -v
! podman volume exists "${PROJECT}_pgdata" || die "down -v left the pgdata volume"
stage_done
