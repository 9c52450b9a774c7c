#!/usr/bin/env bash
# A fleet over one Redis: 20 remote key sets in several processes, each with the authjwt/redis
# shared cache on a throwaway redis-server (Debian's package) on 127.0.0.1, and one counting JWKS
# server answering max-age=2 (tests/fleet/run.mjs): one fetch per refresh window for the whole
# fleet, no failed verification. run.mjs starts and stops the redis-server itself.
# Reuses suite 30's Node addon; builds it when run alone or older than its sources.
# FLEET_WORKERS picks the worker processes (default node:4; see tests/fleet/run.mjs); a second run
# mixes Node and Python processes (tests/fleet/worker.py) over the same kind of Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/build.sh

command -v redis-server >/dev/null || apt_install redis-server
ensure_node

addon=$(ls npm/authjwt.*.node 2>/dev/null | head -n1 || true)
if [ -z "$addon" ] || [ -n "$(find core/src core/Cargo.toml bindings/node/src bindings/node/Cargo.toml -type f -newer "$addon" -print -quit)" ]; then
  echo "--- building the Node addon (missing or older than the sources)"
  build_node_addon
fi

echo "--- test dependencies (redis for Node)"
(cd tests/fleet && npm_ci)

echo "--- 20 key sets, one Redis, one JWKS server (tests/fleet/run.mjs)"
REDIS_SERVER=$(command -v redis-server) node tests/fleet/run.mjs

echo "--- the same fleet in Node and Python processes (node:2,python:2; authjwt.redis in Python)"
ensure_python
wheel=$(build_python_wheel)
python_venv_with_wheel .cache/python-fleet "$wheel" "$(grep -E '^redis==' python/requirements-dev.txt)"
FLEET_WORKERS=node:2,python:2 FLEET_PYTHON="$PWD/.cache/python-fleet/bin/python" \
  REDIS_SERVER=$(command -v redis-server) node tests/fleet/run.mjs
