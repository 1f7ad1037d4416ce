#!/usr/bin/env bash
# Installs the independent reader of the lakehouse tests: DuckDB from npm (@duckdb/node-api ships
# its engine as a prebuilt binary), into tests/lakehouse_readers/node_modules.
#
# Design: the lakehouse tests must check cutover's files with a reader that is not cutover's own
# code; Debian packages no DuckDB, so it comes from npm, pinned in tests/lakehouse_readers/
# package.json. Idempotent and cheap when already installed (CI runs it on every submission).
# Needs node and npm (Debian's nodejs, npm). The tests fail (never skip) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../tests/lakehouse_readers"
if node -e "import('@duckdb/node-api').then(()=>process.exit(0),()=>process.exit(1))" 2>/dev/null; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-duckdb-checker: npm is missing (Debian: apt-get install npm)" >&2
  exit 1
fi
npm install --no-audit --no-fund --loglevel=error >/dev/null
node -e "import('@duckdb/node-api').then(()=>console.log('install-duckdb-checker: DuckDB ready'))"
