#!/usr/bin/env bash
# Configures and builds the project with the `default` CMake preset (Ninja, RelWithDebInfo,
# ./build).
#
# Design: works from any working directory (it changes to the repository root first); extra
# arguments go to `cmake --build`, e.g. `scripts/build.sh --target cutover`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "${CI:-}" == "true" ]]; then
  # Configure output is noise in CI; compiler errors and warnings still show.
  cmake --preset default >/dev/null
else
  cmake --preset default
fi
cmake --build --preset default "$@"
