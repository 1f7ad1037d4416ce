#!/usr/bin/env bash
# Time to a switch-ready target, PostgreSQL -> PostgreSQL: cutover vs `pgcopydb clone`, both
# copying a schema with secondary indexes and foreign keys.
#
#   bench/macro/pg_switch_ready.sh        # RUNS=3 SCALE=20 PARALLEL=4 by default
#
# The source gets `pgbench -i -s $SCALE`, then what an application schema adds (the same for
# both tools): secondary indexes pgbench_accounts(bid), pgbench_accounts(abalance),
# pgbench_tellers(bid) and foreign keys accounts.bid and tellers.bid -> branches. Both tools
# copy the three keyed tables (pgbench_history, empty and key-less, left out of both) into a
# fresh empty database with $PARALLEL table jobs and $PARALLEL index jobs.
#   cutover:  `replicate` (full load and CDC: tables, load, each table's indexes right after
#             its data, foreign keys added NOT VALID then validated while CDC runs); once its log
#             says the foreign keys are validated, `cutover switch` (drains and stops the task,
#             sequences past the source's, triggers; validation off: the benchmark compares the
#             work pgcopydb does). Timed: from replicate's start to the switch's exit.
#   pgcopydb: `clone` (schema, data, indexes, constraints, sequences reset). Timed: its wall
#             clock.
# Runs alternate which tool goes first. Each run is verified: row counts, and the same number of
# indexes and of validated foreign keys on the target as on the source.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PARALLEL="${PARALLEL:-4}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"
OUT="${OUT:-$BENCH_ROOT/bench/out/switch_ready-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bsr-$$"
TABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers)

bench_traps
bench_preflight
command -v pgcopydb >/dev/null || die "pgcopydb not installed (apt-get install pgcopydb)"
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt"

bench_start_server SRC "$TAG-src"
bench_start_server TGT "$TAG-tgt"
log "source ${SRC##*@}, target ${TGT##*@}"
timeout 900 "$PGBENCH" -i -s "$SCALE" -q "$SRC" >"$OUT/pgbench_init.log" 2>&1 ||
  die "pgbench -i failed: $(tail -5 "$OUT/pgbench_init.log")"
q "$SRC" "create index accounts_bid on pgbench_accounts (bid)" \
  "create index accounts_abalance on pgbench_accounts (abalance)" \
  "create index tellers_bid on pgbench_tellers (bid)" \
  "alter table pgbench_accounts add constraint accounts_bid_fkey foreign key (bid) references pgbench_branches" \
  "alter table pgbench_tellers add constraint tellers_bid_fkey foreign key (bid) references pgbench_branches" \
  "vacuum analyze"

SCHEMA_COUNTS="select (select count(*) from pg_indexes where schemaname = 'public' and tablename <> 'pgbench_history') || '/' || (select count(*) from pg_constraint where contype = 'f' and convalidated and connamespace = 'public'::regnamespace)"
EXPECT_SCHEMA="$(q "$SRC" "$SCHEMA_COUNTS")"
declare -A EXPECT
TOTAL=0
for t in "${TABLES[@]}"; do
  EXPECT[$t]="$(q "$SRC" "select count(*) from $t")"
  TOTAL=$(( TOTAL + EXPECT[$t] ))
done
log "rows: $TOTAL; indexes/validated foreign keys: $EXPECT_SCHEMA"
FILTER="$OUT/pgcopydb-filter.ini"
{ echo "[include-only-table]"; printf '%s\n' "${TABLES[@]}"; } >"$FILTER"

verify() {  # DB_URI
  local t n
  for t in "${TABLES[@]}"; do
    n="$(q "$1" "select count(*) from $t")" || return 1
    [[ "$n" == "${EXPECT[$t]}" ]] || { log "verify: $t has $n rows, expected ${EXPECT[$t]}"; return 1; }
  done
  n="$(q "$1" "$SCHEMA_COUNTS")"
  [[ "$n" == "$EXPECT_SCHEMA" ]] || { log "verify: indexes/fks $n, expected $EXPECT_SCHEMA"; return 1; }
}

run_tool() {  # TOOL RUN -> prints seconds
  local tool="$1" r="$2" db uri t0 t1 rc=0
  db="${tool}_r$r"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  q "$SRC" "checkpoint"
  q "$TGT" "checkpoint"
  case "$tool" in
    cutover)
      local targs=() pid
      for t in "${TABLES[@]}"; do targs+=(--tables "$t"); done
      t0=$(now)
      "$CUTOVER" replicate --source "$SRC" --target "$uri" --task "bench_sr_r$r" \
        --parallel "$PARALLEL" "${targs[@]}" >"$OUT/cutover-r$r.log" 2>&1 &
      pid=$!
      bench_track_pid "$pid"
      # Switch-ready once the foreign keys are validated (CDC runs meanwhile); then the switch.
      wait_until "$TOOL_TIMEOUT" "cutover's foreign key validation" \
        grep -q "foreign keys validated" "$OUT/cutover-r$r.log"
      { timeout "$TOOL_TIMEOUT" "$CUTOVER" switch --source "$SRC" --target "$uri" \
        --task "bench_sr_r$r" --validate none --quiet-seconds 0.2 >"$OUT/cutover-switch-r$r.log" 2>&1 || rc=$?; }
      t1=$(now)
      stop_pid "$pid" TERM 20 >/dev/null 2>&1 || true
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
  if (( rc != 0 )); then
    log "$tool run $r FAILED (exit $rc); last lines of its log:"
    tail -15 "$OUT/$tool-r$r.log" >&2
    exit 1
  fi
  verify "$uri" || { log "$tool run $r: target verification FAILED"; exit 1; }
  if [[ "$tool" == cutover ]]; then
    "$CUTOVER" -q task drop --source "$SRC" --target "$uri" --task "bench_sr_r$r" \
      >>"$OUT/cutover-r$r.log" 2>&1 || true
  fi
  q "$TGT" "drop database $db with (force)"
  elapsed "$t0" "$t1"
}

CUT=(); PCD=(); RAT=()
printf 'run\tfirst\tcutover_s\tpgcopydb_s\tratio\n' >"$OUT/runs.tsv"
for r in $(seq 1 "$RUNS"); do
  if (( r % 2 )); then order=(cutover pgcopydb); else order=(pgcopydb cutover); fi
  declare -A S=()
  for tool in "${order[@]}"; do
    log "run $r: $tool"
    S[$tool]="$(run_tool "$tool" "$r")"
    log "run $r: $tool ${S[$tool]} s"
  done
  CUT+=("${S[cutover]}"); PCD+=("${S[pgcopydb]}")
  RAT+=("$(ratio "${S[pgcopydb]}" "${S[cutover]}")")
  printf '%s\t%s\t%s\t%s\t%s\n' "$r" "${order[0]}" "${S[cutover]}" "${S[pgcopydb]}" "${RAT[-1]}" |
    tee -a "$OUT/runs.tsv"
done
mc="$(median "${CUT[@]}")"; mp="$(median "${PCD[@]}")"
{
  echo "rows: $TOTAL (scale $SCALE), indexes/foreign keys $EXPECT_SCHEMA, parallel $PARALLEL, runs $RUNS"
  echo "cutover (full load + switch) median: $mc s"
  echo "pgcopydb clone median: $mp s"
  echo "speed-up pgcopydb/cutover (medians): $(ratio "$mp" "$mc")"
  echo "speed-up (median of per-run ratios): $(median "${RAT[@]}")"
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
