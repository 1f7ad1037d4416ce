#!/usr/bin/env bash
# Cost curves (issue 18): how time, CPU and memory grow with the work, cutover and the peer side by
# side, PostgreSQL -> PostgreSQL.
#
#   SCALE=0.1 bench/macro/cost_curves.sh   # reduced sweep (what bench/RESULTS.md records)
#   SCALE=1   bench/macro/cost_curves.sh   # the issue's full sweep
#
# Four series; every point's work is the issue's figure times SCALE:
#   rows    full load of one table, 1M / 5M / 20M rows of ~100 B
#   width   full load of one table, 200k rows of ~100 B / ~1 KB / ~10 KB
#   tables  full load of 1M rows spread over 1 / 10 / 100 tables of ~100 B rows
#   drain   CDC drain of a backlog of 50k / 200k / 800k pgbench tpcb-like transactions (4 row
#           changes each: 3 UPDATEs, 1 INSERT into pgbench_history)
# Peers: pgcopydb clone (--table-jobs/--index-jobs PARALLEL, --split-tables-larger-than SPLIT, the
# same threshold cutover gets) for the full loads; PostgreSQL native logical replication
# (publication + subscription, streaming = on) for the drain.
#
# Full-load tables: public.tN (id bigint primary key, a int, pad text), pad = concatenated md5 hex
# (incompressible for pglz, so a 10 KB row costs 10 KB on both sides), generated on the source
# per point; each tool copies them into a fresh empty database on one target server (dropped
# afterwards), CHECKPOINT on both servers first, tools alternating which goes first per point.
# Verified: per table count(*), sum(a) and sum(hashtext(pad)) equal the source's.
# Drain: fresh servers (source, cutover's target, native replica), pgbench -i -s DRAIN_PGBENCH_SCALE
# with a primary key on pgbench_history; native: schema via pg_dump, subscription with copy_data,
# disabled once every table is 'r'; cutover: full-load-and-cdc until loaded, then SIGTERM. Per
# point the backlog runs with neither replica applying, then each tool drains it (cutover:
# `replicate --type cdc` from launch; native: ALTER SUBSCRIPTION ENABLE) until the target's
# pgbench_history count equals the source's, polled every 100 ms; then counts and balance sums of
# the four tables are compared; native is disabled again, cutover SIGTERMed.
#
# Per point and tool: wall seconds, rows/s, engine CPU seconds (user+sys) per million rows, engine
# peak RSS. Engine = the tool's own processes: cutover's process and pgcopydb's process tree
# (pg_dump, pg_restore and its workers; GNU time: CPU summed over waited-for children, peak RSS of
# the largest single process) measured with /usr/bin/time; for native logical replication the
# subscription's apply worker on the target (/proc/PID/stat utime+stime, VmHWM). Server-side work
# (source walsender/COPY backends, target backends) is in neither figure.
#
# RUNS (default 3, from common.sh) runs per point; the table and chart show their medians.
# Output under $OUT (default bench/out/cost_curves-<timestamp>): points.csv, points.md, curves.svg
# (written by bench/plot_curves.py), tool logs. SERIES="rows width tables drain" picks series.
set -euo pipefail
SCALE="${SCALE:-1}"   # before common.sh, whose SCALE is pgbench's
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PARALLEL="${PARALLEL:-4}"
SPLIT="${SPLIT:-512MB}"
SERIES="${SERIES:-rows width tables drain}"
DRAIN_PGBENCH_SCALE="${DRAIN_PGBENCH_SCALE:-10}"
CLIENTS="${CLIENTS:-4}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-3600}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-3600}"
OUT="${OUT:-$BENCH_ROOT/bench/out/cost_curves-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bcc-$$"
TASK=bench

[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ ]] || die "SCALE must be a positive number, not '$SCALE'"
scaled() { awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s + 0.5); print (v < 1 ? 1 : v) }'; }

bench_traps
bench_preflight
command -v pgcopydb >/dev/null || die "pgcopydb not installed (scripts/install-deps.sh)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) not found"
command -v python3 >/dev/null || die "python3 not found (scripts/install-deps.sh)"
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt"
echo "scale: $SCALE, parallel: $PARALLEL, split: $SPLIT, runs per point: $RUNS" >>"$OUT/machine.txt"
echo "series,x,x_label,tool,run,rows,seconds,rows_per_s,cpu_s,cpu_s_per_mrow,peak_rss_mb" >"$OUT/points.csv"

