#!/usr/bin/env bash
# Smoke test of the container image, without a Docker engine: builds the runtime image with
# podman from the release binaries built here (docker/Dockerfile, target runtime-prebuilt: no
# compiler inside the image build) or, with --from-source, the default target compiled inside the
# build as `docker build` does (on a stand-in of the rust image: no registry here). Then, against
# a throwaway PostgreSQL 15 on this machine: migrations, demo data and a backup (pg_dump inside the image) from `ocpizza-admin`, the app in
# the production profile as the runtime role, /readyz, the image's HEALTHCHECK, an order placed
# and read back, /metrics, and a graceful stop on SIGTERM. Prints each stage's time and the
# image size. Needs root (podman, apt); installs what is missing.
#
#   scripts/container-smoke.sh [--from-source]
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
  *) die "usage: scripts/container-smoke.sh [--from-source]" ;;
esac

IMAGE=localhost/ocpizza:smoke
WORK=${SMOKE_DIR:-$ROOT/.data/smoke}
APP_CONTAINER=ocpizza-smoke-app-$$
PG_DIR=""
finish() {
  local rc=$?
  podman rm -f "$APP_CONTAINER" >/dev/null 2>&1 || true
  [ -n "$PG_DIR" ] && { pg_cluster_stop "$PG_DIR"; rm -rf "$PG_DIR"; }
  podman_release
  print_timings
  if [ "$rc" -eq 0 ]; then log "container smoke test passed"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap finish EXIT

stage "install podman and tools"
command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain first"
ensure_postgres
podman_setup "$WORK"
stage_done

stage "base image (debootstrap, once)"
ensure_base_image
stage_done

if [ "$FROM_SOURCE" = 1 ]; then
  stage "Rust image stand-in (once)"
  ensure_rust_image
  stage_done
  stage "image from source (podman, runtime)"
  build_image_from_source "$IMAGE"
  stage_done
else
  stage "release binaries (host) and image (runtime-prebuilt)"
  build_image_prebuilt "$IMAGE"
  stage_done
fi
log "image $IMAGE: $(image_mib "$IMAGE") MiB"

stage "PostgreSQL 15 (host)"
PG_DIR=$(mktemp -d /tmp/ocpizza-smoke-pg.XXXXXX)
PG_PORT=$(free_port)
pg_cluster_start "$PG_DIR" "$PG_PORT" fast
rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }
OWNER_PW=$(rand); APP_PW=$(rand)
pg_bootstrap "$PG_DIR" "$PG_PORT" ocpizza_owner "$OWNER_PW" ocpizza_app "$APP_PW" ocpizza
OWNER_URL="postgres://ocpizza_owner:$OWNER_PW@127.0.0.1:$PG_PORT/ocpizza"
APP_URL="postgres://ocpizza_app:$APP_PW@127.0.0.1:$PG_PORT/ocpizza"
stage_done

in_image() { # run a one-off command of the image with the owner role
  podman run --rm --no-healthcheck --network host -e OCPIZZA_PROFILE=development \
    -e OCPIZZA_DATABASE__ADMIN_URL="$OWNER_URL" "$IMAGE" "$@"
}

stage "migrations, demo data, backup (in the image)"
in_image ocpizza-admin migrate up
in_image ocpizza-admin demo seed >/dev/null
# pg_dump of the image's PostgreSQL 15 client against the server: the backups' tool chain.
in_image ocpizza-admin backup run | tail -3
stage_done

stage "app in the image (production profile)"
APP_PORT=$(free_port)
JWT=$(in_image ocpizza-admin secret generate)
podman run -d --name "$APP_CONTAINER" --network host \
  -e OCPIZZA_DATABASE__URL="$APP_URL" -e OCPIZZA_AUTH__JWT_SECRET="$JWT" \
  -e OCPIZZA_HTTP__HOST=127.0.0.1 -e OCPIZZA_HTTP__PORT="$APP_PORT" -e OCPIZZA_HTTP__PUBLIC_URL="http://127.0.0.1:$APP_PORT" \
  -e HEALTH_URL="http://127.0.0.1:$APP_PORT/healthz" "$IMAGE" 2> >(grep -v 'systemd connection' >&2) >/dev/null
# (Without systemd, podman cannot schedule the HEALTHCHECK itself: it is run by hand below.)
API=http://127.0.0.1:$APP_PORT
deadline=$(( $(date +%s) + 60 ))
until curl -fsS "$API/readyz" >/dev/null 2>&1; do
  if [ "$(podman inspect -f '{{.State.Running}}' "$APP_CONTAINER")" != true ]; then
    podman logs "$APP_CONTAINER" >&2; die "the app exited"
  fi
  [ "$(date +%s)" -lt "$deadline" ] || { podman logs "$APP_CONTAINER" >&2; die "/readyz not ready after 60 s"; }
  sleep 0.2
done
loopback_only "$APP_PORT"
podman healthcheck run "$APP_CONTAINER" >/dev/null || die "the image's HEALTHCHECK failed"
[ "$(podman exec "$APP_CONTAINER" id -u)" = 10001 ] || die "the container does not run as uid 10001"
stage_done

stage "order round-trip"
demo_order "$API"
METRICS=$(curl -fsS "$API/metrics")
grep -q '^ocpizza_orders_placed_total{channel="web",fulfilment="takeaway"} 1' <<<"$METRICS" \
  || die "/metrics does not count the order"
stage_done

stage "graceful stop (SIGTERM)"
STOP_START=$(date +%s%N)
podman stop -t 15 "$APP_CONTAINER" 2> >(grep -v 'systemd connection' >&2) >/dev/null
STOP_MS=$(( ($(date +%s%N) - STOP_START) / 1000000 ))
CODE=$(podman inspect -f '{{.State.ExitCode}}' "$APP_CONTAINER")
LOGS=$(podman logs "$APP_CONTAINER" 2>&1)
grep -q 'shutdown requested' <<<"$LOGS" || { echo "$LOGS" | tail -5 >&2; die "no graceful shutdown in the logs"; }
[ "$CODE" = 0 ] || die "the app exited with $CODE on SIGTERM"
log "stopped cleanly on SIGTERM in ${STOP_MS} ms (exit 0)"
stage_done

log "image size: $(image_mib "$IMAGE") MiB ($IMAGE)"
