#!/usr/bin/env bash
# The two shape decisions of MariaSink, measured in plain SQL on one throwaway MariaDB:
#
#   1. primary key at CREATE TABLE (load in whatever order comes) vs key added after the load
#      (ALTER TABLE ... ADD PRIMARY KEY), for rows arriving in key order and in random order;
#   2. net-effect updates: multi-row INSERT ... ON DUPLICATE KEY UPDATE vs a multi-table UPDATE
#      joined to a UNION ALL derived table vs one UPDATE per row (all in one multi-statement
#      client packet stream), 1000 rows per statement, inside one transaction.
#
#   bench/macro/maria_sink_choices.sh          # ROWS=1000000 UPDATES=20000 RUNS=3
#
# Timed: wall clock of the mariadb client running the SQL (unix socket, as root). Prints medians.
set -euo pipefail
# shellcheck source=bench/macro/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROWS="${ROWS:-1000000}"
UPDATES="${UPDATES:-20000}"
OUT="${OUT:-$BENCH_ROOT/bench/out/maria_choices-$(date -u +%Y%m%dT%H%M%SZ)}"
TAG="bmc-$$"
MARIADB="${MARIADB:-mariadb}"

bench_traps
mkdir -p "$OUT"
machine_info >"$OUT/machine.txt"
BENCH_SERVERS+=("$TAG")
"$SERVERS" start mariadb "$TAG" >/dev/null || die "could not start MariaDB"
SOCK="$SERVERS_BASE/$TAG/mysqld.sock"
m() { "$MARIADB" --socket="$SOCK" -uroot --batch --skip-column-names --local-infile=1 cutover "$@"; }

log "generating $ROWS rows (key order and shuffled) and $UPDATES updates"
python3 - "$OUT" "$ROWS" "$UPDATES" <<'EOF'
import hashlib, random, sys
out, rows, updates = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ids = list(range(1, rows + 1))
def write(path, order):
    with open(path, "w") as f:
        for i in order:
            f.write("%d\t%d\t%s\n" % (i, i % 1000, hashlib.md5(str(i).encode()).hexdigest()))
write(out + "/seq.tsv", ids)
random.seed(1); shuffled = ids[:]; random.shuffle(shuffled)
write(out + "/rnd.tsv", shuffled)
random.seed(3); upd = random.sample(range(1, rows + 1), updates)
with open(out + "/iodku.sql", "w") as f:
    f.write("START TRANSACTION;\n")
    for b in range(0, len(upd), 1000):
        vals = ",".join("(%d,%d,'u%d')" % (i, -i, i) for i in upd[b:b + 1000])
        f.write("INSERT INTO t (id,k,filler) VALUES %s ON DUPLICATE KEY UPDATE k=VALUES(k), "
                "filler=VALUES(filler);\n" % vals)
    f.write("COMMIT;\n")
with open(out + "/join.sql", "w") as f:
    f.write("START TRANSACTION;\n")
    for b in range(0, len(upd), 1000):
        c = upd[b:b + 1000]
        sel = "SELECT %d AS p1, %d AS p2, 'v%d' AS p3" % (c[0], 2 * c[0], c[0])
        sel += "".join(" UNION ALL SELECT %d, %d, 'v%d'" % (i, 2 * i, i) for i in c[1:])
        f.write("UPDATE t AS t_ JOIN (%s) AS v_ ON t_.id = v_.p1 SET t_.k = v_.p2, "
                "t_.filler = v_.p3;\n" % sel)
    f.write("COMMIT;\n")
with open(out + "/row.sql", "w") as f:
    f.write("START TRANSACTION;\n")
    for i in upd:
        f.write("UPDATE t SET k=%d, filler='w%d' WHERE id=%d;\n" % (3 * i, i, i))
    f.write("COMMIT;\n")
EOF

timed() {  # prints seconds of "$@" (stdin passed through)
  local t0 t1
  t0=$(now); "$@" >/dev/null; t1=$(now)
  elapsed "$t0" "$t1"
}
ddl="create table t (id bigint not null, k int not null, filler longtext character set utf8mb4
     collate utf8mb4_nopad_bin) engine=InnoDB"
load() {  # FILE: one LOAD DATA in one transaction
  m -e "start transaction; load data local infile '$1' into table t character set utf8mb4; commit"
}

declare -A R=()
for r in $(seq 1 "$RUNS"); do
  for order in seq rnd; do
    m -e "drop table if exists t; ${ddl/not null, k/not null primary key, k}"
    s="$(timed load "$OUT/$order.tsv")"; R[pk_create_$order]+="$s "
    log "run $r $order: key at create $s s"
    m -e "drop table if exists t; $ddl"
    t0=$(now); load "$OUT/$order.tsv"; m -e "alter table t add primary key (id)"; t1=$(now)
    s="$(elapsed "$t0" "$t1")"; R[pk_after_$order]+="$s "
    log "run $r $order: key after load $s s"
  done
  for how in iodku join row; do
    s="$(timed m <"$OUT/$how.sql")"; R[upd_$how]+="$s "
    log "run $r: $UPDATES updates by $how $s s"
  done
done

# shellcheck disable=SC2086
{
  echo "rows $ROWS, updates $UPDATES (1000 per statement), runs $RUNS; medians:"
  for k in pk_create_seq pk_after_seq pk_create_rnd pk_after_rnd; do
    mk="$(median ${R[$k]})"; echo "load $k: $mk s = $(div "$ROWS" "$mk") rows/s"
  done
  for k in upd_iodku upd_join upd_row; do
    mk="$(median ${R[$k]})"; echo "$k: $mk s = $(div "$UPDATES" "$mk") rows/s"
  done
  echo "output: $OUT"
} | tee "$OUT/summary.txt"
