#!/usr/bin/env bash
# Runs the operator CLI against the local cluster of scripts/dev.sh (which must have run once):
#   scripts/admin.sh tenant list
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .data/credentials.env ] || { echo "run scripts/dev.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
source .data/credentials.env
cargo build --quiet -p ocpizza-admin  # a no-op when up to date
OCPIZZA_DATABASE__ADMIN_URL="postgres://ocpizza_owner:$OWNER_PASSWORD@127.0.0.1:${DEV_PG_PORT:-25432}/ocpizza" \
  exec target/debug/ocpizza-admin "$@"
