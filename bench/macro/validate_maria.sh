#!/usr/bin/env bash
# Validation benchmark, MariaDB -> PostgreSQL: how fast `cutover validate` proves a MariaDB table
# and its PostgreSQL copy equal, against the same machine's raw reads and pt-table-checksum.
#
#   bench/macro/validate_maria.sh       # ROWS=10000000 RUNS=3 THREADS=2 CHUNK=100000
#
# Setup (untimed): one MariaDB 10.11 and one PostgreSQL 15 (scripts/servers.sh); the same rows on
# both, generated independently: MariaDB `bench (id bigint PRIMARY KEY, k int, c varchar(32),
# ts datetime(6), amount decimal(12,2))` from seq_1_to_ROWS, PostgreSQL `public.bench` with the
# types cutover's mapping gives (bigint, integer, varchar(32), timestamp(6), numeric(12,2)) from
# generate_series. Per run, timed (process wall clock), order rotating:
#   cutover            cutover validate --source mariadb://... --target postgresql://...
#   pt-table-checksum  MariaDB side only: chunked server-side CRC32 checksums of bench
#                      (--recursion-method=none: no replica to compare, just the checksumming)
#   mariadb-select     mariadb -e 'SELECT * FROM bench' >/dev/null (raw read, MariaDB side)
#   pg-copy            psql COPY public.bench TO STDOUT >/dev/null (raw read, PostgreSQL side)
# The cutover run must exit 0 (equal). Rows/s per side = ROWS / seconds.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS="${ROWS:-10000000}"
THREADS="${THREADS:-2}"
CHUNK="${CHUNK:-100000}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-1800}"
OUT="${OUT:-$BENCH_ROOT/bench/out/validate_maria-$(date -u +%Y%m%dT%H%M%SZ)}"
MNAME="bvm-m-$$"

bench_preflight
command -v pt-table-checksum >/dev/null || die "pt-table-checksum not found: scripts/install-deps.sh --bench"
bench_traps
mkdir -p "$OUT"
bench_pin_binary "$OUT"

BENCH_SERVERS+=("$MNAME")
MURI="$("$SERVERS" start mariadb "$MNAME")" || die "could not start MariaDB"
MPORT="$(cat "$SERVERS_BASE/$MNAME/port")"
MSOCK="$SERVERS_BASE/$MNAME/mysqld.sock"
bench_start_server PURI "bvm-p-$$"
CNF="$OUT/client.cnf"  # passwords never on a command line
printf '[client]\nuser=cutover\npassword=cutover\nhost=127.0.0.1\nport=%s\nprotocol=TCP\n' \
  "$MPORT" >"$CNF"
chmod 600 "$CNF"
m() { mariadb --no-defaults --socket="$MSOCK" -u root -N -B cutover "$@"; }
{
  machine_info 2>/dev/null || true
  echo "mariadb: $(m -e 'SELECT VERSION()')"
  echo "pt-table-checksum: $(pt-table-checksum --version)"
} >"$OUT/machine.txt"

log "setup: $ROWS rows on MariaDB and PostgreSQL"
m -e "CREATE TABLE bench (id bigint PRIMARY KEY, k int NOT NULL, c varchar(32) NOT NULL,
  ts datetime(6) NOT NULL, amount decimal(12,2) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
  INSERT INTO bench SELECT seq, seq % 100000, MD5(seq), TIMESTAMP'2024-01-01 00:00:00' +
  INTERVAL seq SECOND, (seq % 100000) / 100 FROM seq_1_to_$ROWS; ANALYZE TABLE bench" \
  >/dev/null &
q "$PURI" "CREATE TABLE public.bench (id bigint PRIMARY KEY, k integer NOT NULL,
  c varchar(32) NOT NULL, ts timestamp(6) NOT NULL, amount numeric(12,2) NOT NULL);
  INSERT INTO public.bench SELECT g, g % 100000, md5(g::text),
  timestamp '2024-01-01' + g * interval '1 second', (g % 100000) / 100.0
  FROM generate_series(1, $ROWS) g" "VACUUM ANALYZE public.bench" &
wait %1 && wait %2 || die "setup failed"

run_tool() {  # TOOL LABEL -> seconds
  local tool="$1" label="$2" t0 t1
  t0="$(now)"
  case "$tool" in
    cutover)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" -q validate --source "$MURI" --target "$PURI" \
        --tables cutover.bench --threads "$THREADS" --chunk-rows "$CHUNK" \
        --report "$OUT/$label" >/dev/null 2>"$OUT/$label.err" ;;
    pt-table-checksum)
      timeout "$TOOL_TIMEOUT" pt-table-checksum "F=$CNF,h=127.0.0.1,P=$MPORT" \
        --databases cutover --tables bench --recursion-method=none --no-check-binlog-format \
        --no-check-replication-filters --no-version-check >"$OUT/$label.out" 2>"$OUT/$label.err" ;;
    mariadb-select)
      timeout "$TOOL_TIMEOUT" mariadb --defaults-file="$CNF" -N -B --quick cutover \
        -e "SELECT * FROM bench" >/dev/null 2>"$OUT/$label.err" ;;
    pg-copy)
      timeout "$TOOL_TIMEOUT" "$PSQL" -X -q -d "$PURI" -c "COPY public.bench TO STDOUT" \
        >/dev/null 2>"$OUT/$label.err" ;;
  esac || die "$tool failed on $label (see $OUT/$label.err)"
  t1="$(now)"
  elapsed "$t0" "$t1"
}

TOOLS=(cutover pt-table-checksum mariadb-select pg-copy)
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
  echo "validate MariaDB -> PostgreSQL, $ROWS rows per side, $RUNS run(s), threads $THREADS, chunk $CHUNK"
  # shellcheck disable=SC2086
  c="$(median ${T[cutover]})"
  for tool in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086
    m="$(median ${T[$tool]})"
    echo "$tool: median $m s, $(div "$ROWS" "$m") rows/s, cutover speed ratio $(ratio "$m" "$c")"
  done
} | tee "$OUT/summary.txt"
