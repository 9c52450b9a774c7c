#!/usr/bin/env bash
# Node: builds the napi-rs addon, runs the package's node:test suites (API, stores, verification,
# hostile tokens, endpoints, CommonJS), the `npm pack` install test, the `tsc --strict` check of
# index.d.ts, the interop tests with the real jose and better-auth packages, and the example
# server's smoke test.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/build.sh

ensure_node
cd "$root/npm"
npm_ci
build_node_addon

status=0
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Runs one step, shows its output, and adds its counts (node:test's `# pass N` / `# fail N`, or
# a plain `N passed, N failed` line) to the totals.
run() {
  echo "--- $1"
  shift
  local rc=0 p f
  "$@" 2>&1 | tee "$log" || rc=$?
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p=$(sed -n -e 's/^# pass \([0-9]*\)$/\1/p' -e 's/^[a-z]*:\{0,1\} *\([0-9]*\) passed, [0-9]* failed.*/\1/p' "$log" | tail -1)
  f=$(sed -n -e 's/^# fail \([0-9]*\)$/\1/p' -e 's/^[a-z]*:\{0,1\} *[0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
  # A check without counts (tsc) is one test.
  [ -n "$p$f" ] || { [ "$rc" != 0 ] || p=1; }
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" != 0 ]; then
    status=1
    [ "${f:-0}" != 0 ] || failed=$((failed + 1))
  fi
}

run "node:test (npm/test)" node --test test/*.test.mjs test/*.test.cjs
run "npm pack, installed in an empty folder" node --test test/pack/
run "tsc --noEmit --strict on a typed sample" npx tsc -p test/types/tsconfig.json

cd "$root/tests/interop-node"
npm_ci
run "interop: jose and better-auth" node --test

cd "$root/examples/node-auth-server"
npm_ci
run "example server smoke test" node smoke.mjs

echo "node: $passed passed, $failed failed"
exit $status
