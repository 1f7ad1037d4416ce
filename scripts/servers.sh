#!/usr/bin/env bash
# Throwaway PostgreSQL / MariaDB servers configured for CDC, for tests, demos and scenarios.
#
#   servers.sh start postgres NAME   -> prints postgresql://cutover:cutover@127.0.0.1:PORT/cutover
#   servers.sh start mariadb NAME    -> prints mariadb://cutover:cutover@127.0.0.1:PORT/cutover
#   servers.sh stop NAME             stop (fast) and delete its directory; no-op if unknown
#   servers.sh stop-all              stop every server under the state directory
#   servers.sh uri NAME              print the URI of a running server
#   servers.sh restart NAME          fast shutdown and start again (same data and port)
#   servers.sh halt NAME             fast shutdown, keeping data and port (an outage)
#   servers.sh resume NAME           start a halted server again (same data and port)
#
# Design: every server lives entirely in ${CUTOVER_SERVERS_DIR:-/tmp/cutover-servers}/NAME
# (data, socket, log, pid, and small state files `kind`, `port`, `uri`), listens on 127.0.0.1
# only, on a port chosen by binding port 0, and is retried on a new port if another process
# grabbed it in between. Setup goes through the server's unix socket as the bootstrap
# superuser (trust / passwordless root), so no password is ever passed on a command line
# except for the one-time `cutover` account creation, which is not logged. Nothing is printed
# on success except the URI line of `start`; on failure one error line plus the log tail goes
# to stderr. PostgreSQL refuses to run as root, so as root the server directory is owned by the
# `postgres` system user and initdb/pg_ctl run through `runuser -u postgres --`. MariaDB is run
# with --user=root when root. Setup statements on MariaDB run with sql_log_bin=0 so the binlog
# a CDC test sees starts clean. MariaDB uses utf8mb4 by default (as Debian's packaged config
# does); CUTOVER_MARIADB_EXTRA_ARGS appends mariadbd options (tests of misconfigured servers,
# e.g. --skip-log-bin).
set -euo pipefail

BASE="${CUTOVER_SERVERS_DIR:-/tmp/cutover-servers}"
START_TIMEOUT="${CUTOVER_SERVER_START_TIMEOUT:-60}"
PROG="servers.sh"

die() {
  echo "$PROG: $*" >&2
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: $PROG start postgres|mariadb NAME | stop NAME | stop-all | uri NAME | restart NAME
       | halt NAME | resume NAME
EOF
  exit 2
}

is_root() { [[ $EUID -eq 0 ]]; }

# True if the process exists and is not a zombie (PID 1 here may reap orphans late).
alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed -e 's/.*) //' -e 's/ .*//' "/proc/$1/stat" 2>/dev/null || true)"
  [[ "$state" != Z && "$state" != X ]]
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

valid_name() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "invalid server name '$1' (use [A-Za-z0-9._-])"
}

log_tail() {  # file [lines]
  local f="$1" n="${2:-25}"
  if [[ -s "$f" ]]; then
    echo "---- last $n lines of $f ----" >&2
    tail -n "$n" "$f" >&2 || true
  fi
}

log_errors() {  # file: the lines that say what failed (the tail is often only advice text)
  local f="$1"
  if [[ -s "$f" ]]; then
    echo "---- error lines of $f ----" >&2
    grep -iE "error|fail|abort" "$f" | head -n 15 >&2 || true
  fi
}

pg_bin() {
  if [[ -n "${CUTOVER_PG_BIN:-}" ]]; then
    echo "$CUTOVER_PG_BIN"
    return
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL server binaries (initdb) not found; run scripts/install-deps.sh"
}