# record SERIES X LABEL TOOL RUN ROWS SECONDS CPU_S RSS_KB: one CSV line (and a log line)
record() {
  local line
  line="$(awk -v se="$1" -v x="$2" -v l="$3" -v t="$4" -v r="$5" -v n="$6" -v s="$7" -v c="$8" -v m="$9" \
    'BEGIN { printf "%s,%s,%s,%s,%s,%d,%.3f,%.0f,%.2f,%.2f,%.1f", se, x, l, t, r, n, s, n / s, c, c / (n / 1e6), m / 1024 }')"
  echo "$line" >>"$OUT/points.csv"
  log "point $line"
}
# gnu_time FILE -> "cpu_s rss_kb" from /usr/bin/time -f '%e %U %S %M' output (last line)
gnu_time() { tail -1 "$1" | awk '{ printf "%.2f %d", $2 + $3, $4 }'; }

# ---------------------------------------------------------------- full loads
SRC=""; TGT=""
fl_servers() {
  [[ -n "$SRC" ]] && return 0
  bench_start_server SRC "$TAG-src"
  bench_start_server TGT "$TAG-tgt"
  log "full-load servers: source ${SRC##*@}, target ${TGT##*@}"
}

# fl_prepare NTABLES ROWS_PER_TABLE WIDTH: public.t1..tN on the source, nothing else in public
fl_prepare() {
  local n="$1" rows="$2" width="$3" padlen k i sql=()
  padlen=$(( width > 13 ? width - 12 : 1 )); k=$(( (padlen + 31) / 32 ))
  # shellcheck disable=SC2016  # $$ is PL/pgSQL quoting
  sql+=('do $$ declare r record; begin
           for r in select tablename from pg_tables where schemaname = '"'public'"' loop
             execute format('"'drop table public.%I'"', r.tablename);
           end loop; end $$')
  for i in $(seq 1 "$n"); do
    sql+=("create table public.t$i (id bigint primary key, a int not null, pad text not null)"
      "insert into public.t$i select g, (g * 7919 % 1000003)::int,
         left((select string_agg(md5((g * 1000 + j)::text), '') from generate_series(1, $k) j), $padlen)
       from generate_series(1::bigint, $rows) g")
  done
  sql+=("vacuum analyze")
  q "$SRC" "${sql[@]}"
  FP_QUERY="select ''"   # || chains: a function takes at most 100 arguments
  for i in $(seq 1 "$n"); do
    FP_QUERY+=" || ' ' || (select count(*) || ':' || coalesce(sum(a), 0) || ':' || coalesce(sum(hashtext(pad)::bigint), 0) from public.t$i)"
  done
  FP_SRC="$(q "$SRC" "$FP_QUERY")"
}

# fl_run TOOL POINT_ID -> prints "seconds cpu_s rss_kb"
fl_run() {
  local tool="$1" id="$2" db uri t0 t1 rc=0 tf fp
  db="cc_${tool}_$id"; tf="$OUT/$tool-$id.time"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  q "$SRC" "checkpoint"; q "$TGT" "checkpoint"
  t0=$(now)
  case "$tool" in
    cutover)
      timeout "$TOOL_TIMEOUT" /usr/bin/time -o "$tf" -f '%e %U %S %M' "$CUTOVER" replicate \
        --source "$SRC" --target "$uri" --task "cc_$id" --type full-load --parallel "$PARALLEL" \
        --split-tables-larger-than "$SPLIT" --tables 'public.t%' </dev/null >"$OUT/$tool-$id.log" 2>&1 || rc=$?
      ;;
    pgcopydb)
      rm -rf "$OUT/pgcopydb-$id"
      timeout "$TOOL_TIMEOUT" /usr/bin/time -o "$tf" -f '%e %U %S %M' pgcopydb clone --source "$SRC" \
        --target "$uri" --dir "$OUT/pgcopydb-$id" --table-jobs "$PARALLEL" --index-jobs "$PARALLEL" \
        --split-tables-larger-than "$SPLIT" --no-owner --no-acl --skip-extensions \
        </dev/null >"$OUT/$tool-$id.log" 2>&1 || rc=$?
      rm -rf "$OUT/pgcopydb-$id"
      ;;
  esac
  t1=$(now)
  (( rc == 0 )) || { log "$tool $id FAILED (exit $rc):"; tail -15 "$OUT/$tool-$id.log" >&2; exit 1; }
  fp="$(q "$uri" "$FP_QUERY")"
  [[ "$fp" == "$FP_SRC" ]] || die "$tool $id: target differs from source: ${fp:0:200} vs ${FP_SRC:0:200}"
  q "$TGT" "drop database $db with (force)"
  echo "$(elapsed "$t0" "$t1") $(gnu_time "$tf")"
}

