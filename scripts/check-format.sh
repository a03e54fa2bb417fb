#!/usr/bin/env bash
# Checks that every C++ file in the repository is formatted as .clang-format says; prints the files
# that are not and exits 1. `scripts/check-format.sh --fix` rewrites them instead.
# Usage: scripts/check-format.sh [--fix] [FILE...]   (no FILE: every tracked .cpp/.hpp/.h file)
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-clang-format}"
fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
fi
if [ "$fix" = 1 ]; then
  "$CLANG_FORMAT" --style=file -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  if ! "$CLANG_FORMAT" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [ "${#bad[@]}" -gt 0 ]; then
  printf '%s\n' "${bad[@]}"
  echo "check-format: ${#bad[@]} file(s) differ from .clang-format (scripts/check-format.sh --fix rewrites them)" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted as .clang-format says"
