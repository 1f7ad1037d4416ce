#!/usr/bin/env bash
# CDC drain macro benchmark: how fast cutover vs PostgreSQL native logical replication apply a
# backlog of pgbench (tpcb-like) transactions that piled up while the replica was stopped.
#
#   bench/macro/pg_cdc_drain.sh            # RUNS=3 SCALE=20 CLIENTS=4 TXNS_PER_CLIENT=22500
#   CUTOVER_BASE=path/to/older/cutover bench/macro/pg_cdc_drain.sh   # before/after in one run
#
# With CUTOVER_BASE, a third tool "base" (that binary, on a third target server, its own task
# and slot) drains the same backlog too, so a change is measured against its baseline within
# the same run; ratios are reported for both against native. CUTOVER_BASE_ENV="VAR=value ..."
# runs the base with those environment variables (e.g. the same binary with a switch off:
# CUTOVER_BASE=build/cutover CUTOVER_BASE_ENV="CUTOVER_PG_READ_AHEAD=off").
#
# Per run (fresh servers every run): one source and two targets (one per tool).
#  1. source: `pgbench -i -s $SCALE`, then pgbench_history gets a primary key
#     (ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY) so that both tools
#     replicate the whole pgbench workload, all four tables (cutover refuses key-less tables
#     for CDC).
#  2. native: schema via pg_dump --schema-only, CREATE PUBLICATION on the four tables,
#     CREATE SUBSCRIPTION ... WITH (copy_data = true), wait until every table is 'r', then
#     ALTER SUBSCRIPTION ... DISABLE (the slot keeps the position).
#     cutover: `replicate --type full-load-and-cdc` until all four tables are in
#     cutover.table_state and CDC has started, then SIGTERM (graceful; the slot keeps the position).
#  3. backlog: `pgbench -n -c $CLIENTS -j 2 -t $TXNS_PER_CLIENT` (tpcb-like) on the source, while
#     neither replica runs; then N = source pgbench_history count, L = pg_current_wal_lsn().
#     Both tools drain the *same* backlog, one after the other (order alternates per run).
#  4. timed drain: cutover: start `replicate --type cdc` (start of clock = process launch);
#     native: ALTER SUBSCRIPTION ... ENABLE. End of clock ("data"): target pgbench_history count
#     = N, polled every 100 ms. Each backlog transaction inserts exactly one history row and both
#     tools apply source transactions atomically and in commit order, so this means every
#     backlog transaction is visible on the target. Also recorded ("slot"): when the source slot's
#     confirmed_flush_lsn >= L (depends on each tool's feedback interval, informational only).
#  5. verification: target counts and balance sums of all four tables equal the source's; for
#     cutover the checkpoint row is reported.
#  6. CPU by role during each drain (common.sh cpu_mark/cpu_report: every thread of the servers
#     and of cutover, CPU seconds and seconds spent waiting for a CPU) in the log and in
#     $OUT/cpu-TOOL-rN.txt: on a small machine it shows which process paces the drain.
#
# Output: per-run lines on stdout, then medians and the ratio; logs and raw TSV under $OUT
# (default bench/out/cdc_drain-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CLIENTS="${CLIENTS:-4}"
TXNS_PER_CLIENT="${TXNS_PER_CLIENT:-22500}"
LOAD_TIMEOUT="${LOAD_TIMEOUT:-600}"     # initial load of either tool
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-600}"   # one drain
SLOT_GRACE="${SLOT_GRACE:-30}"          # extra wait for the slot position after the data matched
CUTOVER_ARGS="${CUTOVER_ARGS:-}"        # extra cutover replicate options, e.g. "--group-max-changes 1000"
OUT="${OUT:-$BENCH_ROOT/bench/out/cdc_drain-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bcdc-$$"
TASK=bench
TABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers public.pgbench_history)
BACKLOG=$(( CLIENTS * TXNS_PER_CLIENT ))
CUTOVER_BASE="${CUTOVER_BASE:-}"
CUTOVER_BASE_ENV="${CUTOVER_BASE_ENV:-}"
TOOLS=(cutover native)
[[ -n "$CUTOVER_BASE" ]] && TOOLS=(cutover native base)

