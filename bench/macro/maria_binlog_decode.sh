#!/usr/bin/env bash
# MariaDB binlog decode benchmark: how fast cutover's binlog transport + row-image decoder
# (engine/mariadb/binlog_reader.h, via `cutover binlog`) read and decode a backlog, against
# MariaDB's own decoder, `mariadb-binlog --read-from-remote-server --base64-output=decode-rows
# --verbose`, which fetches the same events over the same replication protocol and decodes every
# row image into text.
#
#   bench/macro/maria_binlog_decode.sh     # RUNS=3 TABLES=4 TABLE_SIZE=100000 EVENTS=40000
#
# Setup (once): one MariaDB 10.11 (scripts/servers.sh: ROW, FULL image, FULL metadata); the
# backlog is two binlog ranges in one file:
#   bulk: `sysbench oltp_write_only prepare` (TABLES x TABLE_SIZE rows in multi-row INSERTs);
#   oltp: `sysbench oltp_write_only run --events=EVENTS --threads=4` (small transactions: two
#         UPDATEs, a DELETE and an INSERT each, so before/after images).
# Per run and range, three timed readers of the identical range, order rotating per run:
#   cutover      `cutover binlog --from FILE:POS --until FILE:END --stats` (decode to Values, no
#                output)
#   cutover-text `cutover binlog ... --rows >/dev/null` (also prints every row as text)
#   mariadb-binlog (--start-position/--stop-position on the same file, output to /dev/null)
# Clock: each process's wall time. Checked once per range (untimed): cutover's row count equals
# the number of row images mariadb-binlog prints (### INSERT/UPDATE/DELETE).
# Ratios are mariadb-binlog's time / cutover's time (above 1: cutover is faster). cutover (no
# output) vs mariadb-binlog (text output) is not the same work: both ratios are reported.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TABLES="${TABLES:-4}"
TABLE_SIZE="${TABLE_SIZE:-100000}"
EVENTS="${EVENTS:-40000}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-600}"
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_binlog_decode-$(date -u +%Y%m%dT%H%M%SZ)}"
NAME="bmbd-$$"

command -v sysbench >/dev/null || die "sysbench not found: scripts/install-deps.sh --bench"
command -v mariadb-binlog >/dev/null || die "mariadb-binlog not found (mariadb-client)"
[[ -x "$CUTOVER" ]] || die "$CUTOVER not found: build it (cmake --preset default && cmake --build --preset default)"

bench_traps
mkdir -p "$OUT"
bench_pin_binary "$OUT"

BENCH_SERVERS+=("$NAME")
URI="$("$SERVERS" start mariadb "$NAME")" || die "could not start MariaDB"
PORT="$(cat "$SERVERS_BASE/$NAME/port")"
SOCK="$SERVERS_BASE/$NAME/mysqld.sock"
CNF="$OUT/client.cnf"
printf '[client]\nuser=cutover\npassword=cutover\nhost=127.0.0.1\nport=%s\nprotocol=TCP\n' \
  "$PORT" >"$CNF"
chmod 600 "$CNF"
m() { mariadb --no-defaults --socket="$SOCK" -u root -N -B "$@"; }
master_status() { m -e "SHOW MASTER STATUS" | awk '{print $1 ":" $2}'; }

{
  machine_info 2>/dev/null | grep -v -e '^postgres' -e '^pgbench' || true
  echo "mariadb: $(m -e 'SELECT VERSION()')"
  echo "mariadb-binlog: $(mariadb-binlog --version)"
  echo "sysbench: $(sysbench --version)"
} >"$OUT/machine.txt"

SB=(sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$PORT"
  --mysql-user=cutover --mysql-password=cutover --mysql-db=cutover --tables="$TABLES"
  --table-size="$TABLE_SIZE")
START="$(master_status)"
log "backlog: sysbench prepare ($TABLES x $TABLE_SIZE rows)"
timeout "$TOOL_TIMEOUT" "${SB[@]}" prepare >"$OUT/sysbench-prepare.log" 2>&1 ||
  die "sysbench prepare failed (see $OUT/sysbench-prepare.log)"
MID="$(master_status)"
log "backlog: sysbench run ($EVENTS transactions, 4 threads)"
timeout "$TOOL_TIMEOUT" "${SB[@]}" --threads=4 --events="$EVENTS" --time=0 run \
  >"$OUT/sysbench-run.log" 2>&1 || die "sysbench run failed (see $OUT/sysbench-run.log)"
END="$(master_status)"
[[ "${START%%:*}" == "${END%%:*}" ]] || die "the backlog spans several binlog files ($START .. $END)"
FILE="${START%%:*}"
log "ranges: bulk ${START#*:}..${MID#*:}, oltp ${MID#*:}..${END#*:} in $FILE"

