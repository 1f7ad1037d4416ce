#!/usr/bin/env bash
# Installs the S3-compatible server the s3:// lakehouse tests start on loopback
# (tests/s3_server: s3rver from npm, version pinned in its package.json and package-lock.json,
# wrapped by s3_server.cjs) into tests/s3_server/node_modules.
#
# Design: Debian packages no S3 server, and npm's s3rver is a small pure-JavaScript one that
# installs from the npm registry with `npm ci`. Idempotent and cheap when nothing
# changed: `npm ci` runs only when node_modules is missing or older than the lock file. Needs
# node >= 18 and npm (installed by scripts/install-lakehouse-readers.sh, which runs first in
# scripts/install-deps.sh). Called by scripts/install-deps.sh and by the tests themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/s3_server"

quiet=false
[[ "${CI:-}" == "true" ]] && quiet=true
say() { $quiet || echo "install-s3-server: $*"; }

stamp=node_modules/.package-lock.json
if [[ -f $stamp && $stamp -nt package-lock.json && -d node_modules/s3rver ]]; then
  say "s3rver already installed"
  exit 0
fi
say "npm ci in $(pwd)"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
say "done"
