#!/usr/bin/env bash
# Sealed private keys are byte-compatible with the real `better-auth` npm package, both ways:
# better-auth seals rows (its jwt plugin's createJwk and symmetricEncrypt) that authjwt opens, and
# authjwt seals rows that better-auth opens (symmetricDecrypt, and its jwt plugin signs with them).
set -euo pipefail
cd "$(dirname "$0")/../.."

dir=tests/better-auth-seal
out=$dir/out
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
cargo build -q -p authjwt-core --example seal_interop
interop="$CARGO_TARGET_DIR/debug/examples/seal_interop"

rm -rf "$out" && mkdir -p "$out"
passed=0
failed=0
# Runs one step, shows its output, and adds its closing `N passed, N failed` line to the totals.
step() {
  local name=$1 log rc=0
  shift
  echo "--- $name"
  log=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$log"
  local last
  last=$(printf '%s\n' "$log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n1 || true)
  if [ -z "$last" ]; then
    echo "FAIL $name: no result line"
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + $(echo "$last" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$last" | cut -d' ' -f3)))
  if [ "$rc" -ne 0 ] && [ "$(echo "$last" | cut -d' ' -f3)" -eq 0 ]; then
    echo "FAIL $name: exit code $rc"
    failed=$((failed + 1))
  fi
}

step "better-auth seals (node gen.mjs)" node "$dir/gen.mjs" "$out/better-auth-rows.json"
step "authjwt opens better-auth rows" "$interop" open "$out/better-auth-rows.json"
step "authjwt seals" "$interop" seal "$out/authjwt-rows.json"
step "better-auth opens authjwt rows (node check.mjs)" node "$dir/check.mjs" "$out/authjwt-rows.json"

echo "better-auth-seal: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
