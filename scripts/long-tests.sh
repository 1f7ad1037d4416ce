#!/usr/bin/env bash
# The long loops that do not fit CI's budget, run before an issue about them is resolved:
#   kills     kill -9 of `cutover replicate` under a concurrent writer, CUTOVER_KILLS times per
#             engine pair (default 6: 54 kills over the nine pairs), each pair then checked
#             exactly-once against the source (tests/conformance/contract_test.cc,
#             KillNineUnderAConcurrentWriterIsExactlyOnce)
#   spool     the durable change spool (tests/integration/change_spool_test.cc): a 5-minute
#             target outage under load (CUTOVER_SPOOL_OUTAGE_SECONDS, default 300) and
#             CUTOVER_SPOOL_KILLS (default 30) kill -9 at random points; the kills loop above
#             goes through the spool too (it is on by default)
#   fuzz      every fuzz target for CUTOVER_FUZZ_SECONDS (default 600) each (scripts/fuzz.sh)
#   slow      the ctest cases CI leaves out to stay in its time budget: the default test preset's
#             exclude regex in CMakePresets.json (one place), e.g. the kill -9 variants of the
#             lakehouse zoo and the split load beyond the ones CI keeps, the 5M-row validation
# Usage: scripts/long-tests.sh [kills|spool|fuzz|slow ...]   (no argument: kills spool slow). Each loop is bounded
# in time (ctest timeouts; the fuzzers' -max_total_time). Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps=("$@")
[[ ${#steps[@]} -eq 0 ]] && steps=(kills spool slow)
for step in "${steps[@]}"; do
  case "$step" in
    kills)
      export CUTOVER_KILLS="${CUTOVER_KILLS:-6}"
      echo "long-tests: kill -9 x${CUTOVER_KILLS} per engine pair"
      build/tests/conformance_tests --gtest_filter='*KillNineUnderAConcurrentWriterIsExactlyOnce*' \
        2>&1 | grep -E '^\[ +(OK|FAILED|PASSED|measure) |across|Failure' ;
      [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "long-tests: kills failed" >&2; exit 1; }
      ;;
    spool)
      export CUTOVER_SPOOL_OUTAGE_SECONDS="${CUTOVER_SPOOL_OUTAGE_SECONDS:-300}"
      export CUTOVER_SPOOL_KILLS="${CUTOVER_SPOOL_KILLS:-30}"
      echo "long-tests: change spool: ${CUTOVER_SPOOL_OUTAGE_SECONDS} s target outage," \
        "${CUTOVER_SPOOL_KILLS} kills"
      build/tests/integration_tests --gtest_filter='ChangeSpoolPg.TargetDown*:ChangeSpoolPg.KillNine*' \
        2>&1 | grep -E '^\[ +(OK|FAILED|PASSED|measure) |Failure' ;
      [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "long-tests: spool failed" >&2; exit 1; }
      ;;
    fuzz) bash scripts/fuzz.sh "${CUTOVER_FUZZ_SECONDS:-600}" ;;
    slow)
      slow_regex="$(python3 -c 'import json,sys
presets = json.load(open("CMakePresets.json"))["testPresets"]
print(next(p for p in presets if p["name"] == "default")["filter"]["exclude"]["name"])')"
      echo "long-tests: the ctest cases CI leaves out"
      ctest --test-dir build -R "$slow_regex" --timeout 900 --output-on-failure \
        || { echo "long-tests: slow failed" >&2; exit 1; }
      ;;
    *) echo "long-tests: unknown step '$step' (expected kills, spool, fuzz or slow)" >&2; exit 2 ;;
  esac
done
echo "long-tests: all passed"
