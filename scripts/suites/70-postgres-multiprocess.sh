#!/usr/bin/env bash
# PostgreSQL, many processes: a throwaway PostgreSQL cluster (Debian's package) on 127.0.0.1 and a
# socket in a temp dir, Better Auth's `jwks` table, Node and Python issuers signing concurrently
# with the stores of examples/stores while keys rotate, one SIGKILL midway, and verifiers on the
# published JWKS (tests/multiprocess/run.mjs). The cluster is stopped and removed on any exit.
# Reuses the Node addon and Python wheel of suites 30/40; builds them when run alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/build.sh

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
need_apt=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || need_apt+=(postgresql)
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
[ ${#need_apt[@]} -eq 0 ] || apt_install "${need_apt[@]}"
ensure_node
PGBIN=$(pg_bin)

# Whether artifact $1 is missing or older than any file under the sources that follow.
stale() {
  local artifact=$1
  shift
  [ -z "$artifact" ] || [ ! -f "$artifact" ] ||
    [ -n "$(find "$@" -type f -newer "$artifact" ! -path "*/__pycache__/*" -print -quit 2>/dev/null)" ]
}

# Suite 30's Node addon and suite 40's wheel are reused; built here when missing or older than
# their sources (the suite run alone, or after an edit).
addon=$(ls npm/authjwt.*.node 2>/dev/null | head -n1 || true)
if stale "$addon" core/src core/Cargo.toml bindings/node/src bindings/node/Cargo.toml; then
  echo "--- building the Node addon (missing or older than the sources)"
  build_node_addon
fi
wheel=$(ls python/dist/authjwt-*-abi3-*.whl 2>/dev/null | head -n1 || true)
if stale "$wheel" core/src core/Cargo.toml bindings/python/src bindings/python/Cargo.toml python/authjwt python/pyproject.toml; then
  echo "--- building the Python wheel (missing or older than the sources)"
  build_python_wheel
  wheel=$(ls python/dist/authjwt-*-abi3-*.whl | head -n1)
fi

echo "--- test dependencies (pg for Node; psycopg and the authjwt wheel in .cache/multiprocess-venv)"
(cd tests/multiprocess && npm_ci)
venv=.cache/multiprocess-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/multiprocess/requirements.txt
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"

echo "--- throwaway PostgreSQL cluster ($PGBIN)"
tmp=$(mktemp -d)
cleanup() {
  [ -f "$tmp/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$tmp/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
chown postgres "$tmp"
mkdir "$tmp/work"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PGBIN/initdb" -D "$tmp/data" -U postgres -A trust --no-sync >/dev/null
# A throwaway cluster: no durability needed, so no fsync (a crashed server is not under test).
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w start \
  -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c max_connections=50" >/dev/null
echo "PostgreSQL listening on 127.0.0.1:$port and $tmp"

echo "--- issuers, SIGKILL, verifiers (tests/multiprocess/run.mjs)"
PGHOST=127.0.0.1 PGPORT=$port PYTHON="$root/$venv/bin/python" WORKDIR="$tmp/work" \
  node tests/multiprocess/run.mjs

echo "--- examples/stores/pg_store.py: no authjwt-format key next to Better Auth's rows (tests/multiprocess/store_guard.py)"
PGHOST=127.0.0.1 PGPORT=$port "$root/$venv/bin/python" tests/multiprocess/store_guard.py

echo "--- examples/stores/pg_store.py: update_jwk retires on rotate and revokes in every issuer (tests/multiprocess/store_update.py)"
PGHOST=127.0.0.1 PGPORT=$port "$root/$venv/bin/python" tests/multiprocess/store_update.py