POINT=0
# fl_point SERIES X LABEL NTABLES ROWS_PER_TABLE WIDTH
fl_point() {
  local series="$1" x="$2" label="$3" n="$4" rows="$5" width="$6" r tool res s c m t0
  fl_servers
  t0=$(now)
  fl_prepare "$n" "$rows" "$width"
  log "$series $label: source ready ($n x $rows rows, width $width) in $(elapsed "$t0" "$(now)") s," \
    "$(q "$SRC" "select pg_size_pretty(sum(pg_total_relation_size(oid))) from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'")"
  for r in $(seq 1 "$RUNS"); do
    POINT=$(( POINT + 1 ))
    if (( POINT % 2 )); then order=(cutover pgcopydb); else order=(pgcopydb cutover); fi
    for tool in "${order[@]}"; do
      res="$(fl_run "$tool" "${series}_${x}_r$r")"
      read -r s c m <<<"$res"
      record "$series" "$x" "$label" "$tool" "$r" $(( n * rows )) "$s" "$c" "$m"
    done
  done
}

# ---------------------------------------------------------------- CDC drain
DSRC=""; TGT_C=""; TGT_N=""; CUTOVER_PID=""
D_TABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers public.pgbench_history)
D_TARGS=()
for t in "${D_TABLES[@]}"; do D_TARGS+=(--tables "$t"); done

# start_cutover TYPE LOGFILE [TIMEFILE]: cutover in the background, under GNU time if TIMEFILE;
# CUTOVER_PID is cutover's own process (GNU time's child), TIME_PID GNU time's (or empty)
TIME_PID=""
start_cutover() {
  local i
  if [[ -n "${3:-}" ]]; then
    /usr/bin/time -o "$3" -f '%e %U %S %M' "$CUTOVER" replicate --source "$DSRC" --target "$TGT_C" \
      --task "$TASK" --type "$1" "${D_TARGS[@]}" </dev/null >"$2" 2>&1 &
    TIME_PID=$!
    bench_track_pid "$TIME_PID"
    CUTOVER_PID=""
    for i in $(seq 1 100); do
      CUTOVER_PID="$(pgrep -P "$TIME_PID" | head -1 || true)"
      [[ -n "$CUTOVER_PID" ]] && break
      sleep 0.01
    done
    [[ -n "$CUTOVER_PID" ]] || die "cutover did not start under GNU time"
  else
    "$CUTOVER" replicate --source "$DSRC" --target "$TGT_C" --task "$TASK" --type "$1" \
      "${D_TARGS[@]}" </dev/null >"$2" 2>&1 &
    CUTOVER_PID=$!
    TIME_PID=""
  fi
  bench_track_pid "$CUTOVER_PID"
}
stop_cutover() {  # LOGFILE: SIGTERM to cutover (graceful); under GNU time, wait for time to report
  local rc=0 deadline
  [[ -n "$CUTOVER_PID" ]] || return 0
  if [[ -n "$TIME_PID" ]]; then
    kill -TERM "$CUTOVER_PID" 2>/dev/null || true
    deadline=$(( $(date +%s) + 60 ))
    while kill -0 "$CUTOVER_PID" 2>/dev/null && (( $(date +%s) < deadline )); do sleep 0.1; done
    stop_pid "$TIME_PID" 0 10 || rc=$?   # no signal: time exits once cutover has (KILL after 10 s)
    (( rc == 0 )) && ! kill -0 "$CUTOVER_PID" 2>/dev/null || rc=255
    TIME_PID=""
  else
    stop_pid "$CUTOVER_PID" TERM 60 || rc=$?
  fi
  CUTOVER_PID=""
  (( rc == 0 )) || { log "cutover exited with $rc; log tail:"; tail -15 "$1" >&2; exit 1; }
}
cutover_alive() {
  [[ -n "$CUTOVER_PID" ]] && kill -0 "$CUTOVER_PID" 2>/dev/null &&
    [[ "$(awk '{print $3}' "/proc/$CUTOVER_PID/stat" 2>/dev/null || echo Z)" != Z ]]
}
cutover_loaded() {
  cutover_alive || { log "cutover exited during the initial load:"; tail -15 "$1" >&2; exit 1; }
  [[ "$(q "$TGT_C" "select count(*) from cutover.table_state where task = '$TASK'" 2>/dev/null)" \
     == "${#D_TABLES[@]}" ]] && grep -q 'cdc started' "$1"
}
native_synced() {
  [[ "$(q "$TGT_N" "select count(*) filter (where srsubstate = 'r') || '/' || count(*)
                    from pg_subscription_rel")" == "${#D_TABLES[@]}/${#D_TABLES[@]}" ]]
}
native_stopped() {
  [[ "$(q "$TGT_N" "select count(*) from pg_stat_subscription where pid is not null")" == 0 ]]
}
d_fingerprint() {
  q "$1" "select (select count(*) || ':' || sum(abalance) from pgbench_accounts) || ' ' ||
                 (select count(*) || ':' || sum(bbalance) from pgbench_branches) || ' ' ||
                 (select count(*) || ':' || sum(tbalance) from pgbench_tellers) || ' ' ||
                 (select count(*) || ':' || coalesce(sum(delta), 0) from pgbench_history)"
}

