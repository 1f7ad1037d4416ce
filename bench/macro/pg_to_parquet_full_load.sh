#!/usr/bin/env bash
# Full load PostgreSQL -> Parquet files (the lakehouse target, file://), against the floor of
# reading the same table: `COPY (SELECT * FROM t) TO STDOUT` through psql into /dev/null.
#
#   ROWS=10000000 RUNS=2 bench/macro/pg_to_parquet_full_load.sh
#
# One source server gets one table of ROWS rows (bigint key, integer, numeric(12,2), text,
# timestamptz: a typical fact table). Each run: `cutover replicate --type full-load` into a new
# folder with DataFormat parquet (DMS defaults otherwise: parquet-1-0, statistics, 10,000-row
# row groups, no compression unless COMPRESSION is set), timed on the process's wall clock; the
# floor: `psql -c "\copy (select * from t) to stdout" > /dev/null`, timed the same way. Runs
# alternate which goes first. Each cutover run is verified by DuckDB (tests/lakehouse_readers:
# count(*) and sum(id) over the Parquet files equal the source's).
# DuckDB's own `COPY (SELECT * FROM postgres_scan(...)) TO 'x.parquet'` is tried once; the npm
# DuckDB needs its postgres extension, which it downloads on first use (no network here: the
# script says so and goes on without it).
#
# Output: per-run lines, medians, rows/s, bytes/row; everything under $OUT.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS="${ROWS:-10000000}"
RUNS="${RUNS:-2}"
COMPRESSION="${COMPRESSION:-NONE}"
OUT="${OUT:-$BENCH_ROOT/bench/out/parquet_full_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bpq-$$"
READERS="$BENCH_ROOT/tests/lakehouse_readers"

bench_traps
bench_preflight
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt"

log "starting the source server"
bench_start_server SRC "$TAG-src"
log "source ${SRC##*@}"

log "creating bench_rows with $ROWS rows"
t0=$(now)
q "$SRC" "create table public.bench_rows (id bigint primary key, account integer not null,
            amount numeric(12,2), note text, created timestamptz not null)" \
  "insert into public.bench_rows
     select g, (g % 100000)::int, round((g % 1000000) / 7.0, 2),
            case when g % 10 = 0 then null else 'note ' || (g % 5000) end,
            timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
     from generate_series(1, $ROWS) g" \
  "vacuum analyze public.bench_rows"
log "table ready in $(elapsed "$t0" "$(now)") s"
SUM_ID="$(q "$SRC" "select sum(id) from public.bench_rows")"

cat >"$OUT/s3-settings.json" <<JSON
{"S3Settings": {"DataFormat": "parquet", "CompressionType": "$COMPRESSION"}}
JSON

duckdb_check() {  # FOLDER -> "count sum"
  (cd "$READERS" && node --input-type=module -e "
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const r = await c.runAndReadAll(\"SELECT count(*)::VARCHAR, sum(id)::VARCHAR FROM read_parquet('$1/**/*.parquet')\");
    console.log(r.getRowsJson()[0].join(' '));")
}

run_cutover() {  # RUN -> prints "seconds bytes files"
  local r="$1" dir="$OUT/lake-r$1" t0 t1
  rm -rf "$dir"
  t0=$(now)
  "$CUTOVER" -q replicate --type full-load --source "$SRC" --target "file://$dir" --task "b$r" \
    --tables public.bench_rows --target-settings "$OUT/s3-settings.json" \
    >"$OUT/cutover-r$r.log" 2>&1 || die "cutover failed: $(tail -5 "$OUT/cutover-r$r.log")"
  t1=$(now)
  local got
  got="$(duckdb_check "$dir")"
  [[ "$got" == "$ROWS $SUM_ID" ]] || die "DuckDB read '$got' from the files, expected '$ROWS $SUM_ID'"
  local bytes files
  bytes="$(find "$dir" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s }')"
  files="$(find "$dir" -name '*.parquet' | wc -l)"
  echo "$(elapsed "$t0" "$t1") $bytes $files"
  rm -rf "$dir"
}

run_floor() {  # -> prints "seconds bytes"
  local t0 t1 bytes
  t0=$(now)
  bytes="$("$PSQL" -X -q -d "$(conninfo "$SRC")" -c "\copy (select * from public.bench_rows) to stdout" | wc -c)"
  t1=$(now)
  echo "$(elapsed "$t0" "$t1") $bytes"
}

log "DuckDB postgres_scan (needs the postgres extension)"
if (cd "$READERS" && timeout 60 node --input-type=module -e "
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    await c.run('LOAD postgres');" >"$OUT/duckdb-postgres.log" 2>&1); then
  log "DuckDB's postgres extension loads: timing it is not scripted yet (see the log)"
  DUCK_NOTE="postgres extension available"
else
  DUCK_NOTE="not measured: $(head -c 300 "$OUT/duckdb-postgres.log" | tr '\n' ' ')"
  log "DuckDB postgres_scan $DUCK_NOTE"
fi

CUT=() FLOOR=() BYTES=0 FILES=0 TEXT_BYTES=0
for r in $(seq 1 "$RUNS"); do
  if (( r % 2 )); then order="cutover floor"; else order="floor cutover"; fi
  for tool in $order; do
    if [[ $tool == cutover ]]; then
      read -r s BYTES FILES <<<"$(run_cutover "$r")"
      CUT+=("$s")
      log "run $r cutover: $s s, $BYTES bytes in $FILES file(s), $(div "$ROWS" "$s") rows/s"
    else
      read -r s TEXT_BYTES <<<"$(run_floor)"
      FLOOR+=("$s")
      log "run $r COPY TO STDOUT: $s s, $TEXT_BYTES bytes of text, $(div "$ROWS" "$s") rows/s"
    fi
  done
done

mc="$(median "${CUT[@]}")"
mf="$(median "${FLOOR[@]}")"
{
  echo "rows: $ROWS  compression: $COMPRESSION"
  echo "cutover -> Parquet runs (s): ${CUT[*]}  median $mc  rows/s $(div "$ROWS" "$mc")"
  echo "  Parquet bytes $BYTES in $FILES file(s): $(awk -v b="$BYTES" -v r="$ROWS" 'BEGIN { printf "%.2f", b / r }') bytes/row"
  echo "COPY TO STDOUT runs (s): ${FLOOR[*]}  median $mf  rows/s $(div "$ROWS" "$mf")"
  echo "  text bytes $TEXT_BYTES: $(awk -v b="$TEXT_BYTES" -v r="$ROWS" 'BEGIN { printf "%.2f", b / r }') bytes/row"
  echo "cutover / floor time ratio: $(ratio "$mc" "$mf")"
  echo "DuckDB postgres_scan: $DUCK_NOTE"
} | tee "$OUT/summary.txt"
