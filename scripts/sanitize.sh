#!/usr/bin/env bash
# Runs the unit tests and a few integration tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang).
#
#   scripts/sanitize.sh                    unit tests + the integration tests listed below
#   scripts/sanitize.sh GTEST_FILTER       unit tests + the integration tests matching it
#   scripts/sanitize.sh --unit             unit tests only
#
# Design: builds in the fuzz preset's tree (build-fuzz/: clang, every library compiled with
# ASan/UBSan and -fno-sanitize-recover=undefined), so CI compiles the libraries the fuzz
# targets share once, and adds only the rest of the libraries, the `cutover` binary and the
# unit tests, linked normally (gtest's main, not libFuzzer's). The integration tests are the
# ordinary ones (build/, compiling them again instrumented would double this step's build time
# for test scaffolding only); CUTOVER_TEST_BINARY makes them run the instrumented `cutover` as
# their child process, so the engine is checked end to end against real servers, with the
# same SQL comparisons as in ctest. Every sanitizer report (from the unit tests or any
# `cutover` a test starts, leaks included) is written to a file under $CUTOVER_SANITIZE_DIR
# (default /tmp/cutover-sanitize), and any report fails the run even when the test that
# triggered it passed (a test expecting exit code 1 or 2 would otherwise hide a report).
# Exit code: 0 clean, 1 a test failed or a sanitizer reported, 2 bad usage or a listed
# integration test no longer exists.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The integration tests run here: few, quick, and together touching most engine code. Each
# pattern must match at least one test, so a renamed or removed test is noticed.
INTEGRATION_TESTS=(
  # PostgreSQL -> PostgreSQL: pgoutput decoding, spool, pipeline, both apply modes, every
  # CDC operation kind.
  'Modes/PgToPgApplyModes.CdcReplicatesEveryOperationKind/*'
  # MariaDB -> MariaDB: binlog transport, event and row-image decoding, aligned snapshots,
  # LOAD DATA and the multi-statement applier; full load, every operation, clean stop (so the
  # leak check runs).
  'MariaDbToMariaDb.FullLoadThenEveryOperationExact'
  # SQLite target: load, upserts, the checkpoint in the same transaction.
  'SqliteTarget.FromPostgresFullLoadAndCdcAreExact'
  # The SQLite source (capture triggers, polls) into PostgreSQL, and the validator on both.
  'SqliteSource.ToPostgresFullLoadCdcAndValidate'
  # PostgreSQL -> MariaDB, both apply modes: the MariaDB target's encoders on every CDC path.
  'Modes/PgToMariaApplyModes.*'
)

unit_only=false
patterns=("${INTEGRATION_TESTS[@]}")
case "${1:-}" in
  "") ;;
  --unit) unit_only=true ;;
  -h | --help)
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  -*)
    echo "sanitize: unknown option $1 (see --help)" >&2
    exit 2
    ;;
  *) patterns=("$1") ;;
esac

bash scripts/configure.sh fuzz  # under CI=true: warnings are errors
targets=(unit_tests)
$unit_only || targets+=(cutover)
cmake --build build-fuzz --target "${targets[@]}"
$unit_only || bash scripts/build.sh --target integration_tests  # a no-op after scripts/build.sh

reports="${CUTOVER_SANITIZE_DIR:-/tmp/cutover-sanitize}/run-$$"
rm -rf "$reports"
mkdir -p "$reports"
# log_path: one file per reporting process (<prefix>.<pid>); the test output still says which
# test failed. Leak checks stay on (ASan's default on Linux).
asan="log_path=$reports/asan:detect_leaks=1:detect_stack_use_after_return=1"
export ASAN_OPTIONS="$asan:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="log_path=$reports/lsan"

rc=0
echo "sanitize: unit tests (ASan + UBSan)"
build-fuzz/tests/unit_tests --gtest_brief=1 || rc=1

if ! $unit_only; then
  missing=()
  for p in "${patterns[@]}"; do
    listed="$(build/tests/integration_tests --gtest_list_tests --gtest_filter="$p")"
    grep -q '^  ' <<<"$listed" || missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "sanitize: no integration test matches: ${missing[*]} (update scripts/sanitize.sh)" >&2
    rc=2
  else
    filter="$(IFS=:; echo "${patterns[*]}")"
    echo "sanitize: integration tests running the ASan + UBSan cutover: $filter"
    CUTOVER_TEST_BINARY="$PWD/build-fuzz/cutover" build/tests/integration_tests \
      --gtest_filter="$filter" | grep -v '^\[ RUN ' || rc=1
  fi
fi

if compgen -G "$reports/*" >/dev/null; then
  echo "sanitize: sanitizer reports (kept in $reports):" >&2
  for f in "$reports"/*; do
    echo "--- $f" >&2
    head -40 "$f" >&2
  done
  [[ $rc -eq 0 ]] && rc=1
else
  rm -rf "$reports"
fi
if [[ $rc -eq 0 ]]; then
  echo "sanitize: clean"
fi
exit "$rc"