# Runs one reader over [from, to) of $FILE; prints its wall seconds. The reader's stdout goes to
# $OUT/<label>.out for cutover --stats, /dev/null otherwise.
run_reader() {  # TOOL FROM TO LABEL
  local tool="$1" from="$2" to="$3" label="$4" t0 t1
  t0="$(now)"
  case "$tool" in
    cutover)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" binlog --source "$URI" --from "$FILE:$from" \
        --until "$FILE:$to" --stats --server-id 4101 >"$OUT/$label.out" 2>"$OUT/$label.err" ;;
    cutover-text)
      timeout "$TOOL_TIMEOUT" "$CUTOVER" binlog --source "$URI" --from "$FILE:$from" \
        --until "$FILE:$to" --rows --server-id 4102 >/dev/null 2>"$OUT/$label.err" ;;
    mariadb-binlog)
      timeout "$TOOL_TIMEOUT" mariadb-binlog --defaults-file="$CNF" --read-from-remote-server \
        --base64-output=decode-rows --verbose --start-position="$from" --stop-position="$to" \
        "$FILE" >/dev/null 2>"$OUT/$label.err" ;;
  esac || die "$tool failed on $label (see $OUT/$label.err)"
  t1="$(now)"
  elapsed "$t0" "$t1"
}

verify_range() {  # FROM TO NAME
  local from="$1" to="$2" name="$3" ours theirs
  "$CUTOVER" binlog --source "$URI" --from "$FILE:$from" --until "$FILE:$to" --stats \
    --server-id 4103 \
    >"$OUT/verify-$name.out" 2>&1 || die "cutover failed verifying $name"
  ours="$(sed -n 's/.*, rows \([0-9]*\),.*/\1/p' "$OUT/verify-$name.out")"
  theirs="$(mariadb-binlog --defaults-file="$CNF" --read-from-remote-server \
    --base64-output=decode-rows --verbose --start-position="$from" --stop-position="$to" "$FILE" |
    grep -c -E '^### (INSERT INTO|UPDATE|DELETE FROM) ')" || die "mariadb-binlog failed verifying $name"
  [[ -n "$ours" && "$ours" == "$theirs" ]] ||
    die "$name: cutover decoded ${ours:-?} rows, mariadb-binlog printed $theirs"
  log "$name: both readers see $ours row images"
  echo "$ours"
}

BULK_ROWS="$(verify_range "${START#*:}" "${MID#*:}" bulk)"
OLTP_ROWS="$(verify_range "${MID#*:}" "${END#*:}" oltp)"

TOOLS=(cutover cutover-text mariadb-binlog)
declare -A T=()
printf 'run\trange\ttool\tseconds\n' >"$OUT/runs.tsv"
for run in $(seq 1 "$RUNS"); do
  for range in bulk oltp; do
    if [[ $range == bulk ]]; then from="${START#*:}"; to="${MID#*:}"; else from="${MID#*:}"; to="${END#*:}"; fi
    for k in 0 1 2; do
      tool="${TOOLS[$(( (k + run - 1) % 3 ))]}"
      s="$(run_reader "$tool" "$from" "$to" "$range-$tool-$run")"
      T[$range,$tool]+="$s "
      printf '%s\t%s\t%s\t%s\n' "$run" "$range" "$tool" "$s" >>"$OUT/runs.tsv"
      log "run $run $range $tool: $s s"
    done
  done
done

echo
echo "binlog decode, $FILE: bulk ${START#*:}..${MID#*:} ($BULK_ROWS row images), oltp ${MID#*:}..${END#*:} ($OLTP_ROWS row images, $EVENTS transactions); $RUNS runs; out: $OUT"
printf '%-6s %-15s %-28s %-10s %s\n' range tool "runs (s)" median "rows/s"
for range in bulk oltp; do
  rows=$([[ $range == bulk ]] && echo "$BULK_ROWS" || echo "$OLTP_ROWS")
  for tool in "${TOOLS[@]}"; do
    # shellcheck disable=SC2086
    med="$(median ${T[$range,$tool]})"
    printf '%-6s %-15s %-28s %-10s %s\n' "$range" "$tool" "${T[$range,$tool]}" "$med" "$(div "$rows" "$med")"
  done
  # shellcheck disable=SC2086
  peer="$(median ${T[$range,mariadb-binlog]})"
  # shellcheck disable=SC2086
  echo "  $range ratio mariadb-binlog/cutover: $(ratio "$peer" "$(median ${T[$range,cutover]})"), mariadb-binlog/cutover-text: $(ratio "$peer" "$(median ${T[$range,cutover-text]})")"
done
