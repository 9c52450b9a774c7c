#!/usr/bin/env bash
# The full test run: every suite in scripts/suites/, in name order, sharing one target/.
# Usage: scripts/test.sh [suite-name-substring ...]   (no argument: every suite)
# Each suite installs what it needs itself (apt, npm, pip, the Kotlin compiler package).
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

suites=()
for suite in scripts/suites/*.sh; do
  name=$(basename "$suite" .sh)
  if [ $# -eq 0 ]; then
    suites+=("$suite")
  else
    for want in "$@"; do
      case "$name" in *"$want"*) suites+=("$suite"); break ;; esac
    done
  fi
done
if [ ${#suites[@]} -eq 0 ]; then
  echo "no suite matches: $*" >&2
  exit 2
fi

summary=()
passed=0
failed=0
for suite in "${suites[@]}"; do
  name=$(basename "$suite" .sh)
  echo
  echo "=== suite $name ==="
  start=$(date +%s)
  if bash "$suite"; then
    status=ok
    passed=$((passed + 1))
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  summary+=("$(printf '%-28s %-6s %4ss' "$name" "$status" "$(($(date +%s) - start))")")
done

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
