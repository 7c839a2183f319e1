#!/usr/bin/env bash
# Smoke test of the container image, without a Docker engine: builds the runtime image with
# podman from the release binaries built here (docker/Dockerfile, target runtime-prebuilt: no
# compiler inside the image build), then, against a throwaway PostgreSQL 15 on this machine:
# migrations, demo data and a backup (pg_dump inside the image) from `ocpizza-admin`, the app in
# the production profile as the runtime role, /readyz, the image's HEALTHCHECK, an order placed
# and read back, /metrics, and a graceful stop on SIGTERM. Prints each stage's time and the
# image size. Needs root (podman, apt); installs what is missing.
#
#   scripts/container-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"

IMAGE=localhost/ocpizza:smoke
BASE_IMAGE=docker.io/library/debian:bookworm-slim
WORK=${OCPIZZA_SMOKE_DIR:-$ROOT/.data/smoke}
APP_CONTAINER=ocpizza-smoke-app-$$
PG_DIR=""
finish() {
  local rc=$?
  podman rm -f "$APP_CONTAINER" >/dev/null 2>&1 || true
  [ -n "$PG_DIR" ] && { pg_cluster_stop "$PG_DIR"; rm -rf "$PG_DIR"; }
  print_timings
  if [ "$rc" -eq 0 ]; then log "container smoke test passed"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap finish EXIT

stage "install podman and tools"
command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain first"
for tool in podman buildah runc debootstrap curl python3; do
  command -v "$tool" >/dev/null || apt_install podman buildah runc uidmap fuse-overlayfs slirp4netns debootstrap curl python3
done
ensure_postgres
# podman here: host network, runc, cgroupfs, storage under $WORK (no engine, no registry).
mkdir -p "$WORK/storage" "$WORK/run"
cat >"$WORK/containers.conf" <<CONF
[containers]
netns = "host"
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
cat >"$WORK/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
CONF
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
stage_done

stage "base image (debootstrap, once)"
if ! podman image exists "$BASE_IMAGE"; then
  MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || die "no Debian mirror found in the apt sources"
  ROOTFS=$(mktemp -d /tmp/ocpizza-rootfs.XXXXXX)
  log "debootstrap bookworm from $MIRROR"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/dev/null
  # As in the official slim image: no downloaded packages, no package lists, no docs.
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
    "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*
  tar -C "$ROOTFS" -c . | podman import - "$BASE_IMAGE" >/dev/null 2>&1
  rm -rf "$ROOTFS"
fi
stage_done

stage "release binaries (host)"
SQLX_OFFLINE=true cargo build --release --bins --quiet
CTX=$(mktemp -d /tmp/ocpizza-ctx.XXXXXX)
mkdir -p "$CTX/bin"
cp target/release/ocpizza-app target/release/ocpizza-admin target/release/ocpizza-worker "$CTX/bin/"
stage_done

stage "image build (podman, runtime-prebuilt)"
podman build --format docker --pull=never --quiet -f docker/Dockerfile --target runtime-prebuilt \
  --build-arg VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  -t "$IMAGE" "$CTX" 2> >(grep -v 'Copying\|Writing manifest\|Storing signatures' >&2) >/dev/null
rm -rf "$CTX"
IMAGE_BYTES=$(podman image inspect "$IMAGE" --format '{{.Size}}')
log "image $IMAGE: $((IMAGE_BYTES / 1024 / 1024)) MiB"
stage_done

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
  -e OCPIZZA_HTTP__PORT="$APP_PORT" -e OCPIZZA_HTTP__PUBLIC_URL="http://127.0.0.1:$APP_PORT" \
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
podman healthcheck run "$APP_CONTAINER" >/dev/null || die "the image's HEALTHCHECK failed"
[ "$(podman exec "$APP_CONTAINER" id -u)" = 10001 ] || die "the container does not run as uid 10001"
stage_done

stage "order round-trip"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
TOKEN=$(curl -fsS -X POST "$API/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"client@demo.ocpizza.fr","password":"pizza-demo-2026"}' | json 'd["access_token"]')
SLUG=paris-bastille
S=$API/api/v1/pizzerias/$SLUG
read -r PRODUCT SIZE_ID < <(curl -fsS "$S/menu" \
  | json '" ".join([(p["id"], s["id"]) for c in d["categories"] for p in c["products"] if p["name"]=="Reine" for s in p["sizes"] if s["code"]=="m"][0])')
# A slot, so that the round-trip works at any hour (open or not).
SLOT=$(curl -fsS "$S/opening" | json 'd["next_slots"][0]["start"]')
ORDER_BODY="{\"fulfilment\":\"takeaway\",\"payment_method\":\"cash\",\"contact_phone\":\"06 12 34 56 78\",\"slot_start\":\"$SLOT\",\"lines\":[{\"product_id\":\"$PRODUCT\",\"size_id\":\"$SIZE_ID\",\"quantity\":1}]}"
ORDER=$(curl -fsS -X POST "$S/orders" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -H "idempotency-key: smoke-$$" -d "$ORDER_BODY")
ORDER_ID=$(echo "$ORDER" | json 'd["id"]')
STATUS=$(curl -fsS "$S/orders/$ORDER_ID" -H "authorization: Bearer $TOKEN" | json 'd["status"]')
[ "$STATUS" = received ] || die "order $ORDER_ID is $STATUS, not received"
log "order $(echo "$ORDER" | json 'd["number"]') placed at $SLUG and read back ($STATUS)"
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

log "image size: $((IMAGE_BYTES / 1024 / 1024)) MiB ($IMAGE)"
