#!/usr/bin/env bash
# Checks the engine boundary (docs/adding-an-engine.md): outside engine/<x>/ no file includes
# engine/<x>/ headers, except the registry's list (engine/registry/engines.cc), tests and fuzz
# targets; no engine folder includes another engine's headers; no engine enum is switched on
# outside the registry. Prints each violation as FILE:LINE: what, and exits 1 if there is one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

engines=()
for d in engine/*/; do
  d="${d%/}"
  [[ -f "$(ls "$d"/*_driver.cc 2>/dev/null | head -1)" ]] && engines+=("${d#engine/}")
done
if ((${#engines[@]} == 0)); then
  echo "check-boundaries: no engine folder with a *_driver.cc found" >&2
  exit 1
fi
alt="$(IFS='|'; echo "${engines[*]}")"

bad=0
while IFS= read -r hit; do
  file="${hit%%:*}"
  rest="${hit#*:}"
  line="${rest%%:*}"
  included="$(sed -E 's/.*#include "engine\/([^/]+)\/.*/\1/' <<<"$rest")"
  case "$file" in
    tests/* | fuzz/* | engine/registry/engines.cc) continue ;;
    "engine/$included/"*) continue ;;
  esac
  echo "$file:$line: includes engine/$included/ from outside that engine's folder" >&2
  bad=1
done < <(git ls-files '*.cc' '*.h' | xargs grep -nE "#include \"engine/($alt)/" || true)

# The closed engine enum is gone; do not let it come back.
if git ls-files '*.cc' '*.h' | xargs grep -nE '\bEngineKind\b' 2>/dev/null; then
  echo "check-boundaries: EngineKind is back (use the registry: engine/registry/registry.h)" >&2
  bad=1
fi

if ((bad)); then
  echo "check-boundaries: the engine boundary is broken (docs/adding-an-engine.md)" >&2
  exit 1
fi
echo "check-boundaries: ok (${#engines[@]} engines: ${engines[*]})"
