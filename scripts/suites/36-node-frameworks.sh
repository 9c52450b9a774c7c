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

source "$root/scripts/lib/steps.sh"

export NEXT_TELEMETRY_DISABLED=1
cd "$root/tests/frameworks-node"
npm_ci
# One file at a time: the Next.js file builds and starts a Next server, which wants both cores.
run_step "frameworks: express, fastify, hono, next" node --test --test-concurrency=1 \
  entries.test.cjs express.test.mjs fastify.test.mjs hono.test.mjs next.test.mjs

cd "$root/examples/node-auth-server"
npm_ci
cd "$root/examples/node-api"
npm_ci
run_step "examples/node-api: tsc --strict (Express, Fastify, Hono, Next.js route and proxy)" npx tsc -p tsconfig.json
run_step "examples/node-api: tsc --strict (next.config.ts, Next's own settings)" npx tsc -p next/tsconfig.json
run_step "examples/node-api smoke test" node smoke.mjs

finish_steps node-frameworks
