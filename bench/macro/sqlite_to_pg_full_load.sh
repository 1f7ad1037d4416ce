#!/usr/bin/env bash
# Full-load macro benchmark SQLite -> PostgreSQL: cutover `replicate --type full-load` vs pgloader.
#
#   bench/macro/sqlite_to_pg_full_load.sh     # RUNS=3 SB_TABLES=4 TABLE_SIZE=250000 PARALLEL=4
#
# Source: one SQLite file (WAL) with SB_TABLES sysbench-shaped tables sbtestN (id INTEGER PRIMARY
# KEY, k INTEGER, c CHAR(120), pad CHAR(60)), TABLE_SIZE rows each, written once by the sqlite3
# CLI (random hex text). Target: one PostgreSQL server; every run loads into a freshly created
# empty database, dropped after verification; CHECKPOINT on the target before each run. Runs
# alternate which tool goes first. Timed: the wall clock of the tool's process.
#
#   cutover:  replicate --type full-load --parallel PARALLEL --tables 'sbtest%' (tables land in
#             schema public; the SQLite source is read in one read transaction on one
#             connection, the PostgreSQL side loads PARALLEL tables at once)
#   pgloader: `pgloader <command file>` (kept in $OUT as pgloader-rN.load):
#               LOAD DATABASE FROM sqlite://FILE INTO postgresql://.../<db>
#               WITH include drop, create tables, create indexes, reset sequences,
#                    workers = PARALLEL, concurrency = 1, prefetch rows = PGLOADER_PREFETCH;
#             (25000 rows: the value maria_to_pg_full_load.sh needed for Debian's pgloader 3.6.7)
#
# Verified after each run, untimed and without cutover: per table, the md5 of every row's text
# `id,k,c,pad` in id order, printed by the sqlite3 CLI on the source and by psql on the target.
#
# Output: a per-run line on stdout, then medians and the ratio; tool logs and raw TSV under $OUT
# (default bench/out/sqlite_to_pg_full_load-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SB_TABLES="${SB_TABLES:-4}"
TABLE_SIZE="${TABLE_SIZE:-250000}"
PARALLEL="${PARALLEL:-4}"
PGLOADER_PREFETCH="${PGLOADER_PREFETCH:-25000}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"
OUT="${OUT:-$BENCH_ROOT/bench/out/sqlite_to_pg_full_load-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bspl-$$"
TOTAL=$(( SB_TABLES * TABLE_SIZE ))

bench_traps
bench_preflight
command -v pgloader >/dev/null || die "pgloader not found: scripts/install-deps.sh --bench"
command -v sqlite3 >/dev/null || die "sqlite3 not found (apt-get install sqlite3)"
mkdir -p "$OUT"
bench_pin_binary "$OUT"
SRC_FILE="$OUT/source.db"

log "starting the target server"
bench_start_server TGT "$TAG-tgt"
{ machine_info; echo "sqlite3: $(sqlite3 --version)"; echo "pgloader: $(pgloader --version | head -1)"; } \
  >"$OUT/machine.txt" 2>/dev/null || true

log "writing the source: $SB_TABLES x $TABLE_SIZE rows"
t0=$(now)
{
  echo "PRAGMA journal_mode=WAL;"
  for i in $(seq 1 "$SB_TABLES"); do
    echo "CREATE TABLE sbtest$i (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, c CHAR(120) NOT NULL,"
    echo "  pad CHAR(60) NOT NULL);"
    echo "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $TABLE_SIZE)"
    echo "INSERT INTO sbtest$i SELECT i, abs(random()) % $TABLE_SIZE, hex(randomblob(60)),"
    echo "  hex(randomblob(30)) FROM g;"
  done
} | sqlite3 "$SRC_FILE" >/dev/null
log "source written in $(elapsed "$t0" "$(now)") s"

fingerprint_sqlite() {
  local i
  for i in $(seq 1 "$SB_TABLES"); do
    sqlite3 "$SRC_FILE" "SELECT id || ',' || k || ',' || c || ',' || pad FROM sbtest$i ORDER BY id" |
      md5sum | cut -c1-32
  done | tr '\n' ' '
}
fingerprint_pg() {  # DB_URI
  local i
  for i in $(seq 1 "$SB_TABLES"); do
    q "$1" "SELECT id || ',' || k || ',' || rtrim(c::text) || ',' || rtrim(pad::text) FROM public.sbtest$i ORDER BY id" |
      md5sum | cut -c1-32
  done | tr '\n' ' '
}
EXPECT="$(fingerprint_sqlite)"
log "source fingerprint $EXPECT"

run_tool() {  # TOOL RUN -> prints seconds
  local tool="$1" r="$2" db uri t0 t1 rc=0 fp
  db="${tool}_r$r"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  q "$TGT" "checkpoint"
  case "$tool" in
    cutover)
      t0=$(now)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" replicate --source "sqlite://$SRC_FILE" --target "$uri" \
        --task "bench_sl_r$r" --type full-load --parallel "$PARALLEL" --tables 'sbtest%' \
        </dev/null >"$OUT/cutover-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
    pgloader)
      cat >"$OUT/pgloader-r$r.load" <<LOAD
LOAD DATABASE
  FROM sqlite://$SRC_FILE
  INTO $uri
  WITH include drop, create tables, create indexes, reset sequences,
       workers = $PARALLEL, concurrency = 1, prefetch rows = $PGLOADER_PREFETCH;
LOAD
      t0=$(now)
      timeout "$TOOL_TIMEOUT" pgloader --no-ssl-cert-verification "$OUT/pgloader-r$r.load" \
        </dev/null >"$OUT/pgloader-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
  esac
  if (( rc != 0 )); then
    log "$tool run $r FAILED (exit $rc); last lines of its log:"
    tail -15 "$OUT/$tool-r$r.log" >&2
    exit 1
  fi
  fp="$(fingerprint_pg "$uri")"
  [[ "$fp" == "$EXPECT" ]] || { log "$tool run $r: target $fp, source $EXPECT"; exit 1; }
  q "$TGT" "drop database $db with (force)"
  elapsed "$t0" "$t1"
}

compare_runs pgloader "$TOTAL" \
  "SQLite -> PostgreSQL full load: $TOTAL rows ($SB_TABLES tables x $TABLE_SIZE, id/k/c/pad), cutover --parallel $PARALLEL, pgloader workers = $PARALLEL, prefetch rows = $PGLOADER_PREFETCH"