# Runs a command as the user that owns PostgreSQL files (postgres when we are root).
as_pg() {
  if is_root; then
    (cd "$DIR" && runuser -u postgres -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

# ---------------------------------------------------------------- PostgreSQL

pg_start() {
  local bin port attempt
  bin="$(pg_bin)"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user"
    chown postgres: "$DIR"
    runuser -u postgres -- test -w "$DIR" ||
      die "user postgres cannot reach $DIR (make its parent directories traversable, e.g. chmod 755)"
  fi
  echo postgres >"$DIR/kind"

  # Bootstrap superuser is `cutover` itself; its password comes from a file, never argv.
  local pwfile="$DIR/.pw"
  (umask 077 && printf 'cutover\n' >"$pwfile")
  is_root && chown postgres: "$pwfile"
  if ! as_pg "$bin/initdb" -D "$DIR/data" -U cutover --pwfile="$pwfile" -E UTF8 \
      --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 --no-sync \
      >"$DIR/initdb.log" 2>&1; then
    rm -f "$pwfile"
    log_tail "$DIR/initdb.log"
    die "initdb failed for $NAME"
  fi
  rm -f "$pwfile"

  cat >>"$DIR/data/postgresql.conf" <<EOF

# ---- cutover throwaway server (scripts/servers.sh) ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
include_if_exists = 'cutover_port.conf'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 100
fsync = on
shared_buffers = 128MB
password_encryption = 'scram-sha-256'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
EOF
  # `replication=database` walsender connections match by database name, so the `all` lines
  # cover them; the `replication` lines are for physical replication (pg_basebackup etc.).
  cat >"$DIR/data/pg_hba.conf" <<EOF
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
local   replication  all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
  is_root && chown postgres: "$DIR/data/pg_hba.conf"

  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    echo "port = $port" >"$DIR/data/cutover_port.conf"
    is_root && chown postgres: "$DIR/data/cutover_port.conf"
    : >"$DIR/postgres.log"
    is_root && chown postgres: "$DIR/postgres.log"
    if as_pg "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t "$START_TIMEOUT" start \
        >>"$DIR/pg_ctl.log" 2>&1; then
      break
    fi
    if grep -qE 'could not bind|Address already in use' "$DIR/postgres.log" 2>/dev/null &&
        [[ $attempt -lt 5 ]]; then
      continue  # someone took the port between our probe and the bind: try another
    fi
    log_tail "$DIR/postgres.log"
    log_tail "$DIR/pg_ctl.log" 10
    as_pg "$bin/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    die "PostgreSQL '$NAME' did not start within ${START_TIMEOUT}s (port $port; directory removed)"
  done
  echo "$port" >"$DIR/port"

  if ! "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U cutover -d postgres \
      >"$DIR/setup.log" 2>&1 <<'EOF'; then
ALTER ROLE cutover WITH SUPERUSER REPLICATION LOGIN;
CREATE DATABASE cutover OWNER cutover;
EOF
    log_tail "$DIR/setup.log"
    die "PostgreSQL '$NAME': creating database cutover failed"
  fi
  echo "postgresql://cutover:cutover@127.0.0.1:$port/cutover" >"$DIR/uri"
}

pg_stop() {
  local bin pid
  bin="$(pg_bin)"
  [[ -f "$DIR/data/postmaster.pid" ]] || return 0
  if ! as_pg "$bin/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
    pid="$(head -n1 "$DIR/data/postmaster.pid" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid"; then
      as_pg "$bin/pg_ctl" -D "$DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
        kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
}

# ---------------------------------------------------------------- MariaDB

maria_sock() { echo "$DIR/mysqld.sock"; }

maria_pid() {
  local pid
  pid="$(cat "$DIR/mariadbd.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || pid="$(cat "$DIR/launcher.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && echo "$pid"
  return 0
}

# maria_launch PORT: starts mariadbd on the data directory in $DIR and waits until it answers;
# returns non-zero if it exited or did not answer within START_TIMEOUT (pid in launcher.pid).
maria_launch() {
  local port="$1" pid deadline user_opt=() mariadbd
  mariadbd="$(command -v mariadbd || echo /usr/sbin/mariadbd)"
  is_root && user_opt=(--user=root)
  # setsid: the server must not die with the caller's session or process group.
  setsid "$mariadbd" --no-defaults "${user_opt[@]}" \
    --datadir="$DIR/data" --socket="$(maria_sock)" --port="$port" --bind-address=127.0.0.1 \
    --pid-file="$DIR/mariadbd.pid" --log-error="$DIR/mariadbd.err" --tmpdir="$DIR/tmp" \
    --log-bin="$DIR/binlog" --server-id=1 --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --innodb-buffer-pool-size=128M --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    ${CUTOVER_MARIADB_EXTRA_ARGS:-} </dev/null >"$DIR/mariadbd.out" 2>&1 &
  pid=$!
  echo "$pid" >"$DIR/launcher.pid"
  deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    alive "$pid" || return 1
    if mariadb-admin --no-defaults --socket="$(maria_sock)" -u root --connect-timeout=2 \
        ping >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

maria_start() {
  local port attempt pid user_opt=()
  command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] ||
    die "mariadbd not found; run scripts/install-deps.sh"
  is_root && user_opt=(--user=root)
  echo mariadb >"$DIR/kind"
  mkdir -p "$DIR/tmp"

  # --tmpdir: the bootstrap server's temporary tables are named from values that repeat across
  # concurrent bootstraps; in a shared /tmp two installs started together fail with
  # "Unknown table 'mysql.tmp_user_sys'" (seen in CI, reproduced with 8 parallel installs).
  if ! mariadb-install-db --no-defaults --datadir="$DIR/data" "${user_opt[@]}" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      --tmpdir="$DIR/tmp" >"$DIR/install-db.log" 2>&1; then
    log_errors "$DIR/install-db.log"
    die "mariadb-install-db failed for $NAME"
  fi

  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    : >"$DIR/mariadbd.err"
    rm -f "$DIR/mariadbd.pid"
    if maria_launch "$port"; then
      break
    fi
    pid="$(cat "$DIR/launcher.pid")"
    local why="did not become ready within ${START_TIMEOUT}s"
    alive "$pid" || why="exited during startup"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if grep -qiE "Bind on TCP/IP port|Address already in use" "$DIR/mariadbd.err" &&
        [[ $attempt -lt 5 ]]; then
      continue
    fi
    log_tail "$DIR/mariadbd.err"
    log_tail "$DIR/mariadbd.out" 10
    die "MariaDB '$NAME' $why (port $port; directory removed)"
  done
  echo "$port" >"$DIR/port"

  if ! mariadb --no-defaults --socket="$(maria_sock)" -u root >"$DIR/setup.log" 2>&1 <<'EOF'; then
SET SESSION sql_log_bin = 0;
CREATE USER 'cutover'@'127.0.0.1' IDENTIFIED BY 'cutover';
CREATE USER 'cutover'@'localhost' IDENTIFIED BY 'cutover';
GRANT ALL PRIVILEGES ON *.* TO 'cutover'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'cutover'@'localhost' WITH GRANT OPTION;
CREATE DATABASE cutover;
EOF
    log_tail "$DIR/setup.log"
    die "MariaDB '$NAME': creating user/database cutover failed"
  fi
  echo "mariadb://cutover:cutover@127.0.0.1:$port/cutover" >"$DIR/uri"
}

maria_stop() {
  local pid i
  pid="$(maria_pid)"
  [[ -n "$pid" ]] || return 0
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do  # 60 s
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------- commands

cmd_start() {
  local kind="$1"
  NAME="$2"
  valid_name "$NAME"
  case "$kind" in
    postgres | postgresql | pg) kind=postgres ;;
    mariadb | mysql) kind=mariadb ;;
    *) die "unknown server kind '$kind' (postgres or mariadb)" ;;
  esac
  mkdir -p "$BASE"
  if is_root && [[ "$kind" == postgres ]] && ! runuser -u postgres -- test -x "$BASE"; then
    chmod 755 "$BASE" 2>/dev/null || true  # e.g. a mkdtemp dir (0700) owned by root
  fi
  DIR="$(cd "$BASE" && pwd -P)/$NAME"
  # Unix socket paths are limited to 107 bytes: ".../.s.PGSQL.65535" or ".../mysqld.sock".
  ((${#DIR} <= 88)) || die "server directory path too long for a unix socket: $DIR"
  if [[ -e "$DIR" ]]; then
    if server_running; then
      die "server '$NAME' is already running in $DIR"
    fi
    rm -rf "$DIR"
  fi
  mkdir -m 755 "$DIR"
  # On any failure, leave nothing running and nothing behind.
  trap 'rc=$?; if [[ $rc -ne 0 ]]; then stop_dir >/dev/null 2>&1 || true; fi' EXIT
  case "$kind" in
    postgres) pg_start ;;
    mariadb) maria_start ;;
  esac
  trap - EXIT
  cat "$DIR/uri"
}

server_running() {
  local kind pid
  kind="$(cat "$DIR/kind" 2>/dev/null || true)"
  case "$kind" in
    postgres)
      pid="$(head -n1 "$DIR/data/postmaster.pid" 2>/dev/null || true)"
      [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid"
      ;;
    mariadb)
      pid="$(maria_pid)"
      [[ -n "$pid" ]] && alive "$pid"
      ;;
    *) return 1 ;;
  esac
}

