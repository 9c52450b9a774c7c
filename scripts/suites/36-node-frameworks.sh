#!/usr/bin/env bash
# Node framework integrations: authjwt/express, /fastify, /hono and /next against the real
# frameworks (tests/frameworks-node: Express on 127.0.0.1 with fetch, Fastify inject, Hono
# app.request, Next.js through next/server and `next build` + `next start`), then the example API
# (examples/node-api): `tsc --strict` on its Express, Fastify, Hono and Next.js files and its smoke
# test against the example auth server.
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
# a plain `N passed, N failed` line) to the totals; a step without counts (tsc) is one test.
run() {
  echo "--- $1"
  shift
  local rc=0 p f
  "$@" 2>&1 | tee "$log" || rc=$?
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p=$(sed -n -e 's/^# pass \([0-9]*\)$/\1/p' -e 's/^[a-z]*:\{0,1\} *\([0-9]*\) passed, [0-9]* failed.*/\1/p' "$log" | tail -1)
  f=$(sed -n -e 's/^# fail \([0-9]*\)$/\1/p' -e 's/^[a-z]*:\{0,1\} *[0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
  [ -n "$p$f" ] || { [ "$rc" != 0 ] || p=1; }
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" != 0 ]; then
    status=1
    [ "${f:-0}" != 0 ] || failed=$((failed + 1))
  fi
}

export NEXT_TELEMETRY_DISABLED=1
cd "$root/tests/frameworks-node"
npm_ci
# One file at a time: the Next.js file builds and starts a Next server, which wants both cores.
run "frameworks: express, fastify, hono, next" node --test --test-concurrency=1 \
  entries.test.cjs express.test.mjs fastify.test.mjs hono.test.mjs next.test.mjs

cd "$root/examples/node-auth-server"
npm_ci
cd "$root/examples/node-api"
npm_ci
run "examples/node-api: tsc --strict (Express, Fastify, Hono, Next.js route and proxy)" npx tsc -p tsconfig.json
run "examples/node-api: tsc --strict (next.config.ts, Next's own settings)" npx tsc -p next/tsconfig.json
run "examples/node-api smoke test" node smoke.mjs

echo "node-frameworks: $passed passed, $failed failed"
exit $status
