#!/usr/bin/env bash
# The README's main job: the quickstart scenario (scenarios/quickstart.toml) on throwaway servers.
#
# Installs what is missing, builds, then runs `cutover scenario run scenarios/quickstart.toml`:
# two PostgreSQL servers on free loopback ports, a full load of a small OLTP database while the
# application writes, CDC under load with one kill -9 of the engine and its restart, a drain,
# and the row-by-row validation. Prints the verdict and where the report is
# (reports/out/<UTC time>-quickstart/report.html); exits with the scenario's code (0 passed,
# 1 an expectation failed, 2 error). Servers are removed at the end, also on Ctrl-C.
# Extra arguments go to `scenario run` (e.g. --keep-servers, --out DIR).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "== installing dependencies (skipped when present) and building"
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
echo "== cutover scenario run scenarios/quickstart.toml"
exec build/cutover scenario run scenarios/quickstart.toml "$@"
