#!/usr/bin/env bash
# The project's test command: installs dependencies, builds, then runs every test with ctest.
#
# Design: each step is its own script so developers can run them separately; extra arguments
# are passed to `ctest --preset default` (e.g. `-L unit`, `-R ThrowawayServer`), and the exit
# code is ctest's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
rc=0
ctest --preset default "$@" || rc=$?
exit "$rc"
