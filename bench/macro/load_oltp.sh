#!/usr/bin/env bash
# Load generator macro benchmark: `cutover load --workload oltp --max` against the native tools
# at the same scale, clients and duration.
#
#   bench/macro/load_oltp.sh        # RUNS=3 SCALE=10 CLIENTS=4 DURATION=20
#
# PostgreSQL: cutover oltp (TPC-B-like transfer) vs `pgbench -n` builtin tpcb-like, both in its
#   default simple-query mode and with -M prepared (the stronger pgbench). One server, both data
#   sets side by side (pgbench_* and accounts/tellers/branches/history), scale SCALE each.
# MariaDB: cutover oltp vs `sysbench oltp_write_only` (one table of SCALE*100,000 rows, the
#   same size as oltp's accounts; its transaction is BEGIN, 2 UPDATEs, DELETE, INSERT, COMMIT
#   as prepared statements). The sysbench password goes through a --config-file, not argv.
# Each run measures every tool once, one after the other (order rotates per run), CHECKPOINT /
# no special tuning between them. Reported: committed transactions per second (pgbench: "tps
# ... without initial connection time"; sysbench: "transactions ... per sec."; cutover: the
# summary's tps), the ratio cutover/peer per run, and the median of the per-run ratios.
#
# Output: per-run lines on stdout, then medians; logs and runs.tsv under $OUT
# (default bench/out/load_oltp-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SCALE="${SCALE:-10}"
CLIENTS="${CLIENTS:-4}"
DURATION="${DURATION:-20}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-600}"
SYSBENCH="${SYSBENCH:-/usr/bin/sysbench}"
OUT="${OUT:-$BENCH_ROOT/bench/out/load_oltp-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="blg-$$"

bench_traps
bench_preflight
[[ -x "$SYSBENCH" ]] || die "sysbench not found at $SYSBENCH (scripts/install-deps.sh --bench)"
mkdir -p "$OUT"
bench_pin_binary "$OUT"
{ machine_info; echo "sysbench: $("$SYSBENCH" --version)"; } >"$OUT/machine.txt"

log "starting servers"
bench_start_server PG "$TAG-pg"
BENCH_SERVERS+=("$TAG-my")
MY="$("$SERVERS" start mariadb "$TAG-my")" || die "could not start MariaDB"
MY_PORT="${MY##*:}"; MY_PORT="${MY_PORT%%/*}"
SB_CONF="$OUT/sysbench.conf"
(umask 077 && printf 'mysql-host=127.0.0.1\nmysql-port=%s\nmysql-user=cutover\nmysql-password=cutover\nmysql-db=cutover\ndb-driver=mysql\n' \
  "$MY_PORT" >"$SB_CONF")

log "init: pgbench -i -s $SCALE; cutover load --init (PostgreSQL and MariaDB); sysbench prepare"
timeout "$TOOL_TIMEOUT" "$PGBENCH" -i -s "$SCALE" -q "$PG" >"$OUT/pgbench_init.log" 2>&1 ||
  die "pgbench -i failed (see $OUT/pgbench_init.log)"
for uri in "$PG" "$MY"; do
  timeout "$TOOL_TIMEOUT" "$CUTOVER" load --target "$uri" --workload oltp --init --scale "$SCALE" \
    >>"$OUT/cutover_init.log" 2>&1 || die "cutover load --init failed (see $OUT/cutover_init.log)"
done
SB_ARGS=(--config-file="$SB_CONF" --tables=1 --table-size=$((SCALE * 100000)) --threads="$CLIENTS")
timeout "$TOOL_TIMEOUT" "$SYSBENCH" oltp_write_only "${SB_ARGS[@]}" prepare \
  >"$OUT/sysbench_prepare.log" 2>&1 || die "sysbench prepare failed (see $OUT/sysbench_prepare.log)"

run_pgbench() {  # MODE LOG -> tps
  timeout "$TOOL_TIMEOUT" "$PGBENCH" -n -c "$CLIENTS" -j 2 -T "$DURATION" -M "$1" "$PG" >"$2" 2>&1 ||
    die "pgbench failed (see $2)"
  sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$2"
}
run_cutover() {  # URI LOG -> tps
  timeout "$TOOL_TIMEOUT" "$CUTOVER" load --target "$1" --workload oltp --max --clients "$CLIENTS" \
    --duration "$DURATION" --json >"$2" 2>"$2.err" || die "cutover load failed (see $2.err)"
  grep '"type":"summary"' "$2" | sed 's/.*"tps":\([0-9.]*\).*/\1/'
}
run_sysbench() {  # LOG -> tps
  timeout "$TOOL_TIMEOUT" "$SYSBENCH" oltp_write_only "${SB_ARGS[@]}" --time="$DURATION" run \
    >"$1" 2>&1 || die "sysbench failed (see $1)"
  sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$1"
}

printf 'run\tpgbench_simple\tpgbench_prepared\tcutover_pg\tsysbench\tcutover_mariadb\n' >"$OUT/runs.tsv"
R_SIMPLE=(); R_PREP=(); R_MY=()
for ((r = 1; r <= RUNS; r++)); do
  if ((r % 2)); then
    pc="$(run_cutover "$PG" "$OUT/cutover_pg_$r.json")"
    ps="$(run_pgbench simple "$OUT/pgbench_simple_$r.log")"
    pp="$(run_pgbench prepared "$OUT/pgbench_prepared_$r.log")"
    mc="$(run_cutover "$MY" "$OUT/cutover_my_$r.json")"
    sb="$(run_sysbench "$OUT/sysbench_$r.log")"
  else
    pp="$(run_pgbench prepared "$OUT/pgbench_prepared_$r.log")"
    ps="$(run_pgbench simple "$OUT/pgbench_simple_$r.log")"
    pc="$(run_cutover "$PG" "$OUT/cutover_pg_$r.json")"
    sb="$(run_sysbench "$OUT/sysbench_$r.log")"
    mc="$(run_cutover "$MY" "$OUT/cutover_my_$r.json")"
  fi
  [[ -n "$pc" && -n "$ps" && -n "$pp" && -n "$mc" && -n "$sb" ]] || die "run $r: a tool printed no rate"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$ps" "$pp" "$pc" "$sb" "$mc" >>"$OUT/runs.tsv"
  R_SIMPLE+=("$(ratio "$pc" "$ps")"); R_PREP+=("$(ratio "$pc" "$pp")"); R_MY+=("$(ratio "$mc" "$sb")")
  echo "run $r: PostgreSQL cutover $pc tps, pgbench simple $ps, prepared $pp (ratios ${R_SIMPLE[-1]}, ${R_PREP[-1]});" \
    "MariaDB cutover $mc tps, sysbench oltp_write_only $sb (ratio ${R_MY[-1]})"
done
echo "median ratio cutover/pgbench (simple): $(median "${R_SIMPLE[@]}")"
echo "median ratio cutover/pgbench -M prepared: $(median "${R_PREP[@]}")"
echo "median ratio cutover/sysbench oltp_write_only: $(median "${R_MY[@]}")"
echo "scale $SCALE, clients $CLIENTS, duration ${DURATION}s, runs $RUNS; raw: $OUT/runs.tsv"
