#!/usr/bin/env bash
# Same-table split benchmark: one big PostgreSQL table with two secondary indexes, time to a
# loaded and indexed target for cutover split, cutover unsplit and pgcopydb clone with its own
# split, at the same parallelism.
#
#   bench/macro/pg_split_load.sh          # ROWS=10000000 PARALLEL=4 RUNS=3 SPLIT=64MB
#
# The source table `public.big (id bigint primary key, a int, b text, pad text)` gets ROWS rows
# (about 120 B each) and indexes on (a) and (b). Tools, each into a fresh empty database:
#   cutover-split    replicate --type full-load --parallel N --split-tables-larger-than $SPLIT
#   cutover-whole    the same with --split-tables-larger-than off (one stream for the table)
#   pgcopydb         clone --split-tables-larger-than $SPLIT --table-jobs N --index-jobs N
# Each run is verified (row count, primary key and both indexes on the target). Timed: the wall
# clock of the tool's process; the engine's peak RSS (GNU time %M) is recorded for cutover.
# Runs rotate which tool goes first. Output: per-run lines, medians, under $OUT.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS="${ROWS:-10000000}"
PARALLEL="${PARALLEL:-4}"
SPLIT="${SPLIT:-64MB}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-1800}"
OUT="${OUT:-$BENCH_ROOT/bench/out/split_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bsl-$$"
TOOLS=(cutover-split cutover-whole pgcopydb)

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

log "creating public.big with $ROWS rows"
t0=$(now)
q "$SRC" "create table public.big (id bigint primary key, a int not null, b text not null, pad text)" \
  "insert into public.big select g, (g::bigint * 7919 % 1000003)::int, md5(g::text), repeat('x', 60)
     from generate_series(1, $ROWS) g" \
  "create index big_a on public.big (a)" "create index big_b on public.big (b)" \
  "vacuum analyze public.big"
log "source ready in $(elapsed "$t0" "$(now)") s ($(q "$SRC" "select pg_size_pretty(pg_total_relation_size('public.big'))"))"

FILTER="$OUT/pgcopydb-filter.ini"
printf '[include-only-table]\npublic.big\n' >"$FILTER"

verify() {  # DB_URI
  local n
  n="$(q "$1" "select count(*) from public.big")" || return 1
  [[ "$n" == "$ROWS" ]] || { log "verify: $n rows, expected $ROWS"; return 1; }
  n="$(q "$1" "select count(*) from pg_index where indrelid = 'public.big'::regclass")"
  [[ "$n" == 3 ]] || { log "verify: $n indexes on public.big, expected 3"; return 1; }
}

run_tool() {  # TOOL RUN -> prints "seconds peak_rss_kb"
  local tool="$1" r="$2" db uri t0 t1 rc=0 rss=-
  db="$(echo "${tool}_r$r" | tr - _)"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  q "$SRC" "checkpoint"
  q "$TGT" "checkpoint"
  local split="$SPLIT"
  [[ "$tool" == cutover-whole ]] && split=off
  case "$tool" in
    cutover-*)
      t0=$(now)
      timeout "$TOOL_TIMEOUT" /usr/bin/time -f '%M' -o "$OUT/$tool-r$r.rss" "$CUTOVER" replicate \
        --source "$SRC" --target "$uri" --task "bench_sl_r$r" --type full-load \
        --parallel "$PARALLEL" --split-tables-larger-than "$split" --tables public.big \
        >"$OUT/$tool-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      rss="$(tail -1 "$OUT/$tool-r$r.rss")"
      ;;
    pgcopydb)
      rm -rf "$OUT/pgcopydb-r$r"
      t0=$(now)
      timeout "$TOOL_TIMEOUT" pgcopydb clone --source "$SRC" --target "$uri" \
        --dir "$OUT/pgcopydb-r$r" --split-tables-larger-than "$SPLIT" \
        --table-jobs "$PARALLEL" --index-jobs "$PARALLEL" \
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
  q "$TGT" "drop database $db with (force)"
  echo "$(elapsed "$t0" "$t1") $rss"
}

declare -A TIMES=() RSS=()
printf 'run\ttool\tseconds\trows_s\tpeak_rss_kb\n' >"$OUT/runs.tsv"
for r in $(seq 1 "$RUNS"); do
  order=("${TOOLS[@]:$(( (r - 1) % 3 ))}" "${TOOLS[@]:0:$(( (r - 1) % 3 ))}")
  for tool in "${order[@]}"; do
    log "run $r: $tool"
    res="$(run_tool "$tool" "$r")"
    s="${res% *}"; rss="${res#* }"
    TIMES[$tool]+="$s "
    RSS[$tool]+="$rss "
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$tool" "$s" "$(div "$ROWS" "$s")" "$rss" | tee -a "$OUT/runs.tsv"
  done
done

{
  echo "rows: $ROWS (public.big, pk + 2 secondary indexes), parallel $PARALLEL, split $SPLIT, runs $RUNS"
  for tool in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086
    m="$(median ${TIMES[$tool]})"
    echo "$tool median: $m s = $(div "$ROWS" "$m") rows/s; peak RSS KiB: ${RSS[$tool]}"
  done
  # shellcheck disable=SC2086
  ms="$(median ${TIMES[cutover-split]})"; mw="$(median ${TIMES[cutover-whole]})"; mp="$(median ${TIMES[pgcopydb]})"
  echo "speed-up split vs whole: $(ratio "$mw" "$ms")x; cutover-split vs pgcopydb: $(ratio "$mp" "$ms")x"
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
