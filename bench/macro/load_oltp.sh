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
#   Control, like with like: sysbench running cutover's own TPC-B transfer on cutover's oltp
#   tables (Lua script written to $OUT/tpcb.lua: BEGIN, UPDATE accounts, SELECT, UPDATE tellers,
#   UPDATE branches, INSERT history, COMMIT, prepared, one round trip each), so the hot branch
#   rows that TPC-B has and oltp_write_only has not are on both sides.
# Each run measures every tool once, one after the other (order rotates per run), CHECKPOINT /
# no special tuning between them. Reported: committed transactions per second (pgbench: "tps
# ... without initial connection time"; sysbench: "transactions ... per sec."; cutover: the
# summary's tps), the ratio cutover/peer per run, and the median of the per-run ratios.
#
# Output: per-run lines on stdout, then medians; logs and runs.tsv under $OUT
# (default bench/out/load_oltp-<timestamp>).
set -euo pipefail
OLTP_SCALE="${SCALE:-10}"  # before common.sh, which defaults SCALE to 20 for other benchmarks
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SCALE="$OLTP_SCALE"
CLIENTS="${CLIENTS:-4}"
DURATION="${DURATION:-20}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-600}"
SYSBENCH="${SYSBENCH:-sysbench}"  # common.sh sets the same default
OUT="${OUT:-$BENCH_ROOT/bench/out/load_oltp-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="blg-$$"

bench_traps
bench_preflight
command -v "$SYSBENCH" >/dev/null || die "sysbench not found at $SYSBENCH (scripts/install-deps.sh --bench)"
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

cat >"$OUT/tpcb.lua" <<'LUA'
-- TPC-B-like transfer on cutover's oltp tables, the statements of `cutover load --workload oltp`
-- (and pgbench tpcb-like) as sysbench prepared statements, one round trip each.
sysbench.cmdline.options = {
  scale = {"oltp scale (branches)", 10},
  hid_base = {"first history id to use", 1000000000000},
}
function thread_init()
  con = sysbench.sql.driver():connect()
  local function prep(sql, n)
    local s, p = con:prepare(sql), {}
    for i = 1, n do p[i] = s:bind_create(sysbench.sql.type.BIGINT) end
    s:bind_param(unpack(p))
    return {s = s, p = p}
  end
  begin_, commit_ = con:prepare("BEGIN"), con:prepare("COMMIT")
  ua = prep("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?", 2)
  sa = prep("SELECT abalance FROM accounts WHERE aid = ?", 1)
  ut = prep("UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?", 2)
  ub = prep("UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?", 2)
  ih = prep("INSERT INTO history (hid, tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, ?, NOW(6))", 5)
  seq = 0
end
function event()
  local scale = sysbench.opt.scale
  local aid = sysbench.rand.uniform(1, scale * 100000)
  local tid = sysbench.rand.uniform(1, scale * 10)
  local bid = sysbench.rand.uniform(1, scale)
  local delta = sysbench.rand.uniform(0, 10000) - 5000
  seq = seq + 1
  begin_:execute()
  ua.p[1]:set(delta); ua.p[2]:set(aid); ua.s:execute()
  sa.p[1]:set(aid); local rs = sa.s:execute(); if rs then rs:free() end
  ut.p[1]:set(delta); ut.p[2]:set(tid); ut.s:execute()
  ub.p[1]:set(delta); ub.p[2]:set(bid); ub.s:execute()
  ih.p[1]:set(sysbench.opt.hid_base + sysbench.tid * 1000000000 + seq)
  ih.p[2]:set(tid); ih.p[3]:set(bid); ih.p[4]:set(aid); ih.p[5]:set(delta)
  ih.s:execute()
  commit_:execute()
end
LUA
run_sysbench_tpcb() {  # RUN LOG -> tps (history ids of run r start at (r+1)*10^13: no clash)
  (cd "$OUT" && timeout "$TOOL_TIMEOUT" "$SYSBENCH" ./tpcb.lua --config-file="$SB_CONF" \
    --threads="$CLIENTS" --time="$DURATION" --scale="$SCALE" --hid-base="$((($1 + 1) * 10000000000000))" \
    run) >"$2" 2>&1 || die "sysbench tpcb.lua failed (see $2)"
  sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$2"
}

printf 'run\tpgbench_simple\tpgbench_prepared\tcutover_pg\tsysbench\tcutover_mariadb\tsysbench_tpcb\n' >"$OUT/runs.tsv"
R_SIMPLE=(); R_PREP=(); R_MY=(); R_TPCB=()
for ((r = 1; r <= RUNS; r++)); do
  if ((r % 2)); then
    pc="$(run_cutover "$PG" "$OUT/cutover_pg_$r.json")"
    ps="$(run_pgbench simple "$OUT/pgbench_simple_$r.log")"
    pp="$(run_pgbench prepared "$OUT/pgbench_prepared_$r.log")"
    mc="$(run_cutover "$MY" "$OUT/cutover_my_$r.json")"
    sb="$(run_sysbench "$OUT/sysbench_$r.log")"
    st="$(run_sysbench_tpcb "$r" "$OUT/sysbench_tpcb_$r.log")"
  else
    st="$(run_sysbench_tpcb "$r" "$OUT/sysbench_tpcb_$r.log")"
    pp="$(run_pgbench prepared "$OUT/pgbench_prepared_$r.log")"
    ps="$(run_pgbench simple "$OUT/pgbench_simple_$r.log")"
    pc="$(run_cutover "$PG" "$OUT/cutover_pg_$r.json")"
    sb="$(run_sysbench "$OUT/sysbench_$r.log")"
    mc="$(run_cutover "$MY" "$OUT/cutover_my_$r.json")"
  fi
  [[ -n "$pc" && -n "$ps" && -n "$pp" && -n "$mc" && -n "$sb" && -n "$st" ]] ||
    die "run $r: a tool printed no rate"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$ps" "$pp" "$pc" "$sb" "$mc" "$st" >>"$OUT/runs.tsv"
  R_SIMPLE+=("$(ratio "$pc" "$ps")"); R_PREP+=("$(ratio "$pc" "$pp")"); R_MY+=("$(ratio "$mc" "$sb")")
  R_TPCB+=("$(ratio "$mc" "$st")")
  echo "run $r: PostgreSQL cutover $pc tps, pgbench simple $ps, prepared $pp (ratios ${R_SIMPLE[-1]}, ${R_PREP[-1]});" \
    "MariaDB cutover $mc tps, sysbench oltp_write_only $sb (ratio ${R_MY[-1]}), sysbench tpcb.lua $st" \
    "(ratio ${R_TPCB[-1]}); load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "median ratio cutover/pgbench (simple): $(median "${R_SIMPLE[@]}")"
echo "median ratio cutover/pgbench -M prepared: $(median "${R_PREP[@]}")"
echo "median ratio cutover/sysbench oltp_write_only: $(median "${R_MY[@]}")"
echo "median ratio cutover/sysbench tpcb.lua (same transaction, same tables): $(median "${R_TPCB[@]}")"
echo "scale $SCALE, clients $CLIENTS, duration ${DURATION}s, runs $RUNS; raw: $OUT/runs.tsv"
