#!/usr/bin/env bash
# Full-load macro benchmark MariaDB -> MariaDB: cutover `replicate --type full-load` vs
# `mariadb-dump --single-transaction | mariadb`.
#
#   bench/macro/maria_full_load.sh     # RUNS=3 SB_TABLES=4 TABLE_SIZE=250000 PARALLEL=4
#
# One source server gets `sysbench oltp_common prepare --tables=SB_TABLES --table-size=TABLE_SIZE
# --create_secondary=off` (sbtest1..N: id INT AUTO_INCREMENT PRIMARY KEY, k INT, c CHAR(120),
# pad CHAR(60)). Without the secondary index k_1 because cutover copies data and the primary key
# only: the peer would otherwise build an index cutover does not (SECONDARY=1 keeps it, for a
# look at that cost; then only the peer builds it). Both tools copy the N tables into a freshly
# created, empty database on one target server (every run its own database, dropped after
# verification); InnoDB dirty pages of both servers are flushed before each run
# (maria_checkpoint). Runs alternate which tool goes first. Timed: the wall clock of the tool's
# process (the peer: the whole dump | load pipeline).
#
#   cutover: replicate --type full-load --parallel PARALLEL --tables 'cutover.sbtest%'
#            (one connection per table, LOAD DATA LOCAL INFILE streamed from memory)
#   peer:    mariadb-dump --single-transaction cutover sbtest1..N | mariadb <db>
#            (stock options: --opt, i.e. extended INSERTs; one session, autocommit)
#
# Verified after each run: per table the row count and a content checksum (sum of md5 prefixes of
# id, k, c, pad: sb_fingerprint_maria) equal the source's, and every table has its primary key.
#
# Output: a per-run line on stdout, then medians and the ratio; tool logs and raw TSV under $OUT
# (default bench/out/maria_full_load-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SB_TABLES="${SB_TABLES:-4}"
TABLE_SIZE="${TABLE_SIZE:-250000}"
PARALLEL="${PARALLEL:-4}"
SECONDARY="${SECONDARY:-0}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"   # seconds, per tool run
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_full_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bmfl-$$"
TOTAL=$(( SB_TABLES * TABLE_SIZE ))

bench_traps
[[ -x "$CUTOVER" ]] || die "$CUTOVER not found: build it (cmake --preset default && cmake --build --preset default)"
command -v "$SYSBENCH" >/dev/null || die "sysbench not found: scripts/install-deps.sh --bench"
command -v mariadb-dump >/dev/null || die "mariadb-dump not found (mariadb-client)"
mkdir -p "$OUT"
bench_pin_binary "$OUT"

log "starting servers"
bench_start_mariadb SRC "$TAG-src"
bench_start_mariadb TGT "$TAG-tgt"
log "source ${SRC##*@}, target ${TGT##*@}"
maria_machine_info "$SRC" >"$OUT/machine.txt"
maria_client_cnf "$OUT/src.cnf" "$SRC"
maria_client_cnf "$OUT/tgt.cnf" "$TGT"

secondary=off; [[ "$SECONDARY" == 1 ]] && secondary=on
sysbench_cmd SB oltp_common "$SRC" "$SB_TABLES" "$TABLE_SIZE"
log "sysbench prepare: $SB_TABLES x $TABLE_SIZE rows, secondary index $secondary"
t0=$(now)
timeout 900 "${SB[@]}" --create_secondary="$secondary" prepare >"$OUT/sysbench_prepare.log" 2>&1 ||
  die "sysbench prepare failed: $(tail -5 "$OUT/sysbench_prepare.log")"
log "sysbench prepare done in $(elapsed "$t0" "$(now)") s"

TABLES=()
for i in $(seq 1 "$SB_TABLES"); do TABLES+=("sbtest$i"); done
EXPECT="$(sb_fingerprint_maria "$SRC" "$SB_TABLES")"
for fp in $EXPECT; do
  [[ "${fp%%:*}" == "$TABLE_SIZE" ]] || die "source table has ${fp%%:*} rows, expected $TABLE_SIZE"
done
log "rows to copy: $TOTAL (${TABLES[*]}); source fingerprint $EXPECT"

verify() {  # DB_URI
  local fp n
  fp="$(sb_fingerprint_maria "$1" "$SB_TABLES")" || return 1
  [[ "$fp" == "$EXPECT" ]] || { log "verify: target fingerprint $fp, source $EXPECT"; return 1; }
  n="$(mq "$1" "select count(*) from information_schema.table_constraints
                where table_schema = database() and constraint_type = 'PRIMARY KEY'
                  and table_name like 'sbtest%'")"
  [[ "$n" == "$SB_TABLES" ]] || { log "verify: $n primary keys, expected $SB_TABLES"; return 1; }
}

run_tool() {  # TOOL RUN -> prints seconds
  local tool="$1" r="$2" db uri t0 t1 rc=0
  db="${tool//-/_}_r$r"
  mq "$TGT" "drop database if exists $db" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  maria_checkpoint "$SRC"
  maria_checkpoint "$TGT"
  maria_observe "$OUT/observe-$tool-r$r.txt" "$SRC" "$uri"
  case "$tool" in
    cutover)
      t0=$(now)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" replicate --source "$SRC" --target "$uri" \
        --task "bench_fl_r$r" --type full-load --parallel "$PARALLEL" --tables 'cutover.sbtest%' \
        </dev/null >"$OUT/cutover-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
    mariadb-dump)
      t0=$(now)
      # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
      timeout "$TOOL_TIMEOUT" bash -o pipefail -c \
        'mariadb-dump --defaults-file="$1" --single-transaction cutover "${@:4}" |
           "$MARIADB" --defaults-file="$2" "$3"' \
        _ "$OUT/src.cnf" "$OUT/tgt.cnf" "$db" "${TABLES[@]}" \
        </dev/null >"$OUT/mariadb-dump-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
  esac
  observer_stop
  if (( rc != 0 )); then
    log "$tool run $r FAILED (exit $rc); last lines of its log:"
    tail -15 "$OUT/$tool-r$r.log" >&2
    exit 1
  fi
  verify "$uri" || { log "$tool run $r: target verification FAILED"; exit 1; }
  if [[ "$tool" == cutover ]]; then
    "$CUTOVER" -q task drop --source "$SRC" --target "$uri" --task "bench_fl_r$r" \
      >>"$OUT/cutover-r$r.log" 2>&1 || true
  fi
  mq "$TGT" "drop database $db"
  elapsed "$t0" "$t1"
}

export MARIADB
compare_runs mariadb-dump "$TOTAL" \
  "MariaDB -> MariaDB full load: $TOTAL rows (sysbench $SB_TABLES x $TABLE_SIZE, secondary index $secondary), cutover --parallel $PARALLEL"
