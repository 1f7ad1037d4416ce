# shellcheck shell=bash
# Shared helpers for bench/macro/*.sh (sourced, not executed).
#
# Every wait loop here has a deadline; every server started through bench_start_server and
# every background process registered with bench_track_pid is cleaned up by bench_cleanup,
# which the scripts install with bench_traps (EXIT, INT, TERM).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SERVERS="$BENCH_ROOT/scripts/servers.sh"
CUTOVER="${CUTOVER:-$BENCH_ROOT/build/cutover}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PGBENCH="${PGBENCH:-$PG_BIN/pgbench}"
PSQL="${PSQL:-$PG_BIN/psql}"
PG_DUMP="${PG_DUMP:-$PG_BIN/pg_dump}"
SCALE="${SCALE:-20}"
RUNS="${RUNS:-3}"
OBSERVE="${OBSERVE:-0}"   # 1: sample top + pg_stat_activity every 2 s during cutover's timed phase

BENCH_SERVERS=()   # names given to servers.sh start, stopped by the trap
BENCH_PIDS=()      # background processes we started, ended by the trap (by pid)

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now() { date +%s.%N; }
# elapsed START END -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# div A B -> A/B with 1 decimal
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "nan" }'; }
# ratio A B -> A/B with 3 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }'; }
# median of the arguments (numbers)
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The benchmark's own psql calls (setup, and polling every 100 ms) go through the servers' unix
# sockets (trust auth): over TCP each new connection pays a SCRAM key derivation (~4096 HMAC
# rounds), which measurably stole CPU from the tools on a 2-core machine. The tools themselves
# get the TCP URIs.
SERVERS_BASE="${CUTOVER_SERVERS_DIR:-/tmp/cutover-servers}"
declare -A SOCK_DIR_BY_PORT=()
# conninfo URI -> libpq connection string for the same server/database, via its socket if we
# started that server
conninfo() {
  local uri="$1" port db
  if [[ "$uri" =~ ^postgresql://[^@]*@127\.0\.0\.1:([0-9]+)/([A-Za-z0-9_]+)$ ]]; then
    port="${BASH_REMATCH[1]}"; db="${BASH_REMATCH[2]}"
    if [[ -n "${SOCK_DIR_BY_PORT[$port]:-}" ]]; then
      echo "host=${SOCK_DIR_BY_PORT[$port]} port=$port user=cutover dbname=$db"
      return
    fi
  fi
  echo "$uri"
}

# q URI SQL... -> unaligned, tuples only; fails on error
q() {
  local uri="$1"; shift
  local args=() s
  for s in "$@"; do args+=(-c "$s"); done
  PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -At -v ON_ERROR_STOP=1 \
    -d "$(conninfo "$uri")" "${args[@]}"
}

# db_uri URI DBNAME -> same server, other database
db_uri() { echo "${1%/*}/$2"; }

# bench_start_server VAR NAME: starts server NAME (registered for cleanup), stores its URI in VAR.
# Not called through $(...), so the registration survives in this shell.
bench_start_server() {
  local -n _uri_out="$1"
  local name="$2"
  BENCH_SERVERS+=("$name")
  _uri_out="$("$SERVERS" start postgres "$name")" || die "could not start server $name"
  SOCK_DIR_BY_PORT[$(cat "$SERVERS_BASE/$name/port")]="$SERVERS_BASE/$name"
}

bench_stop_server() {  # NAME
  local name="$1" i
  "$SERVERS" stop "$name" >/dev/null 2>&1 || true
  for i in "${!BENCH_SERVERS[@]}"; do
    [[ "${BENCH_SERVERS[$i]}" == "$name" ]] && unset 'BENCH_SERVERS[i]'
  done
  return 0
}

bench_track_pid() { BENCH_PIDS+=("$1"); }

# stop_pid PID [SIGNAL] [TIMEOUT_S]: signal, wait up to TIMEOUT_S, then SIGKILL. Returns the
# process's exit code if it was our child and exited in time, else 255.
stop_pid() {
  local pid="$1" sig="${2:-TERM}" t="${3:-60}" deadline rc
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null && return 0 || return $?; }
  kill -"$sig" "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + t ))
  while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do
    # a finished child stays a zombie until waited: check its state
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)" == Z ]] && break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)" != Z ]]; then
    log "pid $pid did not stop within ${t}s after SIG$sig: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 255
  fi
  rc=0
  wait "$pid" 2>/dev/null || rc=$?
  return "$rc"
}

