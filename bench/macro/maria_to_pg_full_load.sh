#!/usr/bin/env bash
# Full-load macro benchmark MariaDB -> PostgreSQL: cutover `replicate --type full-load` vs pgloader.
#
#   bench/macro/maria_to_pg_full_load.sh     # RUNS=3 SB_TABLES=4 TABLE_SIZE=250000 PARALLEL=4
#
# The same data as maria_full_load.sh: one MariaDB source with `sysbench oltp_common prepare
# --tables=SB_TABLES --table-size=TABLE_SIZE --create_secondary=off` (primary key only, so both
# tools create tables, copy the data and build the primary keys: nothing else). One PostgreSQL
# target server; every run loads into a freshly created empty database, dropped after
# verification; CHECKPOINT on the target and an InnoDB flush on the source before each run. Runs
# alternate which tool goes first. Timed: the wall clock of the tool's process.
#
#   cutover:  replicate --type full-load --parallel PARALLEL --tables 'cutover.sbtest%'
#             (tables land in schema public: engine/core/naming.h)
#   pgloader: `pgloader <command file>` (mode 600, kept in $OUT as pgloader-rN.load):
#               LOAD DATABASE FROM mysql://...@127.0.0.1:PORT/cutover INTO postgresql://.../<db>
#               WITH include drop, create tables, create indexes, reset sequences,
#                    workers = PARALLEL, concurrency = 1, prefetch rows = PGLOADER_PREFETCH;
#             i.e. pgloader's defaults for a MySQL source (tables land in schema "cutover", named
#             after the source database), with the worker count spelled out, except `prefetch
#             rows` (default 100000): with the default, Debian's pgloader 3.6.7 died in the first
#             run with "Heap exhausted, game over" (SBCL's 1 GiB dynamic space); 25000 works.
#
# Verified after each run: per table the row count and a content checksum equal the source's
# (sb_fingerprint_pg vs sb_fingerprint_maria: same md5-prefix sum in both dialects), and the four
# primary keys exist.
#
# Output: a per-run line on stdout, then medians and the ratio; tool logs and raw TSV under $OUT
# (default bench/out/maria_to_pg_full_load-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SB_TABLES="${SB_TABLES:-4}"
TABLE_SIZE="${TABLE_SIZE:-250000}"
PARALLEL="${PARALLEL:-4}"
PGLOADER_PREFETCH="${PGLOADER_PREFETCH:-25000}"   # pgloader `prefetch rows` (see above)
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"   # seconds, per tool run
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_to_pg_full_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bmpl-$$"
TOTAL=$(( SB_TABLES * TABLE_SIZE ))

bench_traps
bench_preflight
command -v "$SYSBENCH" >/dev/null || die "sysbench not found: scripts/install-deps.sh --bench"
command -v pgloader >/dev/null || die "pgloader not found: scripts/install-deps.sh --bench"
mkdir -p "$OUT"
bench_pin_binary "$OUT"

log "starting servers"
bench_start_mariadb SRC "$TAG-src"
bench_start_server TGT "$TAG-tgt"
log "source ${SRC##*@}, target ${TGT##*@}"
maria_machine_info "$SRC" >"$OUT/machine.txt"

sysbench_cmd SB oltp_common "$SRC" "$SB_TABLES" "$TABLE_SIZE"
log "sysbench prepare: $SB_TABLES x $TABLE_SIZE rows, no secondary index"
t0=$(now)
timeout 900 "${SB[@]}" --create_secondary=off prepare >"$OUT/sysbench_prepare.log" 2>&1 ||
  die "sysbench prepare failed: $(tail -5 "$OUT/sysbench_prepare.log")"
log "sysbench prepare done in $(elapsed "$t0" "$(now)") s"

EXPECT="$(sb_fingerprint_maria "$SRC" "$SB_TABLES")"
for fp in $EXPECT; do
  [[ "${fp%%:*}" == "$TABLE_SIZE" ]] || die "source table has ${fp%%:*} rows, expected $TABLE_SIZE"
done
log "rows to copy: $TOTAL; source fingerprint $EXPECT"

verify() {  # DB_URI SCHEMA
  local fp n
  fp="$(sb_fingerprint_pg "$1" "$2" "$SB_TABLES")" || return 1
  [[ "$fp" == "$EXPECT" ]] || { log "verify: target fingerprint $fp, source $EXPECT"; return 1; }
  n="$(q "$1" "select count(*) from pg_index i join pg_class c on c.oid = i.indrelid
                where i.indisprimary and c.relnamespace = '$2'::regnamespace
                  and c.relname like 'sbtest%'")"
  [[ "$n" == "$SB_TABLES" ]] || { log "verify: $n primary keys in $2, expected $SB_TABLES"; return 1; }
}

run_tool() {  # TOOL RUN -> prints seconds
  local tool="$1" r="$2" db uri t0 t1 rc=0 schema
  db="${tool}_r$r"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  maria_checkpoint "$SRC"
  q "$TGT" "checkpoint"
  observer_start "$OUT/observe-$tool-r$r.txt" "$uri"
  case "$tool" in
    cutover)
      schema=public
      t0=$(now)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" replicate --source "$SRC" --target "$uri" \
        --task "bench_fl_r$r" --type full-load --parallel "$PARALLEL" --tables 'cutover.sbtest%' \
        </dev/null >"$OUT/cutover-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
    pgloader)
      schema=cutover
      (umask 077 && cat >"$OUT/pgloader-r$r.load" <<EOF
LOAD DATABASE
  FROM ${SRC/#mariadb:/mysql:}
  INTO $uri
  WITH include drop, create tables, create indexes, reset sequences,
       workers = $PARALLEL, concurrency = 1, prefetch rows = $PGLOADER_PREFETCH;
EOF
      )
      t0=$(now)
      timeout "$TOOL_TIMEOUT" pgloader --no-ssl-cert-verification "$OUT/pgloader-r$r.load" \
        </dev/null >"$OUT/pgloader-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
  esac
  observer_stop
  if (( rc != 0 )); then
    log "$tool run $r FAILED (exit $rc); last lines of its log:"
    tail -15 "$OUT/$tool-r$r.log" >&2
    exit 1
  fi
  verify "$uri" "$schema" || { log "$tool run $r: target verification FAILED"; exit 1; }
  if [[ "$tool" == cutover ]]; then
    "$CUTOVER" -q task drop --source "$SRC" --target "$uri" --task "bench_fl_r$r" \
      >>"$OUT/cutover-r$r.log" 2>&1 || true
  fi
  q "$TGT" "drop database $db with (force)"
  elapsed "$t0" "$t1"
}

compare_runs pgloader "$TOTAL" \
  "MariaDB -> PostgreSQL full load: $TOTAL rows (sysbench $SB_TABLES x $TABLE_SIZE, no secondary index), cutover --parallel $PARALLEL, pgloader workers = $PARALLEL, prefetch rows = $PGLOADER_PREFETCH"