bench_traps
bench_preflight
mkdir -p "$OUT"
bench_pin_binary "$OUT"
if [[ -n "$CUTOVER_BASE" ]]; then
  cp "$CUTOVER_BASE" "$OUT/cutover-base"
  CUTOVER_BASE="$OUT/cutover-base"
fi
machine_info >"$OUT/machine.txt"

CUTOVER_PID=""
TARGS=()
for t in "${TABLES[@]}"; do TARGS+=(--tables "$t"); done

start_cutover() {  # TYPE LOGFILE [base]: starts cutover in the background, sets CUTOVER_PID
  local bin="$CUTOVER" tgt="$TGT_C" task="$TASK" envs=()
  [[ "${3:-}" == base ]] && { bin="$CUTOVER_BASE"; tgt="$TGT_B"; task="${TASK}b"; read -r -a envs <<<"$CUTOVER_BASE_ENV"; }
  # shellcheck disable=SC2086  # CUTOVER_ARGS is a word list on purpose
  env "${envs[@]}" "$bin" replicate --source "$SRC" --target "$tgt" --task "$task" --type "$1" \
    "${TARGS[@]}" ${CUTOVER_ARGS} </dev/null >"$2" 2>&1 &
  CUTOVER_PID=$!
  bench_track_pid "$CUTOVER_PID"
}
stop_cutover() {  # LOGFILE
  local rc=0
  stop_pid "$CUTOVER_PID" TERM 60 || rc=$?
  CUTOVER_PID=""
  (( rc == 0 )) || { log "cutover exited with $rc; log tail:"; tail -15 "$1" >&2; exit 1; }
}
cutover_alive() {
  [[ -n "$CUTOVER_PID" ]] && kill -0 "$CUTOVER_PID" 2>/dev/null &&
    [[ "$(awk '{print $3}' "/proc/$CUTOVER_PID/stat" 2>/dev/null || echo Z)" != Z ]]
}

cutover_loaded() {  # LOGFILE TARGET TASK: all tables in table_state and CDC streaming
  cutover_alive || { log "cutover exited during the initial load:"; tail -15 "$1" >&2; exit 1; }
  [[ "$(q "$2" "select count(*) from cutover.table_state where task = '$3'" 2>/dev/null)" \
     == "${#TABLES[@]}" ]] && grep -q 'cdc started' "$1"
}
native_synced() {
  [[ "$(q "$TGT_N" "select count(*) filter (where srsubstate = 'r') || '/' || count(*)
                    from pg_subscription_rel")" == "${#TABLES[@]}/${#TABLES[@]}" ]]
}
native_stopped() {
  [[ "$(q "$TGT_N" "select count(*) from pg_stat_subscription where pid is not null")" == 0 ]]
}

# fingerprint URI -> counts and balance sums of the four tables
fingerprint() {
  q "$1" "select (select count(*) || ':' || sum(abalance) from pgbench_accounts) || ' ' ||
                 (select count(*) || ':' || sum(bbalance) from pgbench_branches) || ' ' ||
                 (select count(*) || ':' || sum(tbalance) from pgbench_tellers) || ' ' ||
                 (select count(*) || ':' || coalesce(sum(delta), 0) from pgbench_history)"
}

