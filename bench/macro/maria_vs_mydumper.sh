#!/usr/bin/env bash
# Full-load macro benchmark MariaDB -> MariaDB: cutover `replicate --type full-load` vs
# `mydumper` + `myloader` (Debian's mydumper package: multi-threaded, chunked logical copy), at the
# same thread count.
#
#   bench/macro/maria_vs_mydumper.sh   # RUNS=3 SB_TABLES=4 TABLE_SIZE=500000 PARALLEL=4
#   SB_TABLES=4 TABLE_SIZE=2500000 bench/macro/maria_vs_mydumper.sh   # issue 18's 4 x 2.5M rows
#
# One source server gets `sysbench oltp_common prepare --tables=SB_TABLES --table-size=TABLE_SIZE
# --create_secondary=off` (sbtest1..N: id INT AUTO_INCREMENT PRIMARY KEY, k INT, c CHAR(120),
# pad CHAR(60); no k_1 index because cutover copies data and the primary key only). Every tool
# run copies the N tables into a freshly created, empty database on one target server (dropped
# after verification); InnoDB dirty pages of both servers are flushed before each run
# (maria_checkpoint). Runs alternate which tool goes first. Timed: the wall clock of
#
#   cutover:  replicate --type full-load --parallel PARALLEL --split-tables-larger-than SPLIT
#             --tables 'cutover.sbtest%'   (a table above SPLIT is loaded as PARALLEL key ranges)
#   mydumper: mydumper --threads PARALLEL --rows CHUNK_ROWS --trx-consistency-only -B cutover
#             -T sbtest1,... -o DIR, then myloader --threads PARALLEL -d DIR -s cutover -B <db>
#             (dump and load together: mydumper 0.10 cannot stream into myloader; the dump
#             directory lives in $OUT, on the same disk as the servers)
#
# Both tools connect over TCP to 127.0.0.1 as user cutover (mydumper/myloader through a
# --defaults-file). Differences that favour the peer, kept because they are its defaults:
# myloader turns the binary log off for its sessions (SET SQL_LOG_BIN=0), cutover's writes go to
# the target's binlog (servers.sh starts every MariaDB with --log-bin). MYLOADER_BINLOG=1 gives
# myloader --enable-binlog, so that both tools' writes are binlogged; CUTOVER_LOAD_BINLOG=off
# gives cutover --target-load-binlog off, so that neither tool's loaded rows are binlogged (the
# like-for-like comparison with myloader's default).
#
# Verified after each run: per table the row count and a content checksum (sb_fingerprint_maria)
# equal the source's, and every table has its primary key. Also recorded per run (GNU time): CPU
# seconds (user+sys) and peak RSS of cutover's process, and of mydumper + myloader.
#
# Output: a per-run line, medians and the ratio mydumper time / cutover time; logs, runs.tsv and
# resources.tsv under $OUT (default bench/out/maria_vs_mydumper-<timestamp>).
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SB_TABLES="${SB_TABLES:-4}"
TABLE_SIZE="${TABLE_SIZE:-500000}"
PARALLEL="${PARALLEL:-4}"
SPLIT="${SPLIT:-64MB}"
CHUNK_ROWS="${CHUNK_ROWS:-100000}"
MYLOADER_BINLOG="${MYLOADER_BINLOG:-0}"   # 1: myloader --enable-binlog (its writes binlogged, as cutover's)
CUTOVER_LOAD_BINLOG="${CUTOVER_LOAD_BINLOG:-on}"   # off: cutover --target-load-binlog off (as myloader's default)
[[ "$CUTOVER_LOAD_BINLOG" == on || "$CUTOVER_LOAD_BINLOG" == off ]] || die "CUTOVER_LOAD_BINLOG must be on or off"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-1800}"   # seconds, per tool run
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_vs_mydumper-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bmmd-$$"
TOTAL=$(( SB_TABLES * TABLE_SIZE ))

bench_traps
[[ -x "$CUTOVER" ]] || die "$CUTOVER not found: build it (cmake --preset default && cmake --build --preset default)"
for tool in "$SYSBENCH" mydumper myloader /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool not found: scripts/install-deps.sh --bench"
done
mkdir -p "$OUT"
bench_pin_binary "$OUT"

log "starting servers"
bench_start_mariadb SRC "$TAG-src"
bench_start_mariadb TGT "$TAG-tgt"
log "source ${SRC##*@}, target ${TGT##*@}"
{ maria_machine_info "$SRC"; echo "mydumper: $(mydumper --version 2>&1)"; echo "myloader: $(myloader --version 2>&1)"; } \
  >"$OUT/machine.txt"
maria_client_cnf "$OUT/src.cnf" "$SRC"
maria_client_cnf "$OUT/tgt.cnf" "$TGT"

sysbench_cmd SB oltp_common "$SRC" "$SB_TABLES" "$TABLE_SIZE"
log "sysbench prepare: $SB_TABLES x $TABLE_SIZE rows, no secondary index"
t0=$(now)
timeout 1800 "${SB[@]}" --create_secondary=off prepare >"$OUT/sysbench_prepare.log" 2>&1 ||
  die "sysbench prepare failed: $(tail -5 "$OUT/sysbench_prepare.log")"
log "sysbench prepare done in $(elapsed "$t0" "$(now)") s"

TABLES=()
for i in $(seq 1 "$SB_TABLES"); do TABLES+=("sbtest$i"); done
EXPECT="$(sb_fingerprint_maria "$SRC" "$SB_TABLES")"
for fp in $EXPECT; do
  [[ "${fp%%:*}" == "$TABLE_SIZE" ]] || die "source table has ${fp%%:*} rows, expected $TABLE_SIZE"