# Stops the server in $DIR (whatever its kind) and removes the directory.
stop_dir() {
  [[ -d "$DIR" ]] || return 0
  case "$(cat "$DIR/kind" 2>/dev/null || true)" in
    postgres) pg_stop ;;
    mariadb) maria_stop ;;
  esac
  rm -rf "$DIR"
}

cmd_stop() {
  NAME="$1"
  valid_name "$NAME"
  [[ -d "$BASE" ]] || return 0
  DIR="$(cd "$BASE" && pwd -P)/$NAME"
  stop_dir
}

cmd_stop_all() {
  [[ -d "$BASE" ]] || return 0
  local d
  for d in "$BASE"/*/; do
    [[ -d "$d" ]] || continue
    NAME="$(basename "$d")"
    DIR="$(cd "$d" && pwd -P)"
    stop_dir
  done
}

# Sets NAME and DIR for an existing server (started by `start`, maybe halted).
known_server() {
  NAME="$1"
  valid_name "$NAME"
  DIR="$BASE/$NAME"
  [[ -s "$DIR/uri" ]] || die "no server named '$NAME' under $BASE"
}

cmd_uri() {
  known_server "$1"
  server_running || die "server '$NAME' is not running"
  cat "$DIR/uri"
}

# Restarts a running server in place (same directory, data and port): a fast shutdown, then a
# start. For tests of clients that must survive a server restart.
cmd_restart() {
  known_server "$1"
  local port
  port="$(cat "$DIR/port")"
  case "$(cat "$DIR/kind" 2>/dev/null || true)" in
    postgres)
      as_pg "$(pg_bin)/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -m fast -w \
        -t "$START_TIMEOUT" restart >>"$DIR/pg_ctl.log" 2>&1 || {
        log_tail "$DIR/postgres.log"
        die "PostgreSQL '$NAME' did not restart"
      }
      ;;
    mariadb)
      maria_stop
      maria_launch "$port" || {
        log_tail "$DIR/mariadbd.err"
        die "MariaDB '$NAME' did not restart on port $port"
      }
      ;;
    *) die "server '$NAME' has no known kind" ;;
  esac
}

# Outages: `halt` stops a server (fast shutdown) but keeps its directory, data and port;
# `resume` starts it again on the same port, so its URI stays valid.
cmd_halt() {
  known_server "$1"
  case "$(cat "$DIR/kind" 2>/dev/null || true)" in
    postgres) pg_stop ;;
    mariadb) maria_stop ;;
    *) die "server '$NAME' has no known kind" ;;
  esac
}

cmd_resume() {
  known_server "$1"
  server_running && return 0
  local port
  port="$(cat "$DIR/port")"
  case "$(cat "$DIR/kind" 2>/dev/null || true)" in
    postgres)
      as_pg "$(pg_bin)/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t "$START_TIMEOUT" \
        start >>"$DIR/pg_ctl.log" 2>&1 || {
        log_tail "$DIR/postgres.log"
        die "PostgreSQL '$NAME' did not start again"
      }
      ;;
    mariadb)
      maria_launch "$port" || {
        log_tail "$DIR/mariadbd.err"
        die "MariaDB '$NAME' did not start again on port $port"
      }
      ;;
    *) die "server '$NAME' has no known kind" ;;
  esac
}

[[ $# -ge 1 ]] || usage
case "$1" in
  start) [[ $# -eq 3 ]] || usage; cmd_start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
  stop-all) [[ $# -eq 1 ]] || usage; cmd_stop_all ;;
  uri) [[ $# -eq 2 ]] || usage; cmd_uri "$2" ;;
  restart) [[ $# -eq 2 ]] || usage; cmd_restart "$2" ;;
  halt) [[ $# -eq 2 ]] || usage; cmd_halt "$2" ;;
  resume) [[ $# -eq 2 ]] || usage; cmd_resume "$2" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