# bench_cleanup [EXIT_CODE]: installed as `trap bench_cleanup EXIT` plus
# `trap 'bench_cleanup 130' INT` and `trap 'bench_cleanup 143' TERM`.
bench_cleanup() {
  local rc=$? p n
  [[ $# -gt 0 ]] && rc="$1"
  trap - EXIT INT TERM
  for p in "${BENCH_PIDS[@]}"; do
    if kill -0 "$p" 2>/dev/null; then stop_pid "$p" TERM 20 >/dev/null 2>&1 || true; fi
  done
  for n in "${BENCH_SERVERS[@]}"; do
    "$SERVERS" stop "$n" >/dev/null 2>&1 || true
  done
  exit "$rc"
}

# wait_until TIMEOUT_S DESCRIPTION COMMAND...: polls COMMAND every 100 ms until it succeeds
wait_until() {
  local t="$1" what="$2"; shift 2
  local deadline
  deadline=$(( $(date +%s) + t ))
  until "$@"; do
    (( $(date +%s) < deadline )) || die "timed out after ${t}s waiting for: $what"
    sleep 0.1
  done
}

bench_traps() {
  trap bench_cleanup EXIT
  trap 'bench_cleanup 130' INT
  trap 'bench_cleanup 143' TERM
}

# Observer: samples top and pg_stat_activity of one server into FILE every 2 s, for at most
# 600 s, until stopped. Only when OBSERVE=1 (it costs CPU on a 2-core box).
OBSERVER_PID=""
observer_start() {  # FILE URI...
  [[ "$OBSERVE" == 1 ]] || return 0
  local file="$1"; shift
  local uris=("$@")
  (
    end=$(( $(date +%s) + 600 ))
    while (( $(date +%s) < end )); do
      {
        echo "==== $(date -u +%H:%M:%S.%N)"
        top -b -n 1 -w 180 | sed -n '1,5p;7,16p'
        for u in "${uris[@]}"; do
          echo "-- pg_stat_activity ${u##*@}"
          "$PSQL" -X -At -d "$(conninfo "$u")" -c "select pid, backend_type, state, wait_event_type, wait_event,
              left(regexp_replace(query, '\s+', ' ', 'g'), 90)
            from pg_stat_activity where pid <> pg_backend_pid() and backend_type in
              ('client backend','walsender','logical replication worker')" 2>&1 || true
        done
      } >>"$file"
      sleep 2
    done
  ) </dev/null >/dev/null 2>&1 &
  OBSERVER_PID=$!
  bench_track_pid "$OBSERVER_PID"
}
observer_stop() {
  [[ -n "$OBSERVER_PID" ]] || return 0
  kill "$OBSERVER_PID" 2>/dev/null || true
  wait "$OBSERVER_PID" 2>/dev/null || true
  OBSERVER_PID=""
}

# CPU accounting by role, from the kernel's per-thread schedstat (ns on a CPU, ns runnable but
# waiting for one). cpu_mark FILE snapshots every thread of every postgres, mariadbd and cutover
# process: "tid pid on_cpu_ns waiting_ns role". Pure bash reads (no process per thread), so the
# snapshot itself costs a few milliseconds. cpu_report START END prints, per role, the CPU
# seconds spent between the two snapshots and the seconds spent waiting for a CPU (threads that
# started after START count from zero; threads gone by END are not counted, such as the
# bench's own short psql polls). Roles: "cutover",
# and for PostgreSQL "<server> <kind>", the server being the last dash-separated word of its
# servers.sh name (src, tgtc, ...) and the kind the backend's title ("walsender", "logical
# replication worker", "client backend" for TCP clients (the tools), "psql (bench)" for the
# bench's own socket connections, else the auxiliary process's name).
cpu_mark() {
  local file="$1" d t comm run wait _ role
  local -A server_of=()
  : >"$file"
  for d in /proc/[0-9]*; do
    { read -r comm <"$d/comm"; } 2>/dev/null || continue
    case "$comm" in postgres | mariadbd | cutover) ;; *) continue ;; esac
    role="$(_cpu_role "${d#/proc/}" "$comm")" || continue
    for t in "$d"/task/[0-9]*; do
      { read -r run wait _ <"$t/schedstat"; } 2>/dev/null || continue
      echo "${t##*/} ${d#/proc/} $run $wait $role" >>"$file"
    done
  done
}
_cpu_role() {  # PID COMM -> role
  local pid="$1" comm="$2" cmd ppid pcmd server kind
  [[ "$comm" == cutover ]] && { echo cutover; return; }
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  if [[ "$comm" == mariadbd ]]; then
    server="$(sed -nE 's#.*--datadir=[^ ]*/([^/ ]+)/data.*#\1#p' <<<"$cmd")"
    echo "${server##*-} mariadbd"; return
  fi
  if [[ "$cmd" == *" -D "* ]]; then
    pcmd="$cmd"; kind=postmaster
  else
    ppid="$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    pcmd="$(tr '\0' ' ' <"/proc/$ppid/cmdline" 2>/dev/null)" || return 1
    case "$cmd" in
      "postgres: walsender"*) kind=walsender ;;
      "postgres: logical replication worker"*) kind="logical replication worker" ;;
      *"[local]"*) kind="psql (bench)" ;;
      *"127.0.0.1("*) kind="client backend" ;;
      "postgres: "*) kind="${cmd#postgres: }"; kind="${kind%% *}" ;;
      *) kind=other ;;
    esac
  fi
  server="$(sed -nE 's#.* -D [^ ]*/([^/ ]+)/data.*#\1#p' <<<"$pcmd")"
  echo "${server##*-} $kind"
}
cpu_report() {  # START END -> "cpu_s wait_s role" lines, most CPU first, then a total line
  awk 'NR == FNR { run[$1] = $3; wait[$1] = $4; next }
       { r = $5; for (i = 6; i <= NF; ++i) r = r " " $i
         c[r] += ($3 - run[$1]) / 1e9; w[r] += ($4 - wait[$1]) / 1e9 }
       END { for (r in c) if (c[r] >= 0.005) { printf "%7.2f %7.2f  %s\n", c[r], w[r], r; tc += c[r]; tw += w[r] }
             printf "%7.2f %7.2f  total\n", tc, tw }' "$1" "$2" | sort -k1,1gr
}

