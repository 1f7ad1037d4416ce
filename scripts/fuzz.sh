#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, CMake preset `fuzz`: clang, ASan + UBSan) and runs each
# for a bounded time.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 600 s each, every target
#
# Design: the committed corpus (fuzz/corpus/<target>/) is the seed and is never written; new
# inputs go to a work corpus under $CUTOVER_FUZZ_DIR (default /tmp/cutover-fuzz), kept between
# runs so a long local run builds on the last one. A crash, leak, timeout or sanitizer report
# stops that target, leaves the reproducer in $CUTOVER_FUZZ_DIR/<target>/artifacts/ and makes
# the script exit 1 after the other targets ran; replay it with
# `build-fuzz/fuzz/<target> FILE`, then pin it as a unit test. CI runs a short pass
# (.ci/run: a few seconds per target); a 10-minute run of each is the local command.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-600}"
shift || true
work="${CUTOVER_FUZZ_DIR:-/tmp/cutover-fuzz}"

bash scripts/configure.sh fuzz  # under CI=true: warnings are errors
cmake --build --preset fuzz

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi

failed=()
for t in "${targets[@]}"; do
  bin="build-fuzz/fuzz/$t"
  [[ -x "$bin" ]] || { echo "fuzz: no target $t (expected $bin)" >&2; exit 2; }
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  log="$work/$t/last.log"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory per input.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" "fuzz/corpus/$t" >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')"
    echo "fuzz: $t: ok, ${seconds}s, $runs inputs, coverage $cov"
  else
    echo "fuzz: $t: FAILED; reproducer in $work/$t/artifacts/, log $log" >&2
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -8 >&2 || true
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
