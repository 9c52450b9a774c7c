#!/usr/bin/env bash
# The cross-runtime demo: builds the Node addon, the Python wheel and the Kotlin bindings, then
# runs the Node example auth server, the Python example service and the Kotlin example on
# 127.0.0.1 (examples/demo/run.mjs). Exits 0 only if every check held.
#   ./demo.sh                  EdDSA keys in a file store
#   ALG=ES256 ./demo.sh        another algorithm (ES256/384/512, RS256, PS256, ...)
#   DATABASE_URL=postgres://... ./demo.sh   keys in PostgreSQL (Better Auth's jwks table must exist)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/lib/build.sh

# Build output goes to a log, shown only when a step fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
quietly() { # what, command...
  local what=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "✘ $what failed:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  echo "✔ $what"
}

echo "== building (the first run takes a few minutes)"
ensure_node
quietly "Node addon built" build_node_addon
quietly "Node example installed" bash -c 'cd examples/node-auth-server && source ../../scripts/lib/build.sh && npm_ci'
quietly "Python wheel built" build_python_wheel
wheel=$(ls python/dist/authjwt-*-abi3-*.whl | head -n1)
quietly "Python virtualenv ready" python_venv_with_wheel .cache/demo-venv "$wheel" -r examples/python-service/requirements.txt
quietly "JDK and Maven ready" ensure_kotlin
quietly "Kotlin bindings generated" build_uniffi_bindings
quietly "Kotlin example built with Maven" build_kotlin_example
kotlin_cp=$(build_kotlin_example 2>/dev/null)

echo "== demo"
# The native library comes from the authjwt JAR on the classpath: no jna.library.path.
PYTHON=.cache/demo-venv/bin/python KOTLIN_CP="$kotlin_cp" node examples/demo/run.mjs