bench_preflight() {
  [[ -x "$CUTOVER" ]] || die "$CUTOVER not found: build it (cmake --preset default && cmake --build --preset default)"
  [[ -x "$PGBENCH" ]] || die "pgbench not found at $PGBENCH"
  [[ -x "$PSQL" ]] || die "psql not found at $PSQL"
}

# bench_pin_binary DIR: copies $CUTOVER into DIR and uses that copy, so a concurrent rebuild of
# ./build cannot swap the binary in the middle of a benchmark.
bench_pin_binary() {
  cp "$CUTOVER" "$1/cutover"
  CUTOVER_ORIGIN="$CUTOVER"
  CUTOVER="$1/cutover"
}

machine_info() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  free -g | sed 's/^/free -g: /'
  echo "kernel: $(uname -sr)"
  echo "postgres: $("$PG_BIN/postgres" --version)"
  echo "pgbench: $("$PGBENCH" --version)"
  command -v pgcopydb >/dev/null && echo "pgcopydb: $(pgcopydb --version 2>/dev/null | head -1)"
  echo "cutover: $("$CUTOVER" --version 2>&1 | head -1), binary ${CUTOVER_ORIGIN:-$CUTOVER}" \
    "(sha256 $(sha256sum "$CUTOVER" | cut -c1-16), built $(date -u -r "${CUTOVER_ORIGIN:-$CUTOVER}" '+%F %T UTC'))"
  echo "work tree: git $(git -C "$BENCH_ROOT" rev-parse --short HEAD)$(git -C "$BENCH_ROOT" diff --quiet HEAD -- engine cli 2>/dev/null || echo ' (engine/cli modified: ./build may not match HEAD)')"
}

