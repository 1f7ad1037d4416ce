#!/usr/bin/env bash
# The project's test command: installs dependencies, checks formatting, builds (warnings are
# errors under CI=true), runs every test with ctest, a short pass of every fuzz target, and the
# unit tests plus a few integration tests under ASan/UBSan.
#
# Design: each step is its own script so developers can run them separately
# (check-format.sh, check-boundaries.sh (the engine boundary, docs/adding-an-engine.md),
# check-assess-coverage.sh (every assess check id in a test and docs/operations.md), build.sh,
# fuzz.sh, sanitize.sh); extra arguments are passed to
# `ctest --preset default` (e.g. `-L unit`, `-R ThrowawayServer`) and then only the build and
# ctest run. Without arguments: the format check of every tracked C++ file first (about a
# second), then the build and ctest, then the fuzz targets for CUTOVER_FUZZ_SECONDS each
# (default 5: about 35 s in all; 0 skips them; scripts/fuzz.sh alone runs them 10 minutes
# each), then scripts/sanitize.sh (CUTOVER_SANITIZE_TESTS=0 skips it). A failing step does not
# stop the later ones (a build failure does); the exit code is non-zero when any step failed,
# and the last line names the failed steps.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Each step's wall time is printed ("test: <step> took N s") so a slow CI run says where.
step() {
  local name="$1" start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  echo "test: $name took $((SECONDS - start)) s" >&2
  return "$rc"
}
step install-deps bash scripts/install-deps.sh
failed=()
if [[ $# -eq 0 ]]; then
  bash scripts/check-format.sh || failed+=(format)
  bash scripts/check-boundaries.sh || failed+=(boundaries)
  bash scripts/check-assess-coverage.sh || failed+=(assess-coverage)
fi
step build bash scripts/build.sh
step ctest ctest --preset default "$@" || failed+=(ctest)
if [[ $# -eq 0 ]]; then
  if [[ "${CUTOVER_FUZZ_SECONDS:-5}" != "0" ]]; then
    step fuzz bash scripts/fuzz.sh "${CUTOVER_FUZZ_SECONDS:-5}" || failed+=(fuzz)
  fi
  if [[ "${CUTOVER_SANITIZE_TESTS:-1}" != "0" ]]; then
    step sanitize bash scripts/sanitize.sh || failed+=(sanitize)
  fi
fi
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "test: failed: ${failed[*]}" >&2
  exit 1
fi
echo "test: all passed"