drain_setup() {
  local t0 dump_tables=() src_conn
  bench_start_server DSRC "$TAG-dsrc"
  bench_start_server TGT_C "$TAG-dtgtc"
  bench_start_server TGT_N "$TAG-dtgtn"
  log "drain servers: source ${DSRC##*@}, cutover target ${TGT_C##*@}, native ${TGT_N##*@}"
  timeout 1800 "$PGBENCH" -i -s "$DRAIN_PGBENCH_SCALE" -q "$DSRC" >"$OUT/pgbench_init.log" 2>&1 ||
    die "pgbench -i failed: $(tail -5 "$OUT/pgbench_init.log")"
  q "$DSRC" "alter table pgbench_history add column hid bigserial primary key"
  t0=$(now)
  for t in "${D_TABLES[@]}"; do dump_tables+=(-t "$t"); done
  "$PG_DUMP" --schema-only --no-owner --no-acl "${dump_tables[@]}" -d "$DSRC" >"$OUT/drain-schema.sql"
  PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$(conninfo "$TGT_N")" \
    -f "$OUT/drain-schema.sql" >/dev/null
  q "$DSRC" "create publication bench_pub for table $(IFS=,; echo "${D_TABLES[*]}")"
  src_conn="$(sed -E 's#^postgresql://([^:]+):([^@]+)@([^:]+):([0-9]+)/(.*)$#host=\3 port=\4 user=\1 password=\2 dbname=\5#' <<<"$DSRC")"
  q "$TGT_N" "create subscription bench_sub connection '$src_conn' publication bench_pub
              with (copy_data = true, streaming = on)"
  wait_until "$TOOL_TIMEOUT" "native initial sync" native_synced
  q "$TGT_N" "alter subscription bench_sub disable"
  wait_until 60 "native apply worker to stop" native_stopped
  log "drain: native initial sync $(elapsed "$t0" "$(now)") s"
  t0=$(now)
  start_cutover full-load-and-cdc "$OUT/cutover-drain-load.log"
  wait_until "$TOOL_TIMEOUT" "cutover initial load" cutover_loaded "$OUT/cutover-drain-load.log"
  stop_cutover "$OUT/cutover-drain-load.log"
  log "drain: cutover initial load + stop $(elapsed "$t0" "$(now)") s"
  local fp_src
  fp_src="$(d_fingerprint "$DSRC")"
  for t in "$TGT_C" "$TGT_N"; do
    [[ "$(d_fingerprint "$t")" == "$fp_src" ]] || die "drain initial sync mismatch on ${t##*@}"
  done
}

# native_worker_stats -> "cpu_s rss_kb" of the subscription's apply worker (now)
native_worker_stats() {
  local pid tck
  pid="$(q "$TGT_N" "select pid from pg_stat_subscription where subname = 'bench_sub' and relid is null and pid is not null" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || { echo "nan 0"; return 0; }
  tck="$(getconf CLK_TCK)"
  awk -v t="$tck" '{ printf "%.2f ", ($14 + $15) / t }' "/proc/$pid/stat" 2>/dev/null || printf 'nan '
  awk '/^VmHWM:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$pid/status" 2>/dev/null || echo 0
}