# ---------------------------------------------------------------- MariaDB helpers
# For the maria_*.sh benchmarks. The benchmark's own statements (setup, polls, checksums) run as
# root over the server's unix socket; the tools get the TCP URI (user cutover), and tools that
# take a client option file get one written by maria_client_cnf, so no password is on a command
# line of ours (the servers' fixed test credential is still in the URIs cutover is given, as in
# the PostgreSQL scripts).
MARIADB="${MARIADB:-mariadb}"
SYSBENCH="${SYSBENCH:-sysbench}"
declare -A MARIA_SOCK_BY_PORT=()

# bench_start_mariadb VAR NAME [MARIADBD_OPTION...]: starts MariaDB server NAME (registered for
# cleanup; options are appended to scripts/servers.sh's, e.g. --server-id=2), stores its URI in VAR.
bench_start_mariadb() {
  local -n _muri_out="$1"
  local name="$2"
  shift 2
  BENCH_SERVERS+=("$name")
  _muri_out="$(CUTOVER_MARIADB_EXTRA_ARGS="$*" "$SERVERS" start mariadb "$name")" ||
    die "could not start MariaDB server $name"
  MARIA_SOCK_BY_PORT[$(cat "$SERVERS_BASE/$name/port")]="$SERVERS_BASE/$name/mysqld.sock"
}