# drain TOOL RUN -> prints "data_seconds slot_seconds" (call in this shell, not in $(...))
drain() {
  local tool="$1" r="$2" tgt slot t0 t_data="" t_slot="" n deadline slot_deadline="" ok
  case "$tool" in
    cutover) tgt="$TGT_C"; slot="cutover_$TASK" ;;
    base) tgt="$TGT_B"; slot="cutover_${TASK}b" ;;
    *) tgt="$TGT_N"; slot=bench_sub ;;
  esac
  q "$SRC" "checkpoint"; q "$tgt" "checkpoint"
  observer_start "$OUT/observe-$tool-r$r.txt" "$SRC" "$tgt"
  cpu_mark "$OUT/cpu-$tool-r$r.start"
  t0=$(now)
  if [[ "$tool" != native ]]; then
    start_cutover cdc "$OUT/$tool-drain-r$r.log" "$tool"
  else
    q "$TGT_N" "alter subscription bench_sub enable"
  fi
  deadline=$(( $(date +%s) + DRAIN_TIMEOUT ))
  while :; do
    if [[ -z "$t_data" ]]; then
      n="$(q "$tgt" "select count(*) from pgbench_history" 2>/dev/null || echo -1)"
      if [[ "$n" == "$N" ]]; then
        t_data=$(now)
        cpu_mark "$OUT/cpu-$tool-r$r.end"
        slot_deadline=$(( $(date +%s) + SLOT_GRACE ))
      fi
    fi
    if [[ -z "$t_slot" ]]; then
      ok="$(q "$SRC" "select confirmed_flush_lsn >= '$L'::pg_lsn from pg_replication_slots
                      where slot_name = '$slot'" 2>/dev/null || true)"
      [[ "$ok" == t ]] && t_slot=$(now)
    fi
    [[ -n "$t_data" && -n "$t_slot" ]] && break
    if [[ -n "$slot_deadline" ]] && (( $(date +%s) >= slot_deadline )); then break; fi
    if (( $(date +%s) >= deadline )); then break; fi
    if [[ "$tool" != native ]] && ! cutover_alive; then break; fi
    sleep 0.1
  done
  observer_stop
  if [[ "$tool" != native ]]; then
    stop_cutover "$OUT/$tool-drain-r$r.log"
  fi
  if [[ -z "$t_data" ]]; then
    log "$tool run $r: target history count $n never reached $N within ${DRAIN_TIMEOUT}s"
    [[ "$tool" != native ]] && tail -15 "$OUT/$tool-drain-r$r.log" >&2
    exit 1
  fi
  echo "$(elapsed "$t0" "$t_data") $([[ -n "$t_slot" ]] && elapsed "$t0" "$t_slot" || echo "nan")"
}

printf 'run\tfirst\tbacklog_txns\tsource_tps\tcutover_s\tnative_s\tcutover_txn_s\tnative_txn_s\tratio\tcutover_slot_s\tnative_slot_s\tbase_s\tbase_ratio\n' \
  >"$OUT/runs.tsv"
