# Shared by scripts/dev.sh and scripts/test.sh: installing what a fresh Debian/Ubuntu machine lacks,
# and running a private PostgreSQL 15 cluster as an unprivileged user. Source it; do not run it.

# shellcheck shell=bash
PG_MAJOR=15

log() { printf '\033[1m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs "$@" as root (directly, or through sudo when we are not root).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (install it by hand or run as root)"; fi
}

apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# PostgreSQL server binaries (initdb, pg_ctl, postgres) and psql for $PG_MAJOR.
ensure_postgres() {
  PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
  if [ ! -x "$PG_BIN/postgres" ] || ! command -v psql >/dev/null; then
    log "installing PostgreSQL $PG_MAJOR (apt)"
    apt_install "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR" postgresql-contrib
  fi
  [ -x "$PG_BIN/postgres" ] || die "PostgreSQL $PG_MAJOR server binaries not found in $PG_BIN"
  export PG_BIN
}

# A user that may run the server: initdb refuses root.
pg_user() {
  if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
  id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  echo postgres
}

# Runs a PostgreSQL tool as the server's user.
pg_as() {
  local user; user=$(pg_user)
  if [ "$(id -un)" = "$user" ]; then "$@"; else
    # runuser keeps it simple for root; sudo for anyone else with rights.
    if command -v runuser >/dev/null && [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else sudo -u "$user" "$@"; fi
  fi
}

# free_port: prints a TCP port nobody listens on at 127.0.0.1.
free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# pg_cluster_start DIR PORT [fast]: creates (if new) and starts a cluster in DIR on 127.0.0.1:PORT.
# Authentication: scram passwords over TCP, peer on the socket for the superuser.
pg_cluster_start() {
  local dir=$1 port=$2 fast=${3:-}
  local user; user=$(pg_user)
  mkdir -p "$dir"
  chown "$user" "$dir" 2>/dev/null || true
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $dir"
    pg_as "$PG_BIN/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '$dir'"
      echo "max_connections = 300"
      echo "shared_buffers = 128MB"
      if [ "$fast" = fast ]; then
        echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
      fi
    } | pg_as tee -a "$dir/postgresql.conf" >/dev/null
  fi
  pg_as sed -i "/^port = /d" "$dir/postgresql.conf"
  echo "port = $port" | pg_as tee -a "$dir/postgresql.conf" >/dev/null
  if pg_as "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "PostgreSQL already running in $dir"
  else
    pg_as "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start (log: $dir/server.log)"; }
  fi
}

pg_cluster_stop() {
  local dir=$1
  pg_as "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

# psql as the cluster's superuser through its socket.
pg_super() {
  local dir=$1 port=$2; shift 2
  pg_as psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"
}

# pg_bootstrap DIR PORT OWNER OWNER_PW APP APP_PW DATABASE: the two roles and the database.
pg_bootstrap() {
  local dir=$1 port=$2
  pg_super "$dir" "$port" -v owner="$3" -v owner_password="$4" -v app="$5" -v app_password="$6" \
    -v database="$7" -f "$SCRIPTS_DIR/sql/bootstrap-roles.sql" >/dev/null
}

# Seconds since $1 (from `date +%s`), for stage timings.
since() { echo $(( $(date +%s) - $1 ))s; }

# Stage timings of a long script: `stage NAME` … `stage_done`, then `print_timings` at the end.
START=$(date +%s)
declare -a TIMINGS=()
stage_start=$START
stage() { stage_name=$1; stage_start=$(date +%s); log "== $stage_name"; }
stage_done() { TIMINGS+=("$(printf '%-40s %s' "$stage_name" "$(since "$stage_start")")"); }
print_timings() {
  echo
  log "stage timings:"
  for t in "${TIMINGS[@]}"; do echo "  $t"; done
  echo "  $(printf '%-40s %s' total "$(since "$START")")"
}
