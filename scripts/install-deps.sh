#!/usr/bin/env bash
# Installs everything the build, the tests and the throwaway servers need (Debian 12).
#
# Design: idempotent and cheap when nothing is missing: every package is checked with
# `dpkg -s` first and apt is not touched at all when they are all installed (CI runs this on
# every submission). Runs as root, or re-runs itself through sudo. Debian's postgresql and
# mariadb packages create a system cluster and may start it; we never use those (tests start
# their own servers on free ports via scripts/servers.sh), so they are stopped and disabled
# to keep ports 5432/3306 and memory free; likewise Debian's prometheus service (the tests
# start their own `prometheus` binary with a temp config). pgbench ships in postgresql-15 itself.
# Usage: install-deps.sh [--bench]   (--bench adds the benchmark peers)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang-format git ca-certificates procps
  libpq-dev postgresql-15 postgresql-client-15 postgresql-contrib
  mariadb-server mariadb-client libmariadb-dev
  sqlite3 libsqlite3-dev
  libxxhash-dev libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libsnappy-dev libzstd-dev zlib1g-dev  # Parquet page compression (engine/lakehouse/parquet), GZIP CSV files
  libcurl4-openssl-dev libssl-dev  # s3:// targets (engine/lakehouse/s3): HTTPS + keep-alive, SigV4's SHA-256/HMAC
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  pgcopydb python3
  clang libclang-rt-14-dev  # libFuzzer + sanitizers for fuzz/ (scripts/fuzz.sh)
  chromium  # headless rendering check of the scenario reports (tests/integration/report_chromium_test.cc)
  prometheus  # prometheus + promtool: scrape and alert-rule tests (tests/integration/metrics_endpoint_test.cc)
)
# Peers the benchmarks compare against (bench/): only with --bench, CI does not need them.
BENCH_PACKAGES=(sysbench pgloader percona-toolkit mydumper)  # mydumper: mydumper + myloader
if [[ "${1:-}" == "--bench" ]]; then
  PACKAGES+=("${BENCH_PACKAGES[@]}")
fi

quiet=false
[[ "${CI:-}" == "true" ]] && quiet=true
say() { $quiet || echo "install-deps: $*"; }

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg -s succeeds for removed-but-configured packages too; require "install ok installed".
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

run_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@" || sudo "$@"
  else
    echo "install-deps: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

stop_system_services() {
  # Stop the Debian-managed servers if they are running; never fail because of them.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    while read -r ver name _port status _rest; do
      [[ "$status" == online* ]] || continue
      say "stopping system PostgreSQL cluster $ver/$name"
      run_root pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
    done < <(pg_lsclusters -h 2>/dev/null || true)
  fi
  # prometheus: the tests start their own on a free port; the system one would hold 9090.
  for svc in postgresql mariadb mysql prometheus; do
    if [[ -x /etc/init.d/$svc ]]; then
      if run_root service "$svc" status >/dev/null 2>&1; then
        say "stopping system service $svc"
        run_root service "$svc" stop >/dev/null 2>&1 || true
      fi
    fi
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
      run_root systemctl disable --now "$svc" >/dev/null 2>&1 || true
    elif command -v update-rc.d >/dev/null 2>&1 && [[ -x /etc/init.d/$svc ]]; then
      run_root update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  done
}

if [[ ${#missing[@]} -eq 0 ]]; then
  say "all ${#PACKAGES[@]} packages already installed"
else
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_q=()
  $quiet && apt_q=(-qq)
  # Keep the Debian maintainer scripts from starting services where policy-rc.d is honoured.
  policy=/usr/sbin/policy-rc.d
  created_policy=false
  if [[ ! -e $policy ]]; then
    run_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy" && created_policy=true
  fi
  cleanup_policy() { $created_policy && run_root rm -f "$policy" || true; }
  trap cleanup_policy EXIT
  if $quiet; then
    run_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_q[@]}" update >/dev/null
    run_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_q[@]}" install -y \
      --no-install-recommends "${missing[@]}" >/dev/null
  else
    run_root env DEBIAN_FRONTEND=noninteractive apt-get update
    run_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "${missing[@]}"
  fi
  cleanup_policy
  trap - EXIT
fi

stop_system_services
# The independent Parquet readers of the lakehouse tests (npm, pinned; tests/lakehouse_readers).
bash "$(dirname "${BASH_SOURCE[0]}")/install-lakehouse-readers.sh"
# The S3-compatible server of the s3:// lakehouse tests (npm s3rver, pinned; tests/s3_server).
bash "$(dirname "${BASH_SOURCE[0]}")/install-s3-server.sh"
say "done"