CUT=(); NAT=(); RAT=(); BAS=(); BRAT=()
for r in $(seq 1 "$RUNS"); do
  log "run $r: starting servers"
  bench_start_server SRC "$TAG-r$r-src"
  bench_start_server TGT_C "$TAG-r$r-tgtc"
  bench_start_server TGT_N "$TAG-r$r-tgtn"
  [[ -n "$CUTOVER_BASE" ]] && bench_start_server TGT_B "$TAG-r$r-tgtb"

  log "run $r: pgbench -i -s $SCALE on source, history primary key"
  timeout 900 "$PGBENCH" -i -s "$SCALE" -q "$SRC" >"$OUT/pgbench_init-r$r.log" 2>&1 ||
    die "pgbench -i failed: $(tail -5 "$OUT/pgbench_init-r$r.log")"
  q "$SRC" "alter table pgbench_history add column hid bigserial primary key"

  log "run $r: native initial sync"
  t0=$(now)
  dump_tables=()
  for t in "${TABLES[@]}"; do dump_tables+=(-t "$t"); done
  "$PG_DUMP" --schema-only --no-owner --no-acl "${dump_tables[@]}" -d "$SRC" \
    >"$OUT/schema-r$r.sql"
  PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$(conninfo "$TGT_N")" \
    -f "$OUT/schema-r$r.sql" >/dev/null
  q "$SRC" "create publication bench_pub for table $(IFS=,; echo "${TABLES[*]}")"
  SRC_CONN="$(sed -E 's#^postgresql://([^:]+):([^@]+)@([^:]+):([0-9]+)/(.*)$#host=\3 port=\4 user=\1 password=\2 dbname=\5#' <<<"$SRC")"
  q "$TGT_N" "create subscription bench_sub connection '$SRC_CONN' publication bench_pub
              with (copy_data = true)"
  wait_until "$LOAD_TIMEOUT" "native initial sync" native_synced
  q "$TGT_N" "alter subscription bench_sub disable"
  wait_until 60 "native apply worker to stop" native_stopped
  log "run $r: native initial sync took $(elapsed "$t0" "$(now)") s"

  log "run $r: cutover initial load"
  t0=$(now)
  "$CUTOVER" -q task drop --source "$SRC" --target "$TGT_C" --task "$TASK" >/dev/null 2>&1 || true
  start_cutover full-load-and-cdc "$OUT/cutover-load-r$r.log"
  wait_until "$LOAD_TIMEOUT" "cutover initial load" cutover_loaded "$OUT/cutover-load-r$r.log" "$TGT_C" "$TASK"
  stop_cutover "$OUT/cutover-load-r$r.log"
  log "run $r: cutover initial load + stop took $(elapsed "$t0" "$(now)") s"
  tgts=("$TGT_C" "$TGT_N")
  if [[ -n "$CUTOVER_BASE" ]]; then
    "$CUTOVER_BASE" -q task drop --source "$SRC" --target "$TGT_B" --task "${TASK}b" >/dev/null 2>&1 || true
    start_cutover full-load-and-cdc "$OUT/base-load-r$r.log" base
    wait_until "$LOAD_TIMEOUT" "base initial load" cutover_loaded "$OUT/base-load-r$r.log" "$TGT_B" "${TASK}b"
    stop_cutover "$OUT/base-load-r$r.log"
    tgts+=("$TGT_B")
  fi

  fp_src="$(fingerprint "$SRC")"
  for tgt in "${tgts[@]}"; do
    [[ "$(fingerprint "$tgt")" == "$fp_src" ]] || die "initial load mismatch on $tgt: $(fingerprint "$tgt") vs $fp_src"
  done

  log "run $r: backlog pgbench -n -c $CLIENTS -j 2 -t $TXNS_PER_CLIENT"
  timeout 1200 "$PGBENCH" -n -c "$CLIENTS" -j 2 -t "$TXNS_PER_CLIENT" "$SRC" \
    >"$OUT/pgbench_backlog-r$r.log" 2>&1 || die "pgbench failed: $(tail -5 "$OUT/pgbench_backlog-r$r.log")"
  src_tps="$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$OUT/pgbench_backlog-r$r.log" | head -1)"
  N="$(q "$SRC" "select count(*) from pgbench_history")"
  L="$(q "$SRC" "select pg_current_wal_lsn()")"
  [[ "$N" == "$BACKLOG" ]] || die "source history has $N rows, expected $BACKLOG"
  wal_mb="$(q "$SRC" "select round(pg_wal_lsn_diff('$L', confirmed_flush_lsn) / 1048576.0, 1)
                      from pg_replication_slots where slot_name = 'cutover_$TASK'")"
  log "run $r: backlog $N txns at $src_tps tps, source at $L, $wal_mb MiB of WAL to decode"
  fp_src="$(fingerprint "$SRC")"

  # the order rotates per run
  k=$(( (r - 1) % ${#TOOLS[@]} ))
  order=("${TOOLS[@]:$k}" "${TOOLS[@]:0:$k}")
  declare -A D=() SL=()
  for tool in "${order[@]}"; do
    log "run $r: $tool drain"
    drain "$tool" "$r" >"$OUT/drain-$tool-r$r.txt"
    read -r "D[$tool]" "SL[$tool]" <"$OUT/drain-$tool-r$r.txt"
    [[ -n "${D[$tool]:-}" ]] || die "$tool drain failed"
    tgt="$TGT_N"; [[ "$tool" == cutover ]] && tgt="$TGT_C"; [[ "$tool" == base ]] && tgt="$TGT_B"
    fp="$(fingerprint "$tgt")"
    [[ "$fp" == "$fp_src" ]] || die "$tool run $r: target differs after drain: $fp vs source $fp_src"
    log "run $r: $tool drained $N txns in ${D[$tool]} s ($(div "$N" "${D[$tool]}") txn/s; slot confirmed after ${SL[$tool]} s); target verified"
    cpu_report "$OUT/cpu-$tool-r$r.start" "$OUT/cpu-$tool-r$r.end" >"$OUT/cpu-$tool-r$r.txt"
    log "run $r: $tool CPU seconds during the drain (on CPU, waiting for a CPU, role):"
    sed 's/^/    /' "$OUT/cpu-$tool-r$r.txt" >&2
  done
  ckpt="$(q "$TGT_C" "select position from cutover.checkpoint where task = '$TASK'")"
  log "run $r: cutover checkpoint $ckpt (source pg_current_wal_lsn after backlog $L)"
  grep -E 'done:' "$OUT/cutover-drain-r$r.log" >&2 || true

  CUT+=("${D[cutover]}"); NAT+=("${D[native]}")
  RAT+=("$(ratio "${D[native]}" "${D[cutover]}")")
  if [[ -n "$CUTOVER_BASE" ]]; then
    BAS+=("${D[base]}"); BRAT+=("$(ratio "${D[native]}" "${D[base]}")")
    grep -E 'done:' "$OUT/base-drain-r$r.log" >&2 || true
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${order[0]}" "$N" "$src_tps" \
    "${D[cutover]}" "${D[native]}" "$(div "$N" "${D[cutover]}")" "$(div "$N" "${D[native]}")" \
    "${RAT[-1]}" "${SL[cutover]}" "${SL[native]}" "${D[base]:-}" "$( ((${#BRAT[@]})) && echo "${BRAT[-1]}")" | tee -a "$OUT/runs.tsv"

  bench_stop_server "$TAG-r$r-src"; bench_stop_server "$TAG-r$r-tgtc"; bench_stop_server "$TAG-r$r-tgtn"
  [[ -n "$CUTOVER_BASE" ]] && bench_stop_server "$TAG-r$r-tgtb"
done

mc="$(median "${CUT[@]}")"; mn="$(median "${NAT[@]}")"
{
  [[ -n "$CUTOVER_ARGS" ]] && echo "cutover extra options: $CUTOVER_ARGS"
  echo "backlog: $BACKLOG pgbench tpcb-like txns (scale $SCALE, -c $CLIENTS -j 2 -t $TXNS_PER_CLIENT), runs $RUNS"
  echo "cutover median drain: $mc s  = $(div "$BACKLOG" "$mc") txn/s"
  echo "native  median drain: $mn s  = $(div "$BACKLOG" "$mn") txn/s"
  echo "ratio cutover/native (txn/s of medians): $(ratio "$mn" "$mc")"
  echo "ratio cutover/native (median of per-run ratios): $(median "${RAT[@]}")"
  if [[ -n "$CUTOVER_BASE" ]]; then
    mb="$(median "${BAS[@]}")"
    echo "base    median drain: $mb s  = $(div "$BACKLOG" "$mb") txn/s (binary $CUTOVER_BASE${CUTOVER_BASE_ENV:+, environment $CUTOVER_BASE_ENV})"
    echo "ratio base/native (txn/s of medians): $(ratio "$mn" "$mb"); median of per-run ratios: $(median "${BRAT[@]}")"
    echo "ratio cutover/base (txn/s of medians): $(ratio "$mb" "$mc")"
  fi
  for tool in "${TOOLS[@]}"; do
    echo "$tool: median CPU seconds by role over the $RUNS drain(s) (on CPU, waiting for a CPU):"
    cat "$OUT"/cpu-"$tool"-r*.txt | awk '{ r = $3; for (i = 4; i <= NF; ++i) r = r " " $i
        c[r] = c[r] " " $1; w[r] = w[r] " " $2 }
      function med(list,   v, n, i, j, x) { n = split(list, v, " ")
        for (i = 2; i <= n; ++i) { x = v[i] + 0; for (j = i - 1; j > 0 && v[j] + 0 > x; --j) v[j + 1] = v[j]; v[j + 1] = x }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
      END { for (r in c) printf "  %7.2f %7.2f  %s\n", med(c[r]), med(w[r]), r }' | sort -k1,1gr
  done
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
