#!/usr/bin/env bash
# Full load PostgreSQL -> MariaDB: how should MariaSink write rows? Three contenders, same data:
#
#   infile  cutover's default: LOAD DATA LOCAL INFILE streamed from memory (infile handler)
#   insert  cutover with CUTOVER_MARIA_LOAD=insert: multi-row INSERT statements (~4 MiB each)
#   native  the peer: `psql \copy (...) TO STDOUT | mariadb -e "LOAD DATA LOCAL INFILE
#           '/dev/stdin'"` into a table created with the same definition cutover creates
#
#   bench/macro/maria_load_methods.sh       # SCALE=10 (pgbench_accounts = 1,000,000 rows), RUNS=3
#
# One PostgreSQL source gets `pgbench -i -s $SCALE`; only pgbench_accounts is copied (one table, one
# worker, so the figures are per-table throughput). Every run of every method loads into a fresh
# MariaDB database, verified by row count and primary key, then dropped. Runs rotate the order.
# Timed: the wall clock of the tool's process (for native, the whole pipeline including psql).
#
# Output: per-run lines, medians, rows/s and the ratios against native; files under $OUT.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SCALE="${SCALE:-10}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bml-$$"
MARIADB="${MARIADB:-mariadb}"
METHODS=(infile insert native)

bench_traps
bench_preflight
command -v "$MARIADB" >/dev/null || die "mariadb client not found"
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt"

log "starting servers"
bench_start_server SRC "$TAG-src"
BENCH_SERVERS+=("$TAG-tgt")
TGT="$("$SERVERS" start mariadb "$TAG-tgt")" || die "could not start MariaDB"
TGT_SOCK="$SERVERS_BASE/$TAG-tgt/mysqld.sock"
log "source ${SRC##*@}, target ${TGT##*@}"

# m SQL...: the benchmark's own MariaDB statements, as root over the server's unix socket.
m() { "$MARIADB" --socket="$TGT_SOCK" -uroot --batch --skip-column-names --local-infile=1 "$@"; }

log "pgbench -i -s $SCALE on source"
timeout 900 "$PGBENCH" -i -s "$SCALE" -q "$SRC" >"$OUT/pgbench_init.log" 2>&1 ||
  die "pgbench -i failed: $(tail -5 "$OUT/pgbench_init.log")"
ROWS="$(q "$SRC" "select count(*) from pgbench_accounts")"
[[ "$ROWS" == "$(( SCALE * 100000 ))" ]] || die "unexpected source row count $ROWS"
log "rows to copy: $ROWS"
m -e "select @@version, @@max_allowed_packet, @@innodb_buffer_pool_size, @@log_bin, @@binlog_format" \
  >>"$OUT/machine.txt"

verify() {  # DB
  local n
  n="$(m -e "select count(*) from \`$1\`.pgbench_accounts")"
  [[ "$n" == "$ROWS" ]] || { log "verify: $1 has $n rows, expected $ROWS"; return 1; }
  n="$(m -e "select count(*) from information_schema.STATISTICS where TABLE_SCHEMA = '$1'
             and TABLE_NAME = 'pgbench_accounts' and INDEX_NAME = 'PRIMARY'")"
  [[ "$n" == 1 ]] || { log "verify: $1 has no primary key"; return 1; }
}

run_method() {  # METHOD RUN -> prints seconds
  local method="$1" r="$2" db="bml_${1}_r$2" uri t0 t1 rc=0
  m -e "drop database if exists $db; create database $db"
  uri="${TGT%/*}/$db"
  case "$method" in
    infile|insert)
      local env=()
      [[ "$method" == insert ]] && env=(CUTOVER_MARIA_LOAD=insert)
      t0=$(now)
      env "${env[@]}" timeout "$TOOL_TIMEOUT" "$CUTOVER" replicate --source "$SRC" --target "$uri" \
        --task "bml_r$r" --type full-load --tables public.pgbench_accounts \
        >"$OUT/$method-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
    native)
      # The same definition cutover creates (docs/types.md mapping of the pgbench columns).
      m "$db" -e "create table pgbench_accounts (aid int not null, bid int, abalance int,
        filler char(84) character set utf8mb4 collate utf8mb4_nopad_bin, primary key (aid))
        engine=InnoDB"
      t0=$(now)
      { timeout "$TOOL_TIMEOUT" "$PSQL" -X -q -d "$(conninfo "$SRC")" \
          -c "\\copy public.pgbench_accounts to stdout" |
        timeout "$TOOL_TIMEOUT" "$MARIADB" --socket="$TGT_SOCK" -uroot --local-infile=1 "$db" \
          -e "load data local infile '/dev/stdin' into table pgbench_accounts character set utf8mb4"
      } >"$OUT/native-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
  esac
  if (( rc != 0 )); then
    log "$method run $r FAILED (exit $rc):"
    tail -15 "$OUT/$method-r$r.log" >&2
    exit 1
  fi
  verify "$db" || { log "$method run $r: verification FAILED"; exit 1; }
  m -e "drop database $db"
  elapsed "$t0" "$t1"
}

declare -A ALL=()
printf 'run\torder\tinfile_s\tinsert_s\tnative_s\n' >"$OUT/runs.tsv"
for r in $(seq 1 "$RUNS"); do
  order=("${METHODS[@]:$(( (r - 1) % 3 ))}" "${METHODS[@]:0:$(( (r - 1) % 3 ))}")
  declare -A S=()
  for method in "${order[@]}"; do
    S[$method]="$(run_method "$method" "$r")"
    ALL[$method]+="${S[$method]} "
    log "run $r: $method ${S[$method]} s ($(div "$ROWS" "${S[$method]}") rows/s)"
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$r" "${order[*]}" "${S[infile]}" "${S[insert]}" "${S[native]}" |
    tee -a "$OUT/runs.tsv"
done

# shellcheck disable=SC2086
{
  mi="$(median ${ALL[infile]})"; ms="$(median ${ALL[insert]})"; mn="$(median ${ALL[native]})"
  echo "rows: $ROWS (pgbench_accounts, scale $SCALE), one table, runs $RUNS"
  echo "infile (LOAD DATA LOCAL)  median: $mi s = $(div "$ROWS" "$mi") rows/s"
  echo "insert (multi-row INSERT) median: $ms s = $(div "$ROWS" "$ms") rows/s"
  echo "native (psql | mariadb)   median: $mn s = $(div "$ROWS" "$mn") rows/s"
  echo "ratio infile/native (rows/s): $(ratio "$mn" "$mi")"
  echo "ratio insert/native (rows/s): $(ratio "$mn" "$ms")"
  echo "ratio infile/insert (rows/s): $(ratio "$ms" "$mi")"
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
