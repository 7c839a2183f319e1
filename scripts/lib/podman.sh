# Shared by scripts/container-smoke.sh and scripts/compose-smoke.sh: podman without a Docker
# engine or a registry (see docs/OPERATIONS.md §2.4). Source it after lib/common.sh.

# shellcheck shell=bash
BASE_IMAGE=docker.io/library/debian:bookworm-slim
RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm

# podman_setup WORK: podman, buildah and runc installed; host network, runc, cgroupfs; storage under
# WORK, so that nothing touches the machine's own podman store.
podman_setup() {
  local work=$1 tool
  for tool in podman buildah runc debootstrap curl python3 /usr/lib/podman/netavark; do
    command -v "$tool" >/dev/null || {
      apt_install podman buildah runc uidmap fuse-overlayfs slirp4netns netavark debootstrap curl python3
      break
    }
  done
  mkdir -p "$work/storage" "$work/run"
  cat >"$work/containers.conf" <<CONF
[containers]
netns = "host"
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
  cat >"$work/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
CONF
  export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf
  PODMAN_WORK=$work
}

# podman_release: undoes the mount podman's overlay driver keeps on its storage directory, so that
# `rm -rf .data` works afterwards (podman makes it again at its next start). Call once every
# container is gone.
podman_release() {
  [ -z "${PODMAN_WORK:-}" ] || ! mountpoint -q "$PODMAN_WORK/storage/overlay" \
    || umount "$PODMAN_WORK/storage/overlay" 2>/dev/null || true
}

# debian:bookworm-slim made here (no registry): debootstrap from the machine's own Debian mirror,
# trimmed like the official slim image. Once per WORK.
ensure_base_image() {
  podman image exists "$BASE_IMAGE" && return
  local mirror rootfs
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || die "no Debian mirror found in the apt sources"
  rootfs=$(mktemp -d /tmp/ocpizza-rootfs.XXXXXX)
  log "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
  tar -C "$rootfs" -c . | podman import - "$BASE_IMAGE" >/dev/null 2>&1
  rm -rf "$rootfs"
}

# build_standin TAG DIR[:TARGET] [EXTRA...]: a test stand-in image (scripts/standins/) for one that
# cannot be pulled here (rebuilt each time: podman's layer cache makes that quick). Its context is DIR's files, this machine's CA bundle
# (host-ca.crt: the registries are reached through a proxy that only this bundle trusts) and EXTRA
# paths; TARGET is a stage of DIR/Containerfile.
build_standin() {
  local tag=$1 dir=${2%%:*} target=() ctx
  [[ "$2" != *:* ]] || target=(--target "${2#*:}")
  shift 2
  ctx=$(mktemp -d /tmp/ocpizza-standin.XXXXXX)
  cp -a "$dir"/. "$ctx/"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
  [ $# -eq 0 ] || cp -a "$@" "$ctx/"
  podman build --format docker --pull=never --quiet "${target[@]}" -t "$tag" "$ctx" >/dev/null \
    || { rm -rf "$ctx"; die "could not build the stand-in $tag"; }
  rm -rf "$ctx"
}

# A stand-in for rust:1.95-slim-bookworm: the Debian base, gcc, and this machine's own Rust
# toolchain laid out as in the official image (/usr/local/cargo, /usr/local/rustup).
ensure_rust_image() {
  podman image exists "$RUST_IMAGE" && return
  local toolchain tc
  log "building the stand-in $RUST_IMAGE (once)"
  toolchain=$(dirname "$(dirname "$(rustup which cargo)")")
  tc=$(mktemp -d /tmp/ocpizza-toolchain.XXXXXX)
  mkdir -p "$tc/toolchain"
  cp -a "$toolchain/bin" "$toolchain/lib" "$tc/toolchain/"
  build_standin "$RUST_IMAGE" "$SCRIPTS_DIR/standins/rust" "$tc/toolchain"
  rm -rf "$tc"
}

_build_app_image() {
  podman build --format docker --pull=never --quiet -f "$SCRIPTS_DIR/../docker/Dockerfile" \
    --build-arg VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)" \
    --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" "$@" \
    2> >(grep --line-buffered -v 'Copying\|Writing manifest\|Storing signatures' >&2) >/dev/null
}

# build_image_prebuilt TAG: the release binaries built on this machine, then the image's
# runtime-prebuilt target around them (no compiler inside the image build).
build_image_prebuilt() {
  local ctx
  (cd "$SCRIPTS_DIR/.." && SQLX_OFFLINE=true cargo build --release --quiet -p ocpizza -p ocpizza-admin -p ocpizza-worker --bins)
  ctx=$(mktemp -d /tmp/ocpizza-ctx.XXXXXX)
  mkdir -p "$ctx/bin"
  cp "$SCRIPTS_DIR"/../target/release/ocpizza-{app,admin,worker} "$ctx/bin/"
  _build_app_image --target runtime-prebuilt -t "$1" "$ctx"
  rm -rf "$ctx"
}

# build_image_from_source TAG: what `docker build` does on a Docker host, the default target
# compiled inside the build (on the stand-in of the rust image).
build_image_from_source() {
  ensure_rust_image
  _build_app_image --target runtime -t "$1" "$SCRIPTS_DIR/.."
}

# Image size in MiB.
image_mib() { echo $(( $(podman image inspect "$1" --format '{{.Size}}') / 1024 / 1024 )); }
