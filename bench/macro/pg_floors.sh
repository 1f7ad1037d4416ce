#!/usr/bin/env bash
# Physical floors of PostgreSQL -> PostgreSQL on this machine: how fast the two servers alone can
# do what cutover and its peers do, so that a target ratio (issue 14: switch-ready 1.5x pgcopydb;
# issue 18: drain 3x native logical replication) can be checked against what is possible.
#
#   bench/macro/pg_floors.sh                     # PARTS="copy drain" RUNS=3 SCALE=20 PARALLEL=4
#   PARTS=copy bench/macro/pg_floors.sh          # only the load floors
#
# copy (same servers and data as pg_switch_ready.sh: pgbench -i -s $SCALE plus secondary
# indexes accounts(bid), accounts(abalance), tellers(bid) and foreign keys accounts.bid and
# tellers.bid -> branches). Each tool loads the three keyed tables into a fresh database:
#   pipe-text            tables from `pg_dump --section=pre-data`, then per table, all at once:
#                        psql -c "COPY t TO STDOUT" | psql -c "COPY t FROM STDIN"
#   pipe-binary          the same with (FORMAT binary) on both sides
#   pipe-text-freeze     TRUNCATE and COPY ... (FREEZE) in one target transaction
#   pipe-binary-freeze   both
#   then (every pipe-*): the primary keys and indexes, $PARALLEL sessions at once
#   (maintenance_work_mem $MWM, as cutover's index sessions), then the two foreign keys.
#   cutover              replicate + switch, exactly as pg_switch_ready.sh times it
#   cutover@NAME         the same with the environment variables in $CUTOVER_ENV_NAME
#                        ("VAR=value ..."): A/B variants of one binary in the same run
#   pgcopydb             clone --table-jobs $PARALLEL --index-jobs $PARALLEL, as pg_switch_ready.sh
# Reported per pipe-* run: the COPY seconds and the total (COPY + indexes + foreign keys).
# Every run is verified (row counts, indexes, validated foreign keys), runs rotate the order.
#
# drain (fresh servers, same backlog as pg_cdc_drain.sh: pgbench -i -s $SCALE, history keyed,
# then CLIENTS x TXNS_PER_CLIENT tpcb-like transactions while nobody consumes). Consumers of the
# same backlog, one after the other, each from its own slot created before the backlog:
#   decode-sql    SELECT count(*) FROM pg_logical_slot_get_binary_changes(slot, <LSN after the
#                 backlog>, NULL, proto_version 1, the publication): pgoutput decoding and
#                 encoding inside one backend, nothing sent: the floor of any pgoutput consumer
#   decode-recv   pg_recvlogical --plugin pgoutput (proto_version 1, the publication) to
#                 /dev/null, --endpos the source's LSN after the backlog: the walsender's
#                 decode-and-send cost with a consumer that does nothing
#   native        native logical replication (subscription enabled; until the history count
#                 matches), as pg_cdc_drain.sh
#   cutover       replicate --type cdc (until the history count matches), as pg_cdc_drain.sh
# One backlog per run (RUNS runs, fresh servers each).
#
# Output: per-run lines and medians; logs and runs-*.tsv under $OUT.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PARTS="${PARTS:-copy drain}"
PARALLEL="${PARALLEL:-4}"
MWM="${MWM:-256MB}"
COPY_TOOLS="${COPY_TOOLS:-pipe-text pipe-binary pipe-text-freeze pipe-binary-freeze cutover pgcopydb}"
CLIENTS="${CLIENTS:-4}"
TXNS_PER_CLIENT="${TXNS_PER_CLIENT:-22500}"
TOOL_TIMEOUT="${TOOL_TIMEOUT:-900}"
OUT="${OUT:-$BENCH_ROOT/bench/out/floors-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bfl-$$"
TABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers)
PG_RECVLOGICAL="${PG_RECVLOGICAL:-$PG_BIN/pg_recvlogical}"

bench_traps
bench_preflight
mkdir -p "$OUT"
bench_pin_binary "$OUT"
machine_info >"$OUT/machine.txt"

