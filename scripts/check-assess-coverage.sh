#!/usr/bin/env bash
# Checks that every readiness check id `test-connection` and `assess` can emit is driven by an
# integration test and documented: each id found in the code appears in a test under
# tests/integration/ and in docs/operations.md's "Which test makes each check fail" section
# (which names the test that fails it, or says why no test can). Prints each id that is missing
# as `id: not in a test` / `id: not in docs/operations.md`, and exits 1 if there is one.
#
# Where ids come from: string literals "<scope>.<what>" in the readiness code (engine/*/
# *_preflight.cc, the task start checks engine/pipeline/start_checks.cc, cli/assess_cmd.cc),
# the MariaDB settings built by RequireSetting ("maria." + name), and "<engine>.connect" /
# "<engine>.version" of every driver whose CheckEndpoint runs the default connect check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scopes='pg|maria|sqlite|tables|columns|names|foreign_keys|task|source|target'
ids="$(
  {
    grep -ohE "\"($scopes)\.[a-z_]+\"" engine/*/*_preflight.cc engine/pipeline/start_checks.cc \
      cli/assess_cmd.cc engine/*/*_driver.cc | tr -d '"'
    grep -ohE 'RequireSetting\(checks, "[a-z_]+"' engine/mariadb/maria_preflight.cc |
      sed -E 's/.*"([a-z_]+)"/maria.\1/'
    for driver in engine/*/*_driver.cc; do
      name="$(grep -oE 'name\(\) const override \{ return "[a-z]+"' "$driver" | sed -E 's/.*"([a-z]+)"/\1/')"
      [[ -z "$name" ]] && continue
      # An override that does not call the default has no connect check of its own.
      if grep -q 'CheckEndpoint(' "$driver" && ! grep -q 'EngineDriver::CheckEndpoint' "$driver"; then
        continue
      fi
      echo "$name.connect"
      echo "$name.version"
    done
  } | sort -u
)"
if [[ -z "$ids" ]]; then
  echo "check-assess-coverage: no check ids found" >&2
  exit 1
fi

docs="$(sed -n '/^### Which test makes each check fail/,/^## /p' docs/operations.md)"
bad=0
count=0
while IFS= read -r id; do
  count=$((count + 1))
  if ! grep -rqF "$id" tests/integration/; then
    echo "$id: not in a test (tests/integration/)" >&2
    bad=1
  fi
  if ! grep -qF "\`$id\`" <<<"$docs"; then
    echo "$id: not in docs/operations.md (Which test makes each check fail)" >&2
    bad=1
  fi
done <<<"$ids"
if ((bad)); then
  exit 1
fi
echo "check-assess-coverage: $count check ids, each in a test and in docs/operations.md"
