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

source "$root/scripts/lib/steps.sh"

run_step "node:test (npm/test)" node --test test/*.test.mjs test/*.test.cjs
run_step "npm pack, installed in an empty folder" node --test test/pack/
run_step "tsc --noEmit --strict on a typed sample" npx tsc -p test/types/tsconfig.json

cd "$root/tests/interop-node"
npm_ci
run_step "interop: jose and better-auth" node --test

cd "$root/examples/node-auth-server"
npm_ci
run_step "example server smoke test" node smoke.mjs

finish_steps node
