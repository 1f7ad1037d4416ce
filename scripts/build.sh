#!/usr/bin/env bash
# Configures and builds the project with the `default` CMake preset (Ninja, RelWithDebInfo,
# ./build).
#
# Design: works from any working directory (it changes to the repository root first); extra
# arguments go to `cmake --build`, e.g. `scripts/build.sh --target cutover`. Under CI=true (or
# CUTOVER_WERROR=ON) a compiler warning fails the build (scripts/configure.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/configure.sh default  # under CI=true: warnings are errors
cmake --build --preset default "$@"
