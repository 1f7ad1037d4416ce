#!/usr/bin/env bash
# Validation benchmark, PostgreSQL <-> PostgreSQL: how fast `cutover validate` proves two equal
# tables equal, against the same machine's raw reads of both tables.
#
#   bench/macro/validate_pg.sh          # ROWS=10000000 RUNS=3 THREADS=2 CHUNK=100000
#
# Setup (untimed): two PostgreSQL 15 servers; the same table created on both with
# generate_series: (id bigint PRIMARY KEY, k int, c text (md5), ts timestamptz, amount
# numeric(12,2)), ROWS rows, VACUUM ANALYZE. Per run, timed (wall clock of the processes; the
# two sides of each peer run concurrently, as cutover reads both sides at once), order rotating:
#   cutover         cutover validate (client-side canonical hashing, the default)
#   cutover-server  cutover validate --server-hash (the servers hash each key range)
#   copy            psql COPY public.bench TO STDOUT >/dev/null, on both servers at once
#   hashtext        psql SELECT count(*), sum(hashtext(t::text)) FROM public.bench t, both at once
# Each cutover run must exit 0 (equal). Rows/s per side = ROWS / seconds.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS="${ROWS:-10000000}"
THREADS="${THREADS:-2}"
CHUNK="${CHUNK:-100000}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-1200}"
OUT="${OUT:-$BENCH_ROOT/bench/out/validate_pg-$(date -u +%Y%m%dT%H%M%SZ)}"

bench_preflight
bench_traps
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt" 2>/dev/null || true

bench_start_server SRC "bvp-src-$$"
bench_start_server TGT "bvp-tgt-$$"
DDL="CREATE TABLE public.bench (id bigint PRIMARY KEY, k int NOT NULL, c text NOT NULL,
  ts timestamptz NOT NULL, amount numeric(12,2) NOT NULL);
  INSERT INTO public.bench SELECT g, g % 100000, md5(g::text),
  timestamptz '2024-01-01' + g * interval '1 second', (g % 100000) / 100.0
  FROM generate_series(1, $ROWS) g"
log "setup: $ROWS rows on both servers"
q "$SRC" "$DDL" "VACUUM ANALYZE public.bench" &
q "$TGT" "$DDL" "VACUUM ANALYZE public.bench" &
wait %1 && wait %2 || die "setup failed"

both() {  # SQL: runs on both servers at once over TCP (as cutover does), output discarded
  timeout "$TOOL_TIMEOUT" "$PSQL" -X -q -At -d "$SRC" -c "$1" >/dev/null &
  local a=$!
  timeout "$TOOL_TIMEOUT" "$PSQL" -X -q -At -d "$TGT" -c "$1" >/dev/null &
  local b=$!
  wait "$a" && wait "$b"
}

run_tool() {  # TOOL LABEL -> seconds
  local tool="$1" label="$2" t0 t1
  t0="$(now)"
  case "$tool" in
    cutover)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" -q validate --source "$SRC" --target "$TGT" \
        --tables public.bench --threads "$THREADS" --chunk-rows "$CHUNK" \
        --report "$OUT/$label" >/dev/null 2>"$OUT/$label.err" ;;
    cutover-server)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" -q validate --source "$SRC" --target "$TGT" \
        --tables public.bench --threads "$THREADS" --chunk-rows "$CHUNK" --server-hash \
        --report "$OUT/$label" >/dev/null 2>"$OUT/$label.err" ;;
    copy) both "COPY public.bench TO STDOUT" ;;
    hashtext) both "SELECT count(*), sum(hashtext(t::text)) FROM public.bench t" ;;
  esac || die "$tool failed on $label (see $OUT/$label.err)"
  t1="$(now)"
  elapsed "$t0" "$t1"
}

TOOLS=(cutover cutover-server copy hashtext)
declare -A T=()
printf 'run\ttool\tseconds\n' >"$OUT/runs.tsv"
for run in $(seq 1 "$RUNS"); do
  for i in "${!TOOLS[@]}"; do
    tool="${TOOLS[$(((i + run - 1) % ${#TOOLS[@]}))]}"
    s="$(run_tool "$tool" "run$run-$tool")"
    T[$tool]="${T[$tool]:-} $s"
    printf '%s\t%s\t%s\n' "$run" "$tool" "$s" >>"$OUT/runs.tsv"
    log "run $run: $tool $s s ($(div "$ROWS" "$s") rows/s per side)"
  done
done

{
  echo "validate PostgreSQL <-> PostgreSQL, $ROWS rows per side, $RUNS run(s), threads $THREADS, chunk $CHUNK"
  # shellcheck disable=SC2086
  c="$(median ${T[cutover]})"
  for tool in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086
    m="$(median ${T[$tool]})"
    echo "$tool: median $m s, $(div "$ROWS" "$m") rows/s per side, cutover speed ratio $(ratio "$m" "$c")"
  done
} | tee "$OUT/summary.txt"
