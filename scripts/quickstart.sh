#!/usr/bin/env bash
# The README's main job: a PostgreSQL -> PostgreSQL rehearsal on throwaway servers.
#
# Installs what is missing, builds, starts a source and a target PostgreSQL (wal_level=logical)
# on free loopback ports, creates a small shop database on the source, then runs
# `cutover replicate` (full load, then CDC) while an application keeps writing; finally it stops
# the writes, waits for the target to catch up, stops the engine gracefully and proves that every
# table matches with an independent SQL fingerprint (count + md5 of all rows in key order) taken
# on both servers. Exit 0 only if they match. Servers are removed on exit.
#
# Environment: QUICKSTART_ROWS (orders on the source, default 200000), QUICKSTART_WRITE_SECONDS
# (how long the application writes during CDC, default 10).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
ROWS="${QUICKSTART_ROWS:-200000}"
WRITE_SECONDS="${QUICKSTART_WRITE_SECONDS:-10}"

say() { printf '\n== %s\n' "$*"; }

say "installing dependencies (skipped when present) and building"
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
CUTOVER="$ROOT/build/cutover"

export CUTOVER_SERVERS_DIR
CUTOVER_SERVERS_DIR="$(mktemp -d /tmp/cutover-quickstart-XXXXXX)"
chmod 755 "$CUTOVER_SERVERS_DIR"
ENGINE_PID=""
WORK="$(mktemp -d)"
cleanup() {
  set +e
  [[ -n "$ENGINE_PID" ]] && kill "$ENGINE_PID" 2>/dev/null && wait "$ENGINE_PID" 2>/dev/null
  bash "$ROOT/scripts/servers.sh" stop-all >/dev/null 2>&1
  rm -rf "$CUTOVER_SERVERS_DIR" "$WORK"
}
trap cleanup EXIT

say "starting throwaway PostgreSQL servers"
SRC="$(bash scripts/servers.sh start postgres source)"
TGT="$(bash scripts/servers.sh start postgres target)"
echo "source: ${SRC/:cutover@/:***@}"
echo "target: ${TGT/:cutover@/:***@}"

psql_src() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$SRC" "$@"; }
psql_tgt() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$TGT" "$@"; }

say "creating the shop database on the source ($ROWS orders)"
psql_src <<SQL
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id int PRIMARY KEY, email text NOT NULL, name text,
  created timestamptz NOT NULL, attrs jsonb, avatar bytea);
CREATE TABLE shop.products (sku uuid PRIMARY KEY, title text NOT NULL,
  price numeric(12,2) NOT NULL, tags text[]);
CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer int NOT NULL, placed timestamptz NOT NULL,
  total numeric(14,2), status text, note text);
INSERT INTO shop.customers SELECT g, 'user' || g || '@example.com',
  CASE WHEN g % 10 = 0 THEN NULL ELSE 'Customer ' || g END,
  '2024-01-01'::timestamptz + g * interval '1 minute', jsonb_build_object('tier', g % 3),
  CASE WHEN g % 7 = 0 THEN decode(md5(g::text), 'hex') END
FROM generate_series(1, 20000) g;
INSERT INTO shop.products SELECT md5('p' || g)::uuid, 'Product ' || g, (g % 500) + 0.99,
  ARRAY['tag' || (g % 5), 'x']
FROM generate_series(1, 2000) g;
INSERT INTO shop.orders SELECT g, 1 + g % 20000, '2024-06-01'::timestamptz + g * interval '1 second',
  (g % 1000) * 1.5, 'placed', CASE WHEN g % 3 = 0 THEN '' END
FROM generate_series(1, $ROWS) g;
ANALYZE;
SQL

say "replicating: full load, then change data capture"
"$CUTOVER" replicate --source "$SRC" --target "$TGT" --task quickstart --tables 'shop.%' \
  >"$WORK/engine.log" 2>&1 &
ENGINE_PID=$!
for _ in $(seq 1 600); do
  loaded="$(psql_tgt -c "SELECT count(*) FROM cutover.table_state WHERE task = 'quickstart'" 2>/dev/null || echo 0)"
  [[ "$loaded" == "3" ]] && break
  kill -0 "$ENGINE_PID" 2>/dev/null || { cat "$WORK/engine.log"; echo "engine exited early" >&2; exit 1; }
  sleep 0.2
done
grep -E 'loaded|full load' "$WORK/engine.log" | sed 's/^/  engine: /'

say "the application keeps writing for ${WRITE_SECONDS}s (inserts, updates, deletes)"
end=$((SECONDS + WRITE_SECONDS))
n=0
next_order=$((ROWS + 1))
while ((SECONDS < end)); do
  psql_src <<SQL
BEGIN;
INSERT INTO shop.orders SELECT g, 1 + g % 20000, now(), 42.50, 'placed', 'live'
  FROM generate_series($next_order, $((next_order + 49))) g;
UPDATE shop.orders SET status = 'shipped', total = total + 1 WHERE id % 997 = $((n % 997));
UPDATE shop.customers SET attrs = attrs || jsonb_build_object('seen', now()) WHERE id = $((n % 20000 + 1));
DELETE FROM shop.orders WHERE id = $((n * 13 % ROWS + 1));
COMMIT;
SQL
  next_order=$((next_order + 50))
  n=$((n + 1))
done
echo "  application committed $n transactions"

fingerprint() {
  "$1" -c "SELECT string_agg(fp, ' ' ORDER BY fp) FROM (
    SELECT 'customers=' || count(*) || ':' || md5(string_agg(t::text, E'\n' ORDER BY id)) AS fp FROM shop.customers t
    UNION ALL SELECT 'products=' || count(*) || ':' || md5(string_agg(t::text, E'\n' ORDER BY sku)) FROM shop.products t
    UNION ALL SELECT 'orders=' || count(*) || ':' || md5(string_agg(t::text, E'\n' ORDER BY id)) FROM shop.orders t) f"
}

say "waiting for the target to catch up"
match=""
for _ in $(seq 1 300); do
  a="$(fingerprint psql_src)"
  b="$(fingerprint psql_tgt)"
  if [[ "$a" == "$b" ]]; then match=yes; break; fi
  sleep 0.2
done
kill -TERM "$ENGINE_PID"
wait "$ENGINE_PID" || { cat "$WORK/engine.log"; echo "engine failed" >&2; exit 1; }
ENGINE_PID=""
tail -n 1 "$WORK/engine.log" | sed 's/^/  engine: /'

if [[ -z "$match" ]]; then
  echo "MISMATCH: source [$a] target [$b]" >&2
  exit 1
fi
say "source and target match"
tr ' ' '\n' <<<"$a" | sed 's/^/  /'
"$CUTOVER" -q task drop --source "$SRC" --target "$TGT" --task quickstart
echo "  (task dropped; servers are removed on exit)"
