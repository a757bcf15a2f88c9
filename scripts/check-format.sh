#!/usr/bin/env bash
# Checks clang-format on the C++ files changed against the base branch (or the last commit when
# there is no base). Prints the files that need formatting; exit 1 if any.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format missing (scripts/setup.sh installs it)"; exit 1; }
base=${GRIDKE_FORMAT_BASE:-}
if [ -z "$base" ]; then
  base=$(git rev-list -1 --before='1 day ago' HEAD 2>/dev/null || true)
  [ -n "$base" ] || base=$(git rev-list --max-parents=0 HEAD 2>/dev/null | tail -n 1)
fi
files=$( { git diff --name-only --diff-filter=ACMR "$base" -- '*.cpp' '*.hpp' 2>/dev/null; \
           git ls-files --others --exclude-standard -- '*.cpp' '*.hpp'; } | sort -u)
bad=0
for f in $files; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "check-format: needs clang-format: $f"
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "check-format: $(echo "$files" | grep -c . || true) changed file(s) formatted"
exit $bad