# maria_port URI / maria_db URI: the port and database of a mariadb://...@127.0.0.1:PORT/DB URI
maria_port() {
  [[ "$1" =~ ^mariadb://[^@]*@127\.0\.0\.1:([0-9]+)/ ]] || die "not a local MariaDB URI: ${1##*@}"
  echo "${BASH_REMATCH[1]}"
}
maria_db() {
  [[ "$1" =~ ^mariadb://[^@]*@127\.0\.0\.1:[0-9]+/([A-Za-z0-9_]+)$ ]] || die "not a local MariaDB URI: ${1##*@}"
  echo "${BASH_REMATCH[1]}"
}

# mq URI SQL...: runs the statements as root over the socket of a server started by
# bench_start_mariadb, in the URI's database; tab-separated, no column names; stops and fails at
# the first error. The SQL goes through stdin (not argv: CHANGE MASTER carries a password).
# mq_vertical URI SQL: the same, one "name: value" line per column (SHOW SLAVE STATUS).
mq() { _mq "$1" -N -B <<<"$(printf '%s;\n' "${@:2}")"; }
mq_vertical() { _mq "$1" -E <<<"$2;"; }
_mq() {
  local uri="$1" port sock
  shift
  port="$(maria_port "$uri")"
  sock="${MARIA_SOCK_BY_PORT[$port]:-}"
  [[ -n "$sock" ]] || die "mq: no MariaDB started by this script on port $port"
  "$MARIADB" --no-defaults --socket="$sock" -uroot "$@" "$(maria_db "$uri")"
}

# maria_client_cnf FILE URI: a [client] option file (mode 600) for mariadb/mariadb-dump over TCP
# as the URI's user; pass it with --defaults-file=FILE.
maria_client_cnf() {
  local file="$1" uri="$2" user pass
  [[ "$uri" =~ ^mariadb://([^:@]+):([^@]*)@ ]] || die "maria_client_cnf: URI without user:password"
  user="${BASH_REMATCH[1]}"; pass="${BASH_REMATCH[2]}"
  (umask 077 && printf '[client]\nuser=%s\npassword=%s\nhost=127.0.0.1\nport=%s\nprotocol=TCP\n' \
    "$user" "$pass" "$(maria_port "$uri")" >"$file")
}

# maria_checkpoint URI: the MariaDB counterpart of the PostgreSQL scripts' CHECKPOINT before a
# timed run: flush InnoDB's dirty pages (innodb_max_dirty_pages_pct = 0 until none are left, at
# most 60 s; a leftover is logged, not fatal), so one run's writes do not burden the next.
maria_checkpoint() {
  local uri="$1" pct deadline dirty=""
  pct="$(mq "$uri" "select @@global.innodb_max_dirty_pages_pct")"
  mq "$uri" "set global innodb_max_dirty_pages_pct = 0"
  deadline=$(( $(date +%s) + 60 ))
  while (( $(date +%s) < deadline )); do
    dirty="$(mq "$uri" "select variable_value from information_schema.global_status
                        where variable_name = 'INNODB_BUFFER_POOL_PAGES_DIRTY'")"
    (( dirty == 0 )) && break
    sleep 0.2
  done
  mq "$uri" "set global innodb_max_dirty_pages_pct = $pct"
  (( dirty == 0 )) || log "maria_checkpoint ${uri##*@}: $dirty dirty pages left after 60 s"
}

# sysbench_cmd VAR TEST URI TABLES TABLE_SIZE: VAR=(sysbench TEST --db-driver=mysql ...) against the
# URI's server and database (TCP, 127.0.0.1, as the URI's user).
sysbench_cmd() {
  local -n _sb_out="$1"
  local test="$2" uri="$3" user pass
  [[ "$uri" =~ ^mariadb://([^:@]+):([^@]*)@ ]] || die "sysbench_cmd: URI without user:password"
  user="${BASH_REMATCH[1]}"; pass="${BASH_REMATCH[2]}"
  _sb_out=("$SYSBENCH" "$test" --db-driver=mysql --mysql-host=127.0.0.1
    --mysql-port="$(maria_port "$uri")" --mysql-user="$user" --mysql-password="$pass"
    --mysql-db="$(maria_db "$uri")" --tables="$4" --table-size="$5")
}

# Content fingerprint of sysbench tables sbtest1..N (columns id, k, c, pad): per table
# "rows:sum of the first 32 bits of md5(id, k, c, pad)", tables separated by spaces. The same
# number in both dialects, so a MariaDB source can be compared with a PostgreSQL target whatever
# column types a tool chose: CHAR padding is dropped on both sides (MariaDB returns CHAR values
# without it; PostgreSQL's concat_ws would keep bpchar padding, hence ::text). sysbench's c and
# pad values have no trailing spaces of their own.
sb_fingerprint_maria() {  # URI NTABLES
  local i sql=""
  for i in $(seq 1 "$2"); do
    sql+="${sql:+, ' ', }(select concat(count(*), ':', coalesce(sum(cast(conv(left(md5(concat_ws(char(31),
      id, k, c, pad)), 8), 16, 10) as unsigned)), 0)) from sbtest$i)"
  done
  mq "$1" "select concat($sql)"
}
sb_fingerprint_pg() {  # URI SCHEMA NTABLES
  local i sql=""
  for i in $(seq 1 "$3"); do
    sql+="${sql:+ || ' ' || }(select count(*) || ':' || coalesce(sum(('x' || left(md5(concat_ws(chr(31),
      id, k, c::text, pad::text)), 8))::bit(32)::bigint), 0) from $2.sbtest$i)"
  done
  q "$1" "select $sql"
}

# maria_machine_info URI: machine_info plus the MariaDB-side tool versions.
maria_machine_info() {
  machine_info 2>/dev/null | grep -v -e '^pgcopydb' || true
  echo "mariadb: $(mq "$1" 'select version()')"
  echo "mariadb client: $("$MARIADB" --version)"
  command -v mariadb-dump >/dev/null && echo "mariadb-dump: $(mariadb-dump --version)"
  command -v "$SYSBENCH" >/dev/null && echo "sysbench: $("$SYSBENCH" --version)"
  command -v pgloader >/dev/null && echo "pgloader: $(pgloader --version 2>&1 | head -1)"
  return 0
}

