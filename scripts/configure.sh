#!/usr/bin/env bash
# Configures one CMake preset the way the project's scripts build it:  configure.sh PRESET
#
# Design: the one place that turns CI=true into build settings, shared by build.sh, fuzz.sh and
# sanitize.sh. Under CI=true warnings are errors (CMake option CUTOVER_WERROR=ON) and configure
# output is dropped (compiler errors and warnings still show). Elsewhere the build tree keeps
# what it was configured with (default: warnings stay warnings, so work in progress compiles).
# CUTOVER_WERROR=ON|OFF in the environment sets it either way, e.g.
# `CUTOVER_WERROR=ON scripts/build.sh` builds as CI does, `CUTOVER_WERROR=OFF` switches back.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset="${1:?usage: configure.sh PRESET}"
args=(--preset "$preset")
werror="${CUTOVER_WERROR:-}"
[[ -z "$werror" && "${CI:-}" == "true" ]] && werror=ON
[[ -n "$werror" ]] && args+=("-DCUTOVER_WERROR=$werror")
# CI builds the default preset without debug info: nobody attaches a debugger to a CI run, and
# -g costs about 13% of the compile time on these 2 cores. CUTOVER_CI_DEBUG_INFO=1 keeps it.
if [[ "${CI:-}" == "true" && "$preset" == "default" && "${CUTOVER_CI_DEBUG_INFO:-}" != "1" ]]; then
  args+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
fi
# The fuzz tree (fuzz.sh and sanitize.sh) keeps line tables, so a sanitizer report still names
# file and line, but not full debug info, and builds at -O1: CI runs its fuzz targets for seconds
# and a few tests, so its build time is what counts.
if [[ "${CI:-}" == "true" && "$preset" == "fuzz" && "${CUTOVER_CI_DEBUG_INFO:-}" != "1" ]]; then
  args+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG")
fi
if [[ "${CI:-}" == "true" ]]; then
  cmake "${args[@]}" >/dev/null
else
  cmake "${args[@]}"
fi