# psql on a server we started, through its socket, with extra arguments
psql_to() {  # URI ARGS...
  local uri="$1"; shift
  PGOPTIONS="-c client_min_messages=warning ${PGOPTIONS_EXTRA:-}" "$PSQL" -X -q -v ON_ERROR_STOP=1 \
    -d "$(conninfo "$uri")" "$@"
}

# ------------------------------------------------------------------------------------ copy
copy_part() {
  command -v pgcopydb >/dev/null || die "pgcopydb not installed (apt-get install pgcopydb)"
  bench_start_server SRC "$TAG-src"
  bench_start_server TGT "$TAG-tgt"
  log "copy: source ${SRC##*@}, target ${TGT##*@}"
  timeout 900 "$PGBENCH" -i -s "$SCALE" -q "$SRC" >"$OUT/pgbench_init.log" 2>&1 ||
    die "pgbench -i failed: $(tail -5 "$OUT/pgbench_init.log")"
  # the same schema additions as pg_switch_ready.sh
  q "$SRC" "create index accounts_bid on pgbench_accounts (bid)" \
    "create index accounts_abalance on pgbench_accounts (abalance)" \
    "create index tellers_bid on pgbench_tellers (bid)" \
    "alter table pgbench_accounts add constraint accounts_bid_fkey foreign key (bid) references pgbench_branches" \
    "alter table pgbench_tellers add constraint tellers_bid_fkey foreign key (bid) references pgbench_branches" \
    "vacuum analyze"
  local dump_tables=() t
  for t in "${TABLES[@]}"; do dump_tables+=(-t "$t"); done
  "$PG_DUMP" --section=pre-data --no-owner --no-acl "${dump_tables[@]}" -d "$(conninfo "$SRC")" \
    >"$OUT/pre-data.sql"
  # The post-data statements, one per line, as pg_dump writes them (keys and indexes; the
  # foreign keys after them).
  "$PG_DUMP" --section=post-data --no-owner --no-acl "${dump_tables[@]}" -d "$(conninfo "$SRC")" |
    grep -v -e '^--' -e '^\\' | tr '\n' ' ' | sed 's/;/;\n/g' | sed 's/^ *//' | grep -v '^$' |
    grep -v '^SET \|^SELECT ' >"$OUT/post-data.sql"
  grep -v 'FOREIGN KEY' "$OUT/post-data.sql" >"$OUT/indexes.sql"
  grep 'FOREIGN KEY' "$OUT/post-data.sql" >"$OUT/fkeys.sql"
  log "copy: $(wc -l <"$OUT/indexes.sql") key/index statements, $(wc -l <"$OUT/fkeys.sql") foreign keys"

  SCHEMA_COUNTS="select (select count(*) from pg_indexes where schemaname = 'public' and tablename <> 'pgbench_history') || '/' || (select count(*) from pg_constraint where contype = 'f' and convalidated and connamespace = 'public'::regnamespace)"
  EXPECT_SCHEMA="$(q "$SRC" "$SCHEMA_COUNTS")"
  declare -gA EXPECT=()
  TOTAL=0
  for t in "${TABLES[@]}"; do
    EXPECT[$t]="$(q "$SRC" "select count(*) from $t")"
    TOTAL=$(( TOTAL + EXPECT[$t] ))
  done
  FILTER="$OUT/pgcopydb-filter.ini"
  { echo "[include-only-table]"; printf '%s\n' "${TABLES[@]}"; } >"$FILTER"

  local r tool res
  printf 'run\ttool\tcopy_s\ttotal_s\n' >"$OUT/runs-copy.tsv"
  declare -A COPY_S=() TOTAL_S=()
  read -r -a tools <<<"$COPY_TOOLS"
  for r in $(seq 1 "$RUNS"); do
    local k=$(( (r - 1) % ${#tools[@]} ))
    local order=("${tools[@]:$k}" "${tools[@]:0:$k}")
    for tool in "${order[@]}"; do
      log "copy run $r: $tool"
      res="$(copy_tool "$tool" "$r")" || die "copy run $r: $tool failed"
      COPY_S[$tool]+="${res% *} "; TOTAL_S[$tool]+="${res#* } "
      printf '%s\t%s\t%s\t%s\n' "$r" "$tool" "${res% *}" "${res#* }" | tee -a "$OUT/runs-copy.tsv"
    done
  done
  local mp
  # shellcheck disable=SC2086
  mp="$(median ${TOTAL_S[pgcopydb]:-0})"
  {
    echo "copy: rows $TOTAL (scale $SCALE), indexes/foreign keys $EXPECT_SCHEMA, parallel $PARALLEL, maintenance_work_mem $MWM (pipe-*), runs $RUNS"
    for tool in "${tools[@]}"; do
      # shellcheck disable=SC2086
      echo "$tool: copy median $(median ${COPY_S[$tool]}) s; total median $(median ${TOTAL_S[$tool]}) s (runs: ${TOTAL_S[$tool]}); pgcopydb/this $(ratio "$mp" "$(median ${TOTAL_S[$tool]})")"
    done
  } | tee "$OUT/summary-copy.txt"
  bench_stop_server "$TAG-src"; bench_stop_server "$TAG-tgt"
}

verify_copy() {  # DB_URI
  local t n
  for t in "${TABLES[@]}"; do
    n="$(q "$1" "select count(*) from $t")" || return 1
    [[ "$n" == "${EXPECT[$t]}" ]] || { log "verify: $t has $n rows, expected ${EXPECT[$t]}"; return 1; }
  done
  n="$(q "$1" "$SCHEMA_COUNTS")"
  [[ "$n" == "$EXPECT_SCHEMA" ]] || { log "verify: indexes/fks $n, expected $EXPECT_SCHEMA"; return 1; }
}

# One table through a psql pipe: FMT text|binary, FREEZE 0|1.
pipe_table() {  # URI TABLE FMT FREEZE
  local uri="$1" t="$2" fmt="$3" freeze="$4" opts=() before=() after=()
  [[ "$fmt" == binary ]] && opts+=("FORMAT binary")
  if [[ "$freeze" == 1 ]]; then
    opts+=("FREEZE")
    before=(-c "BEGIN" -c "TRUNCATE $t")
    after=(-c "COMMIT")
  fi
  local o=""
  (( ${#opts[@]} )) && o=" ($(IFS=,; echo "${opts[*]}"))"
  local src_o=""
  [[ "$fmt" == binary ]] && src_o=" (FORMAT binary)"
  psql_to "$SRC" -c "COPY $t TO STDOUT$src_o" |
    psql_to "$uri" "${before[@]}" -c "COPY $t FROM STDIN$o" "${after[@]}"
}

# Runs the statements of FILE (one per line) on JOBS sessions at once.
run_parallel() {  # URI FILE JOBS
  local uri="$1" file="$2" jobs="$3" pids=() i=0 line rc=0
  local -a lines=()
  mapfile -t lines <"$file"
  for (( i = 0; i < jobs && i < ${#lines[@]}; i++ )); do
    (
      for (( j = i; j < ${#lines[@]}; j += jobs )); do
        PGOPTIONS_EXTRA="-c maintenance_work_mem=$MWM" psql_to "$uri" -c "${lines[$j]}" || exit 1
      done
    ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return "$rc"
}

copy_tool() {  # TOOL RUN -> prints "copy_seconds total_seconds"
  local tool="$1" r="$2" db uri t0 t1 t2 rc=0 t pids=()
  db="$(echo "fl_${tool}_r$r" | tr -c 'a-z0-9_\n' _)"
  q "$TGT" "drop database if exists $db with (force)" "create database $db"
  uri="$(db_uri "$TGT" "$db")"
  case "$tool" in
    pipe-*)
      psql_to "$uri" -f "$OUT/pre-data.sql" >/dev/null
      local fmt=text freeze=0
      [[ "$tool" == *binary* ]] && fmt=binary
      [[ "$tool" == *freeze* ]] && freeze=1
      q "$SRC" "checkpoint"; q "$TGT" "checkpoint"
      t0=$(now)
      for t in "${TABLES[@]}"; do
        pipe_table "$uri" "$t" "$fmt" "$freeze" >/dev/null &
        pids+=($!)
      done
      for p in "${pids[@]}"; do wait "$p" || rc=1; done
      t1=$(now)
      (( rc == 0 )) || { log "$tool: COPY failed"; return 1; }
      run_parallel "$uri" "$OUT/indexes.sql" "$PARALLEL" || { log "$tool: indexes failed"; return 1; }
      run_parallel "$uri" "$OUT/fkeys.sql" "$PARALLEL" || { log "$tool: foreign keys failed"; return 1; }
      t2=$(now)
      ;;
    cutover|cutover@*)
      local targs=() pid envs=()
      for t in "${TABLES[@]}"; do targs+=(--tables "$t"); done
      if [[ "$tool" == cutover@* ]]; then  # a variant: its environment from CUTOVER_ENV_<name>
        local var="CUTOVER_ENV_${tool#cutover@}"
        read -r -a envs <<<"${!var:-}"
      fi
      q "$SRC" "checkpoint"; q "$TGT" "checkpoint"
      t0=$(now)
      env "${envs[@]}" "$CUTOVER" replicate --source "$SRC" --target "$uri" --task "bench_fl_r$r" \
        --parallel "$PARALLEL" "${targs[@]}" >"$OUT/$tool-r$r.log" 2>&1 &
      pid=$!
      bench_track_pid "$pid"
      wait_until "$TOOL_TIMEOUT" "cutover's foreign key validation" \
        grep -q "foreign keys validated" "$OUT/$tool-r$r.log"
      { timeout "$TOOL_TIMEOUT" env "${envs[@]}" "$CUTOVER" switch --source "$SRC" --target "$uri" \
        --task "bench_fl_r$r" --validate none --quiet-seconds 0.2 >"$OUT/$tool-switch-r$r.log" 2>&1 || rc=$?; }
      t2=$(now)
      stop_pid "$pid" TERM 20 >/dev/null 2>&1 || true
      "$CUTOVER" -q task drop --source "$SRC" --target "$uri" --task "bench_fl_r$r" \
        >>"$OUT/$tool-r$r.log" 2>&1 || true
      t1="$t2"
      ;;
    pgcopydb)
      rm -rf "$OUT/pgcopydb-r$r"
      q "$SRC" "checkpoint"; q "$TGT" "checkpoint"
      t0=$(now)
      timeout "$TOOL_TIMEOUT" pgcopydb clone --source "$SRC" --target "$uri" \
        --dir "$OUT/pgcopydb-r$r" --table-jobs "$PARALLEL" --index-jobs "$PARALLEL" \
        --no-owner --no-acl --skip-extensions --filters "$FILTER" \
        >"$OUT/pgcopydb-r$r.log" 2>&1 || rc=$?
      t2=$(now)
      t1="$t2"
      rm -rf "$OUT/pgcopydb-r$r"
      ;;
    *) die "unknown copy tool $tool" ;;
  esac
  (( rc == 0 )) || { log "$tool run $r FAILED (exit $rc)"; return 1; }
  verify_copy "$uri" || { log "$tool run $r: target verification FAILED"; return 1; }
  q "$TGT" "drop database $db with (force)"
  echo "$(elapsed "$t0" "$t1") $(elapsed "$t0" "$t2")"
}

# ------------------------------------------------------------------------------------ drain
drain_part() {
  local DTABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers public.pgbench_history)
  local backlog=$(( CLIENTS * TXNS_PER_CLIENT )) r t
  printf 'run\tbacklog_txns\twal_mib\tdecode_sql_s\tdecode_recvlogical_s\tnative_s\tcutover_s\tnative/decode_sql\tcutover/decode_sql\n' \
    >"$OUT/runs-drain.tsv"
  local SQLD=() DEC=() NAT=() CUT=()
  local targs=()
  for t in "${DTABLES[@]}"; do targs+=(--tables "$t"); done
  for r in $(seq 1 "$RUNS"); do
    bench_start_server SRC "$TAG-r$r-src"
    bench_start_server TGT_C "$TAG-r$r-tgtc"
    bench_start_server TGT_N "$TAG-r$r-tgtn"
    timeout 900 "$PGBENCH" -i -s "$SCALE" -q "$SRC" >"$OUT/drain-pgbench_init-r$r.log" 2>&1 ||
      die "pgbench -i failed"
    q "$SRC" "alter table pgbench_history add column hid bigserial primary key"
    # native: schema, publication, subscription synced then disabled
    local dump_tables=()
    for t in "${DTABLES[@]}"; do dump_tables+=(-t "$t"); done
    "$PG_DUMP" --schema-only --no-owner --no-acl "${dump_tables[@]}" -d "$(conninfo "$SRC")" >"$OUT/drain-schema-r$r.sql"
    psql_to "$TGT_N" -f "$OUT/drain-schema-r$r.sql" >/dev/null
    q "$SRC" "create publication bench_pub for table $(IFS=,; echo "${DTABLES[*]}")"
    local src_conn
    src_conn="$(sed -E 's#^postgresql://([^:]+):([^@]+)@([^:]+):([0-9]+)/(.*)$#host=\3 port=\4 user=\1 password=\2 dbname=\5#' <<<"$SRC")"
    q "$TGT_N" "create subscription bench_sub connection '$src_conn' publication bench_pub with (copy_data = true)"
    wait_until 600 "native initial sync" bash -c "[[ \"\$(PGOPTIONS= '$PSQL' -X -At -d '$(conninfo "$TGT_N")' -c \"select count(*) filter (where srsubstate = 'r') || '/' || count(*) from pg_subscription_rel\")\" == 4/4 ]]"
    q "$TGT_N" "alter subscription bench_sub disable"
    wait_until 60 "native apply worker to stop" bash -c "[[ \"\$('$PSQL' -X -At -d '$(conninfo "$TGT_N")' -c 'select count(*) from pg_stat_subscription where pid is not null')\" == 0 ]]"
    # cutover: initial load, then stopped
    "$CUTOVER" replicate --source "$SRC" --target "$TGT_C" --task bench --type full-load-and-cdc \
      "${targs[@]}" </dev/null >"$OUT/drain-cutover-load-r$r.log" 2>&1 &
    local cpid=$!
    bench_track_pid "$cpid"
    wait_until 600 "cutover initial load" grep -q 'cdc started' "$OUT/drain-cutover-load-r$r.log"
    stop_pid "$cpid" TERM 60 || die "cutover initial load exited badly"
    # decode-only consumer's slot, before the backlog
    q "$SRC" "select pg_create_logical_replication_slot('floor_decode', 'pgoutput')" \
      "select pg_create_logical_replication_slot('floor_sql', 'pgoutput')" >/dev/null
    timeout 1200 "$PGBENCH" -n -c "$CLIENTS" -j 2 -t "$TXNS_PER_CLIENT" "$SRC" \
      >"$OUT/drain-pgbench_backlog-r$r.log" 2>&1 || die "pgbench backlog failed"
    local N L wal
    N="$(q "$SRC" "select count(*) from pgbench_history")"
    L="$(q "$SRC" "select pg_current_wal_lsn()")"
    wal="$(q "$SRC" "select round(pg_wal_lsn_diff('$L', confirmed_flush_lsn) / 1048576.0, 1) from pg_replication_slots where slot_name = 'floor_decode'")"
    log "drain run $r: backlog $N txns, $wal MiB of WAL"
    q "$SRC" "checkpoint"
    # 0. decode only, inside one backend: pgoutput's output counted and discarded by SQL
    local t0 t1 d_sql d_dec d_nat d_cut msgs
    t0=$(now)
    msgs="$(q "$SRC" "select count(*) from pg_logical_slot_get_binary_changes('floor_sql', '$L', NULL,
                        'proto_version', '1', 'publication_names', 'bench_pub')")"
    t1=$(now); d_sql="$(elapsed "$t0" "$t1")"
    log "drain run $r: decode-sql $d_sql s ($msgs pgoutput messages)"
    # 1. decode and send to a consumer that discards it
    t0=$(now)
    timeout "$TOOL_TIMEOUT" "$PG_RECVLOGICAL" -d "$(conninfo "$SRC")" --slot floor_decode --start \
      --endpos "$L" -o proto_version=1 -o publication_names=bench_pub --no-loop -f /dev/null \
      2>"$OUT/drain-recvlogical-r$r.log" || die "pg_recvlogical failed: $(tail -3 "$OUT/drain-recvlogical-r$r.log")"
    t1=$(now); d_dec="$(elapsed "$t0" "$t1")"
    log "drain run $r: decode-recvlogical $d_dec s"
    # 2. native
    q "$TGT_N" "checkpoint"
    t0=$(now)
    q "$TGT_N" "alter subscription bench_sub enable"
    wait_until "$TOOL_TIMEOUT" "native drain" bash -c "[[ \"\$('$PSQL' -X -At -d '$(conninfo "$TGT_N")' -c 'select count(*) from pgbench_history')\" == $N ]]"
    t1=$(now); d_nat="$(elapsed "$t0" "$t1")"
    log "drain run $r: native $d_nat s"
    # 3. cutover
    q "$TGT_C" "checkpoint"
    t0=$(now)
    "$CUTOVER" replicate --source "$SRC" --target "$TGT_C" --task bench --type cdc \
      "${targs[@]}" </dev/null >"$OUT/drain-cutover-r$r.log" 2>&1 &
    cpid=$!
    bench_track_pid "$cpid"
    wait_until "$TOOL_TIMEOUT" "cutover drain" bash -c "[[ \"\$('$PSQL' -X -At -d '$(conninfo "$TGT_C")' -c 'select count(*) from pgbench_history')\" == $N ]]"
    t1=$(now); d_cut="$(elapsed "$t0" "$t1")"
    stop_pid "$cpid" TERM 60 || die "cutover drain exited badly"
    log "drain run $r: cutover $d_cut s"
    SQLD+=("$d_sql"); DEC+=("$d_dec"); NAT+=("$d_nat"); CUT+=("$d_cut")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$N" "$wal" "$d_sql" "$d_dec" "$d_nat" "$d_cut" \
      "$(ratio "$d_nat" "$d_sql")" "$(ratio "$d_cut" "$d_sql")" | tee -a "$OUT/runs-drain.tsv"
    bench_stop_server "$TAG-r$r-src"; bench_stop_server "$TAG-r$r-tgtc"; bench_stop_server "$TAG-r$r-tgtn"
  done
  local ms md mn mc
  ms="$(median "${SQLD[@]}")"; md="$(median "${DEC[@]}")"; mn="$(median "${NAT[@]}")"; mc="$(median "${CUT[@]}")"
  {
    echo "drain: backlog $backlog pgbench tpcb-like txns (scale $SCALE, -c $CLIENTS -t $TXNS_PER_CLIENT), runs $RUNS"
    echo "decode-only in one backend (pg_logical_slot_get_binary_changes, pgoutput) median: $ms s (runs: ${SQLD[*]})"
    echo "decode and send (pg_recvlogical pgoutput -> /dev/null) median: $md s (runs: ${DEC[*]})"
    echo "native logical replication median: $mn s (runs: ${NAT[*]})"
    echo "cutover median: $mc s (runs: ${CUT[*]})"
    echo "native/decode-only: $(ratio "$mn" "$ms"); cutover/decode-only: $(ratio "$mc" "$ms"); native/cutover: $(ratio "$mn" "$mc")"
    echo "upper bound of a drain speed-up over native with pgoutput decoding: $(ratio "$mn" "$ms")x"
  } | tee "$OUT/summary-drain.txt"
}

for part in $PARTS; do
  case "$part" in
    copy) copy_part ;;
    drain) drain_part ;;
    *) die "unknown part $part (copy, drain)" ;;
  esac
done
echo "output: $OUT"
