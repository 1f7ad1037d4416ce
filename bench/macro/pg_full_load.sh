#!/usr/bin/env bash
# Full-load macro benchmark: cutover `replicate --type full-load` vs `pgcopydb clone`.
#
#   bench/macro/pg_full_load.sh            # RUNS=3 SCALE=20 by default; OBSERVE=1 to sample top
#
# One source server gets `pgbench -i -s $SCALE` (pgbench_accounts = SCALE*100,000 rows). Both tools
# copy the same three keyed tables (pgbench_accounts, pgbench_branches, pgbench_tellers; the
# empty, key-less pgbench_history is left out of both: cutover via --tables, pgcopydb via a
# [include-only-table] filter file) with 4 parallel table jobs into a freshly created, empty
# database on one target server; every run gets its own database, dropped after verification.
# Runs alternate which tool goes first. Timed: the wall clock of the tool's process.
# Each run is verified: target row counts equal the source's.
#
# Output: a per-run line on stdout, then medians and the ratio; everything (tool logs, raw
# TSV) under $OUT (default bench/out/full_load-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PARALLEL="${PARALLEL:-4}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"   # seconds, per tool run
OUT="${OUT:-$BENCH_ROOT/bench/out/full_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bfl-$$"
TABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers)

bench_traps
bench_preflight
command -v pgcopydb >/dev/null || die "pgcopydb not installed (apt-get install pgcopydb)"
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt"

log "starting servers"
bench_start_server SRC "$TAG-src"
bench_start_server TGT "$TAG-tgt"
log "source ${SRC##*@}, target ${TGT##*@}"

log "pgbench -i -s $SCALE on source"
t0=$(now)
timeout 900 "$PGBENCH" -i -s "$SCALE" -q "$SRC" >"$OUT/pgbench_init.log" 2>&1 ||
  die "pgbench -i failed: $(tail -5 "$OUT/pgbench_init.log")"
log "pgbench -i done in $(elapsed "$t0" "$(now)") s"
[[ "$(q "$SRC" "select to_regclass('public.pgbench_history') is not null")" == t ]] ||
  die "pgbench_history missing on source"

declare -A EXPECT
TOTAL=0
for t in "${TABLES[@]}"; do
  EXPECT[$t]="$(q "$SRC" "select count(*) from $t")"
  TOTAL=$(( TOTAL + EXPECT[$t] ))
done
[[ "${EXPECT[public.pgbench_accounts]}" == "$(( SCALE * 100000 ))" ]] || die "unexpected source accounts count"
log "rows to copy: $TOTAL (${TABLES[*]})"

FILTER="$OUT/pgcopydb-filter.ini"
{ echo "[include-only-table]"; printf '%s\n' "${TABLES[@]}"; } >"$FILTER"

verify() {  # DB_URI
  local t n
  for t in "${TABLES[@]}"; do
    n="$(q "$1" "select count(*) from $t")" || return 1
    [[ "$n" == "${EXPECT[$t]}" ]] || { log "verify: $t has $n rows, expected ${EXPECT[$t]}"; return 1; }
  done
  # both tools must also have built the primary keys
  n="$(q "$1" "select count(*) from pg_index i join pg_class c on c.oid = i.indrelid
                where i.indisprimary and c.relnamespace = 'public'::regnamespace")"
  [[ "$n" == "${#TABLES[@]}" ]] || { log "verify: $n primary keys, expected ${#TABLES[@]}"; return 1; }
}

run_tool() {  # TOOL RUN -> prints seconds
  local tool="$1" r="$2" db uri t0 t1 rc=0
  db="${tool}_r$r"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  q "$SRC" "checkpoint"
  q "$TGT" "checkpoint"
  observer_start "$OUT/observe-$tool-r$r.txt" "$SRC" "$uri"
  case "$tool" in
    cutover)
      local targs=()
      for t in "${TABLES[@]}"; do targs+=(--tables "$t"); done
      t0=$(now)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" replicate --source "$SRC" --target "$uri" \
        --task "bench_fl_r$r" --type full-load --parallel "$PARALLEL" "${targs[@]}" \
        >"$OUT/cutover-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
    pgcopydb)
      rm -rf "$OUT/pgcopydb-r$r"
      t0=$(now)
      timeout "$TOOL_TIMEOUT" pgcopydb clone --source "$SRC" --target "$uri" \
        --dir "$OUT/pgcopydb-r$r" --table-jobs "$PARALLEL" --index-jobs "$PARALLEL" \
        --no-owner --no-acl --skip-extensions --filters "$FILTER" \
        >"$OUT/pgcopydb-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      rm -rf "$OUT/pgcopydb-r$r"
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
  q "$TGT" "drop database $db with (force)"
  elapsed "$t0" "$t1"
}

CUT=(); PCD=(); RAT=()
printf 'run\tfirst\tcutover_s\tpgcopydb_s\tcutover_rows_s\tpgcopydb_rows_s\tratio\n' >"$OUT/runs.tsv"
for r in $(seq 1 "$RUNS"); do
  if (( r % 2 )); then order=(cutover pgcopydb); else order=(pgcopydb cutover); fi
  declare -A S=()
  for tool in "${order[@]}"; do
    log "run $r: $tool"
    S[$tool]="$(run_tool "$tool" "$r")"
    log "run $r: $tool ${S[$tool]} s ($(div "$TOTAL" "${S[$tool]}") rows/s)"
  done
  CUT+=("${S[cutover]}"); PCD+=("${S[pgcopydb]}")
  cr="$(div "$TOTAL" "${S[cutover]}")"; pr="$(div "$TOTAL" "${S[pgcopydb]}")"
  RAT+=("$(ratio "${S[pgcopydb]}" "${S[cutover]}")")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${order[0]}" "${S[cutover]}" "${S[pgcopydb]}" \
    "$cr" "$pr" "${RAT[-1]}" | tee -a "$OUT/runs.tsv"
done

mc="$(median "${CUT[@]}")"; mp="$(median "${PCD[@]}")"
{
  echo "rows: $TOTAL (scale $SCALE, tables ${TABLES[*]}), parallel $PARALLEL, runs $RUNS"
  echo "cutover  median: $mc s  = $(div "$TOTAL" "$mc") rows/s"
  echo "pgcopydb median: $mp s  = $(div "$TOTAL" "$mp") rows/s"
  echo "ratio cutover/pgcopydb (rows/s of medians): $(ratio "$mp" "$mc")"
  echo "ratio cutover/pgcopydb (median of per-run ratios): $(median "${RAT[@]}")"
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
