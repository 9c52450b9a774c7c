#!/usr/bin/env bash
# authjwt/better-auth against Better Auth's own jwt() plugin (the real better-auth package from
# npm), the same scenarios with results compared: on Better Auth's memory adapter, SQLite
# (better-sqlite3 through Kysely) and PostgreSQL (a throwaway cluster from Debian's package on
# 127.0.0.1, stopped and removed on any exit), a mixed deployment on one table, transactions,
# concurrency, and @better-auth/oauth-provider next to the plugin (tests/better-auth-plugin).
# Reuses suite 30's Node addon; builds it when run alone or when older than its sources.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/build.sh

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
need_apt=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || need_apt+=(postgresql)
command -v python3 >/dev/null || need_apt+=(python3)
# better-sqlite3 compiles its addon when no prebuilt one can be fetched.
command -v make >/dev/null && command -v g++ >/dev/null || need_apt+=(build-essential)
[ ${#need_apt[@]} -eq 0 ] || apt_install "${need_apt[@]}"
ensure_node
PGBIN=$(pg_bin)

addon=$(ls npm/authjwt.*.node 2>/dev/null | head -n1 || true)
if [ -z "$addon" ] || [ -n "$(find core/src core/Cargo.toml bindings/node/src bindings/node/Cargo.toml -type f -newer "$addon" -print -quit)" ]; then
  echo "--- building the Node addon (missing or older than the sources)"
  build_node_addon
fi

echo "--- test dependencies (better-auth, @better-auth/oauth-provider, better-sqlite3, kysely, pg, jose)"
(cd tests/better-auth-plugin && npm_ci)
# typescript for the typed sample comes with the npm package's dev dependencies.
[ -x npm/node_modules/typescript/bin/tsc ] || (cd npm && npm_ci)

echo "--- throwaway PostgreSQL cluster ($PGBIN)"
tmp=$(mktemp -d)
cleanup() {
  [ -f "$tmp/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$tmp/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
chown postgres "$tmp"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PGBIN/initdb" -D "$tmp/data" -U postgres -A trust --no-sync >/dev/null
# A throwaway cluster: no durability needed, so no fsync.
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w start \
  -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c max_connections=100" >/dev/null
echo "PostgreSQL listening on 127.0.0.1:$port"

echo "--- node --test (tests/better-auth-plugin)"
cd "$root/tests/better-auth-plugin"
# --preserve-symlinks: authjwt is linked from ../../npm and must resolve better-auth from here,
# as it does when installed in an application's node_modules.
status=0
PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres \
  node --preserve-symlinks --test --test-concurrency=1 ./*.test.mjs ./*.test.cjs || status=1

echo "--- tsc --noEmit --strict on a typed sample (types/sample.ts)"
node "$root/npm/node_modules/typescript/bin/tsc" -p types/tsconfig.json || status=1
exit $status
