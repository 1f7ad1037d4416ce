#!/usr/bin/env bash
# The project's test command: installs dependencies, builds, runs every test with ctest, then a
# short pass of every fuzz target.
#
# Design: each step is its own script so developers can run them separately; extra arguments
# are passed to `ctest --preset default` (e.g. `-L unit`, `-R ThrowawayServer`). Without
# arguments the fuzz targets then run for CUTOVER_FUZZ_SECONDS each (default 8: about a minute
# in all; scripts/fuzz.sh alone runs them 10 minutes each). The exit code is non-zero when ctest
# or a fuzz target failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
rc=0
ctest --preset default "$@" || rc=$?
if [[ $# -eq 0 && "${CUTOVER_FUZZ_SECONDS:-8}" != "0" ]]; then
  fuzz_rc=0
  bash scripts/fuzz.sh "${CUTOVER_FUZZ_SECONDS:-8}" || fuzz_rc=$?
  [[ $rc -eq 0 && $fuzz_rc -ne 0 ]] && rc=$fuzz_rc
fi
exit "$rc"
