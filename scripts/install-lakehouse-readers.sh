#!/usr/bin/env bash
# Installs the independent Parquet/CSV readers the lakehouse tests check cutover's files with
# (tests/lakehouse_readers: DuckDB's @duckdb/node-api and hyparquet, versions pinned in its
# package.json and package-lock.json) into tests/lakehouse_readers/node_modules.
#
# Design: idempotent and cheap when nothing changed: `npm ci` runs only when node_modules is
# missing or older than the lock file. Needs node >= 18 and npm (Debian's nodejs + npm are
# installed when no node is on the PATH). Called by scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/lakehouse_readers"

quiet=false
[[ "${CI:-}" == "true" ]] && quiet=true
say() { $quiet || echo "install-lakehouse-readers: $*"; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "installing Debian's nodejs and npm"
  sudo_cmd=()
  [[ $EUID -ne 0 ]] && sudo_cmd=(sudo -n)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends nodejs npm >/dev/null
fi

stamp=node_modules/.package-lock.json
if [[ -f $stamp && $stamp -nt package-lock.json && -d node_modules/@duckdb/node-api &&
      -d node_modules/hyparquet ]]; then
  say "readers already installed"
  exit 0
fi
say "npm ci in $(pwd)"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
say "done"
