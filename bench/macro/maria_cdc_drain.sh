#!/usr/bin/env bash
# CDC drain macro benchmark MariaDB -> MariaDB: how fast cutover vs native MariaDB replication
# (parallel replication: NATIVE_THREADS=4 worker threads, NATIVE_MODE=optimistic) apply a backlog
# of sysbench oltp_write_only transactions that piled up while the replica was stopped.
#
#   bench/macro/maria_cdc_drain.sh   # RUNS=3 SB_TABLES=4 TABLE_SIZE=250000 EVENTS=80000 CLIENTS=4
#   NATIVE_THREADS=0 bench/macro/maria_cdc_drain.sh   # the replica with one SQL thread, as before
#
# Per run (fresh servers every run): one source, two targets (cutover's, and a native replica
# started with --server-id=2 --slave-parallel-threads=NATIVE_THREADS --slave-parallel-mode=NATIVE_MODE,
# by default 4 and optimistic as issue 18 asks); all from scripts/servers.sh (binlog ROW/FULL, 128 MiB
# buffer pool, otherwise stock: innodb_flush_log_at_trx_commit = 1).
#  1. source: `sysbench oltp_write_only prepare --create_secondary=off` (SB_TABLES x TABLE_SIZE;
#     primary key only: cutover creates no secondary index, so the replica has none either).
#  2. native: CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=..., MASTER_USER='cutover',
#     MASTER_PASSWORD=..., MASTER_USE_GTID=slave_pos; START SLAVE: the replica replays the
#     source's whole binlog (CREATE TABLEs and the prepare's INSERTs) until @@gtid_slave_pos =
#     the source's @@gtid_binlog_pos; then STOP SLAVE SQL_THREAD (NATIVE_STOP=sql, default: the
#     IO thread keeps copying the backlog into the relay log, so the timed drain is apply only)
#     or STOP SLAVE (NATIVE_STOP=all: the timed drain also fetches the binlog, as cutover does).
#     cutover: `replicate --type full-load-and-cdc --tables 'cutover.sbtest%'` until all tables
#     are in _cutover_table_state and the log says `cdc started`, then SIGTERM.
#  3. backlog: `sysbench oltp_write_only run --threads=CLIENTS --events=EVENTS --time=0` on the
#     source while neither replica applies; N = the number of GTIDs it added (each sysbench event
#     is one transaction: 2 UPDATEs, 1 DELETE, 1 INSERT), L = the source's @@gtid_binlog_pos.
#     With NATIVE_STOP=sql we wait until the replica's IO thread has L (Gtid_IO_Pos).
#     Both tools drain the *same* backlog, one after the other (order alternates per run).
#  4. timed drain: cutover: `replicate --type cdc` (start of clock = process launch; it resumes
#     from its _cutover_checkpoint GTID); native: START SLAVE SQL_THREAD (or START SLAVE). End of
#     clock: the first 100 ms poll where the target's position equals L: the GTID state in
#     cutover's `_cutover_checkpoint` row (written in the same target transaction as the data)
#     and the replica's @@gtid_slave_pos (likewise).
#     Also recorded: the target's InnoDB fsyncs during the drain (Innodb_data_fsyncs).
#  5. verification: per table row count and content checksum (sb_fingerprint_maria) of both
#     targets equal the source's, after the initial sync and after each drain.
#
# Output: per-run lines on stdout, then medians and the ratio; logs and raw TSV under $OUT
# (default bench/out/maria_cdc_drain-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SB_TABLES="${SB_TABLES:-4}"
TABLE_SIZE="${TABLE_SIZE:-250000}"
EVENTS="${EVENTS:-80000}"
CLIENTS="${CLIENTS:-4}"
NATIVE_THREADS="${NATIVE_THREADS:-4}"      # replica slave_parallel_threads (0: one SQL thread)
NATIVE_MODE="${NATIVE_MODE:-optimistic}"   # replica slave_parallel_mode
NATIVE_STOP="${NATIVE_STOP:-sql}"      # sql: STOP SLAVE SQL_THREAD; all: STOP SLAVE
LOAD_TIMEOUT="${LOAD_TIMEOUT:-900}"    # initial sync of either tool
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-900}"  # one drain
CUTOVER_ARGS="${CUTOVER_ARGS:-}"       # extra cutover replicate options, e.g. "--apply-mode row"
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_cdc_drain-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bmcd-$$"
TASK=bench

[[ "$NATIVE_STOP" == sql || "$NATIVE_STOP" == all ]] || die "NATIVE_STOP must be sql or all, not '$NATIVE_STOP'"
[[ "$NATIVE_THREADS" =~ ^[0-9]+$ ]] || die "NATIVE_THREADS must be a number, not '$NATIVE_THREADS'"
[[ "$NATIVE_MODE" =~ ^(conservative|optimistic|aggressive|minimal|none)$ ]] ||
  die "NATIVE_MODE must be one of conservative, optimistic, aggressive, minimal, none; not '$NATIVE_MODE'"