done
log "rows to copy: $TOTAL (${TABLES[*]}, $(mq "$SRC" "select round(sum(data_length) / 1048576)
  from information_schema.tables where table_schema = 'cutover' and table_name like 'sbtest%'") MiB of data);" \
  "source fingerprint $EXPECT"

verify() {  # DB_URI
  local fp n
  fp="$(sb_fingerprint_maria "$1" "$SB_TABLES")" || return 1
  [[ "$fp" == "$EXPECT" ]] || { log "verify: target fingerprint $fp, source $EXPECT"; return 1; }
  n="$(mq "$1" "select count(*) from information_schema.table_constraints
                where table_schema = database() and constraint_type = 'PRIMARY KEY'
                  and table_name like 'sbtest%'")"
  [[ "$n" == "$SB_TABLES" ]] || { log "verify: $n primary keys, expected $SB_TABLES"; return 1; }
}

printf 'run\ttool\tcpu_s\tpeak_rss_kb\n' >"$OUT/resources.tsv"
resources() {  # TOOL RUN TIMEFILE: CPU = sum of user+sys over the lines, RSS = max
  awk -v t="$1" -v r="$2" '{ c += $2 + $3; if ($4 > m) m = $4 }
    END { printf "%s\t%s\t%.2f\t%d\n", r, t, c, m }' "$3" >>"$OUT/resources.tsv"
}

run_tool() {  # TOOL RUN -> prints seconds
  local tool="$1" r="$2" db uri t0 t1 rc=0 tf
  db="${tool}_r$r"
  tf="$OUT/$tool-r$r.time"
  : >"$tf"
  mq "$TGT" "drop database if exists $db" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  maria_checkpoint "$SRC"
  maria_checkpoint "$TGT"
  maria_observe "$OUT/observe-$tool-r$r.txt" "$SRC" "$uri"
  case "$tool" in
    cutover)
      t0=$(now)
      timeout "$TOOL_TIMEOUT" /usr/bin/time -a -o "$tf" -f '%e %U %S %M' "$CUTOVER" replicate \
        --source "$SRC" --target "$uri" --task "bench_md_r$r" --type full-load \
        --parallel "$PARALLEL" --split-tables-larger-than "$SPLIT" --tables 'cutover.sbtest%' \
        --target-load-binlog "$CUTOVER_LOAD_BINLOG" </dev/null >"$OUT/cutover-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      ;;
    mydumper)
      rm -rf "$OUT/dump-r$r"
      t0=$(now)
      # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
      timeout "$TOOL_TIMEOUT" bash -c '
          set -e
          /usr/bin/time -a -o "$1" -f "%e %U %S %M" mydumper --defaults-file="$2" -B cutover \
            -T "$5" -o "$4" --threads "$6" --rows "$7" --trx-consistency-only -v 2
          /usr/bin/time -a -o "$1" -f "%e %U %S %M" myloader --defaults-file="$3" -d "$4" \
            -s cutover -B "$8" --threads "$6" -v 2 ${9:+--enable-binlog}' \
        _ "$tf" "$OUT/src.cnf" "$OUT/tgt.cnf" "$OUT/dump-r$r" "$(IFS=,; echo "${TABLES[*]}")" \
        "$PARALLEL" "$CHUNK_ROWS" "$db" "$([[ "$MYLOADER_BINLOG" == 1 ]] && echo 1)" </dev/null >"$OUT/mydumper-r$r.log" 2>&1 || rc=$?
      t1=$(now)
      du -sm "$OUT/dump-r$r" 2>/dev/null | awk '{ print "dump directory: " $1 " MiB" }' >>"$OUT/mydumper-r$r.log"
      rm -rf "$OUT/dump-r$r"
      ;;
  esac
  observer_stop
  if (( rc != 0 )); then
    log "$tool run $r FAILED (exit $rc); last lines of its log:"
    tail -15 "$OUT/$tool-r$r.log" >&2
    exit 1
  fi
  verify "$uri" || { log "$tool run $r: target verification FAILED"; exit 1; }
  resources "$tool" "$r" "$tf"
  if [[ "$tool" == cutover ]]; then
    "$CUTOVER" -q task drop --source "$SRC" --target "$uri" --task "bench_md_r$r" \
      >>"$OUT/cutover-r$r.log" 2>&1 || true
  fi
  mq "$TGT" "drop database $db"
  elapsed "$t0" "$t1"
}

compare_runs mydumper "$TOTAL" \
  "MariaDB -> MariaDB full load: $TOTAL rows (sysbench $SB_TABLES x $TABLE_SIZE, no secondary index), cutover --parallel $PARALLEL --split-tables-larger-than $SPLIT --target-load-binlog $CUTOVER_LOAD_BINLOG vs mydumper --threads $PARALLEL --rows $CHUNK_ROWS + myloader --threads $PARALLEL$([[ "$MYLOADER_BINLOG" == 1 ]] && echo " --enable-binlog")"
awk -F'\t' 'NR > 1 { c[$2] = c[$2] " " $3; m[$2] = m[$2] " " int($4 / 1024) }
  END { for (t in c) printf "%s: CPU s per run:%s; peak RSS MiB per run:%s\n", t, c[t], m[t] }' \
  "$OUT/resources.tsv" | sort | tee -a "$OUT/summary.txt"
