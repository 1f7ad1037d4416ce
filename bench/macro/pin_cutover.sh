#!/usr/bin/env bash
# Builds cutover from a committed revision into bench/out/pinned-<sha>/ and prints the binary's
# path, so a benchmark measures one known binary even while others rebuild ./build from
# uncommitted work:
#
#   CUTOVER="$(bench/macro/pin_cutover.sh)" bench/macro/pg_cdc_drain.sh      # HEAD
#   CUTOVER="$(bench/macro/pin_cutover.sh 896cf17)" bench/macro/pg_full_load.sh
#
# Same flags as the `default` CMake preset (RelWithDebInfo, Ninja). Only the cutover target is
# built. Reuses an existing pinned build of the same commit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REV="${1:-HEAD}"
SHA="$(git -C "$ROOT" rev-parse --verify "$REV^{commit}")"
DIR="$ROOT/bench/out/pinned-${SHA:0:12}"
if [[ ! -x "$DIR/build/cutover" ]]; then
  rm -rf "$DIR"
  mkdir -p "$DIR/src"
  git -C "$ROOT" archive "$SHA" | tar -x -C "$DIR/src"
  cmake -S "$DIR/src" -B "$DIR/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$DIR/configure.log" 2>&1 ||
    { tail -20 "$DIR/configure.log" >&2; exit 1; }
  timeout 1800 cmake --build "$DIR/build" --target cutover >"$DIR/build.log" 2>&1 ||
    { tail -30 "$DIR/build.log" >&2; exit 1; }
fi
echo "$DIR/build/cutover"