bench_traps
[[ -x "$CUTOVER" ]] || die "$CUTOVER not found: build it (cmake --preset default && cmake --build --preset default)"
command -v "$SYSBENCH" >/dev/null || die "sysbench not found: scripts/install-deps.sh --bench"
mkdir -p "$OUT"
bench_pin_binary "$OUT"

CUTOVER_PID=""
start_cutover() {  # TYPE LOGFILE: starts cutover in the background, sets CUTOVER_PID
  # shellcheck disable=SC2086  # CUTOVER_ARGS is a word list on purpose
  "$CUTOVER" replicate --source "$SRC" --target "$TGT_C" --task "$TASK" --type "$1" \
    --tables 'cutover.sbtest%' ${CUTOVER_ARGS} </dev/null >"$2" 2>&1 &
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
cutover_loaded() {  # LOGFILE: all tables in _cutover_table_state and CDC streaming
  cutover_alive || { log "cutover exited during the initial load:"; tail -15 "$1" >&2; exit 1; }
  [[ "$(mq "$TGT_C" "select count(*) from _cutover_table_state where task = '$TASK'" 2>/dev/null)" \
     == "$SB_TABLES" ]] && grep -q 'cdc started' "$1"
}

# gtid_norm GTID_LIST: domain-sorted, so that two texts of the same state compare equal
gtid_norm() { tr ',' '\n' <<<"$1" | sed '/^$/d' | sort -t- -k1,1n | paste -sd, -; }
source_gtid() { gtid_norm "$(mq "$SRC" "select @@gtid_binlog_pos")"; }
native_gtid() { gtid_norm "$(mq "$TGT_N" "select @@gtid_slave_pos" 2>/dev/null || true)"; }
cutover_gtid() {  # the GTID state part of the checkpoint text "FILE:OFFSET GTID,GTID"
  local p
  p="$(mq "$TGT_C" "select position from _cutover_checkpoint where task = '$TASK'" 2>/dev/null || true)"
  [[ "$p" == *" "* ]] && gtid_norm "${p#* }"
  return 0
}
# slave_field NAME: one field of the replica's SHOW SLAVE STATUS
slave_field() { mq_vertical "$TGT_N" "show slave status" | sed -n "s/^ *$1: //p"; }
native_failed() {  # dies if the replica stopped on an error
  local err
  err="$(slave_field Last_SQL_Error)$(slave_field Last_IO_Error)"
  [[ -z "$err" ]] || die "native replica error: $err"
}
native_at() {  # GTID: replica applied up to GTID (initial sync: also checks for replica errors)
  [[ "$(native_gtid)" == "$1" ]] && return 0
  native_failed
  return 1
}
native_io_at() { [[ "$(gtid_norm "$(slave_field Gtid_IO_Pos)")" == "$1" ]]; }
native_sql_stopped() { [[ "$(slave_field Slave_SQL_Running)" == No ]]; }
gtid_seq() {  # GTID_LIST -> sequence number of domain 0 (servers.sh sources write domain 0 only)
  tr ',' '\n' <<<"$1" | awk -F- '$1 == 0 { print $3 }'
}

innodb_fsyncs() {  # URI: InnoDB fsyncs so far (data and redo log: MariaDB 10.11 counts both in
  # Innodb_data_fsyncs; with innodb_flush_log_at_trx_commit = 1 a commit costs at most one)
  local n
  n="$(mq "$1" "select variable_value from information_schema.global_status
                where variable_name = 'INNODB_DATA_FSYNCS'")"
  [[ "$n" =~ ^[0-9]+$ ]] || die "no Innodb_data_fsyncs on ${1##*@}"
  echo "$n"
}

# drain TOOL RUN -> prints "seconds innodb_fsyncs" (call in this shell, not in $(...))
drain() {
  local tool="$1" r="$2" tgt t0 t_end="" deadline polls=0 f0
  if [[ "$tool" == cutover ]]; then tgt="$TGT_C"; else tgt="$TGT_N"; fi
  maria_checkpoint "$SRC"; maria_checkpoint "$tgt"
  maria_observe "$OUT/observe-$tool-r$r.txt" "$SRC" "$tgt"
  f0="$(innodb_fsyncs "$tgt")"
  t0=$(now)
  if [[ "$tool" == cutover ]]; then
    start_cutover cdc "$OUT/cutover-drain-r$r.log"
  elif [[ "$NATIVE_STOP" == sql ]]; then
    mq "$TGT_N" "start slave sql_thread"
  else
    mq "$TGT_N" "start slave"
  fi
  deadline=$(( $(date +%s) + DRAIN_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    # one client process per poll for either tool; replica errors are looked at every ~2 s
    if [[ "$tool" == cutover ]]; then
      [[ "$(cutover_gtid)" == "$L" ]] && { t_end=$(now); break; }
      cutover_alive || break
    else
      [[ "$(native_gtid)" == "$L" ]] && { t_end=$(now); break; }
      (( ++polls % 20 )) || native_failed
    fi
    sleep 0.1
  done
  observer_stop
  if [[ "$tool" == cutover ]]; then
    stop_cutover "$OUT/cutover-drain-r$r.log"
  fi
  if [[ -z "$t_end" ]]; then
    log "$tool run $r: target never reached $L within ${DRAIN_TIMEOUT}s (cutover at" \
      "'$(cutover_gtid)', native at '$(native_gtid)')"
    [[ "$tool" == cutover ]] && tail -15 "$OUT/cutover-drain-r$r.log" >&2
    exit 1
  fi
  echo "$(elapsed "$t0" "$t_end") $(( $(innodb_fsyncs "$tgt") - f0 ))"
}

printf 'run\tfirst\tbacklog_txns\tbinlog_mib\tsource_tps\tcutover_s\tnative_s\tcutover_txn_s\tnative_txn_s\tratio\tcutover_fsyncs\tnative_fsyncs\n' \
  >"$OUT/runs.tsv"
CUT=(); NAT=(); RAT=(); BACKLOGS=()
for r in $(seq 1 "$RUNS"); do
  log "run $r: starting servers"
  bench_start_mariadb SRC "$TAG-r$r-src"
  bench_start_mariadb TGT_C "$TAG-r$r-tgtc"
  bench_start_mariadb TGT_N "$TAG-r$r-tgtn" --server-id=2 --slave-parallel-threads="$NATIVE_THREADS" \
    --slave-parallel-mode="$NATIVE_MODE"
  [[ "$(mq "$TGT_N" "select concat(@@slave_parallel_threads, ' ', @@slave_parallel_mode)")" == \
     "$NATIVE_THREADS $NATIVE_MODE" ]] || die "replica did not take slave_parallel_threads/mode"
  (( r == 1 )) && maria_machine_info "$SRC" >"$OUT/machine.txt"
  sysbench_cmd SB oltp_write_only "$SRC" "$SB_TABLES" "$TABLE_SIZE"

  log "run $r: sysbench prepare ($SB_TABLES x $TABLE_SIZE rows, no secondary index)"
  timeout 900 "${SB[@]}" --create_secondary=off prepare >"$OUT/sysbench_prepare-r$r.log" 2>&1 ||
    die "sysbench prepare failed: $(tail -5 "$OUT/sysbench_prepare-r$r.log")"
  G_LOADED="$(source_gtid)"

  log "run $r: native initial sync (replaying the source binlog up to $G_LOADED)"
  t0=$(now)
  [[ "$SRC" =~ ^mariadb://([^:@]+):([^@]*)@ ]] || die "source URI without user:password"
  mq "$TGT_N" "change master to master_host = '127.0.0.1', master_port = $(maria_port "$SRC"),
                 master_user = '${BASH_REMATCH[1]}', master_password = '${BASH_REMATCH[2]}',
                 master_use_gtid = slave_pos" \
     "start slave"
  wait_until "$LOAD_TIMEOUT" "native initial sync" native_at "$G_LOADED"
  if [[ "$NATIVE_STOP" == sql ]]; then mq "$TGT_N" "stop slave sql_thread"; else mq "$TGT_N" "stop slave"; fi
  wait_until 60 "native SQL thread to stop" native_sql_stopped
  log "run $r: native initial sync took $(elapsed "$t0" "$(now)") s"

  log "run $r: cutover initial load"
  t0=$(now)
  start_cutover full-load-and-cdc "$OUT/cutover-load-r$r.log"
  wait_until "$LOAD_TIMEOUT" "cutover initial load" cutover_loaded "$OUT/cutover-load-r$r.log"
  stop_cutover "$OUT/cutover-load-r$r.log"
  log "run $r: cutover initial load + stop took $(elapsed "$t0" "$(now)") s"

  fp_src="$(sb_fingerprint_maria "$SRC" "$SB_TABLES")"
  for tgt in "$TGT_C" "$TGT_N"; do
    fp="$(sb_fingerprint_maria "$tgt" "$SB_TABLES")"
    [[ "$fp" == "$fp_src" ]] || die "initial sync mismatch on ${tgt##*@}: $fp vs source $fp_src"
  done

  log "run $r: backlog sysbench oltp_write_only --threads=$CLIENTS --events=$EVENTS"
  B0="$(mq "$SRC" "show master status" | awk '{print $1 ":" $2}')"
  timeout 1800 "${SB[@]}" --threads="$CLIENTS" --events="$EVENTS" --time=0 --report-interval=0 run \
    >"$OUT/sysbench_backlog-r$r.log" 2>&1 ||
    die "sysbench run failed: $(tail -5 "$OUT/sysbench_backlog-r$r.log")"
  src_tps="$(sed -nE 's/^ *transactions: +[0-9]+ +\(([0-9.]+) per sec.*/\1/p' "$OUT/sysbench_backlog-r$r.log" | head -1)"
  L="$(source_gtid)"
  B1="$(mq "$SRC" "show master status" | awk '{print $1 ":" $2}')"
  N=$(( $(gtid_seq "$L") - $(gtid_seq "$G_LOADED") ))
  binlog_mib=nan
  [[ "${B0%%:*}" == "${B1%%:*}" ]] && binlog_mib="$(awk -v a="${B0#*:}" -v b="${B1#*:}" 'BEGIN { printf "%.1f", (b - a) / 1048576 }')"
  (( N >= EVENTS )) || die "backlog has $N transactions, expected at least $EVENTS"
  if [[ "$NATIVE_STOP" == sql ]]; then
    wait_until "$LOAD_TIMEOUT" "native IO thread to fetch the backlog" native_io_at "$L"
  fi
  log "run $r: backlog $N txns at $src_tps tps, $binlog_mib MiB of binlog, source at $L"
  fp_src="$(sb_fingerprint_maria "$SRC" "$SB_TABLES")"
  BACKLOGS+=("$N")

  if (( r % 2 )); then order=(cutover native); else order=(native cutover); fi
  declare -A D=() FS=()
  for tool in "${order[@]}"; do
    log "run $r: $tool drain"
    drain "$tool" "$r" >"$OUT/drain-$tool-r$r.txt"
    read -r "D[$tool]" "FS[$tool]" <"$OUT/drain-$tool-r$r.txt"
    [[ -n "${D[$tool]:-}" ]] || die "$tool drain failed"
    tgt="$TGT_N"; [[ "$tool" == cutover ]] && tgt="$TGT_C"
    fp="$(sb_fingerprint_maria "$tgt" "$SB_TABLES")"
    [[ "$fp" == "$fp_src" ]] || die "$tool run $r: target differs after drain: $fp vs source $fp_src"
    log "run $r: $tool drained $N txns in ${D[$tool]} s ($(div "$N" "${D[$tool]}") txn/s, ${FS[$tool]} InnoDB fsyncs on the target); target verified"
  done
  log "run $r: cutover checkpoint $(mq "$TGT_C" "select position from _cutover_checkpoint where task = '$TASK'")"
  grep -E 'done:' "$OUT/cutover-drain-r$r.log" >&2 || true

  CUT+=("${D[cutover]}"); NAT+=("${D[native]}")
  RAT+=("$(ratio "${D[native]}" "${D[cutover]}")")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "${order[0]}" "$N" "$binlog_mib" "$src_tps" \
    "${D[cutover]}" "${D[native]}" "$(div "$N" "${D[cutover]}")" "$(div "$N" "${D[native]}")" \
    "${RAT[-1]}" "${FS[cutover]}" "${FS[native]}" | tee -a "$OUT/runs.tsv"

  bench_stop_server "$TAG-r$r-src"; bench_stop_server "$TAG-r$r-tgtc"; bench_stop_server "$TAG-r$r-tgtn"
done

mc="$(median "${CUT[@]}")"; mn="$(median "${NAT[@]}")"; mb="$(median "${BACKLOGS[@]}")"; mb="${mb%.*}"
{
  [[ -n "$CUTOVER_ARGS" ]] && echo "cutover extra options: $CUTOVER_ARGS"
  echo "backlog: sysbench oltp_write_only --events=$EVENTS --threads=$CLIENTS ($SB_TABLES x $TABLE_SIZE rows; backlogs of ${BACKLOGS[*]} txns), native stop: $NATIVE_STOP, native slave_parallel_threads=$NATIVE_THREADS slave_parallel_mode=$NATIVE_MODE, runs $RUNS"
  echo "cutover median drain: $mc s  = $(div "$mb" "$mc") txn/s  (runs: ${CUT[*]})"
  echo "native  median drain: $mn s  = $(div "$mb" "$mn") txn/s  (runs: ${NAT[*]})"
  echo "ratio cutover/native (of the medians): $(ratio "$mn" "$mc")"
  echo "ratio cutover/native (median of per-run ratios): $(median "${RAT[@]}")  (per run: ${RAT[*]})"
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
