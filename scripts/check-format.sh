#!/usr/bin/env bash
# Checks that C++ files (*.cc, *.h) are formatted as the repository's .clang-format says.
#
#   scripts/check-format.sh                 every tracked C++ file (what CI runs)
#   scripts/check-format.sh --changed [REV] files changed since REV (default: the merge base
#                                           with main) plus uncommitted changes
#   scripts/check-format.sh FILE...         just these files
#   scripts/check-format.sh --fix [...]     reformat in place instead of checking
#
# Design: clang-format itself decides (`--dry-run`: it names each violation's file); the script
# only picks the files and reports. It prints
# one line per badly formatted file and how to fix it, and exits 1 if there was any; 0 when
# all are clean; 2 on bad usage or when clang-format is missing. CI checks every tracked file:
# the whole tree takes about a second, and a fresh clone has no reliable "changed" range.
# Deleted files and files that are not C++ are skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=false
mode=all
base=""
files=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fix) fix=true ;;
    --changed)
      mode=changed
      if [[ $# -gt 1 && "$2" != -* ]]; then
        base="$2"
        shift
      fi
      ;;
    -h | --help)
      sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "check-format: unknown option $1 (see --help)" >&2
      exit 2
      ;;
    *)
      mode=files
      files+=("$1")
      ;;
  esac
  shift
done

command -v clang-format >/dev/null 2>&1 || {
  echo "check-format: clang-format not found (scripts/install-deps.sh installs it)" >&2
  exit 2
}

case "$mode" in
  all) mapfile -t files < <(git ls-files -- '*.cc' '*.h') ;;
  changed)
    if [[ -z "$base" ]]; then
      base="$(git merge-base HEAD main 2>/dev/null || echo HEAD)"
    fi
    git rev-parse --verify --quiet "$base^{commit}" >/dev/null || {
      echo "check-format: unknown revision $base" >&2
      exit 2
    }
    # Committed since BASE, staged and unstaged changes, and new untracked files.
    mapfile -t files < <({
      git diff --name-only --diff-filter=d "$base" -- '*.cc' '*.h'
      git ls-files --others --exclude-standard -- '*.cc' '*.h'
    } | sort -u)
    ;;
esac

checked=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue
  case "$f" in *.cc | *.h) checked+=("$f") ;; esac
done
if [[ ${#checked[@]} -eq 0 ]]; then
  echo "check-format: no C++ files to check"
  exit 0
fi

if $fix; then
  printf '%s\0' "${checked[@]}" | xargs -0 clang-format -i --style=file
  echo "check-format: formatted ${#checked[@]} file(s)"
  exit 0
fi

# One clang-format process for all files (a process per file is ~10x slower); each violation
# is a "FILE:LINE:COL: warning: code should be clang-formatted" line.
out="$(printf '%s\0' "${checked[@]}" | xargs -0 clang-format --dry-run --style=file 2>&1)" || {
  echo "check-format: clang-format failed:" >&2
  echo "$out" | head -5 >&2
  exit 2
}
violation='^\(.*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*'
mapfile -t bad < <(echo "$out" | sed -n "s/$violation/\\1/p" | sort -u)
if [[ ${#bad[@]} -gt 0 ]]; then
  for f in "${bad[@]}"; do
    echo "check-format: $f is not formatted (see: clang-format $f | diff $f -)" >&2
  done
  echo "check-format: ${#bad[@]} of ${#checked[@]} file(s) not formatted; fix with:" \
    "scripts/check-format.sh --fix ${bad[*]}" >&2
  exit 1
fi
echo "check-format: ${#checked[@]} file(s) formatted"