# maria_observe FILE URI...: like observer_start (OBSERVE=1 only) for MariaDB servers: top plus
# SHOW PROCESSLIST of each server every 2 s, at most 600 s; stop with observer_stop.
maria_observe() {
  [[ "$OBSERVE" == 1 ]] || return 0
  local file="$1"; shift
  local uris=("$@")
  (
    end=$(( $(date +%s) + 600 ))
    while (( $(date +%s) < end )); do
      {
        echo "==== $(date -u +%H:%M:%S.%N)"
        top -b -n 1 -w 180 | sed -n '1,5p;7,16p'
        for u in "${uris[@]}"; do
          echo "-- processlist ${u##*@}"
          mq "$u" "select id, user, command, time, state, left(replace(info, '\n', ' '), 90)
                   from information_schema.processlist where id <> connection_id()
                   and command <> 'Daemon'" 2>&1 || true
        done
      } >>"$file"
      sleep 2
    done
  ) </dev/null >/dev/null 2>&1 &
  OBSERVER_PID=$!
  bench_track_pid "$OBSERVER_PID"
}

# compare_runs PEER ROWS DESCRIPTION: the run loop of a cutover-vs-PEER timing benchmark. RUNS
# runs; odd runs start with cutover, even ones with PEER. Each measurement calls the script's
# `run_tool TOOL RUN`, which prints the tool's seconds on stdout (and exits non-zero on any
# failure, verification included). Prints a line per run and a summary (medians, ROWS/s, the
# ratio PEER time / cutover time of the medians and the median of the per-run ratios); writes
# $OUT/runs.tsv and $OUT/summary.txt.
compare_runs() {
  local peer="$1" rows="$2" desc="$3" r tool cr pr mc mp
  local -a cut=() other=() rat=() order=()
  local -A secs=()
  printf 'run\tfirst\tcutover_s\t%s_s\tcutover_rows_s\t%s_rows_s\tratio\n' "$peer" "$peer" >"$OUT/runs.tsv"
  for r in $(seq 1 "$RUNS"); do
    if (( r % 2 )); then order=(cutover "$peer"); else order=("$peer" cutover); fi
    for tool in "${order[@]}"; do
      log "run $r: $tool"
      secs[$tool]="$(run_tool "$tool" "$r")" || die "run $r: $tool failed"
      [[ "${secs[$tool]}" =~ ^[0-9]+\.[0-9]+$ ]] || die "run $r: $tool: no time measured"
      log "run $r: $tool ${secs[$tool]} s ($(div "$rows" "${secs[$tool]}") rows/s)"
    done
    cut+=("${secs[cutover]}"); other+=("${secs[$peer]}")
    cr="$(div "$rows" "${secs[cutover]}")"; pr="$(div "$rows" "${secs[$peer]}")"
    rat+=("$(ratio "${secs[$peer]}" "${secs[cutover]}")")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${order[0]}" "${secs[cutover]}" "${secs[$peer]}" \
      "$cr" "$pr" "${rat[-1]}" | tee -a "$OUT/runs.tsv"
  done
  mc="$(median "${cut[@]}")"; mp="$(median "${other[@]}")"
  {
    echo "$desc, runs $RUNS"
    echo "cutover median: $mc s  = $(div "$rows" "$mc") rows/s  (runs: ${cut[*]})"
    echo "$peer median: $mp s  = $(div "$rows" "$mp") rows/s  (runs: ${other[*]})"
    echo "ratio cutover/$peer (rows/s of medians): $(ratio "$mp" "$mc")"
    echo "ratio cutover/$peer (median of per-run ratios): $(median "${rat[@]}")  (per run: ${rat[*]})"
    echo "output: $OUT"
  } | tee "$OUT/summary.txt"
}