# drain_run TOOL ID -> prints "seconds cpu_s rss_kb"
drain_run() {
  local tool="$1" id="$2" tgt t0 t_end="" deadline n stats="" tf
  tf="$OUT/cutover-drain-$id.time"
  if [[ "$tool" == cutover ]]; then tgt="$TGT_C"; else tgt="$TGT_N"; fi
  q "$DSRC" "checkpoint"; q "$tgt" "checkpoint"
  t0=$(now)
  if [[ "$tool" == cutover ]]; then
    start_cutover cdc "$OUT/cutover-drain-$id.log" "$tf"
  else
    q "$TGT_N" "alter subscription bench_sub enable"
  fi
  deadline=$(( $(date +%s) + DRAIN_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    n="$(q "$tgt" "select count(*) from pgbench_history" 2>/dev/null || echo -1)"
    [[ "$n" == "$N_HIST" ]] && { t_end=$(now); break; }
    [[ "$tool" == cutover ]] && ! cutover_alive && break
    sleep 0.1
  done
  if [[ "$tool" == cutover ]]; then
    stop_cutover "$OUT/cutover-drain-$id.log"
    stats="$(gnu_time "$tf")"
  else
    stats="$(native_worker_stats)"
    q "$TGT_N" "alter subscription bench_sub disable"
    wait_until 60 "native apply worker to stop" native_stopped
  fi
  [[ -n "$t_end" ]] || die "$tool drain $id: target history count $n never reached $N_HIST"
  [[ "$(d_fingerprint "$tgt")" == "$(d_fingerprint "$DSRC")" ]] || die "$tool drain $id: target differs from source"
  echo "$(elapsed "$t0" "$t_end") $stats"
}

drain_point() {  # X LABEL TXNS
  local x="$1" label="$2" txns="$3" per r tool res s c m
  [[ -n "$DSRC" ]] || drain_setup
  per=$(( (txns + CLIENTS - 1) / CLIENTS ))
  for r in $(seq 1 "$RUNS"); do
    log "drain $label: backlog pgbench -n -c $CLIENTS -j 2 -t $per"
    timeout 3600 "$PGBENCH" -n -c "$CLIENTS" -j 2 -t "$per" "$DSRC" >"$OUT/pgbench-$x-r$r.log" 2>&1 ||
      die "pgbench failed: $(tail -5 "$OUT/pgbench-$x-r$r.log")"
    N_HIST="$(q "$DSRC" "select count(*) from pgbench_history")"
    POINT=$(( POINT + 1 ))
    if (( POINT % 2 )); then order=(cutover native); else order=(native cutover); fi
    for tool in "${order[@]}"; do
      res="$(drain_run "$tool" "${x}_r$r")"
      read -r s c m <<<"$res"
      record drain "$x" "$label" "$tool" "$r" $(( per * CLIENTS * 4 )) "$s" "$c" "$m"
    done
  done
}

# ---------------------------------------------------------------- the sweep
T_START=$(now)
for series in $SERIES; do
  case "$series" in
    rows)
      for m in 1 5 20; do
        rows="$(scaled $(( m * 1000000 )))"
        fl_point rows "$rows" "$rows rows" 1 "$rows" 100
      done ;;
    width)
      rows="$(scaled 200000)"
      for w in 100 1000 10000; do fl_point width "$w" "$w B x $rows rows" 1 "$rows" "$w"; done ;;
    tables)
      total="$(scaled 1000000)"
      for n in 1 10 100; do fl_point tables "$n" "$n tables x $(( total / n )) rows" "$n" $(( total / n )) 100; done ;;
    drain)
      for k in 50000 200000 800000; do
        txns="$(scaled "$k")"
        drain_point "$txns" "$txns txns" "$txns"
      done ;;
    *) die "unknown series '$series' (rows, width, tables, drain)" ;;
  esac
done
log "sweep done in $(elapsed "$T_START" "$(now)") s"
python3 "$BENCH_ROOT/bench/plot_curves.py" "$OUT/points.csv" "$OUT/points.md" "$OUT/curves.svg" \
  "cost curves, SCALE=$SCALE, PARALLEL=$PARALLEL, $(date -u +%F), git $(git -C "$BENCH_ROOT" rev-parse --short HEAD)"
echo "sweep wall time: $(elapsed "$T_START" "$(now)") s" >>"$OUT/machine.txt"
cat "$OUT/points.md"
echo "output: $OUT"
